"""Churn ANN: the tutorial's bank-churn Keras network, trained live by the server's worker processes.

Sections: 1. data, 2. network and training (Train / Stop / progress: pages/parts/churn_training.py),
3. results, 4. this session's runs, 5. downloads, 6. an experiment over seeds (pages/parts/churn_experiment.py,
also in the worker pool). This page never imports TensorFlow.
"""

import streamlit as st

from pages import use_app_shell
from pages.parts import churn_experiment, churn_training
from playground.churn import data, figures, keras_script, metrics
from playground.churn import presets as churn_presets
from playground.churn.model import ACTIVATIONS, INITIALIZERS, MAX_LAYERS, MAX_UNITS, OPTIMIZERS, FitSettings, NetworkSpec
from playground.churn.train import ChurnSession

use_app_shell()

BIND = dict(bind="query-params")
CONFIG = {"displaylogo": False}
LEARNING_RATES = (0.0001, 0.0003, 0.001, 0.002, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0)
BATCH_SIZES = (1, 5, 10, 16, 32, 64, 128, 256, 512)
state = st.session_state
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
def data_figures(frame, column):
    table = data.churn_rate_by(frame, column)
    return figures.class_balance(frame[data.TARGET]), figures.churn_rate_bars(table, column, frame[data.TARGET].mean())


def apply_preset(name):
    preset = churn_presets.PRESETS[name]
    state.update(preset.widget_values())
    state["churn._lesson"] = preset.lesson


st.title("Churn ANN")
st.markdown("Will a bank customer leave? The tutorial's Keras network learns it from 11 numbers per "
            "customer. Pick data and a network, press **Train**, and watch it learn epoch by epoch.")


churn_training.workers_status()

# ---- 1. Data -----------------------------------------------------------------------------------
st.header("1. Data")
# Bound option widgets store the option's label in the URL: keep the options short, explain in captions.
source = st.radio("Customers", ["synthetic", "upload"], key="churn.data", horizontal=True, **BIND,
                  captions=["built in: 10,000 made-up customers", "your CSV, e.g. Churn_Modelling.csv"])
if source == "upload":
    upload = st.file_uploader("Bank churn CSV", type=["csv"], key="churn.upload")
    if upload is not None and state.get("churn._upload_id") != upload.file_id:
        try:
            state["churn._uploaded"] = (upload.name, data.load_churn_csv(upload))
        except data.ChurnDataError as error:
            st.error(f"**{upload.name}** was not loaded: {error}")
        state["churn._upload_id"] = upload.file_id
if source == "upload" and "churn._uploaded" in state:
    data_label, frame = state["churn._uploaded"]
else:
    if source == "upload":
        st.caption("No file loaded yet: the synthetic data is used meanwhile.")
    data_label, frame = "synthetic", synthetic_frame()
st.caption(f"Using **{data_label}**" + (" - generated to follow the real file's statistics; not real customers."
                                        if data_label == "synthetic" else "") + f" ({len(frame):,} rows).")
with st.expander("Preview and the tutorial's preprocessing steps"):
    st.dataframe(frame.head(20), hide_index=True)
    for step in data.preprocessing_steps(frame):
        st.markdown(f"**{step.title}** - {step.explanation}")
        st.dataframe(step.preview, hide_index=True)
    if data_label == "synthetic":
        st.download_button("Download the synthetic data (CSV)", synthetic_csv, "synthetic_churn.csv",
                           key="churn.download_data", on_click="ignore", mime="text/csv")
balance_col, explore_col = st.columns([1, 2])
with explore_col:
    column = st.selectbox("Churn rate by", data.EXPLORE_COLUMNS, key="churn.explore", **BIND)
balance_figure, by_feature_figure = data_figures(frame, column)
balance_col.plotly_chart(balance_figure, key="churn.balance", config=CONFIG)
explore_col.plotly_chart(by_feature_figure, key="churn.by_feature", config=CONFIG)

# ---- 2. Network and training -------------------------------------------------------------------
st.header("2. Network and training")
preset_columns = st.columns(3)  # two rows of three: the names stay readable
for index, name in enumerate(churn_presets.PRESETS):
    column_ = preset_columns[index % 3]
    column_.button(name, key=f"churn.preset.{name}", on_click=apply_preset, args=(name,), width="stretch")
if "churn._lesson" in state:
    st.info(state["churn._lesson"])
network_col, training_col = st.columns(2)
with network_col:
    layers = st.slider("Hidden layers", 1, MAX_LAYERS, 2, key="churn.layers", **BIND)
    hidden = []
    for number in range(1, layers + 1):
        units_col, activation_col = st.columns(2)
        units = units_col.slider(f"Units in layer {number}", 1, MAX_UNITS, 6, key=f"churn.units{number}", **BIND)
        activation = activation_col.selectbox(f"Activation {number}", list(ACTIVATIONS), key=f"churn.act{number}", **BIND)
        hidden.append((units, activation))
    initializer = st.selectbox("Initial weights", list(INITIALIZERS), key="churn.init", **BIND,
                               help=" · ".join(f"{name}: {label}" for name, (label, _) in INITIALIZERS.items()))
with training_col:
    optimizer = st.selectbox("Optimizer", list(OPTIMIZERS), key="churn.optimizer", **BIND)
    learning_rate = st.select_slider("Learning rate", LEARNING_RATES, 0.001, key="churn.lr", **BIND)
    batch_size = st.select_slider("Batch size", BATCH_SIZES, 10, key="churn.batch", **BIND)
    epochs = st.slider("Epochs", 1, 200, 100, key="churn.epochs", **BIND)
    validation_share = st.slider("Validation share (taken from the training 80 %)", 0.0, 0.5, 0.1, 0.05,
                                 key="churn.val", **BIND)
    early_col, patience_col = st.columns(2)
    early_stopping = early_col.toggle("Early stopping", False, key="churn.early", **BIND)
    patience = patience_col.number_input("Patience (epochs)", 1, 50, 10, key="churn.patience", **BIND)
    class_weights = st.toggle("Class weights (count each churner ~4x)", False, key="churn.cw", **BIND)
    seed = st.number_input("Seed (split, initial weights, shuffle)", 0, 9999, 0, key="churn.seed", **BIND)

try:
    spec = NetworkSpec(tuple(hidden), initializer, optimizer, learning_rate)
    settings = FitSettings(epochs, batch_size, seed, validation_share, early_stopping, patience, class_weights)
except ValueError as error:
    spec = settings = None
    st.warning(str(error))
prepared = prepared_for(frame, seed)
info = (f"{spec.n_parameters:,} weights and biases · {len(prepared.y_train):,} training customers "
        f"({settings.validation_share:.0%} of them for validation) · {len(prepared.y_test):,} test customers"
        if spec else None)
latest = churn_training.training_controls(session, spec, settings, prepared, data_label, info)

# ---- 3. Results ----------------------------------------------------------------------------------
if latest is not None:
    st.header("3. Results on the test set")
    if latest.run.status == "diverged":
        st.warning("The loss became infinite or NaN: the learning rate is far too high for this network. "
                   "Lower it and train again.")
    elif latest.run.status == "early-stopped":
        st.caption(f"Early stopping rolled the weights back to epoch {latest.run.best_epoch}, "
                   "the epoch with the lowest validation loss.")
    y_test, probabilities = latest.prepared.y_test, latest.test_probabilities
    threshold = st.slider("Decision threshold: churn is predicted when the probability is above it", 0.0, 1.0, 0.5,
                          0.01, key="churn.threshold", **BIND)
    counts = metrics.confusion(y_test, probabilities, threshold)
    baseline = metrics.majority_baseline(y_test)
    cells = st.columns(5)
    cells[0].metric("Test accuracy", f"{counts.accuracy:.1%}", f"{counts.accuracy - baseline:+.1%} vs baseline")
    cells[1].metric("Always 'stays' baseline", f"{baseline:.1%}")
    cells[2].metric("Precision", f"{counts.precision:.1%}")
    cells[3].metric("Recall", f"{counts.recall:.1%}")
    cells[4].metric("F1", f"{counts.f1:.3f}")
    fpr, tpr, _ = metrics.roc_curve(y_test, probabilities)
    confusion_col, roc_col = st.columns(2)
    confusion_col.plotly_chart(figures.confusion_figure(counts, threshold), key="churn.confusion", config=CONFIG)
    point = (counts.fp / max(counts.fp + counts.tn, 1), counts.tp / max(counts.tp + counts.fn, 1))
    roc_col.plotly_chart(figures.roc_figure(fpr, tpr, latest.report["auc"], point, threshold), key="churn.roc",
                         config=CONFIG)
    st.plotly_chart(figures.network_diagram(latest.run.weights, data.FEATURE_NAMES), key="churn.network",
                    config=CONFIG)

    st.subheader("What if? One customer")
    with st.form("churn.whatif"):
        cols = st.columns(5)
        customer = {
            "Geography": cols[0].selectbox("Country", data.GEOGRAPHIES), "Gender": cols[1].selectbox("Gender", data.GENDERS),
            "Age": cols[2].number_input("Age", 18, 100, 40), "CreditScore": cols[3].number_input("Credit score", 300, 900, 650),
            "Tenure": cols[4].number_input("Years with the bank", 0, 10, 5),
            "Balance": cols[0].number_input("Balance", 0.0, 300_000.0, 60_000.0, 1000.0),
            "NumOfProducts": cols[1].number_input("Products", 1, 4, 1),
            "HasCrCard": int(cols[2].checkbox("Has a credit card", True)),
            "IsActiveMember": int(cols[3].checkbox("Active member", True)),
            "EstimatedSalary": cols[4].number_input("Salary", 0.0, 250_000.0, 100_000.0, 1000.0),
        }
        if st.form_submit_button("Predict"):
            try:
                x = latest.prepared.standardize(data.encode_customer(customer)[None, :])
                probability = float(latest.run.predict(x)[0])
                verdict = "churns" if probability > threshold else "stays"
                st.success(f"Churn probability **{probability:.1%}** - at threshold {threshold:.2f} the network says: {verdict}.")
            except data.ChurnDataError as error:
                st.error(str(error))

    st.header("4. Runs of this session")
    st.dataframe(session.table(), hide_index=True, key="churn.runs")
    overlay_metric = st.radio("Overlay", ["loss", "accuracy"], key="churn.overlay", horizontal=True, **BIND)
    st.plotly_chart(figures.history_overlay([(e.label, e.run.history) for e in session.entries], overlay_metric),
                    key="churn.overlay_chart", config=CONFIG)

    st.header("5. Downloads")
    down = st.columns(3)
    if latest.keras_file is not None:
        down[0].download_button("Trained model (.keras)", latest.keras_file, f"churn_run{latest.number}.keras",
                                key="churn.download_model", on_click="ignore")
    down[1].download_button("History (CSV)", latest.history_csv(), f"churn_run{latest.number}_history.csv",
                            key="churn.download_history", on_click="ignore", mime="text/csv")
    down[2].download_button("Keras script (.py)", keras_script.generate(latest.run.spec, latest.run.settings),
                            "churn_ann.py", key="churn.download_script", on_click="ignore", mime="text/x-python")

churn_experiment.section(frame, spec, settings)
