"""Optimizers page, under the race: where each run ends over 50 seeds, on a surface whose minima
differ in depth (does SGD's noise carry it out of a shallow minimum more often than not?)."""

from dataclasses import replace

import pandas as pd
import streamlit as st

from pages.shell.language import gettext
from playground.optimizers import endings, surfaces
from playground.optimizers.presets import PRESETS, View

LESSON = "local_minimum"  # the preset whose paragraph explains this table


@st.cache_resource(max_entries=16, show_spinner=False)
def count_endings(view: View) -> endings.Endings:
    """The race of `view` over every seed of endings.SEEDS (the view's own seed plays no part)."""
    return endings.over_seeds(surfaces.get(view.surface), view.specs, view.start, view.steps, view.batch, view.noise)


def endings_section(view: View) -> None:
    """The table, on surfaces with a deepest minimum and shallower ones; nothing elsewhere."""
    surface = surfaces.get(view.surface)
    if not endings.has_shallow_minimum(surface):
        return
    _ = gettext()
    st.subheader(_("Where the runs end, over {n} seeds").format(n=len(endings.SEEDS)))
    if view.surface == PRESETS[LESSON].surface:
        st.markdown(_(PRESETS[LESSON].point))
    with st.spinner(_("Racing every seed...")):
        counted = count_endings(replace(view, seed=0))  # one cache entry whatever the sidebar's seed
    st.dataframe(pd.DataFrame(counted.rows(_)).set_index(_("run")))
    st.caption(_("Seeds {first}–{last}, everything else as above. A run ends in the valley its last point rolls "
                 "down into on the exact gradient. Deepest minimum: ({x:.2f}, {y:.2f}).").format(
        first=endings.SEEDS[0], last=endings.SEEDS[-1], x=surface.minima[counted.deepest][0],
        y=surface.minima[counted.deepest][1]))
