"""Data sets, features, CSV in and out (the command line: test_boundary_cli.py)."""

from __future__ import annotations

import numpy as np
import pytest

from playground.boundary import datasets, features


@pytest.mark.parametrize("name", datasets.names())
def test_every_data_set_is_seeded_sized_and_inside_the_view(name):
    a = datasets.generate(name, 300, 0.3, seed=5)
    b = datasets.generate(name, 300, 0.3, seed=5)
    c = datasets.generate(name, 300, 0.3, seed=6)
    np.testing.assert_array_equal(a.xy, b.xy)
    assert not np.array_equal(a.xy, c.xy)
    assert a.xy.shape == (300, 2) and np.abs(a.xy).max() <= datasets.VIEW
    if a.classes:
        assert set(np.unique(a.labels)) == set(range(a.classes)), "every class is present"
    else:
        assert np.abs(a.labels).max() <= 1.0 and a.labels.std() > 0.1


def test_noise_flips_labels_near_the_boundary():
    clean, noisy = datasets.generate("xor", 1000, 0.0), datasets.generate("xor", 1000, 0.5)
    assert np.all((clean.xy[:, 0] * clean.xy[:, 1] >= 0) == (clean.labels == 1))
    wrong = np.mean((noisy.xy[:, 0] * noisy.xy[:, 1] >= 0) != (noisy.labels == 1))
    assert 0.1 < wrong < 0.5


@pytest.mark.parametrize("points, noise, message", [(50, 0, "between 100"), (500, 0.7, "Noise"), (3000, 0, "2,000")])
def test_out_of_range_settings_are_clear_errors(points, noise, message):
    with pytest.raises(datasets.DataError, match=message):
        datasets.generate("circle", points, noise)


def test_split_is_seeded_and_respects_the_share():
    points = datasets.generate("circle", 500)
    train, test = datasets.split(points, 0.3, seed=1)
    assert len(train) == 150 and len(test) == 350 and not set(train) & set(test)
    np.testing.assert_array_equal(train, datasets.split(points, 0.3, seed=1)[0])


def test_features_follow_the_registry():
    xy = np.array([[1.0, 2.0], [-0.5, 3.0]])
    columns = features.matrix(xy, ["sin2", "x1", "x1x2"])  # any order in, registry order out
    np.testing.assert_allclose(columns, np.column_stack([xy[:, 0], xy[:, 0] * xy[:, 1], np.sin(xy[:, 1])]))
    with pytest.raises(ValueError, match="Unknown feature"):
        features.matrix(xy, ["x3"])


def test_csv_round_trip_keeps_points_and_classes():
    points = datasets.generate("blobs3", 200, 0.1, seed=2)
    again = datasets.parse_csv(datasets.to_csv(points).encode())
    assert again.classes == 3
    np.testing.assert_array_equal(again.labels, points.labels)
    # Loaded points are centred and scaled into the view, keeping their shape.
    assert np.abs(again.xy).max() <= datasets.VIEW
    np.testing.assert_allclose(np.corrcoef(again.xy.T), np.corrcoef(points.xy.T), atol=1e-5)


def test_csv_labels_choose_the_task_and_any_range_is_scaled():
    two = datasets.parse_csv(b"x1,x2,label\n100,200,-1\n300,400,1\n")
    assert two.classes == 2 and list(two.labels) == [0.0, 1.0] and np.abs(two.xy).max() <= 6
    regression = datasets.parse_csv(b"x2,label,x1\n0,2.5,0\n1,-5,1\n2,0.5,3\n")
    assert regression.classes == 0 and regression.labels.min() == -1.0


@pytest.mark.parametrize("content, expected", [
    (b"", "empty"),
    (b"a,b,c\n1,2,3\n", "Missing columns x1, x2, label"),
    (b"x1;x2;label\n1;2;0\n", "semicolons"),
    (b"x1,x2,label\n", "no points"),
    (b"x1,x2,label\n1,2,0\n1,two,1\n", "row 2 (line 3 of the file), column x2 is 'two'"),
    (b"x1,x2,label\n1,2,0\n3,4,\n", "row 2 (line 3 of the file), column label is empty"),
    (b"x1,x2,label\n1,2,0\n3,4\n", "row 2 (line 3 of the file) has 2 values"),
    (b"x1,x2,label\n1,inf,0\n3,4,1\n", "row 1 (line 2 of the file), column x2"),
    (b"x1,x2,label\n1,2,0\n", "only one point"),
    (b"\x89PNG\r\n\x1a\n\x00\x00", "binary"),
])
def test_bad_csv_gets_one_clear_message(content, expected):
    with pytest.raises(datasets.DataError) as error:
        datasets.parse_csv(content)
    assert expected in str(error.value)

