"""Decision rules: LEM2 rule induction and rough-set value-tier rules."""

from __future__ import annotations

import numbers

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin, _fit_context
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from ._core import (
    DecisionTable,
    check_cells,
    class_decision_counts,
    positive_classes,
)
from ._discretize import RoughSetDiscretizer

__all__ = ["LEM2Classifier", "ValueTierRuleRegressor"]


def _lem2_cover(pair_ids, pair_attribute, block_size, concept):
    """Grzymala-Busse's LEM2: a minimal local covering of the row set ``concept``.

    Parameters
    ----------
    pair_ids : ndarray of int, shape (n_rows, n_attributes)
        Global id of the attribute-value pair (a, v) of every cell.
    pair_attribute : ndarray of int, shape (n_pairs,)
        Attribute position of every pair id.
    block_size : ndarray of int, shape (n_pairs,)
        |[(a, v)]|, the number of rows of every pair's block.
    concept : ndarray of bool, shape (n_rows,)
        The set B to cover (a lower or an upper approximation).

    Returns
    -------
    rules : list of list of int
        Pair ids (conditions) of every rule; each rule's block lies inside ``concept``.
    """
    n_pairs = block_size.shape[0]

    def matches(conditions):
        cover = np.ones(pair_ids.shape[0], dtype=bool)
        for t in conditions:
            cover &= pair_ids[:, pair_attribute[t]] == t
        return cover

    uncovered = concept.copy()
    rules, covers = [], []
    while uncovered.any():
        conditions: list[int] = []
        cover = np.ones(pair_ids.shape[0], dtype=bool)
        goal = uncovered.copy()
        while not conditions or (cover & ~concept).any():
            relevance = np.bincount(pair_ids[goal].ravel(), minlength=n_pairs)
            used = np.isin(pair_attribute, pair_attribute[conditions])
            relevance[used] = 0
            if relevance.max() == 0:  # cannot refine further (only for inconsistent input)
                break
            # most relevant pair; ties -> smallest block; then lowest id
            order = np.lexsort((np.arange(n_pairs), block_size, -relevance))
            t = int(order[0])
            conditions.append(t)
            cover &= pair_ids[:, pair_attribute[t]] == t
            goal &= cover
        for t in list(conditions):
            if len(conditions) == 1:
                break
            trial = [s for s in conditions if s != t]
            if not (matches(trial) & ~concept).any():
                conditions = trial
        cover = matches(conditions)
        rules.append(sorted(conditions, key=lambda s: pair_attribute[s]))
        covers.append(cover & concept)
        uncovered &= ~cover
    # drop rules whose rows are all covered by the other rules
    times_covered = np.sum(covers, axis=0) if covers else np.zeros(concept.shape, dtype=int)
    kept = []
    for rule, cover in zip(rules, covers, strict=True):
        if cover.any() and (times_covered[cover] >= 2).all():
            times_covered = times_covered - cover
        else:
            kept.append(rule)
    return kept


class LEM2Classifier(ClassifierMixin, BaseEstimator):
    """Rough-set rule classifier: LEM2 rules from lower and upper approximations.

    Certain rules are induced from the lower approximation of every decision class (on the
    training data they only cover rows of that class); possible rules from the upper
    approximation (they may cover boundary rows of other classes). A row is classified by
    the certain rules that match it, each voting for its decision with weight
    support x confidence; rows no certain rule matches are voted on by the possible rules,
    and rows no rule matches get the default rule (the class distribution of the training
    data). Every column is categorical: put :class:`RoughSetDiscretizer` in front for
    numeric data, in a pipeline with ``set_output(transform="pandas")`` so the rules name
    the columns.

    Parameters
    ----------
    possible_rules : bool, default=True
        Also induce possible rules from the upper approximations.
    beta : float in (0.5, 1], default=1.0
        Precision of the approximations (below 1: variable-precision lower approximations,
        so "certain" rules may have confidence >= beta instead of 1).
    min_support : int, default=1
        Rules that match fewer training rows of their decision are dropped.

    Attributes
    ----------
    classes_ : ndarray
        Decision classes.
    rules_ : list of dict
        Every rule: ``conditions`` (list of (attribute name, value)), ``decision``, ``type``
        ("certain" or "possible"), ``support``, ``matches``, ``confidence``, ``coverage``
        and ``laplace``.
    class_prior_ : ndarray
        Class frequencies (the default rule).
    decision_name_ : str
        Name of the decision in rule text (``y.name`` for a named Series).
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Only when X has string column names.

    References
    ----------
    Grzymala-Busse, J. W. (1997). A new version of the rule induction system LERS.
    Fundamenta Informaticae, 31(1), 27-39.
    Grzymala-Busse, J. W. (1992). LERS - a system for learning from examples based on rough
    sets. In Intelligent Decision Support (pp. 3-18). Springer.
    """

    _parameter_constraints: dict = {
        "possible_rules": ["boolean"],
        "beta": [Interval(numbers.Real, 0.5, 1, closed="right")],
        "min_support": [Interval(numbers.Integral, 1, None, closed="left")],
    }

    def __init__(self, possible_rules=True, beta=1.0, min_support=1):
        self.possible_rules = possible_rules
        self.beta = beta
        self.min_support = min_support

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.categorical = True
        tags.input_tags.string = True
        return tags

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        """Induce certain (and possible) rules for every decision class.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features)
            Categorical condition attributes (discretize numeric columns first).
        y : array-like of shape (n_samples,)
            Decision classes.

        Returns
        -------
        self : LEM2Classifier
        """
        beta = float(self.beta)
        name = getattr(y, "name", None)
        self.decision_name_ = str(name) if name is not None else "decision"
        X, y = validate_data(self, X, y, dtype=None, ensure_all_finite=False)
        check_classification_targets(y)
        names = (
            list(self.feature_names_in_)
            if hasattr(self, "feature_names_in_")
            else [f"x{j}" for j in range(X.shape[1])]
        )
        check_cells(X, names)
        self.classes_, y_index = np.unique(y, return_inverse=True)
        if self.classes_.size < 2:
            raise ValueError(
                f"y has only one class ({self.classes_[0]!r}); a rule classifier needs at "
                f"least 2 decision classes."
            )
        table = DecisionTable(pd.DataFrame(X, columns=names), y_index)
        self._categories = [pd.Index(c) for c in table.categories]
        offsets = np.concatenate([[0], np.cumsum(table.cardinalities)[:-1]])
        pair_ids = table.codes + offsets
        pair_attribute = np.repeat(np.arange(len(names)), table.cardinalities)
        pair_value = np.concatenate([np.arange(c) for c in table.cardinalities])
        block_size = np.bincount(pair_ids.ravel(), minlength=pair_attribute.size)

        labels, n_labels = table.partition(range(len(names)))
        n_classes = self.classes_.size
        counts = class_decision_counts(labels, n_labels, y_index, n_classes)
        sizes = counts.sum(axis=1).astype(np.float64)
        class_sizes = np.bincount(y_index, minlength=n_classes)
        self.class_prior_ = class_sizes / class_sizes.sum()
        self.rules_ = []
        self._rule_conditions = []  # (attribute positions, category codes) per rule
        for d in range(n_classes):
            lower = (counts[:, d] >= beta * sizes * (1 - 1e-12))[labels]
            upper = (counts[:, d] > (1 - beta) * sizes * (1 + 1e-12))[labels]
            induced = [("certain", lower)]
            if self.possible_rules and (upper & ~lower).any():
                induced.append(("possible", upper))
            certain_sets = []
            for rule_type, concept in induced:
                if not concept.any():
                    continue
                for conditions in _lem2_cover(pair_ids, pair_attribute, block_size, concept):
                    if rule_type == "possible" and set(conditions) in certain_sets:
                        continue
                    if rule_type == "certain":
                        certain_sets.append(set(conditions))
                    self._add_rule(
                        conditions, d, rule_type, pair_ids, pair_attribute, pair_value,
                        y_index, class_sizes, names,
                    )  # fmt: skip
        self._positive_share = float(sizes[positive_classes(counts, beta)].sum() / sizes.sum())
        return self

    def _add_rule(
        self, conditions, d, rule_type, pair_ids, pair_attribute, pair_value, y_index,
        class_sizes, names,
    ):  # fmt: skip
        cover = np.ones(pair_ids.shape[0], dtype=bool)
        for t in conditions:
            cover &= pair_ids[:, pair_attribute[t]] == t
        n_match = int(cover.sum())
        support = int((cover & (y_index == d)).sum())
        if support < self.min_support:
            return
        attributes = [int(pair_attribute[t]) for t in conditions]
        codes = [int(pair_value[t]) for t in conditions]
        self._rule_conditions.append((attributes, codes))
        values = [self._categories[a][c] for a, c in zip(attributes, codes, strict=True)]
        values = [v.item() if isinstance(v, np.generic) else v for v in values]
        decision = self.classes_[d]
        self.rules_.append(
            {
                "conditions": [(names[a], v) for a, v in zip(attributes, values, strict=True)],
                "decision": decision.item() if isinstance(decision, np.generic) else decision,
                "decision_index": d,
                "type": rule_type,
                "support": support,
                "matches": n_match,
                "confidence": support / n_match,
                "coverage": support / int(class_sizes[d]),
                "laplace": (support + 1) / (n_match + self.classes_.size),
            }
        )

    def _feature_names(self, X):
        if hasattr(self, "feature_names_in_"):
            return list(self.feature_names_in_)
        return [f"x{j}" for j in range(X.shape[1])]

    def _encode(self, X) -> np.ndarray:
        """Category codes of X under the training categories (-1 = unseen value)."""
        codes = np.empty(X.shape, dtype=np.int64)
        for j, categories in enumerate(self._categories):
            codes[:, j] = categories.get_indexer(pd.Index(X[:, j]))
        return codes

    def rule_matches(self, X) -> np.ndarray:
        """Which rules match which rows.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features)

        Returns
        -------
        matches : ndarray of bool, shape (n_samples, n_rules)
            Column r is True where ``rules_[r]`` fires.
        """
        check_is_fitted(self, "rules_")
        X = validate_data(self, X, dtype=None, ensure_all_finite=False, reset=False)
        check_cells(X, self._feature_names(X))
        codes = self._encode(X)
        matches = np.ones((X.shape[0], len(self.rules_)), dtype=bool)
        for r, (attributes, values) in enumerate(self._rule_conditions):
            for a, v in zip(attributes, values, strict=True):
                matches[:, r] &= codes[:, a] == v
        return matches

    def predict_proba(self, X):
        """Class probabilities from rule votes (certain rules first, then possible rules,
        then the default rule), smoothed towards the class prior.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features)

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
        """
        matches = self.rule_matches(X)
        n_classes = self.classes_.size
        weight = np.array([r["support"] * r["confidence"] for r in self.rules_], dtype=float)
        to_class = np.zeros((len(self.rules_), n_classes))
        if self.rules_:
            to_class[np.arange(len(self.rules_)), [r["decision_index"] for r in self.rules_]] = 1
        is_certain = np.array([r["type"] == "certain" for r in self.rules_], dtype=bool)
        scores = np.zeros((matches.shape[0], n_classes))
        undecided = np.ones(matches.shape[0], dtype=bool)
        for level in (is_certain, ~is_certain):
            if not level.any():
                continue
            level_scores = (matches[:, level] * weight[level]) @ to_class[level]
            fired = undecided & (level_scores.sum(axis=1) > 0)
            scores[fired] = level_scores[fired]
            undecided &= ~fired
        proba = (scores + self.class_prior_) / (scores.sum(axis=1, keepdims=True) + 1.0)
        return proba

    def predict(self, X):
        """Predicted decision class per row.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features)

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
        """
        check_is_fitted(self, "rules_")
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]

    def rules_frame(self) -> pd.DataFrame:
        """The rule set as a readable table, certain rules first, by support.

        Returns
        -------
        rules : DataFrame
            Columns ``rule`` (text such as ``IF Tenure in [0, 2) AND Complain = 1 THEN
            Churn = 1 | support 212 | confidence 0.91``), ``type``, ``decision``,
            ``conditions``, ``support``, ``matches``, ``confidence``, ``coverage``,
            ``laplace``.
        """
        check_is_fitted(self, "rules_")
        rows = []
        for rule in self.rules_:
            parts = []
            for attribute, value in rule["conditions"]:
                text = str(value)
                is_interval = text[:1] in "([" and text.endswith(")") and ", " in text
                parts.append(f"{attribute} {'in' if is_interval else '='} {text}")
            conditions = " AND ".join(parts)
            text = (
                f"IF {conditions} THEN {self.decision_name_} = {rule['decision']} | support "
                f"{rule['support']} | confidence {rule['confidence']:.2f}"
            )
            rows.append(
                {
                    "rule": text,
                    "type": rule["type"],
                    "decision": rule["decision"],
                    "conditions": conditions,
                    **{k: rule[k] for k in ("support", "matches", "confidence")},
                    **{k: rule[k] for k in ("coverage", "laplace")},
                }
            )
        columns = ["rule", "type", "decision", "conditions", "support", "matches"]
        frame = pd.DataFrame(rows, columns=[*columns, "confidence", "coverage", "laplace"])
        order = frame["type"].map({"certain": 0, "possible": 1})
        return (
            frame.assign(_order=order)
            .sort_values(["_order", "support"], ascending=[True, False], kind="stable")
            .drop(columns="_order")
            .reset_index(drop=True)
        )


class ValueTierRuleRegressor(RegressorMixin, BaseEstimator):
    """Rough-set value-tier rules: which conditions certainly or possibly make a top customer.

    Customers whose future value (one target column, e.g. holdout spend) is in the top
    ``top_fraction`` (the 80/20 "golden" customers) form the decision class ``"top"``, the
    rest ``"rest"``. The features are discretized and a :class:`LEM2Classifier` induces
    certain rules (conditions that, in the training data, only top customers meet) and
    possible rules (conditions some top customers meet). The numeric prediction of every
    target column is the tier-probability-weighted mean of that column in each tier, so the
    model also fits the value-prediction protocol (``fit(X, y)``, ``predict(X)`` -> (n, k)).

    Parameters
    ----------
    top_fraction : float in (0, 1), default=0.2
        Share of customers in the top tier.
    tier_target : int, default=-1
        Column of ``y`` that defines the tier (default: the last one, e.g. ``test_spend``).
    method : {"quantile", "uniform", "maxdiscernibility"}, default="quantile"
        Discretization of the numeric features (see :class:`RoughSetDiscretizer`).
    n_bins : int, default=4
        Intervals per numeric feature for quantile / uniform discretization.
    min_support : int, default=2
        Smallest support of a kept rule.

    Attributes
    ----------
    threshold_ : float
        Value of the tier target that separates the top tier.
    discretizer_ : RoughSetDiscretizer
    rule_classifier_ : LEM2Classifier
        The fitted tier rules (``rules_frame()`` shows them).
    tier_means_ : ndarray of shape (2, n_outputs)
        Mean target values of the rest (row 0) and top (row 1) tiers.

    References
    ----------
    Grzymala-Busse, J. W. (1997). A new version of the rule induction system LERS.
    Fundamenta Informaticae, 31(1), 27-39.
    Pawlak, Z. (1982). Rough sets. International Journal of Computer and Information
    Sciences, 11(5), 341-356.
    """

    _parameter_constraints: dict = {
        "top_fraction": [Interval(numbers.Real, 0, 1, closed="neither")],
        "tier_target": [numbers.Integral],
        # checked here: the discretizer and the rule classifier are fitted without checking
        # their parameters again
        "method": [StrOptions({"quantile", "uniform", "maxdiscernibility"})],
        "n_bins": [Interval(numbers.Integral, 2, None, closed="left")],
        "min_support": [Interval(numbers.Integral, 1, None, closed="left")],
    }

    def __init__(
        self, top_fraction=0.2, tier_target=-1, method="quantile", n_bins=4, min_support=2
    ):
        self.top_fraction = top_fraction
        self.tier_target = tier_target
        self.method = method
        self.n_bins = n_bins
        self.min_support = min_support

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        tags.regressor_tags.poor_score = True
        tags.input_tags.categorical = True
        tags.input_tags.string = True
        tags.input_tags.allow_nan = True
        return tags

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        """Label the top tier and induce its rules.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features)
            Customer features (numeric and categorical).
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Future value targets (e.g. ``[test_frequency, test_spend]``).

        Returns
        -------
        self : ValueTierRuleRegressor
        """
        X_checked, y_checked = validate_data(
            self, X, y, dtype=None, ensure_all_finite=False, multi_output=True, y_numeric=True
        )
        y_2d = y_checked.reshape(y_checked.shape[0], -1).astype(np.float64)
        self._single_output = y_checked.ndim == 1
        try:
            target = y_2d[:, self.tier_target]
        except IndexError:
            raise ValueError(
                f"tier_target={self.tier_target} is not a column of y with {y_2d.shape[1]} "
                f"column(s)."
            ) from None
        self.threshold_ = float(np.quantile(target, 1 - self.top_fraction))
        top = target >= self.threshold_
        if top.all():
            top = target > self.threshold_
        if not top.any() or top.all():
            raise ValueError(
                "the tier target has a single value, so there is only one class of customers; "
                "a value tier needs at least 2 distinct target values."
            )
        tier = pd.Series(np.where(top, "top", "rest"), name="value_tier")
        frame = pd.DataFrame(X_checked, columns=self._names(X_checked))
        self.discretizer_ = RoughSetDiscretizer(
            method=self.method, n_bins=self.n_bins, handle_missing="category"
        )
        discrete = self.discretizer_.fit_transform(frame, tier)
        self.rule_classifier_ = LEM2Classifier(min_support=self.min_support).fit(
            pd.DataFrame(discrete, columns=frame.columns), tier
        )
        self.tier_means_ = np.vstack([y_2d[~top].mean(axis=0), y_2d[top].mean(axis=0)])
        return self

    def _names(self, X):
        if hasattr(self, "feature_names_in_"):
            return list(self.feature_names_in_)
        return [f"x{j}" for j in range(X.shape[1])]

    def predict_tier_proba(self, X) -> np.ndarray:
        """Probability that each customer belongs to the top tier.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features)

        Returns
        -------
        proba : ndarray of shape (n_samples,)
        """
        check_is_fitted(self, "rule_classifier_")
        X = validate_data(self, X, dtype=None, ensure_all_finite=False, reset=False)
        frame = pd.DataFrame(X, columns=self._names(X))
        discrete = pd.DataFrame(self.discretizer_.transform(frame), columns=frame.columns)
        proba = self.rule_classifier_.predict_proba(discrete)
        return proba[:, list(self.rule_classifier_.classes_).index("top")]

    def predict(self, X):
        """Tier-weighted mean of every target column.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features)

        Returns
        -------
        y_pred : ndarray of shape (n_samples,) or (n_samples, n_outputs)
        """
        p_top = self.predict_tier_proba(X)[:, None]
        prediction = (1 - p_top) * self.tier_means_[0] + p_top * self.tier_means_[1]
        return prediction.ravel() if self._single_output else prediction

    def rules_frame(self) -> pd.DataFrame:
        """The tier rules as a readable table (see :meth:`LEM2Classifier.rules_frame`).

        Returns
        -------
        rules : DataFrame
        """
        check_is_fitted(self, "rule_classifier_")
        return self.rule_classifier_.rules_frame()
