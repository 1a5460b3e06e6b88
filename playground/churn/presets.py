"""Presets of the Churn ANN page: each sets every training control and teaches one thing.

One registry drives the preset buttons, the tests and the CLI examples in the README.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from playground.churn.model import FitSettings, NetworkSpec
from playground.i18n import N_


@dataclass(frozen=True)
class Preset:
    name: str  # also the preset's id (widget keys); a msgid, shown translated
    lesson: str  # what to look at after training it (a msgid)
    spec: NetworkSpec
    settings: FitSettings

    def with_seed(self, seed: int) -> FitSettings:
        return replace(self.settings, seed=seed)

    def widget_values(self, prefix: str = "churn.") -> dict:
        """The page's widget keys and the values this preset gives them (the seed is left alone)."""
        spec, settings = self.spec, self.settings
        values = {"layers": len(spec.hidden), "init": spec.initializer, "optimizer": spec.optimizer,
                  "lr": spec.learning_rate, "batch": settings.batch_size, "epochs": settings.epochs,
                  "val": settings.validation_share, "early": settings.early_stopping,
                  "patience": settings.patience, "cw": settings.class_weights}
        for number, (units, activation) in enumerate(spec.hidden, start=1):
            values.update({f"units{number}": units, f"act{number}": activation})
        return {prefix + key: value for key, value in values.items()}


PRESETS: dict[str, Preset] = {
    preset.name: preset
    for preset in (
        Preset(
            N_("Tutorial recipe"),
            N_("The original Keras example: 11 inputs -> 6 relu -> 6 relu -> 1 sigmoid, weights drawn "
            "uniformly in ±0.05, Adam, batch 10, 100 epochs, every training customer used for training "
            "(so no validation curve: raise the validation share to get one). Expect 83.5-86 % test "
            "accuracy on the real data, against 79.6 % when always answering 'stays'."),
            NetworkSpec(((6, "relu"), (6, "relu")), "uniform", "adam", 0.001),
            FitSettings(epochs=100, batch_size=10, validation_share=0.0),
        ),
        Preset(
            N_("Overfitting"),
            N_("A big network (3 x 64 units) trained long with a high learning rate and no early stopping. "
            "Watch the training loss keep falling while the validation loss turns and climbs: the network "
            "starts memorising the training customers."),
            NetworkSpec(((64, "relu"), (64, "relu"), (64, "relu")), "glorot_uniform", "adam", 0.003),
            FitSettings(epochs=120, batch_size=32, validation_share=0.2),
        ),
        Preset(
            N_("Early stopping"),
            N_("The same big network, stopped when the validation loss has not improved for 10 epochs, "
            "and rolled back to its best epoch. Compare its test accuracy with 'Overfitting' in the run table."),
            NetworkSpec(((64, "relu"), (64, "relu"), (64, "relu")), "glorot_uniform", "adam", 0.003),
            FitSettings(epochs=120, batch_size=32, validation_share=0.2, early_stopping=True, patience=10),
        ),
        Preset(
            N_("Catch more churners"),
            N_("Class weights make each churner count about four times as much as a stayer in the loss. "
            "Recall rises (more churners caught), precision and accuracy fall: the same trade-off as "
            "lowering the threshold slider."),
            NetworkSpec(((16, "relu"), (8, "relu")), "glorot_uniform", "adam", 0.003),
            FitSettings(epochs=40, batch_size=64, validation_share=0.1, class_weights=True),
        ),
        Preset(
            N_("Deep sigmoid, plain SGD"),
            N_("Five sigmoid layers trained with plain SGD: the gradients fade on their way back through the "
            "sigmoids and the network learns almost nothing - accuracy sits at the 'always stays' baseline."),
            NetworkSpec(((16, "sigmoid"),) * 5, "glorot_uniform", "sgd", 0.01),
            FitSettings(epochs=30, batch_size=32, validation_share=0.1),
        ),
        Preset(
            N_("Best found"),
            N_("The most accurate setting found here on the real data (14 settings x 5 seeds tried): 16-8 relu, "
            "Glorot weights, Adam at 0.002, batch 64, 60 epochs, all training customers used for training. "
            "About 86 % test accuracy (85.1-86.7 % with seven seeds) against the tutorial's 83.5-84 %."),
            NetworkSpec(((16, "relu"), (8, "relu")), "glorot_uniform", "adam", 0.002),
            FitSettings(epochs=60, batch_size=64, validation_share=0.0),
        ),
    )
}

TUTORIAL = PRESETS["Tutorial recipe"]
BEST = PRESETS["Best found"]


# --------------------------------------------------------------------------------------
# Experiments over seeds (the page's "Experiment" section): each one tests a claim
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExperimentPreset:
    """A base network (one of the presets above), the variants to compare with it, seeds and epochs."""

    name: str
    lesson: str
    base: Preset
    variants: tuple[tuple[tuple[str, str], ...], ...]  # per variant: (field id, value as text), 1 or 2 each
    seeds: int = 10
    epochs: int = 100

    def widget_values(self, prefix: str = "churn.") -> dict:
        """The page's widget keys and values: the base network's controls, then the experiment's."""
        values = self.base.widget_values(prefix)
        values.update({f"{prefix}exp.seeds": self.seeds, f"{prefix}exp.epochs": self.epochs})
        for slot in range(1, 4):
            changes = self.variants[slot - 1] if slot <= len(self.variants) else ()
            for change in (1, 2):
                field_id, text = changes[change - 1] if change <= len(changes) else ("none", None)
                values[f"{prefix}exp.v{slot}.{change}"] = field_id
                if text is not None:
                    values[f"{prefix}exp.v{slot}.{change}.{field_id}"] = text
        return values


EXPERIMENT_PRESETS: dict[str, ExperimentPreset] = {
    preset.name: preset
    for preset in (
        ExperimentPreset(
            N_("Swish vs ReLU (the article: +0.5 %)"),
            N_("The article says swish is 'better than ReLU, accuracy up 0.5 %'. Both train the tutorial recipe on the "
            "same 10 splits from the same start weights. Is the paired difference bigger than the seed-to-seed noise?"),
            TUTORIAL, ((("activation", "swish"),),),
        ),
        ExperimentPreset(
            N_("Leaky ReLU and PReLU vs ReLU"),
            N_("The article: leaky ReLU 'fixes ReLU's problem but predicts less accurately'; PReLU (a learnt slope "
            "per unit) is 'very good for backpropagation'. Does either differ from ReLU by more than the noise?"),
            TUTORIAL, ((("activation", "leaky_relu"),), (("activation", "prelu"),)),
        ),
        ExperimentPreset(
            N_("How much does one run vary? (tutorial recipe, 20 seeds)"),
            N_("The article's recipe 'gets close to 86 %'. Train it 20 times, changing only the seed (split, start "
            "weights, shuffle order): the spread of the dots is what a single run can tell you, and no more."),
            TUTORIAL, (), seeds=20,
        ),
        ExperimentPreset(
            N_("GD vs SGD (batch 8,000 vs 10, same epochs)"),
            N_("Full-batch gradient descent (one step per epoch over all 8,000 training customers) against the "
            "tutorial's mini-batches of 10 (800 steps per epoch), for the same 100 epochs: which learns more?"),
            TUTORIAL, ((("batch_size", "8000"),),),
        ),
        ExperimentPreset(
            N_("Uniform vs Glorot vs He initial weights"),
            N_("The tutorial draws the start weights uniformly in ±0.05. Glorot (Keras' default) and He (made for "
            "relu) scale them to the layer sizes. Does the start matter after 100 epochs of Adam?"),
            TUTORIAL, ((("initializer", "glorot_uniform"),), (("initializer", "he_uniform"),)),
        ),
    )
}
