"""Mamdani fuzzy rule systems as scikit-learn classifier and regressor."""

from __future__ import annotations

import numbers

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin, _fit_context
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data
from threadpoolctl import threadpool_limits

from ._rules import (
    CompiledRuleBase,
    FuzzyClause,
    FuzzyRule,
    OutputDefuzzifier,
    _breakpoints,
    _canonical_shape,
    build_variable,
    default_term_names,
    fuzzify,
    parse_rule,
    quantile_partition,
)

__all__ = ["FuzzyRuleClassifier", "FuzzyRuleRegressor"]

# rows per inference block: (rows x universe points) scratch arrays stay in the CPU cache
_BLOCK_ROWS = 2048


def _per_variable(setting, name, default):
    if isinstance(setting, dict):
        return setting.get(name, default)
    return setting


class _MamdaniBase(BaseEstimator):
    """Shared fitting and inference of the Mamdani estimators."""

    _parameter_constraints: dict = {
        "rules": [list, tuple, None],
        "n_terms": [Interval(numbers.Integral, 1, None, closed="left"), dict],
        "mf_shape": [StrOptions({"triangular", "trapezoidal", "gaussian"}), dict],
        "membership_functions": [dict, None],
        "t_norm": [StrOptions({"min", "product"})],
        "resolution": [Interval(numbers.Integral, 3, None, closed="left")],
        "max_rules": [Interval(numbers.Integral, 1, None, closed="left"), None],
        "target_name": [str, None],
    }

    def _input_names(self):
        if hasattr(self, "feature_names_in_"):
            return [str(name) for name in self.feature_names_in_]
        return [f"x{j}" for j in range(self.n_features_in_)]

    def _variable(self, name, values, default_n_terms):
        """Universe, term names and membership arrays of one variable."""
        user = (self.membership_functions or {}).get(name)
        if user is not None:
            if not isinstance(user, dict) or not user:
                raise ValueError(
                    f"membership_functions[{name!r}] must be a non-empty dict "
                    "{term: (shape, params)}; got {user!r}."
                )
            specs = []
            for term, spec in user.items():
                try:
                    shape, params = spec
                except (TypeError, ValueError):
                    raise ValueError(
                        f"membership_functions[{name!r}][{term!r}] must be (shape, params), "
                        f"e.g. ('triangular', [0, 5, 10]); got {spec!r}."
                    ) from None
                specs.append((_canonical_shape(shape, f"membership_functions[{name!r}]"), params))
            points = np.concatenate(
                [np.asarray(_breakpoints(shape, params), dtype=float) for shape, params in specs]
            )
            low = float(min(np.min(values), points.min()))
            high = float(max(np.max(values), points.max()))
            terms = [str(t) for t in user]
            universe, mfs = build_variable(specs, (low, high), self.resolution)
        else:
            n_terms = int(_per_variable(self.n_terms, name, default_n_terms))
            shape = _per_variable(self.mf_shape, name, "triangular")
            specs, bounds = quantile_partition(values, n_terms, shape)
            terms = default_term_names(n_terms)
            universe, mfs = build_variable(specs, bounds, self.resolution)
        return universe, terms, mfs

    def _fit_inputs(self, X):
        self.universes_, self.terms_, self.membership_functions_ = {}, {}, {}
        for j, name in enumerate(self._input_names()):
            universe, terms, mfs = self._variable(name, X[:, j], 3)
            self.universes_[name] = universe
            self.terms_[name] = terms
            self.membership_functions_[name] = dict(zip(terms, mfs, strict=True))

    def _input_memberships(self, X, columns=None):
        names = self._input_names()
        out = []
        for j, name in enumerate(names):
            if columns is not None and j not in columns:
                out.append(None)
                continue
            mfs = np.vstack(list(self.membership_functions_[name].values()))
            out.append(fuzzify(X[:, j], self.universes_[name], mfs))
        return out

    def _wang_mendel_antecedents(self, X):
        """Per-sample antecedent (best term per input) and its degree (product of memberships)."""
        memberships = self._input_memberships(X)
        best_terms = np.column_stack([np.argmax(mu, axis=1) for mu in memberships])
        degree = np.prod([np.max(mu, axis=1) for mu in memberships], axis=0)
        combos, group = np.unique(best_terms, axis=0, return_inverse=True)
        return combos, group.ravel(), degree

    def _rules_from_combos(self, combos, consequents, weights):
        names = self._input_names()
        rules = []
        for combo, consequent, weight in zip(combos, consequents, weights, strict=True):
            clauses = tuple(
                FuzzyClause(name, self.terms_[name][t])
                for name, t in zip(names, combo, strict=True)
            )
            rules.append(FuzzyRule((clauses,), self.target_name_, consequent, float(weight)))
        return rules

    def _set_rules(self, rules):
        input_terms = {name: self.terms_[name] for name in self._input_names()}
        output_terms = list(self.output_terms_)
        self.rules_ = [parse_rule(r, input_terms, self.target_name_, output_terms) for r in rules]
        if not self.rules_:
            raise ValueError("rules is empty; give at least one rule or rules=None to learn them.")
        self._rule_base = CompiledRuleBase(
            self.rules_, self._input_names(), input_terms, output_terms, self.t_norm
        )

    def _firing_and_activation(self, X, accumulation="max"):
        columns = set(self._rule_base.used_columns.tolist())
        firing = self._rule_base.firing(self._input_memberships(X, columns))
        return firing, self._rule_base.term_activation(firing, accumulation)

    def rule_firing_strengths(self, X):
        """Firing strength of every rule for every row, to explain predictions.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Inputs.

        Returns
        -------
        firing : pandas.DataFrame of shape (n_samples, n_rules)
            Degree in [0, 1] to which each row satisfies each rule's condition (before the rule
            weight); columns are the rules written out.
        """
        check_is_fitted(self)
        index = X.index if isinstance(X, pd.DataFrame) else None
        X = validate_data(self, X, dtype=np.float64, reset=False)
        firing, _ = self._firing_and_activation(X)
        return pd.DataFrame(firing, columns=[str(r) for r in self.rules_], index=index)

    def plot_membership_functions(self, variables=None, *, ncols=3):
        """Plot the membership functions of input and output variables.

        Parameters
        ----------
        variables : list of str or None, default=None
            Variables to show; default all inputs and the output.
        ncols : int, default=3
            Subplots per row.

        Returns
        -------
        fig : matplotlib.figure.Figure
            One panel per variable, one curve per term.
        """
        import matplotlib.pyplot as plt

        check_is_fitted(self)
        available = [*self._input_names(), self.target_name_]
        variables = available if variables is None else list(variables)
        for name in variables:
            if name not in available:
                raise ValueError(f"variable {name!r} is unknown; choose from {available}.")
        ncols = max(1, min(ncols, len(variables)))
        nrows = int(np.ceil(len(variables) / ncols))
        fig, axes = plt.subplots(nrows, ncols, figsize=(4 * ncols, 2.6 * nrows), squeeze=False)
        for ax, name in zip(axes.ravel(), variables, strict=False):
            if name == self.target_name_:
                universe, curves = self.output_universe_, self.output_membership_functions_
            else:
                universe, curves = self.universes_[name], self.membership_functions_[name]
            for term, mf in curves.items():
                ax.plot(universe, mf, label=term)
            ax.set_title(name)
            ax.set_ylim(-0.02, 1.05)
            ax.legend(fontsize="small")
        for ax in axes.ravel()[len(variables) :]:
            ax.set_visible(False)
        fig.tight_layout()
        return fig

    def _target_name(self, y):
        if self.target_name is not None:
            return self.target_name
        name = getattr(y, "name", None)
        return str(name) if name is not None else "y"


class FuzzyRuleRegressor(RegressorMixin, _MamdaniBase):
    """Mamdani fuzzy rule system for a numeric target, with centroid defuzzification.

    Each input gets a fuzzy partition (placed at data quantiles unless given); rules are written
    by a person (``"IF delivery_delay IS high AND complaints IS medium THEN satisfaction IS
    low"``) or learned with Wang & Mendel's one-pass method. Prediction clips each output term at
    its activation, aggregates with max and takes the centroid, vectorized over rows; results
    equal scikit-fuzzy's ``ControlSystemSimulation`` on the same universes.

    Parameters
    ----------
    rules : list of str or FuzzyRule, or None, default=None
        Rules; None learns them from data (Wang-Mendel). Variables are the column names of X
        (``x0, x1, ...`` for arrays) and the output is ``target_name``.
    n_terms : int or dict, default=3
        Terms per variable (inputs and output) when no membership functions are given; a dict
        maps variable names to counts (others get 3).
    mf_shape : {"triangular", "trapezoidal", "gaussian"} or dict, default="triangular"
        Shape of the quantile-placed membership functions (a dict sets it per variable).
    membership_functions : dict or None, default=None
        ``{variable: {term: (shape, params)}}`` with scikit-fuzzy parameters, e.g.
        ``{"delivery_delay": {"short": ("trapezoidal", [0, 0, 2, 5]), ...}}``.
    t_norm : {"min", "product"}, default="min"
        AND operator (OR is max or the probabilistic sum, NOT is 1 - mu).
    resolution : int, default=201
        Evenly spaced points of each universe (breakpoints are added).
    max_rules : int or None, default=None
        Keep only the learned rules with the largest total firing on the training data.
    target_name : str or None, default=None
        Output variable name; default the name of ``y`` if it is a Series, else ``"y"``.

    Attributes
    ----------
    rules_ : list of FuzzyRule
        The rule base (``str(rule)`` writes it out).
    terms_ : dict of str to list of str
        Term names per input.
    universes_, membership_functions_ : dict
        Per input: the universe array and ``{term: membership array}``.
    output_universe_ : ndarray
        Universe of the output.
    output_terms_ : list of str
        Output term names.
    output_membership_functions_ : dict of str to ndarray
        Output membership arrays.
    target_name_ : str
        Output variable name.
    default_prediction_ : float
        Training mean, predicted for rows that fire no rule.
    n_features_in_, feature_names_in_
        As in scikit-learn.

    References
    ----------
    .. [1] Mamdani, E. H., & Assilian, S. (1975). An experiment in linguistic synthesis with a
       fuzzy logic controller. *International Journal of Man-Machine Studies*, 7(1), 1-13.
    .. [2] Wang, L.-X., & Mendel, J. M. (1992). Generating fuzzy rules by learning from
       examples. *IEEE Transactions on Systems, Man, and Cybernetics*, 22(6), 1414-1427.
    """

    _parameter_constraints: dict = {**_MamdaniBase._parameter_constraints}

    def __init__(
        self,
        rules=None,
        *,
        n_terms=3,
        mf_shape="triangular",
        membership_functions=None,
        t_norm="min",
        resolution=201,
        max_rules=None,
        target_name=None,
    ):
        self.rules = rules
        self.n_terms = n_terms
        self.mf_shape = mf_shape
        self.membership_functions = membership_functions
        self.t_norm = t_norm
        self.resolution = resolution
        self.max_rules = max_rules
        self.target_name = target_name

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        """Build the partitions and the rule base.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Numeric inputs (no missing values).
        y : array-like of shape (n_samples,)
            Numeric target.

        Returns
        -------
        self : FuzzyRuleRegressor
            Fitted estimator.
        """
        self.target_name_ = self._target_name(y)
        X, y = validate_data(self, X, y, dtype=np.float64, y_numeric=True)
        self._fit_inputs(X)
        universe, terms, mfs = self._variable(self.target_name_, y, 3)
        self.output_universe_ = universe
        self.output_terms_ = terms
        self.output_membership_functions_ = dict(zip(terms, mfs, strict=True))
        self.default_prediction_ = float(np.mean(y))
        if self.rules is None:
            combos, group, degree = self._wang_mendel_antecedents(X)
            y_mu = fuzzify(y, universe, mfs)
            y_term = np.argmax(y_mu, axis=1)
            degree = degree * y_mu[np.arange(y.shape[0]), y_term]
            # Conflicting rules (same antecedent): keep the consequent of the highest degree.
            order = np.lexsort((-degree, group))
            first = order[np.flatnonzero(np.r_[True, np.diff(group[order]) != 0])]
            support = np.bincount(group, degree, minlength=combos.shape[0])
            keep = np.argsort(-support, kind="stable")
            if self.max_rules is not None:
                keep = keep[: self.max_rules]
            keep = np.sort(keep)
            consequents = [terms[t] for t in y_term[first][keep]]
            rules = self._rules_from_combos(combos[keep], consequents, np.ones(keep.size))
        else:
            rules = list(self.rules)
        self._set_rules(rules)
        return self

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # A grid-partition rule base is weak on many weakly informative inputs (the generic
        # 10-feature regression data of the estimator checks); see the module tests.
        tags.regressor_tags.poor_score = True
        return tags

    def predict(self, X):
        """Defuzzified (centroid) output for each row.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Inputs.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            Predictions; rows that fire no rule get ``default_prediction_``.
        """
        check_is_fitted(self)
        X = validate_data(self, X, dtype=np.float64, reset=False)
        defuzzify = OutputDefuzzifier(
            self.output_universe_, np.vstack(list(self.output_membership_functions_.values()))
        )
        out = np.empty(X.shape[0])
        with threadpool_limits(limits=1, user_api="blas"):
            for start in range(0, X.shape[0], _BLOCK_ROWS):
                _, cuts = self._firing_and_activation(X[start : start + _BLOCK_ROWS])
                out[start : start + _BLOCK_ROWS] = defuzzify(cuts)
        out[np.isnan(out)] = self.default_prediction_
        return out


class FuzzyRuleClassifier(ClassifierMixin, _MamdaniBase):
    """Fuzzy rule-based classifier (Mamdani rules whose consequents are classes).

    Class scores are the accumulated activations (max over the rules of each class of
    firing x weight). ``decision="max_firing"`` predicts the class of highest score (single
    winner, Ishibuchi et al. 1992); ``decision="centroid"`` treats classes as ordered (e.g.
    ratings), places triangular output terms at the class positions, takes the centroid of the
    clipped terms and rounds it to the nearest class, which is a Mamdani system on the ordinal
    target.

    Parameters
    ----------
    rules : list of str or FuzzyRule, or None, default=None
        Rules such as ``"IF tenure IS low AND complaints IS high THEN churn IS 1"`` (the
        consequent term is ``str(class)``); None learns them (Wang-Mendel, rule weight = share
        of the winning class in the antecedent's training firing).
    n_terms : int or dict, default=3
        Terms per input when no membership functions are given.
    mf_shape : {"triangular", "trapezoidal", "gaussian"} or dict, default="triangular"
        Shape of quantile-placed membership functions.
    membership_functions : dict or None, default=None
        ``{input: {term: (shape, params)}}`` with scikit-fuzzy parameters.
    t_norm : {"min", "product"}, default="min"
        AND operator.
    resolution : int, default=201
        Universe points (breakpoints are added).
    max_rules : int or None, default=None
        Keep only the learned rules with the largest total firing.
    decision : {"max_firing", "centroid"}, default="max_firing"
        How a class is chosen from the class scores.
    class_scores : {"max", "sum"}, default="max"
        Class score = max (single winner rule) or sum (additive, Ishibuchi et al. 1999) of the
        weighted firing of the class's rules; "sum" ranks rows more finely (better ROC-AUC).
    target_name : str or None, default=None
        Output variable name used in rules; default the Series name of ``y`` or ``"y"``.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels.
    class_prior_ : ndarray of shape (n_classes,)
        Training class frequencies, used for rows that fire no rule.
    rules_, terms_, universes_, membership_functions_, output_terms_, target_name_
        As in :class:`FuzzyRuleRegressor`; ``output_terms_`` are ``str(class)``.
    output_universe_, output_membership_functions_
        Ordinal output terms (used by ``decision="centroid"`` and the plot).

    References
    ----------
    .. [1] Ishibuchi, H., Nozaki, K., & Tanaka, H. (1992). Distributed representation of fuzzy
       rules and its application to pattern classification. *Fuzzy Sets and Systems*, 52(1),
       21-32.
    .. [2] Wang, L.-X., & Mendel, J. M. (1992). Generating fuzzy rules by learning from
       examples. *IEEE Transactions on Systems, Man, and Cybernetics*, 22(6), 1414-1427.
    .. [3] Ishibuchi, H., Nakashima, T., & Morisawa, T. (1999). Voting in fuzzy rule-based
       systems for pattern classification problems. *Fuzzy Sets and Systems*, 103(2), 223-238.
    """

    _parameter_constraints: dict = {
        **_MamdaniBase._parameter_constraints,
        "decision": [StrOptions({"max_firing", "centroid"})],
        "class_scores": [StrOptions({"max", "sum"})],
    }

    def __init__(
        self,
        rules=None,
        *,
        n_terms=3,
        mf_shape="triangular",
        membership_functions=None,
        t_norm="min",
        resolution=201,
        max_rules=None,
        decision="max_firing",
        class_scores="max",
        target_name=None,
    ):
        self.rules = rules
        self.n_terms = n_terms
        self.mf_shape = mf_shape
        self.membership_functions = membership_functions
        self.t_norm = t_norm
        self.resolution = resolution
        self.max_rules = max_rules
        self.decision = decision
        self.class_scores = class_scores
        self.target_name = target_name

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        """Build the input partitions and the rule base.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Numeric inputs (no missing values).
        y : array-like of shape (n_samples,)
            Class labels.

        Returns
        -------
        self : FuzzyRuleClassifier
            Fitted estimator.
        """
        self.target_name_ = self._target_name(y)
        X, y = validate_data(self, X, y, dtype=np.float64)
        check_classification_targets(y)
        self.classes_, y_index = np.unique(y, return_inverse=True)
        n_classes = self.classes_.shape[0]
        self.class_prior_ = np.bincount(y_index, minlength=n_classes) / y.shape[0]
        self._fit_inputs(X)
        self.output_terms_ = [str(c) for c in self.classes_]
        if len(set(self.output_terms_)) != n_classes:
            raise ValueError(f"class labels {self.classes_!r} are not distinct as strings.")
        positions = np.arange(n_classes, dtype=np.float64)
        if n_classes == 1:
            specs, bounds = [("triangular", [-0.5, 0.0, 0.5])], (-0.5, 0.5)
        else:
            specs, bounds = quantile_partition(positions, n_classes, "triangular")
        self.output_universe_, mfs = build_variable(specs, bounds, self.resolution)
        self.output_membership_functions_ = dict(zip(self.output_terms_, mfs, strict=True))
        if self.rules is None:
            combos, group, degree = self._wang_mendel_antecedents(X)
            class_firing = np.zeros((combos.shape[0], n_classes))
            np.add.at(class_firing, (group, y_index), degree)
            winner = np.argmax(class_firing, axis=1)
            support = class_firing.sum(axis=1)
            confidence = class_firing[np.arange(combos.shape[0]), winner] / np.maximum(
                support, np.finfo(float).tiny
            )
            keep = np.argsort(-support, kind="stable")
            if self.max_rules is not None:
                keep = keep[: self.max_rules]
            keep = np.sort(keep)
            consequents = [self.output_terms_[c] for c in winner[keep]]
            rules = self._rules_from_combos(combos[keep], consequents, confidence[keep])
        else:
            rules = list(self.rules)
        self._set_rules(rules)
        return self

    def _class_scores(self, X):
        check_is_fitted(self)
        X = validate_data(self, X, dtype=np.float64, reset=False)
        scores = np.empty((X.shape[0], self.classes_.shape[0]))
        for start in range(0, X.shape[0], _BLOCK_ROWS):
            _, scores[start : start + _BLOCK_ROWS] = self._firing_and_activation(
                X[start : start + _BLOCK_ROWS], self.class_scores
            )
        return scores

    def predict_proba(self, X):
        """Class scores normalised to sum to 1 (class prior where no rule fires).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Inputs.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Normalised class activations, columns in ``classes_`` order.
        """
        scores = self._class_scores(X)
        total = scores.sum(axis=1, keepdims=True)
        proba = np.where(total > 0, scores / np.where(total > 0, total, 1.0), self.class_prior_)
        return proba

    def predict(self, X):
        """Predicted class for each row.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Inputs.

        Returns
        -------
        labels : ndarray of shape (n_samples,)
            Labels from ``classes_``.
        """
        scores = self._class_scores(X)
        fired = scores.sum(axis=1) > 0
        if self.decision == "centroid":
            mfs = np.vstack(list(self.output_membership_functions_.values()))
            centroid = OutputDefuzzifier(self.output_universe_, mfs)(scores)
            index = np.rint(np.nan_to_num(centroid, nan=0.0)).astype(np.int64)
            index = np.clip(index, 0, self.classes_.shape[0] - 1)
        else:
            index = np.argmax(scores, axis=1)
        index[~fired] = np.argmax(self.class_prior_)
        return self.classes_[index]
