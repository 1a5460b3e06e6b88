"""Two replicas behind nginx (deploy/nginx.conf, started by deploy/run_replicas.py), in chromium.

With cookie affinity, four browsers (each its own cookie jar) land on both replicas, upload a
churn CSV and train on the replica that holds their session, every request included; when one
replica is killed, the sessions on the other keep working (train again, upload again) and a new
tab opens on the survivor, where its upload goes too.
A class on both replicas: with one PostgreSQL (a throwaway cluster) as every replica's
PLAYGROUND_DATABASE_URL, two students on different replicas join and train, and the teacher's
board shows both; a killed replica loses no posted row, and the teacher link reopens the board
on the survivor, where a student goes on posting.
Without affinity (plain round robin, the negative control), an upload routed to the other
replica fails with HTTP 400 "Invalid session_id": the reason affinity is required.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from conftest import assert_no_exception, screenshot, wait_for_app
from deploy.run_replicas import Replicas
from playground.churn.data import synthetic_churn

pytestmark = pytest.mark.browser

CHURN = "/churn_ann?churn.data=upload&churn.epochs=2&churn.batch=64&churn.val=0.2"
SESSIONS_PER_REPLICA = 2


def churn_csv(folder: Path, name: str, rows: int, seed: int) -> Path:
    """A CSV in the real file's format (same columns), from the synthetic generator: no real customer."""
    path = folder / name
    synthetic_churn(n_rows=rows, seed=seed).to_csv(path, index=False)
    return path


def upstream(headers: dict) -> str | None:
    """The replica nginx finally used (X-Upstream lists every one it tried: 'dead, alive')."""
    value = {key.lower(): item for key, item in headers.items()}.get("x-upstream")
    return value.split(",")[-1].strip() if value else None


class Tab:
    """A browser tab that records which replica answered each of its requests and its websocket."""

    def __init__(self, context, base_url: str):
        self.context, self.base_url = context, base_url
        self.page = context.new_page()
        self.responses: list[tuple[str, str, int, str | None]] = []  # method, path, status, replica
        self.websockets: list[str | None] = []
        self.page.on("response", self._record)
        # Playwright does not show a websocket's handshake headers; Chromium's DevTools protocol does.
        self.devtools = context.new_cdp_session(self.page)
        self.devtools.send("Network.enable")
        # No HTTP cache: a cached file would show the replica that served it to an earlier tab.
        self.devtools.send("Network.setCacheDisabled", {"cacheDisabled": True})
        self.devtools.on("Network.webSocketHandshakeResponseReceived",
                         lambda event: self.websockets.append(upstream(event["response"]["headers"])))

    def _record(self, response) -> None:
        if response.url.startswith(self.base_url):
            path = response.url[len(self.base_url):]
            self.responses.append((response.request.method, path, response.status, upstream(response.headers)))

    def go_to_churn(self) -> str:
        """Load the Churn ANN page (not waiting for its script); returns the replica that served it."""
        return upstream(self.page.goto(self.base_url + CHURN).headers)

    def wait_ready(self) -> None:
        self.page.get_by_role("button", name="Train", exact=True).wait_for(timeout=90_000)
        wait_for_app(self.page)
        assert_no_exception(self.page)

    def open_churn(self) -> str:
        replica = self.go_to_churn()
        self.wait_ready()
        return replica

    def upload(self, csv: Path, timeout: float = 60_000):
        """Choose the file in the uploader; returns the upload request's response."""
        chooser = self.page.locator("[data-testid=stFileUploaderDropzoneInput]")
        try:
            with self.page.expect_response(lambda r: r.request.method == "PUT" and "/_stcore/upload_file/" in r.url,
                                           timeout=timeout) as upload:
                chooser.set_input_files(str(csv))
            return upload.value
        except PlaywrightTimeout as error:  # say what the page showed instead
            screenshot(self.page, "replicas-upload-failed")
            uploader = self.page.locator("[data-testid=stFileUploader]")
            status = self.page.locator("[data-testid=stStatusWidget]")
            raise AssertionError(
                f"no upload of {csv.name} within {timeout / 1000:g} s; the uploader shows {uploader.inner_text()!r}, its input is "
                f"{'disabled' if chooser.is_disabled() else 'enabled'}; status: "
                f"{status.inner_text() if status.count() else 'idle'!r}; requests: {self.responses[-8:]}; "
                f"websockets: {self.websockets}") from error

    def wait_for_text(self, text: str, timeout: float = 180_000) -> None:
        self.page.wait_for_function("(text) => document.body.innerText.includes(text)", arg=text, timeout=timeout)

    def upload_and_train(self, csv: Path) -> None:
        response = self.upload(csv)
        assert response.status == 204, f"upload answered {response.status}: {response.text()}"
        self.wait_for_text(f"Using {csv.name} (")
        self.page.get_by_role("button", name="Train", exact=True).click()

    def replicas_seen(self) -> set[str | None]:
        return {replica for *_, replica in self.responses} | set(self.websockets)


def wait_trained(tab: Tab, run: int) -> None:
    tab.wait_for_text(f"Run {run}: finished, 2/2 epochs")
    wait_for_app(tab.page)
    assert_no_exception(tab.page)
    assert "Test accuracy" in tab.page.locator("[data-testid=stMetric]").first.text_content()


def open_sessions(browser, deployment, per_replica: int = SESSIONS_PER_REPLICA) -> dict[str, list[Tab]]:
    """New browsers (contexts) until each replica holds `per_replica` of them.

    nginx gives each new browser a random cookie, so which replica it gets is chance: keep
    opening (a cheap health request sets the cookie) and close the extras.
    """
    by_replica: dict[str, list[Tab]] = {address: [] for address in deployment.replica_addresses}
    for _ in range(40):
        if all(len(tabs) == per_replica for tabs in by_replica.values()):
            break
        context = browser.new_context(viewport={"width": 1400, "height": 900})
        first = upstream(context.request.get(deployment.url + "/_stcore/health").headers)
        assert first in by_replica, f"unknown replica {first!r}"
        if len(by_replica[first]) < per_replica:
            by_replica[first].append(Tab(context, deployment.url))
        else:
            context.close()
    assert all(len(tabs) == per_replica for tabs in by_replica.values()), \
        f"40 new browsers did not reach both replicas: {({k: len(v) for k, v in by_replica.items()})}"
    return by_replica


def test_sticky_sessions_upload_train_and_survive_a_dead_replica(browser, nginx_executable, tmp_path):
    csv = churn_csv(tmp_path, "class_churn.csv", rows=2000, seed=11)
    second_csv = churn_csv(tmp_path, "class_churn_b.csv", rows=1500, seed=12)
    with Replicas(2, env={"PLAYGROUND_WORKERS": "1"}) as deployment:
        by_replica = open_sessions(browser, deployment)
        tabs = [tab for group in by_replica.values() for tab in group]
        try:
            for replica, group in by_replica.items():  # all four load at once, as in a class
                for tab in group:
                    assert tab.go_to_churn() == replica
            for tab in tabs:
                tab.wait_ready()
            for tab in tabs:
                tab.upload_and_train(csv)
            for tab in tabs:
                wait_trained(tab, run=1)
            for replica, group in by_replica.items():
                for tab in group:
                    assert tab.replicas_seen() == {replica}, (replica, tab.responses, tab.websockets)
                    assert tab.websockets, "the websocket went through nginx"
                    assert [status for method, path, status, _ in tab.responses if method == "PUT"] == [204]
            screenshot(tabs[0].page, "replicas-trained")

            dead, survivor = deployment.replica_addresses
            deployment.kill_replica(0)
            # The sessions on the survivor go on: one trains again, the other uploads a new file.
            first, second = by_replica[survivor]
            first.page.get_by_role("button", name="Train", exact=True).click()
            response = second.upload(second_csv)
            assert (response.status, upstream(response.headers)) == (204, survivor), response.text()
            second.wait_for_text("Using class_churn_b.csv (1,500 rows)")
            wait_trained(first, run=2)
            for tab in (first, second):
                assert tab.replicas_seen() == {survivor}, (survivor, tab.responses, tab.websockets)
            # A new tab of a browser whose cookie points at the dead replica opens on the survivor,
            # and its upload (the request that needs affinity) goes there too.
            orphan = Tab(by_replica[dead][0].context, deployment.url)
            assert orphan.open_churn() == survivor
            response = orphan.upload(csv)
            assert (response.status, upstream(response.headers)) == (204, survivor), response.text()
            orphan.wait_for_text("Using class_churn.csv (2,000 rows)")
            assert orphan.replicas_seen() == {survivor}, (survivor, orphan.responses, orphan.websockets)
            screenshot(orphan.page, "replicas-new-tab-on-survivor")
        finally:
            for tab in tabs:
                tab.context.close()


SMALL_RUN = "churn.epochs=2&churn.layers=1&churn.units1=4&churn.batch=128"


def board_shows(teacher: Tab, text: str, timeout: float = 30_000) -> None:
    """Wait until the live board (it polls the database; nobody reloads it) shows `text`."""
    try:
        teacher.page.wait_for_function(
            "(text) => [...document.querySelectorAll('[data-testid=stCaptionContainer]')]"
            ".some(c => c.textContent.includes(text))", arg=text, timeout=timeout)
    except PlaywrightTimeout:
        path = screenshot(teacher.page, "replicas-class-board")
        raise AssertionError(f"the board did not show {text!r} within {timeout / 1000:g} s; see {path}") from None


def join_and_train(student: Tab, code: str, nickname: str) -> None:
    student.page.goto(f"{student.base_url}/churn_ann?class={code}&{SMALL_RUN}")
    student.page.get_by_label("Nickname").wait_for(timeout=90_000)
    wait_for_app(student.page)
    student.page.get_by_label("Nickname").fill(nickname)
    student.page.get_by_role("button", name="Join", exact=True).click()
    student.page.get_by_role("button", name="Leave the class").wait_for(timeout=30_000)
    wait_for_app(student.page)
    student.page.get_by_role("button", name="Train", exact=True).click()


def test_a_class_on_both_replicas_shares_one_postgresql_board(browser, nginx_executable, postgres_cluster):
    from playground.board.store import Board

    database = postgres_cluster.create_database("replicas_class")
    store = Board(database)
    with Replicas(2, env={"PLAYGROUND_WORKERS": "1", "PLAYGROUND_DATABASE_URL": database}) as deployment:
        contexts = []
        try:
            teacher = Tab(browser.new_context(viewport={"width": 1280, "height": 720}), deployment.url)
            contexts.append(teacher.context)
            teacher.page.goto(deployment.url + "/class")
            wait_for_app(teacher.page)
            teacher.page.get_by_role("button", name="Start a class").click()
            teacher.page.locator("[data-testid=class-code]").wait_for(timeout=30_000)
            wait_for_app(teacher.page)
            code = teacher.page.locator("[data-testid=class-code]").inner_text().strip()
            teacher_link = teacher.page.locator("[data-testid=stCode]").nth(1).text_content().strip()
            assert "key=" in teacher_link and store.find_class(code) is not None, "the class is in PostgreSQL"

            students = {replica: tabs[0] for replica, tabs in open_sessions(browser, deployment, 1).items()}
            contexts += [tab.context for tab in students.values()]
            nicknames = {replica: f"Student on {index}" for index, replica in enumerate(students)}
            for replica, student in students.items():
                join_and_train(student, code, nicknames[replica])
            for student in students.values():
                wait_trained(student, run=1)
            for replica, student in students.items():
                assert student.replicas_seen() == {replica}, (replica, student.responses, student.websockets)

            board_shows(teacher, "2 joined · 2 runs posted")
            shown = teacher.page.locator("[data-testid=stMain]").inner_text()
            assert all(nickname in shown for nickname in nicknames.values()), shown
            rows = store.runs(code)
            assert sorted(row.nickname for row in rows) == sorted(nicknames.values())
            screenshot(teacher.page, "replicas-class-board")

            dead, survivor = deployment.replica_addresses
            deployment.kill_replica(0)
            assert [row.id for row in store.runs(code)] == [row.id for row in rows], "a killed replica lost no row"
            # The teacher link opens the board again (on the survivor, whatever replica had it), and
            # the student there goes on posting.
            again = Tab(browser.new_context(viewport={"width": 1280, "height": 720}), deployment.url)
            contexts.append(again.context)
            again.page.goto(teacher_link)
            again.page.locator("[data-testid=class-code]").wait_for(timeout=60_000)
            assert again.replicas_seen() == {survivor}
            students[survivor].page.get_by_role("button", name="Train", exact=True).click()
            wait_trained(students[survivor], run=2)
            board_shows(again, "2 joined · 3 runs posted")
            assert len(store.runs(code)) == 3
        finally:
            for context in contexts:
                context.close()
    store.close()
    postgres_cluster.drop_database("replicas_class")


def test_without_affinity_an_upload_routed_to_the_other_replica_fails(browser, nginx_executable, tmp_path):
    """The negative control: round robin (the hash line removed) sends some uploads to a replica
    that does not know the session. Upload new files until one is routed there. Round robin
    alternates replicas request by request, and one upload is an even number of requests, so
    between tries one more request (in a class: any other student's) shifts the rotation."""
    with Replicas(2, affinity=False, env={"PLAYGROUND_WARMUP": "0"}) as deployment:
        context = browser.new_context(viewport={"width": 1400, "height": 900})
        try:
            tab = Tab(context, deployment.url)
            tab.open_churn()
            assert len(tab.websockets) == 1
            session_replica = tab.websockets[0]
            outcomes = []
            for attempt in range(12):
                response = tab.upload(churn_csv(tmp_path, f"attempt_{attempt}.csv", rows=100, seed=attempt))
                outcomes.append((upstream(response.headers), response.status))
                if upstream(response.headers) != session_replica:
                    assert response.status == 400, outcomes
                    assert "Invalid session_id" in response.text()
                    tab.page.locator("[data-testid=stFileUploader]").get_by_text("400").wait_for(timeout=10_000)
                    screenshot(tab.page, "replicas-upload-without-affinity")
                    break
                assert response.status == 204, outcomes
                tab.wait_for_text(f"Using attempt_{attempt}.csv (")
                tab.context.request.get(deployment.url + "/_stcore/health")
            else:
                pytest.fail(f"12 uploads never reached the other replica: {outcomes}")
        finally:
            context.close()
