"""A small pool of worker processes for CPU-heavy jobs (trainings), shared by every user of a server.

Start reading at :class:`WorkerPool`. The Streamlit server submits jobs and keeps only their
results (numpy weights, histories, bytes); the workers import TensorFlow, the server never does.

    pool = WorkerPool(size=2, initializer=warm_up)            # workers start (and warm up) at once
    ticket = pool.submit(train_job, {"spec": spec, ...}, owner=is_my_session_alive)
    ticket.state          # a JobState: queued | running | done | failed | stopped | cancelled
    ticket.position       # 1 = next in line (0 once running)
    ticket.eta_seconds    # estimated wait until it starts, from recent job durations (None: no data yet)
    ticket.events         # every object the job sent so far (e.g. one history row per epoch)
    ticket.result         # what the job function returned (done, or stopped with a partial result)
    ticket.error          # a message for the user when failed / cancelled / stopped by the pool
    ticket.stop()         # queued: leaves the queue; running: the job is asked to stop

A job function is a top-level, importable function. The worker calls it as
``function(**kwargs, progress=progress)``: ``progress.send(obj)`` streams a picklable object to
the ticket's ``events``; ``progress.stop_requested()`` is True once the ticket was stopped (check
it between epochs and return what you have). Raise :class:`JobError` (or ``ValueError``) for a
message the user should read; any other exception is reported as "<type>: <message>" and its
traceback goes to the server log. What it returns must be picklable.

Why not ``concurrent.futures.ProcessPoolExecutor``: when one of its processes dies (SIGKILL, the
kernel's OOM killer) it marks the whole executor broken and fails every pending and running
future. Here each worker is one process with its own socket (a ``multiprocessing.connection``
over a socket pair); a dispatcher thread hands out jobs first come, first served. A worker that
dies fails only its own job, is replaced at once, and every other job carries on.

Why ``subprocess`` and not ``multiprocessing``'s spawn: spawn re-runs the parent's ``__main__``
in every child, and inside ``streamlit run`` (and AppTest) ``__main__`` is the page script being
run, so each worker would import streamlit and run the app. A worker here starts as
``python -c "from playground.workers import _worker_main; ..."`` with the parent's ``sys.path``,
and imports only what its initializer and jobs need. POSIX only (Linux, macOS).

Other rules:
- Workers are recycled on memory, not per task: after a job, a worker whose resident memory is
  above ``max_memory_mb`` exits and a fresh one starts (and warms up) at once.
- ``owner`` is a callable that says whether the job's owner (a browser session) is still there.
  When it has said False for ``owner_grace_seconds`` in a row, a queued job is dropped and a
  running one is stopped, so a closed tab frees its place.
- A running job that ignores a stop for ``stop_grace_seconds`` has its worker killed.
- With ``start=False`` workers start on demand, one per queued job, up to ``size``.
- A worker that fails to start is started again after a back-off (1 s, doubling up to 60 s);
  from the third failure in a row the waiting jobs fail with the reason, and the pool keeps
  trying: ``status()`` gives the reason (``start_error``) and ``retry_in_seconds``.
- Workers run nicer than the server (``WORKER_NICENESS``), in the server's own session, so
  pages answer first while a class trains. (Where Linux schedules sessions as autogroups, nice
  levels count only inside a session: a worker in a session of its own would weigh as much as
  the whole server, and with a nice level on its group it would starve on a busy shared machine.)
- The pool's lock is never held while waiting (for a process to end, to start, or a socket to
  take a message): the dispatcher decides under the lock and acts after letting go of it.
"""

from __future__ import annotations

import atexit
import collections
import enum
import importlib
import itertools
import logging
import multiprocessing.connection
import os
import pickle
import queue
import socket
import statistics
import subprocess
import sys
import threading
import time
import traceback
import weakref
from collections.abc import Callable
from dataclasses import dataclass

from playground.i18n import N_, Message, UserError

LOGGER = logging.getLogger(__name__)



class JobState(enum.StrEnum):
    """Where a ticket is: QUEUED -> RUNNING -> one of the four ended states. The values are the
    lowercase names, so a state compares equal to (and prints as) its plain string."""

    QUEUED = enum.auto()
    RUNNING = enum.auto()
    DONE = enum.auto()  # the job returned its result
    FAILED = enum.auto()  # the job raised (``error`` says why) or could not be run
    STOPPED = enum.auto()  # stopped by its user or the pool; ``result`` holds what it returned, if anything
    CANCELLED = enum.auto()  # left the queue before it ran (its user, a closed session, the pool's shutdown)


QUEUED, RUNNING, DONE, FAILED, STOPPED, CANCELLED = JobState  # the short names modules already import
ENDED = frozenset({DONE, FAILED, STOPPED, CANCELLED})
MAX_DEFAULT_WORKERS = 4
# A warm training worker (TensorFlow, Keras, compiled epochs) is ~700 MB (bench/bench_memory.py
# --one-worker); it may grow towards the recycling limit (PLAYGROUND_WORKER_MAX_MB, 1500) before
# it is replaced: budget 1200 MB each.
WORKER_MB = 1200
SERVER_MB = 600  # what the Streamlit server itself needs beside its workers, with a class connected
# A worker that fails to start is started again after START_RETRY_SECONDS, doubling with each
# failure in a row up to START_RETRY_MAX_SECONDS; from the third failure in a row on, the jobs
# waiting in line fail with the reason (their users can try again) and the pool keeps retrying.
START_RETRY_SECONDS = 1.0
START_RETRY_MAX_SECONDS = 60.0
START_FAILURES_BEFORE_FAILING_THE_QUEUE = 3
# Workers run this much nicer than the server (they share its session, and so its Linux
# autogroup), so a page answers first while a class trains.
WORKER_NICENESS = 10


class JobError(Exception):
    """Raised by a job function: its message is shown to the user as it is."""


def default_size() -> int:
    """PLAYGROUND_WORKERS if set, else the number of usable cores, at most 4, and no more than
    the memory holds (WORKER_MB per worker beside the server's SERVER_MB: 1 on Streamlit Community
    Cloud's 2.7 GB, 2 on 4 GB)."""
    configured = os.environ.get("PLAYGROUND_WORKERS", "").strip()
    if configured:
        try:
            size = int(configured)
        except ValueError:
            raise ValueError(f"PLAYGROUND_WORKERS must be a whole number (got {configured!r}).") from None
        if size < 1:
            raise ValueError(f"PLAYGROUND_WORKERS must be at least 1 (got {size}).")
        return size
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    size = min(cores, MAX_DEFAULT_WORKERS)
    memory = memory_limit_mb()
    if memory is not None:
        size = min(size, int((memory - SERVER_MB) // WORKER_MB))
    return max(1, size)


def memory_limit_mb() -> float | None:
    """The memory this process may use: its cgroup's limit (a container, Streamlit Community Cloud)
    or the machine's total, whichever is smaller; None where neither can be read."""
    limits = []
    for path in ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"):
        try:
            with open(path) as file:
                text = file.read().strip()
            if text.isdigit() and int(text) < 2**60:  # "max" or a huge number: no limit
                limits.append(int(text) / 2**20)
        except OSError:
            pass
    try:
        with open("/proc/meminfo") as file:
            for line in file:
                if line.startswith("MemTotal:"):
                    limits.append(int(line.split()[1]) / 1024)
                    break
    except (OSError, ValueError, IndexError):
        pass
    return min(limits) if limits else None


def default_max_memory_mb() -> float:
    """PLAYGROUND_WORKER_MAX_MB if set, else 1500: a worker above it is replaced after its job."""
    configured = os.environ.get("PLAYGROUND_WORKER_MAX_MB", "").strip()
    try:
        return float(configured) if configured else 1500.0
    except ValueError:
        raise ValueError(f"PLAYGROUND_WORKER_MAX_MB must be a number of megabytes (got {configured!r}).") from None


def resident_mb(pid: int | None = None) -> float | None:
    """Resident memory of a process in MB (Linux /proc); None where that is not available."""
    try:
        with open(f"/proc/{pid or 'self'}/statm") as file:
            return int(file.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, ValueError, IndexError):
        return None


# --------------------------------------------------------------------------------------
# The server side: tickets and the pool
# --------------------------------------------------------------------------------------


class Ticket:
    """One submitted job as its submitter sees it; the pool's dispatcher thread updates it."""

    def __init__(self, pool: WorkerPool, number: int, function_name: str, owner: Callable[[], bool] | None):
        self._pool = pool
        self._changed = threading.Condition()
        self.number = number
        self.function_name = function_name
        self.owner = owner
        self.state: JobState = QUEUED
        self.position: int | None = None  # 1 = next in line; 0 when running; None when ended
        self.eta_seconds: float | None = None  # estimated wait until it starts
        self.events: list = []
        self.result = None
        self.error: str | Message | None = None  # a Message (translated by the page) or a text
        self.worker_pid: int | None = None
        self.submitted_at = time.monotonic()
        self.started_at: float | None = None
        self.ended_at: float | None = None
        self.stop_requested = False

    @property
    def ended(self) -> bool:
        return self.state in ENDED

    @property
    def waited_seconds(self) -> float:
        """Time spent in the queue (so far, while queued)."""
        return (self.started_at or self.ended_at or time.monotonic()) - self.submitted_at

    def stop(self) -> None:
        """Leave the queue, or ask the running job to stop (it returns what it has)."""
        self._pool._stop(self)

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the job has ended (or `timeout` passed); True if it has ended."""
        with self._changed:
            return self._changed.wait_for(lambda: self.ended, timeout)

    def _update(self, **changes) -> None:
        with self._changed:
            for name, value in changes.items():
                setattr(self, name, value)
            self._changed.notify_all()

    def __repr__(self) -> str:
        return f"<Ticket {self.number} {self.function_name} {self.state} position={self.position}>"


@dataclass(frozen=True)
class PoolStatus:
    size: int
    ready: int  # warmed-up workers (busy or idle)
    starting: int  # workers importing / warming up
    busy: int
    queued: int
    start_error: str | Message | None  # set while workers keep failing to start (the last reason)
    retry_in_seconds: float | None = None  # after a failed start: when the next start is tried (None: none pending)


@dataclass
class _Job:
    ticket: Ticket
    module: str
    name: str
    kwargs: dict
    owner_gone_since: float | None = None


PACKAGE_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class _Worker:
    """The server's handle on one worker process."""

    def __init__(self, initializer: tuple[str, str] | None, niceness: int):
        ours, theirs = socket.socketpair()
        environment = {**os.environ, "PYTHONPATH": os.pathsep.join(
            [PACKAGE_ROOT, *filter(None, [os.environ.get("PYTHONPATH")])])}
        self.process = subprocess.Popen(
            [sys.executable, "-c", "from playground.workers import _worker_main; _worker_main()", str(theirs.fileno())],
            pass_fds=[theirs.fileno()], env=environment, stdin=subprocess.DEVNULL,
            # A process group of its own: a Ctrl-C in the server's terminal is for the server, which
            # ends us. The same session: where Linux schedules sessions as autogroups, a nice level
            # counts only against processes of the same session, which is what ranks us below the server.
            process_group=0,
        )
        theirs.close()
        self.connection = multiprocessing.connection.Connection(ours.detach())
        self.send_lock = threading.Lock()  # a job (dispatcher thread) and a stop (a page's thread) may cross
        self.send((list(sys.path), initializer, niceness))
        self.gone = False  # its socket closed: the process has ended or is ending
        self.ready = False
        self.job: _Job | None = None
        self.started = time.monotonic()
        self.warm_seconds: float | None = None
        self.stop_sent_at: float | None = None
        self.retiring = False

    @property
    def pid(self) -> int | None:
        return self.process.pid

    def send(self, message) -> str | None:
        """Send `message` to the process; None if it went, else why not (it died, or would not pickle)."""
        with self.send_lock:
            try:
                self.connection.send(message)
            except (OSError, ValueError, TypeError, AttributeError, pickle.PicklingError) as error:
                return str(error) or type(error).__name__
        return None


def _function_path(function: Callable) -> tuple[str, str]:
    module, name = getattr(function, "__module__", None), getattr(function, "__qualname__", "")
    if not module or "<" in name or "." in name or module == "__main__":
        raise ValueError(f"{function!r} must be a top-level function of an importable module "
                         "(the worker process imports it by name).")
    return module, name


class WorkerPool:
    """Worker processes plus one dispatcher thread; every method is safe to call from any thread."""

    def __init__(self, size: int | None = None, initializer: Callable[[], object] | None = None,
                 max_memory_mb: float | None = None, owner_grace_seconds: float = 15.0,
                 stop_grace_seconds: float = 30.0, start: bool = True, tick_seconds: float = 0.25,
                 retry_seconds: float = START_RETRY_SECONDS, niceness: int = WORKER_NICENESS):
        self.size = size or default_size()
        self.max_memory_mb = max_memory_mb if max_memory_mb is not None else default_max_memory_mb()
        self.owner_grace_seconds = owner_grace_seconds
        self.stop_grace_seconds = stop_grace_seconds
        self.tick_seconds = tick_seconds
        self.retry_seconds = retry_seconds
        self.niceness = niceness
        self._initializer = _function_path(initializer) if initializer else None
        self._lock = threading.RLock()
        self._queue: collections.deque[_Job] = collections.deque()
        self._workers: list[_Worker] = []
        self._durations: collections.deque[float] = collections.deque(maxlen=20)
        self._numbers = itertools.count(1)
        self._start_failures = 0  # in a row; a worker that gets ready resets it
        self.start_error: str | Message | None = None
        # Worker starts, all made by the dispatcher thread outside the lock (a fork and exec takes a
        # moment): due now, being made, and owed after a failed start (due at _retry_at).
        self._to_start = self.size if start else 0
        self._launching = 0
        self._owed = 0
        self._retry_at = 0.0
        self._outbox: list[tuple[_Worker, tuple]] = []  # messages the dispatcher sends once it has let go of the lock
        self.replaced = 0  # workers that died or were recycled and got a successor (tests, benchmarks)
        self._closed = False
        self._wake_reader, self._wake_writer = multiprocessing.connection.Pipe(duplex=False)
        self._wake_lock = threading.Lock()  # many page threads may wake the dispatcher at once
        self._thread = threading.Thread(target=self._dispatch_forever, name="playground-pool", daemon=True)
        self._thread.start()
        atexit.register(_shutdown_at_exit, weakref.ref(self))

    # ---- the public API -----------------------------------------------------------------

    def submit(self, function: Callable, kwargs: dict | None = None, owner: Callable[[], bool] | None = None) -> Ticket:
        """Queue `function(**kwargs, progress=...)` for the next free worker (first come, first served)."""
        module, name = _function_path(function)
        with self._lock:
            if self._closed:
                raise RuntimeError("The worker pool has been shut down.")
            ticket = Ticket(self, next(self._numbers), f"{module}.{name}", owner)
            self._queue.append(_Job(ticket, module, name, dict(kwargs or {})))
            self._refresh_positions()
        self._wake()
        return ticket

    def status(self) -> PoolStatus:
        with self._lock:
            return PoolStatus(
                size=self.size,
                ready=sum(worker.ready for worker in self._workers),
                starting=sum(not worker.ready for worker in self._workers) + self._to_start + self._launching,
                busy=sum(worker.job is not None for worker in self._workers),
                queued=len(self._queue),
                start_error=self.start_error,
                retry_in_seconds=max(0.0, self._retry_at - time.monotonic()) if self._owed else None,
            )

    def worker_pids(self) -> list[int]:
        with self._lock:
            return [worker.pid for worker in self._workers if worker.pid is not None]

    def typical_job_seconds(self) -> float | None:
        """Median duration of the recent jobs (None before the first one ended)."""
        with self._lock:
            return statistics.median(self._durations) if self._durations else None

    def shutdown(self, timeout: float = 5.0) -> None:
        """Cancel queued jobs, fail running ones, end every worker. Safe to call twice."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            queued, self._queue = list(self._queue), collections.deque()
            workers, self._workers = self._workers, []
        for job in queued:
            job.ticket._update(state=CANCELLED, error=Message(N_("The server is shutting down.")), position=None,
                               eta_seconds=None, ended_at=time.monotonic())
        for worker in workers:
            if worker.job is not None:
                worker.job.ticket._update(state=FAILED, error=Message(N_("The server is shutting down.")), position=None,
                                          ended_at=time.monotonic())
            worker.send(("exit",))
        deadline = time.monotonic() + timeout
        for worker in workers:
            _end(worker, max(0.0, deadline - time.monotonic()))
        self._wake()
        self._thread.join(timeout)

    # ---- called by tickets ----------------------------------------------------------------

    def _stop(self, ticket: Ticket, reason: str | None = None) -> None:
        with self._lock:
            stop = self._stop_locked(ticket, reason)
        if stop is not None:
            stop[0].send(stop[1])
        self._wake()

    def _stop_locked(self, ticket: Ticket, reason: str | None) -> tuple[_Worker, tuple] | None:
        """Take a queued ticket out of the queue; for a running one, the message to send its worker."""
        if ticket.ended:
            return None
        for job in self._queue:
            if job.ticket is ticket:
                self._queue.remove(job)
                ticket._update(state=CANCELLED, error=reason, position=None, eta_seconds=None,
                               ended_at=time.monotonic())
                self._refresh_positions()
                return None
        for worker in self._workers:
            if worker.job is not None and worker.job.ticket is ticket and worker.stop_sent_at is None:
                worker.stop_sent_at = time.monotonic()
                ticket._update(stop_requested=True, error=reason or ticket.error)
                return worker, ("stop", ticket.number)
        return None

    # ---- the dispatcher thread ------------------------------------------------------------

    def _wake(self) -> None:
        with self._wake_lock:
            try:
                self._wake_writer.send(None)
            except (OSError, ValueError):  # shut down
                pass

    def _launch_workers(self, count: int) -> None:
        """Start `count` worker processes (the dispatcher thread, outside the lock)."""
        for _ in range(count):
            try:
                worker = _Worker(self._initializer, self.niceness)
            except OSError as error:  # out of processes or memory: retried like a worker that failed to start
                LOGGER.warning("could not start a worker process: %s", error)
                with self._lock:
                    self._launching -= 1
                    self._start_failed(f"A worker process could not start ({error}).")
                continue
            with self._lock:
                self._launching -= 1
                if not self._closed:
                    self._workers.append(worker)
                    continue
            worker.send(("exit",))  # the pool shut down meanwhile
            _reap(worker)

    def _dispatch_forever(self) -> None:
        while True:
            with self._lock:
                if self._closed:
                    return
                waitables = [self._wake_reader]
                waitables += [worker.connection for worker in self._workers if not worker.gone]
            try:
                multiprocessing.connection.wait(waitables, timeout=self.tick_seconds)
            except OSError:  # a connection closed under us by shutdown(); the next loop sees _closed
                pass
            try:
                self._dispatch_once()
            except Exception:  # never let one bad message end the dispatcher
                LOGGER.exception("worker pool dispatcher")

    def _dispatch_once(self) -> None:
        while self._wake_reader.poll():
            try:
                self._wake_reader.recv()
            except (EOFError, OSError):
                break
        with self._lock:
            if self._closed:
                return
            for worker in list(self._workers):
                self._read_messages(worker)
            dead = [worker for worker in self._workers if worker.gone or worker.process.poll() is not None]
            for worker in dead:
                self._workers.remove(worker)
        # Never wait while holding the lock: every page's status() and submit() need it, and a
        # dying process may take a moment (up to 2 s here) to be reaped.
        endings = [(worker, _end(worker, timeout=2.0)) for worker in dead]
        with self._lock:
            for worker, code in endings:
                self._worker_died(worker, code)
            if self._closed:
                return
            self._check_owners_and_stops()
            self._assign_jobs()
            self._refresh_positions()
            if self._owed and time.monotonic() >= self._retry_at:
                self._to_start, self._owed = self._to_start + self._owed, 0
            starts, self._to_start = self._to_start, 0
            self._launching += starts
            outbox, self._outbox = self._outbox, []
        self._send_outbox(outbox)
        self._launch_workers(starts)

    def _send_outbox(self, outbox: list[tuple[_Worker, tuple]]) -> None:
        for worker, message in outbox:
            error = worker.send(message)
            if error is None or message[0] != "job":
                continue
            with self._lock:  # unpicklable kwargs, or the worker just died: that job fails, the worker stays
                job = worker.job
                if job is not None and job.ticket.number == message[1]:
                    worker.job = None
                    job.ticket._update(state=FAILED, error=Message(N_("The job could not be sent to a worker: {error}"), error=str(error)),
                                       position=None, ended_at=time.monotonic())

    def _read_messages(self, worker: _Worker) -> None:
        try:
            while worker.connection.poll():
                message = worker.connection.recv()
                kind = message[0]
                if kind == "ready":
                    worker.ready, worker.warm_seconds = True, message[1]
                    self._start_failures, self.start_error = 0, None
                    self._retry_at = 0.0  # starting works again: owed successors need not wait
                elif kind == "start-failed":  # the process exits next; _worker_died counts it
                    self.start_error = message[1]
                elif kind == "progress" and worker.job is not None:
                    worker.job.ticket.events.append(message[1])
                elif kind in ("done", "failed"):
                    self._job_ended(worker, kind, message[1], rss_mb=message[2])
        except (EOFError, OSError):
            worker.gone = True  # the process has ended (or is ending): _worker_died handles it

    def _job_ended(self, worker: _Worker, kind: str, payload, rss_mb: float | None) -> None:
        job, worker.job, worker.stop_sent_at = worker.job, None, None
        if job is None:
            return
        ticket, now = job.ticket, time.monotonic()
        if kind == "done":
            state = STOPPED if ticket.stop_requested else DONE
            ticket._update(state=state, result=payload, position=None, ended_at=now)
            if state == DONE:
                self._durations.append(now - ticket.started_at)
        else:
            ticket._update(state=FAILED, error=payload, position=None, ended_at=now)
        if rss_mb is not None and rss_mb > self.max_memory_mb:
            LOGGER.info("recycling worker %s: %.0f MB resident > %.0f MB", worker.pid, rss_mb, self.max_memory_mb)
            worker.retiring = True
            self._outbox.append((worker, ("exit",)))
            self._workers.remove(worker)
            threading.Thread(target=_reap, args=(worker,), daemon=True).start()
            self.replaced += 1
            self._to_start += 1

    def _worker_died(self, worker: _Worker, code: int | None) -> None:
        """Report the job of a worker that ended (already reaped), and owe the pool its successor."""
        how = (Message(N_("killed by signal {signal}"), signal=-code) if code is not None and code < 0
               else Message(N_("exit code {code}"), code=code))
        if worker.job is not None:
            ticket = worker.job.ticket
            if ticket.stop_requested and worker.stop_sent_at is not None and \
                    time.monotonic() - worker.stop_sent_at >= self.stop_grace_seconds:
                message = Message(N_("The job did not stop in time, so its worker process was ended."))
                ticket._update(state=STOPPED, error=message, position=None, ended_at=time.monotonic())
            else:
                message = Message(N_("The worker process running this job ended unexpectedly ({how}; possibly out "
                                     "of memory). Please try again."), how=how)
                ticket._update(state=FAILED, error=message, position=None, ended_at=time.monotonic())
            LOGGER.warning("worker %s ended (%s) while running job %s", worker.pid, how, ticket.number)
        if self._closed:
            return
        self.replaced += 1
        if not worker.ready and worker.job is None:
            self._start_failed(Message(N_("A worker process could not start ({how})."), how=how))
        else:
            self._to_start += 1

    def _start_failed(self, reason: str | Message) -> None:
        """A worker could not start: try again after a back-off that doubles with each failure in a row."""
        self._start_failures += 1
        self.start_error = self.start_error or reason  # the worker's own "start-failed" reason comes first
        delay = min(START_RETRY_MAX_SECONDS, self.retry_seconds * 2 ** (self._start_failures - 1))
        self._retry_at = time.monotonic() + delay
        self._owed += 1
        LOGGER.warning("worker start failed (%d in a row): %s; trying again in %.0f s",
                       self._start_failures, self.start_error, delay)
        if self._start_failures >= START_FAILURES_BEFORE_FAILING_THE_QUEUE:
            self._fail_queue(Message(N_("Training workers could not start: {reason}"), reason=self.start_error))

    def _fail_queue(self, message: str | Message) -> None:
        for job in self._queue:
            job.ticket._update(state=FAILED, error=message, position=None, eta_seconds=None,
                               ended_at=time.monotonic())
        self._queue.clear()

    def _check_owners_and_stops(self) -> None:
        now = time.monotonic()
        for job in list(self._queue):
            if self._owner_gone(job, now):
                self._queue.remove(job)
                job.ticket._update(state=CANCELLED, error=Message(N_("Its browser session has closed.")), position=None,
                                   eta_seconds=None, ended_at=now)
        for worker in list(self._workers):
            job = worker.job
            if job is None:
                continue
            if worker.stop_sent_at is None and self._owner_gone(job, now):
                stop = self._stop_locked(job.ticket, reason="Its browser session has closed.")
                if stop is not None:
                    self._outbox.append(stop)
            elif worker.stop_sent_at is not None and now - worker.stop_sent_at > self.stop_grace_seconds:
                worker.process.kill()  # its socket closes; _worker_died reports the job as stopped

    def _owner_gone(self, job: _Job, now: float) -> bool:
        owner = job.ticket.owner
        if owner is None:
            return False
        try:
            alive = bool(owner())
        except Exception:  # a broken liveness check must not drop anyone's job
            LOGGER.exception("owner check of job %s", job.ticket.number)
            alive = True
        if alive:
            job.owner_gone_since = None
            return False
        job.owner_gone_since = job.owner_gone_since or now
        return now - job.owner_gone_since >= self.owner_grace_seconds

    def _assign_jobs(self) -> None:
        for worker in self._workers:
            if not self._queue:
                break
            if worker.ready and worker.job is None and not worker.retiring:
                job = self._queue.popleft()
                worker.job, worker.stop_sent_at = job, None
                self._outbox.append((worker, ("job", job.ticket.number, job.module, job.name, job.kwargs)))
                job.ticket._update(state=RUNNING, position=0, eta_seconds=0.0, started_at=time.monotonic(),
                                   worker_pid=worker.pid)
        # On-demand start (start=False): one worker per waiting job, counting those on their way.
        coming = self._to_start + self._launching + self._owed
        waiting = len(self._queue) - sum(not worker.ready for worker in self._workers) - coming
        while waiting > 0 and len(self._workers) + self._to_start + self._launching + self._owed < self.size:
            self._to_start += 1
            waiting -= 1

    def _refresh_positions(self) -> None:
        """Place in line and an estimated wait: simulate the queue on the workers' expected free times."""
        typical = statistics.median(self._durations) if self._durations else None
        now = time.monotonic()
        free_at = []
        for worker in self._workers:
            if worker.job is not None and worker.job.ticket.started_at is not None and typical is not None:
                free_at.append(max(0.0, typical - (now - worker.job.ticket.started_at)))
            else:
                free_at.append(0.0 if worker.ready else None)
        free_at = [value if value is not None else 0.0 for value in free_at] or [0.0] * self.size
        free_at += [0.0] * max(0, self.size - len(free_at))
        for position, job in enumerate(self._queue, start=1):
            eta = None
            if typical is not None:
                index = min(range(len(free_at)), key=free_at.__getitem__)
                eta = free_at[index]
                free_at[index] += typical
            job.ticket._update(position=position, eta_seconds=eta)


def _end(worker: _Worker, timeout: float) -> int | None:
    """Wait for a worker that was told to exit (or has died); kill it if it lingers. Its exit code."""
    try:
        worker.process.wait(timeout)
    except subprocess.TimeoutExpired:
        worker.process.kill()
        worker.process.wait()
    worker.connection.close()
    return worker.process.returncode


def _reap(worker: _Worker) -> None:
    _end(worker, timeout=10.0)


def _shutdown_at_exit(reference: weakref.ref) -> None:
    pool = reference()
    if pool is not None:
        pool.shutdown(timeout=2.0)


# --------------------------------------------------------------------------------------
# The worker side
# --------------------------------------------------------------------------------------


class Progress:
    """Handed to a job function: stream objects to its ticket; ask whether it should stop."""

    def __init__(self, connection, send_lock: threading.Lock, stop_event: threading.Event):
        self._connection = connection
        self._send_lock = send_lock
        self._stop_event = stop_event

    def send(self, obj) -> None:
        with self._send_lock:
            self._connection.send(("progress", obj))

    def stop_requested(self) -> bool:
        return self._stop_event.is_set()


def _load(module: str, name: str):
    return getattr(importlib.import_module(module), name)


def _user_message(error: BaseException, limit: int = 500) -> str | Message:
    """What the user reads: a UserError's Message (the page translates it), a JobError's or
    ValueError's own text, else the type and the first line.

    (TensorFlow's errors carry whole stack traces in their text; those go to the server log.)
    """
    if isinstance(error, UserError):
        return error.message
    text = str(error).strip()
    if not isinstance(error, (JobError, ValueError)):
        first_line = next((line.strip() for line in text.splitlines() if line.strip()), "")
        text = f"{type(error).__name__}: {first_line}" if first_line else type(error).__name__
    return text if len(text) <= limit else text[: limit - 3] + "..."


class _Inbox:
    """The worker's reader thread: jobs go to a queue; a stop for the current job sets its event.

    When the server's end of the socket closes (the server exited or was killed), the worker
    exits at once, even in the middle of a job: no orphaned TensorFlow processes.
    """

    def __init__(self, connection):
        self.connection = connection
        self.jobs: queue.Queue = queue.Queue()
        self.lock = threading.Lock()
        self.current: int | None = None
        self.stop_event = threading.Event()
        self.stopped: set[int] = set()
        threading.Thread(target=self._read_forever, name="worker-inbox", daemon=True).start()

    def _read_forever(self) -> None:
        while True:
            try:
                message = self.connection.recv()
            except (EOFError, OSError):
                os._exit(0)
            if message[0] == "stop":
                with self.lock:
                    self.stopped.add(message[1])
                    if message[1] == self.current:
                        self.stop_event.set()
            else:
                self.jobs.put(message)

    def begin(self, number: int) -> threading.Event:
        with self.lock:
            self.current = number
            self.stop_event = threading.Event()
            if number in self.stopped:  # the stop overtook the job
                self.stop_event.set()
            return self.stop_event


def _lower_priority(increment: int) -> None:
    """Run `increment` nicer than the server (whose session, and so autogroup, the worker shares)."""
    if increment > 0:
        os.nice(increment)


def _worker_main() -> None:
    """A worker process: set up sys.path, run the initializer, then run jobs until told to exit."""
    connection = multiprocessing.connection.Connection(int(sys.argv[1]))
    sys.path[:], initializer, niceness = connection.recv()
    _lower_priority(niceness)
    inbox = _Inbox(connection)
    send_lock = threading.Lock()

    def send(message) -> None:
        with send_lock:
            connection.send(message)

    started = time.perf_counter()
    if initializer is not None:
        try:
            _load(*initializer)()
        except BaseException as error:
            traceback.print_exc()
            send(("start-failed", _user_message(error)))
            return
    send(("ready", time.perf_counter() - started))
    while True:
        message = inbox.jobs.get()
        if message[0] == "exit":
            return
        _, number, module, name, kwargs = message
        stop_event = inbox.begin(number)
        try:
            result = _load(module, name)(**kwargs, progress=Progress(connection, send_lock, stop_event))
            send(("done", result, resident_mb()))
        except BaseException as error:  # report, keep serving (a KeyboardInterrupt included)
            if not isinstance(error, (JobError, ValueError)):
                print(f"job {module}.{name} failed:", file=sys.stderr)
                traceback.print_exc()
            try:
                send(("failed", _user_message(error), resident_mb()))
            except (OSError, ValueError):
                return
