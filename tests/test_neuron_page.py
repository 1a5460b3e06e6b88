"""AppTest of the Neuron & backprop page: every control renders, numbers equal TensorFlow, URL restores."""

import numpy as np
import pytest

from apptest_utils import chart_specs, modules_after_page_run, open_page
from playground.neuron import backprop
from playground.neuron import perceptron as neuron

PAGE = "pages/neuron_backprop.py"
TOLERANCE = 1e-6


def no_exception(at):
    assert not at.exception, [e.value for e in at.exception]


def chart(at, title_start):
    for spec in chart_specs(at):
        title = spec["layout"].get("title", {}).get("text", "")
        if title.startswith(title_start):
            return spec
    raise AssertionError(f"no chart titled {title_start!r}")


def trace(spec, name_start):
    return next(t for t in spec["data"] if t.get("name", "").startswith(name_start))


def latex_text(at):
    return " ".join(element.value for element in at.latex)


@pytest.fixture(scope="module")
def tf():
    return pytest.importorskip("tensorflow")


def shown_backprop_numbers(at):
    """The numbers the backprop diagram carries (full precision customdata)."""
    spec = chart(at, "Forward values")
    hidden = np.asarray(trace(spec, "hidden neurons")["customdata"], dtype=float)
    output = np.asarray(trace(spec, "output neuron")["customdata"], dtype=float)[0]
    weights = trace(spec, "weight:")
    loss = float(np.asarray(trace(spec, "loss")["customdata"], dtype=float)[0][0])
    weight_values = dict(zip(weights["meta"], np.asarray(weights["customdata"], dtype=float)))
    return hidden, output, weight_values, loss


def gradient_tape(tf, spec, values, x, y):
    """Forward values and gradients of the page's network by TensorFlow, float64."""
    params = backprop.Parameters.from_dict(values, spec.hidden)
    act = {"sigmoid": tf.math.sigmoid, "tanh": tf.math.tanh, "relu": tf.nn.relu, "linear": tf.identity,
           "leaky_relu": lambda t: tf.nn.leaky_relu(t, alpha=neuron.activation("leaky_relu").params["alpha"])}
    W, b, v, c = (tf.Variable(np.asarray(a, float), dtype=tf.float64) for a in (params.W, params.b, params.v, params.c))
    with tf.GradientTape() as tape:
        z = tf.constant([x], tf.float64) @ W + b
        a = act[spec.hidden_activation](z)
        z_o = tf.reduce_sum(a * v) + c
        y_hat = act[spec.output_activation](z_o)
        loss = tf.square(y_hat - y) if spec.loss == "mse" else -(y * tf.math.log(y_hat) + (1 - y) * tf.math.log(1 - y_hat))
    gW, gb, gv, gc = tape.gradient(loss, [W, b, v, c])
    grads = backprop.Parameters(gW.numpy(), gb.numpy(), gv.numpy(), float(gc)).to_dict()
    return dict(z=z.numpy()[0], a=a.numpy()[0], z_o=float(z_o), y_hat=float(y_hat), loss=float(loss), grads=grads)


def assert_page_matches_tape(at, tf, spec, values, x, y):
    hidden, output, weights, loss = shown_backprop_numbers(at)
    ref = gradient_tape(tf, spec, values, x, y)
    assert np.max(np.abs(hidden[:, 0] - ref["z"])) <= TOLERANCE
    assert np.max(np.abs(hidden[:, 1] - ref["a"])) <= TOLERANCE
    assert np.max(np.abs(hidden[:, 3] - [ref["grads"][f"b{j}"] for j in range(1, spec.hidden + 1)])) <= TOLERANCE
    assert abs(output[0] - ref["z_o"]) <= TOLERANCE and abs(output[1] - ref["y_hat"]) <= TOLERANCE
    assert abs(output[3] - ref["grads"]["c"]) <= TOLERANCE
    assert abs(loss - ref["loss"]) <= TOLERANCE
    assert set(weights) == {n for n in backprop.parameter_names(spec.hidden) if n[0] in "wv"}
    for name, (value, gradient) in weights.items():
        assert abs(value - values[name]) <= 1e-12
        assert abs(gradient - ref["grads"][name]) <= TOLERANCE, name
    # The chain-rule equations end with the same gradients, rounded for display.
    text = latex_text(at)
    for name, gradient in ref["grads"].items():
        assert f"= {backprop.tex_number(gradient)}" in text, name


# --- the page as a whole ---------------------------------------------------------------------


def test_page_renders_and_never_imports_tensorflow():
    result = modules_after_page_run(PAGE)
    assert result["exceptions"] == []
    assert result["heavy"] == [], "the Neuron & backprop page computes in numpy only"


def test_default_view():
    at = open_page(PAGE)
    no_exception(at)
    assert at.title[0].value == "Neuron & backprop"
    assert len(chart_specs(at)) == 5
    for spec in chart_specs(at):
        assert spec["layout"]["font"]["size"] >= 14


# --- one neuron ------------------------------------------------------------------------------


def test_every_activation_and_three_inputs():
    at = open_page(PAGE)
    at.radio(key="nb.n.inputs").set_value(3).run()
    no_exception(at)
    assert at.slider(key="nb.n.w3").value == 0.3
    for name in neuron.activation_names():
        at.selectbox(key="nb.n.f").set_value(name).run()
        no_exception(at)
        result = neuron.neuron_forward([1.0, 0.5, -1.0], [0.6, -0.4, 0.3], 0.1, name)
        spec = chart(at, "One neuron")
        node = trace(spec, "neuron")
        assert np.asarray(node["customdata"], float).ravel() == pytest.approx([result.z, result.a])
        assert neuron.neuron_equations(result)[1] in latex_text(at)


# --- perceptron ------------------------------------------------------------------------------


@pytest.mark.parametrize("gate", ["AND", "OR"])
def test_run_converges_on_and_or(gate):
    at = open_page(PAGE)
    at.radio(key="nb.pc.data").set_value(gate).run()
    at.button(key="nb.pc.run").click().run()
    no_exception(at)
    assert any("Converged" in s.value for s in at.success)
    assert at.metric[0].value == "4 of 4"
    at.button(key="nb.pc.reset").click().run()
    assert at.number_input(key="nb.pc.visits").value == 0


def test_xor_never_separates_and_the_page_says_why():
    at = open_page(PAGE)
    at.radio(key="nb.pc.data").set_value("XOR").run()
    assert any("not linearly separable" in i.value for i in at.info)
    at.button(key="nb.pc.step").click().run()
    at.button(key="nb.pc.step").click().run()
    assert at.number_input(key="nb.pc.visits").value == 2
    inputs, targets = neuron.dataset("XOR")
    run = neuron.perceptron_run(inputs, targets, (0.2, -0.6), 0.3, 0.5)
    rows = table_with(at, "prediction").to_dict("records")
    assert rows == neuron.visit_rows(run, 2)
    at.button(key="nb.pc.run").click().run()
    no_exception(at)
    assert any("never converges" in e.value for e in at.error)
    assert at.metric[0].value != "4 of 4"
    for shade in ["sigmoid", "tanh", "step"]:
        at.selectbox(key="nb.pc.shade").set_value(shade).run()
        no_exception(at)


def test_every_perceptron_and_neuron_slider_renders_and_a_new_start_restarts_the_run():
    at = open_page(PAGE, query_params={"nb.pc.visits": "5"})
    for key, value in [("nb.pc.w1", -1.0), ("nb.pc.w2", 1.0), ("nb.pc.b", -0.5), ("nb.pc.lr", 0.2)]:
        at.button(key="nb.pc.step").click().run()
        assert at.number_input(key="nb.pc.visits").value > 0
        at.slider(key=key).set_value(value).run()
        no_exception(at)
        assert at.number_input(key="nb.pc.visits").value == 0, key
    inputs, targets = neuron.dataset("AND")
    run = neuron.perceptron_run(inputs, targets, (-1.0, 1.0), -0.5, 0.2)
    at.button(key="nb.pc.run").click().run()
    assert at.number_input(key="nb.pc.visits").value == len(run.visits)
    at.radio(key="nb.pc.data").set_value("XOR").run()  # a new data set starts a new run
    assert at.number_input(key="nb.pc.visits").value == 0
    for key, value in [("nb.n.x1", -2.0), ("nb.n.x2", 2.0), ("nb.n.w1", 1.5), ("nb.n.w2", -1.5), ("nb.n.b", -0.7)]:
        at.slider(key=key).set_value(value).run()
        no_exception(at)
    result = neuron.neuron_forward([-2.0, 2.0], [1.5, -1.5], -0.7, "sigmoid")
    assert np.asarray(trace(chart(at, "One neuron"), "neuron")["customdata"], float).ravel() == pytest.approx(
        [result.z, result.a]
    )


def test_boundary_chart_follows_the_rule():
    at = open_page(PAGE, query_params={"nb.pc.data": "OR", "nb.pc.visits": "3"})
    no_exception(at)
    inputs, targets = neuron.dataset("OR")
    run = neuron.perceptron_run(inputs, targets, (0.2, -0.6), 0.3, 0.5)
    weights, bias = run.state_after(3)
    spec = chart(at, "After 3 visits")
    line = trace(spec, "boundary")
    xs, ys = np.asarray(line["x"], float), np.asarray(line["y"], float)
    np.testing.assert_allclose(weights[0] * xs + weights[1] * ys + bias, 0, atol=1e-12)
    heat = trace(spec, "neuron output")
    grid = np.asarray(heat["x"], float)
    np.testing.assert_allclose(np.asarray(heat["z"], float), neuron.neuron_output_grid(weights, bias, "step", grid, grid))


# --- layers ----------------------------------------------------------------------------------


def table_with(at, column):
    return next(frame.value for frame in at.dataframe if column in frame.value.columns)


def test_layer_presets_match_keras_and_bad_sizes_give_an_error():
    keras = pytest.importorskip("keras")
    at = open_page(PAGE)
    assert r"(11\times6 + 6) + (6\times6 + 6) + (6\times1 + 1) = 121" in latex_text(at)
    for button in [b for b in at.button if b.key and b.key.startswith("nb.layers.")]:
        button.click().run()
        no_exception(at)
        sizes = neuron.parse_layer_sizes(at.text_input(key="nb.layers").value)
        model = keras.Sequential([keras.Input((sizes[0],))] + [keras.layers.Dense(n) for n in sizes[1:]])
        table = table_with(at, "parameters")
        assert list(table["parameters"]) == [layer.count_params() for layer in model.layers]
        assert list(table["weights"]) == [layer.kernel.shape[0] * layer.kernel.shape[1] for layer in model.layers]
        assert f"= {model.count_params()}" in latex_text(at)
        assert chart(at, f"{'-'.join(map(str, sizes))} network: {model.count_params()} trainable parameters")
    at.text_input(key="nb.layers").input("11, six, 1").run()
    no_exception(at)
    assert any("whole numbers" in e.value for e in at.error)


# --- backpropagation -------------------------------------------------------------------------


def test_default_backprop_numbers_equal_gradient_tape(tf):
    at = open_page(PAGE)
    x1, x2, y = backprop.DEFAULT_EXAMPLE
    values = {n: backprop.DEFAULT_PARAMETERS[n] for n in backprop.parameter_names(2)}
    assert_page_matches_tape(at, tf, backprop.NetworkSpec(2), values, [x1, x2], y)


@pytest.mark.parametrize("arch", ["2-2-1", "2-3-1"])
def test_every_backprop_control_matches_gradient_tape(tf, arch):
    # Each hidden activation with each loss, then each output activation (the engine test covers
    # the full product; this checks the page wires every control to the numbers it shows).
    at = open_page(PAGE, query_params={"nb.bp.arch": arch, "nb.bp.x1": "-0.7", "nb.bp.x2": "1.3"})
    hidden = int(arch[2])
    values = {n: backprop.DEFAULT_PARAMETERS[n] for n in backprop.parameter_names(hidden)}
    settings = [(f, "sigmoid", loss) for f in backprop.HIDDEN_ACTIVATIONS for loss in ("mse", "bce")]
    settings += [("tanh", g, "mse") for g in backprop.OUTPUT_ACTIVATIONS]
    for f, g, loss in settings:
        at.selectbox(key="nb.bp.f").set_value(f)
        at.radio(key="nb.bp.loss").set_value(loss.upper()).run()
        if loss == "mse":  # with cross-entropy the output activation is fixed (disabled) at sigmoid
            at.selectbox(key="nb.bp.g").set_value(g).run()
        no_exception(at)
        assert_page_matches_tape(at, tf, backprop.NetworkSpec(hidden, f, g, loss), values, [-0.7, 1.3], 1.0)


def test_apply_update_moves_weights_and_the_loss_goes_down(tf):
    at = open_page(PAGE)
    at.number_input(key="nb.bp.lr").set_value(0.8).run()
    before = {n: at.number_input(key=f"nb.bp.{n}").value for n in backprop.parameter_names(2)}
    at.button(key="nb.bp.apply").click().run()
    no_exception(at)
    after = {n: at.number_input(key=f"nb.bp.{n}").value for n in backprop.parameter_names(2)}
    spec, x, y = backprop.NetworkSpec(2), (1.0, 0.5), 1.0
    ref = gradient_tape(tf, spec, before, x, y)
    for name in before:  # w <- w - lr * dL/dw with TensorFlow's gradient
        assert after[name] == pytest.approx(before[name] - 0.8 * ref["grads"][name], abs=TOLERANCE)
    # The update table shows the new gradients and the step the next update will take.
    table = table_with(at, "after update").set_index("parameter")
    ref_after = gradient_tape(tf, backprop.NetworkSpec(2), after, (1.0, 0.5), 1.0)
    for name in after:
        assert table.loc[name, "value"] == pytest.approx(after[name], abs=1e-12)
        assert table.loc[name, "dL/dparameter"] == pytest.approx(ref_after["grads"][name], abs=TOLERANCE)
        assert table.loc[name, "after update"] == pytest.approx(after[name] - 0.8 * ref_after["grads"][name], abs=TOLERANCE)
    assert_page_matches_tape(at, tf, spec, after, x, y)
    for _ in range(3):
        at.button(key="nb.bp.apply").click().run()
    at.button(key="nb.bp.apply10").click().run()
    no_exception(at)
    curve = trace(chart(at, "Loss over repeated updates"), "loss")
    losses = np.asarray(curve["y"], float)
    assert len(losses) == 1 + 1 + 3 + 10
    assert np.all(np.diff(losses) < 0), losses
    # The new weights live in the URL, so the link reopens this state.
    assert float(at.query_params["nb.bp.w11"][0] if isinstance(at.query_params["nb.bp.w11"], list)
                 else at.query_params["nb.bp.w11"]) == pytest.approx(at.number_input(key="nb.bp.w11").value)
    # Editing a weight by hand starts a new history.
    at.number_input(key="nb.bp.c").set_value(0.3).run()
    assert len(trace(chart(at, "Loss over repeated updates"), "loss")["y"]) == 1
    at.button(key="nb.bp.reset").click().run()
    assert at.number_input(key="nb.bp.w11").value == backprop.DEFAULT_PARAMETERS["w11"]


def test_bad_backprop_input_gives_messages_not_tracebacks():
    at = open_page(PAGE)
    at.number_input(key="nb.bp.lr").set_value(1000.0).run()
    at.number_input(key="nb.bp.x1").set_value(5.0).run()
    at.selectbox(key="nb.bp.g").set_value("linear").run()
    before = at.number_input(key="nb.bp.w11").value
    at.button(key="nb.bp.apply10").click().run()
    no_exception(at)
    assert any("too large" in e.value for e in at.error)
    assert at.number_input(key="nb.bp.w11").value == before  # the diverging update was refused
    at.radio(key="nb.bp.loss").set_value("BCE").run()
    at.number_input(key="nb.bp.y").set_value(1.5).run()
    no_exception(at)
    assert any("between 0 and 1" in e.value for e in at.error)
    at.number_input(key="nb.bp.y").set_value(1.0).run()
    at.number_input(key="nb.bp.c").set_value(-800.0).run()
    no_exception(at)
    assert any("infinite" in w.value for w in at.warning)


# --- URL state -------------------------------------------------------------------------------


def test_url_restores_the_view(tf):
    params = {
        "nb.tab": "Backpropagation", "nb.n.inputs": "3", "nb.n.f": "tanh", "nb.n.w1": "-1.5",
        "nb.pc.data": "XOR", "nb.pc.visits": "7", "nb.layers": "2, 3, 1",
        "nb.bp.arch": "2-3-1", "nb.bp.f": "tanh", "nb.bp.loss": "BCE", "nb.bp.w13": "0.9", "nb.bp.c": "-0.25",
        "nb.bp.lr": "0.2",
    }  # fmt: skip
    at = open_page(PAGE, query_params=params)
    no_exception(at)
    assert at.radio(key="nb.n.inputs").value == 3
    assert at.selectbox(key="nb.n.f").value == "tanh"
    assert at.slider(key="nb.n.w1").value == -1.5
    assert at.radio(key="nb.pc.data").value == "XOR"
    assert at.number_input(key="nb.pc.visits").value == 7
    chart(at, "After 7 visits")
    assert at.text_input(key="nb.layers").value == "2, 3, 1"
    assert chart(at, "2-3-1 network")
    assert at.number_input(key="nb.bp.w13").value == 0.9
    assert at.number_input(key="nb.bp.lr").value == 0.2
    values = {n: backprop.DEFAULT_PARAMETERS[n] for n in backprop.parameter_names(3)} | {"w13": 0.9, "c": -0.25}
    spec = backprop.NetworkSpec(3, "tanh", "sigmoid", "bce")
    assert_page_matches_tape(at, tf, spec, values, list(backprop.DEFAULT_EXAMPLE[:2]), 1.0)
