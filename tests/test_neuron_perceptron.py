"""One neuron, the perceptron rule and layer parameter counts, checked against Keras and by proof."""

import itertools

import numpy as np
import pytest

from playground.activations import functions as activations
from playground.neuron import perceptron as neuron
from playground.neuron import figures

START_GRID = list(itertools.product([-1.0, -0.3, 0.0, 0.4, 1.0], [-1.0, 0.0, 0.7], [-1.0, 0.0, 0.5]))
RATES = [0.1, 0.5, 1.0]


@pytest.fixture(scope="module")
def keras():
    return pytest.importorskip("keras")


# --- one neuron ----------------------------------------------------------------------------


def test_neuron_equals_a_keras_dense_unit_for_every_registry_activation(keras):
    rng = np.random.default_rng(0)
    checked = 0
    for name in neuron.activation_names():
        entry = activations.get(name)
        keras_name = entry.keras_name_for()
        if keras_name is None:
            continue
        function, kwargs = getattr(keras.activations, keras_name), entry.keras_kwargs()
        for n_inputs in (2, 3):
            x, w, b = rng.uniform(-2, 2, n_inputs), rng.uniform(-2, 2, n_inputs), float(rng.uniform(-1, 1))
            layer = keras.layers.Dense(1, activation=lambda t: function(t, **kwargs), dtype="float64")
            layer.build((None, n_inputs))
            layer.set_weights([w.reshape(n_inputs, 1), np.array([b])])
            expected = float(np.asarray(layer(x[None, :]))[0, 0])
            result = neuron.neuron_forward(x, w, b, name)
            assert result.a == pytest.approx(expected, abs=1e-6), name
            assert result.z == pytest.approx(float(w @ x + b), abs=1e-12)
            np.testing.assert_allclose(result.products, w * x)
            checked += 1
    assert checked >= 20


def test_step_neuron_and_bad_input():
    assert neuron.neuron_forward([1.0, 1.0], [0.5, 0.5], -1.0, "step").a == 1.0  # z = 0 counts as firing
    assert neuron.neuron_forward([1.0, 0.0], [0.5, 0.5], -1.0, "step").a == 0.0
    with pytest.raises(ValueError, match="one weight per input"):
        neuron.neuron_forward([1.0, 2.0], [0.5], 0.0, "sigmoid")
    with pytest.raises(ValueError, match="Unknown activation"):
        neuron.neuron_forward([1.0], [1.0], 0.0, "no-such")


def test_equations_carry_the_numbers():
    result = neuron.neuron_forward([1.0, -2.0, 0.5], [0.3, 0.25, -1.0], 0.1, "tanh")
    z_line, a_line = neuron.neuron_equations(result)
    assert "w_3x_3" in z_line and "(-2)" in z_line and "(-1)" in z_line
    assert z_line.endswith(r"&= " + neuron.tex_number(result.z) + r" \end{aligned}")
    assert a_line.endswith("= " + neuron.tex_number(result.a))


def test_output_grid_is_the_neuron_at_each_point():
    xs, ys = np.linspace(-0.5, 1.5, 5), np.linspace(-0.5, 1.5, 7)
    grid = neuron.neuron_output_grid((0.7, -0.4), 0.2, "sigmoid", xs, ys)
    assert grid.shape == (7, 5)
    for row, y in enumerate(ys):
        for column, x in enumerate(xs):
            assert grid[row, column] == pytest.approx(neuron.neuron_forward([x, y], [0.7, -0.4], 0.2, "sigmoid").a)


# --- the perceptron rule -------------------------------------------------------------------


@pytest.mark.parametrize("gate", ["AND", "OR"])
def test_perceptron_converges_on_separable_gates(gate):
    inputs, targets = neuron.dataset(gate)
    for (w1, w2, b), rate in itertools.product(START_GRID, RATES):
        run = neuron.perceptron_run(inputs, targets, (w1, w2), b, rate)
        assert run.converged, (gate, w1, w2, b, rate)
        weights, bias = run.state_after(len(run.visits))
        assert neuron.separates(inputs, targets, weights, bias)
        # The last pass made no mistake and changed nothing.
        assert all(v.error == 0 for v in run.visits[-4:])


def test_perceptron_never_converges_on_xor():
    inputs, targets = neuron.dataset("XOR")
    for (w1, w2, b), rate in itertools.product(START_GRID, RATES):
        run = neuron.perceptron_run(inputs, targets, (w1, w2), b, rate, max_epochs=60)
        assert not run.converged
        assert run.epochs == 60 and len(run.visits) == 240
        weights, bias = run.state_after(len(run.visits))
        assert neuron.accuracy(inputs, targets, weights, bias) < 1.0


def test_xor_has_no_separating_line_anywhere():
    # The page's argument, checked numerically: no (w1, w2, b) on a fine grid classifies XOR.
    inputs, targets = neuron.dataset("XOR")
    grid = np.linspace(-3, 3, 61)
    w1, w2, b = np.meshgrid(grid, grid, grid, indexing="ij")
    z = w1[..., None] * inputs[:, 0] + w2[..., None] * inputs[:, 1] + b[..., None]
    correct = ((z >= 0) == (targets == 1)).all(axis=-1)
    assert not correct.any()
    and_inputs, and_targets = neuron.dataset("AND")
    z_and = w1[..., None] * and_inputs[:, 0] + w2[..., None] * and_inputs[:, 1] + b[..., None]
    assert ((z_and >= 0) == (and_targets == 1)).all(axis=-1).any()  # the same search finds AND's lines


def test_each_visit_applies_the_rule():
    inputs, targets = neuron.dataset("OR")
    run = neuron.perceptron_run(inputs, targets, (0.2, -0.6), 0.3, 0.5)
    for visit in run.visits:
        x = np.array(visit.x)
        z = np.dot(visit.weights_before, x) + visit.bias_before
        assert visit.prediction == (1.0 if z >= 0 else 0.0)
        np.testing.assert_allclose(visit.weights_after, np.array(visit.weights_before) + 0.5 * visit.error * x)
        assert visit.bias_after == pytest.approx(visit.bias_before + 0.5 * visit.error)
    assert run.state_after(0)[1] == 0.3
    np.testing.assert_allclose(run.state_after(2)[0], run.visits[1].weights_after)
    with pytest.raises(ValueError, match="positive"):
        neuron.perceptron_run(inputs, targets, learning_rate=0.0)


# --- layers --------------------------------------------------------------------------------


def test_tutorial_network_counts():
    counts = neuron.layer_parameter_counts([11, 6, 6, 1])
    assert [c.total for c in counts] == [11 * 6 + 6, 6 * 6 + 6, 6 * 1 + 1] == [72, 42, 7]
    assert [c.name for c in counts] == ["Hidden layer 1", "Hidden layer 2", "Output layer"]


@pytest.mark.parametrize("sizes", [[11, 6, 6, 1], [2, 2, 1], [2, 3, 1], [784, 32, 10], [3, 1], [5, 8, 8, 8, 3]])
def test_counts_equal_keras_count_params(keras, sizes):
    model = keras.Sequential(
        [keras.Input((sizes[0],))] + [keras.layers.Dense(n, activation="relu") for n in sizes[1:]]
    )
    counts = neuron.layer_parameter_counts(sizes)
    assert [c.total for c in counts] == [layer.count_params() for layer in model.layers]
    assert sum(c.total for c in counts) == model.count_params()
    for count, layer in zip(counts, model.layers):
        kernel, bias = layer.get_weights()
        assert (count.weights, count.biases) == (kernel.size, bias.size)


def test_parse_layer_sizes():
    assert neuron.parse_layer_sizes("11, 6, 6, 1") == [11, 6, 6, 1]
    assert neuron.parse_layer_sizes("2-3-1") == [2, 3, 1]
    for bad, message in [("11, six", "whole numbers"), ("4", "at least two"), ("3, 0, 1", "between"),
                         ("1,1,1,1,1,1,1,1,1", "At most")]:  # fmt: skip
        with pytest.raises(ValueError, match=message):
            neuron.parse_layer_sizes(bad)


# --- figures -------------------------------------------------------------------------------


def test_figures_show_the_numbers():
    result = neuron.neuron_forward([1.0, 0.5], [0.6, -0.4], 0.1, "sigmoid")
    fig = figures.neuron_diagram(result, "sigmoid")
    texts = " ".join(a.text for a in fig.layout.annotations)
    assert "w1 = 0.60" in texts and "w2 = -0.40" in texts and f"a = {result.a:.4g}" in texts
    sizes = [11, 6, 6, 1]
    fig = figures.layer_diagram(sizes, neuron.layer_parameter_counts(sizes))
    texts = " ".join(a.text for a in fig.layout.annotations)
    assert "<b>72</b>" in texts and "<b>42</b>" in texts and "<b>7</b>" in texts
    assert "121 trainable parameters" in fig.layout.title.text
    inputs, targets = neuron.dataset("AND")
    grid = np.linspace(-0.5, 1.5, 11)
    fig = figures.decision_boundary(inputs, targets, (1.0, 1.0), -1.5, grid, grid,
                                    neuron.neuron_output_grid((1.0, 1.0), -1.5, "step", grid, grid), "step")  # fmt: skip
    boundary = next(t for t in fig.data if t.name.startswith("boundary"))
    np.testing.assert_allclose(np.asarray(boundary.y), -(np.asarray(boundary.x) - 1.5))  # x + y = 1.5
    assert fig.layout.xaxis.title.text and fig.layout.yaxis.title.text
