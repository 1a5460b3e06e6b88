"""The covered pages in both languages, through AppTest: no exception, no English left in Chinese,
switching language keeps every setting, and the classroom link panel."""

from __future__ import annotations

from pathlib import Path

import pytest

from apptest_utils import chart_specs, open_page, run_until_trained
from i18n_utils import COVERED_PAGES, english_words, shown_texts
from playground import catalog
from playground.activations import functions as activations
from playground.i18n import translator

ZH = translator("zh")
TITLES = {page.script: page.title for page in catalog.PAGES}
TITLES["pages/home.py"] = "Neural Network Playground"

# Views that also show the pages' warnings and errors, so their messages are checked too.
VIEWS = {
    "pages/home.py": [{}],
    "pages/activations.py": [{}, {"act.x0": "15", "act.deriv": "panel", "act.fns": activations.names()}],
    "pages/optimizers.py": [{}, {"opt.surface": "churn", "opt.r1.lr": "10", "opt.r2.source": "minibatch",
                                 "opt.ex.run": "2", "opt.view": "surface"},
                            {"opt.surface": "bowl", "opt.runs": "1", "opt.r1.method": "adam", "opt.r1.source": "single"}],
    "pages/neuron_backprop.py": [{}, {"nb.pc.data": "XOR", "nb.pc.visits": "200", "nb.layers": "11, x",
                                      "nb.bp.loss": "BCE", "nb.bp.y": "1.5"},
                                 {"nb.pc.data": "OR", "nb.pc.visits": "40", "nb.layers": "2, 3000"}],
    "pages/churn_ann.py": [{}, {"churn.data": "upload", "churn.explore": "Balance", "churn.layers": "3",
                                "churn.init": "he_uniform", "churn.early": "true"}],
    "pages/boundary.py": [{}, {"bd.data": "reg_gauss", "bd.loss": "cross_entropy", "bd.show_test": "true",
                               "bd.layers": "3", "bd.reg": "l2"},
                          {"bd.data": "blobs3", "bd.f.x1": "false", "bd.f.x2": "false"},
                          {"bd.data": "reg_plane", "bd.lr": "10", "bd.layers": "0", "bd.loss": "squared_error"},
                          {"bd.data": "blobs3", "bd.loss": "tanh"}],
    "pages/class.py": [{}, {"class": "23456"}, {"class": "<b>"}],  # the teacher's board: tests/test_class_page.py
}  # fmt: skip
assert set(VIEWS) == set(COVERED_PAGES), "every covered page needs its views here"

# A non-default value for widgets of each page, set through the URL (how a shared link sets them).
SETTINGS = {
    "pages/activations.py": {"act.fns": ["tanh", "leaky_relu"], "act.deriv": "panel", "act.x0": "-2.5",
                             "act.init": "he_uniform", "act.relative": "false", "act.T": "2.5", "act.k": "4"},
    "pages/optimizers.py": {"opt.surface": "ravine", "opt.steps": "120", "opt.r1.method": "adam",
                            "opt.r2.source": "single", "opt.r1.lr": "0.2", "opt.view": "surface", "opt.tol": "0.01"},
    "pages/neuron_backprop.py": {"nb.n.inputs": "3", "nb.n.f": "tanh", "nb.pc.data": "XOR", "nb.pc.shade": "sigmoid",
                                 "nb.layers": "4, 5, 2", "nb.bp.arch": "2-3-1", "nb.bp.f": "relu", "nb.bp.loss": "BCE",
                                 "nb.bp.w11": "0.7", "nb.n.x2": "-1.5"},
    "pages/churn_ann.py": {"churn.data": "upload", "churn.explore": "Gender", "churn.layers": "3", "churn.units2": "12",
                           "churn.act1": "tanh", "churn.init": "he_uniform", "churn.optimizer": "sgd", "churn.lr": "0.01",
                           "churn.batch": "32", "churn.epochs": "20", "churn.val": "0.2", "churn.early": "true",
                           "churn.patience": "5", "churn.cw": "true", "churn.seed": "7"},
    "pages/boundary.py": {"bd.data": "spiral", "bd.points": "300", "bd.noise": "20", "bd.train": "70", "bd.seed": "3",
                          "bd.f.sin1": "true", "bd.layers": "3", "bd.n3": "6", "bd.a2": "relu", "bd.opt": "adam",
                          "bd.lr": "0.1", "bd.batch": "25", "bd.loss": "squared_error", "bd.reg": "l2",
                          "bd.rate": "0.01", "bd.show_test": "true", "bd.discrete": "true", "bd.init": "uniform"},
}  # fmt: skip
WIDGETS = ("selectbox", "radio", "multiselect", "slider", "select_slider", "number_input", "text_input", "toggle",
           "checkbox")


def _values(at) -> dict:
    return {w.key: w.value for kind in WIDGETS for w in at.get(kind) if w.key and not w.key.startswith("ui.")}


@pytest.mark.parametrize("script", COVERED_PAGES)
def test_page_renders_in_both_languages(script):
    for lang, title in (("en", TITLES[script]), ("zh", ZH(TITLES[script]))):
        at = open_page(script, query_params={"lang": lang}, timeout=120)
        assert not at.exception, (lang, [e.value for e in at.exception])
        assert at.title[0].value == title
    assert ZH(TITLES[script]) != TITLES[script], "the Chinese title is a translation"


def test_every_page_of_the_app_is_translated():
    """A new page must join COVERED_PAGES (and so every test above and below) to be shown in 中文."""
    pages = {f"pages/{path.name}" for path in Path("pages").glob("*.py") if path.name != "__init__.py"}
    assert pages == set(COVERED_PAGES)


@pytest.mark.parametrize("script", COVERED_PAGES)
def test_no_english_left_on_a_chinese_page(script):
    """Every text the page shows (labels, help, options, messages, tables, chart titles, axes, legends,
    hover texts) is translated: an English word here is a string not wrapped in _() or not translated."""
    leftovers = {}
    for query in VIEWS[script]:
        at = open_page(script, query_params={**query, "lang": "zh"}, timeout=120)
        assert not at.exception, [e.value for e in at.exception]
        for text in shown_texts(at):
            if words := english_words(text):
                leftovers[text[:120]] = sorted(words)
    assert not leftovers, leftovers


@pytest.mark.parametrize("script", [page for page in COVERED_PAGES if page in SETTINGS])
def test_switching_language_keeps_every_widget_value_and_the_url(script):
    at = open_page(script, query_params={**SETTINGS[script], "lang": "en"}, timeout=120)
    before = _values(at)
    for key, value in SETTINGS[script].items():
        assert key in before, key
    url_before = {key: at.query_params[key] for key in SETTINGS[script]}
    for lang in ("zh", "en", "zh"):
        at.sidebar.radio(key="ui.lang").set_value(lang).run()
        assert not at.exception, [e.value for e in at.exception]
        assert at.query_params["lang"] == [lang] or at.query_params["lang"] == lang
        assert _values(at) == before, lang
        assert {key: at.query_params[key] for key in SETTINGS[script]} == url_before


def test_an_unknown_language_in_the_url_gets_a_message_not_a_traceback():
    at = open_page("pages/activations.py", query_params={"lang": "klingon<script>"})
    assert not at.exception
    assert any("klingon" in warning.value for warning in at.sidebar.warning), [w.value for w in at.sidebar.warning]
    assert at.title[0].value == "Activations"  # AppTest has no browser locale: English


def test_classroom_link_carries_the_settings_and_the_hidden_controls():
    at = open_page("pages/optimizers.py", query_params={"lang": "zh", "opt.surface": "bowl", "opt.r1.lr": "0.2"})
    assert not at.sidebar.code, "the panel is drawn only when the teacher opens it"
    at.session_state["classroom.open.optimizers"] = True  # the teacher opens the panel
    at.run()
    assert at.sidebar.multiselect(key="classroom.pick.optimizers").placeholder == "选择控件"  # not Streamlit's English
    at.sidebar.multiselect(key="classroom.pick.optimizers").set_value(["opt.lr", "opt.surface"]).run()
    link = at.sidebar.code[0].value
    assert link.startswith("/optimizers?") or "/optimizers?" in link
    for part in ("lang=zh", "opt.surface=bowl", "opt.r1.lr=0.2", "hide=opt.lr,opt.surface"):
        assert part in link, link
    # Closed and opened again, the panel keeps the teacher's picks.
    for opened in (False, True):
        at.session_state["classroom.open.optimizers"] = opened
        at.run()
    assert at.sidebar.code[0].value == link


def _keys(at, kind: str) -> set:
    return {widget.key for widget in at.get(kind)}


def test_a_hidden_control_is_not_on_the_page_and_keeps_the_value_of_the_link():
    at = open_page("pages/optimizers.py",
                   query_params={"opt.surface": "bowl", "opt.r1.lr": "0.2", "opt.runs": "2",
                                 "hide": "opt.lr,opt.surface,opt.presets"})  # fmt: skip
    assert not at.exception
    # Not rendered at all: no element, no label, no preset button; the controls not ticked stay.
    assert "opt.surface" not in _keys(at, "selectbox") and "opt.r1.lr" not in _keys(at, "select_slider")
    assert not any(key.startswith("opt.preset.") for key in _keys(at, "button"))
    assert {"opt.steps", "opt.runs"} <= _keys(at, "slider") and "opt.r1.method" in _keys(at, "selectbox")
    at.session_state["classroom.open.optimizers"] = True  # the teacher opens the panel
    at.run()
    assert at.sidebar.multiselect(key="classroom.pick.optimizers").value == ["opt.lr", "opt.surface", "opt.presets"]
    assert any("classroom link" in caption.value for caption in at.sidebar.caption)

    def fixed_values():
        contour = chart_specs(at)[0]
        legend = [trace.get("name", "") for trace in contour["data"]]
        return at.session_state["opt.surface"], at.session_state["opt.r1.lr"], contour["layout"]["xaxis"]["range"], legend

    # The values are the link's, and stay so when the student moves a control that is still there.
    for _step in range(2):
        surface, rate, x_range, legend = fixed_values()
        assert (surface, rate, list(x_range)) == ("bowl", 0.2, [-3, 3])
        assert any(name.startswith("1: ") and "η=0.2," in name for name in legend), legend
        at.slider(key="opt.steps").set_value(80).run()
        assert not at.exception


def test_an_unknown_hidden_control_gets_a_message():
    at = open_page("pages/activations.py", query_params={"hide": "act.x0,no.such.control"})
    assert not at.exception
    assert any("no.such.control" in warning.value for warning in at.sidebar.warning)


def test_churn_results_after_a_training_are_chinese_too():
    """The results, run table, what-if form and downloads only appear after a training: train 2 epochs in 中文,
    then open each of the results' tabs."""
    pytest.importorskip("keras")
    at = open_page("pages/churn_ann.py", timeout=300, query_params={
        "lang": "zh", "churn.epochs": "2", "churn.layers": "1", "churn.units1": "4", "churn.batch": "128",
        "churn.val": "0.2"})  # fmt: skip
    at.button(key="churn.train").click().run()
    run_until_trained(at)
    assert not at.exception, [e.value for e in at.exception]
    sections = ["Data", "Network and training", "Results on the test set",
                "Experiment: is a difference bigger than the seed noise?"]
    assert [header.value for header in at.header] == [f"{n}. {ZH(title)}" for n, title in enumerate(sections, 1)]
    tabs = ["Test set", "Trained network", "What if?", "All runs", "Downloads"]
    assert [tab.label for tab in at.tabs] == [ZH(tab) for tab in tabs]
    leftovers = {}
    for tab in tabs:  # only the open tab's content is built: open each in turn
        at.session_state["churn.view.zh"] = ZH(tab)
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        leftovers.update({text[:120]: sorted(words) for text in shown_texts(at) if (words := english_words(text))})
    assert not leftovers, leftovers


# A file with one bad cell on each page that reads a CSV: the message is Chinese, the file's own values stay.
BAD_CSV = {
    "pages/churn_ann.py": ("churn.upload", "'Mars'"),
    "pages/boundary.py": ("bd.upload", "'oops'"),
}


def _bad_csv(script: str) -> bytes:
    if script == "pages/boundary.py":
        return b"x1,x2,label\n1,2,0\n3,oops,1\n"
    import io

    from playground.churn import data

    frame = data.synthetic_churn(n_rows=400, seed=9)
    frame.loc[2, "Geography"] = "Mars"
    text = io.StringIO()
    frame.to_csv(text, index=False)
    return text.getvalue().encode()


@pytest.mark.parametrize("script", list(BAD_CSV))
def test_csv_error_messages_are_chinese_and_quote_the_file_as_it_is(script):
    key, quoted = BAD_CSV[script]
    at = open_page(script, query_params={"lang": "zh", **({"churn.data": "upload"} if "churn" in script else {})})
    uploader = next(widget for widget in at.get("file_uploader") if widget.key == key)
    uploader.upload("broken.csv", _bad_csv(script), "text/csv").run()
    assert not at.exception
    (message,) = [error.value for error in at.error if "broken.csv" in error.value]
    assert quoted in message, message
    assert "第 3 行" in message or "第 2 行" in message, message  # the row, in Chinese
    words = english_words(message.replace("broken.csv", "").replace(quoted, ""))
    assert not words, (words, message)
