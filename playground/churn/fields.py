"""The fields a setting of an experiment may change: one registry for the page's widgets, the URL and the CLI.

Start with :data:`FIELDS`: each :class:`Field` says how to read its value from language-neutral
text (a URL, ``--compare``, a CSV), apply it to a network and its fit settings, show it in a
label and offer it in a menu. :func:`parse_value` is the one way in from text. An experiment
(experiment.py) is a base network plus changes to one or two of these fields.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from playground.churn.model import ACTIVATIONS, INITIALIZERS, MAX_LAYERS, MAX_UNITS, OPTIMIZERS, FitSettings, NetworkSpec
from playground.i18n import N_, Translate


def _choice(allowed: Callable[[], Sequence[str]], what: str):
    def parse(text: str) -> str:
        if text not in allowed():
            raise ValueError(f"{text!r} is not {what}; allowed: {', '.join(allowed())}")
        return text
    return parse


def _number(kind: type, low: float, high: float, what: str):
    def parse(text: str):
        try:
            value = kind(text)
        except (TypeError, ValueError):
            raise ValueError(f"{text!r} is not {what}") from None
        if not (math.isfinite(value) and low < value <= high if kind is float else low <= value <= high):
            raise ValueError(f"{text!r} is out of range: {what}")
        return value
    return parse


def _parse_hidden(text: str) -> tuple[int, ...]:
    try:
        units = tuple(int(part) for part in str(text).split(",") if part.strip())
    except ValueError:
        units = ()
    if not 1 <= len(units) <= MAX_LAYERS or not all(1 <= u <= MAX_UNITS for u in units):
        raise ValueError(f"{text!r} is not a list of hidden-layer sizes; allowed: 1 to {MAX_LAYERS} whole numbers "
                         f"from 1 to {MAX_UNITS} separated by commas, e.g. 16,8")
    return units


def _with_hidden(spec: NetworkSpec, units: tuple[int, ...]) -> NetworkSpec:
    """New layer sizes; layer i keeps the base's activation of layer i (or of its last layer)."""
    activations = [activation for _, activation in spec.hidden]
    return replace(spec, hidden=tuple((u, activations[min(i, len(activations) - 1)]) for i, u in enumerate(units)))


@dataclass(frozen=True)
class Field:
    """One thing a setting can change: how to read it as text, apply it, and show it."""

    id: str
    label: str  # the page's widget label (a msgid, shown translated)
    parse: Callable[[str], object]  # language-neutral text (URL, CLI, CSV) -> value; ValueError says what is allowed
    read: Callable[[NetworkSpec, FitSettings], object]
    apply: Callable[[NetworkSpec, FitSettings, object], tuple[NetworkSpec, FitSettings]]
    choices: Callable[[], tuple[str, ...]]  # the page's menu (as text)
    show: Callable[[object, Translate], str]  # short label part, e.g. "batch 10", in the language of `_`

    def text(self, value) -> str:
        if isinstance(value, bool):
            return "on" if value else "off"
        if isinstance(value, tuple):
            return ",".join(str(v) for v in value)
        return f"{value:g}" if isinstance(value, float) else str(value)


LEARNING_RATES = ("0.0001", "0.0003", "0.001", "0.002", "0.003", "0.01", "0.03", "0.1", "0.3", "1")
BATCH_SIZES = ("1", "5", "10", "16", "32", "64", "128", "256", "512", "1000", "8000")
HIDDEN_SHAPES = ("6", "6,6", "6,6,6", "16,8", "32,16", "64,64", "64,64,64")

FIELDS: dict[str, Field] = {f.id: f for f in (
    Field("activation", N_("Activation (every hidden layer)"), _choice(lambda: tuple(ACTIVATIONS), "an activation"),
          lambda spec, settings: "/".join(dict.fromkeys(a for _, a in spec.hidden)),
          lambda spec, settings, v: (replace(spec, hidden=tuple((u, v) for u, _ in spec.hidden)), settings),
          lambda: tuple(ACTIVATIONS), lambda v, _: str(v)),
    Field("hidden", N_("Hidden units per layer"), _parse_hidden,
          lambda spec, settings: tuple(u for u, _ in spec.hidden),
          lambda spec, settings, v: (_with_hidden(spec, v), settings),
          lambda: HIDDEN_SHAPES, lambda v, _: _("hidden {units}").format(units="-".join(str(u) for u in v))),
    Field("initializer", N_("Initial weights"), _choice(lambda: tuple(INITIALIZERS), "an initializer"),
          lambda spec, settings: spec.initializer,
          lambda spec, settings, v: (replace(spec, initializer=v), settings),
          lambda: tuple(INITIALIZERS), lambda v, _: str(v)),
    Field("optimizer", N_("Optimizer"), _choice(lambda: tuple(OPTIMIZERS), "an optimizer"),
          lambda spec, settings: spec.optimizer,
          lambda spec, settings, v: (replace(spec, optimizer=v), settings),
          lambda: tuple(OPTIMIZERS), lambda v, _: str(v)),
    Field("learning_rate", N_("Learning rate"),
          _number(float, 0, 10, "a learning rate; allowed: a number above 0 and at most 10, e.g. 0.001"),
          lambda spec, settings: spec.learning_rate,
          lambda spec, settings, v: (replace(spec, learning_rate=v), settings),
          lambda: LEARNING_RATES, lambda v, _: "lr {v:g}".format(v=v)),
    Field("batch_size", N_("Batch size"),
          _number(int, 1, 1_000_000, "a batch size; allowed: a whole number from 1, e.g. 10 (8000 = every training row)"),
          lambda spec, settings: settings.batch_size,
          lambda spec, settings, v: (spec, replace(settings, batch_size=v)),
          lambda: BATCH_SIZES, lambda v, _: _("batch {size}").format(size=v)),
    Field("class_weights", N_("Class weights"), _choice(lambda: ("on", "off"), "on or off"),
          lambda spec, settings: settings.class_weights,
          lambda spec, settings, v: (spec, replace(settings, class_weights=v in (True, "on"))),
          lambda: ("on", "off"), lambda v, _: _("class weights") if v in (True, "on") else _("no class weights")),
)}
# Applied in this order whatever order the changes come in: new layer sizes keep the base's
# activations, so "hidden" must come before "activation".
APPLY_ORDER = tuple(FIELDS)


def parse_value(field_id: str, text: str):
    """A field's value from its text; ValueError naming the field and what it allows."""
    if field_id not in FIELDS:
        raise ValueError(f"unknown field {field_id!r}; allowed fields: {', '.join(FIELDS)}")
    try:
        value = FIELDS[field_id].parse(str(text).strip())
    except ValueError as error:
        raise ValueError(f"{field_id}: {error}") from None
    return value in (True, "on") if field_id == "class_weights" else value
