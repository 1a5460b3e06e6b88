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
    if arch.output_activation == "tanh":  # squared error on the labels mapped to -1/+1
        loss = keras.losses.mean_squared_error(2.0 * y[:, None] - 1.0, keras.activations.tanh(logits))
    elif arch.classes == 2:
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
    ("tanh", "squared_error", ("tanh", "elu"), "l2"),
    ("tanh", "squared_error", (), "none"),
    (2, "squared_error", ("sigmoid",), "l2"),
    (3, "cross_entropy", ("leaky_relu", "swish"), "l1"),
    (3, "squared_error", ("elu",), "none"),
    (0, "squared_error", ("linear", "tanh", "relu"), "l2"),
    (2, "cross_entropy", (), "l2"),
]


@pytest.mark.parametrize("classes, loss, activations, regularization", CASES)
def test_gradient_equals_gradient_tape(classes, loss, activations, regularization):
    output = None
    if classes == "tanh":  # two classes through a tanh output
        classes, output = 2, "tanh"
    x, labels = _data(classes)
    arch = Architecture(3, tuple(range(5, 5 + len(activations))), activations, classes, output)
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


# -- the two conventions of other 2-D playgrounds: start weights and the tanh output ------------

def test_glorot_start_is_unchanged_and_uniform_start_is_tensorflow_playgrounds():
    arch = Architecture(3, (8, 5), ("tanh", "relu"), 2)
    glorot = Network(arch, seed=7)
    rng = np.random.default_rng(7)  # the draw the engine always made: kernels in layer order
    for kernel in glorot.kernels:
        limit = np.sqrt(6.0 / sum(kernel.shape))
        np.testing.assert_array_equal(kernel, rng.uniform(-limit, limit, kernel.shape))
    assert all((b == 0).all() for b in glorot.biases)
    np.testing.assert_array_equal(Network(arch, seed=7, init="glorot").params, glorot.params)
    uniform = Network(arch, seed=7, init="uniform")
    rng = np.random.default_rng(7)
    for kernel, bias in zip(uniform.kernels, uniform.biases):
        np.testing.assert_array_equal(kernel, rng.uniform(-0.5, 0.5, kernel.shape))
        np.testing.assert_array_equal(bias, np.full(bias.shape, 0.1))
    assert np.abs(np.concatenate([k.ravel() for k in uniform.kernels])).max() <= 0.5
    assert not np.array_equal(Network(arch, seed=8, init="uniform").params, uniform.params)
    with pytest.raises(ValueError, match="start weights"):
        Network(arch, init="he")


def test_uniform_start_equals_keras_initializers_in_distribution():
    """Keras' RandomUniform(-0.5, 0.5) and Constant(0.1), as the exported script would name them,
    build kernels of the same range and mean and biases of the same value as ours."""
    layer = keras.layers.Dense(400, kernel_initializer=keras.initializers.RandomUniform(-0.5, 0.5, seed=1),
                               bias_initializer=keras.initializers.Constant(0.1))
    layer.build((None, 400))
    theirs, bias = (w.numpy() for w in layer.weights)
    ours = Network(Architecture(400, (), (), 0), seed=1, init="uniform")
    for kernel in (theirs, ours.kernels[0]):
        assert -0.5 <= kernel.min() < -0.49 and 0.49 < kernel.max() <= 0.5 and abs(kernel.mean()) < 0.05
    np.testing.assert_allclose(bias, 0.1, rtol=1e-7)
    np.testing.assert_array_equal(ours.biases[0], 0.1)


def test_tanh_output_reads_as_a_probability_and_classifies_by_sign():
    arch = Architecture(2, (4,), ("tanh",), 2, "tanh")
    assert arch.output_activation == "tanh"
    assert Architecture(2, (4,), ("tanh",), 2, "sigmoid") == Architecture(2, (4,), ("tanh",), 2)
    net = Network(arch, seed=0, init="uniform")
    x = np.random.default_rng(0).normal(0, 2, (50, 2))
    _, logits = net.layer_outputs(x)
    t = np.tanh(logits[:, 0])
    np.testing.assert_allclose(net.output_values(logits), t)
    np.testing.assert_allclose(net.predict(x), (t + 1) / 2)
    np.testing.assert_allclose(net.predict(x), 1 / (1 + np.exp(-2 * logits[:, 0])), rtol=1e-12)
    labels = (x[:, 0] > 0).astype(float)
    assert net.data_loss(logits, labels, "squared_error") == pytest.approx(np.mean((t - (2 * labels - 1)) ** 2))
    with pytest.raises(ValueError, match="squared error"):
        network.check_objective(arch, Objective("cross_entropy"))
    for classes in (0, 3):
        with pytest.raises(ValueError, match="does not fit"):
            Architecture(2, (), (), classes, "tanh")


@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
def test_tanh_output_epoch_equals_keras_fit(optimizer):
    """A Keras model with a tanh output and MSE on 2y - 1, from our uniform start, fitted one epoch
    on the same batches with Keras' optimizer, ends at our weights (float32 vs float64: loosely)."""
    points = datasets.generate("xor", 120, 0.1, seed=2)
    x = features.matrix(points.xy, ["x1", "x2", "x1x2"])
    labels = points.labels
    arch = Architecture(3, (6, 4), ("tanh", "relu"), 2, "tanh")
    net = Network(arch, seed=3, init="uniform")
    objective = Objective("squared_error", "l2", 0.002)
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(6, "tanh", kernel_regularizer=keras.regularizers.L2(0.002)),
                              keras.layers.Dense(4, "relu", kernel_regularizer=keras.regularizers.L2(0.002)),
                              keras.layers.Dense(1, "tanh", kernel_regularizer=keras.regularizers.L2(0.002))])
    name, kwargs = network.rules.KERAS_EQUIVALENT[optimizer]
    model.compile(optimizer=getattr(keras.optimizers, name)(learning_rate=0.05, **kwargs), loss="mse")
    model.set_weights([w.copy() for pair in zip(net.kernels, net.biases) for w in pair])
    order = np.random.default_rng(9).permutation(len(labels))
    model.fit(x[order], 2.0 * labels[order] - 1.0, batch_size=7, epochs=1, shuffle=False, verbose=0)
    net.train_epoch(x, labels, 7, network.make_optimizer(optimizer, 0.05), objective, order)
    theirs = np.concatenate([w.ravel() for w in model.get_weights()])
    np.testing.assert_allclose(theirs, net.params, rtol=1e-3, atol=2e-5)
