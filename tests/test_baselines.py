"""Practitioner baselines: the naive value forecast, silhouette k-means, RFM quintile segments."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import make_blobs
from sklearn.utils._param_validation import InvalidParameterError
from sklearn.utils.estimator_checks import check_param_validation

from ecrm_methods.baselines import (
    NaiveValueForecaster,
    RFMQuintileSegments,
    SilhouetteKMeans,
)
from ecrm_methods.features import rfm_scores


def _summary_frame():
    return pd.DataFrame(
        {
            "frequency": [0.0, 2.0, 4.0],
            "recency": [0.0, 10.0, 20.0],
            "T": [20.0, 20.0, 40.0],
            "monetary_value": [0.0, 30.0, 10.0],
        }
    )


def test_naive_value_forecaster_by_hand():
    X = _summary_frame()
    prediction = NaiveValueForecaster(holdout_length=10).fit(X).predict(X)
    assert prediction.shape == (3, 2)
    np.testing.assert_allclose(prediction[:, 0], [0.0, 1.0, 1.0])
    np.testing.assert_allclose(prediction[:, 1], [0.0, 30.0, 10.0])


def test_value_forecasters_reject_bad_input():
    X = _summary_frame()
    with pytest.raises(ValueError, match="NaiveValueForecaster needs `holdout_length`.*got None"):
        NaiveValueForecaster().fit(X)
    with pytest.raises(
        InvalidParameterError,
        match=r"'holdout_length' parameter of NaiveValueForecaster .* range \(0.0, inf\)",
    ):
        NaiveValueForecaster(holdout_length=0).fit(X)
    with pytest.raises(ValueError, match="column names"):
        NaiveValueForecaster(holdout_length=5).fit(X.to_numpy())
    with pytest.raises(ValueError, match="monetary_value"):
        NaiveValueForecaster(holdout_length=5).fit(X.drop(columns="monetary_value"))


def test_silhouette_kmeans_finds_the_number_of_blobs_and_is_reproducible():
    X, _ = make_blobs(n_samples=300, centers=4, cluster_std=0.5, random_state=3)
    first = SilhouetteKMeans(max_clusters=7, n_init=3, random_state=0).fit(X)
    second = SilhouetteKMeans(max_clusters=7, n_init=3, random_state=0).fit(X)
    assert first.n_clusters_ == 4
    assert set(first.silhouette_by_k_) == set(range(2, 8))
    np.testing.assert_array_equal(first.labels_, second.labels_)
    np.testing.assert_array_equal(first.predict(X), first.labels_)


def test_silhouette_kmeans_rejects_bad_ranges():
    X, _ = make_blobs(n_samples=30, centers=2, random_state=0)
    with pytest.raises(ValueError, match=r"'min_clusters' parameter .* range \[2, inf\)\. Got 1"):
        SilhouetteKMeans(min_clusters=1).fit(X)
    with pytest.raises(ValueError, match="min_clusters=5 and max_clusters=3"):
        SilhouetteKMeans(min_clusters=5, max_clusters=3).fit(X)
    with pytest.raises(
        InvalidParameterError,
        match=r"The 'n_init' parameter of SilhouetteKMeans must be an int in the range \[1, inf\)\. "
        "Got 0 instead.",
    ):
        SilhouetteKMeans(n_init=0).fit(X)


def test_rfm_quintiles_scores_and_tiers():
    rng = np.random.default_rng(0)
    n = 500
    frame = pd.DataFrame(
        {
            "recency_days": rng.integers(1, 365, n).astype(float),
            "frequency": rng.integers(1, 30, n).astype(float),
            "monetary": rng.gamma(2.0, 50.0, n),
        }
    )
    model = RFMQuintileSegments().fit(frame)
    assert model.rfm_scores_.shape == (n, 3)
    assert set(np.unique(model.rfm_scores_)) == {1, 2, 3, 4, 5}
    assert set(np.unique(model.labels_)) <= {0, 1, 2, 3, 4}
    # the most recent customer gets R = 5, the least recent R = 1
    assert model.rfm_scores_[frame["recency_days"].idxmin(), 0] == 5
    assert model.rfm_scores_[frame["recency_days"].idxmax(), 0] == 1
    # rank based: the same segments on log-scaled, standardized columns
    logged = np.log1p(frame)
    scaled = (logged - logged.mean()) / logged.std()
    np.testing.assert_array_equal(RFMQuintileSegments().fit(scaled).labels_, model.labels_)
    # a better customer in every dimension is never in a lower tier
    best = (frame["recency_days"] < 30) & (frame["frequency"] > 25) & (frame["monetary"] > 150)
    worst = (frame["recency_days"] > 330) & (frame["frequency"] < 3) & (frame["monetary"] < 30)
    if best.any() and worst.any():
        assert model.labels_[best.to_numpy()].min() >= model.labels_[worst.to_numpy()].max()


def test_rfm_quintiles_names_the_missing_column():
    frame = pd.DataFrame({"recency_days": [1.0, 2.0], "frequency": [1.0, 2.0]})
    with pytest.raises(ValueError, match="monetary"):
        RFMQuintileSegments().fit(frame)


def test_rfm_quintiles_are_the_scores_of_features_rfm_scores():
    """One RFM binning: equal-frequency bins of the rank, ties split by row order."""
    rng = np.random.default_rng(1)
    n = 503  # not a multiple of 5, where ceil(rank / n * 5) would bin differently
    frame = pd.DataFrame(
        {
            "recency_days": rng.integers(1, 60, n).astype(float),  # many ties
            "frequency": rng.integers(1, 4, n).astype(float),
            "monetary": rng.gamma(2.0, 50.0, n),
        }
    )
    model = RFMQuintileSegments().fit(frame)
    expected = rfm_scores(frame, ties="split")[["r_score", "f_score", "m_score"]].to_numpy()
    np.testing.assert_array_equal(model.rfm_scores_, expected)
    # BTYD recency (higher is better) gets the reversed R score of "days since last purchase"
    btyd = frame.assign(recency_days=-frame["recency_days"])
    reversed_r = RFMQuintileSegments(recency_higher_is_better=True).fit(btyd).rfm_scores_
    np.testing.assert_array_equal(reversed_r, expected)


def test_rfm_bins_of_seven_customers_by_hand():
    # floor((rank - 1) * 3 / 7) + 1 for ranks 1..7 is 1 1 1 2 2 3 3: bins of 3, 2 and 2
    # customers (ceil(rank * 3 / 7) gave 1 1 2 2 3 3 3)
    frame = pd.DataFrame(
        {
            "recency_days": [70.0, 60.0, 50.0, 40.0, 30.0, 20.0, 10.0],
            "frequency": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0],
            "monetary": [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0],  # all tied: split by row order
        }
    )
    scores = RFMQuintileSegments(n_bins=3).fit(frame).rfm_scores_
    assert scores[:, 0].tolist() == [1, 1, 1, 2, 2, 3, 3]
    assert scores[:, 1].tolist() == [1, 1, 1, 2, 2, 3, 3]
    assert scores[:, 2].tolist() == [1, 1, 1, 2, 2, 3, 3]


def test_rfm_n_bins_is_limited_to_what_rfm_scores_supports():
    frame = pd.DataFrame(
        {"recency_days": [1.0, 2.0], "frequency": [1.0, 2.0], "monetary": [3.0, 4.0]}
    )
    for n_bins in (1, 10):
        with pytest.raises(
            InvalidParameterError, match=r"'n_bins' parameter .* range \[2, 9\]\. Got"
        ):
            RFMQuintileSegments(n_bins=n_bins).fit(frame)


@pytest.mark.parametrize(
    "estimator",
    [NaiveValueForecaster(holdout_length=5), SilhouetteKMeans(n_init=1), RFMQuintileSegments()],
    ids=lambda estimator: type(estimator).__name__,
)
def test_parameter_constraints_cover_every_parameter(estimator):
    """scikit-learn's own check: a constraint per parameter, and its message on bad values."""
    check_param_validation(type(estimator).__name__, estimator)
