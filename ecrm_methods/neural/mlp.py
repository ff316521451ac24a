"""Multilayer perceptrons in PyTorch with a scikit-learn interface."""

import copy
import itertools
from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
import torch
import torch.nn.functional as F
from sklearn.base import (
    BaseEstimator,
    ClassifierMixin,
    RegressorMixin,
    _fit_context,
)
from sklearn.model_selection import train_test_split
from sklearn.utils import compute_class_weight
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data
from torch import nn
from tqdm.auto import tqdm

from ecrm_methods.neural._utils import (
    _rows_to_tensor,
    _seed_from_random_state,
    resolve_device,
)

_ACTIVATIONS = {
    "relu": nn.ReLU,
    "tanh": nn.Tanh,
    "logistic": nn.Sigmoid,
    "gelu": nn.GELU,
    "identity": nn.Identity,
}
_PREDICT_CHUNK_ROWS = 8192

# Constraints of the parameters the classifier and the regressor share. ``device`` is only
# type-checked here: "cuda:1" or "CPU" are valid too, so its value is checked when ``fit``
# resolves it (:func:`resolve_device`), as are the entries of ``hidden_layer_sizes``.
_MLP_PARAMETER_CONSTRAINTS: dict = {
    "hidden_layer_sizes": ["array-like", Interval(Integral, 1, None, closed="left")],
    "activation": [StrOptions(set(_ACTIVATIONS))],
    "dropout": [Interval(Real, 0, 1, closed="left")],
    "weight_decay": [Interval(Real, 0, None, closed="left")],
    "batch_size": [StrOptions({"auto"}), Interval(Integral, 1, None, closed="left")],
    "max_epochs": [Interval(Integral, 1, None, closed="left")],
    "learning_rate": [Interval(Real, 0, None, closed="neither")],
    "early_stopping": ["boolean"],
    "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
    "patience": [Interval(Integral, 1, None, closed="left")],
    "device": [str, torch.device],
    "random_state": ["random_state"],
    "verbose": ["verbose"],
}


# ------------------------------------------------------------------------ MLP network
class _MLPNetwork(nn.Module):
    """Feed-forward network whose init and dropout draw from explicit generators."""

    def __init__(self, n_inputs, hidden_layer_sizes, n_outputs, activation, dropout, generator):
        super().__init__()
        sizes = [n_inputs, *hidden_layer_sizes, n_outputs]
        # skip_init: no draw from the global RNG; we initialise from ``generator`` below.
        self.layers = nn.ModuleList(
            nn.utils.skip_init(nn.Linear, n_in, n_out) for n_in, n_out in itertools.pairwise(sizes)
        )
        self.activation = _ACTIVATIONS[activation]()
        self.dropout = float(dropout)
        with torch.no_grad():
            for layer in self.layers:  # PyTorch's default nn.Linear scheme, seeded
                nn.init.kaiming_uniform_(layer.weight, a=np.sqrt(5.0), generator=generator)
                bound = 1.0 / np.sqrt(layer.weight.shape[1])
                nn.init.uniform_(layer.bias, -bound, bound, generator=generator)

    def forward(self, x, dropout_generator=None):
        for layer in self.layers[:-1]:
            x = self.activation(layer(x))
            if self.training and self.dropout > 0:
                keep = torch.rand(x.shape, generator=dropout_generator, device=x.device)
                x = x * (keep >= self.dropout) / (1.0 - self.dropout)
        return self.layers[-1](x)


class _TorchMLPBase(BaseEstimator):
    """Shared training loop of the MLP classifier and regressor."""

    def _hidden_layer_sizes(self) -> tuple[int, ...]:
        """``hidden_layer_sizes`` as a tuple of ints, checking each entry.

        ``_parameter_constraints`` checks that the parameter is an int >= 1 or an array-like;
        the entries of the array-like are checked here, as scikit-learn's MLP does.
        """
        sizes = self.hidden_layer_sizes
        if isinstance(sizes, Integral):
            return (int(sizes),)
        sizes = tuple(sizes)
        if not all(isinstance(s, Integral) and not isinstance(s, bool) and s > 0 for s in sizes):
            raise ValueError(
                "hidden_layer_sizes must be a positive int or a tuple of positive ints "
                f"(one per hidden layer), got {self.hidden_layer_sizes!r}."
            )
        return tuple(int(s) for s in sizes)

    def _train_network(self, X, y_train_target, n_outputs, stratify_labels=None):
        """Fit ``self.network_`` on ``X`` (float32, dense or CSR) and encoded targets."""
        hidden_layer_sizes = self._hidden_layer_sizes()
        device = resolve_device(self.device)
        seed = _seed_from_random_state(self.random_state)
        n_samples = X.shape[0]

        if self.early_stopping:
            if n_samples < 2:
                raise ValueError(
                    f"early_stopping=True needs at least 2 samples, got {n_samples} sample; "
                    "pass more data or early_stopping=False."
                )
            n_validation = min(n_samples - 1, max(1, round(self.validation_fraction * n_samples)))
            indices = np.arange(n_samples)
            try:
                train_idx, val_idx = train_test_split(
                    indices, test_size=n_validation, random_state=seed, stratify=stratify_labels
                )
            except ValueError:  # a class too small to stratify: split plainly
                train_idx, val_idx = train_test_split(
                    indices, test_size=n_validation, random_state=seed
                )
        else:
            train_idx, val_idx = np.arange(n_samples), None

        init_generator = torch.Generator().manual_seed(seed)
        shuffle_generator = torch.Generator().manual_seed(seed + 1)
        dropout_generator = torch.Generator(device=device).manual_seed(seed + 2)
        network = _MLPNetwork(
            X.shape[1], hidden_layer_sizes, n_outputs, self.activation, self.dropout, init_generator
        ).to(device)
        optimizer = torch.optim.AdamW(
            network.parameters(), lr=self.learning_rate, weight_decay=self.weight_decay
        )
        targets = torch.as_tensor(y_train_target, device=device)
        n_train = len(train_idx)
        batch_size = min(200, n_train) if self.batch_size == "auto" else self.batch_size
        batch_size = max(1, min(batch_size, n_train))
        X_dense_tensor = None
        if not sp.issparse(X):  # dense data goes to the device once
            X_dense_tensor = torch.tensor(np.asarray(X, dtype=np.float32), device=device)

        self.device_ = device
        self.loss_curve_ = []
        self.validation_scores_ = [] if self.early_stopping else None
        self.best_validation_score_ = None
        best_state, epochs_without_improvement = None, 0
        progress = tqdm(
            range(self.max_epochs), desc=type(self).__name__, disable=not self.verbose, leave=False
        )
        for epoch in progress:
            network.train()
            order = train_idx[torch.randperm(n_train, generator=shuffle_generator).numpy()]
            epoch_loss = 0.0
            for start in range(0, n_train, batch_size):
                rows = order[start : start + batch_size]
                rows_tensor = torch.as_tensor(rows, device=device)
                if X_dense_tensor is not None:
                    X_batch = X_dense_tensor[rows_tensor]
                else:
                    X_batch = _rows_to_tensor(X, rows, device)
                optimizer.zero_grad(set_to_none=True)
                loss = self._loss(network(X_batch, dropout_generator), targets[rows_tensor])
                loss.backward()
                optimizer.step()
                epoch_loss += float(loss.detach()) * len(rows)
            epoch_loss /= n_train
            if not np.isfinite(epoch_loss):
                raise ValueError(
                    f"training diverged at epoch {epoch + 1} (loss {epoch_loss}); lower "
                    f"learning_rate (now {self.learning_rate}) or scale the features first."
                )
            self.loss_curve_.append(epoch_loss)
            postfix = {"loss": f"{epoch_loss:.4f}"}
            if self.early_stopping:
                score = self._validation_score(X[val_idx], y_train_target[val_idx], network)
                self.validation_scores_.append(score)
                postfix["validation"] = f"{score:.4f}"
                if self.best_validation_score_ is None or score > self.best_validation_score_:
                    self.best_validation_score_ = score
                    self.best_epoch_ = epoch + 1
                    best_state = copy.deepcopy(network.state_dict())
                    epochs_without_improvement = 0
                else:
                    epochs_without_improvement += 1
                    if epochs_without_improvement >= self.patience:
                        break
            progress.set_postfix(postfix)
        progress.close()
        if best_state is not None:
            network.load_state_dict(best_state)
        network.eval()
        self.network_ = network
        self._network_float64 = copy.deepcopy(network).double().eval()
        self.n_epochs_ = len(self.loss_curve_)
        return self

    def _forward_numpy(self, X, network=None) -> np.ndarray:
        """Network outputs for validated ``X`` as float64, computed in row chunks.

        Without ``network``, a float64 copy of ``network_`` is used so that predictions do
        not depend on how the rows are chunked (float32 GEMM rounding varies with shape).
        """
        if network is None:
            network = self._network_float64
        dtype = next(network.parameters()).dtype
        network.eval()
        outputs = []
        with torch.no_grad():
            for start in range(0, X.shape[0], _PREDICT_CHUNK_ROWS):
                batch = X[start : start + _PREDICT_CHUNK_ROWS]
                batch = batch.toarray() if sp.issparse(batch) else np.asarray(batch)
                batch = torch.tensor(batch, dtype=dtype, device=self.device_)
                outputs.append(network(batch).cpu().numpy())
        if not outputs:
            return np.empty((0, network.layers[-1].out_features))
        return np.concatenate(outputs).astype(np.float64)

    def _validate_predict_input(self, X):
        check_is_fitted(self, "network_")
        return validate_data(self, X, accept_sparse="csr", dtype=np.float32, reset=False)


_MLP_PARAMETERS_DOC = """
    hidden_layer_sizes : int or tuple of int, default=(64,)
        Width of each hidden layer; ``()`` gives a linear model.
    activation : {"relu", "tanh", "logistic", "gelu", "identity"}, default="relu"
        Non-linearity after each hidden layer.
    dropout : float in [0, 1), default=0.0
        Probability of zeroing a hidden unit during training (masks drawn from the seeded
        generator).
    weight_decay : float, default=1e-4
        Decoupled weight decay of AdamW (an L2 penalty on the weights).
    batch_size : int or "auto", default="auto"
        Mini-batch size; ``"auto"`` is ``min(200, n_samples)``.
    max_epochs : int, default=200
        Number of passes over the training data (fewer with early stopping).
    learning_rate : float, default=1e-3
        AdamW step size.
    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the training data, stop after ``patience``
        epochs without a better validation score and restore the best weights.
    validation_fraction : float in (0, 1), default=0.1
        Share of the training data held out for early stopping.
    patience : int, default=10
        Epochs without improvement of the validation score before stopping.
    device : {"cpu", "cuda", "auto"}, default="cpu"
        Where to train; ``"auto"`` uses CUDA when available.
    random_state : int, RandomState instance or None, default=None
        Seeds weight init, shuffling, dropout and the validation split; two fits with one
        seed are identical on CPU. The global torch RNG is never used.
    verbose : int, default=0
        Show a tqdm progress bar over epochs when > 0."""


class TorchMLPClassifier(ClassifierMixin, _TorchMLPBase):
    __doc__ = f"""Multilayer perceptron classifier in PyTorch with a scikit-learn interface.

    A softmax output layer trained with (optionally class-weighted) cross-entropy and AdamW
    on mini-batches; float64 input is cast to float32; sparse CSR input (TF-IDF) is
    densified one mini-batch at a time. Features should be scaled beforehand (put a
    preprocessor first in a Pipeline).

    Parameters
    ----------{_MLP_PARAMETERS_DOC}
    class_weight : dict, "balanced" or None, default=None
        Weights of the classes in the loss, for imbalanced targets such as churn.
        With early stopping the validation score is the accuracy weighted the same way
        (balanced accuracy for ``"balanced"``).

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels.
    network_ : torch.nn.Module
        The trained network (in eval mode, on ``device_``).
    device_ : torch.device
        Resolved device.
    loss_curve_ : list of float
        Mean training loss per epoch.
    validation_scores_ : list of float or None
        Validation accuracy per epoch when ``early_stopping``; None otherwise.
    best_validation_score_ : float or None
        Best validation score (weights are restored to that epoch).
    n_epochs_ : int
        Epochs actually run.
    n_features_in_ : int
        Number of features seen in ``fit``.
    feature_names_in_ : ndarray of str
        Feature names, when ``X`` was a DataFrame with string column names.

    References
    ----------
    .. [1] Rumelhart, D. E., Hinton, G. E. & Williams, R. J. (1986). Learning representations
       by back-propagating errors. *Nature* 323, 533-536.
    .. [2] Loshchilov, I. & Hutter, F. (2019). Decoupled weight decay regularization. ICLR.

    Examples
    --------
    >>> import numpy as np
    >>> from ecrm_methods.neural import TorchMLPClassifier
    >>> X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]] * 25)
    >>> y = np.array([0, 1, 1, 0] * 25)
    >>> model = TorchMLPClassifier(hidden_layer_sizes=(16,), learning_rate=0.02,
    ...                            max_epochs=200, random_state=0).fit(X, y)
    >>> model.predict(X[:4]).tolist()
    [0, 1, 1, 0]
    """

    _parameter_constraints: dict = {
        **_MLP_PARAMETER_CONSTRAINTS,
        "class_weight": [dict, StrOptions({"balanced"}), None],
    }

    def __init__(
        self,
        hidden_layer_sizes=(64,),
        activation="relu",
        dropout=0.0,
        weight_decay=1e-4,
        batch_size="auto",
        max_epochs=200,
        learning_rate=1e-3,
        early_stopping=False,
        validation_fraction=0.1,
        patience=10,
        class_weight=None,
        device="cpu",
        random_state=None,
        verbose=0,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.dropout = dropout
        self.weight_decay = weight_decay
        self.batch_size = batch_size
        self.max_epochs = max_epochs
        self.learning_rate = learning_rate
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.patience = patience
        self.class_weight = class_weight
        self.device = device
        self.random_state = random_state
        self.verbose = verbose

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        """Train the network.

        Parameters
        ----------
        X : array-like or sparse matrix of shape (n_samples, n_features)
            Training features, numeric and scaled, without NaN.
        y : array-like of shape (n_samples,)
            Class labels (at least two distinct classes).

        Returns
        -------
        self : TorchMLPClassifier
            The fitted classifier.
        """
        X, y = validate_data(self, X, y, accept_sparse="csr", dtype=np.float32)
        check_classification_targets(y)
        self.classes_, y_encoded = np.unique(y, return_inverse=True)
        if len(self.classes_) < 2:
            raise ValueError(
                f"{type(self).__name__} needs at least 2 classes in y, got 1 class "
                f"({self.classes_[0]!r}) in {len(y)} samples; check the target column or "
                "the training split."
            )
        if isinstance(self.class_weight, dict):
            unknown = set(self.class_weight) - set(self.classes_.tolist())
            if unknown:
                raise ValueError(
                    f"class_weight has keys {sorted(map(repr, unknown))} that are not classes "
                    f"of y {self.classes_.tolist()}; use the labels found in y."
                )
        weights = compute_class_weight(self.class_weight, classes=self.classes_, y=y)
        self._class_weight_tensor = None
        if self.class_weight is not None:
            self._class_weight_tensor = torch.tensor(
                weights, dtype=torch.float32, device=resolve_device(self.device)
            )
        self._class_weights_ = weights
        return self._train_network(
            X, y_encoded.astype(np.int64), len(self.classes_), stratify_labels=y_encoded
        )

    def _loss(self, logits, target):
        return F.cross_entropy(logits, target, weight=self._class_weight_tensor)

    def _validation_score(self, X_validation, y_validation, network):
        predicted = self._forward_numpy(X_validation, network).argmax(axis=1)
        sample_weight = self._class_weights_[y_validation]
        return float(np.average(predicted == y_validation, weights=sample_weight))

    def predict_proba(self, X):
        """Class probabilities.

        Parameters
        ----------
        X : array-like or sparse matrix of shape (n_samples, n_features)
            Features, with the columns seen in ``fit``.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Softmax probabilities in the order of ``classes_`` (float64).
        """
        X = self._validate_predict_input(X)
        logits = self._forward_numpy(X)
        logits -= logits.max(axis=1, keepdims=True)
        proba = np.exp(logits)
        return proba / proba.sum(axis=1, keepdims=True)

    def predict(self, X):
        """Most probable class.

        Parameters
        ----------
        X : array-like or sparse matrix of shape (n_samples, n_features)
            Features, with the columns seen in ``fit``.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            Predicted labels from ``classes_``.
        """
        X = self._validate_predict_input(X)
        return self.classes_[self._forward_numpy(X).argmax(axis=1)]


class TorchMLPRegressor(RegressorMixin, _TorchMLPBase):
    __doc__ = f"""Multilayer perceptron regressor in PyTorch with a scikit-learn interface.

    Mean squared error on internally standardized targets, AdamW on mini-batches. Several
    targets (e.g. holdout purchases and holdout spend) are learned jointly by one network;
    predictions are mapped back to the original target scale. float64 input is cast to
    float32; sparse CSR input is densified one mini-batch at a time.

    Parameters
    ----------{_MLP_PARAMETERS_DOC}

    Attributes
    ----------
    network_ : torch.nn.Module
        The trained network (in eval mode, on ``device_``).
    device_ : torch.device
        Resolved device.
    n_outputs_ : int
        Number of targets.
    target_mean_, target_scale_ : ndarray of shape (n_outputs_,)
        Standardization of the targets used in training.
    loss_curve_ : list of float
        Mean training loss (standardized MSE) per epoch.
    validation_scores_ : list of float or None
        Validation R^2 per epoch when ``early_stopping``; None otherwise.
    best_validation_score_ : float or None
        Best validation R^2 (weights are restored to that epoch).
    n_epochs_ : int
        Epochs actually run.
    n_features_in_ : int
        Number of features seen in ``fit``.
    feature_names_in_ : ndarray of str
        Feature names, when ``X`` was a DataFrame with string column names.

    References
    ----------
    .. [1] Rumelhart, D. E., Hinton, G. E. & Williams, R. J. (1986). Learning representations
       by back-propagating errors. *Nature* 323, 533-536.
    .. [2] Loshchilov, I. & Hutter, F. (2019). Decoupled weight decay regularization. ICLR.
    """

    _parameter_constraints: dict = {**_MLP_PARAMETER_CONSTRAINTS}

    def __init__(
        self,
        hidden_layer_sizes=(64,),
        activation="relu",
        dropout=0.0,
        weight_decay=1e-4,
        batch_size="auto",
        max_epochs=200,
        learning_rate=1e-3,
        early_stopping=False,
        validation_fraction=0.1,
        patience=10,
        device="cpu",
        random_state=None,
        verbose=0,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.dropout = dropout
        self.weight_decay = weight_decay
        self.batch_size = batch_size
        self.max_epochs = max_epochs
        self.learning_rate = learning_rate
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.patience = patience
        self.device = device
        self.random_state = random_state
        self.verbose = verbose

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.target_tags.multi_output = True
        return tags

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        """Train the network.

        Parameters
        ----------
        X : array-like or sparse matrix of shape (n_samples, n_features)
            Training features, numeric and scaled, without NaN.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Numeric target(s).

        Returns
        -------
        self : TorchMLPRegressor
            The fitted regressor.
        """
        X, y = validate_data(
            self, X, y, accept_sparse="csr", dtype=np.float32, multi_output=True, y_numeric=True
        )
        y = np.asarray(y, dtype=np.float64)
        self._y_was_1d = y.ndim == 1
        y2d = y.reshape(len(y), -1)
        self.n_outputs_ = y2d.shape[1]
        self.target_mean_ = y2d.mean(axis=0)
        scale = y2d.std(axis=0)
        self.target_scale_ = np.where(scale > 0, scale, 1.0)
        standardized = ((y2d - self.target_mean_) / self.target_scale_).astype(np.float32)
        return self._train_network(X, standardized, self.n_outputs_)

    def _loss(self, output, target):
        return F.mse_loss(output, target)

    def _validation_score(self, X_validation, y_validation, network):
        predicted = self._forward_numpy(X_validation, network)
        residual = ((y_validation - predicted) ** 2).sum()
        total = ((y_validation - y_validation.mean(axis=0)) ** 2).sum()
        return float(1.0 - residual / total) if total > 0 else float(-residual)

    def predict(self, X):
        """Predict the target(s).

        Parameters
        ----------
        X : array-like or sparse matrix of shape (n_samples, n_features)
            Features, with the columns seen in ``fit``.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,) or (n_samples, n_outputs_)
            Predictions on the original target scale (float64), 1-D when ``y`` was 1-D.
        """
        X = self._validate_predict_input(X)
        predicted = self._forward_numpy(X) * self.target_scale_ + self.target_mean_
        return predicted.ravel() if self._y_was_1d else predicted
