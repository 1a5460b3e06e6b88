"""The registry of the app's pages: app.py, the home page and the tests all read it."""

from __future__ import annotations

from dataclasses import dataclass

from playground.i18n import N_


@dataclass(frozen=True)
class PageInfo:
    """One page of the playground."""

    script: str  # path relative to the repository root
    title: str  # English, marked with N_; translate where shown
    icon: str
    # Must equal the script's file name without ".py": on a fresh server Streamlit first
    # resolves a deep link against the pages/ folder's file names (see pages/__init__.py).
    url_path: str
    blurb: str


HOME = PageInfo(
    script="pages/home.py",
    title=N_("Home"),
    icon=":material/home:",
    url_path="home",
    blurb=N_("What the playground is and where to start."),
)

TOPICS: tuple[PageInfo, ...] = (
    PageInfo(
        script="pages/activations.py",
        title=N_("Activations"),
        icon=":material/show_chart:",
        url_path="activations",
        blurb=N_("Plot activation functions and their derivatives, tune their parameters, "
        "and see why sigmoid's gradients vanish in deep stacks."),
    ),
    PageInfo(
        script="pages/optimizers.py",
        title=N_("Optimizers"),
        icon=":material/landscape:",
        url_path="optimizers",
        blurb=N_("Race gradient descent, SGD, momentum, Adam and friends across loss surfaces, "
        "from the same start, animated step by step."),
    ),
    PageInfo(
        script="pages/churn_ann.py",
        title=N_("Churn ANN"),
        icon=":material/model_training:",
        url_path="churn_ann",
        blurb=N_("Train the classic bank-churn Keras network live, and watch loss and accuracy "
        "move epoch by epoch."),
    ),
    PageInfo(
        script="pages/neuron_backprop.py",
        title=N_("Neuron & backprop"),
        icon=":material/hub:",
        url_path="neuron_backprop",
        blurb=N_("One neuron's weighted sum, a perceptron learning AND/OR (and failing on XOR), "
        "and the chain rule on a tiny network with every number shown."),
    ),
    PageInfo(
        script="pages/boundary.py",
        title=N_("Decision boundary"),
        icon=":material/scatter_plot:",
        url_path="boundary",
        blurb=N_("Watch a small network carve up the plane live, TensorFlow Playground style: your own "
        "points, features, layers, activations, presets that each make one point, and a Keras export."),
    ),
    PageInfo(
        script="pages/class.py",
        title=N_("Class"),
        icon=":material/groups:",
        url_path="class",
        blurb=N_("For teachers: start a class, students join with a code and a nickname, and every finished "
        "run appears on one board for the projector, ranked, with the spread of the whole class."),
    ),
)

PAGES: tuple[PageInfo, ...] = (HOME, *TOPICS)
