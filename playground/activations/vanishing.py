"""Vanishing gradients: backpropagate through a deep stack of dense layers, in numpy.

A random batch goes through `depth` dense layers h_l = f(h_{l-1} W_l) (no biases: they start at
zero in Keras anyway). The loss is a fixed random linear read-out of the last layer,
L = sum(h_depth * r) / batch, so the gradient arriving at the top is the same for every activation
and only the activation decides what survives on the way down. Backpropagation (chain rule):

    dL/da_l = dL/dh_l * f'(a_l)          (a_l = h_{l-1} W_l, the pre-activation)
    dL/dW_l = h_{l-1}^T dL/da_l
    dL/dh_{l-1} = dL/da_l W_l^T

We report ||dL/dW_l|| (Frobenius), the size of the update each layer's weights would get.
Each factor f'(a) is at most 1/4 for the sigmoid, so its gradient shrinks geometrically with depth.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from playground.activations import functions as activations
from playground.i18n import N_

INITIALIZERS = {
    "glorot_uniform": N_("Glorot (Xavier) uniform: U(-l, l), l = sqrt(6 / (fan_in + fan_out)); Keras' Dense default"),
    "he_uniform": N_("He uniform: U(-l, l), l = sqrt(6 / fan_in); made for ReLU-like functions"),
}
MAX_DEPTH = 60
WIDTH = 32  # units per layer
BATCH = 64  # random inputs per batch


@dataclass(frozen=True)
class GradientFlow:
    """Per-layer results, index 0 = the first layer (nearest the input)."""

    weight_grad_norms: np.ndarray  # ||dL/dW_l||
    activation_grad_norms: np.ndarray  # ||dL/dh_l||, the signal arriving at layer l's output
    activation_std: np.ndarray  # std of h_l over the batch, to see forward collapse too


def init_weights(depth: int, width: int, initializer: str = "glorot_uniform", seed: int = 0) -> list[np.ndarray]:
    """`depth` square weight matrices, drawn like keras.initializers.<initializer>."""
    if initializer not in INITIALIZERS:
        raise ValueError(f"unknown initializer {initializer!r}; choose one of {', '.join(INITIALIZERS)}")
    if not 1 <= depth <= MAX_DEPTH:
        raise ValueError(f"depth must be between 1 and {MAX_DEPTH}, got {depth}")
    fan_in = fan_out = width
    limit = np.sqrt(6.0 / (fan_in + fan_out)) if initializer == "glorot_uniform" else np.sqrt(6.0 / fan_in)
    rng = np.random.default_rng(seed)
    return [rng.uniform(-limit, limit, size=(fan_in, fan_out)) for _ in range(depth)]


def batch_and_readout(width: int, batch: int = BATCH, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """The input batch x ~ N(0, 1) and the read-out direction r ~ N(0, 1) defining the loss."""
    rng = np.random.default_rng(seed + 10_000)
    return rng.standard_normal((batch, width)), rng.standard_normal((batch, width))


def gradient_flow(
    name: str,
    depth: int = 30,
    width: int = WIDTH,
    batch: int = BATCH,
    initializer: str = "glorot_uniform",
    seed: int = 0,
    params: dict | None = None,
) -> GradientFlow:
    """Forward a batch through the stack with activation `name`, backpropagate, return norms."""
    entry = activations.get(name)
    params = entry.with_defaults(params)
    weights = init_weights(depth, width, initializer, seed)
    x, readout = batch_and_readout(width, batch, seed)

    inputs, slopes, stds = [], [], []
    h = x
    for w in weights:
        a = h @ w
        inputs.append(h)
        slopes.append(entry.grad(a, **params))
        h = entry.fn(a, **params)
        stds.append(h.std())

    grad_h = readout / batch  # dL/dh_depth
    weight_norms = np.empty(depth)
    signal_norms = np.empty(depth)
    for layer in range(depth - 1, -1, -1):
        signal_norms[layer] = np.linalg.norm(grad_h)
        grad_a = grad_h * slopes[layer]
        weight_norms[layer] = np.linalg.norm(inputs[layer].T @ grad_a)
        grad_h = grad_a @ weights[layer].T
    return GradientFlow(weight_norms, signal_norms, np.array(stds))
