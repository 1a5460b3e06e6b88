"""playground.board.challenges and figures: rankings, challenges, names, the spread and the CSV."""

import csv
import io
from dataclasses import dataclass, field

import pytest

from playground.board import challenges, figures
from playground.i18n import translator


@dataclass
class Row:
    id: int
    page: str
    member_id: int
    nickname: str
    settings: dict = field(default_factory=dict)
    figures: dict = field(default_factory=dict)
    posted_at: str = "2026-12-03 09:00:00"


def churn(id, member, accuracy, seed=0, hidden=(6, 6), parameters=127, nickname=None, batch=10):
    return Row(id, "churn", member, nickname or f"n{member}",
               {"hidden": list(hidden), "activation": ["relu"] * len(hidden), "optimizer": "adam",
                "learning_rate": 0.001, "batch_size": batch, "epochs": 100, "seed": seed},
               {"test_accuracy": accuracy, "auc": 0.8, "parameters": parameters, "epochs_run": 100})


def boundary(id, member, data="spiral", features=("x1", "x2"), hidden=(8, 8), loss=0.05, accuracy=0.98):
    return Row(id, "boundary", member, f"n{member}",
               {"data": data, "features": list(features), "hidden": list(hidden), "neurons": sum(hidden),
                "activations": ["tanh"] * len(hidden), "optimizer": "adam", "learning_rate": 0.03, "batch_size": 10},
               {"test_loss": loss, "test_accuracy": accuracy, "epochs": 300})


def experiment(id, member, best, lows):
    return Row(id, "experiment", member, f"n{member}", {"hidden": [6, 6], "seeds": [0, 1, 2], "compared": ["base"]},
               {"best_mean_accuracy": best, "best_label": "base",
                "comparisons": [{"label": f"v{i}", "mean_diff": low + 1, "low": low, "high": low + 2,
                                 "verdict": "better" if low > 0 else "noise"} for i, low in enumerate(lows)]})


def test_plain_ranking_is_by_test_accuracy_and_equal_scores_share_a_place():
    rows = [churn(1, 1, 0.84), churn(2, 2, 0.86), churn(3, 3, 0.84), churn(4, 1, None), boundary(5, 1)]
    ranked = challenges.standings(rows, "churn")
    assert [(s.rank, s.run_ids, s.score) for s in ranked] == [(1, (2,), 0.86), (2, (1,), 0.84), (2, (3,), 0.84)]
    assert challenges.students(rows, "churn") == 3 and challenges.students(rows) == 3


def test_boundary_ranks_classes_by_accuracy_then_regression_by_loss():
    rows = [boundary(1, 1, accuracy=0.9, loss=0.2), boundary(2, 2, data="reg_plane", accuracy=None, loss=0.01),
            boundary(3, 3, accuracy=0.95, loss=0.3), boundary(4, 4, data="reg_gauss", accuracy=None, loss=0.002)]
    assert [s.run_ids[0] for s in challenges.standings(rows, "boundary")] == [3, 1, 4, 2]


def test_the_mean_over_three_seeds_groups_one_students_recipe_and_takes_its_first_three_seeds():
    rows = [churn(1, 1, 0.80, seed=0), churn(2, 1, 0.82, seed=1), churn(3, 1, 0.90, seed=1),  # seed 1 again: ignored
            churn(4, 1, 0.84, seed=2), churn(5, 1, 0.99, seed=3),  # a 4th seed: not in the first three
            churn(6, 2, 0.86, seed=0), churn(7, 2, 0.85, seed=1),  # only 2 seeds: not ranked
            churn(8, 3, 0.83, seed=0, batch=32), churn(9, 3, 0.83, seed=1, batch=32), churn(10, 3, 0.84, seed=2)]
    (first,) = challenges.standings(rows, "churn", "churn.seeds3")  # student 3 changed the batch: two recipes
    assert first.member_id == 1 and first.run_ids == (1, 2, 4)
    assert first.score == pytest.approx((0.80 + 0.82 + 0.84) / 3)
    assert "seed" not in first.settings


def test_the_smallest_network_above_85_percent():
    rows = [churn(1, 1, 0.86, parameters=127), churn(2, 2, 0.851, hidden=(3,), parameters=40),
            churn(3, 3, 0.84, hidden=(1,), parameters=14), churn(4, 4, 0.87, hidden=(3,), parameters=40)]
    ranked = challenges.standings(rows, "churn", "churn.small")
    assert [(s.rank, s.run_ids[0]) for s in ranked] == [(1, 4), (1, 2), (3, 1)]  # equal size: the better one first


def test_the_spiral_challenge_wants_x1_x2_only_a_low_test_loss_and_few_neurons():
    rows = [boundary(1, 1, hidden=(8, 8), loss=0.05), boundary(2, 2, hidden=(4, 4), loss=0.09),
            boundary(3, 3, hidden=(2,), loss=0.3),  # too high a loss
            boundary(4, 4, features=("x1", "x2", "sin1", "sin2"), hidden=(2,), loss=0.01),  # sin features: not allowed
            boundary(5, 5, data="circle", hidden=(1,), loss=0.01)]
    assert [(s.run_ids[0], s.score) for s in challenges.standings(rows, "boundary", "boundary.spiral")] == [(2, 8), (1, 16)]
    circle = [boundary(6, 1, data="circle", hidden=(), loss=0.2), boundary(7, 2, data="circle", hidden=(), loss=0.1),
              boundary(8, 3, data="circle", hidden=(2,), loss=0.01)]
    assert [s.run_ids[0] for s in challenges.standings(circle, "boundary", "boundary.circle")] == [7, 6]


def test_the_experiment_challenge_ranks_by_the_lower_end_of_the_interval():
    rows = [experiment(1, 1, 0.85, [-1.0, 0.4]), experiment(2, 2, 0.86, [-0.2]), experiment(3, 3, 0.84, [1.2])]
    assert [(s.run_ids[0], s.score) for s in challenges.standings(rows, "experiment", "experiment.beat")] == [
        (3, 1.2), (1, 0.4)]
    assert [s.run_ids[0] for s in challenges.standings(rows, "experiment")] == [2, 1, 3]


def test_a_challenge_of_another_page_or_unknown_falls_back_to_the_plain_ranking():
    assert challenges.get("churn", "boundary.spiral") is challenges.PLAIN["churn"]
    assert challenges.get("churn", "<script>") is challenges.PLAIN["churn"]
    assert {c.page for c in challenges.CHALLENGES.values()} == set(challenges.PAGES)
    every = [*challenges.CHALLENGES.values(), *challenges.PLAIN.values()]
    assert all(0 < len(c.short) <= 24 for c in every), "the teacher's menu in a narrow sidebar shows the short name"


def test_hidden_names_are_numbered_in_order_of_first_post():
    rows = [churn(5, 7, 0.8), churn(2, 9, 0.8), churn(3, 7, 0.8)]
    assert challenges.shown_names(rows, True, "Student {}".format) == {9: "Student 1", 7: "Student 2"}
    assert challenges.shown_names(rows, False, "Student {}".format) == {9: "n9", 7: "n7"}


def test_the_churn_spread_has_one_dot_per_run_axes_units_legend_and_the_tutorial_line():
    rows = [churn(1, 1, 0.84), churn(2, 2, 0.86, hidden=(12,)), churn(3, 1, 0.82), boundary(4, 1)]
    figure = figures.spread_figure("churn", rows).to_dict()
    dots = {trace["name"]: (list(trace["x"]), list(trace["y"])) for trace in figure["data"] if trace["mode"] == "markers"}
    assert dots["tutorial recipe (6-6 relu, adam, batch 10)"] == ([1, 3], pytest.approx([84.0, 82.0]))
    assert dots["other settings"] == ([2], pytest.approx([86.0]))
    assert figure["layout"]["yaxis"]["title"]["text"] == "test accuracy (%)"
    assert figure["layout"]["xaxis"]["title"]["text"] == "run number (#)"
    (line,) = figure["layout"]["shapes"]
    assert line["y0"] == line["y1"] == pytest.approx(86.0)
    assert any("86 %" in trace["name"] for trace in figure["data"])  # the line has its legend entry


def test_the_experiment_spread_shows_each_interval_as_an_error_bar():
    figure = figures.spread_figure("experiment", [experiment(1, 1, 0.85, [-1.0, 0.4])]).to_dict()
    by_name = {trace["name"]: trace for trace in figure["data"]}
    better, noise = by_name["better"], by_name["within the seed noise"]
    assert list(better["y"]) == [1.4] and list(better["error_y"]["array"]) == pytest.approx([1.0])
    assert list(better["error_y"]["arrayminus"]) == pytest.approx([1.0])
    assert list(noise["y"]) == [0.0]


def test_figures_and_tables_are_translated():
    zh = translator("zh")
    figure = figures.spread_figure("churn", [churn(1, 1, 0.84)], _=zh).to_dict()
    assert figure["layout"]["yaxis"]["title"]["text"] == zh("test accuracy (%)") != "test accuracy (%)"
    challenge = challenges.get("churn", None)
    table = figures.ranking_frame(challenges.standings([churn(1, 1, 0.84)], "churn"), "churn", challenge, {1: "Ann"}, zh)
    assert zh("student") in table.columns and table.iloc[0][zh("student")] == "Ann"
    assert table.iloc[0][zh(challenge.score_name)] == "84.0 %"


def test_the_csv_has_every_run_and_defuses_formulas():
    rows = [churn(1, 1, 0.84, nickname="=HYPERLINK(\"http://x\")"), boundary(2, 2), experiment(3, 1, 0.85, [0.5])]
    names = challenges.shown_names(rows, False, str)
    text = figures.class_csv(rows, names)
    records = list(csv.DictReader(io.StringIO(text)))
    assert [r["run"] for r in records] == ["1", "2", "3"] and [r["page"] for r in records] == [
        "churn", "boundary", "experiment"]
    assert records[0]["student"] == "'=HYPERLINK(\"http://x\")"
    assert records[0]["figure.test_accuracy"] == "0.84" and records[1]["setting.features"] == "x1 x2"
    assert "v0: mean_diff=1.5" in records[2]["figure.comparisons"]
    assert records[0]["setting.learning_rate"] == "0.001"  # a negative or plain number is not touched


@pytest.mark.parametrize(("page", "y_range"), [("churn", [50, 100]), ("experiment", [-5, 5]), ("boundary", [0, 100])])
def test_the_spread_before_the_first_run_has_axes_and_the_reference_line(page, y_range):
    """The board draws the spread before any run (the projector shows its frame; nothing moves when the
    first dot comes): named axes over ranges the first runs fall in, and on Churn the tutorial's line."""
    figure = figures.spread_figure(page, [churn(1, 1, 0.84)] if page != "churn" else []).to_dict()
    layout = figure["layout"]
    assert layout["xaxis"]["range"] == [0, 10] and layout["yaxis"]["range"] == y_range
    assert layout["xaxis"]["title"]["text"] == "run number (#)" and layout["yaxis"]["title"]["text"]
    assert all(not [x for x in trace.get("x", []) if x is not None] for trace in figure["data"]), "no dots"
    if page == "churn":
        assert layout["shapes"][0]["y0"] == pytest.approx(86.0) and layout["showlegend"] is True
        assert any(trace["name"].startswith("the tutorial") for trace in figure["data"])


def test_an_accuracy_axis_never_goes_past_100_percent():
    """One dot at 100 % (a solved data set) made the axis run from 99 to 101 %; a loss axis is not capped."""
    def cap(figure):
        return figure.to_dict()["layout"]["yaxis"].get("autorangeoptions", {}).get("maxallowed")

    solved = figures.spread_figure("boundary", [boundary(1, 1, data="circle", accuracy=1.0)])
    assert cap(solved) == 100 and all(trace.cliponaxis is False for trace in solved.data), "the dot at 100 % is whole"
    assert cap(figures.spread_figure("churn", [churn(1, 1, 0.84)])) == 100
    assert cap(figures.spread_figure("boundary", [boundary(1, 1, data="reg_plane", accuracy=None)])) is None
