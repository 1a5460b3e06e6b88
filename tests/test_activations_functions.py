"""playground.activations.functions against Keras 3 (values), tf.GradientTape (derivatives, kink
conventions), central finite differences, and independent numerical checks of every property
the page's table shows."""

from __future__ import annotations

import math

import numpy as np
import pytest

from playground.activations import functions as activations

tf = pytest.importorskip("tensorflow")
keras = pytest.importorskip("keras")

REQUIRED = [
    "step", "linear", "sigmoid", "tanh", "relu", "leaky_relu", "prelu", "elu", "selu", "gelu",
    "swish", "softplus", "softsign", "hard_sigmoid", "mish", "relu6",
]

# Every function at its defaults, plus parameter values that change its shape or properties.
CASES = [(name, {}) for name in activations.names()] + [
    ("leaky_relu", {"alpha": 0.0}),
    ("leaky_relu", {"alpha": 0.01}),
    ("leaky_relu", {"alpha": 1.0}),
    ("prelu", {"alpha": 0.6}),
    ("elu", {"alpha": 0.3}),
    ("elu", {"alpha": 2.5}),
    ("swish", {"beta": 0.1}),
    ("swish", {"beta": 3.0}),
]
CASE_IDS = [f"{name}-{params}" if params else name for name, params in CASES]


def as_tf_sees_them(name: str, params: dict) -> dict:
    """tf.nn.leaky_relu keeps its slope as a float32 attribute, and Keras' Constant initializer
    makes PReLU's alpha float32 before the float64 cast: compare with the alpha TF really uses."""
    full = activations.get(name).with_defaults(params)
    if name in ("leaky_relu", "prelu"):
        full["alpha"] = float(np.float32(full["alpha"]))
    return full


def keras_reference(name: str, params: dict):
    """A float64 TF function equal to the registry entry, or None if Keras has none."""
    entry = activations.get(name)
    keras_name = entry.keras_name_for(**params)
    if keras_name is not None:
        function = getattr(keras.activations, keras_name)
        kwargs = entry.keras_kwargs(**params)
        return lambda x: function(x, **kwargs)
    if name == "prelu":
        alpha = entry.with_defaults(params)["alpha"]
        # One alpha shared across features, so any input length works.
        return keras.layers.PReLU(
            alpha_initializer=keras.initializers.Constant(alpha), shared_axes=[1], dtype="float64"
        )
    if name == "swish":
        beta = entry.with_defaults(params)["beta"]
        # Keras' silu has no beta; x*sigmoid(beta x) written with Keras ops is the reference.
        return lambda x: x * keras.activations.sigmoid(beta * x)
    if name == "step":
        # Keras has no step; a comparison is what a TF user would write (its gradient is None = 0).
        return lambda x: tf.cast(x >= 0, tf.float64)
    raise AssertionError(f"no reference for {name}")


def tape_value_and_grad(function, x: np.ndarray):
    variable = tf.Variable(np.asarray(x, dtype=np.float64).reshape(1, -1))
    with tf.GradientTape() as tape:
        y = function(variable)
    grad = tape.gradient(y, variable)
    grad = np.zeros(variable.shape) if grad is None else grad.numpy()
    return y.numpy().ravel(), grad.ravel()


# tf.nn.gelu(approximate=False) computes x/2 erfc(-x * cast(0.7071067811865476)); the Python
# constant becomes a float32 tensor before the cast, so TF's float64 GELU uses sqrt(1/2) rounded
# to float32 (relative error 1.7e-8 in the argument, up to ~3e-6 in the far-left tail's value).
# Against Keras we allow that; test_gelu_is_exact_against_tf_erfc checks ours at full precision.
TOLERANCE = {"gelu": {"rtol": 5e-6, "atol": 1e-8}}


def away_from_kinks(name: str, params: dict, x: np.ndarray, margin: float = 1e-3) -> np.ndarray:
    kinks = np.array(activations.get(name).kinks(**activations.get(name).with_defaults(params)))
    if kinks.size == 0:
        return x
    return x[np.min(np.abs(x[:, None] - kinks[None, :]), axis=1) > margin]


# ----------------------------------------------------------------------------------------------
# The registry's shape


def test_registry_has_every_required_id_and_the_public_fields():
    assert set(REQUIRED) <= set(activations.names())
    for name in activations.names():
        entry = activations.get(name)
        assert callable(entry.fn) and callable(entry.grad)
        assert isinstance(entry.params, dict)
        assert set(entry.param_specs) == set(entry.params)
        for param, spec in entry.param_specs.items():
            assert spec.low <= entry.params[param] <= spec.high
        assert entry.formula.strip() and entry.grad_formula.strip()
        assert len(entry.note) > 40
        if entry.keras_name is not None:
            assert hasattr(keras.activations, entry.keras_name), entry.keras_name
            assert entry.keras_name in entry.note, "the note says which Keras function it equals"
    assert activations.get("leaky_relu").params == {"alpha": 0.2}
    assert "alpha" in activations.get("prelu").params and "learn" in activations.get("prelu").note
    assert activations.get("swish").params == {"beta": 1.0}


def test_unknown_names_and_params_give_clear_errors():
    with pytest.raises(ValueError, match="unknown activation"):
        activations.get("softmaxx")
    with pytest.raises(ValueError, match="no parameter"):
        activations.get("relu").with_defaults({"alpha": 1.0})


def test_swish_equals_keras_only_at_beta_one():
    swish = activations.get("swish")
    assert swish.keras_name_for() == "swish"
    assert swish.keras_name_for(beta=2.0) is None


def test_functions_are_elementwise_and_vectorised():
    x = np.linspace(-4, 4, 12).reshape(3, 4)
    for name in activations.names():
        entry = activations.get(name)
        for function in (entry.fn, entry.grad):
            out = function(x)
            assert out.shape == x.shape
            np.testing.assert_array_equal(out.ravel(), np.array([function(v) for v in x.ravel()]).ravel())


# ----------------------------------------------------------------------------------------------
# Values and derivatives against references


@pytest.mark.parametrize(("name", "params"), CASES, ids=CASE_IDS)
def test_fn_equals_keras(name, params):
    entry = activations.get(name)
    kinks = list(entry.kinks(**entry.with_defaults(params)))
    x = np.concatenate([np.linspace(-12, 12, 2401), kinks, [-700.0, -40.0, 40.0, 700.0]])
    expected, _ = tape_value_and_grad(keras_reference(name, params), x)
    np.testing.assert_allclose(entry.fn(x, **as_tf_sees_them(name, params)), expected, **TOLERANCE.get(name, {"rtol": 1e-12, "atol": 1e-14}))


@pytest.mark.parametrize(("name", "params"), CASES, ids=CASE_IDS)
def test_grad_equals_gradient_tape_including_at_kinks(name, params):
    entry = activations.get(name)
    kinks = list(entry.kinks(**entry.with_defaults(params)))
    x = np.concatenate([np.linspace(-12, 12, 2401), kinks, [0.0, -40.0, 40.0]])
    _, expected = tape_value_and_grad(keras_reference(name, params), x)
    # Exactly at a kink the registry must use the one-sided value TF picks.
    np.testing.assert_allclose(entry.grad(x, **as_tf_sees_them(name, params)), expected, **TOLERANCE.get(name, {"rtol": 1e-11, "atol": 1e-14}))


@pytest.mark.parametrize(("name", "params"), CASES, ids=CASE_IDS)
def test_grad_matches_central_finite_differences(name, params):
    entry = activations.get(name)
    x = away_from_kinks(name, params, np.linspace(-8, 8, 1601))
    assert x.size >= 1000
    h = 1e-6
    numeric = (entry.fn(x + h, **params) - entry.fn(x - h, **params)) / (2 * h)
    analytic = entry.grad(x, **params)
    relative = np.abs(numeric - analytic) / np.maximum(np.abs(analytic), 1e-3)
    assert relative.max() <= 1e-5, (name, float(x[relative.argmax()]), float(relative.max()))


def test_kink_conventions_documented_values():
    # The values TF's gradient takes at exactly the kink, stated in each note.
    grad_at = {name: float(activations.get(name).grad(np.array(0.0))) for name in activations.names()}
    assert grad_at["relu"] == 0.0 and grad_at["step"] == 0.0 and grad_at["prelu"] == 0.0
    assert grad_at["leaky_relu"] == 0.2
    assert grad_at["selu"] == activations.SELU_SCALE
    assert float(activations.get("elu").grad(0.0, alpha=2.0)) == 2.0
    assert float(activations.get("step").fn(0.0)) == 1.0, "step is 1 for x >= 0"
    assert float(activations.get("relu6").grad(6.0)) == 0.0
    assert float(activations.get("hard_sigmoid").grad(-3.0)) == 0.0


def test_gelu_is_exact_against_tf_erfc():
    # The exact GELU written with TF ops and a float64 sqrt(1/2), differentiated by GradientTape.
    def reference(x):
        return 0.5 * x * tf.math.erfc(-x * tf.constant(math.sqrt(0.5), tf.float64))

    x = np.linspace(-12, 12, 2401)
    values, grads = tape_value_and_grad(reference, x)
    gelu = activations.get("gelu")
    np.testing.assert_allclose(gelu.fn(x), values, rtol=1e-13, atol=1e-300)
    np.testing.assert_allclose(gelu.grad(x), grads, rtol=1e-12, atol=1e-300)


def test_hard_sigmoid_is_the_keras3_variant_and_gelu_the_exact_one():
    x = np.array([-3.0, -1.5, 0.0, 2.0, 3.0])
    np.testing.assert_allclose(activations.get("hard_sigmoid").fn(x), np.clip(x / 6 + 0.5, 0, 1))
    # keras.ops.gelu's default is the tanh approximation: ours must differ from it measurably.
    approx = keras.ops.gelu(tf.constant(x, tf.float64), approximate=True).numpy()
    assert np.abs(activations.get("gelu").fn(x) - approx).max() > 1e-5


@pytest.mark.parametrize("name", activations.names())
def test_extreme_inputs_give_no_overflow_or_nan(name):
    entry = activations.get(name)
    x = np.array([-1e300, -1e6, -1000.0, -745.0, 0.0, 745.0, 1000.0, 1e6, 1e300])
    with np.errstate(over="raise", invalid="raise", divide="raise", under="ignore"):
        values, grads = entry.fn(x), entry.grad(x)
    assert np.all(np.isfinite(values)) and np.all(np.isfinite(grads))


# ----------------------------------------------------------------------------------------------
# Softmax


@pytest.mark.parametrize("temperature", [0.1, 0.5, 1.0, 3.0])
@pytest.mark.parametrize("logits", [[2.0, 1.0, 0.1], [0.0, 0.0, 0.0, 0.0], [-3.0, 4.5, 1.0, 2.0, -0.5]])
def test_softmax_and_jacobian_match_keras_and_gradient_tape(logits, temperature):
    z = tf.constant(np.array(logits, dtype=np.float64))
    with tf.GradientTape() as tape:
        tape.watch(z)
        expected = keras.activations.softmax(z / temperature)
    jacobian = tape.jacobian(expected, z).numpy()
    np.testing.assert_allclose(activations.softmax(logits, temperature), expected.numpy(), rtol=1e-12)
    np.testing.assert_allclose(activations.softmax_jacobian(logits, temperature), jacobian, atol=1e-13)


def test_softmax_is_stable_with_huge_logits_and_tiny_temperatures():
    with np.errstate(all="raise"):
        for z, t in [([1000.0, 0.0, -1000.0], 1.0), ([1000.0, 1000.0], 1.0), ([1e6, 3.0, 2.0], 0.05)]:
            with np.errstate(under="ignore"):
                p = activations.softmax(z, t)
                jac = activations.softmax_jacobian(z, t)
            assert np.all(np.isfinite(p)) and np.all(np.isfinite(jac))
            assert math.isclose(p.sum(), 1.0)
    np.testing.assert_allclose(activations.softmax([1000.0, 1000.0]), [0.5, 0.5])
    # Each row of the Jacobian sums to 0: shifting every logit by the same amount changes nothing.
    np.testing.assert_allclose(activations.softmax_jacobian([1.0, 2.0, -1.0], 0.7).sum(axis=1), 0, atol=1e-15)


def test_softmax_rejects_bad_input():
    for z, t in [([1.0, 2.0], 0.0), ([1.0, 2.0], -1.0), ([], 1.0), ([[1.0, 2.0]], 1.0), ([np.nan, 1.0], 1.0)]:
        with pytest.raises(ValueError):
            activations.softmax(z, t)


# ----------------------------------------------------------------------------------------------
# Every property in the table, checked by a method independent of the one that derived it


RNG = np.random.default_rng(20261129)
WIDE = np.concatenate([-np.logspace(-3, 4, 400), [0.0], np.logspace(-3, 4, 400), RNG.uniform(-15, 15, 4000)])


@pytest.mark.parametrize(("name", "params"), CASES, ids=CASE_IDS)
def test_output_range_and_boundedness(name, params):
    props = activations.properties(name, **params)
    f = activations.get(name)
    values = f.fn(WIDE, **params)
    far_left, far_right = f.fn(np.array([-1e12, 1e12]), **params)
    assert values.min() >= props.low - 1e-12 and values.max() <= props.high + 1e-12
    for bound, extreme, far, sign in (
        (props.low, values.min(), min(far_left, far_right), -1),
        (props.high, values.max(), max(far_left, far_right), 1),
    ):
        if math.isinf(bound):
            assert sign * far > 1e8, "an unbounded side really grows"
        else:
            assert abs(extreme - bound) < 1e-3, "the bound is approached"
    moderate = values[np.abs(WIDE) <= 10]
    limits = np.array([far_left, far_right])
    for bound, attained, sign in ((props.low, props.low_attained, -1), (props.high, props.high_attained, 1)):
        if not math.isfinite(bound):
            assert not attained
            continue
        reached = np.any(np.abs(moderate - bound) <= 1e-12)  # e.g. relu's flat 0 for x < 0
        interior = np.all(sign * (moderate.max() if sign > 0 else moderate.min()) > sign * limits + 1e-6)
        assert attained == bool(reached or interior), (bound, attained)
    expected_bounded = {(True, True): "yes", (True, False): "below", (False, True): "above", (False, False): "no"}
    assert props.bounded == expected_bounded[(math.isfinite(props.low), math.isfinite(props.high))]


@pytest.mark.parametrize(("name", "params"), CASES, ids=CASE_IDS)
def test_monotonic_and_saturating_against_gradient_tape(name, params):
    props = activations.properties(name, **params)
    function = keras_reference(name, params)
    x = np.linspace(-30, 30, 12_001)  # wide enough for Swish's dip at -12.8 when beta = 0.1
    values, grads = tape_value_and_grad(function, x)
    assert props.monotonic == bool(np.all(np.diff(values) >= -1e-15))
    if name != "step":  # the step's tape gradient is 0, which says nothing about its jump
        assert props.monotonic == bool(np.all(grads >= 0))
    _, far = tape_value_and_grad(function, np.array([-1e4, 1e4]))
    if name in ("step", "prelu"):
        h = 1e-3
        entry = activations.get(name)
        far = (entry.fn(np.array([-1e4, 1e4]) + h, **params) - entry.fn(np.array([-1e4, 1e4]) - h, **params)) / (2 * h)
    assert props.saturates_left == bool(abs(far[0]) < 1e-6)
    assert props.saturates_right == bool(abs(far[1]) < 1e-6)


@pytest.mark.parametrize(("name", "params"), CASES, ids=CASE_IDS)
def test_zero_centred_by_monte_carlo(name, params):
    props = activations.properties(name, **params)
    z = np.random.default_rng(7).standard_normal(2_000_000)
    outputs = keras_reference(name, params)(tf.constant(z.reshape(1, -1))).numpy().ravel()
    mean, sd = outputs.mean(), outputs.std()
    assert abs(props.mean_output - mean) < 4 * sd / math.sqrt(z.size) + 1e-12
    assert props.zero_centred == bool(abs(mean) <= 0.1 * sd)


@pytest.mark.parametrize(("name", "params"), CASES, ids=CASE_IDS)
def test_smooth_means_the_slope_never_jumps(name, params):
    # Slopes of f (not the registry's grad) between neighbouring points 1e-4 apart: for a C^1
    # function they change by about h * |f''| (< 1e-2 here); at a corner or a jump they leap.
    props = activations.properties(name, **params)
    x = np.linspace(-10, 10, 200_001)
    slopes = np.diff(activations.get(name).fn(x, **params)) / np.diff(x)
    assert props.smooth == bool(np.abs(np.diff(slopes)).max() < 1e-2)


@pytest.mark.parametrize(("name", "params"), CASES, ids=CASE_IDS)
def test_grad_at_zero_and_keras_name(name, params):
    props = activations.properties(name, **params)
    _, grad = tape_value_and_grad(keras_reference(name, params), np.array([0.0]))
    tf_alpha_props = activations.properties(name, **{k: v for k, v in as_tf_sees_them(name, params).items()})
    assert tf_alpha_props.grad_at_zero == pytest.approx(float(grad[0]), abs=1e-15)
    assert props.grad_at_zero == pytest.approx(float(activations.get(name).grad(0.0, **params)), abs=0)
    keras_name = props.keras_name
    if keras_name is not None:
        kwargs = activations.get(name).keras_kwargs(**params)
        x = tf.constant(np.linspace(-5, 5, 101))
        np.testing.assert_allclose(
            getattr(keras.activations, keras_name)(x, **kwargs).numpy(),
            activations.get(name).fn(x.numpy(), **as_tf_sees_them(name, params)),
            **TOLERANCE.get(name, {"rtol": 1e-12, "atol": 1e-15}),
        )
    else:
        assert name in ("step", "prelu", "swish")


def test_textbook_facts_hold_at_default_parameters():
    # The claims a course makes about these functions, as the page's table states them.
    def row(name, **params):
        return activations.properties(name, **params)

    assert row("sigmoid").output_range == "(0, 1)" and not row("sigmoid").zero_centred
    assert row("tanh").output_range == "(−1, 1)" and row("tanh").zero_centred
    assert row("relu").output_range == "[0, ∞)" and row("relu").saturating == "x → −∞"
    assert row("relu6").output_range == "[0, 6]" and row("hard_sigmoid").output_range == "[0, 1]"
    assert row("step").output_range == "{0, 1}" and not row("step").smooth
    assert row("elu").output_range == "(−1, ∞)" and row("elu").smooth and not row("elu", alpha=2.0).smooth
    assert row("selu").zero_centred and not row("selu").smooth
    assert not row("gelu").monotonic and not row("swish").monotonic and not row("mish").monotonic
    assert row("leaky_relu", alpha=0.0).output_range == "[0, ∞)"
    assert row("linear").saturating == "no" and row("leaky_relu").saturating == "no"
    assert row("sigmoid").grad_at_zero == 0.25
