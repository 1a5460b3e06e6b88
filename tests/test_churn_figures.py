"""Figure builders of the Churn ANN page: what they draw matches the data they are given."""

import numpy as np

from playground.churn import figures
from playground.churn import metrics


def test_network_diagram_draws_one_link_per_weight_coloured_by_sign():
    rng = np.random.default_rng(0)
    weights = [rng.normal(size=(3, 4)), np.zeros(4), rng.normal(size=(4, 1)), np.zeros(1)]
    fig = figures.network_diagram(weights, ["a", "b", "c"])
    links = [trace for trace in fig.data if trace.mode == "lines"]
    segments = sum(list(trace.x).count(None) for trace in links)
    assert segments == 3 * 4 + 4 * 1
    for trace in links:  # every link of a trace has the trace's sign
        sign = 1 if trace.line.color == figures.POSITIVE_COLOR else -1
        assert trace.name == ("positive weight" if sign == 1 else "negative weight")
    assert sorted(trace.name for trace in links if trace.showlegend) == ["negative weight", "positive weight"]
    biggest = max(np.abs(weights[0]).max(), np.abs(weights[2]).max())
    assert max(trace.line.width for trace in links) == 0.5 + 5 * 1.0  # the largest band holds |w| = max
    assert biggest > 0
    assert list(fig.layout.xaxis.ticktext) == ["input (3)", "hidden 1 (4)", "output (1)"]


def test_live_curves_put_loss_left_and_accuracy_right():
    history = [{"epoch": e, "loss": 1 / e, "accuracy": 0.7 + e / 100, "val_loss": 1.1 / e, "val_accuracy": 0.7}
               for e in (1, 2, 3)]
    fig = figures.live_curves(history, epochs=10)
    by_name = {trace.name: trace for trace in fig.data}
    assert list(by_name["training loss"].y) == [1, 0.5, 1 / 3] and by_name["training loss"].xaxis == "x"
    assert by_name["validation accuracy"].xaxis == "x2"
    assert list(fig.layout.xaxis.range) == [0.5, 10.5]
    without_validation = figures.live_curves([{k: v for k, v in row.items() if not k.startswith("val")}
                                              for row in history], 10)
    assert [trace.name for trace in without_validation.data] == ["training loss", "training accuracy"]


def test_confusion_and_roc_figures_show_the_counts():
    counts = metrics.Confusion(tn=50, fp=5, fn=10, tp=15)
    fig = figures.confusion_figure(counts, 0.4)
    assert np.array_equal(np.asarray(fig.data[0].z), [[50, 5], [10, 15]])
    assert "0.40" in fig.layout.title.text
    roc = figures.roc_figure(np.array([0, 0.5, 1]), np.array([0, 0.8, 1]), 0.65, (0.1, 0.6), 0.4)
    assert roc.data[0].name == "network (AUC 0.650)" and list(roc.data[2].x) == [0.1]
