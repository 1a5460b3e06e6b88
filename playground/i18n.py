"""Translations: gettext catalogues under locales/, looked up per call, never installed.

One server serves English and Chinese at the same time, so nothing here switches a language
for the process (no gettext.install()): each session asks `translator(lang)` for its own
gettext function and passes it on. Texts defined at import time (registries, presets,
lessons) are marked with `N_` so Babel extracts them, and are translated where they are shown.

The catalogue is locales/<lang>/LC_MESSAGES/messages.po, compiled to messages.mo (committed,
so a host that only installs requirements.txt needs no Babel). scripts/i18n.sh extracts,
updates and compiles; README "Languages and classroom links" has the steps.
"""

from __future__ import annotations

import functools
import gettext
from pathlib import Path
from typing import Callable

LOCALES = Path(__file__).resolve().parent.parent / "locales"
DOMAIN = "messages"
LANGUAGES = {"en": "English", "zh": "中文"}  # id -> its own name (shown untranslated)
DEFAULT_LANGUAGE = "en"

Translate = Callable[[str], str]


def N_(message: str) -> str:
    """Mark a text for extraction without translating it (it is translated where shown)."""
    return message


def identity(message: str) -> str:
    """The English 'translation': what builders use when no translator is passed."""
    return message


def parse_language(value: object) -> str | None:
    """A language id from a URL value ("zh", "ZH", "zh-CN", "en_GB"), or None if not supported."""
    if not isinstance(value, str):
        return None
    base = value.strip().replace("_", "-").split("-")[0].lower()
    return base if base in LANGUAGES else None


def language_from_locale(locale: str | None) -> str:
    """The browser's language (st.context.locale, e.g. "zh-CN") if supported, else English."""
    return parse_language(locale) or DEFAULT_LANGUAGE


@functools.lru_cache(maxsize=None)
def translator(lang: str) -> Translate:
    """The gettext function of `lang`; English (and any missing message) falls back to the msgid."""
    if lang not in LANGUAGES:
        raise ValueError(f"Unknown language {lang!r}; choose one of {', '.join(LANGUAGES)}.")
    return gettext.translation(DOMAIN, LOCALES, languages=[lang], fallback=True).gettext


class Message:
    """A text for the user: an English template (marked with N_ where written) and its fields.

    `translate(_)` translates the template, then fills in the fields, so a message that quotes
    the user's own data (a cell, a column name, a count) is shown in the user's language with
    the quoted values exactly as they are. A field that is itself a Message is translated too.
    """

    def __init__(self, template: str, **fields):
        self.template, self.fields = template, fields

    def translate(self, _: Translate = identity) -> str:
        if not self.fields:  # a finished text (it may quote braces from a file): nothing to fill in
            return _(self.template)
        values = {name: value.translate(_) if isinstance(value, Message) else value
                  for name, value in self.fields.items()}  # fmt: skip
        return _(self.template).format(**values)

    def __str__(self) -> str:
        return self.translate()


class UserError(ValueError):
    """A problem the user can fix (a bad file or setting). `str()` is English; a page shows
    `error.translate(_)`. Raise as `SomeError(N_("Row {row}: ..."), row=3)`."""

    def __init__(self, template: str, **fields):
        self.message = Message(template, **fields)
        super().__init__(str(self.message))

    def translate(self, _: Translate) -> str:
        return self.message.translate(_)
