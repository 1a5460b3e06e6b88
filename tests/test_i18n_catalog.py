"""The translation catalogue: complete, compiled, placeholders intact, looked up per call."""

from __future__ import annotations

import builtins
import gettext
import io
import re

import pytest

pytest.importorskip("babel", reason="Babel (requirements-dev.txt) extracts and compiles the catalogue")

from babel.messages.frontend import CommandLineInterface  # noqa: E402
from babel.messages.mofile import write_mo  # noqa: E402
from babel.messages.pofile import read_po  # noqa: E402

from apptest_utils import REPO  # noqa: E402
from playground import i18n  # noqa: E402

TRANSLATED = [lang for lang in i18n.LANGUAGES if lang != "en"]
SOURCES = ["app.py", "pages", "playground"]
PLACEHOLDER = re.compile(r"\{[a-z_]*\}|%\{[^}]*\}")  # str.format fields and plotly's %{x:.2f}
LATEX_GROUP = re.compile(r"\\[A-Za-z]+\{[^{}]*\}")  # \text{otherwise}: words to translate, not a field


def _placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(LATEX_GROUP.sub("", text)))


def _po(lang: str):
    with open(REPO / "locales" / lang / "LC_MESSAGES" / "messages.po", "rb") as handle:
        return read_po(handle)


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    """Every message the sources mark with _() or N_(), extracted now by Babel (like scripts/i18n.sh)."""
    pot = tmp_path_factory.mktemp("i18n") / "messages.pot"
    CommandLineInterface().run(
        ["pybabel", "-q", "extract", "-F", str(REPO / "babel.cfg"), "-o", str(pot), *[str(REPO / s) for s in SOURCES]]
    )
    with open(pot, "rb") as handle:
        return read_po(handle)


@pytest.mark.parametrize("lang", TRANSLATED)
def test_every_extracted_message_has_a_translation(extracted, lang):
    catalogue = _po(lang)
    problems = []
    for message in extracted:
        if not message.id:
            continue
        translated = catalogue.get(message.id)
        where = ", ".join(f"{path}:{line}" for path, line in message.locations[:2])
        if translated is None:
            problems.append(f"not in the catalogue ({where}): {message.id!r}")
        elif not translated.string:
            problems.append(f"no translation ({where}): {message.id!r}")
        elif translated.fuzzy:
            problems.append(f"fuzzy ({where}): {message.id!r}")
    assert not problems, "run `bash scripts/i18n.sh update`, translate, then `compile`:\n" + "\n".join(problems)


@pytest.mark.parametrize("lang", TRANSLATED)
def test_compiled_catalogue_matches_the_po_file(lang):
    """The app reads the committed .mo: it must be the compiled form of the .po."""
    compiled = io.BytesIO()
    write_mo(compiled, _po(lang))
    compiled.seek(0)
    with open(REPO / "locales" / lang / "LC_MESSAGES" / "messages.mo", "rb") as handle:
        committed = gettext.GNUTranslations(handle)
    fresh = gettext.GNUTranslations(compiled)
    assert committed._catalog == fresh._catalog, "run `bash scripts/i18n.sh compile` and commit the .mo"


@pytest.mark.parametrize("lang", TRANSLATED)
def test_translations_keep_every_placeholder(lang):
    broken = [
        (message.id, message.string)
        for message in _po(lang)
        if message.id and message.string
        and _placeholders(message.id) != _placeholders(message.string)
    ]  # fmt: skip
    assert not broken, broken


def test_no_f_string_inside_a_translation_call():
    """Babel cannot extract _(f"...") (the msgid would differ at run time): use .format()."""
    offenders = []
    for folder in ("pages", "playground"):
        for path in (REPO / folder).rglob("*.py"):
            for number, line in enumerate(path.read_text().splitlines(), start=1):
                if re.search(r"\bN?_\(\s*f[\"']", line):
                    offenders.append(f"{path.relative_to(REPO)}:{number}")
    assert not offenders, offenders


def test_translator_is_looked_up_per_call_and_never_installed():
    zh, en = i18n.translator("zh"), i18n.translator("en")
    assert zh("Activations") == "激活函数"
    assert en("Activations") == "Activations"
    assert zh("a message nobody wrote") == "a message nobody wrote"  # falls back to the English msgid
    assert zh("Activations") == "激活函数" and en("Activations") == "Activations"  # no shared switch
    assert not hasattr(builtins, "_"), "gettext.install() would switch the language for every session"
    with pytest.raises(ValueError, match="Unknown language"):
        i18n.translator("xx")


@pytest.mark.parametrize(
    ("value", "expected"),
    [("zh", "zh"), ("ZH", "zh"), ("zh-CN", "zh"), ("zh_Hans_CN", "zh"), ("en-GB", "en"), ("fr", None),
     ("", None), ("<script>", None), (None, None), (["zh"], None)],
)  # fmt: skip
def test_parse_language(value, expected):
    assert i18n.parse_language(value) == expected


@pytest.mark.parametrize(("locale", "expected"), [("zh-CN", "zh"), ("zh-TW", "zh"), ("en-US", "en"), ("de-DE", "en"),
                                                  (None, "en")])  # fmt: skip
def test_browser_locale_decides_without_a_link_language(locale, expected):
    assert i18n.language_from_locale(locale) == expected
