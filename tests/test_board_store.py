"""playground.board.store against real databases: every test runs on a SQLite file and on a fresh
database of a throwaway PostgreSQL cluster (the `database_url` fixture in conftest.py)."""

from __future__ import annotations

import hashlib
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from playground.board import store
from playground.board.store import (CODE_ALPHABET, CODE_LENGTH, POSTS_PER_MINUTE, Board, BoardUnavailable,
                                    ClassEnded, NotTeacher)
from playground.i18n import UserError, translator

REPO = Path(__file__).resolve().parent.parent
SETTINGS = {"hidden": [6, 6], "activation": ["relu", "relu"], "optimizer": "adam", "seed": 0}
FIGURES = {"test_accuracy": 0.84, "auc": 0.85, "interval": [0.81, 0.87], "status": "finished"}


class Clock:
    """A clock the test moves (naive UTC, as the store keeps it)."""

    def __init__(self):
        self.now = datetime.now(timezone.utc).replace(tzinfo=None, microsecond=0)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def board(database_url, clock):
    board = Board(database_url, clock=clock, wrong_answer_seconds=0.05)
    yield board
    board.close()


def rows_of(url: str, table: str) -> list:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(text(f"SELECT * FROM {table}")).all()
    finally:
        engine.dispose()


def test_the_schema_is_created_and_versioned_once(database_url, caplog):
    first = Board(database_url)
    assert first.schema_version() == store.MIGRATIONS[-1][0]
    second = Board(database_url)
    second.check()
    versions = rows_of(database_url, "board_schema_version")
    assert [row.version for row in versions] == [number for number, _description, _step in store.MIGRATIONS]
    with first.engine.begin() as conn:
        conn.execute(store.SCHEMA_VERSION.insert().values(version=99, description="from the future",
                                                          applied_at=datetime(2030, 1, 1)))
    with pytest.raises(BoardUnavailable):  # an old replica during an update: unavailable, not a crash
        Board(database_url).check()
    assert "schema version 99, newer than this app's 1" in caplog.text
    first.close(), second.close()


def test_a_class_has_a_code_a_secret_key_and_an_end(board, clock):
    keys = board.start_class(hours=2)
    assert len(keys.code) == CODE_LENGTH and set(keys.code) <= set(CODE_ALPHABET)
    assert not set("0O1I") & set(CODE_ALPHABET) and len(CODE_ALPHABET) ** CODE_LENGTH == 33_554_432
    spaced = " " + keys.code[:2].lower() + " " + keys.code[2:].lower() + "\n"
    info = board.find_class(spaced)
    assert info.code == keys.code and info.expires_at - info.created_at == timedelta(hours=2)
    assert info.created_at == clock.now.replace(tzinfo=timezone.utc)
    assert (info.hide_nicknames, info.challenges) == (False, {})
    other = board.start_class()
    assert other.code != keys.code and other.teacher_key != keys.teacher_key
    (row,) = [row for row in rows_of(board.url.render_as_string(hide_password=False), "board_classes")
              if row.code == keys.code]
    assert keys.teacher_key not in str(tuple(row)), "only the key's hash is kept"
    assert row.teacher_key_hash == hashlib.sha256(keys.teacher_key.encode()).hexdigest()
    assert board.is_teacher(keys.code.lower(), keys.teacher_key)
    assert not board.is_teacher(keys.code, other.teacher_key)
    assert not board.is_teacher(keys.code, keys.teacher_key[:-1])
    assert not board.is_teacher(keys.code, "")
    assert not board.is_teacher(keys.code, None)


def test_class_hours_come_from_the_environment(board, monkeypatch):
    monkeypatch.setenv("PLAYGROUND_CLASS_HOURS", "1.5")
    info = board.find_class(board.start_class().code)
    assert info.expires_at - info.created_at == timedelta(hours=1.5)
    monkeypatch.setenv("PLAYGROUND_CLASS_HOURS", "forever")
    info = board.find_class(board.start_class().code)
    assert info.expires_at - info.created_at == timedelta(hours=12)
    for hours in (0, -1, 10_000):
        with pytest.raises(UserError):
            board.start_class(hours=hours)


@pytest.mark.parametrize("code", ["ZZZZZ", "22222", "K7Q2", "<b>x</b>", "", None, "K7Q2XX" * 20])
def test_an_unknown_or_impossible_code_finds_nothing(board, code):
    board.start_class()
    assert board.find_class(code) is None
    assert board.runs(code) == [] and board.members(code) == []
    with pytest.raises(UserError, match="There is no class"):
        board.join(code, "Ann")


def test_wrong_answers_come_one_at_a_time_and_slowly(database_url):
    board = Board(database_url, wrong_answer_seconds=0.3)
    keys = board.start_class()
    wrong = [code for code in ("ZZZZZ", "YYYYY", "XXXXX", "WWWWW") if code != keys.code]
    answers = []
    started = time.monotonic()
    threads = [threading.Thread(target=lambda c=c: answers.append(board.find_class(c))) for c in wrong[:3]]
    threads.append(threading.Thread(target=lambda: answers.append(board.is_teacher(keys.code, "guess"))))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert answers.count(None) == 3 and False in answers
    assert time.monotonic() - started >= 4 * 0.3, "four wrong answers, one at a time, 0.3 s each"
    board.close()


def test_a_class_seen_open_gets_a_quick_no_once_ended_a_guess_a_slow_one(board, monkeypatch):
    slow = []
    monkeypatch.setattr(board, "_slow_no", lambda: slow.append(1))
    keys = board.start_class()
    stranger = Board(board.url.render_as_string(hide_password=False), wrong_answer_seconds=0)
    monkeypatch.setattr(stranger, "_slow_no", lambda: slow.append(2))
    other = stranger.start_class()  # another replica's class: never seen open by `board`
    assert board.find_class(keys.code) is not None
    board.close_class(keys.code, keys.teacher_key)
    stranger.close_class(other.code, other.teacher_key)
    for _ in range(3):  # a board left open, polling its ended class
        assert board.find_class(keys.code) is None
    assert slow == []
    assert board.find_class(other.code) is None and slow == [1], "a code this server never saw open is a guess"
    assert not board.is_teacher(keys.code, keys.teacher_key) and slow == [1, 1], "a key is always checked slowly"
    stranger.close()


@pytest.mark.parametrize("typed, kept", [
    ("  Ann  ", "Ann"), ("小明", "小明"), ("Zoë  B.", "Zoë B."), ("x" * 24, "x" * 24), ("**bold**", "**bold**"),
    ("<img src=x onerror=f(1)>", "<img src=x onerror=f(1)>"), ("Е", "Е"), ("😀", "😀"), ("a\nb", "a b"),
])
def test_nicknames_of_any_script_are_kept_as_typed(board, typed, kept):
    keys = board.start_class()
    member = board.join(keys.code, typed)
    assert member.nickname == kept
    assert [m.nickname for m in board.members(keys.code)] == [kept]


@pytest.mark.parametrize("typed", ["", "   ", "x" * 25, "<img src=x onerror=alert(1)>", "a\x00b", "a\tb\x07",
                                   "evil\u202etxt", "\u2028", None, 7])
def test_bad_nicknames_are_refused_with_a_message(board, typed):
    keys = board.start_class()
    with pytest.raises(UserError) as refused:
        board.join(keys.code, typed)
    assert refused.value.translate(translator("zh")) != str(refused.value), "said in Chinese too"
    assert board.members(keys.code) == []


def test_nicknames_are_unique_in_a_class_regardless_of_case_and_width(board):
    keys, other = board.start_class(), board.start_class()
    board.join(keys.code, "Ann")
    for same in ("ann", " ANN ", "ＡＮＮ"):
        with pytest.raises(UserError, match="taken"):
            board.join(keys.code, same)
    assert board.join(other.code, "Ann").nickname == "Ann", "another class may have its own Ann"
    assert [m.nickname for m in board.members(keys.code)] == ["Ann"]


def test_a_member_posts_only_as_itself_and_the_board_reads_every_run_in_order(board):
    keys, other = board.start_class(), board.start_class()
    ann, bo, cy = board.join(keys.code, "Ann"), board.join(keys.code, "Bo"), board.join(other.code, "Cy")
    assert len({ann.token, bo.token, cy.token}) == 3 and len(ann.token) >= 32
    first = board.post(ann.token, "churn", SETTINGS, FIGURES)
    second = board.post(bo.token, "boundary", {"dataset": "spiral", "features": ["x1", "x2"]},
                        {"test_loss": 0.0812, "test_accuracy": 0.975})
    board.post(cy.token, "experiment", {"a": 1}, {"verdict": "差不多"})
    third = board.post(ann.token, "experiment", {"compared": ["adam", "sgd"]}, {"interval": [-0.01, 0.03]})
    rows = board.runs(keys.code)
    assert [row.id for row in rows] == [first, second, third] and first < second < third
    assert [(row.nickname, row.member_id, row.page) for row in rows] == [
        ("Ann", ann.member_id, "churn"), ("Bo", bo.member_id, "boundary"), ("Ann", ann.member_id, "experiment")]
    assert rows[0].settings == SETTINGS and rows[0].figures == FIGURES
    assert rows[1].figures["test_loss"] == 0.0812
    assert rows[0].posted_at.tzinfo is not None
    assert [row.id for row in board.runs(keys.code, after_id=first)] == [second, third]
    assert board.runs(keys.code, after_id=third) == []
    assert [row.nickname for row in board.runs(other.code)] == ["Cy"]
    hashes = [row.token_hash for row in rows_of(board.url.render_as_string(hide_password=False), "board_members")]
    assert hashlib.sha256(ann.token.encode()).hexdigest() in hashes and ann.token not in hashes


@pytest.mark.parametrize("page, settings, figures, message", [
    ("admin", {}, {}, "Unknown page"),
    ("churn", [], {}, "plain data"),
    ("churn", {}, {"test_accuracy": float("nan")}, "plain data"),
    ("churn", {}, {"when": datetime(2026, 1, 1)}, "plain data"),
    ("churn", {"notes": "x" * 30_000}, {}, "too big"),
])
def test_a_post_that_is_not_a_run_is_refused(board, page, settings, figures, message):
    keys = board.start_class()
    member = board.join(keys.code, "Ann")
    with pytest.raises(UserError, match=message):
        board.post(member.token, page, settings, figures)
    assert board.runs(keys.code) == []


def test_posting_is_limited_per_member_and_resumes_a_minute_later(board, clock):
    keys = board.start_class()
    ann, bo = board.join(keys.code, "Ann"), board.join(keys.code, "Bo")
    for _ in range(POSTS_PER_MINUTE):
        board.post(ann.token, "churn", SETTINGS, FIGURES)
        clock.advance(seconds=1)
    with pytest.raises(UserError, match="last minute") as refused:
        board.post(ann.token, "churn", SETTINGS, FIGURES)
    assert "分钟" in refused.value.translate(translator("zh"))
    board.post(bo.token, "churn", SETTINGS, FIGURES)  # another member is not held back
    clock.advance(seconds=51)
    board.post(ann.token, "churn", SETTINGS, FIGURES)
    assert len(board.runs(keys.code)) == POSTS_PER_MINUTE + 2


def test_a_token_that_is_not_a_members_posts_nothing(board):
    keys = board.start_class()
    board.join(keys.code, "Ann")
    for token in ("forged", "", None, "x" * 5000):
        with pytest.raises(ClassEnded):
            board.post(token, "churn", SETTINGS, FIGURES)
    assert board.runs(keys.code) == []


def test_leaving_ends_the_token_and_keeps_the_runs(board):
    keys = board.start_class()
    ann, bo = board.join(keys.code, "Ann"), board.join(keys.code, "Bo")
    run = board.post(ann.token, "churn", SETTINGS, FIGURES)
    board.leave(ann.token)
    board.leave(bo.token)
    board.leave("not a token")
    assert board.members(keys.code) == []
    with pytest.raises(ClassEnded):
        board.post(ann.token, "churn", SETTINGS, FIGURES)
    assert [(row.id, row.nickname) for row in board.runs(keys.code)] == [(run, "Ann")]
    with pytest.raises(UserError, match="taken"):
        board.join(keys.code, "ann")  # Ann's runs still carry her name
    assert board.join(keys.code, "Bo").nickname == "Bo", "Bo posted nothing: the name is free again"


def test_only_the_teacher_key_changes_or_closes_a_class(board):
    keys, other = board.start_class(), board.start_class()
    ann = board.join(keys.code, "Ann")
    run = board.post(ann.token, "churn", SETTINGS, FIGURES)
    for key in ("guess", other.teacher_key, "", None):
        with pytest.raises(NotTeacher):
            board.set_options(keys.code, key, hide_nicknames=True)
        with pytest.raises(NotTeacher):
            board.remove_run(keys.code, key, run)
        with pytest.raises(NotTeacher):
            board.close_class(keys.code, key)
    with pytest.raises(NotTeacher):
        board.remove_run(other.code, other.teacher_key + "x", run)
    assert not board.find_class(keys.code).hide_nicknames and len(board.runs(keys.code)) == 1
    with pytest.raises(UserError, match="no run"):
        board.remove_run(other.code, other.teacher_key, run)  # a run of another class is not this teacher's
    board.set_options(keys.code, keys.teacher_key, hide_nicknames=True, challenges={"churn": "churn.seeds3"})
    board.set_options(keys.code, keys.teacher_key, challenges={"boundary": "boundary.spiral"})
    info = board.find_class(keys.code)
    assert info.hide_nicknames and info.challenges == {"boundary": "boundary.spiral"}
    with pytest.raises(UserError, match="Unknown page"):
        board.set_options(keys.code, keys.teacher_key, challenges={"admin": "x"})
    board.remove_run(keys.code, keys.teacher_key, run)
    assert board.runs(keys.code) == []


def test_closing_deletes_the_class_and_every_row_in_it(board):
    keys, other = board.start_class(), board.start_class()
    ann, cy = board.join(keys.code, "Ann"), board.join(other.code, "Cy")
    board.post(ann.token, "churn", SETTINGS, FIGURES)
    board.post(cy.token, "churn", SETTINGS, FIGURES)
    board.close_class(keys.code, keys.teacher_key)
    assert board.find_class(keys.code) is None and board.runs(keys.code) == [] and board.members(keys.code) == []
    assert not board.is_teacher(keys.code, keys.teacher_key)
    with pytest.raises(ClassEnded):
        board.post(ann.token, "churn", SETTINGS, FIGURES)
    url = board.url.render_as_string(hide_password=False)
    assert [row.code for row in rows_of(url, "board_classes")] == [other.code]
    assert [row.nickname for row in rows_of(url, "board_members")] == ["Cy"]
    assert len(rows_of(url, "board_runs")) == 1, "the other class keeps its run"


def test_a_class_ends_after_its_hours_and_is_purged(board, clock):
    keys, later = board.start_class(hours=12), board.start_class(hours=13)
    ann = board.join(keys.code, "Ann")
    board.post(ann.token, "churn", SETTINGS, FIGURES)
    clock.advance(hours=11, minutes=59)
    assert board.find_class(keys.code) is not None
    clock.advance(minutes=1)
    assert board.find_class(keys.code) is None and board.runs(keys.code) == []
    assert not board.is_teacher(keys.code, keys.teacher_key)
    with pytest.raises(ClassEnded):
        board.post(ann.token, "churn", SETTINGS, FIGURES)
    with pytest.raises(UserError, match="There is no class"):
        board.join(keys.code, "Bo")
    assert board.purge_expired() == 1 and board.purge_expired() == 0
    url = board.url.render_as_string(hide_password=False)
    assert [row.code for row in rows_of(url, "board_classes")] == [later.code]
    assert rows_of(url, "board_members") == [] and rows_of(url, "board_runs") == []
    assert board.purge_expired(now=clock.now + timedelta(hours=2)) == 1


def test_a_code_drawn_twice_is_drawn_again_unless_its_class_has_expired(board, clock, monkeypatch):
    old = board.start_class(hours=1)
    ann = board.join(old.code, "Ann")
    board.post(ann.token, "churn", SETTINGS, FIGURES)
    draws = iter(old.code + old.code + "ABCDE")
    monkeypatch.setattr(store.secrets, "choice", lambda alphabet: next(draws))
    assert board.start_class().code == "ABCDE", "the open class keeps its code"
    clock.advance(hours=1)
    draws = iter(old.code)
    fresh = board.start_class()
    assert fresh.code == old.code and board.is_teacher(fresh.code, fresh.teacher_key)
    assert board.runs(fresh.code) == [] and board.members(fresh.code) == [], "nothing of the old class"
    with pytest.raises(ClassEnded):
        board.post(ann.token, "churn", SETTINGS, FIGURES)


def test_two_servers_on_one_database_see_each_others_rows_at_once(database_url):
    one, two = Board(database_url), Board(database_url)  # two replicas
    keys = one.start_class()
    assert two.is_teacher(keys.code, keys.teacher_key)
    ann, bo = one.join(keys.code, "Ann"), two.join(keys.code, "Bo")
    with pytest.raises(UserError, match="taken"):
        two.join(keys.code, "ANN")
    for round_ in range(3):  # the board on one, posts from both: every read shows the rows of its moment
        first = one.post(ann.token, "churn", {**SETTINGS, "seed": round_}, FIGURES)
        second = two.post(bo.token, "churn", {**SETTINGS, "seed": round_}, FIGURES)
        assert [row.id for row in one.runs(keys.code)][-2:] == [first, second]
    two.set_options(keys.code, keys.teacher_key, hide_nicknames=True)
    assert one.find_class(keys.code).hide_nicknames
    one.close_class(keys.code, keys.teacher_key)
    assert two.find_class(keys.code) is None and two.runs(keys.code) == []
    one.close(), two.close()


def test_a_restarted_server_keeps_every_class(database_url):
    first = Board(database_url)
    keys = first.start_class()
    ann = first.join(keys.code, "Ann")
    run = first.post(ann.token, "churn", SETTINGS, FIGURES)
    first.close()
    again = Board(database_url)
    assert again.find_class(keys.code).code == keys.code and again.is_teacher(keys.code, keys.teacher_key)
    assert [(row.id, row.nickname, row.figures) for row in again.runs(keys.code)] == [(run, "Ann", FIGURES)]
    assert again.post(ann.token, "boundary", {}, {"test_loss": 0.1}) > run, "the student's session still posts"
    again.close()


def test_thirty_students_posting_at_once_all_land(board):
    keys = board.start_class()
    members = [board.join(keys.code, f"Student {number}") for number in range(30)]
    start, errors, ids = threading.Barrier(31), [], []
    seen, reading = {}, threading.Event()

    def student(member):
        start.wait()
        for seed in range(5):
            try:
                ids.append(board.post(member.token, "churn", {**SETTINGS, "seed": seed}, FIGURES))
            except Exception as error:  # noqa: BLE001 - every error is the failure this test looks for
                errors.append(repr(error))

    def reader():  # the board, asking only for rows after the last one it saw
        last, deadline = 0, time.monotonic() + 120
        while (reading.is_set() or last < max(ids, default=0)) and time.monotonic() < deadline:
            for row in board.runs(keys.code, after_id=last):
                seen[row.id] = row
                last = row.id
            time.sleep(0.05)

    threads = [threading.Thread(target=student, args=(member,)) for member in members]
    for thread in threads:
        thread.start()
    reading.set()
    poller = threading.Thread(target=reader, daemon=True)
    poller.start()
    start.wait()
    for thread in threads:
        thread.join()
    reading.clear()
    poller.join(timeout=60)
    assert errors == [] and len(ids) == len(set(ids)) == 150
    assert sorted(seen) == sorted(ids), "a board reading after its last id skipped no row"
    rows = board.runs(keys.code)
    assert len(rows) == 150 and {row.member_id for row in rows} == {m.member_id for m in members}


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(tmp_path):
    board = Board(f"sqlite:///{tmp_path / 'board.sqlite3'}")
    board.check()
    with board.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == store.SQLITE_BUSY_SECONDS * 1000
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    board.close()


def test_the_default_database_is_a_file_in_the_data_folder(tmp_path, monkeypatch):
    assert store.DEFAULT_DATABASE == REPO / "data" / "playground.sqlite3"
    assert "data/" in (REPO / ".gitignore").read_text().splitlines(), "the class database is never committed"
    monkeypatch.delenv("PLAYGROUND_DATABASE_URL", raising=False)
    monkeypatch.setattr(store, "DATA_FOLDER", tmp_path / "data")
    monkeypatch.setattr(store, "DEFAULT_DATABASE", tmp_path / "data" / "playground.sqlite3")
    board = Board()
    keys = board.start_class()
    assert (tmp_path / "data" / "playground.sqlite3").exists() and board.is_sqlite
    board.close()
    monkeypatch.setenv("PLAYGROUND_DATABASE_URL", f"sqlite:///{tmp_path / 'elsewhere.sqlite3'}")
    elsewhere = Board()
    assert elsewhere.find_class(keys.code) is None and (tmp_path / "elsewhere.sqlite3").exists()
    elsewhere.close()


def test_a_sqlite_file_that_cannot_be_opened_is_unavailable_not_a_crash(monkeypatch):
    board = Board("sqlite:////proc/no-such-folder/board.sqlite3")
    with pytest.raises(BoardUnavailable) as down:
        board.check()
    assert "cannot be reached" in str(down.value) and down.value.translate(translator("zh")) != str(down.value)
    with pytest.raises(BoardUnavailable):
        board.find_class("K7Q2X")
    monkeypatch.delenv("PLAYGROUND_DATABASE_URL", raising=False)  # a read-only install: no data folder
    monkeypatch.setattr(store, "DATA_FOLDER", Path("/proc/no-such-folder/data"))
    monkeypatch.setattr(store, "DEFAULT_DATABASE", Path("/proc/no-such-folder/data/playground.sqlite3"))
    with pytest.raises(BoardUnavailable):
        Board().check()


@pytest.mark.parametrize("url", ["not a url", "mysql://user@host/db", "nosuchdb://x/y"])
def test_a_database_url_that_cannot_be_used_is_unavailable_not_a_crash(url, caplog):
    board = Board(url)
    with pytest.raises(BoardUnavailable):
        board.check()
    with pytest.raises(BoardUnavailable):
        board.start_class()
    assert "PLAYGROUND_DATABASE_URL cannot be used" in caplog.text and "user@host" not in caplog.text
    board.close()


def test_postgresql_down_is_said_and_posting_resumes_when_it_is_back(postgres_cluster):
    url = postgres_cluster.create_database("down_and_back")
    board = Board(url)
    keys = board.start_class()
    ann = board.join(keys.code, "Ann")
    board.post(ann.token, "churn", SETTINGS, FIGURES)
    assert postgres_cluster.kill_connections("down_and_back") >= 1
    board.post(ann.token, "churn", SETTINGS, FIGURES)  # a killed connection is replaced, not an error
    postgres_cluster.stop()
    try:
        with pytest.raises(BoardUnavailable, match="cannot be reached"):
            board.check()
        with pytest.raises(BoardUnavailable):
            board.post(ann.token, "churn", SETTINGS, FIGURES)
        with pytest.raises(BoardUnavailable):
            board.runs(keys.code)
    finally:
        postgres_cluster.start()
    board.check()
    board.post(ann.token, "churn", SETTINGS, FIGURES)
    assert len(board.runs(keys.code)) == 3
    board.close()
    postgres_cluster.drop_database("down_and_back")


def test_a_board_started_while_postgresql_is_down_works_once_it_is_up(postgres_cluster):
    url = postgres_cluster.create_database("late")
    postgres_cluster.stop()
    try:
        board = Board(url)  # the server process starts; the database is not there yet
        with pytest.raises(BoardUnavailable):
            board.check()
    finally:
        postgres_cluster.start()
    assert board.find_class(board.start_class().code) is not None
    board.close()
    postgres_cluster.drop_database("late")
