"""playground.churn.data: the CSV checks (one test per bad input), the synthetic generator's
statistics against the real set's facts, and the tutorial's preprocessing."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from playground.churn import data
from playground.churn.data import ChurnDataError

REAL_CSV = Path(__file__).resolve().parents[2] / "shared" / "data" / "Churn_Modelling.csv"
needs_real_csv = pytest.mark.skipif(
    not REAL_CSV.exists(), reason=f"the real churn data set is not at {REAL_CSV} (only CI and dev machines have it)"
)


@pytest.fixture(scope="module")
def synthetic() -> pd.DataFrame:
    return data.synthetic_churn(10_000, seed=0)


def csv_of(frame: pd.DataFrame) -> bytes:
    return frame.to_csv(index=False).encode()


def good_frame(rows: int = 60) -> pd.DataFrame:
    return data.synthetic_churn(rows, seed=3).astype({"Exited": object, "Age": object})


def load_error(payload) -> str:
    with pytest.raises(ChurnDataError) as caught:
        data.load_churn_csv(io.BytesIO(payload) if isinstance(payload, bytes) else payload)
    return str(caught.value)


# ----------------------------------------------------------------------------- good input


def test_synthetic_file_round_trips_through_the_loader(synthetic):
    loaded = data.load_churn_csv(io.BytesIO(csv_of(synthetic)))
    assert list(loaded.columns) == list(data.ALL_COLUMNS)
    numeric = [c for c in data.REQUIRED_COLUMNS if c not in data.CATEGORY_COLUMNS]
    np.testing.assert_allclose(loaded[numeric].to_numpy(float), synthetic[numeric].to_numpy(float))
    assert (loaded["Geography"] == synthetic["Geography"]).all()


def test_extra_columns_case_and_spaces_are_accepted():
    frame = good_frame()
    frame["Notes"] = "anything"
    frame["Gender"] = frame["Gender"].str.upper()
    frame["Geography"] = " " + frame["Geography"].str.lower()
    frame = frame.drop(columns=["RowNumber", "CustomerId", "Surname"])
    loaded = data.load_churn_csv(io.BytesIO(csv_of(frame)))
    assert set(loaded["Gender"]) <= set(data.GENDERS)
    assert set(loaded["Geography"]) <= set(data.GEOGRAPHIES)
    assert "Notes" not in loaded.columns


def test_loader_accepts_a_path_and_an_uploaded_file_object(tmp_path, synthetic):
    path = tmp_path / "churn.csv"
    path.write_bytes(csv_of(synthetic.head(100)))

    class Upload:  # what st.file_uploader hands over
        def getvalue(self):
            return path.read_bytes()

    assert len(data.load_churn_csv(path)) == 100
    assert len(data.load_churn_csv(str(path))) == 100
    assert len(data.load_churn_csv(Upload())) == 100


@needs_real_csv
def test_real_file_loads_and_matches_the_published_facts():
    real = data.load_churn_csv(REAL_CSV)
    assert len(real) == 10_000
    assert int(real["Exited"].sum()) == 2_037
    assert real["Geography"].value_counts().to_dict() == {"France": 5014, "Germany": 2509, "Spain": 2477}
    assert int((real["Balance"] == 0).sum()) == 3_617


# ------------------------------------------------------------------- the bad-CSV corpus


def test_empty_file():
    assert "empty" in load_error(b"")


def test_whitespace_only_file():
    assert "empty" in load_error(b"   \n\n")


def test_header_only():
    header = ",".join(data.ALL_COLUMNS).encode() + b"\n"
    assert "header row but no data rows" in load_error(header)


def test_missing_columns_are_named():
    message = load_error(csv_of(good_frame().drop(columns=["Age", "Balance"])))
    assert "Missing columns: Age, Balance" in message


def test_text_in_a_numeric_column_names_row_and_column():
    frame = good_frame()
    frame.loc[6, "Age"] = "forty"
    message = load_error(csv_of(frame))
    assert "Row 7 (line 8 of the file)" in message and "'Age'" in message and "'forty' is not a number" in message


def test_blank_cell_names_row_and_column():
    frame = good_frame()
    frame.loc[11, "Balance"] = None
    message = load_error(csv_of(frame))
    assert "Row 12" in message and "'Balance' cell is empty" in message


def test_nan_text_counts_as_blank():
    frame = good_frame().astype({"CreditScore": object})
    frame.loc[2, "CreditScore"] = "NaN"
    assert "Row 3" in load_error(csv_of(frame))


def test_negative_age():
    frame = good_frame()
    frame.loc[4, "Age"] = -3
    message = load_error(csv_of(frame))
    assert "Row 5" in message and "'Age': -3 must be between 0 and 120" in message


def test_credit_score_outside_300_900():
    frame = good_frame()
    frame.loc[0, "CreditScore"] = 1200
    message = load_error(csv_of(frame))
    assert "Row 1" in message and "'CreditScore': 1200 must be between 300 and 900" in message


def test_fractional_count():
    frame = good_frame().astype({"NumOfProducts": float})
    frame.loc[9, "NumOfProducts"] = 1.5
    assert "'NumOfProducts': 1.5 should be a whole number" in load_error(csv_of(frame))


def test_unknown_geography():
    frame = good_frame()
    frame.loc[8, "Geography"] = "Italy"
    message = load_error(csv_of(frame))
    assert "Row 9" in message and "'Italy' is not one of France, Germany, Spain" in message


def test_unknown_gender():
    frame = good_frame()
    frame.loc[1, "Gender"] = "X"
    assert "'X' is not one of Female, Male" in load_error(csv_of(frame))


def test_target_not_zero_or_one():
    frame = good_frame()
    frame.loc[5, "Exited"] = 2
    message = load_error(csv_of(frame))
    assert "Row 6" in message and "must be 0 (stayed) or 1 (left the bank)" in message


def test_target_with_one_class_only():
    frame = good_frame()
    frame["Exited"] = 0
    assert "Every customer in the file stayed" in load_error(csv_of(frame))


def test_too_few_rows_to_split():
    message = load_error(csv_of(good_frame(12)))
    assert "only 12 data rows" in message and "at least 50" in message


def test_wrong_delimiter_semicolon():
    payload = good_frame().to_csv(index=False, sep=";").encode()
    assert "separated by semicolons" in load_error(payload)


def test_wrong_delimiter_tab():
    payload = good_frame().to_csv(index=False, sep="\t").encode()
    assert "separated by tabs" in load_error(payload)


def test_binary_garbage():
    garbage = bytes(np.random.default_rng(0).integers(0, 256, 4096, dtype=np.uint8))
    assert "binary data" in load_error(garbage)


def test_a_zip_or_spreadsheet_file_is_binary():
    assert "binary data" in load_error(b"PK\x03\x04\x14\x00\x06\x00" + b"\x00" * 200)


def test_absurd_width():
    header = ",".join(f"c{i}" for i in range(5_000))
    assert "5,000 columns" in load_error((header + "\n" + header).encode())


def test_ragged_rows():
    text = csv_of(good_frame()).decode().splitlines()
    text[3] += ",1,2,3,4,5"
    assert "not a well-formed CSV" in load_error("\n".join(text).encode())


def test_missing_file_path(tmp_path):
    assert "There is no file" in load_error(tmp_path / "nope.csv")


def test_error_is_a_value_error():
    assert issubclass(ChurnDataError, ValueError)


# ------------------------------------------------------------- synthetic data statistics

# Facts from shared/data/README.md (measured on the real file), with tolerances that leave
# room for sampling noise at 10,000 rows.


def test_synthetic_schema(synthetic):
    assert list(synthetic.columns) == list(data.ALL_COLUMNS)
    assert len(synthetic) == 10_000
    assert synthetic["CustomerId"].is_unique


def test_synthetic_marginals(synthetic):
    assert synthetic["Exited"].mean() == pytest.approx(0.2037, abs=0.01)
    assert synthetic["CreditScore"].between(350, 850).all()
    assert synthetic["CreditScore"].mean() == pytest.approx(650.5, abs=5)
    assert synthetic["CreditScore"].std() == pytest.approx(96.7, abs=5)
    assert synthetic["Age"].between(18, 92).all()
    assert synthetic["Age"].mean() == pytest.approx(38.9, abs=0.5)
    assert synthetic["Age"].std() == pytest.approx(10.5, abs=0.7)
    assert synthetic["Tenure"].between(0, 10).all() and synthetic["Tenure"].mean() == pytest.approx(5.0, abs=0.2)
    assert (synthetic["Balance"] == 0).mean() == pytest.approx(0.3617, abs=0.02)
    assert synthetic["Balance"].max() <= 250_898.09
    assert synthetic["Balance"].mean() == pytest.approx(76_486, rel=0.05)
    assert synthetic["Balance"].std() == pytest.approx(62_394, rel=0.05)
    assert synthetic["HasCrCard"].mean() == pytest.approx(0.706, abs=0.015)
    assert synthetic["IsActiveMember"].mean() == pytest.approx(0.515, abs=0.015)
    assert synthetic["EstimatedSalary"].between(11.58, 199_992.48).all()
    assert synthetic["EstimatedSalary"].mean() == pytest.approx(100_090, rel=0.03)
    counts = synthetic["NumOfProducts"].value_counts(normalize=True)
    assert counts[1] == pytest.approx(0.5084, abs=0.015) and counts[2] == pytest.approx(0.459, abs=0.015)
    assert counts[3] == pytest.approx(0.0266, abs=0.006) and counts[4] == pytest.approx(0.006, abs=0.003)
    shares = synthetic["Geography"].value_counts(normalize=True)
    assert shares["France"] == pytest.approx(0.5014, abs=0.015)
    assert shares["Germany"] == pytest.approx(0.2509, abs=0.015)
    assert (synthetic["Gender"] == "Female").mean() == pytest.approx(0.4543, abs=0.015)


def rates(frame: pd.DataFrame, column: str) -> dict[str, float]:
    table = data.churn_rate_by(frame, column)
    return dict(zip(table["group"].astype(str), table["churn_rate"]))


@pytest.mark.parametrize(
    "column, expected, tolerance",
    [
        ("Age", {"20s": 0.08, "30s": 0.11, "40s": 0.31, "50s": 0.56, "60s": 0.35}, 0.05),
        ("Geography", {"France": 0.162, "Germany": 0.324, "Spain": 0.167}, 0.025),
        ("Gender", {"Female": 0.251, "Male": 0.165}, 0.02),
        ("NumOfProducts", {"1": 0.277, "2": 0.076, "3": 0.827}, 0.05),
        ("IsActiveMember", {"0": 0.269, "1": 0.143}, 0.02),
        ("HasCrCard", {"0": 0.20, "1": 0.21}, 0.025),
        ("Tenure", {str(t): 0.20 for t in range(11)}, 0.05),
    ],
)
def test_synthetic_churn_rates_follow_the_facts(synthetic, column, expected, tolerance):
    observed = rates(synthetic, column)
    for group, rate in expected.items():
        assert observed[group] == pytest.approx(rate, abs=tolerance), (column, group, observed)


def test_synthetic_is_seeded(synthetic):
    pd.testing.assert_frame_equal(data.synthetic_churn(10_000, seed=0), synthetic)
    assert not data.synthetic_churn(500, seed=1)["Exited"].equals(data.synthetic_churn(500, seed=2)["Exited"])


# ------------------------------------------------------------------ preprocessing steps


def test_encode_features_matches_the_tutorials_eleven_columns(synthetic):
    x_raw, y = data.encode_features(synthetic)
    assert x_raw.shape == (10_000, 11) and len(data.FEATURE_NAMES) == 11
    germany, spain = x_raw[:, 0], x_raw[:, 1]
    np.testing.assert_array_equal(germany, synthetic["Geography"].eq("Germany"))
    np.testing.assert_array_equal(spain, synthetic["Geography"].eq("Spain"))
    france = synthetic["Geography"].eq("France").to_numpy()
    assert (germany[france] == 0).all() and (spain[france] == 0).all()  # France is the dropped column
    np.testing.assert_array_equal(x_raw[:, 3], synthetic["Gender"].eq("Male"))
    np.testing.assert_array_equal(x_raw[:, 4], synthetic["Age"])
    np.testing.assert_array_equal(y, synthetic["Exited"])


def test_prepare_splits_80_20_and_standardises_on_train_only(synthetic):
    prepared = data.prepare(synthetic, seed=0)
    assert prepared.x_train.shape == (8_000, 11) and prepared.x_test.shape == (2_000, 11)
    assert prepared.x_train.dtype == np.float32
    np.testing.assert_allclose(prepared.x_train.mean(axis=0), 0, atol=1e-5)
    np.testing.assert_allclose(prepared.x_train.std(axis=0), 1, atol=1e-4)
    assert np.abs(prepared.x_test.mean(axis=0)).max() > 1e-3  # test stats were not used

    x_raw, y = data.encode_features(synthetic)
    train, test = data.split_indices(len(synthetic), 0.2, 0)
    assert not set(train) & set(test) and len(set(train) | set(test)) == 10_000
    np.testing.assert_allclose(prepared.mean, x_raw[train].mean(axis=0))
    np.testing.assert_allclose(prepared.x_test, (x_raw[test] - prepared.mean) / prepared.scale, rtol=1e-5, atol=1e-5)
    np.testing.assert_array_equal(prepared.y_test, y[test])


def test_split_depends_on_seed(synthetic):
    assert not np.array_equal(data.prepare(synthetic, seed=0).y_test, data.prepare(synthetic, seed=1).y_test)


def test_validation_split_comes_from_training_part_only(synthetic):
    prepared = data.prepare(synthetic)
    x_fit, y_fit, x_val, y_val = data.validation_split(prepared.x_train, prepared.y_train, 0.25, seed=0)
    assert len(x_val) == 2_000 and len(x_fit) == 6_000
    train_rows = {row.tobytes() for row in prepared.x_train}
    assert all(row.tobytes() in train_rows for row in x_val)
    empty = data.validation_split(prepared.x_train, prepared.y_train, 0.0)
    assert len(empty[2]) == 0 and len(empty[0]) == 8_000


def test_encode_customer_matches_encode_features(synthetic):
    row = synthetic.iloc[7]
    customer = {column: row[column] for column in data.REQUIRED_COLUMNS if column != "Exited"}
    np.testing.assert_allclose(data.encode_customer(customer), data.encode_features(synthetic.iloc[[7]])[0][0])
    with pytest.raises(ChurnDataError, match="'Age': 150 must be between"):
        data.encode_customer({**customer, "Age": 150})
    with pytest.raises(ChurnDataError, match="Missing value: Tenure"):
        data.encode_customer({k: v for k, v in customer.items() if k != "Tenure"})


def test_preprocessing_steps_tell_the_story(synthetic):
    steps = data.preprocessing_steps(synthetic)
    assert [step.title[:2] for step in steps] == ["1.", "2.", "3.", "4.", "5."]
    assert list(steps[2].preview.columns) == list(data.FEATURE_NAMES)
    assert set(steps[1].preview["Gender"]) <= {0, 1}
    assert steps[3].preview["customers"].tolist() == [8_000, 2_000]


def test_churn_rate_by_counts_every_customer(synthetic):
    for column in data.EXPLORE_COLUMNS:
        table = data.churn_rate_by(synthetic, column)
        assert table["customers"].sum() == 10_000, column
        assert table["churned"].sum() == synthetic["Exited"].sum(), column
    with pytest.raises(ValueError):
        data.churn_rate_by(synthetic, "Surname")


def test_an_error_translates_its_message_and_keeps_the_quoted_cell_as_written():
    from playground.i18n import Message, translator

    frame = good_frame()
    frame.loc[4, "Geography"] = "Mars {x}"  # braces in the file must not be read as fields
    with pytest.raises(ChurnDataError) as caught:
        data.load_churn_csv(io.BytesIO(csv_of(frame)))
    english = "Row 5 (line 6 of the file), column 'Geography': 'Mars {x}' is not one of France, Germany, Spain."
    assert str(caught.value) == english
    chinese = caught.value.translate(translator("zh"))
    assert chinese == "第 5 行（文件第 6 行），'Geography' 列：'Mars {x}' 不是 France, Germany, Spain 之一。"
    assert Message("Cell {x} is odd").translate() == "Cell {x} is odd", "a text without fields is not formatted"
