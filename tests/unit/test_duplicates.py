"""duplicate_groups: rows equal up to float rounding are one vector; different words never are."""

from __future__ import annotations

import numpy as np
import pytest

from benchmark.errors import ShapeError
from benchmark.scoring.duplicates import duplicate_groups


def test_twins_rounded_apart_are_one_group_and_distinct_rows_are_not():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((2000, 64)).astype(np.float32)
    twins = {5: 1700, 40: 41, 999: 3}  # row j is row i re-rounded: a relative error of ~1e-7
    for i, j in twins.items():
        X[j] = X[i] * (1 + rng.uniform(-2e-7, 2e-7, size=64)).astype(np.float32)
    assert not (X[1700] == X[5]).all()  # not bitwise equal
    labels = duplicate_groups(X)
    for i, j in twins.items():
        assert labels[i] == labels[j] == min(i, j)
    assert (labels <= np.arange(len(X))).all()
    assert len(np.unique(labels)) == len(X) - len(twins)
    # bitwise equality only: the re-rounded twins are different rows
    assert len(np.unique(duplicate_groups(X, rel_tol=0.0))) == len(X)


def test_exact_copies_chains_and_near_but_different_rows():
    base = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]])
    step = 6e-6  # each link is within 1e-5 relative, its two ends are not: still one group (a chain)
    X = np.vstack([base, base[0], base[0] + [0, step, 0], base[0] + [0, 2 * step, 0], base[1] + [0, 0, 1e-3]])
    assert duplicate_groups(X).tolist() == [0, 1, 2, 0, 0, 0, 6]
    assert duplicate_groups(np.zeros((3, 4))).tolist() == [0, 0, 0]  # zero rows are one vector
    assert duplicate_groups(np.zeros((0, 4))).tolist() == []


def test_projection_ties_of_different_rows_are_checked_in_full():
    """Rows whose projections nearly coincide (here: equal up to a sign flip of a coordinate orthogonal to
    nothing in particular) are compared in full and kept apart."""
    rng = np.random.default_rng(1)
    X = np.repeat(rng.standard_normal((1, 16)), 500, axis=0) + rng.standard_normal((500, 16)) * 1e-3
    assert len(np.unique(duplicate_groups(X))) == 500


@pytest.mark.parametrize("bad, message", [
    (np.array([[1.0, np.nan]]), "NaN"),
    (np.zeros(3), "2-D"),
])
def test_bad_input_is_a_named_error(bad, message):
    with pytest.raises(ShapeError, match=message):
        duplicate_groups(bad)
    with pytest.raises(ShapeError, match="rel_tol"):
        duplicate_groups(np.zeros((2, 2)), rel_tol=1.5)
