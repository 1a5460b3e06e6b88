"""A link whose values the page cannot use says so, once, and the address is corrected.

A shared link can carry anything: ``?opt.steps=abc``, ``?churn.layers=99``, ``?opt.surface=moon``.
Streamlit checks the values of widgets bound with ``bind="query-params"`` itself
(``SessionState._seed_widget_from_url``): a value it cannot parse, an unknown option, a number
outside the widget's range or an empty value is dropped from the URL and the widget keeps its
default; a list with some unknown options is filtered and the URL corrected - all silently. ``language.choice`` and
``language.url_tabs`` fall back to their default the same way and call :func:`refuse`.

app.py runs the page inside :func:`checked`:

- before the page: it keeps the query string the browser sent for this run, puts an empty slot
  at the top of the page, and notes the label of every widget the page shows (a tap on this
  run's ``ScriptRunContext.enqueue``: a widget's label is only in its element);
- after the page: for each parameter of that query string bound to a widget registered for the
  first time in this session's current page (so its value came from the address, not from a
  click or a preset), it compares what the address asked for with the value the widget holds,
  both parsed the way Streamlit parses a URL value ("0.50" and "0.5" agree), adds what
  :func:`refuse` collected, makes the address say what the page shows, and fills the slot with
  one ``st.warning`` naming each setting (its label), the value asked for and the value used.

Each (page, parameter, value) is told once per session. If the page stopped early
(``st.stop()``), the notice waits for the next run. Values from the address are shown as text
(markdown characters escaped, cut to 40 characters): a link is written by someone else.

The Streamlit internals this needs (this run's context, a bound widget's binding and metadata, URL
values parsed and written as Streamlit does) are wrapped in ``pages/server/compat.py``;
tests/test_shell_url_check.py runs every page through them.
"""

from __future__ import annotations

import logging
from contextlib import contextmanager
from urllib.parse import parse_qs

import streamlit as st

from pages.server import compat
from pages.shell.language import as_text, gettext

REFUSED = "ui.url_check._refused"  # [(key, label, asked, used)] from refuse(), until told
PENDING = "ui.url_check._pending"  # lines of a notice a stopped run could not show
TOLD = "ui.url_check._told"  # {(page, key, asked)} already told in this session
LONGEST = 40  # characters of a value from the address that are shown
_LOGGER = logging.getLogger(__name__)


def refuse(key: str, label: str, asked, used: str) -> None:
    """Note that the address's `key` = `asked` was not used; the page shows `used` for `label`.

    For settings that are not Streamlit-bound widgets (``language.choice``); the caller corrects
    the address itself."""
    st.session_state.setdefault(REFUSED, []).append((key, label, _as_text(asked), used))


@contextmanager
def checked():
    """Run the page inside this block (see the module docstring)."""
    ctx = compat.this_run()
    if ctx is None:
        yield
        return
    _ = gettext()  # the language app.py chose before the page
    asked = {key: values if len(values) > 1 else values[0]
             for key, values in parse_qs(compat.run_query_string(ctx), keep_blank_values=True).items()}
    labels = compat.widget_labels(ctx)
    slot = st.empty()
    waiting = st.session_state.pop(PENDING, [])  # from a run that stopped before it could show them
    if waiting:
        _notice(slot, waiting, _)
    try:
        yield
    finally:
        # After st.stop() every st.* call (st.session_state included) raises again: from here on
        # only the raw SessionState, which has no stop check.
        session = compat.raw_session_state(ctx)
        try:
            lines = _unused_values(compat.run_page(ctx), session, asked, labels, _)
        except (AttributeError, KeyError, TypeError, ValueError):  # a Streamlit whose internals moved
            _LOGGER.exception("Could not check the address's values; the page is shown without the notice.")
            lines = []
        if lines:
            try:
                _notice(slot, waiting + lines, _)
            except compat.ScriptControlException:  # the page called st.stop(): the next run shows it
                session[PENDING] = lines


def _notice(slot, lines: list[str], _) -> None:
    slot.warning("\n".join([_("This link asks for values the page cannot use; it shows these instead:"), ""]
                           + [f"- {line}" for line in lines]))


def _unused_values(page: str, session, asked: dict, labels: dict, _) -> list[str]:
    """The notice's lines for this run; corrects the address of every bound setting it names."""
    told = session[TOLD] if TOLD in session else set()
    found = list(session[REFUSED]) if REFUSED in session else []
    if REFUSED in session:
        del session[REFUSED]
    for key, value in asked.items():
        widget = compat.widget_from_address(session, key)
        if widget is None:
            continue  # not a widget of this page, or its value came from a click, not the address
        if _parsed(value, widget.kind) == _parsed(widget.url_form, widget.kind):
            continue
        found.append((key, labels.get(widget.widget_id, ""), _as_text(value), _shown(widget.url_form, widget.kind, _)))
        compat.correct_address(session, key, widget)
    lines = []
    for key, label, text, used in found:
        if (page, key, text) in told:
            continue
        told.add((page, key, text))
        setting = f"{label} ({key})" if label else key  # a hidden widget (classroom link) shows no label
        lines.append(_("{setting}: the link says “{asked}”, the page uses {used}.").format(
            setting=_markdown_text(setting), asked=_markdown_text(text), used=_markdown_text(used)))
    session[TOLD] = told
    return lines


def _parsed(value, kind: str):
    try:
        return compat.parse_address_value(value, kind)
    except (ValueError, TypeError, AttributeError):
        return ("unparsable", str(value))


def _shown(url_form, kind: str, _) -> str:
    if kind == "bool_value":
        return _("on") if url_form == "true" else _("off")
    if isinstance(url_form, list):
        return ", ".join(url_form) if url_form else _("nothing")
    return url_form


def _as_text(value) -> str:
    text = ", ".join(value) if isinstance(value, list) else str(value)
    return text if len(text) <= LONGEST else text[: LONGEST - 1] + "…"


def _markdown_text(text: str) -> str:
    """`text` shown as itself inside markdown: no emphasis, link, heading, HTML or LaTeX from it."""
    return as_text(" ".join(str(text).split()))
