"""The class board's storage: classes, their members and their posted runs, in one SQL database.

One :class:`Board` per server process wraps one SQLAlchemy engine (thread-safe, with its own pool);
pages call its methods and never write SQL. Pure Python: no streamlit.

Where: ``PLAYGROUND_DATABASE_URL`` (e.g. ``postgresql://user:pass@host/db``, which every replica of
a deployment shares, or ``sqlite:////srv/playground.sqlite3``); without it, the SQLite file
``data/playground.sqlite3`` in the repository (the folder is made when missing and git-ignored).
``postgresql://`` and ``postgres://`` URLs use psycopg 3.

Schema: created and versioned here. ``board_schema_version`` holds one row per applied migration;
:data:`MIGRATIONS` are applied in order at start, in one transaction, under a lock (PostgreSQL's
advisory lock, SQLite's write lock), so replicas starting together migrate once.

SQLite, 30 students posting at once: every connection is put in WAL mode (readers never wait for
the writer) with a busy timeout of :data:`SQLITE_BUSY_SECONDS`, and every write transaction starts
with ``BEGIN IMMEDIATE``: a writer waits for the write lock at its start instead of failing when it
upgrades a read ("database is locked"), the classic trap of the sqlite3 module's default. The
writers of one process take turns on a lock first, so they wait their turn instead of polling.

PostgreSQL: the pool checks a connection before lending it (a restarted server or a killed
connection costs one retry, not an error), connecting gives up after :data:`CONNECT_SECONDS`, and
posts in one class are serialised by a lock on the class's row, so run ids of a class become
visible in id order (a board that asks for ``after_id`` never skips a row).

Security (the numbers the README quotes):

- A class code is :data:`CODE_LENGTH` = 5 characters from :data:`CODE_ALPHABET`, 32 characters
  without the look-alikes 0/O and 1/I: 32^5 = 33,554,432 codes. Case, spaces and dashes are ignored.
- Every answer that says no to a code or a key (an unknown or ended class, a wrong teacher key) is
  given no faster than :data:`WRONG_ANSWER_SECONDS` = 0.5 s, one at a time per server process: at
  most 2 wrong guesses per second, 7,200 in an hour's lesson. With 100 classes open at once, an hour
  of guessing finds any class with a chance of 7,200 x 100 / 33,554,432 = 2.1 %, a given class
  0.02 %. A code that cannot be one (wrong length or characters) is refused at once: it tells
  nothing. A right code is answered at full speed, and so is the code of a class this server has
  seen open and that has ended since (a board left open asks again every few seconds).
- The teacher key is ``secrets.token_urlsafe(24)`` (192 bits), a member's token the same; the
  database keeps only their SHA-256, keys are compared with ``hmac.compare_digest``, and no key,
  token or query parameter is ever logged (the engine hides parameters in its errors).
- A member posts at most :data:`POSTS_PER_MINUTE` runs in any 60 s, and only as itself (its token
  names the member); a class holds at most :data:`MAX_MEMBERS` members and :data:`MAX_RUNS` runs,
  a run at most :data:`MAX_POST_BYTES` bytes of JSON, and a server at most :data:`MAX_OPEN_CLASSES`
  open classes.
- Nicknames: 1 to :data:`NICKNAME_LENGTH` characters of any script after trimming, unique in a class
  regardless of case and width; control, bidirectional-override and unassigned characters are
  refused. They are stored as typed: showing them as text is the pages' job.

Lifetime: a class and every row in it are deleted :func:`class_hours` hours after it started
(``PLAYGROUND_CLASS_HOURS``, default 12) by :meth:`Board.purge_expired`, or at once by
:meth:`Board.close_class`; an expired class is invisible before it is purged.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import logging
import os
import re
import secrets
import threading
import time
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import (JSON, Boolean, Column, DateTime, ForeignKey, Index, Integer, MetaData, String, Table,
                        UniqueConstraint, create_engine, delete, event, func, insert, select, text, update)
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Connection, Engine, make_url

from playground.board.challenges import PAGES
from playground.board.errors import BoardUnavailable, ClassEnded, NotTeacher
from playground.i18n import N_, UserError

log = logging.getLogger(__name__)

REPO = Path(__file__).resolve().parent.parent.parent
DATA_FOLDER = REPO / "data"
DEFAULT_DATABASE = DATA_FOLDER / "playground.sqlite3"
URL_VARIABLE, HOURS_VARIABLE = "PLAYGROUND_DATABASE_URL", "PLAYGROUND_CLASS_HOURS"
DEFAULT_CLASS_HOURS = 12.0
MAX_CLASS_HOURS = 24.0 * 7

CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, no 1/I
CODE_LENGTH = 5
WRONG_ANSWER_SECONDS = 0.5
NICKNAME_LENGTH = 24
POSTS_PER_MINUTE = 10
# How often the teacher's board reads the class again (pages/class.py; bench/bench_board.py reports it):
# a posted run shows within ~3 s.
BOARD_REFRESH_SECONDS = 1.0
MAX_MEMBERS = 200
MAX_RUNS = 5000
MAX_POST_BYTES = 20_000
MAX_OPEN_CLASSES = 1000
SEEN_CODES = 10_000  # codes of classes seen open that get a quick "no" once ended (see find_class)
MAX_KEY_LENGTH = 200  # longer "keys" and tokens are refused before hashing

SQLITE_BUSY_SECONDS = 30.0
CONNECT_SECONDS = 5

_CODE_SEPARATORS = re.compile(r"[\s\-_.]+")
_SPACES = re.compile(r"\s+")
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")
_REFUSED_CATEGORIES = frozenset({"Cc", "Cs", "Co", "Cn", "Zl", "Zp"})


@dataclass(frozen=True)
class ClassKeys:
    code: str
    teacher_key: str  # the secret of the teacher link; the database keeps only its hash


@dataclass(frozen=True)
class ClassInfo:
    code: str
    created_at: datetime  # aware, UTC
    expires_at: datetime
    hide_nicknames: bool
    challenges: dict  # page -> challenge id


@dataclass(frozen=True)
class Member:
    member_id: int
    token: str  # the secret of that student's session; never shown, never logged
    nickname: str


@dataclass(frozen=True)
class ClassMember:
    member_id: int
    nickname: str
    joined_at: datetime


@dataclass(frozen=True)
class RunRow:
    id: int
    page: str
    nickname: str
    member_id: int
    settings: dict
    figures: dict
    posted_at: datetime


# --- schema -------------------------------------------------------------------------------------

def _schema_v1(metadata: MetaData) -> tuple[Table, Table, Table, Table]:
    """The tables as migration 1 creates them (and as the queries below use them until a migration
    changes them: a later migration alters tables, it never edits this function)."""
    version = Table(
        "board_schema_version", metadata,
        Column("version", Integer, primary_key=True, autoincrement=False),
        Column("description", String(200), nullable=False),
        Column("applied_at", DateTime, nullable=False))
    classes = Table(
        "board_classes", metadata,
        Column("id", Integer, primary_key=True),
        Column("code", String(16), nullable=False, unique=True),
        Column("teacher_key_hash", String(64), nullable=False),
        Column("created_at", DateTime, nullable=False),  # naive UTC, on both databases
        Column("expires_at", DateTime, nullable=False, index=True),
        Column("hide_nicknames", Boolean, nullable=False, default=False),
        Column("challenges", JSON, nullable=False))
    members = Table(
        "board_members", metadata,
        Column("id", Integer, primary_key=True),
        Column("class_id", Integer, ForeignKey("board_classes.id", ondelete="CASCADE"), nullable=False),
        Column("nickname", String(4 * NICKNAME_LENGTH), nullable=False),
        Column("nickname_key", String(8 * NICKNAME_LENGTH), nullable=False),  # NFKC + casefold: unique per class
        Column("token_hash", String(64), unique=True),  # NULL once the member left
        Column("joined_at", DateTime, nullable=False),
        UniqueConstraint("class_id", "nickname_key", name="board_members_unique_nickname"))
    runs = Table(
        "board_runs", metadata,
        Column("id", Integer, primary_key=True),
        Column("class_id", Integer, ForeignKey("board_classes.id", ondelete="CASCADE"), nullable=False),
        Column("member_id", Integer, ForeignKey("board_members.id", ondelete="CASCADE"), nullable=False),
        Column("page", String(16), nullable=False),
        Column("settings", JSON, nullable=False),
        Column("figures", JSON, nullable=False),
        Column("posted_at", DateTime, nullable=False),
        Index("board_runs_by_class", "class_id", "id"),
        Index("board_runs_by_member", "member_id", "posted_at"))
    return version, classes, members, runs


SCHEMA_VERSION, CLASSES, MEMBERS, RUNS = _schema_v1(MetaData())


def _migration_1(conn: Connection) -> None:
    _version, *tables = _schema_v1(metadata := MetaData())
    metadata.create_all(conn, tables=tables)


MIGRATIONS: list[tuple[int, str, Callable[[Connection], None]]] = [
    (1, "classes, members and runs", _migration_1),
]
_PG_MIGRATION_LOCK = 0x706C6179  # "play": the advisory lock replicas take while migrating


# --- helpers ------------------------------------------------------------------------------------

def database_url(url: str | None = None) -> str:
    """The URL a Board opens: `url`, else PLAYGROUND_DATABASE_URL, else the default SQLite file
    (whose folder is made here)."""
    url = url or os.environ.get(URL_VARIABLE, "").strip()
    if url:
        return url
    try:
        DATA_FOLDER.mkdir(parents=True, exist_ok=True)
    except OSError as error:  # a read-only install: every call then says the board is unavailable
        log.warning("cannot create the class board's folder %s: %s", DATA_FOLDER, error)
    return f"sqlite:///{DEFAULT_DATABASE}"


def class_hours() -> float:
    """How long a class lives: PLAYGROUND_CLASS_HOURS (0 < hours <= a week), else 12."""
    raw = os.environ.get(HOURS_VARIABLE, "").strip()
    if not raw:
        return DEFAULT_CLASS_HOURS
    try:
        hours = float(raw)
    except ValueError:
        hours = -1.0
    if not 0 < hours <= MAX_CLASS_HOURS:
        log.warning("%s=%r is not a number of hours in (0, %g]; using %g", HOURS_VARIABLE, raw, MAX_CLASS_HOURS,
                    DEFAULT_CLASS_HOURS)
        return DEFAULT_CLASS_HOURS
    return hours


def normalise_code(code: object) -> str | None:
    """'k7q2x', ' K7Q-2X ' -> 'K7Q2X'; None when it cannot be a code (length, characters)."""
    if not isinstance(code, str) or len(code) > 64:
        return None
    code = _CODE_SEPARATORS.sub("", code).upper()
    if len(code) != CODE_LENGTH or any(char not in CODE_ALPHABET for char in code):
        return None
    return code


def clean_nickname(nickname: object) -> str:
    """The nickname as kept: trimmed, inner spaces collapsed, NFC. Raises UserError if refused."""
    if not isinstance(nickname, str):
        raise UserError(N_("Type a nickname of 1 to {most} characters."), most=NICKNAME_LENGTH)
    cleaned = unicodedata.normalize("NFC", _SPACES.sub(" ", nickname[:1000]).strip())
    if not 1 <= len(cleaned) <= NICKNAME_LENGTH:
        raise UserError(N_("Type a nickname of 1 to {most} characters."), most=NICKNAME_LENGTH)
    if any(char in _BIDI_CONTROLS or unicodedata.category(char) in _REFUSED_CATEGORIES for char in cleaned):
        raise UserError(N_("A nickname cannot contain control characters; use letters, digits, spaces or "
                           "punctuation."))
    return cleaned


def nickname_key(nickname: str) -> str:
    """What makes two nicknames the same: 'ANN', 'ann' and full-width 'ＡＮＮ' are one."""
    return unicodedata.normalize("NFKC", nickname).casefold()


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _utc_now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def _aware(moment: datetime) -> datetime:
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment.astimezone(timezone.utc)


def _naive_utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo is None else moment.astimezone(timezone.utc).replace(tzinfo=None)


def _json_dict(value: object) -> dict:
    """`value` if it is a dict that JSON keeps exactly (no NaN, no objects); else UserError."""
    try:
        if not isinstance(value, dict):
            raise TypeError
        json.dumps(value, allow_nan=False)
    except (TypeError, ValueError):
        raise UserError(N_("A run is posted as plain data: a dictionary of numbers, texts and lists (no NaN).")) \
            from None
    return value


class _SchemaTooNew(RuntimeError):
    """The database was migrated by a newer version of the app than this one."""


# Errors that mean "the database is not there": connecting failed, the connection died, the pool
# waited in vain, or SQLite could not open its file.
_DOWN = (sa_exc.OperationalError, sa_exc.InterfaceError, sa_exc.TimeoutError, OSError)


# --- the board ----------------------------------------------------------------------------------

class Board:
    """Classes, members and runs in one database; one per server process, safe to share by threads."""

    def __init__(self, url: str | None = None, *, clock: Callable[[], datetime] | None = None,
                 wrong_answer_seconds: float = WRONG_ANSWER_SECONDS):
        """Opens nothing yet: the schema is made or migrated on first use, so a database that is down
        at start makes :meth:`check` (and every call) raise BoardUnavailable, not the constructor.
        `clock` (naive or aware UTC) is for tests."""
        self._clock = clock or _utc_now
        self._wrong_answer_seconds = wrong_answer_seconds
        self._wrong_answer_lock = threading.Lock()
        self._schema_lock = threading.Lock()
        self._sqlite_writer = threading.Lock()
        self._schema_ready = False
        self._seen_open: dict[str, None] = {}  # codes of classes this process saw open (oldest first)
        self._seen_lock = threading.Lock()
        self.engine: Engine | None = None
        self.url = None
        try:
            self.url = make_url(database_url(url))
            if self.url.drivername in ("postgresql", "postgres"):
                self.url = self.url.set(drivername="postgresql+psycopg")
            self.is_sqlite = self.url.get_backend_name() == "sqlite"
            self.engine = self._make_engine()
        except (sa_exc.ArgumentError, sa_exc.NoSuchModuleError, ImportError) as error:
            # A URL that is no URL, or of a database without its driver: the operator reads why in
            # the log (without the URL, which may hold a password); users read BoardUnavailable.
            log.error("%s cannot be used for the class board: %s", URL_VARIABLE, type(error).__name__)
            self.is_sqlite = False

    def _make_engine(self) -> Engine:
        if self.is_sqlite:
            engine = create_engine(self.url, hide_parameters=True, pool_size=10, max_overflow=30, pool_timeout=60,
                                   connect_args={"timeout": SQLITE_BUSY_SECONDS})

            @event.listens_for(engine, "connect")
            def sqlite_connection(dbapi_connection, _record):
                dbapi_connection.isolation_level = None  # this module emits BEGIN itself (see "begin")
                cursor = dbapi_connection.cursor()
                cursor.execute(f"PRAGMA busy_timeout = {int(SQLITE_BUSY_SECONDS * 1000)}")
                cursor.execute("PRAGMA journal_mode = WAL")
                cursor.execute("PRAGMA foreign_keys = ON")
                cursor.close()

            @event.listens_for(engine, "begin")
            def sqlite_begin(conn):
                # A writer takes the write lock at BEGIN (waiting up to busy_timeout); a deferred
                # BEGIN that upgrades later fails at once with "database is locked" under load.
                conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get("board_write")
                                     else "BEGIN")

            return engine
        return create_engine(self.url, hide_parameters=True, pool_pre_ping=True, pool_size=10, max_overflow=20,
                             pool_timeout=30, connect_args={"connect_timeout": CONNECT_SECONDS})

    def close(self) -> None:
        """Close every pooled connection (tests, a server that stops)."""
        if self.engine is not None:
            self.engine.dispose()

    # -- connections --

    @contextlib.contextmanager
    def _transaction(self, write: bool = False) -> Iterator[Connection]:
        # SQLite writers of this process queue on a lock rather than in SQLite's busy handler, whose
        # sleeps grow to 100 ms and favour no one: under 30 writers some waited seconds.
        queue = self._sqlite_writer if write and self.is_sqlite else contextlib.nullcontext()
        try:
            if self.engine is None:
                raise BoardUnavailable()
            self._ensure_schema()
            with queue, self.engine.connect() as conn:
                if write:
                    conn.execution_options(board_write=True)
                with conn.begin():
                    yield conn
        except _DOWN as error:
            log.warning("class board database unavailable: %s", type(error).__name__)
            raise BoardUnavailable() from None
        except _SchemaTooNew as error:  # e.g. an old replica during an update: it says so, it does not crash
            log.error("%s", error)
            raise BoardUnavailable() from None

    def _ensure_schema(self) -> None:
        if self._schema_ready:
            return
        with self._schema_lock:
            if self._schema_ready:
                return
            with self.engine.connect() as conn:
                conn.execution_options(board_write=True)
                with conn.begin():
                    self._migrate(conn)
            self._schema_ready = True

    def _migrate(self, conn: Connection) -> None:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_MIGRATION_LOCK})
        SCHEMA_VERSION.create(conn, checkfirst=True)
        version = conn.scalar(select(func.max(SCHEMA_VERSION.c.version))) or 0
        latest = MIGRATIONS[-1][0]
        if version > latest:
            raise _SchemaTooNew(f"the class board's database has schema version {version}, newer than this "
                                f"app's {latest}: update the app")
        for number, description, migrate in MIGRATIONS[version:]:
            migrate(conn)
            conn.execute(insert(SCHEMA_VERSION).values(version=number, description=description,
                                                       applied_at=self._now()))
            log.info("class board schema migrated to version %d (%s)", number, description)

    def schema_version(self) -> int:
        with self._transaction() as conn:
            return conn.scalar(select(func.max(SCHEMA_VERSION.c.version)))

    def check(self) -> None:
        """Raise BoardUnavailable when the database cannot be reached (or its schema made)."""
        with self._transaction() as conn:
            conn.execute(select(1))

    def _now(self) -> datetime:
        return _naive_utc(self._clock())

    def _slow_no(self) -> None:
        """Hold a wrong answer back: one at a time per process, each at least WRONG_ANSWER_SECONDS."""
        with self._wrong_answer_lock:
            time.sleep(self._wrong_answer_seconds)

    def _saw_open(self, code: str) -> None:
        with self._seen_lock:
            self._seen_open.pop(code, None)
            self._seen_open[code] = None
            while len(self._seen_open) > SEEN_CODES:
                del self._seen_open[next(iter(self._seen_open))]

    def _was_open(self, code: str) -> bool:
        with self._seen_lock:
            return code in self._seen_open

    # -- classes --

    def start_class(self, hours: float | None = None) -> ClassKeys:
        """A new class for `hours` (default class_hours()): its code and the teacher's key."""
        hours = class_hours() if hours is None else float(hours)
        if not 0 < hours <= MAX_CLASS_HOURS:
            raise UserError(N_("A class lasts more than 0 and at most {most} hours."), most=int(MAX_CLASS_HOURS))
        key = secrets.token_urlsafe(24)
        for _attempt in range(20):
            code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
            try:
                with self._transaction(write=True) as conn:
                    now = self._now()
                    # An expired class not yet purged may hold the code: it goes now, with its rows.
                    self._delete_classes(conn, list(conn.scalars(select(CLASSES.c.id).where(
                        CLASSES.c.code == code, CLASSES.c.expires_at <= now))))
                    open_classes = conn.scalar(select(func.count()).select_from(CLASSES)
                                               .where(CLASSES.c.expires_at > now))
                    if open_classes >= MAX_OPEN_CLASSES:
                        raise UserError(N_("This server already has {count} open classes, its most; try again "
                                           "later."), count=MAX_OPEN_CLASSES)
                    conn.execute(insert(CLASSES).values(
                        code=code, teacher_key_hash=_digest(key), created_at=now,
                        expires_at=now + timedelta(hours=hours), hide_nicknames=False, challenges={}))
                self._saw_open(code)
                return ClassKeys(code, key)
            except sa_exc.IntegrityError:
                continue  # that code is taken by an open class: draw another
        raise BoardUnavailable(N_("No free class code was found; try again."))

    def _live_class(self, conn: Connection, code: str | None, lock: bool = False):
        if code is None:
            return None
        query = select(CLASSES).where(CLASSES.c.code == code, CLASSES.c.expires_at > self._now())
        return conn.execute(query.with_for_update() if lock else query).first()

    def find_class(self, code: str) -> ClassInfo | None:
        """The open class of that code (case and spaces ignored); None if unknown, ended or expired.

        A no is slow, except for a code this process has seen open: a board or a student's page that
        keeps asking about its class after it ended guesses nothing, and must not queue the guessers'
        answers behind its own."""
        code = normalise_code(code)
        if code is None:
            return None
        with self._transaction() as conn:
            row = self._live_class(conn, code)
        if row is None:
            if not self._was_open(code):
                self._slow_no()
            return None
        self._saw_open(code)
        return ClassInfo(row.code, _aware(row.created_at), _aware(row.expires_at), bool(row.hide_nicknames),
                         dict(row.challenges or {}))

    def is_teacher(self, code: str, teacher_key: str) -> bool:
        """Is `teacher_key` the key of the open class `code`? A no is answered slowly."""
        code = normalise_code(code)
        if code is None or not isinstance(teacher_key, str) or not 0 < len(teacher_key) <= MAX_KEY_LENGTH:
            return False
        with self._transaction() as conn:
            row = self._live_class(conn, code)
        if row is None or not hmac.compare_digest(row.teacher_key_hash, _digest(teacher_key)):
            self._slow_no()
            return False
        return True

    @contextlib.contextmanager
    def _as_teacher(self, code: str, teacher_key: str):
        """A write transaction and the class's row (locked) if `teacher_key` is its key; else NotTeacher,
        raised slowly (after the transaction has let its locks go)."""
        try:
            with self._transaction(write=True) as conn:
                row = self._live_class(conn, normalise_code(code), lock=True)
                if (row is None or not isinstance(teacher_key, str) or len(teacher_key) > MAX_KEY_LENGTH
                        or not hmac.compare_digest(row.teacher_key_hash, _digest(teacher_key))):
                    raise NotTeacher()
                yield conn, row
        except NotTeacher:
            self._slow_no()
            raise

    def set_options(self, code: str, teacher_key: str, hide_nicknames: bool | None = None,
                    challenges: dict | None = None) -> None:
        """Hide or show nicknames; set the challenges (page -> challenge id; the dict replaces the old one)."""
        values = {}
        if hide_nicknames is not None:
            values["hide_nicknames"] = bool(hide_nicknames)
        if challenges is not None:
            if not isinstance(challenges, dict) or any(
                    page not in PAGES or not isinstance(cid, str) or not 0 < len(cid) <= 64
                    for page, cid in challenges.items()):
                raise UserError(N_("Unknown page or challenge."))
            values["challenges"] = dict(challenges)
        with self._as_teacher(code, teacher_key) as (conn, row):
            if values:
                conn.execute(update(CLASSES).where(CLASSES.c.id == row.id).values(**values))

    def close_class(self, code: str, teacher_key: str) -> None:
        """Delete the class and every member and run in it."""
        with self._as_teacher(code, teacher_key) as (conn, row):
            self._delete_classes(conn, [row.id])

    @staticmethod
    def _delete_classes(conn: Connection, class_ids: list[int]) -> None:
        # Explicit, child tables first: no reliance on ON DELETE CASCADE being enforced.
        if not class_ids:
            return
        for table in (RUNS, MEMBERS):
            conn.execute(delete(table).where(table.c.class_id.in_(class_ids)))
        conn.execute(delete(CLASSES).where(CLASSES.c.id.in_(class_ids)))

    def purge_expired(self, now: datetime | None = None) -> int:
        """Delete every class whose time is over (and its rows); returns how many classes."""
        moment = _naive_utc(now) if now is not None else self._now()
        with self._transaction(write=True) as conn:
            ids = list(conn.scalars(select(CLASSES.c.id).where(CLASSES.c.expires_at <= moment)))
            self._delete_classes(conn, ids)
        return len(ids)

    # -- members --

    def join(self, code: str, nickname: str) -> Member:
        """Join the open class `code` as `nickname` (unique in the class, regardless of case)."""
        nickname = clean_nickname(nickname)
        normalised = normalise_code(code)
        with self._transaction(write=True) as conn:
            row = self._live_class(conn, normalised, lock=True)
            if row is not None:
                count = conn.scalar(select(func.count()).select_from(MEMBERS).where(MEMBERS.c.class_id == row.id))
                if count >= MAX_MEMBERS:
                    raise UserError(N_("This class is full ({count} students)."), count=MAX_MEMBERS)
                key = nickname_key(nickname)
                taken = conn.scalar(select(MEMBERS.c.id).where(MEMBERS.c.class_id == row.id,
                                                               MEMBERS.c.nickname_key == key))
                if taken is not None:
                    raise UserError(N_("The nickname {nickname} is taken in this class; pick another."),
                                    nickname=nickname)
                token = secrets.token_urlsafe(24)
                member_id = conn.scalar(insert(MEMBERS).values(
                    class_id=row.id, nickname=nickname, nickname_key=key, token_hash=_digest(token),
                    joined_at=self._now()).returning(MEMBERS.c.id))
                return Member(member_id, token, nickname)
        self._slow_no()
        raise UserError(N_("There is no class {code}: it has ended, or the code is mistyped."),
                        code=normalised or str(code)[:CODE_LENGTH * 2])

    def leave(self, token: str) -> None:
        """The member of `token` leaves: its token stops working; its runs stay on the board (and keep
        its nickname taken) unless it posted none."""
        if not isinstance(token, str) or len(token) > MAX_KEY_LENGTH:
            return
        with self._transaction(write=True) as conn:
            member_id = conn.scalar(select(MEMBERS.c.id).where(MEMBERS.c.token_hash == _digest(token)))
            if member_id is None:
                return
            has_runs = conn.scalar(select(RUNS.c.id).where(RUNS.c.member_id == member_id).limit(1)) is not None
            if has_runs:
                conn.execute(update(MEMBERS).where(MEMBERS.c.id == member_id).values(token_hash=None))
            else:
                conn.execute(delete(MEMBERS).where(MEMBERS.c.id == member_id))

    def members(self, code: str) -> list[ClassMember]:
        """Who is in the class now (left members are not), in the order they joined."""
        code = normalise_code(code)
        if code is None:
            return []
        with self._transaction() as conn:
            rows = conn.execute(
                select(MEMBERS.c.id, MEMBERS.c.nickname, MEMBERS.c.joined_at)
                .join(CLASSES, CLASSES.c.id == MEMBERS.c.class_id)
                .where(CLASSES.c.code == code, CLASSES.c.expires_at > self._now(), MEMBERS.c.token_hash.is_not(None))
                .order_by(MEMBERS.c.id)).all()
        return [ClassMember(row.id, row.nickname, _aware(row.joined_at)) for row in rows]

    # -- runs --

    def post(self, token: str, page: str, settings: dict, figures: dict) -> int:
        """Post a run as the member of `token`; returns its id. Raises UserError when refused
        (unknown page, too big, too fast, the class full) and ClassEnded when the token posts no more."""
        if page not in PAGES:
            raise UserError(N_("Unknown page {page}."), page=str(page)[:32])
        settings, figures = _json_dict(settings), _json_dict(figures)
        if len(json.dumps(settings)) + len(json.dumps(figures)) > MAX_POST_BYTES:
            raise UserError(N_("This run is too big to post ({most} bytes at most)."), most=MAX_POST_BYTES)
        if not isinstance(token, str) or len(token) > MAX_KEY_LENGTH:
            raise ClassEnded()
        with self._transaction(write=True) as conn:
            now = self._now()
            member = conn.execute(select(MEMBERS.c.id, MEMBERS.c.class_id)
                                  .where(MEMBERS.c.token_hash == _digest(token))).first()
            if member is None:
                raise ClassEnded()
            # Lock the class row: posts of one class commit in id order, and none lands in a class
            # being closed.
            if conn.execute(select(CLASSES.c.id).where(
                    CLASSES.c.id == member.class_id, CLASSES.c.expires_at > now).with_for_update()).first() is None:
                raise ClassEnded()
            recent = conn.scalar(select(func.count()).select_from(RUNS).where(
                RUNS.c.member_id == member.id, RUNS.c.posted_at > now - timedelta(seconds=60)))
            if recent >= POSTS_PER_MINUTE:
                raise UserError(N_("You posted {count} runs in the last minute, the most there can be; the next "
                                   "one can go in a few seconds."), count=POSTS_PER_MINUTE)
            total = conn.scalar(select(func.count()).select_from(RUNS).where(RUNS.c.class_id == member.class_id))
            if total >= MAX_RUNS:
                raise UserError(N_("This class holds {count} runs, its most: no more can be posted."),
                                count=MAX_RUNS)
            return conn.scalar(insert(RUNS).values(
                class_id=member.class_id, member_id=member.id, page=page, settings=settings, figures=figures,
                posted_at=now).returning(RUNS.c.id))

    def runs(self, code: str, after_id: int = 0) -> list[RunRow]:
        """The runs of the open class `code` with an id above `after_id`, in id order, read now."""
        code = normalise_code(code)
        if code is None:
            return []
        with self._transaction() as conn:
            rows = conn.execute(
                select(RUNS, MEMBERS.c.nickname)
                .join(CLASSES, CLASSES.c.id == RUNS.c.class_id)
                .join(MEMBERS, MEMBERS.c.id == RUNS.c.member_id)
                .where(CLASSES.c.code == code, CLASSES.c.expires_at > self._now(), RUNS.c.id > int(after_id))
                .order_by(RUNS.c.id)).all()
        return [RunRow(row.id, row.page, row.nickname, row.member_id, row.settings, row.figures,
                       _aware(row.posted_at)) for row in rows]

    def remove_run(self, code: str, teacher_key: str, run_id: int) -> None:
        """The teacher removes one run of the class."""
        with self._as_teacher(code, teacher_key) as (conn, row):
            deleted = conn.execute(delete(RUNS).where(RUNS.c.id == int(run_id), RUNS.c.class_id == row.id)).rowcount
        if not deleted:
            raise UserError(N_("There is no run #{run} in this class."), run=int(run_id))


__all__ = ["Board", "BoardUnavailable", "ClassEnded", "ClassInfo", "ClassKeys", "ClassMember", "Member",
           "NotTeacher", "RunRow", "class_hours", "clean_nickname", "normalise_code"]
