"""The numpy engine against TensorFlow: gradients equal GradientTape's (float64, 1e-6), one epoch
of SGD/momentum/Adam equals Keras' fit on the same batches, the exported script's model has the
same forward pass, and the fast forward and derivative paths equal the activation registry."""

from __future__ import annotations

import numpy as np
import pytest

from playground.activations import functions as activation_registry
from playground.boundary import datasets, export, features, network
from playground.boundary.network import Architecture, Network, Objective
from playground.boundary.session import Run, Training

tf = pytest.importorskip("tensorflow")
keras = pytest.importorskip("keras")


def _data(classes, n=37, inputs=3, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(0, 1.5, (n, inputs))
    if classes:
        labels = rng.integers(0, classes, n).astype(float)
    else:
        labels = rng.uniform(-1, 1, n)
    return x, labels


def _tf_loss(net: Network, x, labels, objective: Objective, variables):
    """The same network written with TensorFlow ops and Keras' losses and regularizers."""
    arch = net.architecture
    a = tf.constant(x)
    kernels, biases = variables[0::2], variables[1::2]
    for kernel, bias, name in zip(kernels, biases, arch.activations):
        activation = activation_registry.get(name)
        a = getattr(keras.activations, activation.keras_name_for())(a @ kernel + bias, **activation.keras_kwargs())
    logits = a @ kernels[-1] + biases[-1]
    y = tf.constant(labels)
    if arch.classes == 2:
        p = tf.sigmoid(logits)
        loss = (keras.losses.binary_crossentropy(y[:, None], p) if objective.loss == "cross_entropy"
                else keras.losses.mean_squared_error(y[:, None], p))
    elif arch.classes == 3:
        p = tf.nn.softmax(logits)
        loss = (keras.losses.sparse_categorical_crossentropy(y, p) if objective.loss == "cross_entropy"
                else keras.losses.mean_squared_error(tf.one_hot(tf.cast(y, tf.int32), 3, dtype=tf.float64), p))
    else:
        loss = keras.losses.mean_squared_error(y[:, None], logits)
    loss = tf.reduce_mean(loss)
    regularizer = {"l1": keras.regularizers.L1, "l2": keras.regularizers.L2}.get(objective.regularization)
    if regularizer and objective.rate:
        loss += tf.add_n([regularizer(objective.rate)(k) for k in kernels])
    return loss


CASES = [
    (2, "cross_entropy", ("tanh", "relu"), "none"),
    (2, "squared_error", ("sigmoid",), "l2"),
    (3, "cross_entropy", ("leaky_relu", "swish"), "l1"),
    (3, "squared_error", ("elu",), "none"),
    (0, "squared_error", ("linear", "tanh", "relu"), "l2"),
    (2, "cross_entropy", (), "l2"),
]


@pytest.mark.parametrize("classes, loss, activations, regularization", CASES)
def test_gradient_equals_gradient_tape(classes, loss, activations, regularization):
    x, labels = _data(classes)
    arch = Architecture(3, tuple(range(5, 5 + len(activations))), activations, classes)
    net = Network(arch, seed=3)
    net.params += np.random.default_rng(1).normal(0, 0.1, net.size)  # non-zero biases too
    objective = Objective(loss, regularization, 0.01 if regularization != "none" else 0.0)
    value, grad = net.gradient(x, labels, objective)
    variables = []
    for kernel, bias in zip(net.kernels, net.biases):
        variables += [tf.Variable(kernel.copy()), tf.Variable(bias.copy())]
    with tf.GradientTape() as tape:
        reference = _tf_loss(net, x, labels, objective, variables)
    tf_grads = np.concatenate([g.numpy().ravel() for g in tape.gradient(reference, variables)])
    np.testing.assert_allclose(value, reference.numpy(), rtol=1e-7, atol=1e-7)
    np.testing.assert_allclose(grad, tf_grads, rtol=1e-6, atol=1e-6)


def test_gradient_equals_finite_differences():
    x, labels = _data(3)
    net = Network(Architecture(3, (4,), ("tanh",), 3), seed=0)
    objective = Objective("cross_entropy", "l2", 0.003)
    _, grad = net.gradient(x, labels, objective)
    grad = grad.copy()
    h = 1e-6
    for i in range(0, net.size, 3):
        saved = net.params[i]
        net.params[i] = saved + h
        up = net.gradient(x, labels, objective)[0]
        net.params[i] = saved - h
        down = net.gradient(x, labels, objective)[0]
        net.params[i] = saved
        assert abs((up - down) / (2 * h) - grad[i]) < 1e-6


@pytest.mark.parametrize("name", network.ACTIVATIONS)
def test_fast_derivatives_equal_the_registry(name):
    z = np.linspace(-6, 6, 1201)
    activation = activation_registry.get(name)
    net = Network(Architecture(1, (1,), (name,), 2))
    np.testing.assert_allclose(net._derivative[0](z, activation.fn(z)), activation.grad(z), rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(net._forward_into[0](z.copy(), np.empty_like(z)), activation.fn(z))
    delta, a = np.linspace(-1, 1, z.size), activation.fn(z)
    scaled = delta.copy()
    net._scale[0](scaled, z, a, np.empty_like(z))
    np.testing.assert_array_equal(scaled, delta * net._derivative[0](z, a))


def _keras_model_from_script(run: Run):
    namespace = {"__name__": "exported"}
    exec(compile(export.keras_script(run), "exported.py", "exec"), namespace)
    return namespace


@pytest.mark.parametrize("optimizer, data_set, hidden, activations, loss, regularization", [
    ("sgd", "spiral", (8, 8), ("tanh", "tanh"), "cross_entropy", "none"),
    ("momentum", "blobs3", (5,), ("relu",), "cross_entropy", "l2"),
    ("adam", "reg_gauss", (6, 4), ("swish", "leaky_relu"), "squared_error", "l1"),
    ("sgd", "circle", (3,), ("sigmoid",), "squared_error", "none"),
])
def test_one_epoch_equals_keras_fit(optimizer, data_set, hidden, activations, loss, regularization):
    """The exported script's model, given our initial weights and fitted for one epoch on the
    same batch order with Keras' optimizer, ends at our weights."""
    points = datasets.generate(data_set, 120, 0.1, seed=2)
    objective = Objective(loss, regularization, 0.002 if regularization != "none" else 0.0)
    run = Run(points, ["x1", "x2", "x1x2", "sin1"], hidden, activations, Training(optimizer, 0.05, 7, objective), 0.5, 4)
    namespace = _keras_model_from_script(run)
    model = namespace["build_model"]()
    model.set_weights([w.copy() for pair in zip(run.network.kernels, run.network.biases) for w in pair])
    x_train, y_train = namespace["data"](0)
    np.testing.assert_allclose(x_train, run.x_train, rtol=1e-7, atol=1e-7)
    order = np.random.default_rng(9).permutation(len(run.y_train))
    keras_input = tf.constant(run.x_train[order], dtype=tf.float32)
    np.testing.assert_allclose(model.predict(keras_input, verbose=0).squeeze(),
                               run.network.predict(run.x_train[order]), rtol=1e-4, atol=1e-5)
    # Keras runs in float32; run ours on the same float32-rounded inputs and compare loosely.
    model.fit(run.x_train[order], y_train[order], batch_size=7, epochs=1, shuffle=False, verbose=0)
    run.network.train_epoch(run.x_train, run.y_train, 7, run.optimizer, objective, order)
    ours = run.network.params
    theirs = np.concatenate([w.ravel() for w in model.get_weights()])
    np.testing.assert_allclose(theirs, ours, rtol=1e-3, atol=2e-5)
    assert np.abs(theirs - ours).max() < 1e-4


def test_exported_model_forward_equals_the_engine_for_the_same_weights():
    points = datasets.generate("xor", 200, 0.0, seed=0)
    run = Run(points, features.names(), (8, 8, 3), ("tanh", "leaky_relu", "elu"), Training(), 0.5, 0)
    run.train(epochs=20)
    model = _keras_model_from_script(run)["build_model"]()
    model.set_weights([w for pair in zip(run.network.kernels, run.network.biases) for w in pair])
    grid = features.matrix(np.random.default_rng(0).uniform(-6, 6, (300, 2)), run.feature_ids)
    np.testing.assert_allclose(model(grid.astype("float32")).numpy().squeeze(), run.network.predict(grid), atol=2e-5)
