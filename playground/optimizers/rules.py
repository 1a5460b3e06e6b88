"""Optimizer update rules, written in numpy with the exact formulas and defaults of
`keras.optimizers` (Keras 3.15), and able to show their state and their update as equations.

`make(name, learning_rate, **hyper)` returns an object whose `step(params, grads)` returns the
new parameters and keeps the optimizer's state (velocity, m, v, ...). Parameters may carry a
leading run axis: params of shape (R, 2) with a learning rate of shape (R, 1) advance R runs
at once. Pure numpy: no streamlit, no tensorflow (the tests compare with Keras).
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from playground.i18n import N_, Translate, identity

Array = np.ndarray


def _vec(values, digits: int = 4) -> str:
    """A 2-vector (or scalar) as LaTeX with its numbers."""
    values = np.atleast_1d(np.asarray(values, dtype=float))
    if values.size == 1:
        return _num(values[0], digits)
    return r"\begin{pmatrix}" + r"\\".join(_num(v, digits) for v in values) + r"\end{pmatrix}"


def _num(value: float, digits: int = 4) -> str:
    if not np.isfinite(value):
        return r"\infty" if value > 0 else (r"-\infty" if value < 0 else r"\text{NaN}")
    text = f"{value:.{digits}g}"
    if "e" in text:
        mantissa, exponent = text.split("e")
        return rf"{mantissa}\times 10^{{{int(exponent)}}}"
    return text


class Optimizer:
    """Base class: a learning rate, hyperparameters with Keras's defaults, and state."""

    key: ClassVar[str]
    label: ClassVar[str]
    keras_class: ClassVar[str]
    default_learning_rate: ClassVar[float] = 0.001
    defaults: ClassVar[dict[str, float]] = {}
    state_names: ClassVar[tuple[str, ...]] = ()
    summary: ClassVar[str] = ""

    def __init__(self, learning_rate: float | Array | None = None, **hyper):
        unknown = set(hyper) - set(self.defaults)
        if unknown:
            raise ValueError(f"{self.label} has no hyperparameter {', '.join(sorted(unknown))}; "
                             f"it takes {', '.join(self.defaults) or 'only a learning rate'}.")
        self.learning_rate = self.default_learning_rate if learning_rate is None else learning_rate
        self.hyper = {**self.defaults, **hyper}
        self.iterations = 0  # steps taken so far (Keras's `optimizer.iterations`)
        self._state: dict[str, Array] = {}

    def __getattr__(self, name):
        hyper = self.__dict__.get("hyper", {})
        if name in hyper:
            return hyper[name]
        raise AttributeError(name)

    def _lr(self, params: Array) -> Array:
        return np.asarray(self.learning_rate, dtype=float)

    def _build(self, params: Array) -> None:
        for name in self.state_names:
            self._state[name] = np.zeros_like(params, dtype=float)

    def step(self, params: Array, grads: Array) -> Array:
        """Apply one update; returns the new parameters (the inputs are not changed)."""
        params = np.asarray(params, dtype=float)
        grads = np.asarray(grads, dtype=float)
        if not self._state:
            self._build(params)
        new = self._update(params, grads, self._lr(params), self.iterations + 1)
        self.iterations += 1
        return new

    def state(self) -> dict[str, Array]:
        """A copy of the optimizer's variables after the last step."""
        return {name: np.array(value, copy=True) for name, value in self._state.items()}

    def initial_state(self, params: Array) -> dict[str, Array]:
        """The variables before the first step, for parameters shaped like `params`."""
        fresh = type(self)(self.learning_rate, **self.hyper)
        fresh._build(np.asarray(params, dtype=float))
        return fresh.state()

    def _update(self, params, grads, lr, t):  # pragma: no cover - abstract
        raise NotImplementedError

    def explain(self, t: int, grad, params, new_params, before: dict, after: dict, _: Translate = identity) -> list[str]:
        """LaTeX lines for step t of one run: the rule with its numbers filled in (words translated by `_`)."""
        raise NotImplementedError


# ----------------------------------------------------------------------------------------
# SGD family
# ----------------------------------------------------------------------------------------


class SGD(Optimizer):
    key = "sgd"
    label = N_("Plain step (Keras SGD)")  # English; translated where shown
    keras_class = "SGD"
    default_learning_rate = 0.01
    summary = r"\theta \leftarrow \theta - \eta\, g"

    def _update(self, params, grads, lr, t):
        return params - lr * grads

    def explain(self, t, grad, params, new_params, before, after, _=identity):
        lr = float(self.learning_rate)
        return [
            rf"g_{{{t}}} = \nabla L(\theta_{{{t-1}}}) = {_vec(grad)}",
            rf"\Delta\theta = -\eta\, g_{{{t}}} = -{_num(lr)} \cdot {_vec(grad)} = {_vec(new_params - params)}",
            rf"\theta_{{{t}}} = \theta_{{{t-1}}} + \Delta\theta = {_vec(params)} + {_vec(new_params - params)}"
            rf" = {_vec(new_params)}",
        ]


class Momentum(SGD):
    """Keras SGD(momentum=0.9): v = beta v - lr g; theta += v."""

    key = "momentum"
    label = N_("SGD with momentum")
    defaults = {"momentum": 0.9}
    state_names = ("velocity",)
    summary = r"v \leftarrow \beta v - \eta g,\ \ \theta \leftarrow \theta + v"

    def _update(self, params, grads, lr, t):
        beta = self.hyper["momentum"]
        v = self._state["velocity"] = beta * self._state["velocity"] - lr * grads
        return params + v

    def explain(self, t, grad, params, new_params, before, after, _=identity):
        lr, beta = float(self.learning_rate), self.hyper["momentum"]
        return [
            rf"g_{{{t}}} = {_vec(grad)}",
            rf"v_{{{t}}} = \beta\, v_{{{t-1}}} - \eta\, g_{{{t}}} = {_num(beta)} \cdot {_vec(before['velocity'])}"
            rf" - {_num(lr)} \cdot {_vec(grad)} = {_vec(after['velocity'])}",
            rf"\theta_{{{t}}} = \theta_{{{t-1}}} + v_{{{t}}} = {_vec(params)} + {_vec(after['velocity'])}"
            rf" = {_vec(new_params)}",
        ]


class Nesterov(Momentum):
    """Keras SGD(momentum=0.9, nesterov=True): v = beta v - lr g; theta += beta v - lr g."""

    key = "nesterov"
    label = N_("Nesterov momentum")
    summary = r"v \leftarrow \beta v - \eta g,\ \ \theta \leftarrow \theta + \beta v - \eta g"

    def _update(self, params, grads, lr, t):
        beta = self.hyper["momentum"]
        v = self._state["velocity"] = beta * self._state["velocity"] - lr * grads
        return params + beta * v - lr * grads

    def explain(self, t, grad, params, new_params, before, after, _=identity):
        lr, beta = float(self.learning_rate), self.hyper["momentum"]
        gradient_and_velocity = super().explain(t, grad, params, new_params, before, after, _)[:2]
        return gradient_and_velocity + [
            rf"\Delta\theta = \beta\, v_{{{t}}} - \eta\, g_{{{t}}} = {_num(beta)} \cdot {_vec(after['velocity'])}"
            rf" - {_num(lr)} \cdot {_vec(grad)} = {_vec(new_params - params)}",
            rf"\theta_{{{t}}} = {_vec(params)} + {_vec(new_params - params)} = {_vec(new_params)}",
        ]


# ----------------------------------------------------------------------------------------
# Adaptive methods
# ----------------------------------------------------------------------------------------


class Adagrad(Optimizer):
    """Keras Adagrad: a += g^2 (a starts at 0.1); theta -= lr g / sqrt(a + eps)."""

    key = "adagrad"
    label = "Adagrad"
    keras_class = "Adagrad"
    defaults = {"initial_accumulator_value": 0.1, "epsilon": 1e-7}
    state_names = ("accumulator",)
    summary = r"a \leftarrow a + g^2,\ \ \theta \leftarrow \theta - \eta\, g / \sqrt{a + \epsilon}"

    def _build(self, params):
        self._state["accumulator"] = np.full_like(params, self.hyper["initial_accumulator_value"], dtype=float)

    def _update(self, params, grads, lr, t):
        a = self._state["accumulator"] = self._state["accumulator"] + grads**2
        return params - lr * grads / np.sqrt(a + self.hyper["epsilon"])

    def explain(self, t, grad, params, new_params, before, after, _=identity):
        lr, eps = float(self.learning_rate), self.hyper["epsilon"]
        return [
            rf"g_{{{t}}} = {_vec(grad)}",
            rf"a_{{{t}}} = a_{{{t-1}}} + g_{{{t}}}^2 = {_vec(before['accumulator'])} + {_vec(grad**2)}"
            rf" = {_vec(after['accumulator'])}",
            rf"\Delta\theta = -\eta\,\frac{{g_{{{t}}}}}{{\sqrt{{a_{{{t}}} + \epsilon}}}} = -{_num(lr)} \cdot "
            rf"\frac{{{_vec(grad)}}}{{{_vec(np.sqrt(after['accumulator'] + eps))}}} = {_vec(new_params - params)}",
            rf"\theta_{{{t}}} = {_vec(params)} + {_vec(new_params - params)} = {_vec(new_params)}",
        ]


class RMSprop(Optimizer):
    """Keras RMSprop: s = rho s + (1 - rho) g^2; theta -= lr g / sqrt(s + eps)."""

    key = "rmsprop"
    label = "RMSprop"
    keras_class = "RMSprop"
    defaults = {"rho": 0.9, "momentum": 0.0, "epsilon": 1e-7}
    state_names = ("velocity", "momentum")
    summary = r"s \leftarrow \rho s + (1-\rho) g^2,\ \ \theta \leftarrow \theta - \eta\, g / \sqrt{s + \epsilon}"

    def _update(self, params, grads, lr, t):
        rho, beta, eps = self.hyper["rho"], self.hyper["momentum"], self.hyper["epsilon"]
        s = self._state["velocity"] = rho * self._state["velocity"] + (1 - rho) * grads**2
        increment = lr * grads / np.sqrt(s + eps)
        if beta > 0:  # Keras only keeps a momentum slot when momentum > 0
            increment = self._state["momentum"] = beta * self._state["momentum"] + increment
        return params - increment

    def explain(self, t, grad, params, new_params, before, after, _=identity):
        lr, rho, eps = float(self.learning_rate), self.hyper["rho"], self.hyper["epsilon"]
        lines = [
            rf"g_{{{t}}} = {_vec(grad)}",
            rf"s_{{{t}}} = \rho\, s_{{{t-1}}} + (1-\rho)\, g_{{{t}}}^2 = {_num(rho)} \cdot {_vec(before['velocity'])}"
            rf" + {_num(1 - rho)} \cdot {_vec(grad**2)} = {_vec(after['velocity'])}",
            rf"\Delta\theta = -\eta\,\frac{{g_{{{t}}}}}{{\sqrt{{s_{{{t}}} + \epsilon}}}} = -{_num(lr)} \cdot "
            rf"\frac{{{_vec(grad)}}}{{{_vec(np.sqrt(after['velocity'] + eps))}}} = {_vec(new_params - params)}",
        ]
        if self.hyper["momentum"] > 0:
            lines[-1] = rf"\Delta\theta = -\left(\mu\, b_{{{t-1}}} + \eta\, g / \sqrt{{s + \epsilon}}\right) = {_vec(new_params - params)}"
        lines.append(rf"\theta_{{{t}}} = {_vec(params)} + {_vec(new_params - params)} = {_vec(new_params)}")
        return lines


class Adam(Optimizer):
    """Keras Adam: m += (g - m)(1 - b1); v += (g^2 - v)(1 - b2);
    alpha = lr sqrt(1 - b2^t) / (1 - b1^t); theta -= alpha m / (sqrt(v) + eps).

    Note Keras puts epsilon outside the square root and folds both bias corrections into alpha,
    so eps is not scaled by sqrt(1 - b2^t) as in the paper's m_hat / (sqrt(v_hat) + eps).
    """

    key = "adam"
    label = "Adam"
    keras_class = "Adam"
    defaults = {"beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-7}
    state_names = ("m", "v")
    summary = r"m \leftarrow \beta_1 m + (1-\beta_1) g,\ v \leftarrow \beta_2 v + (1-\beta_2) g^2,\ " \
              r"\theta \leftarrow \theta - \eta\frac{\sqrt{1-\beta_2^t}}{1-\beta_1^t}\frac{m}{\sqrt v + \epsilon}"

    def _moments(self, grads):
        b1, b2 = self.hyper["beta_1"], self.hyper["beta_2"]
        m = self._state["m"] = self._state["m"] + (grads - self._state["m"]) * (1 - b1)
        v = self._state["v"] = self._state["v"] + (grads**2 - self._state["v"]) * (1 - b2)
        return m, v

    def _update(self, params, grads, lr, t):
        b1, b2 = self.hyper["beta_1"], self.hyper["beta_2"]
        alpha = lr * np.sqrt(1 - b2**t) / (1 - b1**t)
        m, v = self._moments(grads)
        return params - m * alpha / (np.sqrt(v) + self.hyper["epsilon"])

    def explain(self, t, grad, params, new_params, before, after, _=identity):
        bias_corrections = _("bias corrections:")
        lr, b1, b2 = float(self.learning_rate), self.hyper["beta_1"], self.hyper["beta_2"]
        c1, c2 = 1 - b1**t, 1 - b2**t
        return [
            rf"g_{{{t}}} = {_vec(grad)}",
            rf"m_{{{t}}} = \beta_1 m_{{{t-1}}} + (1-\beta_1)\, g_{{{t}}} = {_num(b1)} \cdot {_vec(before['m'])}"
            rf" + {_num(1 - b1)} \cdot {_vec(grad)} = {_vec(after['m'])}",
            rf"v_{{{t}}} = \beta_2 v_{{{t-1}}} + (1-\beta_2)\, g_{{{t}}}^2 = {_num(b2)} \cdot {_vec(before['v'])}"
            rf" + {_num(1 - b2)} \cdot {_vec(grad**2)} = {_vec(after['v'])}",
            rf"\text{{{bias_corrections} }} 1-\beta_1^{{{t}}} = {_num(c1)},\quad 1-\beta_2^{{{t}}} = {_num(c2)},"
            rf"\quad \alpha_{{{t}}} = \eta\,\frac{{\sqrt{{1-\beta_2^{{{t}}}}}}}{{1-\beta_1^{{{t}}}}} = {_num(lr * np.sqrt(c2) / c1)}",
            rf"\Delta\theta = -\alpha_{{{t}}}\,\frac{{m_{{{t}}}}}{{\sqrt{{v_{{{t}}}}} + \epsilon}} = {_vec(new_params - params)}",
            rf"\theta_{{{t}}} = {_vec(params)} + {_vec(new_params - params)} = {_vec(new_params)}",
        ]


class AdamW(Adam):
    """Keras AdamW: first theta -= theta * weight_decay * lr (decoupled decay), then Adam."""

    key = "adamw"
    label = "AdamW"
    keras_class = "AdamW"
    defaults = {"weight_decay": 0.004, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-7}
    summary = N_(r"\theta \leftarrow \theta - \eta\lambda\theta,\ \text{then an Adam step}")  # LaTeX with words: translated

    def _update(self, params, grads, lr, t):
        decayed = params - params * self.hyper["weight_decay"] * lr
        return super()._update(decayed, grads, lr, t)

    def explain(self, t, grad, params, new_params, before, after, _=identity):
        lr, wd = float(self.learning_rate), self.hyper["weight_decay"]
        decayed = params - params * wd * lr
        lines = super().explain(t, grad, decayed, new_params, before, after, _)
        lines.insert(1, rf"\theta' = \theta_{{{t-1}}}\,(1 - \eta\lambda) = {_vec(params)} \cdot {_num(1 - lr * wd)}"
                        rf" = {_vec(decayed)}")
        lines[-1] = rf"\theta_{{{t}}} = \theta' + \Delta\theta = {_vec(decayed)} + {_vec(new_params - decayed)} = {_vec(new_params)}"
        return lines


class Nadam(Adam):
    """Keras Nadam: Adam's moments with a Nesterov look-ahead and the decaying momentum schedule
    u_t = b1 (1 - 0.5 * 0.96^t), whose running product replaces b1^t in the bias correction."""

    key = "nadam"
    label = "Nadam"
    keras_class = "Nadam"
    defaults = {"beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-7}
    state_names = ("m", "v", "u_product")
    summary = N_(r"\text{Adam with a Nesterov look-ahead on } m")

    def _build(self, params):
        super()._build(params)
        self._state["u_product"] = np.ones_like(params, dtype=float)

    def _schedule(self, t):
        b1 = self.hyper["beta_1"]
        return b1 * (1.0 - 0.5 * 0.96**t), b1 * (1.0 - 0.5 * 0.96 ** (t + 1))

    def _update(self, params, grads, lr, t):
        b2, eps = self.hyper["beta_2"], self.hyper["epsilon"]
        u_t, u_next = self._schedule(t)
        u_product = self._state["u_product"] = self._state["u_product"] * u_t
        m, v = self._moments(grads)
        m_hat = u_next * m / (1 - u_product * u_next) + (1 - u_t) * grads / (1 - u_product)
        v_hat = v / (1 - b2**t)
        return params - m_hat * lr / (np.sqrt(v_hat) + eps)

    def explain(self, t, grad, params, new_params, before, after, _=identity):
        lines = super().explain(t, grad, params, new_params, before, after, _)
        u_t, u_next = self._schedule(t)
        u_product = after["u_product"]
        m_hat = u_next * after["m"] / (1 - u_product * u_next) + (1 - u_t) * grad / (1 - u_product)
        v_hat = after["v"] / (1 - self.hyper["beta_2"] ** t)
        lines[3] = (
            rf"u_{{{t}}} = \beta_1(1 - \tfrac12 0.96^{{{t}}}) = {_num(u_t)},\ "
            rf"\Pi_{{{t}}} = \prod_{{i \le {t}}} u_i = {_num(np.ravel(u_product)[0])},\ "
            rf"\hat m = \frac{{u_{{{t + 1}}} m_{{{t}}}}}{{1-\Pi_{{{t}}} u_{{{t+1}}}}} + \frac{{(1-u_{{{t}}}) g_{{{t}}}}}{{1-\Pi_{{{t}}}}}"
            rf" = {_vec(m_hat)},\ \hat v = \frac{{v_{{{t}}}}}{{1-\beta_2^{{{t}}}}} = {_vec(v_hat)}"
        )
        lines[4] = rf"\Delta\theta = -\eta\,\frac{{\hat m}}{{\sqrt{{\hat v}} + \epsilon}} = {_vec(new_params - params)}"
        return lines


class Adadelta(Optimizer):
    """Keras Adadelta: E[g^2] = rho E[g^2] + (1 - rho) g^2;
    d = -sqrt(E[dx^2] + eps) / sqrt(E[g^2] + eps) * g; E[dx^2] = rho E[dx^2] + (1 - rho) d^2; theta += lr d."""

    key = "adadelta"
    label = "Adadelta"
    keras_class = "Adadelta"
    defaults = {"rho": 0.95, "epsilon": 1e-7}
    state_names = ("accumulated_grad", "accumulated_delta")
    summary = r"\theta \leftarrow \theta - \eta\,\frac{\sqrt{E[\Delta^2] + \epsilon}}{\sqrt{E[g^2] + \epsilon}}\, g"

    def _update(self, params, grads, lr, t):
        rho, eps = self.hyper["rho"], self.hyper["epsilon"]
        eg = self._state["accumulated_grad"] = rho * self._state["accumulated_grad"] + (1 - rho) * grads**2
        delta = -np.sqrt(self._state["accumulated_delta"] + eps) * grads / np.sqrt(eg + eps)
        self._state["accumulated_delta"] = rho * self._state["accumulated_delta"] + (1 - rho) * delta**2
        return params + lr * delta

    def explain(self, t, grad, params, new_params, before, after, _=identity):
        lr, rho, eps = float(self.learning_rate), self.hyper["rho"], self.hyper["epsilon"]
        delta = -np.sqrt(before["accumulated_delta"] + eps) * grad / np.sqrt(after["accumulated_grad"] + eps)
        return [
            rf"g_{{{t}}} = {_vec(grad)}",
            rf"E[g^2]_{{{t}}} = \rho\, E[g^2]_{{{t-1}}} + (1-\rho)\, g^2 = {_vec(after['accumulated_grad'])}",
            rf"d_{{{t}}} = -\frac{{\sqrt{{E[d^2]_{{{t-1}}} + \epsilon}}}}{{\sqrt{{E[g^2]_{{{t}}} + \epsilon}}}}\, g_{{{t}}}"
            rf" = {_vec(delta)},\quad E[d^2]_{{{t}}} = {_vec(after['accumulated_delta'])}",
            rf"\Delta\theta = \eta\, d_{{{t}}} = {_num(lr)} \cdot {_vec(delta)} = {_vec(new_params - params)}",
            rf"\theta_{{{t}}} = {_vec(params)} + {_vec(new_params - params)} = {_vec(new_params)}",
        ]


_REGISTRY: dict[str, type[Optimizer]] = {
    cls.key: cls for cls in (SGD, Momentum, Nesterov, Adagrad, RMSprop, Adam, Nadam, AdamW, Adadelta)
}

# The keras.optimizers call each rule matches (for the tests and the page's captions).
KERAS_EQUIVALENT = {
    "sgd": ("SGD", {}),
    "momentum": ("SGD", {"momentum": 0.9}),
    "nesterov": ("SGD", {"momentum": 0.9, "nesterov": True}),
    "adagrad": ("Adagrad", {}),
    "rmsprop": ("RMSprop", {}),
    "adam": ("Adam", {}),
    "nadam": ("Nadam", {}),
    "adamw": ("AdamW", {}),
    "adadelta": ("Adadelta", {}),
}


def names() -> list[str]:
    """Keys of every optimizer, in menu order."""
    return list(_REGISTRY)


def label(name: str) -> str:
    return _cls(name).label


def summary(name: str) -> str:
    return _cls(name).summary


def default_learning_rate(name: str) -> float:
    return _cls(name).default_learning_rate


def _cls(name: str) -> type[Optimizer]:
    if name not in _REGISTRY:
        raise ValueError(f"Unknown optimizer {name!r}; choose one of {', '.join(_REGISTRY)}.")
    return _REGISTRY[name]


def make(name: str, learning_rate: float | Array | None = None, **hyper) -> Optimizer:
    """A fresh optimizer `name` with Keras's defaults, overridden by `learning_rate` and `hyper`."""
    return _cls(name)(learning_rate, **hyper)

