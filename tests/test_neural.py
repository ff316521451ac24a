"""Tests of the neural family: torch MLPs, the self-organizing map, SOM clustering, text path.

The scikit-learn estimator checks of these estimators run in ``tests/test_common.py``.
"""

import pickle

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from sklearn.datasets import make_blobs
from sklearn.metrics import adjusted_rand_score, balanced_accuracy_score
from sklearn.utils._param_validation import InvalidParameterError
from sklearn.utils.estimator_checks import check_param_validation

from ecrm_methods.neural import (
    SelfOrganizingMap,
    SOMClustering,
    TorchMLPClassifier,
    TorchMLPRegressor,
    make_text_mlp_classifier,
    resolve_device,
)


@pytest.fixture(autouse=True, scope="module")
def _one_torch_thread():
    """Tiny networks run ~20x slower when two pytest workers each spin two torch threads
    on a 2-core machine; use one thread while this module runs, then restore."""
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)


def _fast_mlp_classifier(**params):
    defaults = dict(hidden_layer_sizes=(16,), max_epochs=30, learning_rate=0.02, random_state=0)
    return TorchMLPClassifier(**{**defaults, **params})


def _fast_mlp_regressor(**params):
    defaults = dict(hidden_layer_sizes=(16,), max_epochs=30, learning_rate=0.02, random_state=0)
    return TorchMLPRegressor(**{**defaults, **params})


# ----------------------------------------------------------------------------- data
def _xor_data(n=400, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.uniform(-1, 1, size=(n, 2))
    return X, (X[:, 0] * X[:, 1] > 0).astype(int)


def _grid_points(side=20):
    axis = np.linspace(0.0, 1.0, side)
    return np.stack(np.meshgrid(axis, axis), axis=-1).reshape(-1, 2)


# ------------------------------------------------------------------------------ MLP
def test_classifier_learns_xor_to_95_percent():
    X, y = _xor_data()
    X_test, y_test = _xor_data(seed=1)
    model = _fast_mlp_classifier(hidden_layer_sizes=(32,), max_epochs=100).fit(X, y)
    assert (model.predict(X_test) == y_test).mean() >= 0.95
    proba = model.predict_proba(X_test)
    assert proba.dtype == np.float64 and proba.shape == (len(X_test), 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert len(model.loss_curve_) == model.n_epochs_ == 100
    assert model.loss_curve_[-1] < model.loss_curve_[0]
    assert model.validation_scores_ is None


def test_regressor_learns_sine_to_r2_095():
    rng = np.random.RandomState(0)
    X = rng.uniform(-np.pi, np.pi, size=(500, 1))
    y = np.sin(X[:, 0])
    model = _fast_mlp_regressor(hidden_layer_sizes=(32, 32), max_epochs=150).fit(X, y)
    X_test = np.linspace(-3, 3, 101)[:, None]
    assert model.score(X_test, np.sin(X_test[:, 0])) >= 0.95
    assert model.predict(X_test).shape == (101,)


def test_regressor_two_targets_on_different_scales():
    rng = np.random.RandomState(1)
    X = rng.normal(size=(300, 3))
    y = np.column_stack([2 * X[:, 0] + 1, 1000 * X[:, 1] ** 2 + 5000])
    model = _fast_mlp_regressor(hidden_layer_sizes=(32,), max_epochs=150).fit(X, y)
    predicted = model.predict(X)
    assert predicted.shape == (300, 2) and model.n_outputs_ == 2
    for column in range(2):  # each target is learned on its own scale
        residual = ((y[:, column] - predicted[:, column]) ** 2).sum()
        assert 1 - residual / ((y[:, column] - y[:, column].mean()) ** 2).sum() > 0.9


@pytest.mark.parametrize("estimator_factory", [_fast_mlp_classifier, _fast_mlp_regressor])
def test_same_seed_same_model_and_global_rng_untouched(estimator_factory):
    X, y = _xor_data(200)
    params = dict(dropout=0.2, early_stopping=True, patience=3, batch_size=32)
    torch.manual_seed(123)
    state_before = torch.get_rng_state()
    first = estimator_factory(**params).fit(X, y)
    assert torch.equal(torch.get_rng_state(), state_before)
    second = estimator_factory(**params).fit(X, y)
    other_seed = estimator_factory(random_state=1, **params).fit(X, y)
    assert first.loss_curve_ == second.loss_curve_
    for a, b in zip(first.network_.parameters(), second.network_.parameters(), strict=True):
        assert torch.equal(a, b)
    assert first.loss_curve_ != other_seed.loss_curve_


def test_early_stopping_restores_best_epoch():
    X, y = _xor_data(300)
    model = _fast_mlp_classifier(
        early_stopping=True, patience=2, max_epochs=200, learning_rate=0.05
    ).fit(X, y)
    assert len(model.validation_scores_) == model.n_epochs_ == len(model.loss_curve_)
    assert model.n_epochs_ < 200
    assert model.best_validation_score_ == max(model.validation_scores_)
    assert model.validation_scores_[model.best_epoch_ - 1] == model.best_validation_score_


def test_balanced_class_weight_raises_minority_recall():
    X, y = make_blobs(n_samples=[950, 50], centers=[[0, 0], [1.2, 1.2]], random_state=0)
    plain = _fast_mlp_classifier(max_epochs=20).fit(X, y)
    balanced = _fast_mlp_classifier(max_epochs=20, class_weight="balanced").fit(X, y)
    assert balanced_accuracy_score(y, balanced.predict(X)) > balanced_accuracy_score(
        y, plain.predict(X)
    )
    assert (balanced.predict(X) == 1).sum() > (plain.predict(X) == 1).sum()


def test_sparse_and_dense_input_give_the_same_model():
    X, y = _xor_data(150)
    dense = _fast_mlp_classifier(max_epochs=5).fit(X, y)
    sparse = _fast_mlp_classifier(max_epochs=5).fit(sp.csr_matrix(X), y)
    np.testing.assert_allclose(dense.predict_proba(X), sparse.predict_proba(sp.csr_matrix(X)))


def test_float64_input_is_cast_to_float32_and_model_pickles():
    X, y = _xor_data(100)
    model = _fast_mlp_classifier(max_epochs=3).fit(X.astype(np.float64), y)
    assert all(p.dtype == torch.float32 for p in model.network_.parameters())
    restored = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(restored.predict_proba(X), model.predict_proba(X))


def test_string_labels_and_dataframe_feature_names():
    X, y = _xor_data(200)
    frame = pd.DataFrame(X, columns=["recency", "frequency"])
    labels = np.where(y == 1, "churned", "retained")
    model = _fast_mlp_classifier(max_epochs=5).fit(frame, labels)
    assert set(model.predict(frame)) <= {"churned", "retained"}
    assert list(model.feature_names_in_) == ["recency", "frequency"]


def test_verbose_shows_a_progress_bar(capsys):
    X, y = _xor_data(50)
    _fast_mlp_classifier(max_epochs=2, verbose=1).fit(X, y)
    assert "TorchMLPClassifier" in capsys.readouterr().err
    _fast_mlp_classifier(max_epochs=2, verbose=0).fit(X, y)
    assert capsys.readouterr().err == ""


@settings(max_examples=25, deadline=None)
@given(arrays(np.float64, (12, 3), elements=st.floats(-1e3, 1e3)))
def test_probabilities_are_a_distribution_for_any_finite_input(X_new):
    X, y = make_blobs(n_samples=60, centers=3, n_features=3, random_state=0)
    model = _MODEL_CACHE.setdefault("blobs", _fast_mlp_classifier(max_epochs=5).fit(X, y))
    proba = model.predict_proba(X_new)
    assert np.all(proba >= 0) and np.all(np.isfinite(proba))
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)


_MODEL_CACHE: dict = {}


# ---------------------------------------------------------------------- bad input
def test_nan_in_features_is_a_clear_error():
    X, y = _xor_data(50)
    X[3, 1] = np.nan
    with pytest.raises(ValueError, match="Input X contains NaN"):
        _fast_mlp_classifier().fit(X, y)


def test_single_class_is_a_clear_error():
    X, _ = _xor_data(50)
    with pytest.raises(ValueError, match="at least 2 classes in y, got 1 class"):
        _fast_mlp_classifier().fit(X, np.ones(50))


def test_wrong_number_of_features_at_predict_is_a_clear_error():
    X, y = _xor_data(50)
    model = _fast_mlp_classifier(max_epochs=2).fit(X, y)
    with pytest.raises(ValueError, match="X has 3 features, but TorchMLPClassifier is expecting 2"):
        model.predict_proba(np.zeros((4, 3)))


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"hidden_layer_sizes": (8, 0)}, "hidden_layer_sizes must be"),
        ({"hidden_layer_sizes": 0}, "'hidden_layer_sizes' parameter of TorchMLPClassifier"),
        ({"activation": "swish"}, "'activation' parameter of TorchMLPClassifier must be a str"),
        ({"dropout": 1.0}, r"'dropout' parameter of TorchMLPClassifier .* range \[0.0, 1.0\)"),
        ({"learning_rate": 0}, r"'learning_rate' parameter .* range \(0.0, inf\)\. Got 0"),
        ({"batch_size": 0}, "'batch_size' parameter of TorchMLPClassifier"),
        ({"max_epochs": 2.5}, r"'max_epochs' parameter .* an int in the range \[1, inf\)"),
        ({"class_weight": "inverse"}, "'class_weight' parameter of TorchMLPClassifier"),
        ({"class_weight": {0: 1, 7: 2}}, "class_weight has keys"),
        ({"device": "tpu"}, "device must be 'cpu', 'cuda' or 'auto'"),
    ],
)
def test_bad_parameters_name_the_parameter(params, message):
    X, y = _xor_data(40)
    with pytest.raises(ValueError, match=message):
        _fast_mlp_classifier(**params).fit(X, y)


@pytest.mark.parametrize(
    "estimator",
    [
        _fast_mlp_classifier(),
        _fast_mlp_regressor(),
        SelfOrganizingMap(n_rows=3, n_cols=3, n_epochs=1),
        SOMClustering(n_clusters=2, n_rows=3, n_cols=3, n_epochs=1),
    ],
    ids=lambda estimator: type(estimator).__name__,
)
def test_parameter_constraints_cover_every_parameter(estimator):
    """scikit-learn's own check: a constraint per parameter, and its message on bad values."""
    check_param_validation(type(estimator).__name__, estimator)


def test_invalid_parameter_error_is_a_value_and_a_type_error():
    X, y = _xor_data(40)
    with pytest.raises(InvalidParameterError, match="'patience' parameter"):
        _fast_mlp_classifier(patience=0).fit(X, y)
    with pytest.raises(TypeError, match="'device' parameter of SelfOrganizingMap"):
        SelfOrganizingMap(device=0).fit(X)


def test_device_strings_beyond_the_three_options_stay_valid():
    """``device`` is type-checked by the constraints and resolved in fit: "CPU" still works."""
    X, y = _xor_data(40)
    assert _fast_mlp_classifier(device="CPU", max_epochs=1).fit(X, y).device_.type == "cpu"
    som = SelfOrganizingMap(2, 2, n_epochs=1, device=torch.device("cpu"), random_state=0).fit(X)
    assert som.weights_.shape == (2, 2, 2)


def test_device_auto_resolves_to_cpu_without_cuda(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert resolve_device("auto") == torch.device("cpu")
    X, y = _xor_data(40)
    model = _fast_mlp_classifier(device="auto", max_epochs=2).fit(X, y)
    assert model.device_ == torch.device("cpu")


def test_device_cuda_without_cuda_is_a_clear_error(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    X, y = _xor_data(40)
    with pytest.raises(ValueError, match="CUDA is not available.*use device='cpu'"):
        _fast_mlp_classifier(device="cuda").fit(X, y)
    with pytest.raises(ValueError, match="CUDA is not available"):
        SelfOrganizingMap(device="cuda:0").fit(X)
    with pytest.raises(TypeError, match="device must be"):
        resolve_device(0)


# ------------------------------------------------------------------------------ SOM
@pytest.mark.parametrize("topology", ["rectangular", "hexagonal"])
def test_som_preserves_the_topology_of_a_regular_grid(topology):
    X = _grid_points(20)
    som = SelfOrganizingMap(8, 8, topology=topology, n_epochs=20, random_state=0).fit(X)
    assert som.topographic_error_ < 0.05
    assert som.quantization_error_ < 0.5 / 7  # under half the spacing of an 8x8 grid
    assert som.weights_.shape == (8, 8, 2)
    assert som.quantization_error(X) == pytest.approx(som.quantization_error_)
    assert som.topographic_error(X) == pytest.approx(som.topographic_error_)


def test_som_neighbourhoods_of_the_two_topologies():
    X = _grid_points(10)
    rectangular = SelfOrganizingMap(5, 5, n_epochs=1, random_state=0).fit(X)
    hexagonal = SelfOrganizingMap(5, 5, topology="hexagonal", n_epochs=1, random_state=0).fit(X)
    centre = 2 * 5 + 2
    assert rectangular._adjacency[centre].sum() == 8
    assert hexagonal._adjacency[centre].sum() == 6
    assert rectangular._adjacency[0].sum() == 3  # a corner


def test_som_transform_predict_and_u_matrix():
    X, _ = make_blobs(n_samples=300, centers=[[0, 0, 0], [20, 20, 20]], random_state=0)
    som = SelfOrganizingMap(6, 6, n_epochs=10, random_state=0).fit(X)
    distances = som.transform(X)
    assert distances.shape == (300, 36) and np.all(distances >= 0)
    np.testing.assert_array_equal(som.predict(X), distances.argmin(axis=1))
    np.testing.assert_array_equal(som.labels_, som.predict(X))
    u_matrix = som.u_matrix()
    assert u_matrix.shape == (6, 6) and np.all(u_matrix >= 0)
    # the border between two far-apart blobs shows as the largest U-matrix values
    assert u_matrix.max() > 3 * np.median(u_matrix)
    assert list(som.get_feature_names_out()) == [f"selforganizingmap{i}" for i in range(36)]


def test_som_is_deterministic_and_seed_matters():
    X, _ = make_blobs(n_samples=200, centers=3, random_state=0)
    make = lambda seed: SelfOrganizingMap(5, 5, init="random", n_epochs=3, random_state=seed)  # noqa: E731
    np.testing.assert_array_equal(make(0).fit(X).weights_, make(0).fit(X).weights_)
    assert not np.array_equal(make(0).fit(X).weights_, make(1).fit(X).weights_)


def test_som_torch_update_path_matches_the_numpy_path():
    """The torch updates (used with device="cuda") agree with the numpy CPU updates."""
    from ecrm_methods.neural.som import _train_codebook_numpy, _train_codebook_torch

    X = _grid_points(12).astype(np.float32)
    rng = np.random.RandomState(0)
    initial = X[rng.randint(len(X), size=16)]
    positions = np.array([(r, c) for r in range(4) for c in range(4)], dtype=np.float32)
    grid_sq_distance = ((positions[:, None] - positions[None]) ** 2).sum(-1)
    orders = [rng.permutation(len(X)) for _ in range(3)]
    settings_ = dict(sigma0=1.5, learning_rate=0.5, total_presentations=3 * len(X), batch_size=32)
    with_numpy = _train_codebook_numpy(X, initial, grid_sq_distance, orders, **settings_)
    with_torch = _train_codebook_torch(
        X, initial, grid_sq_distance, orders, device=torch.device("cpu"), **settings_
    )
    np.testing.assert_allclose(with_torch, with_numpy, atol=1e-4)


def test_som_bad_parameters_name_the_parameter():
    X = _grid_points(5)
    with pytest.raises(ValueError, match="'topology' parameter of SelfOrganizingMap must be a str"):
        SelfOrganizingMap(topology="toroid").fit(X)
    with pytest.raises(ValueError, match="'init' parameter of SelfOrganizingMap must be a str"):
        SelfOrganizingMap(init="zeros").fit(X)
    with pytest.raises(ValueError, match=r"'learning_rate' parameter .* range \(0.0, 1.0\]"):
        SelfOrganizingMap(learning_rate=2).fit(X)
    with pytest.raises(ValueError, match="Input X contains NaN"):
        SelfOrganizingMap().fit(np.array([[0.0, np.nan], [1.0, 1.0]]))


# ------------------------------------------------------------------- SOM clustering
@pytest.mark.parametrize("codebook_clustering", ["ward", "kmeans"])
def test_som_clustering_recovers_separated_segments(codebook_clustering):
    X, y = make_blobs(n_samples=[300, 200, 100], centers=[[0, 0], [8, 0], [0, 8]], random_state=0)
    model = SOMClustering(
        n_clusters=3, codebook_clustering=codebook_clustering, n_rows=6, n_cols=6, random_state=0
    ).fit(X)
    assert adjusted_rand_score(y, model.labels_) == 1.0
    assert np.bincount(model.labels_).tolist() == [300, 200, 100]  # numbered by size
    np.testing.assert_array_equal(model.predict(X), model.labels_)
    assert model.cluster_centers_.shape == (3, 2)
    assert set(model.unit_labels_) == {0, 1, 2}


def test_som_clustering_errors_name_the_fix():
    X = _grid_points(5)
    with pytest.raises(ValueError, match="exceeds the 4 units of the 2x2 map"):
        SOMClustering(n_clusters=5, n_rows=2, n_cols=2).fit(X)
    with pytest.raises(ValueError, match="map units are best-matching units.*lower n_clusters"):
        SOMClustering(n_clusters=3, n_rows=3, n_cols=3).fit(np.ones((20, 2)))
    with pytest.raises(ValueError, match="'codebook_clustering' parameter of SOMClustering"):
        SOMClustering(codebook_clustering="dbscan").fit(X)


# ------------------------------------------------------------------------ text path
_POSITIVE = ["love this dress", "perfect fit and lovely fabric", "great quality, love it"]
_NEGATIVE = ["poor quality, returned it", "terrible fit and cheap fabric", "returned, awful"]


def _reviews(n_each=40):
    texts = (_POSITIVE * n_each)[:n_each] + (_NEGATIVE * n_each)[:n_each]
    rating = [5] * n_each + [1] * n_each
    return texts, np.array(rating)


def test_text_pipeline_learns_sentiment_and_tolerates_missing_reviews():
    texts, rating = _reviews()
    texts[0], texts[1], texts[-1] = None, pd.NA, np.nan
    pipeline = make_text_mlp_classifier(
        min_df=1, hidden_layer_sizes=(8,), max_epochs=30, learning_rate=0.02, random_state=0
    )
    pipeline.fit(texts, rating)
    assert pipeline.predict(["lovely dress, love it", "awful and cheap, returned"]).tolist() == [
        5,
        1,
    ]
    assert sp.issparse(pipeline[:-1].transform(texts[:3]))


def test_text_pipeline_on_a_dataframe_column():
    texts, rating = _reviews()
    frame = pd.DataFrame({"Review Text": texts, "Age": 30})
    pipeline = make_text_mlp_classifier(
        "Review Text", min_df=1, max_epochs=30, learning_rate=0.02, random_state=0
    )
    pipeline.fit(frame, rating)
    assert (pipeline.predict(frame) == rating).mean() == 1.0


# ------------------------------------------------------------------- registrations
_NEURAL_METHODS = [
    ("segmentation", "som_clustering", "customer-personality"),
    ("churn", "mlp", "ecommerce-churn"),
    ("churn", "mlp_balanced", "ecommerce-churn"),
    ("value", "mlp", "cdnow-sample"),
    ("satisfaction", "mlp", "clothing-reviews"),
    ("response", "mlp", "customer-personality"),
]
#: The neuro-fuzzy and rough-neural hybrids, registered under the neural family; they are fitted
#: on real slices in tests/test_hybrids.py.
_NEURAL_HYBRIDS = {
    (problem, name)
    for problem in ("churn", "response", "satisfaction")
    for name in ("tsk_rules", "rough_neural")
} | {("value", "tsk_rules")}


def test_every_problem_has_a_neural_method():
    from ecrm_methods.benchmark.registry import get_methods
    from ecrm_methods.problems import PROBLEMS

    registered = {(spec.problem, spec.name) for spec in get_methods(family="neural")}
    expected = {(problem, name) for problem, name, _ in _NEURAL_METHODS} | _NEURAL_HYBRIDS
    assert registered == expected
    assert {problem for problem, _ in registered} == set(PROBLEMS)


@pytest.mark.parametrize(("problem", "name", "dataset"), _NEURAL_METHODS)
def test_registered_method_fits_a_slice_of_a_real_problem(problem, name, dataset):
    from ecrm_methods.benchmark.registry import get_methods
    from ecrm_methods.problems import load_problem, pair_is_available

    if not pair_is_available(problem, dataset):
        pytest.skip(f"{problem}/{dataset} is not in the data home")
    (spec,) = get_methods(problem=problem, family="neural", names=name)
    data = load_problem(problem, dataset)
    rows = np.random.RandomState(0).choice(data.n_samples, size=400, replace=False)
    X = data.X.iloc[rows]
    estimator = spec.build(data, 0)
    if problem == "segmentation":
        estimator.fit(X)
        assert estimator.labels_.shape == (400,)
        assert set(estimator.labels_) == set(range(5))
        return
    y = data.y.iloc[rows]
    estimator.fit(X, y)
    if problem in ("churn", "response"):
        churn_probability = estimator.predict_proba(X)[:, 1]
        assert churn_probability.shape == (400,)
        assert np.all((churn_probability >= 0) & (churn_probability <= 1))
    elif problem == "value":
        assert list(y.columns) == ["test_frequency", "test_spend"]
        predicted = estimator.predict(X)
        assert predicted.shape == (400, 2) and np.all(np.isfinite(predicted))
    else:
        assert set(estimator.predict(X)) <= set(range(1, 6))
        assert estimator.predict_proba(X).shape == (400, len(np.unique(y)))
