"""What a page shows, as text, and the English words in it that a translation should have replaced.

Shared by the AppTest and browser language tests. COVERED_PAGES lists the pages whose every
text is translated; the lead extends it as more pages are covered (then fix what the tests find).
"""

from __future__ import annotations

import re

from apptest_utils import chart_specs
from playground.activations import functions as activations

COVERED_PAGES = ["pages/home.py", "pages/activations.py", "pages/optimizers.py", "pages/neuron_backprop.py",
                 "pages/churn_ann.py", "pages/boundary.py", "pages/class.py"]

# Words that stay as they are in a Chinese page: names of functions, methods, libraries, people,
# data sets and formulas' symbols, as the tutorial itself writes them.
ALLOWED_WORDS = {
    word.lower()
    for word in (
        "Language English dalpha "  # the switch names each language in its own script
        "ReLU ReLU6 GELU SELU ELU PReLU SiLU Swish Mish Softplus Softsign Sigmoid Tanh Softmax logit logits "
        "Leaky Hard erf sqrt exp log min max fan_in fan_out alpha beta lambda approximate False "
        "Keras TensorFlow numpy float64 BERT GPT MobileNet Glorot Xavier LeCun "
        "SGD Adam AdamW Nadam Adagrad RMSprop Adadelta Nesterov "
        "Rosenbrock Beale Himmelblau Rastrigin AND XOR MSE BCE ANN AUC ROC step sin Playground "
        "keras activations layers ops linear sigmoid tanh relu relu6 leaky_relu hard_sigmoid negative_slope silu "
        "swish gelu elu selu mish softplus softsign prelu "
        # The bank-churn data set's columns and values, as the tutorial and the CSV write them; file
        # types; the Decision boundary upload's columns (x1,x2,label).
        "RowNumber CustomerId Surname CreditScore Geography Gender Age Tenure Balance NumOfProducts HasCrCard "
        "IsActiveMember EstimatedSalary Exited Geography_Germany Geography_Spain France Germany Spain Female Male CSV "
        "Churn_Modelling csv json label uniform glorot_uniform he_uniform random_normal adam sgd rmsprop adagrad adamw nadam"
    ).split()
} | {name.lower() for name in activations.names()}

_MARKUP = re.compile(r":material/[a-z_]+:|%\{[^}]*\}|<[^>]+>|\{[^}]*\}|\\[A-Za-z]+|keras\.[A-Za-z_.]+")
_WORD = re.compile(r"[A-Za-z][A-Za-z_0-9]*")
_SYMBOL = re.compile(r"[A-Za-z]{1,2}_?[0-9]+|[A-Za-z]_[A-Za-z0-9]{1,2}|[a-z]+_uniform")  # w11, z_o, p_i, glorot_uniform


def english_words(text: str) -> set[str]:
    """Words of three or more Latin letters in `text` that are not on the allow-list."""
    cleaned = _MARKUP.sub(" ", text)
    return {
        word
        for word in _WORD.findall(cleaned)
        if len(word) >= 3 and word.lower() not in ALLOWED_WORDS and not _SYMBOL.fullmatch(word)
    }


def _latex_words(source: str) -> list[str]:
    return re.findall(r"\\text\{([^{}]*)\}", source)


def _figure_texts(value, key: str = "") -> list[str]:
    texts = []
    if isinstance(value, dict):
        for child_key, child in value.items():
            if child_key in ("meta", "customdata", "uid", "type", "mode", "hoverinfo", "textposition", "symbol",
                             "colorscale", "template", "source", "legendgroup", "xref", "yref", "method", "args"):
                continue  # data and options, not text a person reads
            texts += _figure_texts(child, child_key)
    elif isinstance(value, list):
        for item in value:
            texts += _figure_texts(item, key)
    elif isinstance(value, str) and key in ("text", "name", "hovertemplate", "prefix", "label", "title",
                                             "texttemplate"):
        texts.append(value)
    return texts


def shown_texts(at) -> list[str]:
    """Every text an AppTest run shows: elements, widget labels/help/options, tables, charts."""
    texts = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "info", "warning", "error", "success"):
        texts += [element.value for element in at.get(kind)]
    for kind in ("selectbox", "radio", "multiselect", "slider", "select_slider", "number_input", "text_input",
                 "toggle", "checkbox", "button", "expander", "tabs", "metric"):
        for element in at.get(kind):
            texts += [getattr(element, "label", "") or "", getattr(element, "help", "") or ""]
            texts += [str(option) for option in getattr(element, "options", None) or []]
    for element in at.get("metric"):
        texts.append(str(element.value))
    for element in at.get("latex"):
        texts += _latex_words(element.value)
    for element in at.get("dataframe"):
        frame = element.value
        texts += [str(column) for column in frame.columns]
        texts += [str(index) for index in frame.index.names if index]
        for column in frame.columns:
            if frame[column].dtype == object:
                texts += [str(value) for value in frame[column] if value is not None]
    for spec in chart_specs(at):
        texts += _figure_texts(spec)
    return texts
