"""Presets that each make one point, as settings for the page (and epochs to train to see it).

`preset_values(name)` gives every setting (the defaults, overridden by the preset); the tests
train each preset headless with the engine and check the claim in its `point`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import MutableMapping

from playground.boundary import features
from playground.boundary.settings import DEFAULTS, activation_key, feature_key, neurons_key
from playground.i18n import N_


@dataclass(frozen=True)
class Preset:
    title: str  # a msgid: shown translated
    point: str  # the one thing it shows, as the page says it (a msgid)
    data: str
    features: tuple[str, ...]
    hidden: tuple[int, ...] = ()
    activation: str = "tanh"
    epochs: int = 300  # train this long to see the point
    extra: dict = field(default_factory=dict)  # other settings (keys of DEFAULTS)


PRESETS: dict[str, Preset] = {p_name: p for p_name, p in (
    ("xor_line", Preset(
        N_("XOR: a straight line fails"), N_("With no hidden layer the network draws one straight line. No line "
        "splits XOR's four squares: the best gets three of four right, so accuracy stays below 80 %."),
        "xor", ("x1", "x2"))),
    ("xor_hidden", Preset(
        N_("XOR: one hidden layer succeeds"), N_("Four tanh neurons each draw a line; the output combines them into "
        "a bent boundary, and accuracy passes 95 %."),
        "xor", ("x1", "x2"), (4,))),
    ("circle_squares", Preset(
        N_("Circle: linear in x₁² and x₂²"), N_("Inside the circle x₁² + x₂² is small: in the features x₁² and x₂² "
        "the circle is a straight line, so no hidden layer is needed (accuracy above 97 %)."),
        "circle", ("x1sq", "x2sq"), epochs=100)),
    ("spiral_sin", Preset(
        N_("Spiral: sin features"), N_("With sin(x₁) and sin(x₂) as extra inputs two small layers untangle the "
        "spiral (test accuracy above 90 % within 300 epochs); with x₁, x₂ alone they struggle."),
        "spiral", ("x1", "x2", "sin1", "sin2"), (8, 8),
        # TensorFlow Playground's tanh output on -1/+1: above 95 % after 50 epochs (the sigmoid with
        # cross-entropy: 83 %), so the point shows while the class watches
        extra={"bd.loss": "tanh"})),
    ("spiral_deep", Preset(
        N_("Spiral: depth"), N_("From x₁ and x₂ alone, four ReLU layers of 8 (with Adam) bend the plane enough to "
        "follow the spiral: test accuracy above 90 %."),
        "spiral", ("x1", "x2"), (8, 8, 8, 8), "relu", extra={"bd.opt": "adam", "bd.lr": 0.01})),
    ("explode", Preset(
        N_("Too high a learning rate explodes"), N_("With learning rate 3 each step overshoots further than the last: "
        "the loss grows without bound in the first epoch, and training stops there."),
        "reg_plane", ("x1", "x2"), (4,), epochs=20, extra={"bd.lr": 3.0, "bd.loss": "squared_error"})),
    ("overfit", Preset(
        N_("Overfitting: few noisy points"), N_("30 noisy training points and a big network: the training loss falls "
        "to almost 0 while the test loss rises (the boundary wraps around single points)."),
        "gauss", ("x1", "x2"), (8, 8, 8), "relu", epochs=1500,
        extra={"bd.points": 100, "bd.noise": 50, "bd.train": 30, "bd.opt": "adam", "bd.lr": 0.03})),
    ("overfit_l2", Preset(
        N_("…and L2 fixes it"), N_("The same network with an L2 penalty of 0.03 on its weights keeps the boundary "
        "smooth: the test loss ends far below the unregularised run's."),
        "gauss", ("x1", "x2"), (8, 8, 8), "relu", epochs=1500,
        extra={"bd.points": 100, "bd.noise": 50, "bd.train": 30, "bd.opt": "adam", "bd.lr": 0.03,
               "bd.reg": "l2", "bd.rate": 0.03})),
)}


def preset_values(name: str) -> dict[str, object]:
    preset = PRESETS[name]
    values = dict(DEFAULTS)
    values["bd.data"] = preset.data
    for feature in features.names():
        values[feature_key(feature)] = feature in preset.features
    values["bd.layers"] = len(preset.hidden)
    for layer, size in enumerate(preset.hidden, start=1):
        values[neurons_key(layer)] = size
        values[activation_key(layer)] = preset.activation
    values.update(preset.extra)
    return values


def apply_preset(state: MutableMapping, name: str) -> None:
    """Write the preset's settings into `state` (an on_click callback, before widgets render)."""
    state.update(preset_values(name))
