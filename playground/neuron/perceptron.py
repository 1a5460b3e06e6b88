"""One artificial neuron, Rosenblatt's perceptron rule, and the parameter count of dense layers.

Pure numpy: the Neuron & backprop page draws these numbers, the tests check them against Keras.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from playground.activations import functions as activations
from playground.i18n import Translate, identity

# ---------------------------------------------------------------------------
# One neuron: z = w . x + b, a = f(z)
# ---------------------------------------------------------------------------


def activation(name: str):
    """The activation registry's entry for `name` (fn, grad, formula, ...)."""
    if name not in activations.names():
        raise ValueError(f"Unknown activation {name!r}; choose one of {', '.join(activations.names())}.")
    return activations.get(name)


def apply_activation(name: str, x) -> np.ndarray:
    """f(x) elementwise, with the registry's default parameters (e.g. leaky_relu's alpha)."""
    entry = activation(name)
    return entry.fn(np.asarray(x, dtype=np.float64), **entry.params)


def activation_derivative(name: str, x) -> np.ndarray:
    """f'(x) elementwise, with the registry's default parameters and Keras' convention at kinks."""
    entry = activation(name)
    return entry.grad(np.asarray(x, dtype=np.float64), **entry.params)


def activation_names() -> list[str]:
    """Ids of the registry's elementwise activations."""
    return list(activations.names())


@dataclass(frozen=True)
class NeuronOutput:
    """Everything the page shows about one neuron for one input."""

    inputs: np.ndarray
    weights: np.ndarray
    bias: float
    products: np.ndarray  # w_i * x_i, one per input
    z: float  # weighted sum w . x + b
    a: float  # output f(z)
    activation: str


def neuron_forward(inputs, weights, bias: float, activation_name: str) -> NeuronOutput:
    """Weighted sum z = sum_i w_i x_i + b, then the activation a = f(z) (registry defaults)."""
    x = np.asarray(inputs, dtype=np.float64)
    w = np.asarray(weights, dtype=np.float64)
    if x.shape != w.shape or x.ndim != 1:
        raise ValueError(f"Need one weight per input; got {x.shape[0] if x.ndim else 0} inputs and {w.size} weights.")
    products = w * x
    z = float(products.sum() + bias)
    a = float(apply_activation(activation_name, [z])[0])
    return NeuronOutput(x, w, float(bias), products, z, a, activation_name)


def tex_number(value: float, digits: int = 4) -> str:
    """A number for LaTeX with `digits` significant digits: 1.2e-05 -> 1.2\\times10^{-5}."""
    if not np.isfinite(value):
        return r"\infty" if value > 0 else (r"-\infty" if value < 0 else r"\text{NaN}")
    if value == 0:
        return "0"
    text = f"{value:.{digits}g}"
    if "e" in text:
        mantissa, exponent = text.split("e")
        return rf"{mantissa}\times10^{{{int(exponent)}}}"
    return text


def neuron_equations(result: NeuronOutput) -> list[str]:
    """LaTeX of z = w . x + b (one line per step: it fits a narrow column) and a = f(z), numbers filled in."""
    n = result.inputs.size
    symbols = " + ".join(f"w_{i}x_{i}" for i in range(1, n + 1))
    numbers = " + ".join(
        rf"{tex_factor(w)}\cdot{tex_factor(x)}" for w, x in zip(result.weights, result.inputs)
    )
    return [
        rf"\begin{{aligned}} z &= {symbols} + b \\ &= {numbers} + {tex_factor(result.bias)} \\ "
        rf"&= {tex_number(result.z)} \end{{aligned}}",
        rf"a = f(z) = f({tex_number(result.z)}) = {tex_number(result.a)}",
    ]


def tex_factor(value: float) -> str:
    """A number in parentheses when negative, so products read unambiguously."""
    text = tex_number(value)
    return f"({text})" if value < 0 else text


def neuron_output_grid(weights, bias: float, activation_name: str, xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
    """The two-input neuron's output f(w1*x + w2*y + b) at every point of the grid xs x ys (rows = ys)."""
    grid_x, grid_y = np.meshgrid(np.asarray(xs, float), np.asarray(ys, float))
    z = weights[0] * grid_x + weights[1] * grid_y + bias
    return apply_activation(activation_name, z)


# ---------------------------------------------------------------------------
# Data sets: the logic gates
# ---------------------------------------------------------------------------

GATE_INPUTS = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])

DATASETS: dict[str, np.ndarray] = {
    "AND": np.array([0.0, 0.0, 0.0, 1.0]),
    "OR": np.array([0.0, 1.0, 1.0, 1.0]),
    "XOR": np.array([0.0, 1.0, 1.0, 0.0]),
}


def dataset(name: str) -> tuple[np.ndarray, np.ndarray]:
    """Inputs (4 x 2) and 0/1 targets of a logic gate: "AND", "OR" or "XOR"."""
    if name not in DATASETS:
        raise ValueError(f"Unknown data set {name!r}; choose one of {', '.join(DATASETS)}.")
    return GATE_INPUTS.copy(), DATASETS[name].copy()


# ---------------------------------------------------------------------------
# The perceptron learning rule (Rosenblatt, 1957)
# ---------------------------------------------------------------------------


MAX_EPOCHS = 50  # passes over the data before the rule gives up (XOR never converges)


def step(z):
    """Threshold unit: 1 where z >= 0, else 0 (the perceptron's activation)."""
    return np.where(np.asarray(z) >= 0, 1.0, 0.0)


@dataclass(frozen=True)
class PerceptronVisit:
    """One visit of the rule to one training point, and the update it made."""

    number: int  # 1-based count of visits
    epoch: int  # 1-based pass over the data
    point: int  # index of the point in the data set
    x: tuple[float, float]
    target: float
    prediction: float
    weights_before: tuple[float, float]
    bias_before: float
    weights_after: tuple[float, float]
    bias_after: float

    @property
    def error(self) -> float:
        """target - prediction: +1, 0 or -1."""
        return self.target - self.prediction


@dataclass(frozen=True)
class PerceptronRun:
    """The whole deterministic trace of the rule from one start."""

    start_weights: tuple[float, float]
    start_bias: float
    learning_rate: float
    visits: tuple[PerceptronVisit, ...]
    converged: bool  # a full pass with no mistake happened
    epochs: int  # passes made

    def state_after(self, count: int) -> tuple[np.ndarray, float]:
        """Weights and bias after the first `count` visits (0 = the start)."""
        if count <= 0 or not self.visits:
            return np.array(self.start_weights), self.start_bias
        visit = self.visits[min(count, len(self.visits)) - 1]
        return np.array(visit.weights_after), visit.bias_after


def perceptron_run(
    inputs: np.ndarray,
    targets: np.ndarray,
    start_weights=(0.0, 0.0),
    start_bias: float = 0.0,
    learning_rate: float = 0.5,
    max_epochs: int = MAX_EPOCHS,
) -> PerceptronRun:
    """Apply the perceptron rule point by point, in order, until one pass makes no mistake.

    For each point: prediction = step(w . x + b); w <- w + lr (target - prediction) x;
    b <- b + lr (target - prediction). On linearly separable data this stops after finitely
    many mistakes (Novikoff, 1962); on XOR it cycles for ever, so it stops at `max_epochs`.
    """
    if not learning_rate > 0:
        raise ValueError("The learning rate must be positive.")
    w = np.array(start_weights, dtype=np.float64)
    b = float(start_bias)
    visits: list[PerceptronVisit] = []
    converged = False
    epoch = 0
    for epoch in range(1, max_epochs + 1):
        mistakes = 0
        for index, (x, target) in enumerate(zip(inputs, targets)):
            prediction = float(step(w @ x + b))
            error = float(target) - prediction
            new_w = w + learning_rate * error * x
            new_b = b + learning_rate * error
            mistakes += error != 0
            visits.append(
                PerceptronVisit(
                    len(visits) + 1, epoch, index, tuple(map(float, x)), float(target), prediction,
                    tuple(map(float, w)), b, tuple(map(float, new_w)), float(new_b),
                )
            )
            w, b = new_w, new_b
        if mistakes == 0:
            converged = True
            break
    return PerceptronRun(
        tuple(map(float, start_weights)), float(start_bias), float(learning_rate), tuple(visits), converged, epoch
    )


def visit_rows(run: PerceptronRun, shown: int, last: int = 8, _: Translate = identity) -> list[dict]:
    """The last `last` of the first `shown` visits, as table rows (headers in the language of `_`)."""
    return [
        {_("visit"): v.number, _("pass"): v.epoch, _("point"): str(tuple(int(c) for c in v.x)),
         _("target"): int(v.target), _("prediction"): int(v.prediction), "w1": v.weights_after[0],
         "w2": v.weights_after[1], "b": v.bias_after}
        for v in run.visits[max(0, shown - last):shown]
    ]  # fmt: skip


def separates(inputs: np.ndarray, targets: np.ndarray, weights, bias: float) -> bool:
    """True when step(w . x + b) equals every target."""
    return bool(np.all(step(inputs @ np.asarray(weights, float) + bias) == targets))


def accuracy(inputs: np.ndarray, targets: np.ndarray, weights, bias: float) -> float:
    """Share of the points the threshold neuron classifies correctly."""
    return float(np.mean(step(inputs @ np.asarray(weights, float) + bias) == targets))


# ---------------------------------------------------------------------------
# Layers: where 11*6 + 6 comes from
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class LayerCount:
    """Parameters of one dense layer: n_in * n_out weights plus n_out biases."""

    name: str
    n_in: int
    n_out: int

    @property
    def weights(self) -> int:
        return self.n_in * self.n_out

    @property
    def biases(self) -> int:
        return self.n_out

    @property
    def total(self) -> int:
        return self.weights + self.biases


def layer_names(sizes, _: Translate = identity) -> list[str]:
    """Input layer, Hidden layer 1..k, Output layer."""
    hidden = len(sizes) - 2
    return [_("Input layer"), *[_("Hidden layer {i}").format(i=i) for i in range(1, hidden + 1)], _("Output layer")]


def layer_parameter_counts(sizes, _: Translate = identity) -> list[LayerCount]:
    """One LayerCount per dense layer (every layer after the input) of a network of these widths."""
    sizes = [int(n) for n in sizes]
    if len(sizes) < 2:
        raise ValueError("A network needs at least an input layer and an output layer.")
    if min(sizes) < 1:
        raise ValueError("Every layer needs at least one neuron.")
    names = layer_names(sizes, _)
    return [LayerCount(names[i + 1], sizes[i], sizes[i + 1]) for i in range(len(sizes) - 1)]


def layer_rows(counts: list[LayerCount], _: Translate = identity) -> list[dict]:
    """One table row per dense layer (headers in the language of `_`)."""
    return [
        {_("layer"): c.name, _("inputs"): c.n_in, _("neurons"): c.n_out, _("weights"): c.weights,
         _("biases"): c.biases, _("parameters"): c.total}
        for c in counts
    ]  # fmt: skip


def parameter_sum_latex(counts: list[LayerCount], _: Translate = identity) -> str:
    r"""(11\times6 + 6) + ... = total, in LaTeX."""
    sums = " + ".join(rf"({c.n_in}\times{c.n_out} + {c.n_out})" for c in counts)
    word = _("parameters")
    return rf"\text{{{word}}} = {sums} = {sum(c.total for c in counts)}"


def parse_layer_sizes(text: str, max_layers: int = 8, max_width: int = 1024, _: Translate = identity) -> list[int]:
    """'11, 6, 6, 1' -> [11, 6, 6, 1]; raises ValueError with a readable message (language of `_`) on bad input."""
    parts = [part for part in text.replace(";", ",").replace("-", ",").replace(" ", ",").split(",") if part]
    try:
        sizes = [int(part) for part in parts]
    except ValueError:
        raise ValueError(
            _("Write whole numbers separated by commas, e.g. 11, 6, 6, 1 (got {text}).").format(text=repr(text))
        ) from None
    if len(sizes) < 2:
        raise ValueError(_("Give at least two layer sizes: the inputs and the outputs."))
    if len(sizes) > max_layers:
        raise ValueError(_("At most {count} layers here, to keep the diagram readable.").format(count=max_layers))
    if min(sizes) < 1 or max(sizes) > max_width:
        raise ValueError(_("Each layer needs between 1 and {count} neurons.").format(count=max_width))
    return sizes
