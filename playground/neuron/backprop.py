"""Backpropagation on a tiny 2-H-1 network, with every intermediate number kept for display.

Notation (shown on the page):
    z_j = w_{1j} x_1 + w_{2j} x_2 + b_j,   a_j = f(z_j)          hidden neuron j
    z_o = sum_j v_j a_j + c,               y_hat = g(z_o)        output neuron
    L = loss(y_hat, y)
The backward pass is the chain rule, one factor per arrow of the diagram:
    delta_o = dL/dz_o = dL/dy_hat * g'(z_o)
    dL/dv_j = delta_o * a_j,  dL/dc = delta_o
    delta_j = dL/dz_j = delta_o * v_j * f'(z_j)
    dL/dw_{ij} = delta_j * x_i,  dL/db_j = delta_j
Pure numpy in float64; the tests compare every number with TensorFlow's GradientTape.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from playground.i18n import N_, Translate, identity
from playground.neuron.perceptron import activation, activation_derivative, apply_activation, tex_factor, tex_number

HIDDEN_SIZES = (2, 3)  # the 2-2-1 and 2-3-1 networks
HIDDEN_ACTIVATIONS = ("sigmoid", "tanh", "relu", "leaky_relu")
OUTPUT_ACTIVATIONS = ("sigmoid", "linear", "tanh")
MAX_ABS_PARAMETER = 1e3  # beyond this an update is treated as a diverging run


@dataclass(frozen=True)
class Loss:
    """A loss of one prediction, its derivative in y_hat, and its LaTeX."""

    id: str
    label: str  # English, marked with N_; translated where shown
    formula: str  # L in terms of \hat y and y
    grad_formula: str  # dL/d\hat y
    needs_probability: bool  # y_hat must lie in (0, 1)

    def value(self, y_hat: float, y: float) -> float:
        y_hat, y = np.float64(y_hat), np.float64(y)  # numpy floats: log(0) and 1/0 give inf, not an exception
        if self.id == "mse":
            return (y_hat - y) ** 2  # Keras' MeanSquaredError of one value (no 1/2)
        return -(y * np.log(y_hat) + (1 - y) * np.log(1 - y_hat))

    def grad(self, y_hat: float, y: float) -> float:
        y_hat, y = np.float64(y_hat), np.float64(y)
        if self.id == "mse":
            return 2 * (y_hat - y)
        return -y / y_hat + (1 - y) / (1 - y_hat)


LOSSES: dict[str, Loss] = {
    "mse": Loss("mse", N_("Mean squared error"), r"(\hat y - y)^2", r"2(\hat y - y)", False),
    "bce": Loss(
        "bce",
        N_("Binary cross-entropy"),
        r"-\left[y\ln\hat y + (1-y)\ln(1-\hat y)\right]",
        r"-\frac{y}{\hat y} + \frac{1-y}{1-\hat y}",
        True,
    ),
}


@dataclass(frozen=True)
class NetworkSpec:
    """Shape and functions of the network."""

    hidden: int = 2
    hidden_activation: str = "sigmoid"
    output_activation: str = "sigmoid"
    loss: str = "mse"

    def __post_init__(self):
        if self.hidden not in HIDDEN_SIZES:
            raise ValueError(f"The hidden layer has {' or '.join(map(str, HIDDEN_SIZES))} neurons here.")
        if self.loss not in LOSSES:
            raise ValueError(f"Unknown loss {self.loss!r}; choose one of {', '.join(LOSSES)}.")
        if LOSSES[self.loss].needs_probability and self.output_activation != "sigmoid":
            raise ValueError("Binary cross-entropy needs a probability: use a sigmoid output neuron.")
        activation(self.hidden_activation)
        activation(self.output_activation)


def parameter_names(hidden: int) -> list[str]:
    """Ids in display order: w{i}{j} (input i -> hidden j), b{j}, v{j} (hidden j -> output), c."""
    return (
        [f"w{i}{j}" for i in (1, 2) for j in range(1, hidden + 1)]
        + [f"b{j}" for j in range(1, hidden + 1)]
        + [f"v{j}" for j in range(1, hidden + 1)]
        + ["c"]
    )


def parameter_symbol(name: str) -> str:
    """LaTeX of a parameter id: w12 -> w_{12}, c -> c."""
    return name if len(name) == 1 else f"{name[0]}_{{{name[1:]}}}"


# Start values for every parameter the 2-3-1 network has (the 2-2-1 network uses a subset).
DEFAULT_PARAMETERS: dict[str, float] = {
    "w11": 0.15, "w12": -0.40, "w13": 0.30,
    "w21": 0.20, "w22": 0.45, "w23": -0.25,
    "b1": 0.10, "b2": -0.05, "b3": 0.05,
    "v1": 0.50, "v2": -0.30, "v3": 0.35,
    "c": 0.05,
}  # fmt: skip
DEFAULT_EXAMPLE = (1.0, 0.5, 1.0)  # x1, x2, target y


@dataclass(frozen=True)
class Parameters:
    """W (2 x H, input i -> hidden j), b (H), v (H), c."""

    W: np.ndarray
    b: np.ndarray
    v: np.ndarray
    c: float

    @classmethod
    def from_dict(cls, values: dict[str, float], hidden: int) -> Parameters:
        W = np.array([[values[f"w{i}{j}"] for j in range(1, hidden + 1)] for i in (1, 2)], dtype=np.float64)
        b = np.array([values[f"b{j}"] for j in range(1, hidden + 1)], dtype=np.float64)
        v = np.array([values[f"v{j}"] for j in range(1, hidden + 1)], dtype=np.float64)
        return cls(W, b, v, float(values["c"]))

    def to_dict(self) -> dict[str, float]:
        hidden = self.b.size
        values = {f"w{i}{j}": float(self.W[i - 1, j - 1]) for i in (1, 2) for j in range(1, hidden + 1)}
        values |= {f"b{j}": float(self.b[j - 1]) for j in range(1, hidden + 1)}
        values |= {f"v{j}": float(self.v[j - 1]) for j in range(1, hidden + 1)}
        values["c"] = float(self.c)
        return {name: values[name] for name in parameter_names(hidden)}


def default_parameters(hidden: int) -> Parameters:
    return Parameters.from_dict(DEFAULT_PARAMETERS, hidden)


@dataclass(frozen=True)
class Pass:
    """Forward and backward pass of one example: every number the page shows."""

    spec: NetworkSpec
    params: Parameters
    x: np.ndarray  # (2,)
    y: float
    z_hidden: np.ndarray  # (H,)
    a_hidden: np.ndarray
    z_out: float
    y_hat: float
    loss: float
    dL_dyhat: float
    dyhat_dz_out: float  # g'(z_o)
    delta_out: float  # dL/dz_o
    dL_da_hidden: np.ndarray  # delta_o * v_j
    da_dz_hidden: np.ndarray  # f'(z_j)
    delta_hidden: np.ndarray  # dL/dz_j
    grad: Parameters  # dL/d(every parameter), same layout as params

    @property
    def finite(self) -> bool:
        numbers = [self.loss, self.delta_out, *self.delta_hidden, *self.a_hidden, self.y_hat]
        return bool(np.all(np.isfinite(numbers)))


def run(spec: NetworkSpec, params: Parameters, x, y: float) -> Pass:
    """Forward pass, loss, and backward pass (chain rule) for one example."""
    f, g, loss = spec.hidden_activation, spec.output_activation, LOSSES[spec.loss]
    x = np.asarray(x, dtype=np.float64)
    y = float(y)
    with np.errstate(all="ignore"):  # a saturated sigmoid with cross-entropy gives inf: reported, not raised
        z_hidden = x @ params.W + params.b
        a_hidden = apply_activation(f, z_hidden)
        z_out = float(a_hidden @ params.v + params.c)
        y_hat = float(apply_activation(g, [z_out])[0])
        loss_value = float(loss.value(y_hat, y))
        dL_dyhat = float(loss.grad(y_hat, y))
        dyhat_dz = float(activation_derivative(g, [z_out])[0])
        delta_out = dL_dyhat * dyhat_dz
        dL_da_hidden = delta_out * params.v
        da_dz_hidden = activation_derivative(f, z_hidden)
        delta_hidden = dL_da_hidden * da_dz_hidden
    grad = Parameters(np.outer(x, delta_hidden), delta_hidden.copy(), delta_out * a_hidden, delta_out)
    return Pass(
        spec, params, x, y, z_hidden, a_hidden, z_out, y_hat, loss_value, dL_dyhat, dyhat_dz, delta_out,
        dL_da_hidden, da_dz_hidden, delta_hidden, grad,
    )


def sgd_update(params: Parameters, grad: Parameters, learning_rate: float, _: Translate = identity) -> Parameters:
    """One gradient-descent step: p <- p - learning_rate * dL/dp. Raises ValueError if it diverges
    (message in the language of `_`)."""
    if not (np.isfinite(learning_rate) and learning_rate > 0):
        raise ValueError(_("The learning rate must be a positive number."))
    if not np.all(np.isfinite(list(grad.to_dict().values()))):
        raise ValueError(_("The gradient is not finite (the output saturated): use smaller weights or inputs."))
    new = Parameters(
        params.W - learning_rate * grad.W,
        params.b - learning_rate * grad.b,
        params.v - learning_rate * grad.v,
        params.c - learning_rate * grad.c,
    )
    values = np.array(list(new.to_dict().values()))
    if not np.all(np.isfinite(values)) or np.max(np.abs(values)) > MAX_ABS_PARAMETER:
        raise ValueError(
            _("This step sends a weight beyond +/-{limit}: the learning rate is too large "
              "and training diverges. Try a smaller one.").format(limit=f"{MAX_ABS_PARAMETER:g}")
        )
    return new


def train(
    spec: NetworkSpec, params: Parameters, x, y: float, learning_rate: float, steps: int, _: Translate = identity
) -> list[Pass]:
    """`steps` successive updates on the one example; returns the pass before each update and the last one."""
    passes = [run(spec, params, x, y)]
    for _step in range(steps):
        params = sgd_update(params, passes[-1].grad, learning_rate, _)
        passes.append(run(spec, params, x, y))
    return passes


# ---------------------------------------------------------------------------
# The history of losses over repeated updates (kept by the page between reruns)
# ---------------------------------------------------------------------------


@dataclass
class History:
    """Loss after each update, for one network, example and starting point."""

    context: tuple = ()
    parameters: list[dict[str, float]] = field(default_factory=list)
    losses: list[float] = field(default_factory=list)


def track(history: History | None, context: tuple, current: Pass) -> History:
    """Continue `history` if `current` is where it ended, else start a new one at `current`."""
    values = current.params.to_dict()
    if history is None or history.context != context or not history.parameters or history.parameters[-1] != values:
        return History(context, [values], [current.loss])
    return history


def extend(history: History, passes: list[Pass]) -> History:
    """The history with the passes after an update appended (passes[0] is the current state)."""
    return History(
        history.context,
        history.parameters + [p.params.to_dict() for p in passes[1:]],
        history.losses + [p.loss for p in passes[1:]],
    )


# ---------------------------------------------------------------------------
# The chain rule as data: equations with the numbers filled in
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Factor:
    """One link of a chain: its partial-derivative symbol, what it equals, and its value."""

    symbol: str  # e.g. \frac{\partial \hat y}{\partial z_o}
    expression: str  # e.g. g'(z_o) or x_1
    value: float


@dataclass(frozen=True)
class ChainStep:
    """dL/d(parameter) as a product of factors, each with its number."""

    parameter: str  # id, e.g. "w12"
    factors: tuple[Factor, ...]
    value: float  # the gradient (equals the product of the factor values)

    @property
    def symbol(self) -> str:
        return rf"\frac{{\partial L}}{{\partial {parameter_symbol(self.parameter)}}}"

    def latex(self) -> str:
        """Three lines: symbolic chain, the factors' formulas, the numbers and the result."""
        chain = r" \cdot ".join(f.symbol for f in self.factors)
        formulas = r" \cdot ".join(f.expression for f in self.factors)
        numbers = r" \cdot ".join(tex_factor(f.value) for f in self.factors)
        return (
            rf"\begin{{aligned}}{self.symbol} &= {chain} \\ &= {formulas} \\ "
            rf"&= {numbers} = {tex_number(self.value)}\end{{aligned}}"
        )


def _derivative_expression(name: str, argument: str) -> str:
    """The derivative of activation `name` at `argument`, in LaTeX."""
    escaped = name.replace("_", r"\_")
    return {
        "sigmoid": rf"\sigma({argument})\,(1-\sigma({argument}))",
        "tanh": rf"1-\tanh^2({argument})",
        "linear": "1",
    }.get(name, rf"\mathrm{{{escaped}}}'({argument})")


def _grouped(expression: str) -> str:
    """Parenthesise a sum so it can stand as one factor of a product."""
    return rf"\left({expression}\right)" if "+" in expression else expression


def chain_rule_steps(result: Pass) -> list[ChainStep]:
    """One ChainStep per parameter, in parameter_names order."""
    spec, loss = result.spec, LOSSES[result.spec.loss]
    dL_dyhat = Factor(r"\frac{\partial L}{\partial \hat y}", _grouped(loss.grad_formula), result.dL_dyhat)
    dyhat_dz = Factor(
        r"\frac{\partial \hat y}{\partial z_o}",
        _derivative_expression(spec.output_activation, "z_o"),
        result.dyhat_dz_out,
    )
    steps = {}
    for j in range(1, spec.hidden + 1):
        a_j = Factor(rf"\frac{{\partial z_o}}{{\partial v_{j}}}", f"a_{j}", float(result.a_hidden[j - 1]))
        steps[f"v{j}"] = ChainStep(f"v{j}", (dL_dyhat, dyhat_dz, a_j), float(result.grad.v[j - 1]))
        dz_da = Factor(rf"\frac{{\partial z_o}}{{\partial a_{j}}}", f"v_{j}", float(result.params.v[j - 1]))
        da_dz = Factor(
            rf"\frac{{\partial a_{j}}}{{\partial z_{j}}}",
            _derivative_expression(spec.hidden_activation, f"z_{j}"),
            float(result.da_dz_hidden[j - 1]),
        )
        for i in (1, 2):
            x_i = Factor(rf"\frac{{\partial z_{j}}}{{\partial w_{{{i}{j}}}}}", f"x_{i}", float(result.x[i - 1]))
            steps[f"w{i}{j}"] = ChainStep(
                f"w{i}{j}", (dL_dyhat, dyhat_dz, dz_da, da_dz, x_i), float(result.grad.W[i - 1, j - 1])
            )
        one = Factor(rf"\frac{{\partial z_{j}}}{{\partial b_{j}}}", "1", 1.0)
        steps[f"b{j}"] = ChainStep(f"b{j}", (dL_dyhat, dyhat_dz, dz_da, da_dz, one), float(result.grad.b[j - 1]))
    steps["c"] = ChainStep(
        "c", (dL_dyhat, dyhat_dz, Factor(r"\frac{\partial z_o}{\partial c}", "1", 1.0)), result.delta_out
    )
    return [steps[name] for name in parameter_names(spec.hidden)]


def forward_equations(result: Pass) -> list[str]:
    """LaTeX of the forward pass with numbers: every z and a, the output and the loss."""
    p, spec = result.params, result.spec
    x1, x2 = (tex_factor(v) for v in result.x)
    lines = []
    for j in range(1, spec.hidden + 1):
        w1, w2, b = p.W[0, j - 1], p.W[1, j - 1], p.b[j - 1]
        lines.append(
            rf"\begin{{aligned}}z_{j} &= w_{{1{j}}}x_1 + w_{{2{j}}}x_2 + b_{j} \\ &= {tex_factor(w1)}\cdot{x1} + "
            rf"{tex_factor(w2)}\cdot{x2} + {tex_factor(b)} = {tex_number(result.z_hidden[j - 1])} \\ "
            rf"a_{j} &= f(z_{j}) = {tex_number(result.a_hidden[j - 1])}\end{{aligned}}"
        )
    terms = " + ".join(rf"{tex_factor(p.v[j])}\cdot{tex_factor(result.a_hidden[j])}" for j in range(spec.hidden))
    symbols = " + ".join(f"v_{j}a_{j}" for j in range(1, spec.hidden + 1))
    lines.append(
        rf"\begin{{aligned}}z_o &= {symbols} + c \\ &= {terms} + {tex_factor(p.c)} = {tex_number(result.z_out)} "
        rf"\\ \hat y &= g(z_o) = {tex_number(result.y_hat)}\end{{aligned}}"
    )
    loss = LOSSES[spec.loss]
    lines.append(
        rf"\begin{{aligned}}L &= {loss.formula} \\ &= {tex_number(result.loss)} \quad "
        rf"(\hat y = {tex_number(result.y_hat)},\ y = {tex_number(result.y)})\end{{aligned}}"
    )
    return lines


def delta_equations(result: Pass) -> list[str]:
    """LaTeX of the error signals delta = dL/dz that every gradient reuses."""
    loss, spec = LOSSES[result.spec.loss], result.spec
    lines = [
        rf"\begin{{aligned}}\delta_o = \frac{{\partial L}}{{\partial z_o}} &= {_grouped(loss.grad_formula)} \cdot "
        rf"{_derivative_expression(spec.output_activation, 'z_o')} \\ &= {tex_factor(result.dL_dyhat)} \cdot "
        rf"{tex_factor(result.dyhat_dz_out)} = {tex_number(result.delta_out)}\end{{aligned}}"
    ]
    for j in range(1, spec.hidden + 1):
        lines.append(
            rf"\begin{{aligned}}\delta_{j} = \frac{{\partial L}}{{\partial z_{j}}} &= \delta_o \, v_{j} \, "
            rf"{_derivative_expression(spec.hidden_activation, f'z_{j}')} \\ &= {tex_factor(result.delta_out)} \cdot "
            rf"{tex_factor(result.params.v[j - 1])} \cdot {tex_factor(result.da_dz_hidden[j - 1])} = "
            rf"{tex_number(result.delta_hidden[j - 1])}\end{{aligned}}"
        )
    return lines


def update_rows(result: Pass, learning_rate: float, _: Translate = identity) -> list[dict[str, float | str]]:
    """For each parameter: old value, gradient, and value after one step of this learning rate."""
    old, grad = result.params.to_dict(), result.grad.to_dict()
    return [
        {_("parameter"): name, _("value"): old[name], _("dL/dparameter"): grad[name],
         _("after update"): old[name] - learning_rate * grad[name]}
        for name in old
    ]  # fmt: skip
