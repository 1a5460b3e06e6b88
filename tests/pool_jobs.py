"""Cheap job functions for the worker-pool tests (imported by name inside the worker processes)."""

import os
import time

from playground.workers import JobError

_kept = []  # memory a job leaves behind in its worker, to test recycling


def count_epochs(epochs, seconds_per_epoch=0.05, progress=None):
    """A training stand-in: one progress event per epoch; checks for a stop between epochs."""
    for epoch in range(1, epochs + 1):
        time.sleep(seconds_per_epoch)
        progress.send({"epoch": epoch})
        if progress.stop_requested():
            return {"epochs": epoch, "pid": os.getpid(), "stopped": True}
    return {"epochs": epochs, "pid": os.getpid(), "stopped": False}


def fail_with(message, progress=None):
    raise JobError(message)


def crash(progress=None):
    return {}["missing"]


def crash_with_a_long_message(progress=None):
    raise RuntimeError("Graph execution error:\n\n  File \"x.py\", line 1\n" * 50)


def hold_memory(megabytes, progress=None):
    block = bytearray(megabytes * 2**20)
    block[:: 4096] = b"x" * len(block[:: 4096])  # touch every page so it is resident
    _kept.append(block)
    return os.getpid()


def ignore_stop(seconds, progress=None):
    time.sleep(seconds)
    return "too late"


def unpicklable_result(progress=None):
    return lambda: None


def failing_start():
    raise RuntimeError("no TensorFlow here")


def hang_up_and_linger(seconds, progress=None):
    """A worker that stops talking (its end of the socket shut for writing) but lingers on: the
    pool sees it gone and must reap it, which takes until it is killed."""
    import socket
    import sys

    progress.send({"hanging up": True})
    socket.socket(fileno=os.dup(int(sys.argv[1]))).shutdown(socket.SHUT_WR)
    time.sleep(seconds)


START_FAILURES = "PLAYGROUND_TEST_START_FAILURES"  # a file: failures still to come, then one line per attempt


def fail_first_starts():
    """An initializer that fails as often as the file named by $PLAYGROUND_TEST_START_FAILURES says."""
    path = os.environ[START_FAILURES]
    with open(path) as file:
        lines = file.read().split()
    left, attempts = int(lines[0]), lines[1:]
    with open(path, "w") as file:
        file.write("\n".join([str(max(0, left - 1)), *attempts, repr(time.time())]))
    if left > 0:
        raise RuntimeError(f"not yet ({left} to go)")


def refuse(progress=None):
    """A job that refuses its input the way the churn jobs do: with a UserError (a Message the page translates)."""
    from playground.i18n import N_, UserError

    raise UserError(N_("The learning rate must be a positive number."))
