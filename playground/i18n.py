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
