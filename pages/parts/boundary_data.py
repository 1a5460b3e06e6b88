"""Decision boundary page, sidebar: the data set, drawn points and uploaded points."""

from __future__ import annotations

import streamlit as st

from playground.boundary import datasets
from playground.boundary.datasets import Points

state = st.session_state
CUSTOM, VERSION, ERROR = "bd.custom", "bd.custom_version", "bd.upload_error"


def _set_custom(points: Points | None) -> None:
    state[CUSTOM] = points
    state[VERSION] = state.get(VERSION, 0) + 1


def _start_drawing(generated: Points) -> None:
    """(The live view pauses by itself while drawing: its data says so.)"""
    if state.get("bd.drawing") and state.get(CUSTOM) is None:
        _set_custom(generated)  # draw on top of the current points; "Clear" empties them


def _undo() -> None:
    if state.get(CUSTOM) is not None and len(state[CUSTOM]):
        _set_custom(state[CUSTOM].without_last())


def _clear(classes: int) -> None:
    _set_custom(datasets.empty(classes or 2))


def _uploaded() -> None:
    file = state.get("bd.upload")
    if file is None:
        return
    try:
        _set_custom(datasets.parse_csv(file.getvalue()))
        state[ERROR] = None
        state["bd.drawing"] = False
    except datasets.DataError as error:
        state[ERROR] = (file.name, error)  # shown in the language of each run


def add_drawn_point(x: float, y: float) -> None:
    """Called by the map's click handler."""
    label = float(state.get("bd.draw_class", 0))
    points = state.get(CUSTOM)
    if points is None:
        points = datasets.empty(3 if label == 2 else 2)
    if points.is_regression:
        label = {0.0: -1.0, 1.0: 1.0, 2.0: 0.0}[label]
    _set_custom(points.add(x, y, label))


def data_sidebar(widget_args, pick, room, _) -> tuple[Points, int]:
    """The sidebar's data controls; returns the points in use and their version (drawn or
    uploaded points get a new version at every change, which resets the network)."""
    st.header(_("Data"))
    with room.control("bd.data", _("Data set")):
        pick(st.selectbox, _("Data set"), "bd.data", datasets.names(), lambda n: datasets.DATASETS[n].title,
             on_change=_set_custom, args=(None,), help=_(datasets.DATASETS[state.get("bd.data", "circle")].note)
             if state.get("bd.data") in datasets.DATASETS else None)
    with room.control("bd.points", _("Points")):
        st.slider(_("Points"), datasets.MIN_POINTS, datasets.MAX_POINTS, step=50, **widget_args("bd.points"))
    with room.control("bd.noise", _("Noise (%)")):
        st.slider(_("Noise (%)"), 0, 50, step=5, **widget_args("bd.noise"),
                  help=_("Moves each point (or its label's decision) by up to this share of the view: labels near "
                         "the boundary flip, as in TensorFlow Playground."))
    with room.control("bd.train", _("Training share (%)")):
        st.slider(_("Training share (%)"), 10, 90, step=10, **widget_args("bd.train"),
                  help=_("The rest are test points: never trained on, used to measure how well the network "
                         "generalises."))
    # one under the other: side by side, "Regenerate" was cut to "Regener..." in a projector's sidebar
    with room.control("bd.seed", _("Seed")):
        st.number_input(_("Seed"), 0, 9999, step=1, **widget_args("bd.seed"))
        st.button(_("Regenerate"), help=_("A new random draw of the same data set (the seed goes up by one)."),
                  on_click=lambda: state.update({"bd.seed": (int(state.get("bd.seed", 0)) + 1) % 10000}))
    generated = datasets.generate(state["bd.data"], state["bd.points"], state["bd.noise"] / 100, state["bd.seed"])

    st.header(_("Your own points"))
    st.toggle(_("Draw points: click on the map"), key="bd.drawing", on_change=_start_drawing, args=(generated,))
    custom = state.get(CUSTOM)
    if state.get("bd.drawing"):
        regression = custom is not None and custom.is_regression
        labels = ([_("target −1"), _("target +1"), _("target 0")] if regression else
                  [_("class 0 (orange)"), _("class 1 (blue)"), _("class 2 (green)")])
        st.radio(_("Add"), [0, 1, 2], format_func=labels.__getitem__, key="bd.draw_class", horizontal=True)
        buttons = st.columns(2)
        buttons[0].button(_("Undo"), on_click=_undo, width="stretch", disabled=not custom or not len(custom))
        buttons[1].button(_("Clear"), on_click=_clear, args=(generated.classes,), width="stretch")
    st.file_uploader(_("Upload a CSV (x1,x2,label)"), type=["csv", "txt"], key="bd.upload", on_change=_uploaded,
                     help=_("Labels 0/1 (or −1/1): two classes; 0/1/2: three; other numbers: regression. "
                            "Points are scaled into the view."))
    if state.get(ERROR):
        name, error = state[ERROR]
        st.error(f"{name}: {error.translate(_)}")  # the file's own values stay as they are
    if custom is not None:
        kind = (_("regression") if custom.is_regression
                else _("{classes} classes").format(classes=custom.classes))
        st.info(_("Using your {count} points ({kind}).").format(count=len(custom), kind=kind))
        st.button(_("Back to the generated data"), on_click=_set_custom, args=(None,))
    points = custom if custom is not None else generated
    st.download_button(_("Download these points (CSV)"), datasets.to_csv(points), file_name="points.csv",
                       mime="text/csv", width="stretch")
    return points, state.get(VERSION, 0) if custom is not None else 0
