"""Churn ANN: the tutorial's bank-churn Keras network, trained live by the server's worker processes.

Sections: data, network and training (Train / Stop / progress: pages/parts/churn_training.py), then
after a run the results (in tabs: test set, network, what-if, this session's runs, downloads; only
the open tab is built), and an experiment over seeds
(pages/parts/churn_experiment.py, also in the worker pool). They are numbered as they are shown,
so the numbers run on without a gap before the first run too. This page never imports TensorFlow.
"""

import itertools

import streamlit as st

from pages import use_app_shell
from pages.parts import churn_experiment, churn_training
from pages.shell.classroom import Classroom
from pages.shell.language import choice, current_language, gettext, url_tabs
from playground.churn import data, figures, keras_script, metrics
from playground.churn import presets as churn_presets
from playground.churn.model import (ACTIVATIONS, INITIALIZERS, MAX_LAYERS, MAX_UNITS, OPTIMIZERS, FitSettings,
                                    NetworkSpec, RunStatus)
from playground.churn.session import ChurnSession
from playground.i18n import N_, UserError, translator

use_app_shell()
_ = gettext()
LANG = current_language()
room = Classroom("churn_ann", _)

BIND = dict(bind="query-params")
CONFIG = {"displaylogo": False}
LEARNING_RATES = (0.0001, 0.0003, 0.001, 0.002, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0)
BATCH_SIZES = (1, 5, 10, 16, 32, 64, 128, 256, 512)
SOURCES = {"synthetic": N_("synthetic"), "upload": N_("upload")}
# The run table's columns (playground/churn/session.py RunEntry.row), shown translated.
RUN_COLUMNS = {"run": N_("run"), "data": N_("data"), "hidden layers": N_("hidden layers"), "init": N_("init"),
               "optimizer": N_("optimizer"), "learning rate": N_("learning rate"), "batch": N_("batch"),
               "epochs": N_("epochs"), "val share": N_("val share"), "early stop": N_("early stop"),
               "class weights": N_("class weights"), "seed": N_("seed"), "status": N_("status"),
               "test accuracy": N_("test accuracy"), "seconds": N_("seconds")}
state = st.session_state
sections = itertools.count(1)  # numbers in the order the sections are shown
session: ChurnSession = state.setdefault("churn._session", ChurnSession())


@st.cache_data(show_spinner=False)
def synthetic_frame():
    return data.synthetic_churn(seed=0)


@st.cache_data(show_spinner=False)
def synthetic_csv():
    return synthetic_frame().to_csv(index=False)


@st.cache_data(show_spinner=False, max_entries=8)
def prepared_for(frame, seed):
    return data.prepare(frame, seed=seed)


@st.cache_data(show_spinner=False, max_entries=32)
def data_figures(frame, column, lang):
    t = translator(lang)
    table = data.churn_rate_by(frame, column)
    return (figures.class_balance(frame[data.TARGET], _=t),
            figures.churn_rate_bars(table, column, frame[data.TARGET].mean(), _=t))


def numbered_header(title: str) -> None:
    st.header(f"{next(sections)}. {title}")


def apply_preset(name):
    preset = churn_presets.PRESETS[name]
    state.update(preset.widget_values())
    state["churn._lesson"] = preset.name  # its id: the lesson is shown in the language of each run


# The results' tabs: ids in the URL (?churn.view=runs), translated labels on the page.
RESULT_TABS = {"test": N_("Test set"), "network": N_("Trained network"), "whatif": N_("What if?"), "runs": N_("All runs"),
               "downloads": N_("Downloads")}  # short: five tabs fit a 1024-pixel projector
def what_if(latest, threshold: float) -> None:
    """One customer's churn probability from the latest run's network."""
    with st.form("churn.whatif"):
        cols = st.columns(5)
        customer = {
            "Geography": cols[0].selectbox(_("Country"), data.GEOGRAPHIES, format_func=_),
            "Gender": cols[1].selectbox(_("Gender"), data.GENDERS, format_func=_),
            "Age": cols[2].number_input(_("Age"), 18, 100, 40),
            "CreditScore": cols[3].number_input(_("Credit score"), 300, 900, 650),
            "Tenure": cols[4].number_input(_("Years with the bank"), 0, 10, 5),
            "Balance": cols[0].number_input(_("Balance"), 0.0, 300_000.0, 60_000.0, 1000.0),
            "NumOfProducts": cols[1].number_input(_("Products"), 1, 4, 1),
            "HasCrCard": int(cols[2].checkbox(_("Has a credit card"), True)),
            "IsActiveMember": int(cols[3].checkbox(_("Active member"), True)),
            "EstimatedSalary": cols[4].number_input(_("Salary"), 0.0, 250_000.0, 100_000.0, 1000.0),
        }
        if st.form_submit_button(_("Predict")):
            try:
                x = latest.prepared.standardize(data.encode_customer(customer)[None, :])
                probability = float(latest.run.predict(x)[0])
                verdict = _("churns") if probability > threshold else _("stays")
                st.success(_("Churn probability **{probability}** - at threshold {threshold} the network says: "
                             "{verdict}.").format(probability=f"{probability:.1%}", threshold=f"{threshold:.2f}",
                                                  verdict=verdict))
            except data.ChurnDataError as error:
                st.error(error.translate(_))


def runs_of_this_session() -> None:
    """The session's runs as a table, and their curves on one chart."""
    table = session.table()
    table["status"] = table["status"].map(lambda status: RunStatus(status).shown(_))
    table["data"] = table["data"].map(lambda label: _(SOURCES[label]) if label == "synthetic" else label)
    st.dataframe(table.rename(columns=lambda column: _(RUN_COLUMNS.get(column, column))), hide_index=True,
                 key="churn.runs")
    with room.control("churn.overlay", _("Overlay")):
        overlay_metric = choice(st.radio, _("Overlay"), ["loss", "accuracy"], key="churn.overlay", default="loss",
                                names={"loss": N_("loss"), "accuracy": N_("accuracy")}, horizontal=True)
    runs = [(_("run {number}").format(number=e.number), e.run.history) for e in session.entries]
    st.plotly_chart(figures.history_overlay(runs, overlay_metric, _=_), key="churn.overlay_chart", config=CONFIG)


def downloads(latest) -> None:
    down = st.columns(3)
    if latest.keras_file is not None:
        down[0].download_button(_("Trained model (.keras)"), latest.keras_file, f"churn_run{latest.number}.keras",
                                key="churn.download_model", on_click="ignore")
    down[1].download_button(_("History (CSV)"), latest.history_csv(), f"churn_run{latest.number}_history.csv",
                            key="churn.download_history", on_click="ignore", mime="text/csv")
    down[2].download_button(_("Keras script (.py)"), keras_script.generate(latest.run.spec, latest.run.settings),
                            "churn_ann.py", key="churn.download_script", on_click="ignore", mime="text/x-python")


st.title(_("Churn ANN"))
st.markdown(_("Will a bank customer leave? The tutorial's Keras network learns it from 11 numbers per "
              "customer. Pick data and a network, press **Train**, and watch it learn epoch by epoch."))


churn_training.workers_status(_, job_keys=(churn_training.TRAINING, churn_experiment.JOB))

# ---- 1. Data -----------------------------------------------------------------------------------
numbered_header(_("Data"))
with room.control("churn.data", _("Customers")):
    source = choice(st.radio, _("Customers"), ["synthetic", "upload"], key="churn.data", default="synthetic",
                    names=SOURCES, horizontal=True,
                    captions=[_("built in: 10,000 made-up customers"), _("your CSV, e.g. Churn_Modelling.csv")])
if source == "upload":
    upload = st.file_uploader(_("Bank churn CSV"), type=["csv"], key="churn.upload")
    if upload is not None and state.get("churn._upload_id") != upload.file_id:
        try:
            state["churn._uploaded"] = (upload.name, data.load_churn_csv(upload))
        except data.ChurnDataError as error:
            st.error(_("**{name}** was not loaded: {error}").format(name=upload.name, error=error.translate(_)))
        state["churn._upload_id"] = upload.file_id
if source == "upload" and "churn._uploaded" in state:
    data_label, frame = state["churn._uploaded"]
else:
    if source == "upload":
        st.caption(_("No file loaded yet: the synthetic data is used meanwhile."))
    data_label, frame = "synthetic", synthetic_frame()
if data_label == "synthetic":
    st.caption(_("Using **synthetic data** - generated to follow the real file's statistics; not real customers "
                 "({rows} rows).").format(rows=f"{len(frame):,}"))
else:
    st.caption(_("Using **{name}** ({rows} rows).").format(name=data_label, rows=f"{len(frame):,}"))
with st.expander(_("Preview and the tutorial's preprocessing steps")):
    st.dataframe(frame.head(20), hide_index=True)
    for step in data.preprocessing_steps(frame, _=_):
        st.markdown(f"**{step.title}** - {step.explanation}")
        st.dataframe(step.preview, hide_index=True)
    if data_label == "synthetic":
        st.download_button(_("Download the synthetic data (CSV)"), synthetic_csv, "synthetic_churn.csv",
                           key="churn.download_data", on_click="ignore", mime="text/csv")
balance_col, explore_col = st.columns([1, 2])
with explore_col:
    column = st.selectbox(_("Churn rate by"), data.EXPLORE_COLUMNS, key="churn.explore", **BIND)
balance_figure, by_feature_figure = data_figures(frame, column, LANG)
balance_col.plotly_chart(balance_figure, key="churn.balance", config=CONFIG)
explore_col.plotly_chart(by_feature_figure, key="churn.by_feature", config=CONFIG)

# ---- 2. Network and training -------------------------------------------------------------------
numbered_header(_("Network and training"))
# In a row that wraps, each button as wide as its name: no name is cut, even on a 1024 px projector.
with room.control("churn.presets", _("Preset buttons")), st.container(horizontal=True):
    for name in churn_presets.PRESETS:
        st.button(_(name), key=f"churn.preset.{name}", on_click=apply_preset, args=(name,), width="content")
if state.get("churn._lesson") in churn_presets.PRESETS:
    st.info(_(churn_presets.PRESETS[state["churn._lesson"]].lesson))
network_col, training_col = st.columns(2)
with network_col:
    with room.control("churn.layers", _("Hidden layers")):
        layers = st.slider(_("Hidden layers"), 1, MAX_LAYERS, 2, key="churn.layers", **BIND)
    hidden = []
    for number in range(1, layers + 1):
        units_col, activation_col = st.columns(2)
        with units_col, room.control("churn.units", _("Units per layer")):
            units = st.slider(_("Units in layer {number}").format(number=number), 1, MAX_UNITS, 6,
                              key=f"churn.units{number}", **BIND)
        with activation_col, room.control("churn.act", _("Activation functions")):
            activation = st.selectbox(_("Activation {number}").format(number=number), list(ACTIVATIONS),
                                      key=f"churn.act{number}", **BIND)
        hidden.append((units, activation))
    with room.control("churn.init", _("Initial weights")):
        # The Keras name in the box, what it means below: "name: meaning" was cut on a projector.
        initializer = choice(st.selectbox, _("Initial weights"), list(INITIALIZERS), key="churn.init",
                             default="uniform", format_func=str)
        st.caption(_(INITIALIZERS[initializer][0]))
with training_col:
    with room.control("churn.optimizer", _("Optimizer")):
        optimizer = st.selectbox(_("Optimizer"), list(OPTIMIZERS), key="churn.optimizer", **BIND)
    with room.control("churn.lr", _("Learning rate")):
        learning_rate = st.select_slider(_("Learning rate"), LEARNING_RATES, 0.001, key="churn.lr", **BIND)
    with room.control("churn.batch", _("Batch size")):
        batch_size = st.select_slider(_("Batch size"), BATCH_SIZES, 10, key="churn.batch", **BIND)
    with room.control("churn.epochs", _("Epochs")):
        epochs = st.slider(_("Epochs"), 1, 200, 100, key="churn.epochs", **BIND)
    with room.control("churn.val", _("Validation share")):
        validation_share = st.slider(_("Validation share (taken from the training 80 %)"), 0.0, 0.5, 0.1, 0.05,
                                     key="churn.val", **BIND)
    with room.control("churn.early", _("Early stopping")):  # one under the other: side by side cut the label
        early_stopping = st.toggle(_("Early stopping"), False, key="churn.early", **BIND)
        patience = st.number_input(_("Patience (epochs)"), 1, 50, 10, key="churn.patience", **BIND)
    with room.control("churn.cw", _("Class weights")):
        class_weights = st.toggle(_("Class weights (count each churner ~4x)"), False, key="churn.cw", **BIND)
    with room.control("churn.seed", _("Seed")):
        seed = st.number_input(_("Seed (split, initial weights, shuffle)"), 0, 9999, 0, key="churn.seed", **BIND)

try:
    spec = NetworkSpec(tuple(hidden), initializer, optimizer, learning_rate)
    settings = FitSettings(epochs, batch_size, seed, validation_share, early_stopping, patience, class_weights)
except UserError as error:  # e.g. early stopping without a validation share (a link can ask for it)
    spec = settings = None
    st.warning(error.translate(_))
prepared = prepared_for(frame, seed)
info = (_("{weights} weights and biases · {train} training customers ({share} of them for validation) · "
          "{test} test customers").format(weights=f"{spec.n_parameters:,}", train=f"{len(prepared.y_train):,}",
                                          share=f"{settings.validation_share:.0%}", test=f"{len(prepared.y_test):,}")
        if spec else None)
latest = churn_training.training_controls(session, spec, settings, prepared, data_label, info, _)

# ---- 3. Results ----------------------------------------------------------------------------------
if latest is not None:
    numbered_header(_("Results on the test set"))
    if latest.run.status == RunStatus.DIVERGED:
        st.warning(_("The loss became infinite or NaN: the learning rate is far too high for this network. "
                     "Lower it and train again."))
    elif latest.run.status == RunStatus.EARLY_STOPPED:
        st.caption(_("Early stopping rolled the weights back to epoch {epoch}, the epoch with the lowest "
                     "validation loss.").format(epoch=latest.run.best_epoch))
    y_test, probabilities = latest.prepared.y_test, latest.test_probabilities
    with room.control("churn.threshold", _("Decision threshold")):
        threshold = st.slider(_("Decision threshold: churn is predicted when the probability is above it"), 0.0, 1.0,
                              0.5, 0.01, key="churn.threshold", **BIND)
    counts = metrics.confusion(y_test, probabilities, threshold)
    baseline = metrics.majority_baseline(y_test)
    cells = st.columns(5)
    cells[0].metric(_("Test accuracy"), f"{counts.accuracy:.1%}",
                    _("{difference} vs baseline").format(difference=f"{counts.accuracy - baseline:+.1%}"))
    cells[1].metric(_("Always 'stays' baseline"), f"{baseline:.1%}")
    cells[2].metric(_("Precision"), f"{counts.precision:.1%}")
    cells[3].metric(_("Recall"), f"{counts.recall:.1%}")
    cells[4].metric("F1", f"{counts.f1:.3f}")
    tabs = url_tabs(RESULT_TABS, key="churn.view")
    # Only the open tab's content is built and sent: the browser draws one or two charts when a
    # training ends, not all five with a form and a table (a class of 30 shares the server's CPU).
    if tabs["test"].open:
        with tabs["test"]:
            fpr, tpr, _thresholds = metrics.roc_curve(y_test, probabilities)
            confusion_col, roc_col = st.columns(2)
            confusion_col.plotly_chart(figures.confusion_figure(counts, threshold, _=_), key="churn.confusion",
                                       config=CONFIG)
            point = (counts.fp / max(counts.fp + counts.tn, 1), counts.tp / max(counts.tp + counts.fn, 1))
            roc_col.plotly_chart(figures.roc_figure(fpr, tpr, latest.report["auc"], point, threshold, _=_),
                                 key="churn.roc", config=CONFIG)
    if tabs["network"].open:
        with tabs["network"]:
            st.plotly_chart(figures.network_diagram(latest.run.weights, data.FEATURE_NAMES, _=_), key="churn.network",
                            config=CONFIG)
    if tabs["whatif"].open:
        with tabs["whatif"]:
            what_if(latest, threshold)
    if tabs["runs"].open:
        with tabs["runs"]:
            runs_of_this_session()
    if tabs["downloads"].open:
        with tabs["downloads"]:
            downloads(latest)

churn_experiment.section(frame, spec, settings, number=next(sections))
room.panel()
