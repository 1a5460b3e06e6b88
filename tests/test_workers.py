"""playground.workers: first come first served, stop, closed tabs, dead and recycled workers, progress.

Every test uses real worker processes (spawn) with the cheap job functions of tests/pool_jobs.py.
"""

import os
import re
import signal
import time

import pytest

import pool_jobs
from playground import workers
from playground.i18n import Message, translator
from playground.workers import WorkerPool


def wait_until(condition, timeout=20.0, step=0.02):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(step)
    raise AssertionError("timed out waiting")


@pytest.fixture
def make_pool():
    pools = []

    def make(size=1, **options):
        options.setdefault("max_memory_mb", 10_000)
        options.setdefault("tick_seconds", 0.05)
        pool = WorkerPool(size=size, **options)
        pools.append(pool)
        wait_until(lambda: pool.status().ready == size or not options.get("start", True))
        return pool

    yield make
    for pool in pools:
        pool.shutdown()


def test_jobs_run_first_come_first_served_with_positions_and_per_epoch_progress(make_pool):
    pool = make_pool(size=1)
    tickets = [pool.submit(pool_jobs.count_epochs, {"epochs": 4, "seconds_per_epoch": 0.05}) for _ in range(3)]
    wait_until(lambda: tickets[0].state == "running")
    assert [t.state for t in tickets] == ["running", "queued", "queued"]
    assert [t.position for t in tickets] == [0, 1, 2]
    assert tickets[0].wait(20)
    assert tickets[0].state == "done" and tickets[0].result["epochs"] == 4
    assert tickets[0].events == [{"epoch": 1}, {"epoch": 2}, {"epoch": 3}, {"epoch": 4}]
    wait_until(lambda: tickets[1].state == "running")
    assert tickets[2].position == 1
    assert tickets[2].eta_seconds is not None and 0 < tickets[2].eta_seconds < 5, "estimated from the first job"
    for ticket in tickets:
        assert ticket.wait(20) and ticket.state == "done"
    starts = [ticket.started_at for ticket in tickets]
    assert starts == sorted(starts), "first come, first served"
    assert tickets[2].waited_seconds > tickets[1].waited_seconds > tickets[0].waited_seconds


def test_estimate_counts_the_jobs_ahead_on_every_worker(make_pool):
    pool = make_pool(size=2)
    for ticket in [pool.submit(pool_jobs.count_epochs, {"epochs": 5, "seconds_per_epoch": 0.02}) for _ in range(2)]:
        ticket.wait(20)
    typical = pool.typical_job_seconds()
    tickets = [pool.submit(pool_jobs.count_epochs, {"epochs": 50, "seconds_per_epoch": 0.02}) for _ in range(5)]
    wait_until(lambda: tickets[1].state == "running")
    third, fourth, fifth = (ticket.eta_seconds for ticket in tickets[2:])
    assert [ticket.position for ticket in tickets[2:]] == [1, 2, 3]
    assert third <= typical and fourth <= typical, "two workers free up within one typical job"
    assert fifth == pytest.approx(third + typical, abs=0.05), "the fifth waits for the third's worker again"
    for ticket in tickets:
        ticket.stop()


def test_stop_while_queued_leaves_the_queue_and_others_move_up(make_pool):
    pool = make_pool(size=1)
    running = pool.submit(pool_jobs.count_epochs, {"epochs": 40, "seconds_per_epoch": 0.05})
    leaving = pool.submit(pool_jobs.count_epochs, {"epochs": 1})
    staying = pool.submit(pool_jobs.count_epochs, {"epochs": 1})
    wait_until(lambda: staying.position == 2)
    leaving.stop()
    assert leaving.state == "cancelled" and leaving.ended and leaving.result is None
    assert staying.position == 1
    running.stop()
    assert staying.wait(20) and staying.state == "done"
    assert leaving.started_at is None, "a cancelled job never runs"


def test_stop_while_running_ends_within_one_epoch_with_the_partial_result(make_pool):
    pool = make_pool(size=1)
    ticket = pool.submit(pool_jobs.count_epochs, {"epochs": 500, "seconds_per_epoch": 0.05})
    wait_until(lambda: len(ticket.events) >= 3)
    stopped_at = time.monotonic()
    ticket.stop()
    assert ticket.wait(5)
    assert time.monotonic() - stopped_at < 1.0
    assert ticket.state == "stopped" and ticket.result["stopped"]
    assert 3 <= ticket.result["epochs"] < 500 and len(ticket.events) == ticket.result["epochs"]
    after = pool.submit(pool_jobs.count_epochs, {"epochs": 2})
    assert after.wait(20) and after.state == "done" and not after.result["stopped"], "the next job is not stopped"


def test_a_job_whose_owner_is_gone_frees_its_place_after_the_grace_period(make_pool):
    pool = make_pool(size=1, owner_grace_seconds=0.5)
    tabs = {"running": True, "queued": True}
    running = pool.submit(pool_jobs.count_epochs, {"epochs": 400, "seconds_per_epoch": 0.05},
                          owner=lambda: tabs["running"])
    queued = pool.submit(pool_jobs.count_epochs, {"epochs": 1}, owner=lambda: tabs["queued"])
    behind = pool.submit(pool_jobs.count_epochs, {"epochs": 1})
    wait_until(lambda: behind.position == 2)
    tabs["queued"] = False  # that tab closes
    time.sleep(0.25)
    tabs["queued"] = True  # ... no: it came back within the grace period (a reconnect)
    time.sleep(0.6)
    assert queued.state == "queued", "a short disconnect keeps the place"
    tabs["queued"] = False
    assert queued.wait(5) and queued.state == "cancelled" and "closed" in str(queued.error)
    assert behind.position == 1
    tabs["running"] = False
    assert running.wait(5) and running.state == "stopped", "a running job of a closed session is stopped"
    assert behind.wait(20) and behind.state == "done"


def test_a_broken_owner_check_keeps_the_job(make_pool):
    pool = make_pool(size=1, owner_grace_seconds=0.1)
    ticket = pool.submit(pool_jobs.count_epochs, {"epochs": 5}, owner=lambda: 1 / 0)
    assert ticket.wait(20) and ticket.state == "done"


def test_a_killed_worker_fails_only_its_job_and_is_replaced(make_pool):
    pool = make_pool(size=2)
    victim = pool.submit(pool_jobs.count_epochs, {"epochs": 400, "seconds_per_epoch": 0.05})
    neighbour = pool.submit(pool_jobs.count_epochs, {"epochs": 60, "seconds_per_epoch": 0.05})
    waiting = pool.submit(pool_jobs.count_epochs, {"epochs": 3})
    wait_until(lambda: len(victim.events) >= 2 and len(neighbour.events) >= 2)
    old_pids = set(pool.worker_pids())
    os.kill(victim.worker_pid, signal.SIGKILL)  # what the kernel's OOM killer does
    assert victim.wait(10) and victim.state == "failed"
    assert "ended unexpectedly" in str(victim.error) and "signal 9" in str(victim.error)
    chinese = victim.error.translate(translator("zh"))  # the page words the pool's own messages in its language
    assert "信号 9" in chinese and not re.search(r"[A-Za-z]{3,}", chinese), chinese
    assert neighbour.wait(30) and neighbour.state == "done" and neighbour.result["epochs"] == 60
    assert waiting.wait(30) and waiting.state == "done"
    wait_until(lambda: pool.status().ready == 2)
    assert victim.worker_pid not in pool.worker_pids() and len(set(pool.worker_pids()) - old_pids) == 1
    again = pool.submit(pool_jobs.count_epochs, {"epochs": 2})
    assert again.wait(20) and again.state == "done"


def test_a_worker_above_the_memory_limit_is_recycled_after_its_job(make_pool):
    pool = make_pool(size=1)
    baseline = workers.resident_mb(pool.worker_pids()[0])
    pool.max_memory_mb = baseline + 100
    small = pool.submit(pool_jobs.hold_memory, {"megabytes": 20})
    assert small.wait(20) and small.state == "done"
    assert pool.worker_pids() == [small.result], "below the limit: the same worker carries on"
    big = pool.submit(pool_jobs.hold_memory, {"megabytes": 150})
    assert big.wait(20) and big.state == "done", "the job itself finishes normally"
    assert big.result == small.result
    wait_until(lambda: pool.status().ready == 1 and pool.worker_pids() != [big.result])
    after = pool.submit(pool_jobs.hold_memory, {"megabytes": 1})
    assert after.wait(20) and after.result != big.result and pool.replaced == 1


def test_errors_in_a_job_come_back_as_messages(make_pool):
    pool = make_pool(size=1)
    told = pool.submit(pool_jobs.fail_with, {"message": "The learning rate must be above 0."})
    assert told.wait(20) and told.state == "failed" and str(told.error) == "The learning rate must be above 0."
    refused = pool.submit(pool_jobs.refuse)
    assert refused.wait(20) and refused.state == "failed" and str(refused.error) == "The learning rate must be a positive number."
    assert isinstance(refused.error, Message), "a UserError in a job comes back as its Message, for the page to translate"
    assert refused.error.translate(translator("zh")) == translator("zh")("The learning rate must be a positive number.") != str(refused.error)
    crashed = pool.submit(pool_jobs.crash)
    assert crashed.wait(20) and crashed.state == "failed" and str(crashed.error) == "KeyError: 'missing'"
    unsent = pool.submit(pool_jobs.unpicklable_result)
    assert unsent.wait(20) and unsent.state == "failed" and "pickle" in str(unsent.error).lower()
    long = pool.submit(pool_jobs.crash_with_a_long_message)
    assert long.wait(20) and str(long.error) == "RuntimeError: Graph execution error:", "first line only, no stack"
    fine = pool.submit(pool_jobs.count_epochs, {"epochs": 1})
    assert fine.wait(20) and fine.state == "done", "the worker carries on after failed jobs"


def test_a_job_that_ignores_stop_has_its_worker_ended(make_pool):
    pool = make_pool(size=1, stop_grace_seconds=0.3)
    stubborn = pool.submit(pool_jobs.ignore_stop, {"seconds": 60})
    wait_until(lambda: stubborn.state == "running")
    stubborn.stop()
    assert stubborn.wait(10) and stubborn.state == "stopped" and "did not stop in time" in str(stubborn.error)
    after = pool.submit(pool_jobs.count_epochs, {"epochs": 1})
    assert after.wait(30) and after.state == "done"


def test_workers_start_on_demand_when_not_started_up_front(make_pool):
    pool = make_pool(size=2, start=False)
    assert pool.status().ready + pool.status().starting == 0
    ticket = pool.submit(pool_jobs.count_epochs, {"epochs": 1})
    assert ticket.wait(30) and ticket.state == "done"
    assert len(pool.worker_pids()) == 1, "one job needs one worker"


def test_workers_that_cannot_start_fail_the_queue_with_the_reason(make_pool):
    pool = make_pool(size=1, initializer=pool_jobs.failing_start, start=False)
    ticket = pool.submit(pool_jobs.count_epochs, {"epochs": 1})
    assert ticket.wait(60) and ticket.state == "failed"
    assert "no TensorFlow here" in str(ticket.error) and pool.status().start_error


def test_only_top_level_functions_are_accepted(make_pool):
    pool = make_pool(size=1, start=False)
    with pytest.raises(ValueError, match="top-level"):
        pool.submit(lambda progress: None)


def test_shutdown_ends_the_workers_and_cancels_the_queue():
    pool = WorkerPool(size=1, tick_seconds=0.05)
    running = pool.submit(pool_jobs.count_epochs, {"epochs": 400})
    queued = pool.submit(pool_jobs.count_epochs, {"epochs": 1})
    wait_until(lambda: running.state == "running")
    pids = pool.worker_pids()
    pool.shutdown()
    assert running.state == "failed" and queued.state == "cancelled"
    for pid in pids:
        wait_until(lambda: not os.path.exists(f"/proc/{pid}") or "Z" in open(f"/proc/{pid}/stat").read().split()[2])
    with pytest.raises(RuntimeError):
        pool.submit(pool_jobs.count_epochs, {"epochs": 1})


@pytest.mark.parametrize("value, expected", [("3", 3), ("1", 1)])
def test_pool_size_comes_from_the_environment(monkeypatch, value, expected):
    monkeypatch.setenv("PLAYGROUND_WORKERS", value)
    assert workers.default_size() == expected


@pytest.mark.parametrize("memory_mb, cores, expected", [
    (2700, 2, 1),  # Streamlit Community Cloud: 2.7 GB, 2 cores
    (4000, 4, 2),
    (24_000, 2, 2),  # this machine: the cores decide
    (1000, 2, 1),  # always at least one
    (64_000, 8, 4),  # a big machine: at most four
    (None, 3, 3),  # memory unknown: the cores decide
])
def test_default_size_fits_the_memory_and_the_cores(monkeypatch, memory_mb, cores, expected):
    monkeypatch.delenv("PLAYGROUND_WORKERS", raising=False)
    monkeypatch.setattr(workers, "memory_limit_mb", lambda: memory_mb)
    monkeypatch.setattr(workers.os, "sched_getaffinity", lambda _: set(range(cores)))
    assert workers.default_size() == expected


def test_the_memory_limit_is_read_from_this_machine():
    limit = workers.memory_limit_mb()
    assert limit is not None and 100 < limit <= os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE") / 2**20 + 1


def test_default_size_is_the_cores_at_most_four(monkeypatch):
    monkeypatch.delenv("PLAYGROUND_WORKERS", raising=False)
    assert 1 <= workers.default_size() <= min(4, os.cpu_count())
    monkeypatch.setenv("PLAYGROUND_WORKERS", "many")
    with pytest.raises(ValueError, match="whole number"):
        workers.default_size()


def test_the_pool_answers_while_a_dead_worker_is_reaped(make_pool):
    """The pool waits up to 2 s for a dying process; every page's status() and submit() must not."""
    pool = make_pool(size=1)
    ticket = pool.submit(pool_jobs.hang_up_and_linger, {"seconds": 30})
    wait_until(lambda: ticket.events)  # it is about to hang up; the pool then reaps it for 2 s, then kills it
    slowest, deadline = 0.0, time.monotonic() + 1.5
    while time.monotonic() < deadline:
        started = time.monotonic()
        pool.status()
        pool.submit(pool_jobs.count_epochs, {"epochs": 1}).stop()
        slowest = max(slowest, time.monotonic() - started)
        time.sleep(0.02)
    assert slowest < 0.5, f"status() and submit() waited {slowest:.2f} s for the pool's lock while a worker was reaped"
    assert ticket.wait(20) and ticket.state == "failed" and "ended unexpectedly" in str(ticket.error)
    after = pool.submit(pool_jobs.count_epochs, {"epochs": 1})
    assert after.wait(30) and after.state == "done", "its successor takes the next job"


def test_failed_starts_are_retried_with_back_off_and_training_recovers(request, tmp_path, monkeypatch):
    attempts_file = tmp_path / "attempts"
    attempts_file.write_text("3")  # three failed starts in a row, then the environment works
    monkeypatch.setenv(pool_jobs.START_FAILURES, str(attempts_file))
    pool = WorkerPool(size=1, initializer=pool_jobs.fail_first_starts, retry_seconds=0.25, tick_seconds=0.05)
    request.addfinalizer(pool.shutdown)
    early = pool.submit(pool_jobs.count_epochs, {"epochs": 1})
    assert early.wait(60) and early.state == "failed", "the third failure in a row fails the waiting jobs"
    assert "not yet" in str(early.error)
    status = pool.status()
    assert status.start_error and "not yet" in str(status.start_error)
    assert status.retry_in_seconds is not None and 0 < status.retry_in_seconds <= 1.0, "and says when it tries again"
    wait_until(lambda: pool.status().ready == 1, timeout=60)
    assert pool.status().start_error is None and pool.status().retry_in_seconds is None
    later = pool.submit(pool_jobs.count_epochs, {"epochs": 1})
    assert later.wait(30) and later.state == "done", "training works again without a server restart"
    times = [float(line) for line in attempts_file.read_text().split()[1:]]
    gaps = [after - before for before, after in zip(times, times[1:])]
    assert len(times) == 4 and gaps[0] >= 0.25 and gaps[1] >= 0.5 and gaps[2] >= 1.0, (
        f"the wait doubles after each failure in a row: {gaps}")


def test_workers_run_at_a_lower_cpu_priority_than_the_server(make_pool):
    pool = make_pool(size=1)
    worker = pool.worker_pids()[0]
    server_nice = os.getpriority(os.PRIO_PROCESS, 0)
    assert os.getpriority(os.PRIO_PROCESS, worker) == min(19, server_nice + workers.WORKER_NICENESS)
    # Where Linux groups sessions (autogroups), nice levels rank processes only within one session.
    assert os.getsid(worker) == os.getsid(0), "the worker shares the server's session, where its nice level counts"
    assert os.getpgid(worker) != os.getpgid(0), "a process group of its own: a Ctrl-C in the terminal is not for it"
