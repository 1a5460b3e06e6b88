"""What the class board ranks: the plain ranking of each page by its test figure, and the challenges a
teacher can set instead (one per page, from a short list).

Pure and language-neutral: rows in (anything with ``.id .page .member_id .nickname .settings .figures``,
as ``Board.runs`` returns them), :class:`Standing` out; titles are msgids, translated where shown.
Start at :func:`standings`.

The posted rows (see ``playground.board.posts``) carry, per page:
- churn: settings (hidden, activation..., seed, epochs), figures test_accuracy, auc, parameters;
- experiment: figures best_mean_accuracy and comparisons (each variant minus the base: mean_diff, low, high);
- boundary: settings data, features, hidden, neurons; figures test_loss, test_accuracy (None for regression).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from playground.i18n import N_

PAGES = ("churn", "experiment", "boundary")
PAGE_TITLES = {"churn": N_("Churn ANN"), "experiment": N_("Experiment"), "boundary": N_("Decision boundary")}
TUTORIAL_ACCURACY = 0.86  # what the tutorial's recipe reaches on the bank-churn test set (one seed: 82-86 %)
SEEDS_FOR_MEAN = 3
SMALL_NETWORK_ACCURACY = 0.85
SPIRAL_LOSS = 0.1


@dataclass(frozen=True)
class Standing:
    """One line of a ranking: a run (or a student's group of runs, for a challenge over seeds)."""

    rank: int
    member_id: object
    nickname: str
    run_ids: tuple[int, ...]
    score: float  # what the line is ranked by, in `unit`
    settings: dict
    figures: dict = field(default_factory=dict)  # the best (or only) run's figures


@dataclass(frozen=True)
class Challenge:
    """A rule the board ranks one page's runs by instead of the plain test figure."""

    id: str
    page: str
    title: str  # msgid
    score_name: str  # msgid: what the score column is called
    unit: str  # "%" (a share shown in percent), "points", "neurons", "parameters" or "" (a loss)
    rank: Callable[[list], list[tuple[float, tuple, object, dict, dict]]]  # rows -> (score, sort key, ...)
    short: str = ""  # msgid: the name in the teacher's menu (a sidebar is narrow); the title says the rule


def _number(value) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value) else None


def _one_per_run(score: Callable, key: Callable, keep: Callable = lambda row: True):
    """A ranking of single runs: `keep` filters, `score` is shown, `key` sorts (smaller first)."""

    def rank(rows):
        return [(score(row), key(row), row, row.settings, row.figures) for row in rows if keep(row)]

    return rank


def _accuracy(row) -> float | None:
    return _number(row.figures.get("test_accuracy"))


def _loss(row) -> float | None:
    return _number(row.figures.get("test_loss"))


def _churn_recipe(settings: dict) -> tuple:
    """A churn run's settings without its seed: runs with the same recipe and another seed group together."""
    return tuple(sorted((key, repr(value)) for key, value in settings.items() if key != "seed"))


def _mean_over_seeds(rows):
    """Per student and recipe with at least SEEDS_FOR_MEAN seeds: the mean test accuracy of the first
    SEEDS_FOR_MEAN seeds it trained (the best three of many would reward luck, the very thing the
    challenge is about); a seed trained twice counts once."""
    groups: dict[tuple, list] = {}
    for row in sorted(rows, key=lambda row: row.id):
        if _accuracy(row) is not None:
            groups.setdefault((row.member_id, _churn_recipe(row.settings)), []).append(row)
    ranked = []
    for group in groups.values():
        by_seed: dict = {}
        for row in group:
            by_seed.setdefault(row.settings.get("seed"), row)  # a seed trained twice counts once
        chosen = list(by_seed.values())[:SEEDS_FOR_MEAN]
        if len(chosen) < SEEDS_FOR_MEAN:
            continue
        mean = sum(_accuracy(row) for row in chosen) / len(chosen)
        last = chosen[-1]
        figures = {**last.figures, "test_accuracy": mean, "seeds": [row.settings.get("seed") for row in chosen]}
        ranked.append((mean, (-mean, last.id), last, {k: v for k, v in last.settings.items() if k != "seed"}, figures,
                       tuple(row.id for row in chosen)))
    return ranked


def _best_lower_bound(row) -> float | None:
    """The experiment's best variant by the lower end of its interval against the base (in points)."""
    bounds = [_number(c.get("low")) for c in row.figures.get("comparisons", ()) if isinstance(c, dict)]
    bounds = [bound for bound in bounds if bound is not None]
    return max(bounds) if bounds else None


def _spiral_from_x1_x2(row) -> bool:
    settings = row.settings
    return (settings.get("data") == "spiral" and list(settings.get("features", ())) == ["x1", "x2"]
            and (_loss(row) is not None and _loss(row) < SPIRAL_LOSS))


def _circle_without_hidden(row) -> bool:
    return row.settings.get("data") == "circle" and not row.settings.get("hidden") and _loss(row) is not None


CHALLENGES: dict[str, Challenge] = {c.id: c for c in (
    Challenge("churn.seeds3", "churn", N_("The best mean test accuracy over 3 seeds of one recipe"),
              N_("mean test accuracy"), "%", _mean_over_seeds, N_("Mean over 3 seeds")),
    Challenge("churn.small", "churn", N_("The smallest network with a test accuracy of at least 85 %"),
              N_("parameters"), "parameters",
              _one_per_run(lambda row: row.figures.get("parameters"),
                           lambda row: (row.figures.get("parameters"), -_accuracy(row), row.id),
                           lambda row: _number(row.figures.get("parameters")) is not None
                           and (_accuracy(row) or 0) >= SMALL_NETWORK_ACCURACY), N_("Smallest at 85 %")),
    Challenge("experiment.beat", "experiment", N_("Beat the base network by more than the seed noise"),
              N_("lower end of the interval"), "points",
              _one_per_run(_best_lower_bound, lambda row: (-_best_lower_bound(row), row.id),
                           lambda row: (_best_lower_bound(row) or 0) > 0), N_("Beat the base")),
    Challenge("boundary.spiral", "boundary", N_("Spiral from x₁ and x₂ only: test loss below 0.1 with the fewest neurons"),
              N_("neurons"), "neurons",
              _one_per_run(lambda row: row.settings.get("neurons"),
                           lambda row: (row.settings.get("neurons", 0), _loss(row), row.id), _spiral_from_x1_x2),
              N_("Spiral, fewest neurons")),
    Challenge("boundary.circle", "boundary", N_("Circle with no hidden layer: the lowest test loss"),
              N_("test loss"), "",
              _one_per_run(_loss, lambda row: (_loss(row), row.id), _circle_without_hidden),
              N_("Circle, no hidden layer")),
)}

# The plain ranking of each page, when no challenge is set: by the test figure.
PLAIN: dict[str, Challenge] = {
    "churn": Challenge("", "churn", N_("Ranked by test accuracy"), N_("test accuracy"), "%",
                       _one_per_run(_accuracy, lambda row: (-_accuracy(row), row.id),
                                    lambda row: _accuracy(row) is not None), N_("No challenge")),
    "experiment": Challenge("", "experiment", N_("Ranked by the best setting's mean test accuracy"),
                            N_("best mean test accuracy"), "%",
                            _one_per_run(lambda row: _number(row.figures.get("best_mean_accuracy")),
                                         lambda row: (-row.figures["best_mean_accuracy"], row.id),
                                         lambda row: _number(row.figures.get("best_mean_accuracy")) is not None),
                            N_("No challenge")),
    # Classification sets by test accuracy, then the regression sets (no accuracy) by test loss.
    "boundary": Challenge("", "boundary", N_("Ranked by test accuracy (regression: by test loss)"),
                          N_("test accuracy"), "%",
                          _one_per_run(lambda row: _accuracy(row) if _accuracy(row) is not None else _loss(row),
                                       lambda row: (0, -_accuracy(row), _loss(row) or 0, row.id)
                                       if _accuracy(row) is not None else (1, _loss(row), 0, row.id),
                                       lambda row: _accuracy(row) is not None or _loss(row) is not None),
                          N_("No challenge")),
}


def for_page(page: str) -> list[Challenge]:
    """The challenges a teacher can set on `page`, in list order."""
    return [challenge for challenge in CHALLENGES.values() if challenge.page == page]


def get(page: str, challenge_id: str | None) -> Challenge:
    """The challenge `challenge_id` if it belongs to `page`, else the page's plain ranking."""
    challenge = CHALLENGES.get(challenge_id or "")
    return challenge if challenge is not None and challenge.page == page else PLAIN[page]


def standings(rows: Iterable, page: str, challenge_id: str | None = None, limit: int | None = None) -> list[Standing]:
    """The page's runs ranked by its challenge (or its test figure), best first; equal scores share a rank."""
    challenge = get(page, challenge_id)
    mine = [row for row in rows if row.page == page]
    ranked = sorted(challenge.rank(mine), key=lambda item: item[1])
    result, previous = [], None
    for position, item in enumerate(ranked[:limit] if limit else ranked, start=1):
        score, _key, row, settings, figures, *grouped = item
        rank = result[-1].rank if previous is not None and score == previous else position
        previous = score
        result.append(Standing(rank, row.member_id, row.nickname, grouped[0] if grouped else (row.id,),
                               float(score), settings, figures))
    return result


def students(rows: Iterable, page: str | None = None) -> int:
    """How many students have posted (on `page`, or anywhere)."""
    return len({row.member_id for row in rows if page is None or row.page == page})


def shown_names(rows: Sequence, hide: bool, student: Callable[[int], str]) -> dict:
    """member id -> the name the board shows: the nickname, or `student(n)` numbered in order of first post."""
    names: dict = {}
    for row in sorted(rows, key=lambda row: row.id):
        if row.member_id not in names:
            names[row.member_id] = student(len(names) + 1) if hide else row.nickname
    return names
