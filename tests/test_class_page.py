"""AppTest of the Class page and of being in a class on any page: start, links, the board, challenges,
hidden nicknames, remove, CSV, close; joining and leaving; posting from Churn ANN and the boundary hook;
hostile nicknames shown as text; a database that is down. SQLite (the default store) in a temporary file."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from apptest_utils import app_test, open_page, run_until_trained
from playground.board import challenges
from playground.i18n import translator

PAGE = "pages/class.py"
ZH = translator("zh")
# A nickname has at most 24 characters, so the issue's "<img src=x onerror=alert(1)>" (28) cannot be one (the store
# refuses it: test_the_issues_img_payload_is_refused_as_a_nickname...); these would run as markup just the same.
# tests/test_browser_class.py writes the 28 characters straight into the database and checks the live board in chromium.
HOSTILE = "<img src=x onerror=f()>"
SVG = "<svg/onload=alert(1)>"
BOLD = "**bold**"
CHURN_SETTINGS = {"hidden": [6, 6], "activation": ["relu", "relu"], "optimizer": "adam", "learning_rate": 0.001,
                  "batch_size": 10, "epochs": 100, "seed": 0}


@pytest.fixture(autouse=True)
def class_database(tmp_path, monkeypatch):
    """Every test on its own SQLite file; the page's one Board (st.cache_resource) is made anew."""
    from pages.server.board import class_board

    monkeypatch.setenv("PLAYGROUND_DATABASE_URL", f"sqlite:///{tmp_path / 'board.db'}")
    class_board.clear()
    yield
    class_board.clear()


@pytest.fixture
def board():
    from playground.board.store import Board

    return Board()


def started(lang: str = "en") -> tuple[AppTest, str, str]:
    """The Class page after Start a class: (AppTest, code, teacher key)."""
    at = open_page(PAGE, query_params={"lang": lang})
    at.button(key="class.start").click().run()
    assert not at.exception, [e.value for e in at.exception]
    teacher = at.session_state["class._teacher"]
    return at, teacher.code, teacher.key


@pytest.mark.parametrize(("hours", "said"), [(None, "after 12 hours"), ("6", "after 6 hours"), ("1.5", "after 1.5 hours"),
                                            ("garbage", "after 12 hours")])
def test_the_page_says_how_long_a_class_lives(monkeypatch, hours, said):
    """The class lives PLAYGROUND_CLASS_HOURS (the page said 12 whatever the server was set to)."""
    if hours is None:
        monkeypatch.delenv("PLAYGROUND_CLASS_HOURS", raising=False)
    else:
        monkeypatch.setenv("PLAYGROUND_CLASS_HOURS", hours)
    at = open_page(PAGE)
    assert not at.exception
    assert any(said in text.value for text in at.markdown), [text.value for text in at.markdown]


def post_churn(board, code, nickname, accuracy, seed=0, **settings):
    member = board.join(code, nickname)
    board.post(member.token, "churn", {**CHURN_SETTINGS, "seed": seed, **settings},
               {"test_accuracy": accuracy, "auc": 0.8, "parameters": 127, "epochs_run": 100})
    return member


def html_texts(at) -> list[str]:
    return [element.proto.body for element in at.get("html")]


def ranking(at, page_index: int = 0):
    return [frame.value for frame in at.dataframe][page_index]


def test_start_a_class_shows_the_code_the_links_and_the_qr_code(board):
    at, code, key = started()
    assert at.title[0].value == "Class"
    assert any(f'data-testid="class-code"' in body and f">{code}<" in body for body in html_texts(at))
    student, teacher = [element.value for element in at.code]
    assert student.endswith(f"/?class={code}") and teacher.endswith(f"/class?class={code}&key={key}")
    assert at.get("image"), "the student link's QR code"
    assert board.is_teacher(code, key) and board.find_class(code) is not None
    assert "key" not in at.query_params  # the teacher's address bar never shows the key
    assert [metric.value for metric in at.metric][:2] == ["0", "–"]


def test_the_board_shows_posted_rows_ranked_with_hostile_nicknames_as_text(board):
    at, code, _key = started()
    post_churn(board, code, HOSTILE, 0.84)
    post_churn(board, code, BOLD, 0.86, seed=1)
    post_churn(board, code, SVG, 0.85, seed=2)
    at.run()
    assert not at.exception
    table = ranking(at)
    assert list(table["student"]) == [BOLD, SVG, HOSTILE]
    assert list(table["test accuracy"]) == ["86.0 %", "85.0 %", "84.0 %"]
    assert [metric.value for metric in at.metric][:2] == ["3", "86.0 %"]
    members = next(text.value for text in at.caption if text.value.startswith("In the class"))
    assert members == r"In the class: \<img src=x onerror=f\(\)\>, \*\*bold\*\*, \<svg/onload=alert\(1\)\>"
    best = next(text.value for text in at.caption if text.value.startswith("Best settings"))
    assert r"\*\*bold\*\*" in best  # escaped: markdown shows the stars, not bold text
    for element in (*at.markdown, *at.caption):  # never raw in markdown: escaped, or as a table's plain cell
        assert "<img" not in element.value.replace(r"\<img", "") and "<svg" not in element.value.replace(r"\<svg", "")


def test_the_issues_img_payload_is_refused_as_a_nickname_and_escaped_as_text(board):
    from pages.shell.class_member import as_text

    keys = board.start_class()
    at = open_page("pages/home.py", query_params={"class": keys.code})
    at.text_input(key="class.nickname").input("<img src=x onerror=alert(1)>")
    next(button for button in at.button if button.label == "Join").click().run()
    assert not at.exception and board.members(keys.code) == []
    assert any("1 to 24 characters" in error.value for error in at.error)
    assert as_text("<img src=x onerror=alert(1)>") == r"\<img src=x onerror=alert\(1\)\>"


def test_hide_nicknames_challenges_and_remove(board):
    at, code, _key = started()
    ann = board.join(code, "Ann")
    for seed, accuracy in enumerate((0.80, 0.82, 0.84)):
        board.post(ann.token, "churn", {**CHURN_SETTINGS, "seed": seed}, {"test_accuracy": accuracy, "auc": 0.8})
    post_churn(board, code, "Bo", 0.86)
    at.run()
    at.sidebar.toggle(key="class.hide").set_value(True).run()
    assert board.find_class(code).hide_nicknames
    assert list(ranking(at)["student"]) == ["Student 2", "Student 1", "Student 1", "Student 1"]
    at.sidebar.selectbox(key="class.challenge.churn").set_value("churn.seeds3").run()
    assert board.find_class(code).challenges == {"churn": "churn.seeds3"}
    table = ranking(at)
    assert list(table["mean test accuracy"]) == ["82.0 %"] and list(table["student"]) == ["Student 1"]
    assert any(markdown.value == "**{}**".format(challenges.CHALLENGES["churn.seeds3"].title) for markdown in at.markdown)
    best_run = max(board.runs(code), key=lambda row: row.figures["test_accuracy"])
    at.sidebar.selectbox(key="class.challenge.churn").set_value("").run()
    at.sidebar.number_input(key="class.remove").set_value(best_run.id).run()
    at.sidebar.button(key="class.remove.go").click().run()
    assert best_run.id not in [row.id for row in board.runs(code)]
    assert list(ranking(at)["test accuracy"])[0] == "84.0 %"
    assert [d.proto.label for d in at.sidebar.get("download_button")] == ["Download the class (CSV)"]


def test_close_the_class_deletes_it_and_its_runs(board):
    at, code, key = started()
    post_churn(board, code, "Ann", 0.85)
    at.run()
    at.sidebar.button(key="class.close").click().run()
    assert not at.exception
    assert board.find_class(code) is None and board.runs(code) == []
    assert "class._teacher" not in at.session_state
    assert [button.label for button in at.button if button.key == "class.start"] == ["Start a class"]
    assert not board.is_teacher(code, key)


def test_the_teacher_link_opens_the_board_elsewhere_and_a_wrong_key_does_not(board):
    keys = board.start_class()
    at = open_page(PAGE, query_params={"class": keys.code, "key": keys.teacher_key})
    assert not at.exception
    assert "key" not in at.query_params and "class" not in at.query_params, "the key leaves the URL at once"
    assert at.session_state["class._teacher"].code == keys.code
    assert any("class-code" in body for body in html_texts(at))
    forged = app_test()
    forged.query_params.update({"class": keys.code, "key": "guess"})
    forged.run()
    assert not forged.exception and "key" not in forged.query_params
    assert any("not valid" in error.value for error in forged.sidebar.error)
    forged.switch_page(PAGE).run()
    assert "class._teacher" not in forged.session_state and not any("class-code" in b for b in html_texts(forged))
    assert not [toggle for toggle in forged.sidebar.toggle if toggle.key == "class.hide"]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_student_joins_from_any_page_and_leaves(board, lang):
    _ = translator(lang)
    keys = board.start_class()
    at = open_page("pages/activations.py", query_params={"class": keys.code.lower(), "lang": lang})
    assert not at.exception
    field = at.text_input(key="class.nickname")
    assert field.label == _("Nickname")
    (join,) = [button for button in at.button if button.label == _("Join")]
    field.input("小明 **x**")
    join.click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert [m.nickname for m in board.members(keys.code)] == ["小明 **x**"]
    membership = at.session_state["class._member"]
    assert membership.code == keys.code and "class" not in at.query_params and "token" not in str(at.query_params)
    assert any(keys.code in markdown.value and r"\*\*x\*\*" in markdown.value for markdown in at.sidebar.markdown)
    assert at.title[0].value == _("Activations"), "the page itself is still there"
    at.switch_page("pages/optimizers.py").run()
    assert at.session_state["class._member"] == membership, "the membership follows the student to every page"
    at.sidebar.button(key="class.leave").click().run()
    assert "class._member" not in at.session_state and not at.get("text_input") or \
        not [t for t in at.text_input if t.key == "class.nickname"]


@pytest.mark.parametrize("query, message", [
    ({"class": "ZZZZZZ"}, "There is no class ZZZZZZ"),
    ({"class": "<b>x</b>"}, "not a code"),
])
def test_a_wrong_class_link_gets_a_message(query, message):
    at = open_page("pages/home.py", query_params=query)
    assert not at.exception
    assert any(message in warning.value for warning in at.warning), [w.value for w in at.warning]
    assert not [t for t in at.text_input if t.key == "class.nickname"]


def test_a_wrong_class_code_is_asked_once_per_session(monkeypatch):
    """The store's "no" is slow on purpose (guessing); a mistyped link must not pay it on every rerun."""
    from playground.board.store import Board

    asked = []
    real_find = Board.find_class
    monkeypatch.setattr(Board, "find_class", lambda self, code: asked.append(code) or real_find(self, code))
    at = open_page("pages/home.py", query_params={"class": "ZZZZZZ"})
    at.run()
    at.run()
    assert asked == ["ZZZZZZ"]
    assert any("There is no class ZZZZZZ" in warning.value for warning in at.warning)


def test_a_nickname_the_store_refuses_gets_its_message(board):
    keys = board.start_class()
    at = open_page("pages/home.py", query_params={"class": keys.code})
    at.text_input(key="class.nickname").input("   ")
    next(button for button in at.button if button.label == "Join").click().run()
    assert not at.exception
    assert at.error and "class._member" not in at.session_state
    assert board.members(keys.code) == []


def test_a_database_that_is_down_is_said_and_the_rest_works(monkeypatch):
    from pages.server.board import class_board

    monkeypatch.setenv("PLAYGROUND_DATABASE_URL", "sqlite:////proc/no-such-folder/board.db")
    class_board.clear()
    at = open_page(PAGE)
    assert not at.exception, [e.value for e in at.exception]
    assert any("cannot be reached" in error.value for error in at.error)
    from i18n_utils import english_words

    chinese = open_page(PAGE, query_params={"lang": "zh"})
    assert [error.value for error in chinese.error] and not any(english_words(e.value) for e in chinese.error)
    home = open_page("pages/activations.py", query_params={"class": "K7Q2"})
    assert not home.exception and home.get("plotly_chart"), "the page itself works"
    assert any("cannot be reached" in warning.value for warning in home.warning)


SMALL_RUN = {"churn.epochs": "2", "churn.layers": "1", "churn.units1": "4", "churn.batch": "128", "churn.seed": "5"}


def test_a_churn_training_of_a_student_in_a_class_is_posted_by_the_server(board):
    pytest.importorskip("keras")
    keys = board.start_class()
    at = open_page("pages/churn_ann.py", timeout=300, query_params={"class": keys.code, **SMALL_RUN})
    at.text_input(key="class.nickname").input("Ann")
    next(button for button in at.button if button.label == "Join").click().run()
    at.button(key="churn.train").click().run()
    run_until_trained(at)
    assert not at.exception, [e.value for e in at.exception]
    entry = at.session_state["churn._session"].latest
    (row,) = board.runs(keys.code)
    assert (row.page, row.nickname) == ("churn", "Ann")
    assert row.figures["test_accuracy"] == pytest.approx(entry.report["test_accuracy"])
    assert row.figures["auc"] == pytest.approx(entry.report["auc"])
    assert row.settings["seed"] == 5 and row.settings["hidden"] == [4] and row.settings["epochs"] == 2
    assert any(f"#{row.id}" in toast.value for toast in at.toast)


def boundary_script(code: str, token: str, posts: int):
    """A page that holds a Decision boundary run and posts the weights a browser returned at Pause
    (in the component's callback on the page; the toast then waits for the body's show_toast)."""
    import streamlit as st

    from pages.parts.class_posting import post_boundary_result
    from pages.shell.class_member import MEMBER, Membership, show_toast
    from playground.boundary import datasets
    from playground.boundary.session import Run, Training
    from playground.boundary.settings import Spec

    spec = Spec("spiral", 200, 0.1, 0.5, 1, ("x1", "x2"), (4,), ("tanh",), Training("adam", 0.03, 10))
    run = Run(datasets.generate("spiral", 200, 0.1, seed=1), spec.features, spec.hidden, spec.activations,
              spec.training, spec.train_share, spec.seed)
    browser = Run(run.points, spec.features, spec.hidden, spec.activations, spec.training, spec.train_share, spec.seed)
    browser.train(epochs=20)  # what the browser's own engine did
    st.session_state[MEMBER] = Membership(code, token, "Bo", None)
    st.session_state["posted"] = [post_boundary_result(run, spec, browser.network.params.tolist(), 20)
                                  for _ in range(posts)]
    show_toast()
    st.session_state["expected"] = browser.metrics()


def test_a_boundary_result_is_recomputed_and_posting_too_fast_is_refused_with_a_message(board):
    keys = board.start_class()
    member = board.join(keys.code, "Bo")
    at = AppTest.from_function(boundary_script, args=(keys.code, member.token, 40), default_timeout=60).run()
    assert not at.exception, [e.value for e in at.exception]
    posted, expected = at.session_state["posted"], at.session_state["expected"]
    assert posted[0] is not None and None in posted, "a burst of 40 posts in one go hits the rate limit"
    rows = board.runs(keys.code)
    assert [row.id for row in rows] == [run_id for run_id in posted if run_id is not None]
    assert rows[0].figures["test_loss"] == pytest.approx(expected["test_loss"], rel=1e-12)
    assert rows[0].figures["test_accuracy"] == pytest.approx(expected["test_accuracy"])
    assert any(toast.value.startswith("Not posted to the class board") for toast in at.toast), [t.value for t in at.toast]


def test_a_member_of_a_closed_class_is_told_and_leaves_it(board):
    keys = board.start_class()
    member = board.join(keys.code, "Bo")
    board.close_class(keys.code, keys.teacher_key)
    at = AppTest.from_function(boundary_script, args=(keys.code, member.token, 1), default_timeout=60).run()
    assert not at.exception
    assert at.session_state["posted"] == [None] and "class._member" not in at.session_state
    assert any(toast.value.startswith("This class has ended") for toast in at.toast), [t.value for t in at.toast]


def post_every_page(board, code):
    """One real post per page, built as the pages build them (playground.board.posts)."""
    import numpy as np

    from playground.board import posts
    from playground.boundary import datasets
    from playground.boundary.session import Run, Training
    from playground.boundary.settings import Spec
    from playground.churn.experiment import Experiment, ExperimentResult, SeedResult, Setting
    from playground.churn.model import FitSettings, NetworkSpec

    ann, mei = board.join(code, "小安"), board.join(code, "小美")
    board.post(ann.token, "churn", {**CHURN_SETTINGS, "optimizer": "sgd"}, {"test_accuracy": 0.83, "auc": 0.79,
                                                                             "parameters": 127, "epochs_run": 100})
    experiment = Experiment(NetworkSpec(), FitSettings(epochs=2), (Setting(), Setting((("batch_size", 32),))), (0, 1, 2))
    records = [SeedResult(index, seed, 0.8 + 0.01 * seed + 0.02 * index, 0.8, 0.4, 0.5, 2, "finished", 1.0)
               for index in (0, 1) for seed in range(3)]
    board.post(mei.token, "experiment", *posts.experiment_post(ExperimentResult(experiment, records, status="finished")))
    spec = Spec("spiral", 200, 0.1, 0.5, 1, ("x1", "x2"), (4,), ("tanh",), Training("momentum", 0.03, 10))
    run = Run(datasets.generate("spiral", 200, 0.1, seed=1), spec.features, spec.hidden, spec.activations,
              spec.training, spec.train_share, spec.seed)
    board.post(mei.token, "boundary", *posts.boundary_post(run, spec, np.asarray(run.network.params).tolist(), 12))


def test_the_board_in_chinese_leaves_no_english(board):
    from i18n_utils import english_words, shown_texts

    at, code, _key = started("zh")
    post_every_page(board, code)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == ZH("Class")
    leftovers = {}
    for page in challenges.PAGES:  # only the open tab is built: open each in turn
        at.session_state["class.tab.zh"] = ZH(challenges.PAGE_TITLES[page])
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        assert len(at.dataframe) == 1 and len(at.get("plotly_chart")) == 1, page
        leftovers.update({text[:120]: sorted(words) for text in shown_texts(at)
                          if (words := english_words(text.replace(code, "").replace(" UTC", "")))})  # a code, a zone
        if page == "experiment":
            assert ZH("batch {size}").format(size=32) in ranking(at).iloc[0][ZH("best setting")]
    assert not leftovers, leftovers


def experiment_script(code: str, token: str):
    """A page whose experiment job has just ended: the hook Churn ANN's experiment section calls."""
    import streamlit as st

    from pages.parts.class_posting import post_experiment
    from pages.shell.class_member import MEMBER, Membership
    from playground.churn.experiment import Experiment, ExperimentResult, SeedResult, Setting
    from playground.churn.model import FitSettings, NetworkSpec

    experiment = Experiment(NetworkSpec(), FitSettings(epochs=2), (Setting(), Setting((("batch_size", 32),))), (0, 1, 2))
    records = [SeedResult(index, seed, 0.80 + 0.01 * seed + 0.02 * index, 0.8, 0.4, 0.5, 2, "finished", 1.0)
               for index in (0, 1) for seed in range(3)]
    st.session_state[MEMBER] = Membership(code, token, "Bo", None)
    st.session_state["posted"] = [post_experiment(ExperimentResult(experiment, records, status=status))
                                  for status in ("stopped", "finished")]


def test_a_finished_experiment_is_posted_and_a_stopped_one_is_not(board):
    keys = board.start_class()
    member = board.join(keys.code, "Bo")
    at = AppTest.from_function(experiment_script, args=(keys.code, member.token), default_timeout=60).run()
    assert not at.exception, [e.value for e in at.exception]
    stopped, finished = at.session_state["posted"]
    assert stopped is None and finished is not None
    (row,) = board.runs(keys.code)
    assert row.id == finished and row.page == "experiment"
    (comparison,) = row.figures["comparisons"]
    assert comparison["mean_diff"] == pytest.approx(2.0) and comparison["verdict"] == "better"
    assert row.figures["best_mean_accuracy"] == pytest.approx(0.83)
    toasts = [toast.value for toast in at.toast]
    assert any("Only finished experiments" in text for text in toasts) and any(f"#{finished}" in t for t in toasts)


def test_a_students_session_has_no_teacher_controls(board):
    keys = board.start_class()
    at = open_page("pages/home.py", query_params={"class": keys.code})
    at.text_input(key="class.nickname").input("Ann")
    next(button for button in at.button if button.label == "Join").click().run()
    at.switch_page(PAGE).run()
    assert not at.exception
    assert "class._teacher" not in at.session_state and not any("class-code" in b for b in html_texts(at))
    assert not [widget for widget in at.sidebar.toggle if widget.key == "class.hide"]
    assert any(keys.code in info.value for info in at.info), "the page says the student is in a class"


def boundary_pause_script(code: str, token: str, reasons: tuple):
    """The Decision boundary's live part receiving the browser's reports (`reasons`: why each was sent)."""
    import streamlit as st

    from pages.parts import boundary_live
    from pages.shell.class_member import MEMBER, Membership
    from playground.boundary import datasets
    from playground.boundary.session import Run, Training
    from playground.boundary.settings import Spec

    spec = Spec("spiral", 200, 0.1, 0.5, 1, ("x1", "x2"), (4,), ("tanh",), Training("adam", 0.03, 10))
    if "bd.run" not in st.session_state:
        st.session_state["bd.run"] = Run(datasets.generate("spiral", 200, 0.1, seed=1), spec.features, spec.hidden,
                                         spec.activations, spec.training, spec.train_share, spec.seed)
    run = st.session_state["bd.run"]
    browser = Run(run.points, spec.features, spec.hidden, spec.activations, spec.training, spec.train_share, spec.seed)
    browser.train(epochs=20)  # what the browser's own engine did
    st.session_state[MEMBER] = Membership(code, token, "Bo", None)
    for reason in reasons:
        st.session_state[boundary_live.KEY] = {"sync": {"run": run.token, "epoch": 20, "rows": [], "reason": reason,
                                                        "params": browser.network.params.tolist()}}
        boundary_live._synced()
    st.session_state["expected"] = browser.metrics()


@pytest.mark.parametrize("reasons, posted", [((None,), 0), (("pause",), 1), (("pause", "pause", None), 1)])
def test_the_boundary_page_posts_at_pause_only_once_per_epoch(board, reasons, posted):
    """A playing tab's reports every few seconds post nothing; Pause posts the numpy engine's figures for
    the weights it reports, once (a second Pause at the same epoch adds no row)."""
    keys = board.start_class()
    member = board.join(keys.code, "Bo")
    at = AppTest.from_function(boundary_pause_script, args=(keys.code, member.token, reasons), default_timeout=60).run()
    assert not at.exception, [e.value for e in at.exception]
    rows = board.runs(keys.code)
    assert len(rows) == posted, [row.figures for row in rows]
    if posted:
        expected = at.session_state["expected"]
        assert rows[0].page == "boundary" and rows[0].figures["epochs"] == 20
        assert rows[0].figures["test_loss"] == pytest.approx(expected["test_loss"], rel=1e-12)
