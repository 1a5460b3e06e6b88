"""playground.activations.vanishing against the same network differentiated by tf.GradientTape."""

import numpy as np
import pytest

from playground.activations import vanishing
from playground.activations import functions as activations

tf = pytest.importorskip("tensorflow")
keras = pytest.importorskip("keras")


def tape_flow(name: str, depth: int, width: int, batch: int, initializer: str, seed: int):
    """The same stack in TensorFlow (float64), with Keras' activation; norms from GradientTape."""
    entry = activations.get(name)
    function = getattr(keras.activations, entry.keras_name)
    kwargs = entry.keras_kwargs()
    weights = [tf.Variable(w) for w in vanishing.init_weights(depth, width, initializer, seed)]
    x, readout = vanishing.batch_and_readout(width, batch, seed)
    with tf.GradientTape(persistent=True) as tape:
        hidden = [tf.constant(x)]
        for w in weights:
            hidden.append(function(hidden[-1] @ w, **kwargs))
        loss = tf.reduce_sum(hidden[-1] * readout) / batch
    weight_norms = np.array([np.linalg.norm(g.numpy()) for g in tape.gradient(loss, weights)])
    signal_norms = np.array([np.linalg.norm(tape.gradient(loss, h).numpy()) for h in hidden[1:]])
    return weight_norms, signal_norms


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "relu", "elu", "selu", "gelu", "swish", "softsign", "mish"])
@pytest.mark.parametrize("initializer", list(vanishing.INITIALIZERS))
def test_gradient_norms_match_gradient_tape(name, initializer):
    flow = vanishing.gradient_flow(name, depth=12, width=16, batch=8, initializer=initializer, seed=3)
    weight_norms, signal_norms = tape_flow(name, 12, 16, 8, initializer, 3)
    # GELU: TF's float64 GELU uses a float32 sqrt(1/2) (see test_activations_functions.py).
    rtol = 1e-5 if name == "gelu" else 1e-9
    np.testing.assert_allclose(flow.weight_grad_norms, weight_norms, rtol=rtol)
    np.testing.assert_allclose(flow.activation_grad_norms, signal_norms, rtol=rtol)


def test_glorot_and_he_limits_and_reproducibility():
    width = 40
    glorot = np.concatenate([w.ravel() for w in vanishing.init_weights(20, width, "glorot_uniform", seed=1)])
    he = np.concatenate([w.ravel() for w in vanishing.init_weights(20, width, "he_uniform", seed=1)])
    glorot_limit, he_limit = np.sqrt(6 / (2 * width)), np.sqrt(6 / width)
    assert np.abs(glorot).max() <= glorot_limit and np.abs(glorot).max() > 0.99 * glorot_limit
    assert np.abs(he).max() <= he_limit and np.abs(he).max() > 0.99 * he_limit
    # Uniform(-l, l) has variance l^2 / 3: Glorot's is 1/width, He's 2/width.
    assert glorot.var() == pytest.approx(1 / width, rel=0.03)
    assert he.var() == pytest.approx(2 / width, rel=0.03)
    same = vanishing.init_weights(3, width, "glorot_uniform", seed=1)
    np.testing.assert_array_equal(same[0], vanishing.init_weights(3, width, "glorot_uniform", seed=1)[0])


def test_sigmoid_collapses_and_relu_survives():
    depth = 30
    sigmoid = vanishing.gradient_flow("sigmoid", depth=depth).weight_grad_norms
    relu = vanishing.gradient_flow("relu", depth=depth).weight_grad_norms
    # Each sigmoid layer multiplies the gradient by f' <= 1/4 (times the weights' gain).
    assert sigmoid[0] / sigmoid[-1] < 1e-12
    assert 0.1 < relu[0] / relu[-1] < 10
    assert np.all(vanishing.gradient_flow("step", depth=5).weight_grad_norms == 0)


def test_bad_arguments_are_clear_errors():
    with pytest.raises(ValueError, match="initializer"):
        vanishing.init_weights(3, 4, "zeros")
    with pytest.raises(ValueError, match="depth"):
        vanishing.gradient_flow("relu", depth=0)
    with pytest.raises(ValueError, match="unknown activation"):
        vanishing.gradient_flow("nope")
