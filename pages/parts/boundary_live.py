"""Decision boundary page, the live part: training ticks, the pictures, the numbers, replay and
export. Runs as an `st.fragment` that ticks while Play is on, so only this part reruns."""

from __future__ import annotations

import time

import streamlit as st

from pages.parts.boundary_data import add_drawn_point
from pages.shell.language import current_language
from playground.boundary import export, figures
from playground.boundary.datasets import Points
from playground.boundary.session import Grid, Run
from playground.i18n import Translate

state = st.session_state
TRAIN_SECONDS = 0.03  # ...and trains about this long each time (at least one epoch)
MAP_CELLS, NEURON_CELLS = 81, 24  # 81: every other cell makes the 41 x 41 hover/click grid
CHART_CONFIG = {"displaylogo": False, "scrollZoom": False, "displayModeBar": False}
# While playing, the map is redrawn at every tick, the network diagram and the loss curve about
# every SLOW_SECONDS, never both in one tick. Why: each new figure is a new chart element to
# Streamlit (its id hashes the figure), which the browser builds from scratch (50-150 ms each on a
# 2-core machine; its run_every timer cannot fire meanwhile), while a figure sent again unchanged
# keeps its element and costs the browser nothing. Counting ticks did not work: when the browser
# falls behind, it shows only the last of the ticks that arrived meanwhile, so nearly every
# picture it drew had a new diagram. 1 s rather than 0.6: the diagram is the costliest to draw, and
# with it redrawn ~1.7 times a second the map got fewer redraws (hard to measure on a shared machine).
SLOW_SECONDS = 1.0


def _map_clicked(key: str) -> None:
    """The clickable map is only ever drawn outside the fragment, so this click's rerun is already
    a whole-page one: the new points start a new network without a second rerun."""
    point = figures.clicked_point(state[key].selection)
    if point is not None:
        add_drawn_point(*point)


def _metrics(row: dict, classes: int, _: Translate) -> None:
    """In a row that wraps, each as wide as its text: five equal columns cut "100.0%" on a
    1024-pixel projector."""
    with st.container(horizontal=True, gap="medium"):
        st.metric(_("Epoch"), f"{row['epoch']:,}", width="content")
        st.metric(_("Train loss"), f"{row['train_loss']:.4f}", width="content")
        st.metric(_("Test loss"), f"{row['test_loss']:.4f}", width="content")
        if classes:
            st.metric(_("Train accuracy"), f"{row['train_accuracy']:.1%}", width="content")
            st.metric(_("Test accuracy"), f"{row['test_accuracy']:.1%}", width="content")


def _exploded_message(run: Run, _: Translate) -> None:
    st.error(_("Training exploded in epoch {epoch}: with learning rate {rate} each step overshot the minimum by more "
               "than it started away from it, so the loss grew without bound (past 10⁶ or to infinity). The page "
               "kept the weights of epoch {kept}. Lower the learning rate and press Reset.").format(
                 epoch=run.exploded_at, rate=f"{run.training.learning_rate:g}", kept=run.epoch),
             icon=":material/warning:")


def _slow_figures(run: Run, playing: bool, _: Translate, **builders) -> dict:
    """name -> figure of each builder; while playing, each is built anew about every SLOW_SECONDS
    and at most one of them a tick (sent again unchanged in between, see SLOW_SECONDS)."""
    token, now, built = (id(run), current_language()), time.monotonic(), False  # a new run or language: built anew
    figures_now = {}
    for name, build in builders.items():
        key = f"bd.figure.{name}"
        cached = state.get(key)
        current = playing and cached is not None and cached[0] == token
        if not current or (not built and now - cached[2] >= SLOW_SECONDS):
            built = built or current
            cached = state[key] = (token, build(), now)
        figures_now[name] = cached[1]
    return figures_now


def live_view(run: Run, version: int, show_test: bool, discrete: bool, drawing: bool, _: Translate,
              map_slot=None) -> None:
    playing = state.get("bd.playing", False)
    if playing:
        run.train(seconds=TRAIN_SECONDS)
        if run.exploded:
            state["bd.playing"] = False
            st.rerun()
    if run.exploded:
        _exploded_message(run, _)
    network, row = run.network, run.history[-1]
    if not playing and run.epoch > 0:
        replay = run.replay_points()
        # The key names the epoch the run had reached: a keyed slider keeps its value when its
        # options change, so with one fixed key a Step after Pause trained but the page kept
        # showing the epoch the slider was first drawn at (issue 12). A new epoch, a new slider.
        epoch = st.select_slider(_("Replay: the network at epoch"), [e for e, _net in replay], value=run.epoch,
                                 key=f"bd.replay.{run.epoch}",
                                 help=_("Snapshots of this run; moving the slider does not train."))
        if epoch != run.epoch:
            network = run.network_at(dict(replay)[epoch])
            row = run.history[epoch]
    _metrics(row, run.points.classes, _)
    slow = _slow_figures(run, playing, _, diagram=lambda: figures.network_diagram(
        network, run.feature_ids, run.grid(NEURON_CELLS, network), run.points.classes, _=_),
        loss=lambda: figures.loss_curve(run.history[: row["epoch"] + 1], _=_))
    if drawing:  # the map in `map_slot`, full width: where the empty canvas was, so it stays under the pointer
        diagram, picture = st.container(), map_slot if map_slot is not None else st.container()
    else:
        diagram, picture = st.container(key="bd-pictures").columns([2, 3])
    with diagram:
        st.plotly_chart(slow["diagram"], key="bd.chart.net", config=CHART_CONFIG)
    with picture:
        grid = run.grid(MAP_CELLS, network)
        if playing:  # plain HTML: a chart would be built from scratch at every tick (see figures.live_map_html)
            st.html(figures.live_map_html(grid, run.points, run.train_index, run.test_index, show_test, discrete, _=_))
        else:
            key = f"bd.chart.map.{version}.{drawing}"
            figure = figures.boundary_map(grid, run.points, run.train_index, run.test_index, show_test, discrete,
                                          drawing, _=_)
            if drawing:
                st.plotly_chart(figure, key=key, config=CHART_CONFIG, on_select=lambda: _map_clicked(key),
                                selection_mode="points")
            else:
                st.plotly_chart(figure, key=key, config=CHART_CONFIG)
    st.plotly_chart(slow["loss"], key="bd.chart.loss", config=CHART_CONFIG)
    if not playing:
        downloads = st.columns(2)
        downloads[0].download_button(_("Keras script (.py)"), export.keras_script(run), file_name="decision_boundary.py",
                                     mime="text/x-python", width="stretch",
                                     help=_("Rebuilds this network and these points in Keras and trains it."))
        downloads[1].download_button(_("Weights (.json)"), export.weights_json(run), file_name="weights.json",
                                     mime="application/json", width="stretch")
    else:
        st.caption(_("Pause to replay epochs and to export the model."))


DIAGRAM_COLUMN_PX = 90  # the network diagram wants this much width per column of neurons (caption "8 × leaky_relu")


def _pictures_css(run: Run) -> str:
    """Diagram and map side by side only where the diagram's share (2/5) gives each of its columns
    DIAGRAM_COLUMN_PX; else one under the other, each the live part's full width. A container
    query, so it follows the room the page really has (sidebar open or not), not the window: on a
    1024 or 1280 pixel projector, side by side squeezed the diagram to 180-260 px and its
    captions ran together (issue 13)."""
    columns = len(run.feature_ids) + len(run.architecture.hidden) + 1
    wide = int(columns * DIAGRAM_COLUMN_PX / 0.4)
    return f"""<style>{figures.LIVE_MAP_CSS}
.st-key-bd-pictures {{ container-type: inline-size; }}
@container (max-width: {wide}px) {{
  .st-key-bd-pictures [data-testid="stHorizontalBlock"] {{ flex-direction: column; }}
  .st-key-bd-pictures [data-testid="stColumn"] {{ width: 100% !important; flex: 1 1 auto !important; }}
}}
</style>"""


def show(run: Run, version: int, show_test: bool, discrete: bool, drawing: bool, redraws_per_second: int,
         _: Translate, map_slot=None) -> None:
    """The live part; it ticks on its own while playing. A browser that needs longer than a tick
    to draw the charts never finishes a picture (each tick replaces the one being drawn), so a
    slow computer needs a lower rate: the page offers 1-10 per second.

    While drawing, the map runs in the page itself, not in a fragment: clicks on a chart inside a
    fragment did not reach its on_select handler (seen in chromium with streamlit 1.67), and
    training is paused while drawing anyway. The map then goes into `map_slot` (a container at the
    top of the live column, where `canvas` draws the empty map): when the second point turns the
    canvas into the live view, the map must not move away from under the pointer, or the next
    click lands on whatever took its place (issue 12)."""
    if drawing:
        live_view(run, version, show_test, discrete, drawing, _, map_slot)
        return
    st.html(_pictures_css(run))
    ticking = 1.0 / redraws_per_second if state.get("bd.playing", False) else None
    st.fragment(run_every=ticking)(live_view)(run, version, show_test, discrete, drawing, _)


def canvas(points: Points, version: int, _: Translate) -> None:
    """An empty map to click points onto (before there are two points to train on)."""
    axis = figures.np.linspace(-6, 6, MAP_CELLS)
    blank = figures.np.full((MAP_CELLS, MAP_CELLS), 0.5 if points.classes == 2 else 0.0)
    if points.classes == 3:
        blank = figures.np.full((MAP_CELLS, MAP_CELLS, 3), 1 / 3)
    grid = Grid(axis=axis, output=blank, inputs=[], hidden=[])
    index = figures.np.arange(len(points))
    key = f"bd.chart.map.{version}.True"
    st.plotly_chart(figures.boundary_map(grid, points, index, index[:0], drawing=True, _=_), key=key, config=CHART_CONFIG,
                    on_select=lambda: _map_clicked(key), selection_mode="points")
