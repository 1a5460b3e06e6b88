"""The activation-function registry: values, derivatives, formulas, notes and properties.

Pure numpy (no streamlit, no tensorflow). One registry drives the Activations page, its
URL state and its tests; other pages (Neuron & backprop) read it too.

Public API
----------
- ``names()`` -> the ids of the elementwise activations, in teaching order.
- ``get(name)`` -> an :class:`Activation` with ``fn(x, **params)``, ``grad(x, **params)``
  (elementwise, vectorised over numpy arrays), ``params`` (name -> default), ``formula`` and
  ``grad_formula`` (LaTeX), ``keras_name`` (the ``keras.activations`` function it equals with
  its default parameters, or None) and ``note`` (a short teaching note).
- ``softmax(z, temperature=1.0)`` and ``softmax_jacobian(z, temperature=1.0)`` for a 1-D vector
  of logits. Softmax is not elementwise (each output depends on every logit), so it is not one
  of ``names()``.
- ``properties(name, **params)`` -> the :class:`Properties` row of the page's table, derived
  numerically from ``fn``/``grad`` so that it follows the parameter sliders.

Conventions at kinks follow the gradient TensorFlow/Keras computes at exactly that point
(checked with ``tf.GradientTape`` in tests/test_activations.py); each ``note`` says which.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from playground.i18n import N_

# SELU's constants (Klambauer et al. 2017), the exact values tf.nn.selu uses.
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946

_SQRT_2 = math.sqrt(2.0)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)


@dataclass(frozen=True)
class ParamSpec:
    """How a parameter's slider looks: bounds, step and a one-line meaning."""

    low: float
    high: float
    step: float
    label: str
    help: str


@dataclass(frozen=True)
class Activation:
    """One elementwise activation function and everything the page says about it."""

    name: str
    title: str
    fn: Callable[..., np.ndarray]
    grad: Callable[..., np.ndarray]
    formula: str
    grad_formula: str
    note: str
    keras_name: str | None = None
    params: dict[str, float] = field(default_factory=dict)
    param_specs: dict[str, ParamSpec] = field(default_factory=dict)
    # Our parameter name -> the keyword keras.activations.<keras_name> calls it.
    keras_param_names: dict[str, str] = field(default_factory=dict)
    # Fixed keyword arguments that select the variant we implement (e.g. exact GELU).
    keras_fixed_kwargs: dict[str, object] = field(default_factory=dict)
    # Parameter values that must hold for the Keras function to equal ours (swish: beta = 1).
    keras_requires: dict[str, float] = field(default_factory=dict)
    # Points where the formula switches piece; f or f' may jump there (param -> list of x).
    kinks: Callable[..., tuple[float, ...]] = lambda **_: ()

    def __post_init__(self):
        # fn/grad accept any subset of the parameters: missing ones take their defaults, and a
        # misspelt one is a clear ValueError rather than a TypeError deep inside numpy code.
        for attribute in ("fn", "grad"):
            raw = getattr(self, attribute)

            def with_params(x, _raw=raw, **params):
                return _raw(x, **self.with_defaults(params))

            with_params.__doc__ = raw.__doc__
            with_params.__name__ = f"{self.name}_{attribute}"
            object.__setattr__(self, attribute, with_params)

    def with_defaults(self, params: dict | None = None) -> dict[str, float]:
        """The full parameter dict: defaults overridden by `params`; unknown names rejected."""
        params = dict(params or {})
        unknown = set(params) - set(self.params)
        if unknown:
            raise ValueError(
                f"{self.name} has no parameter {sorted(unknown)}; it takes {sorted(self.params) or 'none'}"
            )
        return {**self.params, **params}

    def keras_name_for(self, **params) -> str | None:
        """The keras.activations function equal to this one with these params, or None."""
        full = self.with_defaults(params)
        if self.keras_name is None:
            return None
        if any(not math.isclose(full[k], v) for k, v in self.keras_requires.items()):
            return None
        return self.keras_name

    def keras_kwargs(self, **params) -> dict[str, object]:
        """Keyword arguments for keras.activations.<keras_name> that reproduce fn(x, **params)."""
        full = self.with_defaults(params)
        kwargs = {self.keras_param_names[k]: v for k, v in full.items() if k in self.keras_param_names}
        return {**self.keras_fixed_kwargs, **kwargs}


# ---------------------------------------------------------------------------------------------
# Numerically stable building blocks


def _array(x) -> np.ndarray:
    return np.asarray(x, dtype=float)


def _sigmoid(x) -> np.ndarray:
    # 1/(1+e^-x) overflows for x << 0; use e^x/(1+e^x) there. exp(-|x|) never overflows.
    x = _array(x)
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def _softplus(x) -> np.ndarray:
    # log(1 + e^x) = logaddexp(0, x): no overflow for large x, no log(1)=0 loss for small x.
    return np.logaddexp(0.0, _array(x))


def _normal_cdf(x) -> np.ndarray:
    # Phi(x) = erfc(-x/sqrt 2)/2 keeps full relative precision in the left tail (1+erf does not).
    # numpy has no erfc; mapping math.erfc over a list is ~2x faster than np.frompyfunc.
    x = _array(x)
    z = (-x / _SQRT_2).ravel().tolist()
    return 0.5 * np.fromiter(map(math.erfc, z), dtype=float, count=len(z)).reshape(x.shape)


def _normal_pdf(x) -> np.ndarray:
    # Clamp before squaring: x*x overflows for |x| > 1e154, and phi(40) is already 0 in float64.
    x = np.minimum(np.abs(_array(x)), 40.0)
    return _INV_SQRT_2PI * np.exp(-0.5 * x * x)


# ---------------------------------------------------------------------------------------------
# The functions and their derivatives (d/dx, elementwise)


def _step(x):
    return (_array(x) >= 0).astype(float)


def _step_grad(x):
    # Zero everywhere; at x = 0 the true derivative does not exist, and TF's gradient of a
    # comparison is zero (no gradient flows), so we use 0 there too.
    return np.zeros_like(_array(x))


def _linear(x):
    return _array(x).copy()


def _linear_grad(x):
    return np.ones_like(_array(x))


def _sigmoid_grad(x):
    s = _sigmoid(x)
    return s * (1.0 - s)


def _tanh(x):
    return np.tanh(_array(x))


def _tanh_grad(x):
    t = np.tanh(_array(x))
    return 1.0 - t * t


def _relu(x):
    return np.maximum(_array(x), 0.0)


def _relu_grad(x):
    # Keras/TF: relu'(0) = 0.
    return (_array(x) > 0).astype(float)


def _leaky_relu(x, alpha):
    x = _array(x)
    return np.where(x > 0, x, alpha * x)


def _leaky_relu_grad(x, alpha):
    # tf.nn.leaky_relu's gradient is 1 for x > 0, else alpha: so f'(0) = alpha.
    return np.where(_array(x) > 0, 1.0, alpha)


def _prelu_grad(x, alpha):
    # keras.layers.PReLU computes relu(x) - alpha * relu(-x); both relus have slope 0 at 0,
    # so Keras' gradient at exactly 0 is 0 (unlike leaky_relu, whose f'(0) is alpha).
    x = _array(x)
    return np.where(x > 0, 1.0, np.where(x < 0, alpha, 0.0))


def _elu(x, alpha):
    x = _array(x)
    return np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0.0)))


def _elu_grad(x, alpha):
    # Keras: where(x > 0, elu, alpha * elu), so at 0 the left piece wins: f'(0) = alpha.
    x = _array(x)
    return np.where(x > 0, 1.0, alpha * np.exp(np.minimum(x, 0.0)))


def _selu(x):
    x = _array(x)
    return SELU_SCALE * np.where(x > 0, x, SELU_ALPHA * np.expm1(np.minimum(x, 0.0)))


def _selu_grad(x):
    # tf.nn.selu's gradient at exactly 0 is the right-hand slope, scale.
    x = _array(x)
    return SELU_SCALE * np.where(x < 0, SELU_ALPHA * np.exp(np.minimum(x, 0.0)), 1.0)


def _gelu(x):
    # Exact GELU: x * Phi(x), Phi the standard normal CDF.
    x = _array(x)
    return x * _normal_cdf(x)


def _gelu_grad(x):
    x = _array(x)
    return _normal_cdf(x) + x * _normal_pdf(x)


def _swish(x, beta):
    x = _array(x)
    return x * _sigmoid(beta * x)


def _swish_grad(x, beta):
    # d/dx [x s(bx)] = s(bx) + b x s(bx)(1 - s(bx))
    x = _array(x)
    s = _sigmoid(beta * x)
    return s + beta * x * s * (1.0 - s)


def _softplus_grad(x):
    return _sigmoid(x)


def _softsign(x):
    x = _array(x)
    return x / (1.0 + np.abs(x))


def _softsign_grad(x):
    x = _array(x)
    return (1.0 / (1.0 + np.abs(x))) ** 2  # square after dividing: (1 + |x|)^2 could overflow


def _hard_sigmoid(x):
    return np.clip(_array(x) + 3.0, 0.0, 6.0) / 6.0


def _hard_sigmoid_grad(x):
    # relu6(x + 3)/6: slope 1/6 strictly inside (-3, 3); TF gives 0 at both corners.
    x = _array(x)
    return ((x > -3.0) & (x < 3.0)).astype(float) / 6.0


def _mish(x):
    x = _array(x)
    return x * np.tanh(_softplus(x))


def _mish_grad(x):
    # d/dx [x tanh(sp(x))] = tanh(sp) + x (1 - tanh(sp)^2) sigmoid(x), since sp' = sigmoid.
    x = _array(x)
    t = np.tanh(_softplus(x))
    return t + x * (1.0 - t * t) * _sigmoid(x)


def _relu6(x):
    return np.clip(_array(x), 0.0, 6.0)


def _relu6_grad(x):
    # TF: slope 1 strictly inside (0, 6), 0 at both corners.
    x = _array(x)
    return ((x > 0.0) & (x < 6.0)).astype(float)


_ALPHA_NEGATIVE = ParamSpec(0.0, 1.0, 0.01, "alpha", N_("slope for x < 0"))

_REGISTRY: dict[str, Activation] = {
    a.name: a
    for a in (
        Activation(
            name="step",
            title=N_("Step (threshold)"),
            fn=_step,
            grad=_step_grad,
            formula=r"f(x) = \begin{cases} 1 & x \ge 0 \\ 0 & x < 0 \end{cases}",
            grad_formula=N_(r"f'(x) = 0 \quad (x \ne 0;\ \text{undefined at } 0,\ \text{taken as } 0)"),  # words: translated
            note=N_("The perceptron's original unit: fire or do not. Its derivative is zero everywhere "
            "it exists, so gradient descent gets no signal at all; that is why networks trained by "
            "backpropagation use smooth stand-ins such as the sigmoid. Not in keras.activations."),
            kinks=lambda **_: (0.0,),
        ),
        Activation(
            name="linear",
            title=N_("Linear (identity)"),
            fn=_linear,
            grad=_linear_grad,
            formula=r"f(x) = x",
            grad_formula=r"f'(x) = 1",
            note=N_("No activation at all. A stack of linear layers collapses to one linear map, so depth "
            "buys nothing; use it only on a regression output. Equals keras.activations.linear."),
            keras_name="linear",
        ),
        Activation(
            name="sigmoid",
            title=N_("Sigmoid (logistic)"),
            fn=_sigmoid,
            grad=_sigmoid_grad,
            formula=r"f(x) = \sigma(x) = \frac{1}{1 + e^{-x}}",
            grad_formula=r"f'(x) = \sigma(x)\,\bigl(1 - \sigma(x)\bigr)",
            note=N_("Squashes any number into (0, 1), so it reads as a probability: the natural output "
            "for a yes/no question. Inside a deep network it hurts: its slope is at most 1/4, so the "
            "gradient shrinks by 4x or more at every layer, and its outputs are never centred on 0. "
            "Equals keras.activations.sigmoid."),
            keras_name="sigmoid",
        ),
        Activation(
            name="tanh",
            title=N_("Tanh"),
            fn=_tanh,
            grad=_tanh_grad,
            formula=r"f(x) = \tanh x = \frac{e^{x} - e^{-x}}{e^{x} + e^{-x}} = 2\sigma(2x) - 1",
            grad_formula=r"f'(x) = 1 - \tanh^2 x",
            note=N_("A rescaled sigmoid with outputs in (-1, 1) centred on 0 and slope 1 at the origin, so "
            "it trains better than the sigmoid in hidden layers; it still saturates for large |x|. "
            "Equals keras.activations.tanh."),
            keras_name="tanh",
        ),
        Activation(
            name="relu",
            title=N_("ReLU"),
            fn=_relu,
            grad=_relu_grad,
            formula=r"f(x) = \max(0, x)",
            grad_formula=r"f'(x) = \begin{cases} 1 & x > 0 \\ 0 & x \le 0 \end{cases}",
            note=N_("The default for hidden layers: cheap, and its slope is exactly 1 for every positive "
            "input, so gradients pass through deep stacks undiminished. A unit whose input stays "
            "negative gets zero gradient and may never recover (a 'dead ReLU'). At x = 0 we use "
            "f'(0) = 0, as TensorFlow does. Equals keras.activations.relu."),
            keras_name="relu",
            kinks=lambda **_: (0.0,),
        ),
        Activation(
            name="leaky_relu",
            title=N_("Leaky ReLU"),
            fn=_leaky_relu,
            grad=_leaky_relu_grad,
            formula=r"f(x) = \begin{cases} x & x > 0 \\ \alpha x & x \le 0 \end{cases}",
            grad_formula=r"f'(x) = \begin{cases} 1 & x > 0 \\ \alpha & x \le 0 \end{cases}",
            note=N_("ReLU with a small fixed slope alpha for negative inputs, so no unit ever stops "
            "learning completely. At x = 0 we use f'(0) = alpha, as TensorFlow does. Equals "
            "keras.activations.leaky_relu(x, negative_slope=alpha); Keras' default slope is 0.2, "
            "the one used here (the original paper used 0.01)."),
            keras_name="leaky_relu",
            params={"alpha": 0.2},
            param_specs={"alpha": _ALPHA_NEGATIVE},
            keras_param_names={"alpha": "negative_slope"},
            kinks=lambda **_: (0.0,),
        ),
        Activation(
            name="prelu",
            title=N_("PReLU (parametric)"),
            fn=_leaky_relu,
            grad=_prelu_grad,
            formula=N_(r"f(x) = \begin{cases} x & x > 0 \\ \alpha x & x \le 0 \end{cases}"
               r"\quad (\alpha \text{ learned})"),
            grad_formula=r"\frac{\partial f}{\partial x} = \begin{cases} 1 & x > 0 \\ 0 & x = 0 \\ "
            r"\alpha & x < 0 \end{cases},\quad \frac{\partial f}{\partial \alpha} = \min(0, x)",
            note=N_("The same shape as Leaky ReLU, but alpha is a weight the network learns by gradient "
            "descent (one per channel), using df/dalpha = min(0, x). The slider stands for one learned "
            "value (0.25 is the paper's starting value; Keras starts at 0). In Keras it is a layer, "
            "keras.layers.PReLU, computing relu(x) - alpha*relu(-x), so its gradient at exactly 0 is 0."),
            params={"alpha": 0.25},
            param_specs={"alpha": _ALPHA_NEGATIVE},
            kinks=lambda **_: (0.0,),
        ),
        Activation(
            name="elu",
            title=N_("ELU"),
            fn=_elu,
            grad=_elu_grad,
            formula=r"f(x) = \begin{cases} x & x > 0 \\ \alpha\,(e^{x} - 1) & x \le 0 \end{cases}",
            grad_formula=r"f'(x) = \begin{cases} 1 & x > 0 \\ \alpha\, e^{x} & x \le 0 \end{cases}",
            note=N_("Smoothly bends to -alpha for negative inputs, which pulls the mean output toward 0 "
            "and keeps a gradient for negative inputs. Only alpha = 1 makes the slope continuous at 0. "
            "At x = 0 Keras takes the left piece, f'(0) = alpha. Equals keras.activations.elu(x, alpha)."),
            keras_name="elu",
            params={"alpha": 1.0},
            param_specs={"alpha": ParamSpec(0.05, 3.0, 0.05, "alpha", N_("negative saturation value -alpha"))},
            keras_param_names={"alpha": "alpha"},
            kinks=lambda **_: (0.0,),
        ),
        Activation(
            name="selu",
            title=N_("SELU (scaled ELU)"),
            fn=_selu,
            grad=_selu_grad,
            formula=r"f(x) = \lambda \begin{cases} x & x > 0 \\ \alpha\,(e^{x} - 1) & x \le 0 \end{cases},"
            r"\ \lambda \approx 1.0507,\ \alpha \approx 1.6733",
            grad_formula=r"f'(x) = \lambda \begin{cases} 1 & x \ge 0 \\ \alpha\, e^{x} & x < 0 \end{cases}",
            note=N_("An ELU with two constants chosen so that, with LeCun-normal weights, each layer keeps "
            "its inputs' mean near 0 and variance near 1 on its own ('self-normalising'). The slope "
            "jumps at 0 (1.05 to 1.76); TensorFlow uses the right-hand value, f'(0) = lambda. Equals "
            "keras.activations.selu."),
            keras_name="selu",
            kinks=lambda **_: (0.0,),
        ),
        Activation(
            name="gelu",
            title=N_("GELU"),
            fn=_gelu,
            grad=_gelu_grad,
            formula=r"f(x) = x\,\Phi(x) = \tfrac{x}{2}\bigl(1 + \operatorname{erf}(x/\sqrt{2})\bigr)",
            grad_formula=r"f'(x) = \Phi(x) + x\,\varphi(x),\quad \varphi(x) = \tfrac{1}{\sqrt{2\pi}}e^{-x^2/2}",
            note=N_("Weights each input by the probability that a standard normal variable is below it: "
            "a smooth ReLU with a small dip below 0; the activation of BERT and GPT. This is the exact "
            "(erf) form, which is keras.activations.gelu's default (approximate=False); keras.ops.gelu "
            "defaults to the tanh approximation instead."),
            keras_name="gelu",
            keras_fixed_kwargs={"approximate": False},
        ),
        Activation(
            name="swish",
            title=N_("Swish / SiLU"),
            fn=_swish,
            grad=_swish_grad,
            formula=r"f(x) = x\,\sigma(\beta x)",
            grad_formula=r"f'(x) = \sigma(\beta x) + \beta x\,\sigma(\beta x)\bigl(1 - \sigma(\beta x)\bigr)",
            note=N_("The input times its own sigmoid gate, found by automated search. beta = 1 is SiLU, "
            "which is keras.activations.swish (alias silu); Keras has no beta. Large beta approaches "
            "ReLU, beta near 0 approaches the line x/2."),
            keras_name="swish",
            params={"beta": 1.0},
            param_specs={"beta": ParamSpec(0.1, 5.0, 0.1, "beta", N_("sharpness of the gate"))},
            keras_requires={"beta": 1.0},
        ),
        Activation(
            name="softplus",
            title=N_("Softplus"),
            fn=_softplus,
            grad=_softplus_grad,
            formula=r"f(x) = \ln\bigl(1 + e^{x}\bigr)",
            grad_formula=r"f'(x) = \sigma(x)",
            note=N_("A smooth ReLU: always positive, and its derivative is exactly the sigmoid. Handy where "
            "an output must be positive (a standard deviation, a rate). Equals keras.activations.softplus."),
            keras_name="softplus",
        ),
        Activation(
            name="softsign",
            title=N_("Softsign"),
            fn=_softsign,
            grad=_softsign_grad,
            formula=r"f(x) = \frac{x}{1 + |x|}",
            grad_formula=r"f'(x) = \frac{1}{(1 + |x|)^2}",
            note=N_("Like tanh, but it approaches +-1 polynomially rather than exponentially, so it saturates "
            "more gently. Equals keras.activations.softsign."),
            keras_name="softsign",
        ),
        Activation(
            name="hard_sigmoid",
            title=N_("Hard sigmoid"),
            fn=_hard_sigmoid,
            grad=_hard_sigmoid_grad,
            formula=r"f(x) = \frac{\operatorname{relu6}(x + 3)}{6} = \min\bigl(1, \max(0, \tfrac{x}{6} + \tfrac12)\bigr)",
            grad_formula=N_(r"f'(x) = \begin{cases} 1/6 & -3 < x < 3 \\ 0 & \text{otherwise} \end{cases}"),
            note=N_("A three-piece straight-line stand-in for the sigmoid, cheap on phones. This is the "
            "Keras 3 definition, keras.activations.hard_sigmoid = relu6(x + 3)/6 (slope 1/6); Keras 2 "
            "used 0.2x + 0.5 clipped to [0, 1]. At the corners x = +-3 TensorFlow's slope is 0."),
            keras_name="hard_sigmoid",
            kinks=lambda **_: (-3.0, 3.0),
        ),
        Activation(
            name="mish",
            title=N_("Mish"),
            fn=_mish,
            grad=_mish_grad,
            formula=r"f(x) = x \tanh\bigl(\operatorname{softplus}(x)\bigr)",
            grad_formula=r"f'(x) = \tanh(s) + x\,\bigl(1 - \tanh^2 s\bigr)\,\sigma(x),\ s = \operatorname{softplus}(x)",
            note=N_("A smooth, slightly non-monotonic cousin of Swish, popular in object detectors. Equals "
            "keras.activations.mish."),
            keras_name="mish",
        ),
        Activation(
            name="relu6",
            title=N_("ReLU6"),
            fn=_relu6,
            grad=_relu6_grad,
            formula=r"f(x) = \min\bigl(\max(0, x), 6\bigr)",
            grad_formula=N_(r"f'(x) = \begin{cases} 1 & 0 < x < 6 \\ 0 & \text{otherwise} \end{cases}"),
            note=N_("ReLU capped at 6, so activations stay in a range that low-precision (mobile) arithmetic "
            "represents well; used in MobileNet. TensorFlow's slope at both corners (0 and 6) is 0. "
            "Equals keras.activations.relu6."),
            keras_name="relu6",
            kinks=lambda **_: (0.0, 6.0),
        ),
    )
}


def names() -> list[str]:
    """Ids of every elementwise activation, in teaching order (softmax is separate)."""
    return list(_REGISTRY)


def get(name: str) -> Activation:
    """The registry entry for `name`; a ValueError lists the valid ids."""
    try:
        return _REGISTRY[name]
    except KeyError:
        raise ValueError(f"unknown activation {name!r}; choose one of {', '.join(_REGISTRY)}") from None


# ---------------------------------------------------------------------------------------------
# Softmax (vector in, vector out)

SOFTMAX_FORMULA = r"p_i = \frac{e^{z_i / T}}{\sum_j e^{z_j / T}}"
SOFTMAX_JACOBIAN_FORMULA = r"\frac{\partial p_i}{\partial z_j} = \frac{1}{T}\, p_i\,(\delta_{ij} - p_j)"


def _check_logits(z, temperature) -> np.ndarray:
    z = _array(z)
    if z.ndim != 1 or z.size == 0:
        raise ValueError(f"softmax expects a non-empty 1-D vector of logits, got shape {z.shape}")
    if not np.all(np.isfinite(z)):
        raise ValueError("softmax logits must be finite numbers")
    if not (temperature > 0 and math.isfinite(temperature)):
        raise ValueError(f"temperature must be a positive number, got {temperature}")
    return z


def softmax(z, temperature: float = 1.0) -> np.ndarray:
    """Probabilities exp(z_i/T) / sum_j exp(z_j/T), computed without overflow.

    Subtracting max(z) first changes nothing mathematically (it cancels) but keeps every
    exponent <= 0, so logits of 1000 give exp(0) = 1 instead of inf.
    """
    z = _check_logits(z, temperature)
    shifted = (z - z.max()) / temperature
    e = np.exp(shifted)
    return e / e.sum()


def softmax_jacobian(z, temperature: float = 1.0) -> np.ndarray:
    """J[i, j] = d p_i / d z_j = p_i (delta_ij - p_j) / T."""
    p = softmax(z, temperature)
    return (np.diag(p) - np.outer(p, p)) / temperature


# ---------------------------------------------------------------------------------------------
# Properties of one activation with given parameters, derived numerically from fn and grad

# Far enough out that every function here has reached its limit in float64 (or visibly grows).
_FAR = 1e12
_GRID = np.linspace(-60.0, 60.0, 24_001)  # step 0.005: resolves the dips of GELU/Swish/Mish
_NEAR = 8.0  # a bound "attained" must be reached at some |x| <= _NEAR
_NORMAL_Z = np.linspace(-12.0, 12.0, 48_001)


@dataclass(frozen=True)
class Properties:
    """One row of the page's properties table (see `properties` for each criterion)."""

    low: float  # inf f (may be -inf)
    high: float  # sup f (may be inf)
    low_attained: bool
    high_attained: bool
    discrete: bool  # takes only a few values (the step function)
    monotonic: bool
    zero_centred: bool
    mean_output: float  # E[f(z)] for z ~ N(0, 1)
    smooth: bool
    saturates_left: bool
    saturates_right: bool
    grad_at_zero: float
    keras_name: str | None

    @property
    def bounded(self) -> str:
        below, above = math.isfinite(self.low), math.isfinite(self.high)
        # English, marked for translation where shown.
        return {(True, True): N_("yes"), (True, False): N_("below"), (False, True): N_("above")}.get(
            (below, above), N_("no")
        )

    @property
    def saturating(self) -> str:
        return {
            (True, True): N_("both sides"),
            (True, False): "x → −∞",
            (False, True): "x → +∞",
        }.get((self.saturates_left, self.saturates_right), N_("no"))

    @property
    def output_range(self) -> str:
        if self.discrete:
            return "{" + f"{_fmt(self.low)}, {_fmt(self.high)}" + "}"
        left = "[" if self.low_attained else "("
        right = "]" if self.high_attained else ")"
        return f"{left}{_fmt(self.low)}, {_fmt(self.high)}{right}"


def _fmt(value: float) -> str:
    if value == math.inf:
        return "∞"
    if value == -math.inf:
        return "−∞"
    text = f"{value:.4g}"
    return "0" if text == "-0" else text.replace("-", "−")


def properties(name: str, **params) -> Properties:
    """Derive the table row for `name` with `params`, numerically.

    - range: sup/inf of f over a fine grid on [-60, 60] and at +-1e12; an end that passes
      +-1e6 at +-1e12 is unbounded; a bound is attained if f reaches it (to 1e-12) at |x| <= 8,
      or if it is an interior extremum below/above both limits at infinity.
    - monotonic: f' >= 0 on the grid (non-decreasing).
    - zero-centred: for inputs z ~ N(0, 1), |E f(z)| <= 0.1 sd f(z) (mean output near zero, so the
      next layer's inputs are not all pushed one way).
    - smooth: f is continuously differentiable (C^1): f and f' do not jump at any kink.
    - saturating on a side: |f'| < 1e-6 at x = -+1e12 (gradient vanishes for large inputs).
    """
    activation = get(name)
    full = activation.with_defaults(params)

    def f(x):
        return activation.fn(x, **full)

    def df(x):
        return activation.grad(x, **full)

    values = f(_GRID)
    # Sharpen an interior minimum/maximum (GELU's dip) with a fine grid around the best point.
    for index in (int(values.argmin()), int(values.argmax())):
        local = np.linspace(_GRID[max(index - 1, 0)], _GRID[min(index + 1, _GRID.size - 1)], 2001)
        values = np.concatenate([values, f(local)])
    left_limit, right_limit = (float(v) for v in f(np.array([-_FAR, _FAR])))
    low = -math.inf if left_limit < -1e6 or right_limit < -1e6 else min(values.min(), left_limit, right_limit)
    high = math.inf if left_limit > 1e6 or right_limit > 1e6 else max(values.max(), left_limit, right_limit)
    near = f(_GRID[np.abs(_GRID) <= _NEAR])

    def attained(bound, sign):
        if not math.isfinite(bound):
            return False
        # An extremum strictly beyond both limits at infinity is reached at some finite x.
        interior = all(sign * (bound - limit) > 1e-9 for limit in (left_limit, right_limit))
        return bool(interior or np.any(np.abs(near - bound) <= 1e-12))

    grads = df(_GRID)
    smooth = True
    for kink in activation.kinks(**full):
        eps = 1e-9
        jump_f = abs(float(f(kink + eps)) - float(f(kink - eps)))
        jump_grad = abs(float(df(kink + 1e-7)) - float(df(kink - 1e-7)))
        smooth = smooth and jump_f < 1e-6 and jump_grad < 1e-5

    weights = _normal_pdf(_NORMAL_Z)
    weights = weights / weights.sum()
    outputs = f(_NORMAL_Z)
    mean = float(np.sum(weights * outputs))
    sd = math.sqrt(max(float(np.sum(weights * (outputs - mean) ** 2)), 0.0))
    far_grads = np.abs(df(np.array([-_FAR, _FAR])))

    return Properties(
        low=float(low),
        high=float(high),
        low_attained=attained(low, -1),
        high_attained=attained(high, +1),
        discrete=len(np.unique(values)) <= 3,
        monotonic=bool(np.all(grads >= -1e-12)),
        zero_centred=abs(mean) <= 0.1 * sd,
        mean_output=mean,
        smooth=smooth,
        saturates_left=bool(far_grads[0] < 1e-6),
        saturates_right=bool(far_grads[1] < 1e-6),
        grad_at_zero=float(df(np.array(0.0))),
        keras_name=activation.keras_name_for(**full),
    )
