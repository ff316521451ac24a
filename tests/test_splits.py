"""Tests for ecrm_methods.evaluation.splits: near-duplicate groups and leakage-safe folds."""

import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import sparse
from scipy.sparse.csgraph import connected_components
from sklearn import metrics as skm

from ecrm_methods.evaluation.splits import duplicate_report, make_splits, near_duplicate_groups

# ---------------------------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------------------------


def brute_force_groups(frame: pd.DataFrame, max_diff: int) -> np.ndarray:
    """O(n^2) reference: connected components of rows differing in <= max_diff columns."""
    codes = np.column_stack(
        [pd.factorize(frame.iloc[:, j], use_na_sentinel=True)[0] for j in range(frame.shape[1])]
    )
    n_different = (codes[:, None, :] != codes[None, :, :]).sum(axis=2)
    _, labels = connected_components(sparse.csr_matrix(n_different <= max_diff), directed=False)
    return labels


def same_partition(a: np.ndarray, b: np.ndarray) -> bool:
    return skm.adjusted_rand_score(a, b) == 1.0 and np.unique(a).size == np.unique(b).size


def ecommerce_churn_path() -> Path | None:
    data_home = os.environ.get("ECRM_DATA")
    if not data_home:
        return None
    path = Path(data_home) / "ecommerce-churn" / "E Commerce Dataset.xlsx"
    return path if path.exists() else None


# ---------------------------------------------------------------------------------------------
# duplicates
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def chain_frame() -> pd.DataFrame:
    # a ~ b (1 column), b ~ c (1 column), a and c differ in 2; e is NaN-equal to a; d unrelated
    return pd.DataFrame(
        {
            "CustomerID": [101, 102, 103, 104, 105],
            "tenure": [1.0, 1.0, 1.0, 9.0, 1.0],
            "city": ["x", "y", "y", "z", "x"],
            "orders": [3, 3, 5, 7, 3],
            "cashback": [np.nan, np.nan, np.nan, 2.5, np.nan],
        }
    )


def test_near_duplicate_chain_ends_in_one_group(chain_frame):
    groups = near_duplicate_groups(chain_frame, max_diff=1, exclude=["CustomerID"])
    assert groups.tolist() == [0, 0, 0, 1, 0]


def test_exact_duplicates_treat_nan_as_equal(chain_frame):
    groups = near_duplicate_groups(chain_frame, max_diff=0, exclude=["CustomerID"])
    assert groups[0] == groups[4]  # equal apart from the id, NaN == NaN
    assert np.unique(groups).size == 4


def test_id_column_is_not_ignored_unless_excluded(chain_frame):
    groups = near_duplicate_groups(chain_frame, max_diff=0)
    assert np.unique(groups).size == 5


def test_duplicate_report_counts(chain_frame):
    report = duplicate_report(chain_frame, exclude=["CustomerID"])
    assert report["n_rows"] == 5
    assert report["exact_duplicate_rows"] == 2  # rows 0 and 4
    assert report["near_duplicate_rows"] == 4  # all but the unrelated row
    assert report["n_groups_exact"] == 4
    assert report["n_groups_near"] == 2


@settings(max_examples=30, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    n_rows=st.integers(2, 40),
    n_columns=st.integers(1, 6),
    max_diff=st.integers(0, 3),
)
def test_near_duplicate_groups_match_brute_force(seed, n_rows, n_columns, max_diff):
    rng = np.random.default_rng(seed)
    values = rng.integers(0, 3, size=(n_rows, n_columns)).astype(float)
    values[rng.random(values.shape) < 0.1] = np.nan
    frame = pd.DataFrame(values)
    groups = near_duplicate_groups(frame, max_diff=max_diff)
    assert same_partition(groups, brute_force_groups(frame, max_diff))


def test_pigeonhole_fallback_matches_brute_force():
    # C(15, 5) = 3003 subsets is above the limit, so the block (pigeonhole) variant runs
    rng = np.random.default_rng(3)
    base = rng.integers(0, 4, size=(30, 15))
    noisy = base[rng.integers(0, 30, 90)].copy()
    mask = rng.random(noisy.shape) < 0.25
    noisy[mask] = rng.integers(0, 4, mask.sum())
    frame = pd.DataFrame(np.vstack([base, noisy]))
    groups = near_duplicate_groups(frame, max_diff=5)
    assert same_partition(groups, brute_force_groups(frame, 5))
    assert near_duplicate_groups(frame, max_diff=15).tolist() == [0] * len(frame)


def test_near_duplicate_groups_bad_input(chain_frame):
    with pytest.raises(ValueError, match="exclude names columns"):
        near_duplicate_groups(chain_frame, exclude=["customer_id"])
    with pytest.raises(ValueError, match="max_diff"):
        near_duplicate_groups(chain_frame, max_diff=-1)
    with pytest.raises(ValueError, match="2-dimensional"):
        near_duplicate_groups(np.arange(5))


def test_ecommerce_churn_duplicate_facts():
    path = ecommerce_churn_path()
    if path is None:
        pytest.skip("E Commerce churn not in the data home (set ECRM_DATA)")
    frame = pd.read_excel(path, sheet_name="E Comm")
    report = duplicate_report(frame, exclude=["CustomerID"])
    assert report["n_rows"] == 5630
    assert report["exact_duplicate_rows"] == 1112
    assert 0.86 <= report["near_duplicate_share"] <= 0.88
    groups = near_duplicate_groups(frame, max_diff=1, exclude=["CustomerID"])
    assert report["n_groups_near"] < np.unique(groups).size < report["n_groups_exact"]


# ---------------------------------------------------------------------------------------------
# splits
# ---------------------------------------------------------------------------------------------


def test_make_splits_keeps_groups_together_and_stratifies():
    rng = np.random.default_rng(0)
    groups = np.repeat(np.arange(200), rng.integers(1, 5, 200))
    y = (rng.random(groups.size) < 0.2).astype(int)
    folds = make_splits(y, groups=groups, n_folds=5, random_state=1)
    assert len(folds) == 5
    tested = np.concatenate([test for _, test in folds])
    assert np.sort(tested).tolist() == list(range(y.size))  # each row tested once
    for train, test in folds:
        assert not set(groups[train]) & set(groups[test])
        assert abs(y[test].mean() - y.mean()) < 0.06
    again = make_splits(y, groups=groups, n_folds=5, random_state=1)
    assert all(np.array_equal(a[1], b[1]) for a, b in zip(folds, again, strict=True))


def test_make_splits_without_groups():
    y = np.array([0] * 80 + [1] * 20)
    folds = make_splits(y, n_folds=5)
    assert [int(y[test].sum()) for _, test in folds] == [4] * 5  # exact stratification
    continuous = np.linspace(0, 1, 50)
    folds = make_splits(continuous, n_folds=5)
    assert sorted(len(test) for _, test in folds) == [10] * 5
    groups = np.arange(30) // 3
    folds = make_splits(None, groups=groups, n_folds=3)
    for train, test in folds:
        assert not set(groups[train]) & set(groups[test])
    assert len(make_splits(None, n_samples=12, n_folds=4)) == 4


def test_make_splits_bad_input():
    with pytest.raises(ValueError, match="length mismatch"):
        make_splits(np.zeros(10), groups=np.arange(9))
    with pytest.raises(ValueError, match="distinct groups"):
        make_splits(np.arange(10) % 2, groups=np.arange(10) // 5, n_folds=5)
    with pytest.raises(ValueError, match="n_folds"):
        make_splits(np.arange(10) % 2, n_folds=1)
    with pytest.raises(ValueError, match="needs y, groups or n_samples"):
        make_splits(None)
