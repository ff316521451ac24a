"""Genetic fuzzy system: GA lateral tuning of the terms and rule selection of a Wang-Mendel base.

The hybrid lives with its optimizer (the GA) and uses only the public API of
:mod:`ecrm_methods.fuzzy`: the rule base is learned by :class:`~ecrm_methods.fuzzy.FuzzyRuleClassifier`
(Wang & Mendel 1992), the partitions come from :func:`~ecrm_methods.fuzzy.quantile_partition`,
firing strengths from :meth:`~ecrm_methods.fuzzy.FuzzyRuleClassifier.rule_firing_strengths`, and
the result is again a :class:`~ecrm_methods.fuzzy.FuzzyRuleClassifier` a person can print.
"""

from __future__ import annotations

import numbers

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin, _fit_context
from sklearn.metrics import accuracy_score, balanced_accuracy_score, roc_auc_score
from sklearn.model_selection import StratifiedKFold
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from ecrm_methods.fuzzy import FuzzyRule, FuzzyRuleClassifier, quantile_partition

from ._base import (
    evolve,
    fitness_sample,
    logbook_to_frame,
    seed_from_random_state,
    seeded_deap_random,
)

__all__ = ["GAFuzzyRuleTuner"]

#: Largest lateral displacement of a term, in units of the distance to its neighbour term
#: (the 2-tuple representation of Alcala et al. 2007).
MAX_DISPLACEMENT = 0.5


def _displaced_specs(specs, bounds, alphas):
    """Term specs shifted sideways: term k moves by ``alphas[k]`` x its neighbour distance.

    Every parameter of a term moves with it except a shoulder's outer bound, which stays at the
    universe edge; parameters are clipped to the universe and kept non-decreasing.
    """
    low, high = bounds
    peaks = np.array(
        [np.mean(params[1:3]) if len(params) == 4 else params[1] for _, params in specs]
    )
    gaps = np.diff(peaks)
    shifted = []
    for k, (shape, params) in enumerate(specs):
        neighbour_gaps = gaps[max(k - 1, 0) : k + 1]
        distance = float(np.mean(neighbour_gaps)) if neighbour_gaps.size else 0.0
        delta = float(alphas[k]) * distance
        moved = np.asarray(params, dtype=np.float64) + delta
        if shape == "trapezoidal" and k == 0:
            moved[:2] = params[:2]  # the left shoulder keeps its outer edge
        if shape == "trapezoidal" and k == len(specs) - 1:
            moved[2:] = params[2:]  # the right shoulder keeps its outer edge
        moved = np.maximum.accumulate(np.clip(moved, low, high))
        shifted.append((shape, [float(p) for p in moved]))
    return shifted


class GAFuzzyRuleTuner(ClassifierMixin, BaseEstimator):
    """Genetic fuzzy rule classifier: lateral tuning of the terms plus rule selection.

    A Wang-Mendel rule base is learned first (:class:`~ecrm_methods.fuzzy.FuzzyRuleClassifier`,
    the ``max_base_rules`` best supported rules). A GA then searches, jointly, a lateral
    displacement of every linguistic term (each term slides by at most half the distance to
    its neighbour, keeping its shape; Alcala, Alcala-Fdez & Herrera 2007) and a subset of the
    rules (one bit per rule; Ishibuchi et al. 1995). The fitness of a chromosome is its
    ``cv``-fold cross-validated ``scoring`` on the training data minus ``rule_penalty`` per
    selected rule: in each inner fold the consequent class and weight (confidence) of every
    selected rule are re-estimated from the fold's training rows with the displaced terms and
    the score is taken on the fold's held-out rows. The original base (no displacement, every
    rule) is in the first population, so the result never has a worse fitness than it.

    Parameters
    ----------
    n_terms : int, default=3
        Terms per input (``low / medium / high``), placed at quantiles.
    mf_shape : {"triangular", "trapezoidal"}, default="triangular"
        Shape of the terms.
    t_norm : {"min", "product"}, default="product"
        AND operator of the rules.
    class_scores : {"max", "sum"}, default="sum"
        Class score = max (single winner) or sum of the weighted firing of the class's rules.
    max_base_rules : int, default=100
        Wang-Mendel rules offered to the GA (the best supported).
    scoring : {"roc_auc", "accuracy", "balanced_accuracy"}, default="roc_auc"
        Inner cross-validated score (ROC-AUC is one-vs-rest macro for several classes).
    cv : int, default=3
        Inner stratified folds of the fitness.
    rule_penalty : float, default=0.002
        Subtracted from the score per selected rule (0.002: ten rules must buy 0.02 of score).
    tune_memberships : bool, default=True
        Search the lateral displacements; False selects rules only.
    population_size : int, default=30
        Individuals per generation.
    generations : int, default=30
        Maximum number of generations.
    crossover_proba : float, default=0.8
        Probability that a pair of parents is recombined (BLX-0.5 on the displacements,
        uniform on the rule bits).
    mutation_proba : float, default=0.3
        Probability that an individual is mutated (Gaussian displacement noise on one term in
        four, one rule bit flipped on average).
    patience : int or None, default=8
        Stop after this many generations without improvement (None: never).
    max_samples : int or None, default=None
        Compute the fitness on a stratified, seeded sample of at most this many rows (the
        base rules and the final consequents always use every row); None: every row.
    resolution : int, default=101
        Universe points of each input of the fuzzy classifiers.
    random_state : int, RandomState instance or None, default=None
        Seeds the inner folds, the initial population and the GA.
    verbose : int, default=0
        0 hides the progress bar.

    Attributes
    ----------
    best_estimator_ : FuzzyRuleClassifier
        The tuned, compact rule base fitted on the training data (``rules_`` prints it).
    base_estimator_ : FuzzyRuleClassifier
        The Wang-Mendel base the GA started from.
    n_base_rules_ : int
        Rules of the base.
    n_rules_ : int
        Rules of ``best_estimator_``.
    selected_rules_ : ndarray of bool of shape (n_base_rules_,)
        Which base rules were kept.
    displacements_ : pandas.DataFrame
        ``input, term, alpha, shift`` (shift in the units of the input) of every term.
    tuned_membership_functions_ : dict
        ``{input: {term: (shape, params)}}`` of the tuned terms (scikit-fuzzy parameters, as
        :class:`~ecrm_methods.fuzzy.FuzzyRuleClassifier` takes them).
    best_score_ : float
        Inner cross-validated score of the result (without the penalty).
    best_fitness_ : float
        Its fitness (score minus penalty).
    base_score_ : float
        Inner cross-validated score of the base (every rule, no displacement).
    classes_ : ndarray of shape (n_classes,)
        Class labels.
    logbook_ : deap.tools.Logbook
        Per-generation ``gen, nevals, min, mean, max, best``.
    n_generations_ : int
        Generations run.
    n_features_in_ : int
        Number of features seen in ``fit``.
    feature_names_in_ : ndarray of str
        Feature names, when ``X`` was a DataFrame with string column names.

    References
    ----------
    .. [1] Cordon, O., Herrera, F., Hoffmann, F. & Magdalena, L. (2001). *Genetic Fuzzy
       Systems: Evolutionary Tuning and Learning of Fuzzy Knowledge Bases*. World Scientific.
    .. [2] Alcala, R., Alcala-Fdez, J. & Herrera, F. (2007). A proposal for the genetic lateral
       tuning of linguistic fuzzy systems and its interaction with rule selection. *IEEE
       Transactions on Fuzzy Systems* 15(4), 616-635.
    .. [3] Ishibuchi, H., Nozaki, K., Yamamoto, N. & Tanaka, H. (1995). Selecting fuzzy
       if-then rules for classification problems using genetic algorithms. *IEEE Transactions
       on Fuzzy Systems* 3(3), 260-270.
    .. [4] Wang, L.-X. & Mendel, J. M. (1992). Generating fuzzy rules by learning from
       examples. *IEEE Transactions on Systems, Man, and Cybernetics* 22(6), 1414-1427.

    Examples
    --------
    >>> import numpy as np
    >>> import pandas as pd
    >>> from ecrm_methods.genetic import GAFuzzyRuleTuner
    >>> rng = np.random.default_rng(0)
    >>> X = pd.DataFrame(rng.uniform(0, 1, size=(300, 3)), columns=["tenure", "spend", "noise"])
    >>> y = pd.Series((X.tenure < 0.3).astype(int), name="churn")
    >>> tuner = GAFuzzyRuleTuner(population_size=10, generations=5, random_state=0).fit(X, y)
    >>> tuner.n_rules_ < tuner.n_base_rules_
    True
    >>> print(tuner.best_estimator_.rules_[0])  # doctest: +SKIP
    IF tenure IS low AND spend IS medium AND noise IS high THEN churn IS 1 WITH 0.9
    """

    _parameter_constraints: dict = {
        "n_terms": [Interval(numbers.Integral, 2, 7, closed="both")],
        "mf_shape": [StrOptions({"triangular", "trapezoidal"})],
        "t_norm": [StrOptions({"min", "product"})],
        "class_scores": [StrOptions({"max", "sum"})],
        "max_base_rules": [Interval(numbers.Integral, 1, None, closed="left")],
        "scoring": [StrOptions({"roc_auc", "accuracy", "balanced_accuracy"})],
        "cv": [Interval(numbers.Integral, 2, None, closed="left")],
        "rule_penalty": [Interval(numbers.Real, 0, None, closed="left")],
        "tune_memberships": ["boolean"],
        "population_size": [Interval(numbers.Integral, 2, None, closed="left")],
        "generations": [Interval(numbers.Integral, 0, None, closed="left")],
        "crossover_proba": [Interval(numbers.Real, 0, 1, closed="both")],
        "mutation_proba": [Interval(numbers.Real, 0, 1, closed="both")],
        "patience": [Interval(numbers.Integral, 1, None, closed="left"), None],
        "max_samples": [Interval(numbers.Integral, 10, None, closed="left"), None],
        "resolution": [Interval(numbers.Integral, 3, None, closed="left")],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        n_terms=3,
        mf_shape="triangular",
        t_norm="product",
        class_scores="sum",
        max_base_rules=100,
        scoring="roc_auc",
        cv=3,
        rule_penalty=0.002,
        tune_memberships=True,
        population_size=30,
        generations=30,
        crossover_proba=0.8,
        mutation_proba=0.3,
        patience=8,
        max_samples=None,
        resolution=101,
        random_state=None,
        verbose=0,
    ):
        self.n_terms = n_terms
        self.mf_shape = mf_shape
        self.t_norm = t_norm
        self.class_scores = class_scores
        self.max_base_rules = max_base_rules
        self.scoring = scoring
        self.cv = cv
        self.rule_penalty = rule_penalty
        self.tune_memberships = tune_memberships
        self.population_size = population_size
        self.generations = generations
        self.crossover_proba = crossover_proba
        self.mutation_proba = mutation_proba
        self.patience = patience
        self.max_samples = max_samples
        self.resolution = resolution
        self.random_state = random_state
        self.verbose = verbose

    def _input_names(self):
        if hasattr(self, "feature_names_in_"):
            return [str(name) for name in self.feature_names_in_]
        return [f"x{j}" for j in range(self.n_features_in_)]

    def _rule_classifier(self, rules=None, membership_functions=None, max_rules=None):
        return FuzzyRuleClassifier(
            rules=rules,
            n_terms=self.n_terms,
            mf_shape=self.mf_shape,
            membership_functions=membership_functions,
            t_norm=self.t_norm,
            resolution=self.resolution,
            max_rules=max_rules,
            class_scores=self.class_scores,
            target_name=self.target_name_,
        )

    def _class_scores(self, firing, winner, confidence, selected):
        """Class scores (n_rows, n_classes) of the selected rules."""
        weighted = firing[:, selected] * confidence[selected]
        classes = winner[selected]
        scores = np.zeros((firing.shape[0], self.classes_.shape[0]))
        for k in range(self.classes_.shape[0]):
            block = weighted[:, classes == k]
            if block.shape[1]:
                scores[:, k] = block.sum(axis=1) if self.class_scores == "sum" else block.max(1)
        return scores

    def _score(self, y_index, scores, prior):
        total = scores.sum(axis=1, keepdims=True)
        proba = np.where(total > 0, scores / np.where(total > 0, total, 1.0), prior)
        if self.scoring == "roc_auc":
            if proba.shape[1] == 2:
                return roc_auc_score(y_index, proba[:, 1])
            present = np.unique(y_index)
            if present.shape[0] < 2:
                return 0.5
            sub = proba[:, present] + 1e-12
            sub /= sub.sum(axis=1, keepdims=True)
            if present.shape[0] == 2:
                return roc_auc_score(y_index == present[1], sub[:, 1])
            return roc_auc_score(y_index, sub, multi_class="ovr", labels=present)
        predicted = np.argmax(proba, axis=1)
        if self.scoring == "accuracy":
            return accuracy_score(y_index, predicted)
        return balanced_accuracy_score(y_index, predicted)

    def _consequents(self, firing, y_index):
        """Winning class and confidence of each rule from the rows' firing (Ishibuchi)."""
        n_classes = self.classes_.shape[0]
        class_firing = np.zeros((n_classes, firing.shape[1]))
        for k in range(n_classes):
            class_firing[k] = firing[y_index == k].sum(axis=0)
        winner = np.argmax(class_firing, axis=0)
        total = class_firing.sum(axis=0)
        confidence = class_firing[winner, np.arange(firing.shape[1])] / np.maximum(
            total, np.finfo(float).tiny
        )
        return winner, confidence

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        """Learn the Wang-Mendel base, then tune and select it with the GA.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Numeric inputs without missing values.
        y : array-like of shape (n_samples,)
            Class labels (at least two classes).

        Returns
        -------
        self : GAFuzzyRuleTuner
            The fitted tuner.
        """
        name = getattr(y, "name", None)
        self.target_name_ = str(name) if name is not None else "y"
        X, y = validate_data(self, X, y, dtype=np.float64)
        check_classification_targets(y)
        self.classes_, y_index = np.unique(y, return_inverse=True)
        n_classes = self.classes_.shape[0]
        if n_classes < 2:
            raise ValueError(
                f"{type(self).__name__} needs at least 2 classes in y, got 1 class "
                f"({self.classes_[0]!r}); check the target column or the training split."
            )
        counts = np.bincount(y_index)
        if self.max_samples is not None and y_index.shape[0] > self.max_samples:
            counts = np.floor(counts * self.max_samples / y_index.shape[0])
        n_splits = int(min(self.cv, counts.min()))
        if n_splits < 2:
            raise ValueError(
                f"the smallest class of y has {counts.min()} row(s); the inner {self.cv}-fold "
                "cross-validation needs at least 2 per class. Pass more rows or lower cv."
            )
        seed = seed_from_random_state(self.random_state)
        rng = np.random.default_rng(seed)
        names = self._input_names()
        frame = pd.DataFrame(X, columns=names)
        labels = pd.Series(self.classes_[y_index], name=self.target_name_)

        self.base_estimator_ = self._rule_classifier(max_rules=self.max_base_rules).fit(
            frame, labels
        )
        base_rules = list(self.base_estimator_.rules_)
        n_rules = len(base_rules)
        self.n_base_rules_ = n_rules
        partitions = [
            quantile_partition(X[:, j], self.n_terms, self.mf_shape) for j in range(X.shape[1])
        ]
        term_names = [list(self.base_estimator_.terms_[n]) for n in names]
        n_alphas = sum(len(specs) for specs, _ in partitions) if self.tune_memberships else 0
        # the fitness is computed on a stratified sample of at most max_samples rows
        fitness_rows = fitness_sample(
            X.shape[0], self.max_samples, seed, stratify=y_index, owner=type(self).__name__
        )
        y_fitness = y_index[fitness_rows]
        folds = list(
            StratifiedKFold(n_splits, shuffle=True, random_state=seed).split(
                fitness_rows, y_fitness
            )
        )
        prior = np.bincount(y_index, minlength=n_classes) / y_index.shape[0]

        def membership_functions(alphas):
            out, offset = {}, 0
            for j, (specs, bounds) in enumerate(partitions):
                k = len(specs)
                shifted = (
                    specs
                    if alphas is None
                    else _displaced_specs(specs, bounds, alphas[offset : offset + k])
                )
                offset += k
                out[names[j]] = dict(zip(term_names[j], shifted, strict=True))
            return out

        firing_cache: dict[bytes, np.ndarray] = {}

        def firing_of(alphas, rows=fitness_rows):
            key = np.round(alphas, 6).tobytes() if alphas is not None else b""
            if rows is not fitness_rows:
                key += b"all rows"
            if key not in firing_cache:
                if len(firing_cache) > 64:
                    firing_cache.clear()
                model = self._rule_classifier(base_rules, membership_functions(alphas))
                model.fit(frame, labels)
                firing_cache[key] = model.rule_firing_strengths(frame.iloc[rows]).to_numpy()
            return firing_cache[key]

        def split_genes(genes):
            alphas = genes[:n_alphas] if n_alphas else None
            return alphas, genes[n_alphas:] > 0.5

        score_cache: dict[bytes, tuple[float, float]] = {}

        def cv_score(genes):
            key = np.round(genes, 6).tobytes()
            if key not in score_cache:
                alphas, selected = split_genes(genes)
                if not selected.any():
                    score_cache[key] = (-np.inf, -np.inf)
                else:
                    firing = firing_of(alphas)
                    scores = []
                    for train, test in folds:
                        winner, confidence = self._consequents(firing[train], y_fitness[train])
                        class_scores = self._class_scores(
                            firing[test], winner, confidence, selected
                        )
                        scores.append(self._score(y_fitness[test], class_scores, prior))
                    score = float(np.mean(scores))
                    score_cache[key] = (score, score - self.rule_penalty * int(selected.sum()))
            return score_cache[key]

        def evaluate(batch):
            return [cv_score(genes)[1] for genes in batch]

        def repair(genes):
            genes = genes.copy()
            genes[:n_alphas] = np.clip(genes[:n_alphas], -MAX_DISPLACEMENT, MAX_DISPLACEMENT)
            bits = genes[n_alphas:] > 0.5
            if not bits.any():
                bits[rng.integers(n_rules)] = True
            genes[n_alphas:] = bits
            return genes

        def crossover(first, second, rng):
            child_one, child_two = first.copy(), second.copy()
            if n_alphas:
                gamma = 2.0 * rng.random(n_alphas) - 0.5  # BLX-0.5, as deap.tools.cxBlend
                a, b = first[:n_alphas], second[:n_alphas]
                child_one[:n_alphas] = (1 - gamma) * a + gamma * b
                child_two[:n_alphas] = gamma * a + (1 - gamma) * b
            swap = rng.random(n_rules) < 0.5
            child_one[n_alphas:][swap] = second[n_alphas:][swap]
            child_two[n_alphas:][swap] = first[n_alphas:][swap]
            return child_one, child_two

        def mutate(genes, rng):
            genes = genes.copy()
            if n_alphas:
                which = rng.random(n_alphas) < 0.25
                genes[:n_alphas] += which * rng.normal(0.0, 0.15, n_alphas)
            flips = rng.random(n_rules) < 1.0 / max(1, n_rules)
            flips[rng.integers(n_rules)] = True
            genes[n_alphas:] = np.where(flips, 1.0 - genes[n_alphas:], genes[n_alphas:])
            return genes

        base_genes = np.concatenate([np.zeros(n_alphas), np.ones(n_rules)])
        initial = [base_genes]
        target_share = min(1.0, 10.0 / max(1, n_rules))
        for _ in range(int(self.population_size) - 1):
            alphas = rng.uniform(-0.2, 0.2, n_alphas)
            share = rng.uniform(target_share / 2, min(1.0, 2 * target_share))
            bits = rng.random(n_rules) < share
            initial.append(np.concatenate([alphas, bits.astype(np.float64)]))
        with seeded_deap_random(seed):
            result = evolve(
                initial,
                evaluate,
                crossover,
                mutate,
                rng=rng,
                generations=int(self.generations),
                crossover_proba=float(self.crossover_proba),
                mutation_proba=float(self.mutation_proba),
                tournament_size=3,
                n_elites=1,
                patience=self.patience,
                repair=repair,
                mutate_duplicates=True,
                verbose=self.verbose,
                description="GA fuzzy rule tuning",
            )
        best = result.best_genes
        alphas, selected = split_genes(best)
        self.best_score_, self.best_fitness_ = cv_score(best)
        self.base_score_ = cv_score(base_genes)[0]
        self.selected_rules_ = selected
        tuned = membership_functions(alphas)
        all_rows = np.arange(X.shape[0])
        winner, confidence = self._consequents(firing_of(alphas, all_rows), y_index)
        rules = [
            FuzzyRule(
                rule.antecedent,
                self.target_name_,
                str(self.classes_[winner[r]]),
                float(np.clip(confidence[r], 0.0, 1.0)),
            )
            for r, rule in enumerate(base_rules)
            if selected[r]
        ]
        self.best_estimator_ = self._rule_classifier(rules, tuned).fit(frame, labels)
        self.tuned_membership_functions_ = tuned
        self.n_rules_ = len(rules)
        rows = []
        offset = 0
        for j, (specs, _) in enumerate(partitions):
            shifted = tuned[names[j]]
            for k, term in enumerate(term_names[j]):
                alpha = float(alphas[offset + k]) if alphas is not None else 0.0
                before = np.mean(specs[k][1])
                after = np.mean(shifted[term][1])
                rows.append(
                    {"input": names[j], "term": term, "alpha": alpha, "shift": after - before}
                )
            offset += len(specs)
        self.displacements_ = pd.DataFrame(rows, columns=["input", "term", "alpha", "shift"])
        self.logbook_ = result.logbook
        self.n_generations_ = result.n_generations
        return self

    def _frame(self, X):
        check_is_fitted(self, "best_estimator_")
        X = validate_data(self, X, dtype=np.float64, reset=False)
        return pd.DataFrame(X, columns=self._input_names())

    def predict_proba(self, X):
        """Class probabilities of the tuned rule base.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Inputs with the columns seen in ``fit``.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Normalised class scores (the class prior where no rule fires).
        """
        frame = self._frame(X)
        return self.best_estimator_.predict_proba(frame)

    def predict(self, X):
        """Class of each row by the tuned rule base.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Inputs with the columns seen in ``fit``.

        Returns
        -------
        labels : ndarray of shape (n_samples,)
            Labels from ``classes_``.
        """
        frame = self._frame(X)
        return self.best_estimator_.predict(frame)

    def logbook_frame(self):
        """Per-generation convergence table.

        Returns
        -------
        frame : pandas.DataFrame
            Columns ``gen, nevals, min, mean, max, best``.
        """
        check_is_fitted(self, "logbook_")
        return logbook_to_frame(self.logbook_)
