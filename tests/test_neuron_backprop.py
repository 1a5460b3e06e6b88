"""The 2-H-1 backprop engine against TensorFlow's GradientTape, in float64.

Every number the page shows (forward values, loss, dL/dy_hat, g'(z_o), f'(z_j), the deltas and every
parameter gradient) must equal TensorFlow's within 1e-6.
"""

import itertools
import re

import numpy as np
import pytest

tf = pytest.importorskip("tensorflow")
keras = pytest.importorskip("keras")

from playground.neuron import backprop  # noqa: E402
from playground.activations import functions as activations  # noqa: E402

TOLERANCE = 1e-6

CONFIGS = [
    backprop.NetworkSpec(hidden, f, g, loss)
    for hidden, f, g, loss in itertools.product(
        backprop.HIDDEN_SIZES, backprop.HIDDEN_ACTIVATIONS, backprop.OUTPUT_ACTIVATIONS, backprop.LOSSES
    )
    if not (backprop.LOSSES[loss].needs_probability and g != "sigmoid")
]


def keras_activation(name):
    """The Keras function the registry says equals `name` (with the registry's default parameters)."""
    entry = activations.get(name)
    function = getattr(keras.activations, entry.keras_name_for())
    kwargs = entry.keras_kwargs()
    return lambda x: function(x, **kwargs)


def tensorflow_pass(spec, params, x, y):
    """Forward pass and gradients of the same network, by TensorFlow."""
    f, g = keras_activation(spec.hidden_activation), keras_activation(spec.output_activation)
    W = tf.Variable(params.W, dtype=tf.float64)
    b = tf.Variable(params.b, dtype=tf.float64)
    v = tf.Variable(params.v, dtype=tf.float64)
    c = tf.Variable(params.c, dtype=tf.float64)
    x = tf.constant(np.asarray(x, float)[None, :], dtype=tf.float64)
    with tf.GradientTape(persistent=True) as tape:
        z_hidden = x @ W + b
        tape.watch(z_hidden)
        a_hidden = f(z_hidden)
        z_out = tf.reduce_sum(a_hidden * v) + c
        tape.watch(z_out)
        y_hat = g(z_out)
        tape.watch(y_hat)
        if spec.loss == "mse":
            loss = tf.square(y_hat - y)
        else:  # the formula itself: Keras' BCE clips y_hat to [1e-7, 1 - 1e-7] (checked separately)
            loss = -(y * tf.math.log(y_hat) + (1 - y) * tf.math.log(1 - y_hat))
    out = {
        "z_hidden": z_hidden.numpy()[0], "a_hidden": a_hidden.numpy()[0], "z_out": float(z_out),
        "y_hat": float(y_hat), "loss": float(loss),
        "dL_dyhat": float(tape.gradient(loss, y_hat)),
        "delta_out": float(tape.gradient(loss, z_out)),
        "delta_hidden": tape.gradient(loss, z_hidden).numpy()[0],
        "dL_da_hidden": tape.gradient(loss, a_hidden).numpy()[0],
        "W": tape.gradient(loss, W).numpy(), "b": tape.gradient(loss, b).numpy(),
        "v": tape.gradient(loss, v).numpy(), "c": float(tape.gradient(loss, c)),
    }  # fmt: skip
    # Local derivatives g'(z_o) and f'(z_j), each by its own tape.
    with tf.GradientTape() as local:
        zo = tf.constant(out["z_out"], tf.float64)
        local.watch(zo)
        go_ = g(zo)
    out["dyhat_dz_out"] = float(local.gradient(go_, zo))
    with tf.GradientTape() as local:
        zh = tf.constant(out["z_hidden"], tf.float64)
        local.watch(zh)
        fh = f(zh)
    out["da_dz_hidden"] = local.gradient(fh, zh).numpy()
    return out


def random_case(spec, seed):
    rng = np.random.default_rng(seed)
    values = {name: float(rng.uniform(-1.5, 1.5)) for name in backprop.parameter_names(spec.hidden)}
    x = rng.uniform(-2, 2, size=2)
    y = float(rng.integers(0, 2)) if spec.loss == "bce" else float(rng.uniform(-1, 1))
    return backprop.Parameters.from_dict(values, spec.hidden), x, y


def assert_pass_matches_tensorflow(result, reference):
    numbers = {
        "z_hidden": result.z_hidden, "a_hidden": result.a_hidden, "z_out": result.z_out, "y_hat": result.y_hat,
        "loss": result.loss, "dL_dyhat": result.dL_dyhat, "delta_out": result.delta_out,
        "delta_hidden": result.delta_hidden, "dL_da_hidden": result.dL_da_hidden, "W": result.grad.W,
        "b": result.grad.b, "v": result.grad.v, "c": result.grad.c, "dyhat_dz_out": result.dyhat_dz_out,
        "da_dz_hidden": result.da_dz_hidden,
    }  # fmt: skip
    for name, ours in numbers.items():
        difference = np.max(np.abs(np.asarray(ours) - np.asarray(reference[name])))
        assert difference <= TOLERANCE, (name, ours, reference[name])


@pytest.mark.parametrize("spec", CONFIGS, ids=lambda s: f"{s.hidden}-{s.hidden_activation}-{s.output_activation}-{s.loss}")
def test_every_number_equals_gradient_tape(spec):
    for seed in range(3):
        params, x, y = random_case(spec, seed)
        result = backprop.run(spec, params, x, y)
        assert result.finite
        assert_pass_matches_tensorflow(result, tensorflow_pass(spec, params, x, y))


def test_losses_equal_keras_losses():
    for y_hat, y in [(0.3, 1.0), (0.8, 0.0), (0.55, 1.0), (0.1, 0.0)]:
        y_true, y_pred = np.array([[y]]), np.array([[y_hat]])
        mse = float(keras.losses.MeanSquaredError()(y_true, y_pred))
        bce = float(keras.losses.BinaryCrossentropy()(y_true, y_pred))
        # Keras computes losses in float32 here: compare at float32 precision.
        assert backprop.LOSSES["mse"].value(y_hat, y) == pytest.approx(mse, rel=1e-6)
        assert backprop.LOSSES["bce"].value(y_hat, y) == pytest.approx(bce, rel=1e-5)


def test_default_page_network_equals_gradient_tape():
    for hidden in backprop.HIDDEN_SIZES:
        spec = backprop.NetworkSpec(hidden)
        x1, x2, y = backprop.DEFAULT_EXAMPLE
        params = backprop.default_parameters(hidden)
        result = backprop.run(spec, params, (x1, x2), y)
        assert_pass_matches_tensorflow(result, tensorflow_pass(spec, params, (x1, x2), y))


def test_chain_rule_steps_multiply_out_to_the_gradient():
    spec = backprop.NetworkSpec(3, "tanh", "sigmoid", "bce")
    params, x, y = random_case(spec, 7)
    result = backprop.run(spec, params, x, y)
    reference = tensorflow_pass(spec, params, x, y)
    tf_grads = backprop.Parameters(reference["W"], reference["b"], reference["v"], reference["c"]).to_dict()
    steps = backprop.chain_rule_steps(result)
    assert [s.parameter for s in steps] == backprop.parameter_names(3)
    for step in steps:
        product = np.prod([factor.value for factor in step.factors])
        assert abs(product - step.value) <= 1e-12
        assert abs(step.value - tf_grads[step.parameter]) <= TOLERANCE
        # The equation ends with the rounded gradient, and shows each factor's number.
        latex = step.latex()
        assert latex.removesuffix(r"\end{aligned}").endswith("= " + backprop.tex_number(step.value))
        for factor in step.factors:
            assert backprop.tex_number(factor.value) in latex
    # Hidden-layer gradients have five links (loss, output activation, v_j, hidden activation, x_i).
    assert len(steps[0].factors) == 5 and len(steps[-1].factors) == 3


def test_forward_and_delta_equations_show_the_numbers():
    spec = backprop.NetworkSpec(2, "relu", "linear", "mse")
    params, x, y = random_case(spec, 3)
    result = backprop.run(spec, params, x, y)
    text = " ".join(backprop.forward_equations(result) + backprop.delta_equations(result))
    for value in [*result.z_hidden, *result.a_hidden, result.z_out, result.y_hat, result.loss,
                  result.delta_out, *result.delta_hidden]:  # fmt: skip
        assert backprop.tex_number(value) in text


def test_sgd_update_matches_keras_sgd_and_the_loss_goes_down():
    spec = backprop.NetworkSpec(3, "sigmoid", "sigmoid", "mse")
    params = backprop.default_parameters(3)
    x, y, rate = (1.0, 0.5), 1.0, 0.5
    passes = backprop.train(spec, params, x, y, rate, 20)
    losses = [p.loss for p in passes]
    assert all(later < earlier for earlier, later in zip(losses, losses[1:]))
    # One step of keras.optimizers.SGD on the same gradients gives the same weights.
    variables = [tf.Variable(a, dtype=tf.float64) for a in (params.W, params.b, params.v, np.float64(params.c))]
    grads = passes[0].grad
    optimizer = keras.optimizers.SGD(learning_rate=rate)
    optimizer.apply_gradients(zip([tf.constant(g, tf.float64) for g in (grads.W, grads.b, grads.v, grads.c)], variables))
    stepped = passes[1].params
    for ours, theirs in zip((stepped.W, stepped.b, stepped.v, stepped.c), variables):
        np.testing.assert_allclose(ours, theirs.numpy(), atol=1e-12)


def test_diverging_learning_rate_is_a_clear_error():
    spec = backprop.NetworkSpec(2, "relu", "linear", "mse")
    with pytest.raises(ValueError, match="learning rate is too large"):
        backprop.train(spec, backprop.default_parameters(2), (5.0, 5.0), 2.0, 1000.0, 50)
    with pytest.raises(ValueError, match="positive"):
        backprop.sgd_update(backprop.default_parameters(2), backprop.default_parameters(2), -1.0)


def test_saturated_cross_entropy_is_reported_not_raised():
    spec = backprop.NetworkSpec(2, "relu", "sigmoid", "bce")
    values = dict(backprop.DEFAULT_PARAMETERS, c=-800.0)  # sigmoid(-800) is exactly 0: log(0) = -inf
    result = backprop.run(spec, backprop.Parameters.from_dict(values, 2), (1.0, 0.5), 1.0)
    assert not result.finite
    with pytest.raises(ValueError, match="not finite"):
        backprop.sgd_update(result.params, result.grad, 0.1)


def test_history_restarts_when_the_user_edits_and_continues_after_updates():
    spec = backprop.NetworkSpec(2)
    params = backprop.default_parameters(2)
    context = (spec, (1.0, 0.5), 1.0)
    first = backprop.run(spec, params, (1.0, 0.5), 1.0)
    history = backprop.track(None, context, first)
    passes = backprop.train(spec, params, (1.0, 0.5), 1.0, 0.5, 3)
    history = backprop.extend(history, passes)
    assert history.losses == [p.loss for p in passes]
    assert backprop.track(history, context, passes[-1]) is history
    edited = backprop.Parameters.from_dict(dict(params.to_dict(), c=0.9), 2)
    restarted = backprop.track(history, context, backprop.run(spec, edited, (1.0, 0.5), 1.0))
    assert len(restarted.losses) == 1
    assert len(backprop.track(history, (spec, (0.0, 0.5), 1.0), passes[-1]).losses) == 1


def test_bad_specs_are_rejected_with_a_message():
    with pytest.raises(ValueError, match="sigmoid output"):
        backprop.NetworkSpec(2, "tanh", "linear", "bce")
    with pytest.raises(ValueError, match="hidden layer"):
        backprop.NetworkSpec(5)
    with pytest.raises(ValueError, match="Unknown activation"):
        backprop.NetworkSpec(2, "nonsense")


def test_parameter_round_trip_and_tex_numbers():
    params = backprop.default_parameters(3)
    assert backprop.Parameters.from_dict(params.to_dict(), 3).to_dict() == params.to_dict()
    assert list(params.to_dict()) == backprop.parameter_names(3)
    assert backprop.tex_number(1.23456e-5) == r"1.235\times10^{-5}"
    assert backprop.tex_number(-0.0) == "0"
    assert re.fullmatch(r"-?\d+(\.\d+)?", backprop.tex_number(-0.098292))
