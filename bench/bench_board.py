"""The class board under a whole class: 30 students post 5 runs each while the board refreshes (issue 21).

Usage: .venv/bin/python bench/bench_board.py --pages [--databases sqlite postgresql] [--sessions 30] [--posts 5]
                                             [--epochs 1] [--browser-nice 10] [--log-dir DIR]
       .venv/bin/python bench/bench_board.py [--databases sqlite postgresql] [--sessions 30] [--posts 5] [--poll 1.0]

Targets (issue 21): every row on the board (150/150), 0 errors, p95 of run end -> on the board <= 3 s,
on SQLite (a file in a temporary folder) and on PostgreSQL (a throwaway cluster, deploy/postgres.py).

--pages, the issue's measure: for each database a `streamlit run app.py` of its own with
PLAYGROUND_DATABASE_URL pointing at it. A teacher tab (a chromium of its own at normal priority, the
projector's computer) starts the class on the Class page and opens the board's "Decision boundary"
tab, which the page refreshes itself (`st.fragment(run_every=BOARD_REFRESH_SECONDS)` in pages/class.py; the
bench prints that interval: 2 s, where the issue says "refreshes every second"). --sessions student
tabs (one chromium at nice --browser-nice: in a class they are 30 laptops) open the Decision boundary
page with ``?class=CODE``, type a nickname of their own and press Join; then, all at one instant, each
plays --posts runs as fast as the page allows, driven inside the tab: press Play, wait until the epoch
counter has grown by --epochs, press Pause (the page posts the result at Pause:
pages/parts/boundary_live.py `_synced`, pages/parts/class_posting.py), press Play again at once. The
tab notes each Pause's Date.now() and the epoch shown after it, and every toast the page shows (a
"Posted ... (run #N)" or a reason it was not posted).

The teacher's tab notes, every 100 ms, the run ids in the board's spread chart (one dot per run, x =
the run's id in the database) and the board's caption "N joined · M runs posted". At the end the
database is read (``Board(url).runs(code)``): each row's nickname and epoch count name the Pause it
came from, its id the moment the board first showed its dot, so the latency is matched row by row
(Pause -> the dot on the teacher's screen), and split at the row's posted_at (taken by the server in
the post's transaction; one machine, one clock): the page's post, then the board's poll and redraw;
the post is split again where the tab's first WebSocket message after the Pause leaves it (the tab
wraps WebSocket.prototype.send): the student's browser, then the server. The board's part is split where the teacher's tab asks for
its next refresh (its WebSocket messages: the fragment's run_every reruns): the wait for that refresh,
then the server's run of the fragment, the sending and the drawing. The board's first chart comes
late once: Streamlit loads its plotly script (a 4.7 MB chunk) when a page first shows a chart, so the
first runs are counted in the caption before their dots are drawn; the bench says by how much, and
gives the latency of the rows that came after that first drawing too.
A second figure is attributed by count (the k-th Pause is on the board once M >= k). Errors:
exceptions shown on any page, toasts saying a run was not posted, rows that match no Pause. Prints
per database: rows on the board / in the database / expected, errors, the latencies (p50/p95/max),
and the machine's load at start and end.

Without --pages, the store alone, in this process (the baseline): one class with --sessions members,
each member's thread posts --posts runs as fast as the store allows (the per-member limit is 10 a
minute, so 5 go straight through), all starting at one instant, while one more thread plays the
teacher's board: every --poll seconds it reads every run of the class (``Board.runs(code)``, as the
Class page does) and notes when each run first appears. Prints per database: rows on the board,
errors, the latency from a run's end (the moment its post was sent) to the board's first sight of it
(p50/p95/max), the time one post takes (p50/p95) against a baseline of the same posts sent one at a
time by one thread in the same process, and the board's read time.
"""

from __future__ import annotations

import argparse
import contextlib
import tempfile
import threading
import time
from pathlib import Path
import sys

sys.path[:0] = [str(Path(__file__).resolve().parent), str(Path(__file__).resolve().parent.parent)]

from browser_sessions import (  # noqa: E402
    BOUNDARY_READY, browsers, count_exceptions, cpu_seconds, machine_state, new_tab, percentile, serve, wait_settled,
)
from playground.board.store import BOARD_REFRESH_SECONDS, Board  # noqa: E402

SETTINGS = {"data": "synthetic", "hidden": [6, 6], "activation": ["relu", "relu"], "initializer": "glorot_uniform",
            "optimizer": "adam", "learning_rate": 0.001, "batch_size": 10, "epochs": 100, "validation_share": 0.0,
            "early_stopping": False, "class_weights": False}
FIGURES = {"test_accuracy": 0.8595, "auc": 0.8571, "test_loss": 0.3391, "epochs_run": 100, "status": "finished",
           "parameters": 127}


@contextlib.contextmanager
def database(kind: str):
    """A URL of an empty database of `kind`, deleted afterwards."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory(prefix="bench-board-") as folder:
            yield f"sqlite:///{folder}/board.sqlite3"
    else:
        from deploy.postgres import throwaway_cluster

        with throwaway_cluster() as cluster:
            yield cluster.create_database("bench")


def baseline(board: Board, posts: int) -> list[float]:
    """Seconds per post when one student posts alone (another class, same database, same process)."""
    keys = board.start_class()
    member = board.join(keys.code, "alone")
    times = []
    for seed in range(posts):
        started = time.perf_counter()
        board.post(member.token, "churn", {**SETTINGS, "seed": seed}, FIGURES)
        times.append(time.perf_counter() - started)
    return times


def lesson(board: Board, sessions: int, posts: int, poll: float, timeout: float = 120.0) -> dict:
    keys = board.start_class()
    members = [board.join(keys.code, f"Student {number}") for number in range(1, sessions + 1)]
    start = threading.Barrier(sessions + 1)
    lock = threading.Lock()
    sent: dict[int, float] = {}  # run id -> monotonic time its post was sent (the run had ended)
    post_times: list[float] = []
    errors: list[str] = []
    seen: dict[int, float] = {}
    reads: list[float] = []

    def student(member) -> None:
        start.wait()
        for seed in range(posts):
            began = time.monotonic()
            try:
                run_id = board.post(member.token, "churn", {**SETTINGS, "seed": seed}, FIGURES)
            except Exception as error:  # noqa: BLE001 - every error is counted and shown
                with lock:
                    errors.append(f"{type(error).__name__}: {error}")
                continue
            with lock:
                sent[run_id] = began
                post_times.append(time.monotonic() - began)

    def teacher(deadline: float) -> None:
        while time.monotonic() < deadline and len(seen) < sessions * posts - len(errors):
            began = time.monotonic()
            rows = board.runs(keys.code)
            now = time.monotonic()
            reads.append(now - began)
            for row in rows:
                seen.setdefault(row.id, now)
            time.sleep(max(0.0, poll - (time.monotonic() - began)))

    threads = [threading.Thread(target=student, args=(member,)) for member in members]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.monotonic()
    board_thread = threading.Thread(target=teacher, args=(began + timeout,))
    board_thread.start()
    for thread in threads:
        thread.join()
    posting = time.monotonic() - began
    board_thread.join()
    latencies = [seen[run_id] - at for run_id, at in sent.items() if run_id in seen]
    return {"expected": sessions * posts, "posted": len(sent), "seen": len(set(seen) & set(sent)),
            "errors": errors, "latencies": latencies, "post_times": post_times, "reads": reads, "posting": posting}


def show(kind: str, result: dict, alone: list[float]) -> bool:
    latencies, posts, reads = result["latencies"], result["post_times"], result["reads"]
    p95 = percentile(latencies, 0.95)
    ok = result["seen"] == result["expected"] and not result["errors"] and p95 <= 3.0
    print(f"\n== {kind} ==")
    print(f"rows on the board: {result['seen']}/{result['expected']} (posted {result['posted']}), "
          f"errors: {len(result['errors'])}")
    for error in sorted(set(result["errors"]))[:5]:
        print(f"  error: {error}")
    print(f"run ended -> on the board: p50 {percentile(latencies, 0.5):.2f} s, p95 {p95:.2f} s, "
          f"max {max(latencies, default=float('nan')):.2f} s (target p95 <= 3 s)")
    alone_p50 = percentile(alone, 0.5)
    print(f"one post: p50 {percentile(posts, 0.5) * 1000:.1f} ms, p95 {percentile(posts, 0.95) * 1000:.1f} ms "
          f"with {len(posts)} posts from 30 threads at once; alone p50 {alone_p50 * 1000:.1f} ms "
          f"(ratio p50 {percentile(posts, 0.5) / alone_p50:.1f}x); all posted within {result['posting']:.2f} s")
    print(f"board read of the whole class: p50 {percentile(reads, 0.5) * 1000:.1f} ms, "
          f"max {max(reads, default=float('nan')) * 1000:.1f} ms over {len(reads)} reads")
    print("PASS" if ok else "FAIL")
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--databases", nargs="+", choices=["sqlite", "postgresql"], default=["sqlite", "postgresql"])
    parser.add_argument("--sessions", type=int, default=30)
    parser.add_argument("--posts", type=int, default=5)
    parser.add_argument("--poll", type=float, default=1.0, help="seconds between two reads of the board")
    parser.add_argument("--pages", action="store_true", help="drive the real app's pages in chromium (see above)")
    parser.add_argument("--epochs", type=int, default=1,
                        help="--pages: each run trains until the epoch counter has grown by this much, then Pause "
                             "(1: as fast as the page allows; the page trains several epochs a frame)")
    parser.add_argument("--browser-nice", type=int, default=10, help="--pages: nice level of the students' chromium")
    parser.add_argument("--log-dir", type=Path, default=None, help="--pages: keep each server's log here")
    parser.add_argument("--query", default="", help="--pages: more of the Decision boundary's address, e.g. '&bd.n1=8'")
    parser.add_argument("--timeout", type=float, default=600, help="--pages: give up on the students after this")
    args = parser.parse_args()
    if args.pages:
        return pages_main(args)
    print(f"{args.sessions} sessions x {args.posts} posts, board read every {args.poll:g} s; {machine_state()}")
    results = []
    for kind in args.databases:
        with database(kind) as url:
            board = Board(url)
            board.check()
            alone = baseline(board, args.posts)
            results.append(show(kind, lesson(board, args.sessions, args.posts, args.poll), alone))
            board.close()
    print(f"\nafter: {machine_state()}")
    raise SystemExit(0 if all(results) else 1)


# --- the page run (--pages) --------------------------------------------------------------------


# Injected into the teacher's tab: every 100 ms, the run ids of the dots in the board's spread chart
# (first sight of each, Date.now()) and each new count in the caption "N joined · M runs posted".
BOARD_WATCH = """() => {
    const watch = window.__board = {first: {}, counts: [], dots: [], polls: 0, asks: []};
    const send = WebSocket.prototype.send;  // the board's own refresh: each run_every rerun is a message
    WebSocket.prototype.send = function (...message) { watch.asks.push(Date.now()); return send.apply(this, message); };
    let last = -1;
    setInterval(() => {
        const now = Date.now();
        watch.polls += 1;
        for (const plot of document.querySelectorAll('[data-testid=stMain] .js-plotly-plot'))
            for (const trace of plot._fullData || [])
                if (trace.mode === 'markers') for (const x of trace.x || []) if (x != null && !(x in watch.first)) watch.first[x] = now;
        const caption = [...document.querySelectorAll('[data-testid=stCaptionContainer]')]
            .map((c) => c.textContent).find((t) => /runs posted/.test(t));
        const count = caption && caption.match(/(\\d+) joined · (\\d+) runs posted/);
        if (count && +count[2] !== last) { last = +count[2]; watch.counts.push([now, last]); }
        const dots = Object.keys(watch.first).length;
        if (dots !== (watch.dots.at(-1) || [0, 0])[1]) watch.dots.push([now, dots]);
    }, 100);
}"""

# Injected into each student's tab: at Date.now() == at, play `posts` runs as fast as the page allows
# (Play, wait until the epoch has grown by `epochs`, Pause, Play again), noting each Pause (Date.now()
# and the epoch the page shows after it) and every toast the page shows.
STUDENT = """([at, posts, epochs]) => {
    const me = window.__student = {pauses: [], toasts: [], restarts: 0, done: false, started: null};
    const epoch = () => +(document.querySelector('[data-testid=boundary-epoch]')?.innerText || '0').replace(/,/g, '');
    const button = () => document.querySelector('[data-testid=stMain] .bd-play');
    let waiting = null;  // the Pause whose message to the server has not left the tab yet
    const send = WebSocket.prototype.send;
    WebSocket.prototype.send = function (...message) {
        if (waiting !== null) { waiting[2] = Date.now(); waiting = null; }
        return send.apply(this, message);
    };
    const seen = new Set();
    setInterval(() => {
        for (const toast of document.querySelectorAll('[data-testid=stToast]')) {
            const text = toast.innerText.trim();
            if (text && !seen.has(text)) { seen.add(text); me.toasts.push([Date.now(), text]); }
        }
    }, 100);
    let target = null;
    const tick = () => {
        const play = button();
        if (play && !play.disabled) {
            const playing = play.innerText.trim() === 'Pause';
            if (target === null) {
                target = epoch() + epochs;
                play.click();
                if (me.started === null) me.started = Date.now();
            } else if (!playing) {  // stopped without us (the view drawn anew): play on
                me.restarts += 1;
                play.click();
            } else if (epoch() >= target) {
                const pause = [Date.now(), null, null];  // Pause, the epoch after it, its message sent
                me.pauses.push(pause);
                waiting = pause;
                play.click();  // the page sends the sync now or a little later: the WebSocket's send notes when
                pause[1] = epoch();
                target = null;
                if (me.pauses.length >= posts) { me.done = true; return; }
            }
        }
        setTimeout(tick, 20);
    };
    setTimeout(tick, Math.max(0, at - Date.now()));
}"""

NOT_POSTED = ("Not posted", "not posted", "cannot be reached", "has ended", "impossible")


def start_class(teacher, url: str) -> str:
    """The teacher starts a class on the Class page and opens the board's Decision boundary tab; returns the code."""

    teacher.goto(f"{url}/class")
    wait_settled(teacher)
    teacher.get_by_role("button", name="Start a class").click()
    code_box = teacher.locator("[data-testid=class-code]")
    code_box.wait_for(timeout=120_000)
    code = code_box.inner_text().strip()
    teacher.wait_for_function("() => document.querySelector('[data-testid=stCode]')?.innerText.includes('class=')",
                              timeout=120_000)  # the code box can be drawn before the link beside it
    wait_settled(teacher)
    link = teacher.locator("[data-testid=stCode]").first.inner_text().strip()
    if link != f"{url}/?class={code}":
        raise RuntimeError(f"unexpected student link {link!r} for the class {code}")
    teacher.get_by_role("tab", name="Decision boundary").click(timeout=120_000)
    teacher.evaluate(BOARD_WATCH)
    return code


def join_class(students, url: str, code: str, query: str) -> None:
    """Every student opens the Decision boundary page by the class link (all at once), then joins with a nickname."""

    for tab in students:
        tab.goto(f"{url}/boundary?class={code}{query}", wait_until="commit")
    for number, tab in enumerate(students, 1):
        nickname = tab.get_by_label("Nickname")
        nickname.wait_for(timeout=600_000)
        wait_settled(tab, timeout=600_000)
        nickname.fill(f"Student {number:02d}")
        tab.get_by_role("button", name="Join", exact=True).click()
    for tab in students:
        tab.locator("[data-testid=stSidebar] button", has_text="Leave").wait_for(timeout=600_000)
        tab.wait_for_function(BOUNDARY_READY, timeout=600_000, polling=500)


def page_run(url: str, server_pid: int, database_url: str, args, teacher_browser, class_browser) -> dict:

    teacher = new_tab(teacher_browser)
    code = start_class(teacher, url)
    students = [new_tab(class_browser) for _ in range(args.sessions)]
    opened = time.monotonic()
    join_class(students, url, code, args.query)
    print(f"  class {code}: {args.sessions} students joined, Play usable after {time.monotonic() - opened:.0f} s; "
          f"{machine_state()}", flush=True)
    at = time.time() * 1000 + 2000
    for tab in students:
        tab.evaluate(STUDENT, [at, args.posts, args.epochs])
    time.sleep(max(0.0, at / 1000 - time.time()))
    cpu_before, cpu_from = cpu_seconds(server_pid), time.monotonic()
    deadline = time.monotonic() + args.timeout
    expected = args.sessions * args.posts
    while time.monotonic() < deadline:
        time.sleep(2)
        done = sum(tab.evaluate("() => window.__student.done") for tab in students)
        seen = teacher.evaluate("() => Object.keys(window.__board.first).length")
        print(f"  {time.time() - at / 1000:5.0f} s: {done}/{args.sessions} students paused {args.posts} times, "
              f"{seen}/{expected} runs on the board", flush=True)
        if done == args.sessions:
            break
    server_cores = (cpu_seconds(server_pid) - cpu_before) / (time.monotonic() - cpu_from)
    # every Pause has happened: give the board the time the target allows and more, then read the database
    board = Board(database_url)
    settle = time.monotonic() + 30
    while time.monotonic() < settle:
        rows = [row for row in board.runs(code) if row.page == "boundary"]
        if len(rows) >= expected and teacher.evaluate("(ids) => ids.every((id) => id in window.__board.first)",
                                                      [row.id for row in rows]):
            break
        time.sleep(1)
    rows = [row for row in board.runs(code) if row.page == "boundary"]
    board.close()
    students_seen = [tab.evaluate("() => window.__student") for tab in students]
    watch = teacher.evaluate("() => window.__board")
    exceptions = sum(count_exceptions(tab) for tab in [teacher, *students])
    return {"code": code, "rows": rows, "students": students_seen, "watch": watch, "exceptions": exceptions,
            "expected": expected, "at": at, "server_cores": server_cores}


def page_figures(result: dict) -> dict:
    """Latency per row (matched by nickname + epoch to its Pause, by id to the board's first sight) and by count."""
    pauses = {}  # (nickname, epoch) -> Pause's Date.now()
    for number, student in enumerate(result["students"], 1):
        for at, epoch, _sent in student["pauses"]:
            pauses[(f"Student {number:02d}", epoch)] = at
    sent = {(f"Student {number:02d}", epoch): at for number, student in enumerate(result["students"], 1)
            for _paused, epoch, at in student["pauses"] if at is not None}
    first = {int(run_id): at for run_id, at in result["watch"]["first"].items()}
    matched, unmatched, latencies, to_database, to_board, in_tab, on_server = 0, [], [], [], [], [], []
    asks, to_ask, ask_to_dot = sorted(result["watch"]["asks"]), [], []
    for row in result["rows"]:
        paused = pauses.get((row.nickname, row.figures.get("epochs")))
        if paused is None:
            unmatched.append((row.id, row.nickname, row.figures.get("epochs")))
            continue
        matched += 1
        written = row.posted_at.timestamp() * 1000  # the server's clock: this machine's
        to_database.append((written - paused) / 1000)
        if (row.nickname, row.figures.get("epochs")) in sent:
            left = sent[(row.nickname, row.figures.get("epochs"))]
            in_tab.append((left - paused) / 1000)
            on_server.append((written - left) / 1000)
        if row.id in first:
            latencies.append((first[row.id] - paused) / 1000)
            to_board.append((first[row.id] - written) / 1000)
            ask = next((at for at in asks if at >= written), None)
            if ask is not None and ask <= first[row.id]:
                to_ask.append((ask - written) / 1000)
                ask_to_dot.append((first[row.id] - ask) / 1000)
    watch = result["watch"]
    counted = next((at for at, count in watch["counts"] if count > 0), None)
    drawn = watch["dots"][0][0] if watch["dots"] else None  # the chart's first dots
    later = [(first[row.id] - pauses[(row.nickname, row.figures.get("epochs"))]) / 1000 for row in result["rows"]
             if row.id in first and drawn is not None and first[row.id] > drawn
             and (row.nickname, row.figures.get("epochs")) in pauses]
    ordered = sorted(pauses.values())
    by_count = []
    for k, paused in enumerate(ordered, 1):
        shown = next((at for at, count in result["watch"]["counts"] if count >= k), None)
        if shown is not None:
            by_count.append((shown - paused) / 1000)
    toasts = [text for student in result["students"] for _at, text in student["toasts"]]
    refused = [text for text in toasts if any(word in text for word in NOT_POSTED)]
    posted = [text for text in toasts if "Posted to the class board" in text]  # (after the toast's icon name)
    return {"pauses": len(pauses), "on_board": sum(row.id in first for row in result["rows"]), "matched": matched,
            "unmatched": unmatched, "latencies": latencies, "to_database": to_database, "to_board": to_board,
            "chart_late": (drawn - counted) / 1000 if drawn and counted else float("nan"), "later": later,
            "in_tab": in_tab, "on_server": on_server, "to_ask": to_ask, "ask_to_dot": ask_to_dot, "by_count": by_count, "refused": refused,
            "posted_toasts": len(posted), "restarts": sum(student["restarts"] for student in result["students"]),
            "first_play": [student["started"] for student in result["students"]]}


def page_show(kind: str, result: dict, before: str, after: str) -> bool:
    figures = page_figures(result)
    rows, expected, latencies = result["rows"], result["expected"], figures["latencies"]
    errors = result["exceptions"] + len(figures["refused"]) + len(figures["unmatched"])
    p95 = percentile(latencies, 0.95)
    ok = figures["on_board"] == expected == len(rows) and errors == 0 and p95 <= 3.0 and len(latencies) == expected
    print(f"\n== {kind} (pages) ==")
    print(f"machine at start: {before}")
    print(f"Pauses: {figures['pauses']}/{expected}; rows in the database: {len(rows)}/{expected}; rows on the "
          f"teacher's board: {figures['on_board']}/{expected}; 'Posted' toasts seen by students: "
          f"{figures['posted_toasts']} (a toast can go before the tab's 100 ms look sees it)")
    print(f"errors: {errors} (exceptions on pages {result['exceptions']}, not-posted toasts {len(figures['refused'])}, "
          f"rows matching no Pause {len(figures['unmatched'])}); plays resumed after the view stopped: "
          f"{figures['restarts']}")
    for text in sorted(set(figures["refused"]))[:5]:
        print(f"  toast: {text}")
    for row in figures["unmatched"][:5]:
        print(f"  unmatched row: {row}")
    print(f"Pause -> dot on the board, matched per row ({len(latencies)} rows): p50 {percentile(latencies, 0.5):.2f} s, "
          f"p95 {p95:.2f} s, max {max(latencies, default=float('nan')):.2f} s (target p95 <= 3 s)")
    for name, values in (("Pause -> row written (the page's post)", figures["to_database"]),
                         ("  of which Pause -> the tab sends its message", figures["in_tab"]),
                         ("  of which message sent -> row written (server)", figures["on_server"]),
                         ("row written -> dot on the board (the board's poll and redraw)", figures["to_board"]),
                         ("  of which row written -> the board's next refresh asked (its tab's message)",
                          figures["to_ask"]),
                         ("  of which refresh asked -> dot shown (server's fragment run, sending, drawing)",
                          figures["ask_to_dot"])):
        print(f"  {name}: p50 {percentile(values, 0.5):.2f} s, p95 {percentile(values, 0.95):.2f} s, "
              f"max {max(values, default=float('nan')):.2f} s")
    later = figures["later"]
    print(f"  the board's chart was first drawn {figures['chart_late']:.2f} s after its caption first counted a run "
          "(Streamlit loads its 4.7 MB PlotlyChart script when the page's first chart shows); the "
          f"{len(later)} rows that came after: p50 {percentile(later, 0.5):.2f} s, p95 {percentile(later, 0.95):.2f} s, "
          f"max {max(later, default=float('nan')):.2f} s")
    by_count = figures["by_count"]
    print(f"  by the caption's count (k-th Pause vs 'M runs posted' >= k): p50 {percentile(by_count, 0.5):.2f} s, "
          f"p95 {percentile(by_count, 0.95):.2f} s, max {max(by_count, default=float('nan')):.2f} s")
    pauses = sorted(pause[0] for student in result["students"] for pause in student["pauses"])
    if pauses:
        print(f"the class's Pauses spread over {(pauses[-1] - pauses[0]) / 1000:.1f} s "
              f"(first {(pauses[0] - result['at']) / 1000:.1f} s after the start); the teacher's tab looked "
              f"{result['watch']['polls']} times and asked for {len(result['watch']['asks'])} refreshes; the server process used {result['server_cores']:.2f} cores "
              "while the students played")
    print(f"machine at end:   {after}")
    print("PASS" if ok else "FAIL")
    return ok


def pages_main(args) -> None:

    print(f"pages: {args.sessions} students x {args.posts} runs of {args.epochs}+ epochs on Decision boundary; "
          f"the board refreshes every {BOARD_REFRESH_SECONDS:g} s (playground/board/store.py; the issue asks for 1 s); "
          f"students' chromium at nice {args.browser_nice}, the teacher's at 0; {machine_state()}", flush=True)
    if args.log_dir:
        args.log_dir.mkdir(parents=True, exist_ok=True)
    results = []
    for kind in args.databases:
        before = machine_state()
        log = args.log_dir / f"server-{kind}.log" if args.log_dir else None
        with database(kind) as url, serve(log_path=log, env={"PLAYGROUND_DATABASE_URL": url}) as (app, server_pid), \
                browsers(0, args.browser_nice) as (teacher_browser, class_browser):
            print(f"{kind}: server at {app}", flush=True)
            result = page_run(app, server_pid, url, args, teacher_browser, class_browser)
        results.append(page_show(kind, result, before, machine_state()))
    raise SystemExit(0 if all(results) else 1)


if __name__ == "__main__":
    main()
