"""Self-organizing map and SOM-based customer segmentation."""

from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
import torch
from sklearn.base import (
    BaseEstimator,
    ClassNamePrefixFeaturesOutMixin,
    ClusterMixin,
    TransformerMixin,
    _fit_context,
)
from sklearn.cluster import AgglomerativeClustering, KMeans
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted, validate_data
from tqdm.auto import tqdm

from ecrm_methods.neural._utils import _seed_from_random_state, resolve_device


# ------------------------------------------------------------------- self-organizing map
def _grid_positions(n_rows: int, n_cols: int, topology: str) -> np.ndarray:
    """(n_units, 2) planar coordinates of the units; unit index = row * n_cols + col."""
    rows, cols = np.divmod(np.arange(n_rows * n_cols), n_cols)
    if topology == "hexagonal":  # odd rows shifted half a unit, rows sqrt(3)/2 apart
        return np.column_stack([rows * np.sqrt(3) / 2, cols + 0.5 * (rows % 2)])
    return np.column_stack([rows, cols]).astype(np.float64)


def _grid_adjacency(positions: np.ndarray, topology: str) -> np.ndarray:
    """Boolean (n_units, n_units): neighbours on the map (8 on a rectangle, 6 on hexagons)."""
    limit = 1.0 + 1e-9 if topology == "hexagonal" else np.sqrt(2) + 1e-9
    distance = np.sqrt(((positions[:, None, :] - positions[None, :, :]) ** 2).sum(-1))
    return (distance > 0) & (distance <= limit)


def _pairwise_distances_exact(X, codebook: np.ndarray) -> np.ndarray:
    """Euclidean distances in float64 by direct differences (row-wise exact), chunked."""
    n_units, n_features = codebook.shape
    chunk = max(1, 2_000_000 // max(1, n_units * n_features))
    out = np.empty((X.shape[0], n_units))
    for start in range(0, X.shape[0], chunk):
        block = X[start : start + chunk]
        block = block.toarray() if sp.issparse(block) else np.asarray(block, dtype=np.float64)
        out[start : start + chunk] = np.sqrt(
            ((block[:, None, :] - codebook[None, :, :]) ** 2).sum(-1)
        )
    return out


def _train_codebook_numpy(
    data,
    codebook,
    grid_sq_distance,
    orders,
    *,
    sigma0,
    learning_rate,
    total_presentations,
    batch_size,
    device=None,
):
    """Mini-batch SOM updates on the CPU in numpy (float32).

    numpy rather than torch on the CPU: the batches are small, and small torch ops that fan
    out to an intra-op thread pool slow down by an order of magnitude on a busy 2-core
    machine, while numpy stays single-threaded for these sizes.
    """
    codebook = codebook.copy()
    presented = 0
    for order in orders:
        for start in range(0, len(order), batch_size):
            batch = data[order[start : start + batch_size]]
            decay = 1.0 + 2.0 * presented / total_presentations
            sigma_t, rate_t = sigma0 / decay, learning_rate / decay
            squared = (codebook * codebook).sum(1)[None, :] - 2.0 * (batch @ codebook.T)
            bmu = squared.argmin(axis=1)  # the batch's own norm does not change the argmin
            influence = np.exp(grid_sq_distance[bmu] * np.float32(-0.5 / sigma_t**2))
            mass = influence.sum(axis=0)
            target = (influence.T @ batch) / np.maximum(mass, 1e-12)[:, None]
            codebook += np.float32(rate_t) * np.where(mass[:, None] > 1e-8, target - codebook, 0)
            presented += len(batch)
    return codebook


def _train_codebook_torch(
    data,
    codebook,
    grid_sq_distance,
    orders,
    *,
    sigma0,
    learning_rate,
    total_presentations,
    batch_size,
    device,
):
    """The same updates as :func:`_train_codebook_numpy`, in torch on ``device`` (CUDA)."""
    data = torch.tensor(data, device=device)
    codebook = torch.tensor(codebook, device=device)
    grid_sq_distance = torch.tensor(grid_sq_distance, device=device)
    presented = 0
    for order in orders:
        order = torch.as_tensor(order, device=device)
        for start in range(0, len(order), batch_size):
            batch = data[order[start : start + batch_size]]
            decay = 1.0 + 2.0 * presented / total_presentations
            sigma_t, rate_t = sigma0 / decay, learning_rate / decay
            squared = (codebook * codebook).sum(1)[None, :] - 2.0 * (batch @ codebook.T)
            bmu = squared.argmin(dim=1)
            influence = torch.exp(grid_sq_distance[bmu] * (-0.5 / sigma_t**2))
            mass = influence.sum(0)
            target = (influence.T @ batch) / mass.clamp_min(1e-12)[:, None]
            codebook += rate_t * torch.where(mass[:, None] > 1e-8, target - codebook, 0.0)
            presented += batch.shape[0]
    return codebook.cpu().numpy()


class SelfOrganizingMap(ClassNamePrefixFeaturesOutMixin, TransformerMixin, BaseEstimator):
    """Self-organizing map (Kohonen map) trained with vectorized mini-batch updates.

    Each epoch visits every sample once in a seeded random order, in mini-batches. For a
    mini-batch, every unit moves towards the neighbourhood-weighted mean of the batch
    (the batch-map rule of [2]_) by the current learning rate::

        h_ij = exp(-||r_bmu(i) - r_j||^2 / (2 sigma_t^2))
        w_j <- w_j + lr_t * (sum_i h_ij x_i / sum_i h_ij - w_j)

    Radius and learning rate decay asymptotically with the number of samples presented t
    out of T = n_epochs * n_samples, ``p_t = p_0 / (1 + 2 t / T)`` (to a third of the
    start value, the default schedule of MiniSom), so that a run with the same number of
    sample presentations is comparable to MiniSom's online training.

    On the CPU the updates run in numpy (float32); with ``device="cuda"`` the same updates
    run in torch on the GPU. Distances reported by ``transform`` and the error measures are
    computed in float64.

    Parameters
    ----------
    n_rows, n_cols : int, default=10
        Map size.
    topology : {"rectangular", "hexagonal"}, default="rectangular"
        Unit layout. Neighbours are the 8 surrounding units on a rectangle and the 6 on a
        hexagonal grid (used by ``topographic_error`` and ``u_matrix``).
    sigma : float or None, default=None
        Initial neighbourhood radius in grid units; None means ``max(1, max(n_rows,
        n_cols) / 4)``.
    learning_rate : float in (0, 1], default=0.5
        Initial step towards the batch target.
    n_epochs : int, default=10
        Passes over the data.
    init : {"pca", "random"}, default="pca"
        ``"pca"`` spreads the codebook on the plane of the first two principal components
        (±1.5 standard deviations); ``"random"`` picks data rows at random.
    batch_size : int, default=256
        Samples per update.
    device : {"cpu", "cuda", "auto"}, default="cpu"
        Where to train.
    random_state : int, RandomState instance or None, default=None
        Seeds the random init and the order of the samples.
    verbose : int, default=0
        Show a progress bar over epochs when > 0.

    Attributes
    ----------
    weights_ : ndarray of shape (n_rows, n_cols, n_features)
        Codebook vectors of the units.
    unit_positions_ : ndarray of shape (n_rows * n_cols, 2)
        Planar coordinates of the units (row-major unit index).
    quantization_error_ : float
        Mean distance from each training sample to its best-matching unit.
    topographic_error_ : float
        Share of training samples whose best and second-best units are not neighbours.
    labels_ : ndarray of shape (n_samples,)
        Best-matching unit of each training sample.
    n_features_in_, feature_names_in_
        As in scikit-learn.

    References
    ----------
    .. [1] Kohonen, T. (1982). Self-organized formation of topologically correct feature
       maps. *Biological Cybernetics* 43, 59-69.
    .. [2] Kohonen, T. (2013). Essentials of the self-organizing map. *Neural Networks* 37,
       52-65.
    .. [3] Kiviluoto, K. (1996). Topology preservation in self-organizing maps. ICNN, 294-299
       (topographic error).
    """

    # ``device`` is only type-checked: "cuda:1" or "CPU" are valid too, so its value is
    # checked when ``fit`` resolves it (:func:`~ecrm_methods.neural.resolve_device`).
    _parameter_constraints: dict = {
        "n_rows": [Interval(Integral, 1, None, closed="left")],
        "n_cols": [Interval(Integral, 1, None, closed="left")],
        "topology": [StrOptions({"rectangular", "hexagonal"})],
        "sigma": [Interval(Real, 0, None, closed="neither"), None],
        "learning_rate": [Interval(Real, 0, 1, closed="right")],
        "n_epochs": [Interval(Integral, 1, None, closed="left")],
        "init": [StrOptions({"pca", "random"})],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "device": [str, torch.device],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        n_rows=10,
        n_cols=10,
        topology="rectangular",
        sigma=None,
        learning_rate=0.5,
        n_epochs=10,
        init="pca",
        batch_size=256,
        device="cpu",
        random_state=None,
        verbose=0,
    ):
        self.n_rows = n_rows
        self.n_cols = n_cols
        self.topology = topology
        self.sigma = sigma
        self.learning_rate = learning_rate
        self.n_epochs = n_epochs
        self.init = init
        self.batch_size = batch_size
        self.device = device
        self.random_state = random_state
        self.verbose = verbose

    def _initial_codebook(self, X: np.ndarray, rng: np.random.RandomState) -> np.ndarray:
        n_units = self.n_rows * self.n_cols
        if self.init == "random":
            return X[rng.randint(X.shape[0], size=n_units)].copy()
        mean = X.mean(axis=0)
        centered = X - mean
        _, singular_values, components = np.linalg.svd(centered, full_matrices=False)
        spread = singular_values / np.sqrt(max(1, X.shape[0]))
        axes = np.zeros((2, X.shape[1]))
        for k in range(min(2, len(spread))):
            axes[k] = 1.5 * spread[k] * components[k]
        # the longer side of the map follows the first principal component
        long_rows = self.n_rows >= self.n_cols
        rows, cols = np.divmod(np.arange(n_units), self.n_cols)
        row_coord = np.linspace(-1, 1, self.n_rows)[rows] if self.n_rows > 1 else rows * 0.0
        col_coord = np.linspace(-1, 1, self.n_cols)[cols] if self.n_cols > 1 else cols * 0.0
        first, second = (row_coord, col_coord) if long_rows else (col_coord, row_coord)
        return mean + first[:, None] * axes[0] + second[:, None] * axes[1]

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Train the map.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Numeric, scaled data without NaN.
        y : None
            Ignored.

        Returns
        -------
        self : SelfOrganizingMap
            The fitted map.
        """
        X = validate_data(self, X, dtype=np.float64)
        device = resolve_device(self.device)
        seed = _seed_from_random_state(self.random_state)
        rng = np.random.RandomState(seed)
        n_samples = X.shape[0]
        positions = _grid_positions(self.n_rows, self.n_cols, self.topology)
        initial_codebook = self._initial_codebook(X, rng).astype(np.float32)
        grid_sq_distance = ((positions[:, None, :] - positions[None, :, :]) ** 2).sum(-1)
        sigma0 = (
            self.sigma if self.sigma is not None else max(1.0, max(self.n_rows, self.n_cols) / 4)
        )
        epochs = tqdm(range(self.n_epochs), desc="SOM", disable=not self.verbose, leave=False)
        orders = (rng.permutation(n_samples) for _ in epochs)
        train = _train_codebook_numpy if device.type == "cpu" else _train_codebook_torch
        codebook = train(
            X.astype(np.float32),
            initial_codebook,
            grid_sq_distance.astype(np.float32),
            orders,
            sigma0=sigma0,
            learning_rate=self.learning_rate,
            total_presentations=self.n_epochs * n_samples,
            batch_size=self.batch_size,
            device=device,
        )
        self._codebook = np.asarray(codebook, dtype=np.float64)
        self.weights_ = self._codebook.reshape(self.n_rows, self.n_cols, -1)
        self.unit_positions_ = positions
        self._adjacency = _grid_adjacency(positions, self.topology)
        distances = _pairwise_distances_exact(X, self._codebook)
        self.labels_ = distances.argmin(axis=1)
        self.quantization_error_ = float(distances.min(axis=1).mean())
        self.topographic_error_ = self._topographic_error_from(distances)
        self._n_features_out = self.n_rows * self.n_cols
        return self

    def _topographic_error_from(self, distances: np.ndarray) -> float:
        if distances.shape[1] < 2 or distances.shape[0] == 0:
            return 0.0
        best_two = np.argpartition(distances, 1, axis=1)[:, :2]
        return float(np.mean(~self._adjacency[best_two[:, 0], best_two[:, 1]]))

    def transform(self, X):
        """Distances of each sample to every unit.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Data with the features seen in ``fit``.

        Returns
        -------
        distances : ndarray of shape (n_samples, n_rows * n_cols)
            Euclidean distance to each codebook vector (row-major unit order).
        """
        check_is_fitted(self, "weights_")
        X = validate_data(self, X, dtype=np.float64, reset=False)
        return _pairwise_distances_exact(X, self._codebook)

    def predict(self, X):
        """Best-matching unit of each sample.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Data with the features seen in ``fit``.

        Returns
        -------
        units : ndarray of shape (n_samples,)
            Row-major index ``row * n_cols + col`` of the closest unit.
        """
        return self.transform(X).argmin(axis=1)

    def quantization_error(self, X) -> float:
        """Mean distance of the samples in ``X`` to their best-matching units.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Data with the features seen in ``fit``.

        Returns
        -------
        error : float
            Average Euclidean distance to the best-matching unit.
        """
        return float(self.transform(X).min(axis=1).mean())

    def topographic_error(self, X) -> float:
        """Share of samples whose two best-matching units are not map neighbours.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Data with the features seen in ``fit``.

        Returns
        -------
        error : float
            Value in [0, 1]; low values mean the map preserves the data topology.
        """
        return self._topographic_error_from(self.transform(X))

    def u_matrix(self) -> np.ndarray:
        """Unified distance matrix: mean codebook distance of each unit to its neighbours.

        Returns
        -------
        u_matrix : ndarray of shape (n_rows, n_cols)
            High values mark borders between groups of similar units.
        """
        check_is_fitted(self, "weights_")
        distance = np.sqrt(((self._codebook[:, None, :] - self._codebook[None, :, :]) ** 2).sum(-1))
        neighbours = self._adjacency.sum(axis=1)
        total = np.where(self._adjacency, distance, 0.0).sum(axis=1)
        mean = np.divide(total, neighbours, out=np.zeros_like(total), where=neighbours > 0)
        return mean.reshape(self.n_rows, self.n_cols)


class SOMClustering(ClusterMixin, BaseEstimator):
    """Customer segmentation by clustering a self-organizing map's codebook.

    The two-level approach of Vesanto & Alhoniemi [1]_: train a
    :class:`SelfOrganizingMap`, group the codebook vectors of the units that won at least
    one training sample into ``n_clusters`` segments (Ward hierarchical clustering, or
    k-means weighted by hit counts), give each unit without hits the segment of its
    nearest hit unit, and label every customer with the segment of its best-matching unit.
    Segments are numbered by size, largest first.

    Parameters
    ----------
    n_clusters : int, default=5
        Number of segments.
    codebook_clustering : {"ward", "kmeans"}, default="ward"
        How the codebook is grouped.
    n_rows, n_cols, topology, sigma, learning_rate, n_epochs, init, batch_size, device, \
random_state, verbose
        Passed to :class:`SelfOrganizingMap`.

    Attributes
    ----------
    som_ : SelfOrganizingMap
        The trained map.
    unit_labels_ : ndarray of shape (n_rows * n_cols,)
        Segment of each unit.
    labels_ : ndarray of shape (n_samples,)
        Segment of each training sample.
    cluster_centers_ : ndarray of shape (n_clusters, n_features)
        Mean of the training samples in each segment.
    n_features_in_, feature_names_in_
        As in scikit-learn.

    References
    ----------
    .. [1] Vesanto, J. & Alhoniemi, E. (2000). Clustering of the self-organizing map.
       *IEEE Transactions on Neural Networks* 11(3), 586-600.
    .. [2] Kohonen, T. (1982). Self-organized formation of topologically correct feature
       maps. *Biological Cybernetics* 43, 59-69.
    """

    _parameter_constraints: dict = {
        "n_clusters": [Interval(Integral, 1, None, closed="left")],
        "codebook_clustering": [StrOptions({"ward", "kmeans"})],
        **SelfOrganizingMap._parameter_constraints,
    }

    def __init__(
        self,
        n_clusters=5,
        codebook_clustering="ward",
        n_rows=10,
        n_cols=10,
        topology="rectangular",
        sigma=None,
        learning_rate=0.5,
        n_epochs=10,
        init="pca",
        batch_size=256,
        device="cpu",
        random_state=None,
        verbose=0,
    ):
        self.n_clusters = n_clusters
        self.codebook_clustering = codebook_clustering
        self.n_rows = n_rows
        self.n_cols = n_cols
        self.topology = topology
        self.sigma = sigma
        self.learning_rate = learning_rate
        self.n_epochs = n_epochs
        self.init = init
        self.batch_size = batch_size
        self.device = device
        self.random_state = random_state
        self.verbose = verbose

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Train the map, cluster its codebook and label the training samples.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Numeric, scaled customer features without NaN.
        y : None
            Ignored.

        Returns
        -------
        self : SOMClustering
            The fitted model.
        """
        n_units = self.n_rows * self.n_cols
        if self.n_clusters > n_units:  # a cross-parameter check the constraints cannot express
            raise ValueError(
                f"n_clusters={self.n_clusters} exceeds the {n_units} units of the "
                f"{self.n_rows}x{self.n_cols} map (n_rows={self.n_rows}, n_cols={self.n_cols}); "
                "enlarge the map or lower n_clusters."
            )
        X = validate_data(self, X, dtype=np.float64)
        if X.shape[0] < self.n_clusters:
            raise ValueError(
                f"n_clusters={self.n_clusters} segments need at least as many samples, got "
                f"{X.shape[0]} sample(s); lower n_clusters."
            )
        seed = _seed_from_random_state(self.random_state)
        self.som_ = SelfOrganizingMap(
            n_rows=self.n_rows,
            n_cols=self.n_cols,
            topology=self.topology,
            sigma=self.sigma,
            learning_rate=self.learning_rate,
            n_epochs=self.n_epochs,
            init=self.init,
            batch_size=self.batch_size,
            device=self.device,
            random_state=seed,
            verbose=self.verbose,
        ).fit(X)
        codebook = self.som_._codebook
        hits = np.bincount(self.som_.labels_, minlength=n_units)
        hit_units = np.flatnonzero(hits)
        if len(hit_units) < self.n_clusters:
            raise ValueError(
                f"only {len(hit_units)} map units are best-matching units of the data, fewer "
                f"than n_clusters={self.n_clusters} (many identical samples?); lower n_clusters."
            )
        if self.codebook_clustering == "ward":
            hit_labels = AgglomerativeClustering(
                n_clusters=self.n_clusters, linkage="ward"
            ).fit_predict(codebook[hit_units])
        else:
            hit_labels = (
                KMeans(n_clusters=self.n_clusters, n_init=10, random_state=seed)
                .fit(codebook[hit_units], sample_weight=hits[hit_units])
                .labels_
            )
        # number segments by customer count, largest first (ties by first unit index)
        sizes = np.bincount(hit_labels, weights=hits[hit_units], minlength=self.n_clusters)
        rank = np.empty(self.n_clusters, dtype=np.int64)
        rank[np.lexsort((np.arange(self.n_clusters), -sizes))] = np.arange(self.n_clusters)
        unit_labels = np.empty(n_units, dtype=np.int64)
        unit_labels[hit_units] = rank[hit_labels]
        empty_units = np.flatnonzero(hits == 0)
        if len(empty_units):
            nearest = _pairwise_distances_exact(codebook[empty_units], codebook[hit_units])
            unit_labels[empty_units] = unit_labels[hit_units[nearest.argmin(axis=1)]]
        self.unit_labels_ = unit_labels
        self.labels_ = unit_labels[self.som_.labels_]
        self.cluster_centers_ = np.vstack(
            [X[self.labels_ == k].mean(axis=0) for k in range(self.n_clusters)]
        )
        return self

    def predict(self, X):
        """Segment of each sample, through its best-matching unit.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Data with the features seen in ``fit``.

        Returns
        -------
        labels : ndarray of shape (n_samples,)
            Segment index in ``[0, n_clusters)``.
        """
        check_is_fitted(self, "unit_labels_")
        X = validate_data(self, X, dtype=np.float64, reset=False)
        return self.unit_labels_[self.som_.predict(X)]
