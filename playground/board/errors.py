"""What the class board can answer instead of a result: the database is away, the key is not the
teacher's, the class has ended. Apart from playground.board.store so that a page can catch them
without importing SQLAlchemy (~0.2 s) before it ever uses the board."""

from __future__ import annotations

from playground.i18n import N_, UserError


class BoardUnavailable(UserError):
    """The database cannot be reached (down, unreachable, its file cannot be opened). The app goes on."""

    def __init__(self, template: str = N_("The class board's database cannot be reached just now. Everything "
                                          "else works as usual; try again in a moment."), **fields):
        super().__init__(template, **fields)


class NotTeacher(UserError):
    """A teacher's action with a key that is not the class's (or for a class that has ended)."""

    def __init__(self):
        super().__init__(N_("Only the teacher link of this class can change it (or the class has ended)."))


class ClassEnded(UserError):
    """A member's token that no longer posts: the class was closed or expired, or the member left."""

    def __init__(self):
        super().__init__(N_("This class has ended (or you left it): the run was not posted."))
