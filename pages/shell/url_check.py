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

Streamlit internals read here (1.67; tests/test_shell_url_check.py runs every page through
them): ``ScriptRunContext.query_string``, ``.enqueue``, ``.page_script_hash``, ``.session_state``
(``._state``: ``SessionState._old_state``, ``._new_widget_state.widget_metadata``, ``.query_params``),
``QueryParams.get_binding_for_param`` / ``set_corrected_value`` / ``remove_param``, and
``query_params.parse_url_param`` / ``_coerce_value_for_query_url``.
"""

from __future__ import annotations

import logging
import re
from contextlib import contextmanager
from urllib.parse import parse_qs

import streamlit as st
from streamlit.runtime.scriptrunner_utils.exceptions import ScriptControlException
from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx
from streamlit.runtime.state.query_params import _coerce_value_for_query_url, parse_url_param

from pages.shell.language import gettext

REFUSED = "ui.url_check._refused"  # [(key, label, asked, used)] from refuse(), until told
PENDING = "ui.url_check._pending"  # lines of a notice a stopped run could not show
TOLD = "ui.url_check._told"  # {(page, key, asked)} already told in this session
LONGEST = 40  # characters of a value from the address that are shown
_LOGGER = logging.getLogger(__name__)
_LABELS = "_url_check_labels"  # attribute of this run's ScriptRunContext: widget id -> label


def refuse(key: str, label: str, asked, used: str) -> None:
    """Note that the address's `key` = `asked` was not used; the page shows `used` for `label`.

    For settings that are not Streamlit-bound widgets (``language.choice``); the caller corrects
    the address itself."""
    st.session_state.setdefault(REFUSED, []).append((key, label, _as_text(asked), used))


@contextmanager
def checked():
    """Run the page inside this block (see the module docstring)."""
    ctx = get_script_run_ctx()
    if ctx is None:
        yield
        return
    _ = gettext()  # the language app.py chose before the page
    asked = {key: values if len(values) > 1 else values[0]
             for key, values in parse_qs(ctx.query_string or "", keep_blank_values=True).items()}
    _tap_labels(ctx)
    slot = st.empty()
    waiting = st.session_state.pop(PENDING, [])  # from a run that stopped before it could show them
    if waiting:
        _notice(slot, waiting, _)
    try:
        yield
    finally:
        # After st.stop() every st.* call (st.session_state included) raises again: from here on
        # only the raw SessionState, which has no stop check.
        session = ctx.session_state._state  # streamlit.runtime.state.session_state.SessionState
        try:
            lines = _unused_values(ctx, session, asked, _)
        except (AttributeError, KeyError, TypeError, ValueError):  # a Streamlit whose internals moved
            _LOGGER.exception("Could not check the address's values; the page is shown without the notice.")
            lines = []
        if lines:
            try:
                _notice(slot, waiting + lines, _)
            except ScriptControlException:  # the page called st.stop(): the next run shows it
                session[PENDING] = lines


def _notice(slot, lines: list[str], _) -> None:
    slot.warning("\n".join([_("This link asks for values the page cannot use; it shows these instead:"), ""]
                           + [f"- {line}" for line in lines]))


def _unused_values(ctx, session, asked: dict, _) -> list[str]:
    """The notice's lines for this run; corrects the address of every bound setting it names."""
    told = session[TOLD] if TOLD in session else set()
    page = ctx.page_script_hash
    found = list(session[REFUSED]) if REFUSED in session else []
    if REFUSED in session:
        del session[REFUSED]
    labels = getattr(ctx, _LABELS, {})
    params = session.query_params
    for key, value in asked.items():
        binding = params.get_binding_for_param(key)
        if binding is None or binding.widget_id in session._old_state:
            continue  # not a widget of this page, or its value came from a click, not the address
        metadata = session._new_widget_state.widget_metadata.get(binding.widget_id)
        if metadata is None or binding.widget_id not in session:
            continue
        kind = metadata.value_type
        in_use = session[binding.widget_id]
        url_form = _coerce_value_for_query_url(metadata.serializer(in_use), kind)
        if _parsed(value, kind) == _parsed(url_form, kind):
            continue
        found.append((key, labels.get(binding.widget_id, ""), _as_text(value), _shown(url_form, kind, _)))
        if in_use == metadata.deserializer(None):
            params.remove_param(key)  # the default is left out of the address
        elif not params.stored_param_matches_corrected_value(key, metadata.serializer(in_use), kind):
            params.set_corrected_value(key, metadata.serializer(in_use), kind)
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
        return parse_url_param(value, kind)
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
    text = " ".join(str(text).split())
    return re.sub(r"([\\`*_{}\[\]()#+\-.!|<>~$:&])", r"\\\1", text)


def _tap_labels(ctx) -> None:
    """Note each widget's label as its element is sent (hidden widgets send none: their key is used)."""
    setattr(ctx, _LABELS, {})
    if getattr(ctx, "_url_check_tapped", False):
        return
    send = ctx.enqueue

    def enqueue(msg):
        if msg.WhichOneof("type") == "delta" and msg.delta.WhichOneof("type") == "new_element":
            element = msg.delta.new_element
            proto = getattr(element, element.WhichOneof("type") or "", None)
            widget_id, label = getattr(proto, "id", ""), getattr(proto, "label", "")
            if widget_id and label:
                getattr(ctx, _LABELS, {})[widget_id] = label
        send(msg)

    ctx.enqueue = enqueue
    ctx._url_check_tapped = True
