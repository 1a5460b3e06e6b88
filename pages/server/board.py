"""The server's one class board (``playground.board.store.Board``), shared by every session, and the
thread that deletes expired classes.

Every session reads and writes through the one Board (it is thread-safe: a SQLAlchemy engine with
its own connection pool); nothing read from it is cached here, so a board always shows the rows of
the moment it asks. When the database cannot be reached, :func:`class_board` raises
``BoardUnavailable`` and is tried again on the next call (``st.cache_resource`` keeps no failure).
"""

from __future__ import annotations

import logging
import threading
import time
from typing import TYPE_CHECKING

import streamlit as st

from playground.board.errors import BoardUnavailable, ClassEnded

if TYPE_CHECKING:
    from playground.board.store import Board

PURGE_SECONDS = 300.0  # how often expired classes (PLAYGROUND_CLASS_HOURS old) are deleted
log = logging.getLogger(__name__)


@st.cache_resource(show_spinner=False)
def class_board() -> Board:
    """The process's Board (PLAYGROUND_DATABASE_URL, or the default SQLite file); starts the purge.
    SQLAlchemy is imported here, at the first use of the board, not in every page's first run."""
    from playground.board.store import Board

    board = Board()
    board.check()  # fail here, not in the middle of a page, while the database is down
    _start_purge(board)
    return board


def _start_purge(board: Board) -> threading.Thread:
    def purge_forever() -> None:
        while True:
            try:
                deleted = board.purge_expired()
                if deleted:
                    log.info("deleted %d expired class(es)", deleted)
            except BoardUnavailable:
                pass  # the database is down: the next round tries again
            except Exception:  # never let the thread die: an unexpected error is logged, without codes or keys
                log.exception("purging expired classes failed")
            time.sleep(PURGE_SECONDS)

    thread = threading.Thread(target=purge_forever, name="playground-class-purge", daemon=True)
    thread.start()
    return thread


__all__ = ["BoardUnavailable", "ClassEnded", "class_board"]
