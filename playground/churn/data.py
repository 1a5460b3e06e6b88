"""The bank-churn data set: a validating CSV loader, a synthetic generator, and the
tutorial's preprocessing (label-encode, one-hot without the first column, 80/20 split,
standardise on the training part only).

Pure numpy/pandas: no streamlit, no tensorflow.
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from playground.i18n import N_, Message, Translate, UserError, identity

TARGET = "Exited"
GEOGRAPHIES = (N_("France"), N_("Germany"), N_("Spain"))  # label-encoded 0, 1, 2 (alphabetical, like LabelEncoder)
GENDERS = (N_("Female"), N_("Male"))  # label-encoded 0, 1
IDENTIFIERS = ("RowNumber", "CustomerId", "Surname")  # carry no signal; optional in an upload

# Every column the model needs, with the type and the range a valid value must have.
# (kind, low, high): kind "int" must be a whole number, "float" any number, "binary" 0 or 1.
NUMERIC_COLUMNS: dict[str, tuple[str, float, float]] = {
    "CreditScore": ("int", 300, 900),
    "Age": ("int", 0, 120),
    "Tenure": ("int", 0, 100),
    "Balance": ("float", 0, 1e9),
    "NumOfProducts": ("int", 1, 20),
    "HasCrCard": ("binary", 0, 1),
    "IsActiveMember": ("binary", 0, 1),
    "EstimatedSalary": ("float", 0, 1e9),
    TARGET: ("binary", 0, 1),
}
CATEGORY_COLUMNS: dict[str, tuple[str, ...]] = {"Geography": GEOGRAPHIES, "Gender": GENDERS}
REQUIRED_COLUMNS = (
    "CreditScore", "Geography", "Gender", "Age", "Tenure", "Balance",
    "NumOfProducts", "HasCrCard", "IsActiveMember", "EstimatedSalary", TARGET,
)
ALL_COLUMNS = (*IDENTIFIERS, *REQUIRED_COLUMNS)

# The tutorial's 11 inputs, in its order: one-hot Geography without France, then the rest.
FEATURE_NAMES = (
    "Geography_Germany", "Geography_Spain", "CreditScore", "Gender", "Age", "Tenure",
    "Balance", "NumOfProducts", "HasCrCard", "IsActiveMember", "EstimatedSalary",
)

MIN_ROWS = 50  # below this an 80/20 split leaves a test set too small to mean anything
MAX_ROWS = 1_000_000
MAX_COLUMNS = 200
MAX_BYTES = 50 * 1024 * 1024


class ChurnDataError(UserError):
    """A file that cannot be used as churn data; the message is meant for the student (a page shows
    `error.translate(_)`: the quoted cells, columns and counts stay as they are)."""


# --------------------------------------------------------------------------------------
# Loading and validating a CSV
# --------------------------------------------------------------------------------------


def _read_bytes(path_or_file) -> bytes:
    if isinstance(path_or_file, (str, os.PathLike)):
        path = Path(path_or_file)
        if not path.is_file():
            raise ChurnDataError(N_("There is no file at {path}."), path=path)
        if path.stat().st_size > MAX_BYTES:
            raise ChurnDataError(N_("The file is {size} MB; a churn CSV is well under 1 MB."),
                                 size=f"{path.stat().st_size / 1e6:.0f}")
        return path.read_bytes()
    if isinstance(path_or_file, (bytes, bytearray)):
        return bytes(path_or_file)
    if hasattr(path_or_file, "getvalue"):
        data = path_or_file.getvalue()
    elif hasattr(path_or_file, "read"):
        data = path_or_file.read()
    else:
        raise ChurnDataError(N_("Expected a file path or an uploaded file."))
    if isinstance(data, str):
        data = data.encode("utf-8")
    if len(data) > MAX_BYTES:
        raise ChurnDataError(N_("The file is {size} MB; a churn CSV is well under 1 MB."), size=f"{len(data) / 1e6:.0f}")
    return data


def _decode(data: bytes) -> str:
    if not data.strip():
        raise ChurnDataError(N_("The file is empty: it has no header row and no data."))
    sample = data[:65536]
    printable = sum(32 <= byte < 127 or byte in (9, 10, 13) or byte >= 128 for byte in sample)
    if b"\x00" in sample or printable < 0.95 * len(sample):
        raise ChurnDataError(
            N_("This does not look like a CSV text file (it contains binary data). "
               "Upload the churn data saved as comma-separated text (.csv).")
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("latin-1")  # spreadsheets on Windows often save names in Latin-1


def _check_header(text: str) -> None:
    header = text.lstrip().splitlines()[0]
    if header.count(",") >= MAX_COLUMNS:
        raise ChurnDataError(N_("The header has {count} columns; the churn data has 14. Is this the right file?"),
                             count=f"{header.count(',') + 1:,}")
    if "," not in header:
        for delimiter, name in ((";", N_("semicolons")), ("\t", N_("tabs")), ("|", N_("vertical bars"))):
            if header.count(delimiter) >= 3:
                raise ChurnDataError(
                    N_("The columns are separated by {separator}, not commas. Save the file as "
                       "comma-separated values (CSV, with ',' between columns) and upload it again."),
                    separator=Message(name),
                )


def _parse(text: str) -> pd.DataFrame:
    try:
        frame = pd.read_csv(
            io.StringIO(text), dtype=str, keep_default_na=False, skipinitialspace=True,
            nrows=MAX_ROWS + 1,
        )
    except pd.errors.ParserError as error:
        raise ChurnDataError(N_("The file is not a well-formed CSV: {error}"), error=error) from None
    except pd.errors.EmptyDataError:
        raise ChurnDataError(N_("The file is empty: it has no header row and no data.")) from None
    frame.columns = [str(column).strip() for column in frame.columns]
    return frame


def _cell(index: int, column: str, value: str) -> dict:
    """The fields naming data row `index` (0-based) as a student finds it: row number, line of the
    file, column, and the cell as written."""
    return dict(row=index + 1, line=index + 2, column=column, value=value)


def _validate(frame: pd.DataFrame) -> pd.DataFrame:
    if len(frame.columns) > MAX_COLUMNS:
        raise ChurnDataError(N_("The file has {count} columns; the churn data has 14."), count=f"{len(frame.columns):,}")
    missing = [column for column in REQUIRED_COLUMNS if column not in frame.columns]
    if missing:
        raise ChurnDataError(
            N_("Missing columns: {missing}. The churn data needs {required} (extra columns are fine).")
            if len(missing) > 1 else
            N_("Missing column: {missing}. The churn data needs {required} (extra columns are fine)."),
            missing=", ".join(missing), required=", ".join(REQUIRED_COLUMNS),
        )
    if len(frame) == 0:
        raise ChurnDataError(N_("The file has a header row but no data rows."))
    if len(frame) > MAX_ROWS:
        raise ChurnDataError(N_("The file has more than {count} rows; that is too many for this page."),
                             count=f"{MAX_ROWS:,}")
    if len(frame) < MIN_ROWS:
        raise ChurnDataError(
            N_("The file has only {count} data rows; at least {least} are needed to split them into a training "
               "and a test set."), count=len(frame), least=MIN_ROWS,
        )
    clean = _clean_columns(frame, REQUIRED_COLUMNS)
    target = clean[TARGET]
    if target.nunique() < 2:
        raise ChurnDataError(
            N_("Every customer in the file stayed (Exited = 0). A classifier needs examples of both classes.")
            if int(target.iloc[0]) == 0 else
            N_("Every customer in the file left (Exited = 1). A classifier needs examples of both classes.")
        )
    for column in IDENTIFIERS:
        if column in frame.columns:
            clean.insert(IDENTIFIERS.index(column), column, frame[column].to_numpy())
    return clean[[column for column in ALL_COLUMNS if column in clean.columns]]


def _clean_columns(frame: pd.DataFrame, columns) -> pd.DataFrame:
    """Check every cell of `columns` (blank, type, range, category) and return them typed."""
    clean = {}
    for column in columns:
        cells = frame[column].astype(str).str.strip()
        blank = cells.eq("") | cells.str.lower().isin(["nan", "na", "n/a", "null", "none"])
        if blank.any():
            index = int(np.flatnonzero(blank.to_numpy())[0])
            raise ChurnDataError(
                N_("Row {row} (line {line} of the file): the '{column}' cell is empty. "
                   "Every customer needs a value in every column ({count} empty in this column)."),
                **_cell(index, column, ""), count=int(blank.sum()),
            )
        if column in CATEGORY_COLUMNS:
            allowed = CATEGORY_COLUMNS[column]
            canonical = {name.lower(): name for name in allowed}
            mapped = cells.str.lower().map(canonical)
            unknown = mapped.isna()
            if unknown.any():
                index = int(np.flatnonzero(unknown.to_numpy())[0])
                raise ChurnDataError(
                    N_("Row {row} (line {line} of the file), column '{column}': '{value}' is not one of {allowed}."),
                    **_cell(index, column, cells.iloc[index]), allowed=", ".join(allowed),
                )
            clean[column] = mapped.astype(str)
            continue
        kind, low, high = NUMERIC_COLUMNS[column]
        values = pd.to_numeric(cells, errors="coerce")
        not_number = values.isna() | ~np.isfinite(values.to_numpy(dtype=float, na_value=np.nan))
        if not_number.any():
            index = int(np.flatnonzero(not_number.to_numpy())[0])
            raise ChurnDataError(N_("Row {row} (line {line} of the file), column '{column}': '{value}' is not a number."),
                                 **_cell(index, column, cells.iloc[index]))
        values = values.astype(float)
        if kind in ("int", "binary"):
            fractional = values.ne(np.round(values))
            if fractional.any():
                index = int(np.flatnonzero(fractional.to_numpy())[0])
                raise ChurnDataError(
                    N_("Row {row} (line {line} of the file), column '{column}': {value} should be a whole number."),
                    **_cell(index, column, cells.iloc[index]),
                )
        outside = (values < low) | (values > high)
        if outside.any():
            index = int(np.flatnonzero(outside.to_numpy())[0])
            if column == TARGET:
                rule = N_("Row {row} (line {line} of the file), column '{column}': {value} must be 0 (stayed) "
                          "or 1 (left the bank).")
            elif kind == "binary":
                rule = N_("Row {row} (line {line} of the file), column '{column}': {value} must be 0 or 1.")
            else:
                rule = N_("Row {row} (line {line} of the file), column '{column}': {value} must be between "
                          "{low} and {high}.")
            raise ChurnDataError(rule, **_cell(index, column, cells.iloc[index]), low=f"{low:g}", high=f"{high:g}")
        clean[column] = values.astype("int64") if kind in ("int", "binary") else values
    return pd.DataFrame(clean)


def load_churn_csv(path_or_file) -> pd.DataFrame:
    """Read and check a bank-churn CSV (a path, bytes, or an uploaded file object).

    Returns a DataFrame with the required columns typed (and the identifier columns if
    present). Raises ChurnDataError, naming the row and column at fault, for anything the
    network could not learn from.
    """
    text = _decode(_read_bytes(path_or_file))
    _check_header(text)
    return _validate(_parse(text))


# --------------------------------------------------------------------------------------
# Synthetic data with the real set's statistics (shared/data/README.md)
# --------------------------------------------------------------------------------------

# Churn rates the generator is calibrated to: group rates measured on the public data set
# (shared/data/README.md), plus its age-band x activity table (aggregates, not rows): in the
# real data an inactive customer in their 50s or 60s almost always leaves, an active one
# rarely does. That interaction is much of what a hidden layer can learn beyond a linear model.
TARGET_RATES = {
    "overall": 0.2037,
    "age_activity": {  # (age band, IsActiveMember) -> churn rate; bands 70+ pooled
        (10, 0): 0.06, (10, 1): 0.06,
        (20, 0): 0.10, (20, 1): 0.05,
        (30, 0): 0.14, (30, 1): 0.08,
        (40, 0): 0.38, (40, 1): 0.23,
        (50, 0): 0.81, (50, 1): 0.37,
        (60, 0): 0.91, (60, 1): 0.16,
        (70, 0): 0.53, (70, 1): 0.04,
    },
    "Geography": {"France": 0.162, "Germany": 0.324, "Spain": 0.167},
    "Gender": {"Female": 0.251, "Male": 0.165},
    "NumOfProducts": {1: 0.277, 2: 0.076, 3: 0.827, 4: 0.99},
    "has_balance": {False: 0.138, True: 0.241},  # zero balance vs not
}
# Share of active members by age band, solved from the band's churn rate and the two rates
# above (older customers are mostly active in the real data); 51.5 % active overall.
ACTIVE_SHARE_BY_AGE = {10: 0.52, 20: 0.44, 30: 0.53, 40: 0.49, 50: 0.60, 60: 0.77, 70: 0.89}
_SURNAME_PARTS = (
    ("Ash", "Bel", "Car", "Dun", "El", "Fair", "Gar", "Hol", "Ing", "Kel", "Lan", "Mor", "Nor", "Oak",
     "Pem", "Ros", "Sal", "Tal", "Wat", "Yar", "Chen", "Ngu", "Rossi", "Ivan", "Okon"),
    ("ford", "ley", "ton", "wood", "ridge", "worth", "by", "mont", "field", "more", "son", "er", "i", "ova", "ko"),
)


def _logit(p):
    p = np.clip(p, 1e-6, 1 - 1e-6)
    return np.log(p / (1 - p))


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def _age_band(age: np.ndarray) -> np.ndarray:
    return np.minimum(age // 10 * 10, 90)


def synthetic_churn(n_rows: int = 10_000, seed: int = 0) -> pd.DataFrame:
    """A made-up bank-churn table with the real data set's schema and statistics.

    Features are drawn from distributions fitted to the published facts; churn is drawn
    from a logistic model whose effects (age band x activity, country, gender, product
    count, zero balance) are calibrated by iterative proportional fitting so that the churn rate of
    every group matches the real one. Age and product count act non-monotonically, as in
    the real data, so a hidden layer helps.
    """
    if n_rows < 1:
        raise ValueError("n_rows must be at least 1")
    rng = np.random.default_rng(seed)
    n = n_rows

    geography = rng.choice(GEOGRAPHIES, size=n, p=[0.5014, 0.2509, 0.2477])
    gender = rng.choice(GENDERS, size=n, p=[0.4543, 0.5457])
    # Age: lognormal fitted to mean 38.9 and sd 10.5 (right-skewed, like the real one).
    sigma = np.sqrt(np.log(1 + (10.5 / 38.9) ** 2))
    age = np.clip(np.round(rng.lognormal(np.log(38.9) - sigma**2 / 2, sigma, n)), 18, 92).astype(int)
    credit = np.clip(np.round(rng.normal(650.5, 96.7, n)), 350, 850).astype(int)
    tenure = rng.integers(0, 11, n)
    # Balance: 36 % exactly zero (none of them in Germany, as in the real data), else ~N(119.8k, 30.1k).
    zero_share = np.where(geography == "Germany", 0.0, 0.3617 / (1 - 0.2509))
    balance = np.clip(rng.normal(119_800, 30_100, n), 3_768.69, 250_898.09).round(2)
    balance[rng.random(n) < zero_share] = 0.0
    products = rng.choice([1, 2, 3, 4], size=n, p=[0.5084, 0.4590, 0.0266, 0.0060])
    has_card = (rng.random(n) < 0.706).astype(int)
    active_share = np.vectorize(ACTIVE_SHARE_BY_AGE.get)(np.minimum(_age_band(age), 70))
    active = (rng.random(n) < active_share).astype(int)
    salary = rng.uniform(11.58, 199_992.48, n).round(2)

    groups = {
        "age_activity": np.minimum(_age_band(age), 70) * 10 + active,  # e.g. 501: 50s, active
        "Geography": geography,
        "Gender": gender,
        "NumOfProducts": products,
        "has_balance": balance > 0,
    }
    # Start every effect at its target log-odds against the overall rate, then rescale each
    # factor in turn until every group's expected churn rate matches its target.
    targets = {name: TARGET_RATES[name] for name in groups}
    targets["age_activity"] = {band * 10 + act: rate for (band, act), rate in targets["age_activity"].items()}
    effects = {
        name: {level: _logit(rate) - _logit(TARGET_RATES["overall"]) for level, rate in targets[name].items()}
        for name in groups
    }
    intercept = _logit(TARGET_RATES["overall"])
    level_index = {name: {level: values == level for level in effects[name]} for name, values in groups.items()}

    def probability():
        z = np.full(n, intercept)
        for name, levels in effects.items():
            for level, mask in level_index[name].items():
                z[mask] += levels[level]
        return _sigmoid(z)

    for _ in range(25):
        for name in groups:
            p = probability()
            for level, mask in level_index[name].items():
                if mask.any():
                    effects[name][level] += _logit(targets[name][level]) - _logit(p[mask].mean())
    churn_probability = probability()
    exited = (rng.random(n) < churn_probability).astype(int)

    first, second = _SURNAME_PARTS
    surname = np.char.add(rng.choice(first, n), rng.choice(second, n))
    customer_id = 15_565_701 + rng.choice(250_000, size=n, replace=False)
    return pd.DataFrame(
        {
            "RowNumber": np.arange(1, n + 1),
            "CustomerId": customer_id,
            "Surname": surname,
            "CreditScore": credit,
            "Geography": geography,
            "Gender": gender,
            "Age": age,
            "Tenure": tenure,
            "Balance": balance,
            "NumOfProducts": products,
            "HasCrCard": has_card,
            "IsActiveMember": active,
            "EstimatedSalary": salary,
            TARGET: exited,
        }
    )


# --------------------------------------------------------------------------------------
# The tutorial's preprocessing
# --------------------------------------------------------------------------------------


def encode_features(df: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Raw (unscaled) 11-feature matrix and the 0/1 target, in FEATURE_NAMES order.

    Geography and Gender are label-encoded (alphabetical codes, like scikit-learn's
    LabelEncoder); Geography is then one-hot encoded and its first column (France) dropped,
    since it is implied by the other two (the "dummy variable trap").
    """
    geography = df["Geography"].to_numpy()
    columns = [
        (geography == "Germany").astype(float),
        (geography == "Spain").astype(float),
        df["CreditScore"].to_numpy(float),
        (df["Gender"].to_numpy() == "Male").astype(float),
        df["Age"].to_numpy(float),
        df["Tenure"].to_numpy(float),
        df["Balance"].to_numpy(float),
        df["NumOfProducts"].to_numpy(float),
        df["HasCrCard"].to_numpy(float),
        df["IsActiveMember"].to_numpy(float),
        df["EstimatedSalary"].to_numpy(float),
    ]
    return np.column_stack(columns), df[TARGET].to_numpy(dtype=np.int64)


@dataclass
class PreparedData:
    """Standardised train/test arrays; mean and scale come from the training part only."""

    x_train: np.ndarray
    x_test: np.ndarray
    y_train: np.ndarray
    y_test: np.ndarray
    mean: np.ndarray
    scale: np.ndarray
    feature_names: tuple[str, ...] = field(default=FEATURE_NAMES)

    def standardize(self, x_raw: np.ndarray) -> np.ndarray:
        """Scale raw features with the training statistics: (x - mean) / scale."""
        return ((np.asarray(x_raw, dtype=float) - self.mean) / self.scale).astype(np.float32)


def split_indices(n_rows: int, test_size: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Seeded random (train, test) row indices, test share `test_size`."""
    if not 0 < test_size < 1:
        raise ValueError("test_size must be between 0 and 1")
    order = np.random.default_rng(seed).permutation(n_rows)
    n_test = int(round(n_rows * test_size))
    return np.sort(order[n_test:]), np.sort(order[:n_test])


def prepare(df: pd.DataFrame, test_size: float = 0.2, seed: int = 0) -> PreparedData:
    """Encode, split 80/20 (seeded) and standardise with the training statistics only."""
    x_raw, y = encode_features(df)
    train, test = split_indices(len(df), test_size, seed)
    mean = x_raw[train].mean(axis=0)
    scale = x_raw[train].std(axis=0)  # population sd, as scikit-learn's StandardScaler
    scale = np.where(scale > 0, scale, 1.0)  # a constant column stays 0 instead of dividing by 0
    prepared = PreparedData(
        x_train=np.empty(0), x_test=np.empty(0), y_train=y[train].astype(np.float32),
        y_test=y[test].astype(np.float32), mean=mean, scale=scale,
    )
    prepared.x_train = prepared.standardize(x_raw[train])
    prepared.x_test = prepared.standardize(x_raw[test])
    return prepared


def validation_split(x: np.ndarray, y: np.ndarray, share: float, seed: int = 0):
    """Carve a seeded validation part out of the training data: (x_fit, y_fit, x_val, y_val).

    The test part is never passed here, so early stopping never sees it.
    """
    if not 0 <= share < 1:
        raise ValueError("the validation share must be at least 0 and below 1")
    order = np.random.default_rng(seed + 1).permutation(len(x))
    n_val = int(round(len(x) * share))
    val, fit = order[:n_val], order[n_val:]
    return x[fit], y[fit], x[val], y[val]


def encode_customer(customer: dict) -> np.ndarray:
    """One customer's raw values (a mapping with the feature columns) -> raw 11-vector.

    Checked with the same rules as an uploaded file; raises ChurnDataError.
    """
    row = {column: customer.get(column) for column in REQUIRED_COLUMNS if column != TARGET}
    missing = [column for column, value in row.items() if value is None]
    if missing:
        raise ChurnDataError(N_("Missing values: {missing}.") if len(missing) > 1 else N_("Missing value: {missing}."),
                             missing=", ".join(missing))
    checked = _clean_columns(pd.DataFrame([row]).astype(str), row).assign(**{TARGET: 0})
    return encode_features(checked)[0][0]


@dataclass(frozen=True)
class PreprocessingStep:
    title: str
    explanation: str
    preview: pd.DataFrame


def preprocessing_steps(df: pd.DataFrame, rows: int = 5, test_size: float = 0.2, seed: int = 0, _: Translate = identity):
    """The tutorial's preprocessing as a list of steps, each with a small preview table."""
    head = df.head(rows)
    inputs = head[[column for column in REQUIRED_COLUMNS if column != TARGET]]
    labelled = inputs.assign(
        Geography=inputs["Geography"].map({name: code for code, name in enumerate(GEOGRAPHIES)}),
        Gender=inputs["Gender"].map({name: code for code, name in enumerate(GENDERS)}),
    )
    x_raw, _target = encode_features(head)
    prepared = prepare(df, test_size=test_size, seed=seed)
    scaled = prepared.standardize(x_raw)
    return [
        PreprocessingStep(
            _("1. Choose the inputs"),
            _("Drop RowNumber, CustomerId and Surname: they identify a customer but say nothing about "
              "churn. Ten columns remain as inputs; Exited is the target."),
            inputs,
        ),
        PreprocessingStep(
            _("2. Label-encode the text columns"),
            _("A network multiplies numbers, so Geography becomes France=0, Germany=1, Spain=2 and "
              "Gender becomes Female=0, Male=1."),
            labelled,
        ),
        PreprocessingStep(
            _("3. One-hot encode Geography, drop the first column"),
            _("Codes 0/1/2 would pretend Spain is 'twice' Germany. One 0/1 column per country fixes that; "
              "France is dropped because it is implied when both others are 0. That makes 11 inputs."),
            pd.DataFrame(x_raw, columns=FEATURE_NAMES),
        ),
        PreprocessingStep(
            _("4. Split 80 / 20"),
            _("A seeded shuffle puts {train} customers in the training set and {test} in the test set. "
              "The test set is only used for the final score.").format(
                train=f"{len(prepared.y_train):,}", test=f"{len(prepared.y_test):,}"),
            pd.DataFrame(
                {_("part"): [_("train"), _("test")], _("customers"): [len(prepared.y_train), len(prepared.y_test)],
                 _("churn rate"): [prepared.y_train.mean(), prepared.y_test.mean()]}
            ),
        ),
        PreprocessingStep(
            _("5. Standardise"),
            _("Each input is shifted and scaled to mean 0 and standard deviation 1, using the mean and "
              "standard deviation of the training set only, so nothing leaks from the test set."),
            pd.DataFrame(scaled, columns=FEATURE_NAMES).round(3),
        ),
    ]


# --------------------------------------------------------------------------------------
# Exploring the data
# --------------------------------------------------------------------------------------

EXPLORE_COLUMNS = (
    "Age", "Geography", "Gender", "NumOfProducts", "IsActiveMember", "HasCrCard", "Tenure",
    "CreditScore", "Balance", "EstimatedSalary",
)


def _groups(values: pd.Series, column: str) -> pd.Series:
    if column == "Age":
        band = _age_band(values.to_numpy(int))
        return pd.Series([f"{b}s" for b in band], index=values.index)
    if column == "CreditScore":
        edges = [0, 500, 600, 700, 800, 10_000]
        return pd.cut(values, edges, right=False, labels=["< 500", "500-599", "600-699", "700-799", "800+"])
    if column == "Balance":
        nonzero = values > 0
        bands = pd.cut(values, [0, 50_000, 100_000, 150_000, np.inf], right=False,
                       labels=["< 50k", "50k-100k", "100k-150k", "150k+"]).astype(str)
        return bands.where(nonzero, "exactly 0")
    if column == "EstimatedSalary":
        return pd.cut(values, [0, 50_000, 100_000, 150_000, np.inf], right=False,
                      labels=["< 50k", "50k-100k", "100k-150k", "150k+"])
    return values.astype(str)


def churn_rate_by(df: pd.DataFrame, column: str) -> pd.DataFrame:
    """Customers, churned and churn rate per group of `column` (numbers are banded)."""
    if column not in EXPLORE_COLUMNS:
        raise ValueError(f"unknown column {column!r}; choose one of {', '.join(EXPLORE_COLUMNS)}")
    groups = _groups(df[column], column)
    table = (
        df.assign(group=groups)
        .groupby("group", observed=True, sort=True)[TARGET]
        .agg(customers="size", churned="sum")
        .reset_index()
    )
    table["churn_rate"] = table["churned"] / table["customers"]
    if column == "Balance":  # zero balance first, then the bands in order
        order = ["exactly 0", "< 50k", "50k-100k", "100k-150k", "150k+"]
        table = table.set_index("group").reindex([g for g in order if g in set(table["group"])]).reset_index()
    return table
