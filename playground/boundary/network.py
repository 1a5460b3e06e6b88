"""The numpy engine: a fully connected network on the plane, its forward and backward pass and
one epoch of mini-batch training, written to equal Keras (Dense layers with Glorot-uniform
kernels and zero biases, `binary_crossentropy` / `sparse_categorical_crossentropy` /
`mean_squared_error`, L1/L2 kernel regularizers, `keras.optimizers` via the optimizers package).

All parameters live in one flat float64 vector (`Network.params`); each layer's kernel and bias
are views into it, so an optimizer from `playground.optimizers.rules` updates the whole network
in one call. Start reading at `Network.gradient`, then `train_epoch`.

Two conventions a student may know from other 2-D playgrounds (TensorFlow Playground) are choices;
the defaults keep Keras' way, so every older call means what it meant:

- Start weights, `Network(architecture, seed, init=...)`, ids and labels in `START_WEIGHTS`:
  `"glorot"` (default; Glorot-uniform kernels, zero biases, as keras.layers.Dense) or `"uniform"`
  (kernels uniform in [-0.5, 0.5], every bias 0.1). Both draw the kernels, layer by layer, from
  `np.random.default_rng(seed)`.
- The output, `Architecture(inputs, hidden, activations, classes, output=...)`, ids and labels in
  `OUTPUTS`: None (default) is sigmoid for 2 classes, softmax for 3, linear for regression;
  `"tanh"` (2 classes only) is a tanh output trained with squared error on the labels mapped to
  -1/+1, i.e. loss = mean((tanh(z) - (2 label - 1))²); it needs `Objective(loss="squared_error")`
  (`check_objective` says so otherwise). `Keras: Dense(1, activation="tanh")`, loss "mse" on 2y - 1.
  Accuracy is by sign (z > 0 is class 1, the same rule as the sigmoid's p > 0.5), and
  `predict` / `output_from_logits` give (tanh(z) + 1) / 2 in [0, 1] (= sigmoid(2z)), so the map
  and its colour bar read as for the sigmoid; `output_values` gives tanh(z) itself.

The browser's engine (playground/boundary/web/engine.js) computes the same numbers (tests equal
within 1e-9 after 50 epochs, tests/test_boundary_js_engine.py); `js_spec(...)` builds its spec.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from playground.activations import functions as activation_registry
from playground.i18n import N_
from playground.optimizers import rules

# The hidden-layer activations the page offers (ids of the activation registry).
ACTIVATIONS = ("tanh", "relu", "sigmoid", "linear", "leaky_relu", "swish", "elu")
OPTIMIZERS = ("sgd", "momentum", "adam")
LOSSES = {"cross_entropy": N_("Cross-entropy"), "squared_error": N_("Squared error")}
REGULARIZATIONS = {"none": N_("None"), "l1": "L1", "l2": "L2"}
START_WEIGHTS = {"glorot": N_("Glorot uniform, biases 0"), "uniform": N_("Uniform ±0.5, biases 0.1")}
OUTPUTS = {"sigmoid": N_("Sigmoid"), "tanh": N_("Tanh, squared error on -1/+1"),
           "softmax": N_("Softmax"), "linear": N_("Linear")}
DEFAULT_OUTPUT = {2: "sigmoid", 3: "softmax", 0: "linear"}  # per `classes`
MAX_LAYERS, MAX_NEURONS = 6, 8
EXPLODED = 1e6  # a loss above this (or not finite) counts as "the training exploded"


@dataclass(frozen=True)
class Architecture:
    """Everything that fixes the shape of the weights: changing any of it starts a new network."""

    inputs: int
    hidden: tuple[int, ...]
    activations: tuple[str, ...]  # one per hidden layer
    classes: int  # 2 -> one sigmoid output, 3 -> softmax over three, 0 -> one linear output
    output: str | None = None  # None: DEFAULT_OUTPUT[classes]; "tanh" for 2 classes (see the module doc)

    def __post_init__(self):
        if self.inputs < 1:
            raise ValueError("The network needs at least one input feature.")
        if len(self.hidden) > MAX_LAYERS:
            raise ValueError(f"At most {MAX_LAYERS} hidden layers; got {len(self.hidden)}.")
        if any(not 1 <= n <= MAX_NEURONS for n in self.hidden):
            raise ValueError(f"Each hidden layer has 1 to {MAX_NEURONS} neurons; got {list(self.hidden)}.")
        if len(self.activations) != len(self.hidden):
            raise ValueError(f"Give one activation per hidden layer: {len(self.hidden)} layers, "
                             f"{len(self.activations)} activations.")
        for name in self.activations:
            activation_registry.get(name)
        if self.classes not in (0, 2, 3):
            raise ValueError("classes must be 2, 3 or 0 (regression).")
        allowed = ("sigmoid", "tanh") if self.classes == 2 else (DEFAULT_OUTPUT[self.classes],)
        if self.output is not None and self.output not in allowed:
            raise ValueError(f"The output {self.output!r} does not fit {self.classes or 'a regression'}"
                             f"{' classes' if self.classes else ''}; choose {' or '.join(allowed)}.")
        if self.output == DEFAULT_OUTPUT[self.classes]:  # one spelling per network: equal ones compare equal
            object.__setattr__(self, "output", None)

    @property
    def outputs(self) -> int:
        return 3 if self.classes == 3 else 1

    @property
    def output_activation(self) -> str:
        """"sigmoid", "tanh", "softmax" or "linear"."""
        return self.output or DEFAULT_OUTPUT[self.classes]

    @property
    def sizes(self) -> tuple[int, ...]:
        return (self.inputs, *self.hidden, self.outputs)


@dataclass(frozen=True)
class Objective:
    """What training minimises: the data loss plus a kernel penalty."""

    loss: str = "cross_entropy"
    regularization: str = "none"
    rate: float = 0.0

    def __post_init__(self):
        if self.loss not in LOSSES:
            raise ValueError(f"Unknown loss {self.loss!r}; choose {' or '.join(LOSSES)}.")
        if self.regularization not in REGULARIZATIONS:
            raise ValueError(f"Unknown regularization {self.regularization!r}; choose {', '.join(REGULARIZATIONS)}.")
        if not 0.0 <= self.rate <= 10.0:
            raise ValueError(f"The regularization rate must be between 0 and 10; got {self.rate:g}.")


def check_objective(architecture: Architecture, objective: Objective) -> None:
    if architecture.classes == 0 and objective.loss == "cross_entropy":
        raise ValueError("Cross-entropy needs classes; a regression target is fitted with squared error.")
    if architecture.output_activation == "tanh" and objective.loss != "squared_error":
        raise ValueError("A tanh output is trained with squared error on the labels -1/+1, not cross-entropy.")


def _sigmoid(z):
    return activation_registry.get("sigmoid").fn(z)


# Derivatives computed from a layer's output a = f(z) instead of from z: one numpy call instead
# of the registry's two or three, on the hot path of training. The tests check each one equals
# the registry's `grad` (the registry stays the reference for every activation).
FAST_DERIVATIVES = {
    "tanh": lambda z, a: 1.0 - a * a,
    "sigmoid": lambda z, a: a * (1.0 - a),
    "relu": lambda z, a: (z > 0).astype(float),
    "linear": lambda z, a: np.ones_like(a),
}
# The same forward passes written into a buffer (the training step reuses its arrays from batch to
# batch); any other activation calls the registry. The tests check each one equals the registry.
FAST_FORWARD = {
    "tanh": lambda z, out: np.tanh(z, out=out),
    "relu": lambda z, out: np.maximum(z, 0.0, out=out),
    "linear": lambda z, out: z,  # a = z: nothing writes to z after the forward pass
}


def _scale_by_derivative(name: str, derivative):
    """delta *= f'(z), in place; tanh and sigmoid from a = f(z) through a scratch array (the same
    products as FAST_DERIVATIVES, so the same numbers)."""
    if name == "tanh":  # 1 - a²
        def scale(delta, z, a, scratch):
            np.multiply(a, a, out=scratch)
            np.subtract(1.0, scratch, out=scratch)
            delta *= scratch
    elif name == "sigmoid":  # a (1 - a)
        def scale(delta, z, a, scratch):
            np.subtract(1.0, a, out=scratch)
            scratch *= a
            delta *= scratch
    else:
        def scale(delta, z, a, scratch):
            delta *= derivative(z, a)
    return scale


class _Buffers:
    """Arrays of one batch size, reused by every batch of that size: per hidden layer z and
    a = f(z) (n, neurons), the logits, and per layer the delta and a scratch array."""

    def __init__(self, sizes: tuple[int, ...], n: int):
        self.pre = [np.empty((n, size)) for size in sizes[1:-1]]
        self.post = [np.empty((n, size)) for size in sizes[1:-1]]
        self.logits = np.empty((n, sizes[-1]))
        self.delta = [np.empty((n, size)) for size in sizes[1:]]  # delta[l]: d loss / d (layer l's z)
        self.scratch = [np.empty((n, size)) for size in sizes[1:]]


def _softmax_rows(z):
    shifted = z - z.max(axis=1, keepdims=True)
    e = np.exp(shifted)
    return e / e.sum(axis=1, keepdims=True)


def _log_softmax_rows(z):
    shifted = z - z.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


class Network:
    """Weights and the maths. `params` is the one flat vector; `kernels[l]` has shape (in, out)."""

    def __init__(self, architecture: Architecture, seed: int = 0, params: np.ndarray | None = None,
                 init: str = "glorot"):
        self.architecture = architecture
        sizes = architecture.sizes
        shapes = [(a, b) for a, b in zip(sizes[:-1], sizes[1:])]
        total = sum(a * b + b for a, b in shapes)
        self.params = np.zeros(total)
        self.kernels, self.biases = self._views(self.params, shapes)
        self._shapes = shapes
        if params is not None:
            params = np.asarray(params, dtype=float)
            if params.shape != (total,):
                raise ValueError(f"Expected {total} parameters for this network; got {params.size}.")
            self.params[:] = params
        else:
            self.params[:] = start_weights(architecture, seed, init)
        self._hidden = [activation_registry.get(name) for name in architecture.activations]
        self._derivative = [
            FAST_DERIVATIVES.get(activation.name) or (lambda z, a, grad=activation.grad: grad(z))
            for activation in self._hidden
        ]
        self._forward_into = [
            FAST_FORWARD.get(activation.name) or (lambda z, out, fn=activation.fn: fn(z))
            for activation in self._hidden
        ]
        self._scale = [_scale_by_derivative(activation.name, derivative)
                       for activation, derivative in zip(self._hidden, self._derivative)]
        self._buffers: dict[int, _Buffers] = {}  # batch size -> its arrays
        self._grad = np.zeros(total)
        self._grad_kernels, self._grad_biases = self._views(self._grad, shapes)

    @staticmethod
    def _views(flat, shapes):
        kernels, biases, at = [], [], 0
        for a, b in shapes:
            kernels.append(flat[at:at + a * b].reshape(a, b))
            at += a * b
            biases.append(flat[at:at + b])
            at += b
        return kernels, biases

    @property
    def size(self) -> int:
        return self.params.size

    def copy(self) -> "Network":
        return Network(self.architecture, params=self.params.copy())

    # -- forward -------------------------------------------------------------------------------

    def layer_outputs(self, x: np.ndarray) -> tuple[list[np.ndarray], np.ndarray]:
        """Every hidden layer's activations (n, neurons) and the output logits (n, outputs)."""
        hidden = []
        a = x
        for kernel, bias, activation in zip(self.kernels, self.biases, self._hidden):
            a = activation.fn(a @ kernel + bias)
            hidden.append(a)
        return hidden, a @ self.kernels[-1] + self.biases[-1]

    def predict(self, x: np.ndarray) -> np.ndarray:
        """The network's output: P(class 1) (n,), class probabilities (n, 3), or the value (n,)."""
        _, logits = self.layer_outputs(x)
        return self.output_from_logits(logits)

    def output_from_logits(self, logits):
        """What the map shows: P(class 1) in [0, 1] (for the tanh output (tanh z + 1) / 2),
        the three class probabilities, or the regression value."""
        classes = self.architecture.classes
        if classes == 3:
            return _softmax_rows(logits)
        if self.architecture.output_activation == "tanh":
            return (np.tanh(logits[:, 0]) + 1.0) / 2.0
        if classes == 2:
            return _sigmoid(logits[:, 0])
        return logits[:, 0]

    def output_values(self, logits):
        """The output layer's own values: sigmoid/tanh (n,), softmax (n, 3), linear (n,)."""
        if self.architecture.output_activation == "tanh":
            return np.tanh(logits[:, 0])
        return self.output_from_logits(logits)

    # -- loss ----------------------------------------------------------------------------------

    def data_loss(self, logits: np.ndarray, labels: np.ndarray, loss: str) -> float:
        """Mean loss over the rows, as Keras computes it (cross-entropy from the logits, which
        equals Keras' value on the probabilities wherever they are not clipped at 1e-7)."""
        classes = self.architecture.classes
        if len(labels) == 0:
            return float("nan")
        if loss == "cross_entropy":
            if classes == 2:  # softplus(z) - y z = -(y log s(z) + (1-y) log(1-s(z)))
                z = logits[:, 0]
                return float(np.mean(np.logaddexp(0.0, z) - labels * z))
            log_p = _log_softmax_rows(logits)
            return float(-np.mean(log_p[np.arange(len(labels)), labels.astype(int)]))
        if self.architecture.output_activation == "tanh":  # targets -1/+1
            return float(np.mean((np.tanh(logits[:, 0]) - (2.0 * labels - 1.0)) ** 2))
        output = self.output_from_logits(logits)
        if classes == 3:  # Keras MSE on one-hot targets: mean over the classes, then over rows
            target = np.eye(3)[labels.astype(int)]
            return float(np.mean((output - target) ** 2))
        return float(np.mean((output - labels) ** 2))

    def penalty(self, objective: Objective) -> float:
        if objective.regularization == "l2":
            return objective.rate * sum(float(np.sum(k * k)) for k in self.kernels)
        if objective.regularization == "l1":
            return objective.rate * sum(float(np.sum(np.abs(k))) for k in self.kernels)
        return 0.0

    # -- backward ------------------------------------------------------------------------------

    def _output_delta(self, logits, labels, loss, out):
        """d(mean loss)/d(logits), shape (n, outputs); `out` is a buffer of that shape it may use.
        The caller ignores overflow: exp overflow gives p = 0 exactly, as it should."""
        n = len(labels)
        classes = self.architecture.classes
        if classes == 2 and loss == "cross_entropy":  # (p - y) / n, p = 1 / (1 + e^-z), in `out`
            np.negative(logits, out=out)
            np.exp(out, out=out)
            out += 1.0
            np.divide(1.0, out, out=out)
            out -= labels[:, None]
            out /= n
            return out
        if self.architecture.output_activation == "tanh":  # 2 (t - y±) (1 - t²) / n
            t = np.tanh(logits[:, 0])
            return (2.0 * (t - (2.0 * labels - 1.0)) * (1.0 - t * t) / n)[:, None]
        if classes == 2:
            p = 1.0 / (1.0 + np.exp(-logits[:, 0]))
            return (2.0 * (p - labels) * p * (1.0 - p) / n)[:, None]
        if classes == 3:
            p = _softmax_rows(logits)
            target = np.zeros_like(p)
            target[np.arange(n), labels.astype(int)] = 1.0
            if loss == "cross_entropy":
                return (p - target) / n
            g = 2.0 * (p - target) / (3 * n)  # dL/dp; then through softmax's Jacobian
            return p * (g - np.sum(g * p, axis=1, keepdims=True))
        return (2.0 * (logits[:, 0] - labels) / n)[:, None]

    def gradient(self, x: np.ndarray, labels: np.ndarray, objective: Objective,
                 with_loss: bool = True) -> tuple[float, np.ndarray]:
        """(batch loss incl. penalty, gradient of it as one flat vector). The returned array is a
        buffer the next call overwrites; copy it to keep it. Training skips the loss (nan)."""
        with np.errstate(over="ignore"):
            return self._gradient(x, labels, objective, with_loss)

    def _gradient(self, x, labels, objective, with_loss):
        """`gradient` without its own errstate (train_epoch sets one for the whole epoch). Every
        intermediate array is a reused buffer of this batch size: the same operations in the same
        order as the plain formulas, so the same numbers, without allocating per batch."""
        n = len(labels)
        buffers = self._buffers.get(n)
        if buffers is None:
            buffers = self._buffers[n] = _Buffers(self.architecture.sizes, n)
        pre, post = buffers.pre, [x]
        a = x
        for layer, (kernel, bias, forward) in enumerate(zip(self.kernels, self.biases, self._forward_into)):
            z = np.matmul(a, kernel, out=pre[layer])
            z += bias
            a = forward(z, buffers.post[layer])
            post.append(a)
        logits = np.matmul(a, self.kernels[-1], out=buffers.logits)
        logits += self.biases[-1]
        loss = self.data_loss(logits, labels, objective.loss) if with_loss else float("nan")
        delta = self._output_delta(logits, labels, objective.loss, buffers.delta[-1])
        for layer in range(len(self.kernels) - 1, -1, -1):
            np.dot(post[layer].T, delta, out=self._grad_kernels[layer])
            np.add.reduce(delta, axis=0, out=self._grad_biases[layer])  # np.sum's own reduction
            if layer:
                below = np.matmul(delta, self.kernels[layer].T, out=buffers.delta[layer - 1])
                self._scale[layer - 1](below, pre[layer - 1], post[layer], buffers.scratch[layer - 1])
                delta = below
        if objective.regularization != "none" and objective.rate > 0:
            if with_loss:
                loss += self.penalty(objective)
            for kernel, grad in zip(self.kernels, self._grad_kernels):
                grad += (2.0 * objective.rate) * kernel if objective.regularization == "l2" else objective.rate * np.sign(kernel)
        return loss, self._grad

    # -- training ------------------------------------------------------------------------------

    def train_epoch(self, x, labels, batch_size: int, optimizer: rules.Optimizer, objective: Objective,
                    order: np.ndarray | None = None) -> bool:
        """One pass over (x, labels) in mini-batches of `batch_size`, in row order `order` (Keras'
        fit(shuffle=False) on x[order]). Returns True, or False when an update was not finite: it
        is then not applied and the weights stay at their last finite values."""
        if order is not None:
            x, labels = x[order], labels[order]
        params = self.params
        # Plain SGD, fused: new = params - lr g written into one reused array (the same numbers as
        # rules.SGD.step, without its argument checks and allocations per batch).
        plain_sgd, new = type(optimizer) is rules.SGD, np.empty_like(params)
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            for start in range(0, len(labels), batch_size):
                end = start + batch_size
                _, grad = self._gradient(x[start:end], labels[start:end], objective, False)
                if plain_sgd:
                    np.multiply(grad, optimizer.learning_rate, out=new)
                    np.subtract(params, new, out=new)
                    optimizer.iterations += 1
                else:
                    new = optimizer.step(params, grad)
                if not np.isfinite(new).all():
                    return False
                params[:] = new
        return True


def start_weights(architecture: Architecture, seed: int = 0, init: str = "glorot") -> np.ndarray:
    """The flat start vector: per layer the kernel (in, out) drawn from default_rng(seed), then
    the bias. "glorot": uniform in ±sqrt(6 / (in + out)), biases 0 (Keras' Dense default);
    "uniform": uniform in ±0.5, biases 0.1 (TensorFlow Playground's start)."""
    if init not in START_WEIGHTS:
        raise ValueError(f"Unknown start weights {init!r}; choose {' or '.join(START_WEIGHTS)}.")
    rng = np.random.default_rng(seed)
    parts = []
    for a, b in zip(architecture.sizes[:-1], architecture.sizes[1:]):
        limit = np.sqrt(6.0 / (a + b)) if init == "glorot" else 0.5
        parts += [rng.uniform(-limit, limit, (a, b)).ravel(), np.full(b, 0.0 if init == "glorot" else 0.1)]
    return np.concatenate(parts)


def js_spec(architecture: Architecture, params: np.ndarray, optimizer: str, learning_rate: float,
            batch_size: int, objective: Objective, seed: int = 0) -> dict:
    """The spec of web/engine.js's `createModel` for this network (JSON-ready: plain lists and numbers)."""
    return {
        "sizes": list(architecture.sizes), "activations": list(architecture.activations),
        "output": architecture.output_activation, "loss": objective.loss,
        "params": [float(v) for v in params], "optimizer": optimizer,
        "learningRate": float(learning_rate), "batchSize": int(batch_size),
        "regularization": objective.regularization, "rate": float(objective.rate), "seed": int(seed),
    }


def make_optimizer(name: str, learning_rate: float) -> rules.Optimizer:
    if name not in OPTIMIZERS:
        raise ValueError(f"Unknown optimizer {name!r}; choose {', '.join(OPTIMIZERS)}.")
    if not 1e-5 <= learning_rate <= 10:
        raise ValueError(f"The learning rate must be between 0.00001 and 10; got {learning_rate:g}.")
    return rules.make(name, learning_rate)
