"""Take a model away: a Keras script that rebuilds the same network and data and trains it, and
the current weights as JSON.

The script is standalone (numpy + keras): it carries the points (with their train/test part), the
feature columns, `build_model()` (Dense layers with the page's activations, regularizers, output,
loss and optimizer) and a `fit` under `if __name__ == "__main__"`.
"""

from __future__ import annotations

import json

import numpy as np

from playground.activations import functions as activation_registry
from playground.boundary import features
from playground.boundary.session import Run

KERAS_LOSS = {  # (loss id, classes) -> the Keras loss name
    ("cross_entropy", 2): "binary_crossentropy",
    ("cross_entropy", 3): "sparse_categorical_crossentropy",
    ("squared_error", 2): "mean_squared_error",
    ("squared_error", 3): "mean_squared_error",
    ("squared_error", 0): "mean_squared_error",
}
KERAS_OPTIMIZER = {
    "sgd": "keras.optimizers.SGD(learning_rate={lr!r})",
    "momentum": "keras.optimizers.SGD(learning_rate={lr!r}, momentum=0.9)",
    "adam": "keras.optimizers.Adam(learning_rate={lr!r})",
}


def _keras_activation(name: str) -> str:
    activation = activation_registry.get(name)
    keras_name = activation.keras_name_for()
    if keras_name is None:
        raise ValueError(f"{name} has no Keras equivalent to export")
    kwargs = activation.keras_kwargs()
    if not kwargs:
        return repr(keras_name)
    arguments = ", ".join(f"{key}={value!r}" for key, value in kwargs.items())
    return f"lambda x: keras.activations.{keras_name}(x, {arguments})"


def keras_script(run: Run, epochs: int = 300) -> str:
    architecture, objective = run.architecture, run.training.objective
    regularizer = {"l1": f"keras.regularizers.L1({objective.rate!r})", "l2": f"keras.regularizers.L2({objective.rate!r})"}.get(
        objective.regularization if objective.rate > 0 else "none", "None")
    layers_code = "\n".join(
        f"    x = layers.Dense({size}, activation={_keras_activation(act)}, kernel_regularizer={regularizer}, name='hidden_{i + 1}')(x)"
        for i, (size, act) in enumerate(zip(architecture.hidden, architecture.activations)))
    columns = ", ".join(features.FEATURES[name].keras_expression for name in run.feature_ids)
    part = np.zeros(len(run.points), dtype=int)
    part[run.test_index] = 1
    rows = "\n".join(f"{x:.9g},{y:.9g},{label:.9g},{p}" for (x, y), label, p in zip(run.points.xy, run.points.labels, part))
    one_hot = objective.loss == "squared_error" and architecture.classes == 3
    return f'''"""Decision boundary network, exported from the Neural Network Playground.

Features: {", ".join(run.feature_ids)}; hidden layers: {list(architecture.hidden) or "none"}
({", ".join(architecture.activations) or "-"}); output: {architecture.output_activation};
loss: {KERAS_LOSS[(objective.loss, architecture.classes)]}; optimizer: {run.training.optimizer}, learning rate {run.training.learning_rate:g};
batch size {run.training.batch_size}. Run it: python this_file.py
"""

import io

import keras
import numpy as np
from keras import layers

# x1, x2, label, part (0 = train, 1 = test)
POINTS = np.loadtxt(io.StringIO("""\\
{rows}
"""), delimiter=",", ndmin=2)
CLASSES = {architecture.classes}  # 0 means regression
ONE_HOT = {one_hot!r}  # squared error on three classes compares with one-hot targets


def feature_columns(x1, x2):
    """The network's inputs: {", ".join(run.feature_ids)}."""
    return np.column_stack([{columns}])


def build_model():
    inputs = keras.Input(shape=({architecture.inputs},))
    x = inputs
{layers_code}
    outputs = layers.Dense({architecture.outputs}, activation={architecture.output_activation!r}, kernel_regularizer={regularizer}, name="output")(x)
    model = keras.Model(inputs, outputs)
    model.compile(optimizer={KERAS_OPTIMIZER[run.training.optimizer].format(lr=run.training.learning_rate)},
                  loss={KERAS_LOSS[(objective.loss, architecture.classes)]!r},
                  metrics={["accuracy"] if architecture.classes else []!r})
    return model


def data(part):
    rows = POINTS[POINTS[:, 3] == part]
    labels = rows[:, 2]
    if ONE_HOT:
        labels = np.eye(3)[labels.astype(int)]
    return feature_columns(rows[:, 0], rows[:, 1]), labels


if __name__ == "__main__":
    keras.utils.set_random_seed({run.seed})
    model = build_model()
    x_train, y_train = data(0)
    x_test, y_test = data(1)
    model.fit(x_train, y_train, epochs={epochs}, batch_size={run.training.batch_size}, verbose=2,
              validation_data=(x_test, y_test) if len(x_test) else None)
    print(model.evaluate(x_test, y_test, verbose=0) if len(x_test) else "no test points")
'''


def weights_json(run: Run) -> str:
    network = run.network
    layers = []
    activations = [*run.architecture.activations, run.architecture.output_activation]
    for kernel, bias, activation in zip(network.kernels, network.biases, activations):
        layers.append({"activation": activation, "kernel": kernel.tolist(), "bias": bias.tolist()})
    return json.dumps({
        "features": list(run.feature_ids), "hidden": list(run.architecture.hidden), "classes": run.architecture.classes,
        "epoch": run.epoch, "layers": layers,
        "note": "kernel[i][j] is the weight from input i to neuron j (Keras' Dense layout)",
    }, indent=1)
