"""Take a model away: a Keras script that rebuilds the same network and data and trains it, and
the current weights as JSON.

The script is standalone (numpy + keras): it carries the points (with their train/test part), the
feature columns, `build_model()` (Dense layers with the page's activations, start weights,
regularizers, output, loss and optimizer), `load_weights(model, text)` for the weights JSON, and a
`fit` under `if __name__ == "__main__"` (`--epochs N`, `--weights weights.json` to go on from the
page's weights).

The two conventions of network.py carry over as Keras writes them: the "uniform" start is
`RandomUniform(-0.5, 0.5)` kernels (seeded per layer) and `Constant(0.1)` biases, "glorot" is
Keras' Dense default; the "tanh" output is `Dense(1, activation="tanh")` trained with mean squared
error on the labels mapped to 2y - 1, its accuracy by sign. Keras draws its own start numbers
(the same distributions, not numpy's numbers): the weights JSON carries the page's exact ones.
"""

from __future__ import annotations

import json

import numpy as np

from playground.activations import functions as activation_registry
from playground.boundary import features
from playground.boundary.network import Architecture, Objective
from playground.boundary.session import Run

KERAS_OPTIMIZER = {
    "sgd": "keras.optimizers.SGD(learning_rate={lr!r})",
    "momentum": "keras.optimizers.SGD(learning_rate={lr!r}, momentum=0.9)",
    "adam": "keras.optimizers.Adam(learning_rate={lr!r})",
}
UNIFORM_START = ("kernel_initializer=keras.initializers.RandomUniform(-0.5, 0.5, seed=SEED + {layer}), "
                 "bias_initializer=keras.initializers.Constant(0.1), ")
SIGN_ACCURACY = '''

def sign_accuracy(y_true, y_pred):
    """Accuracy of the tanh output on -1/+1 targets: a positive output is class 1."""
    y_true = keras.ops.reshape(y_true, keras.ops.shape(y_pred))  # (n,) labels against (n, 1) outputs
    same = keras.ops.equal(keras.ops.greater(y_true, 0), keras.ops.greater(y_pred, 0))
    return keras.ops.mean(keras.ops.cast(same, "float32"), axis=-1)
'''


def keras_loss(architecture: Architecture, objective: Objective) -> str:
    """The Keras loss name of this network's loss (the tanh output's is MSE on 2y - 1)."""
    if objective.loss == "squared_error":
        return "mean_squared_error"
    return "binary_crossentropy" if architecture.classes == 2 else "sparse_categorical_crossentropy"


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
    output = architecture.output_activation
    regularizer = {"l1": f"keras.regularizers.L1({objective.rate!r})", "l2": f"keras.regularizers.L2({objective.rate!r})"}.get(
        objective.regularization if objective.rate > 0 else "none", "None")

    def start(layer: int) -> str:
        return UNIFORM_START.format(layer=layer) if run.init == "uniform" else ""

    layers_code = "\n".join(
        f"    x = layers.Dense({size}, activation={_keras_activation(act)}, {start(i)}kernel_regularizer={regularizer}, name='hidden_{i + 1}')(x)"
        for i, (size, act) in enumerate(zip(architecture.hidden, architecture.activations)))
    columns = ", ".join(features.FEATURES[name].keras_expression for name in run.feature_ids)
    part = np.zeros(len(run.points), dtype=int)
    part[run.test_index] = 1
    rows = "\n".join(f"{x:.9g},{y:.9g},{label:.9g},{p}" for (x, y), label, p in zip(run.points.xy, run.points.labels, part))
    one_hot = objective.loss == "squared_error" and architecture.classes == 3
    signed = output == "tanh"
    metrics = ('[keras.metrics.MeanMetricWrapper(sign_accuracy, name="accuracy")]' if signed
               else repr(["accuracy"] if architecture.classes else []))
    start_text = ("uniform in +-0.5, biases 0.1" if run.init == "uniform" else "Glorot uniform, biases 0")
    return f'''"""Decision boundary network, exported from the Neural Network Playground.

Features: {", ".join(run.feature_ids)}; hidden layers: {list(architecture.hidden) or "none"}
({", ".join(architecture.activations) or "-"}); output: {output}; start weights: {start_text};
loss: {keras_loss(architecture, objective)}{" on the labels mapped to -1/+1" if signed else ""}; optimizer: {run.training.optimizer}, learning rate {run.training.learning_rate:g};
batch size {run.training.batch_size}. Run it: python this_file.py [--epochs N] [--weights weights.json]
(--weights: start from the weights downloaded from the page instead of new random ones).
"""

import argparse
import io
import json

import keras
import numpy as np
from keras import layers

# x1, x2, label, part (0 = train, 1 = test)
POINTS = np.loadtxt(io.StringIO("""\\
{rows}
"""), delimiter=",", ndmin=2)
CLASSES = {architecture.classes}  # 0 means regression
ONE_HOT = {one_hot!r}  # squared error on three classes compares with one-hot targets
SIGNED = {signed!r}  # a tanh output is trained on the labels 0/1 mapped to -1/+1
SEED = {run.seed}


def feature_columns(x1, x2):
    """The network's inputs: {", ".join(run.feature_ids)}."""
    return np.column_stack([{columns}])
{SIGN_ACCURACY if signed else ""}

def build_model():
    inputs = keras.Input(shape=({architecture.inputs},))
    x = inputs
{layers_code}
    outputs = layers.Dense({architecture.outputs}, activation={output!r}, {start(len(architecture.hidden))}kernel_regularizer={regularizer}, name="output")(x)
    model = keras.Model(inputs, outputs)
    model.compile(optimizer={KERAS_OPTIMIZER[run.training.optimizer].format(lr=run.training.learning_rate)},
                  loss={keras_loss(architecture, objective)!r},
                  metrics={metrics})
    return model


def load_weights(model, text):
    """Give the model the weights of the page's weights JSON (its text)."""
    saved = json.loads(text)["layers"]
    model.set_weights([np.asarray(values, dtype=float) for layer in saved for values in (layer["kernel"], layer["bias"])])


def data(part):
    rows = POINTS[POINTS[:, 3] == part]
    labels = rows[:, 2]
    if ONE_HOT:
        labels = np.eye(3)[labels.astype(int)]
    if SIGNED:
        labels = 2.0 * labels - 1.0
    return feature_columns(rows[:, 0], rows[:, 1]), labels


if __name__ == "__main__":
    arguments = argparse.ArgumentParser(description="Train the exported network with Keras.")
    arguments.add_argument("--epochs", type=int, default={epochs})
    arguments.add_argument("--weights", help="the weights JSON downloaded from the page, to start from")
    args = arguments.parse_args()
    keras.utils.set_random_seed(SEED)
    model = build_model()
    if args.weights:
        with open(args.weights, encoding="utf-8") as file:
            load_weights(model, file.read())
    x_train, y_train = data(0)
    x_test, y_test = data(1)
    model.fit(x_train, y_train, epochs=args.epochs, batch_size={run.training.batch_size}, verbose=2,
              validation_data=(x_test, y_test) if len(x_test) else None)
    print(model.evaluate(x_test, y_test, verbose=0) if len(x_test) else "no test points")
'''


def weights_json(run: Run) -> str:
    network, architecture = run.network, run.architecture
    layers = []
    activations = [*architecture.activations, architecture.output_activation]
    for kernel, bias, activation in zip(network.kernels, network.biases, activations):
        layers.append({"activation": activation, "kernel": kernel.tolist(), "bias": bias.tolist()})
    return json.dumps({
        "features": list(run.feature_ids), "hidden": list(architecture.hidden), "classes": architecture.classes,
        "output": architecture.output_activation, "loss": keras_loss(architecture, run.training.objective),
        "targets": "-1/+1 (2 label - 1)" if architecture.output_activation == "tanh" else "the labels",
        "start_weights": run.init, "seed": run.seed, "epoch": run.epoch, "layers": layers,
        "note": "kernel[i][j] is the weight from input i to neuron j (Keras' Dense layout)",
    }, indent=1)
