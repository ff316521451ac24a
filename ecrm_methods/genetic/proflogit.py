"""ProfLogit: a logistic scoring rule whose coefficients a GA evolves to maximise campaign profit.

A response model is used to rank customers; the campaign then contacts the top of the ranking.
Maximum likelihood fits the probabilities of every customer equally, while the campaign only
cares about the ranking near its cut-off. ProfLogit (Stripling et al. 2015, 2018) keeps the
logistic model's form, ``score = intercept + X @ coef``, and chooses the coefficients that
maximise the profit measure itself on the training customers, with an elastic-net penalty; the
profit of a ranking is a step function of the coefficients, so a real-coded genetic algorithm
searches for them instead of a gradient method.
"""

from __future__ import annotations

import numbers

import numpy as np
from scipy.special import expit
from sklearn.base import BaseEstimator, ClassifierMixin, _fit_context
from sklearn.utils._param_validation import Interval
from sklearn.utils.multiclass import type_of_target
from sklearn.utils.validation import check_is_fitted, validate_data

from ._base import evolve, logbook_to_frame, seed_from_random_state, seeded_deap_random

__all__ = ["ProfLogitClassifier", "max_profit_of_scores"]


def max_profit_of_scores(scores: np.ndarray, gains: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Maximum profit over score thresholds, for each column of ``scores`` at once.

    A campaign contacts every customer whose score is at least a threshold; customers tied on
    a score are contacted together, so only the ends of tie blocks are candidate cut-offs
    (the same optimum as the ROC convex hull of Verbeke et al. 2012). Contacting nobody is
    always a candidate (profit 0).

    Parameters
    ----------
    scores : ndarray of shape (n_customers, n_candidates)
        One column of scores per candidate coefficient vector.
    gains : ndarray of shape (n_customers,)
        Profit of contacting each customer: ``revenue - cost`` for a responder, ``-cost``
        otherwise.

    Returns
    -------
    profit : ndarray of shape (n_candidates,)
        The maximum total profit of each column (>= 0).
    n_contacted : ndarray of int of shape (n_candidates,)
        How many customers the best threshold contacts (0: nobody).
    """
    scores = np.asarray(scores, dtype=float)
    if scores.ndim == 1:
        scores = scores[:, None]
    order = np.argsort(-scores, axis=0, kind="stable")
    ranked = np.take_along_axis(scores, order, axis=0)
    cumulative = np.cumsum(gains[order], axis=0)
    block_end = np.ones_like(ranked, dtype=bool)
    block_end[:-1] = ranked[:-1] != ranked[1:]
    candidates = np.where(block_end, cumulative, -np.inf)
    best_row = np.argmax(candidates, axis=0)
    best = candidates[best_row, np.arange(candidates.shape[1])]
    contact = best > 0
    return np.where(contact, best, 0.0), np.where(contact, best_row + 1, 0)


class ProfLogitClassifier(ClassifierMixin, BaseEstimator):
    """Profit-maximising logistic scoring rule evolved by a real-coded GA (ProfLogit).

    The fitness of a coefficient vector ``w`` is the maximum campaign profit per customer
    (the MP measure of Verbeke et al. 2012) of the ranking ``X @ w`` on the training data,
    minus an elastic-net penalty:

    ``MP(w) - lambda * (l1_ratio * |w|_1 + (1 - l1_ratio) / 2 * |w|_2^2)``

    where a campaign contacts the top of the ranking, each contact costs ``contact_cost`` and
    each responder brings ``response_revenue``. As in ``empulse``'s implementation, the penalty
    weight is ``lambda = scale / (C * n_samples)`` with ``scale = mean |profit of a correct
    contact decision|`` ``= pi_1 * (revenue - cost) + pi_0 * cost``, so ``C`` means what it
    means in scikit-learn and does not depend on the currency. Features are standardised
    inside ``fit`` (training mean and standard deviation) so that every coefficient is searched
    in ``[-coef_bound, coef_bound]``; ``coef_`` is reported on the original scale.

    The GA follows Stripling et al. (2018): the initial population is uniform in the bounds,
    recombination is local arithmetic crossover (each gene a random convex combination of the
    parents'), mutation resets one random gene uniformly within the bounds, and the best
    ``elite_fraction`` of the population survives unchanged. Selection is a binary tournament
    (DEAP's ``selTournament`` of size 2), a mild selection pressure like the paper's
    linear-scaling roulette (size 3 lost diversity early and reached a lower fitness than
    ``empulse`` on the cross-check of ``tests/test_response_proflogit.py``); the run stops
    after ``patience`` generations without improvement. DEAP's draws come from a private
    generator seeded from ``random_state``, so two fits with one seed are identical, also in
    threads (:mod:`ecrm_methods.genetic._base`).

    The profit depends only on the ranking, which no intercept changes: the GA evolves the
    coefficients only, and ``intercept_`` is set afterwards so that ``decision_function(x) >= 0``
    for exactly the training customers the most profitable campaign contacts (the threshold
    lies halfway between the last contacted and the first spared score). So :meth:`predict`
    says "contact" or "do not contact" at the training campaign's depth, and
    :meth:`predict_proba` is ``expit(decision_function)``: a response *score* centred on that
    cut-off (0.5), monotone in the ranking but not a calibrated probability.

    Parameters
    ----------
    contact_cost : float, default=3.0
        Cost of one contact (Customer Personality's published ``Z_CostContact``).
    response_revenue : float, default=11.0
        Revenue of one response (Customer Personality's ``Z_Revenue``); must exceed the cost.
    C : float, default=1.0
        Inverse penalty strength (smaller = stronger penalty).
    l1_ratio : float, default=1.0
        Elastic-net mixing: 1 is the lasso penalty, 0 the ridge penalty.
    coef_bound : float, default=3.0
        Every standardised coefficient is searched in ``[-coef_bound, coef_bound]``
        (Stripling et al. 2018 use 3).
    population_size : int or None, default=None
        Individuals per generation; None: 10 per coefficient (Stripling et al. 2018), at least
        20.
    generations : int, default=200
        Maximum number of generations after the initial one (the paper runs up to 1000).
    crossover_proba : float, default=0.8
        Probability that a pair of parents is recombined.
    mutation_proba : float, default=0.1
        Probability that an offspring has one gene reset.
    elite_fraction : float, default=0.05
        Share of the population carried over unchanged (at least one individual).
    patience : int or None, default=30
        Stop after this many generations without improvement of the best fitness (None:
        never; the paper uses 250).
    random_state : int, RandomState instance or None, default=None
        Seed of the GA; an int gives identical fits.
    verbose : int, default=0
        1 shows a progress bar over the generations.

    Attributes
    ----------
    classes_ : ndarray of shape (2,)
        The two class labels; the second is "responds".
    coef_ : ndarray of shape (n_features,)
        Coefficients on the original feature scale.
    intercept_ : float
        Places the decision boundary at the training campaign's cut-off.
    train_profit_ : float
        Maximum campaign profit per training customer of the fitted ranking (unpenalised).
    train_depth_ : float
        Share of the training customers that campaign contacts.
    fitness_ : float
        The penalised fitness of the best individual.
    penalty_weight_ : float
        The ``lambda`` of the penalty.
    logbook_ : deap.tools.Logbook
        Per-generation fitness summary (:meth:`logbook_frame`).
    n_generations_ : int
        Generations run.
    n_evaluations_ : int
        Fitness evaluations.
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        When fitted on a DataFrame with string column names.

    See Also
    --------
    ecrm_methods.evaluation.max_profit : the MP measure on held-out customers.
    ecrm_methods.evaluation.profit_curve : the profit of every campaign depth.

    References
    ----------
    Stripling, E., vanden Broucke, S., Antonio, K., Baesens, B. & Snoeck, M. (2018). Profit
    maximizing logistic model for customer churn prediction using genetic algorithms. *Swarm
    and Evolutionary Computation* 40, 116-130.

    Stripling, E., vanden Broucke, S., Antonio, K., Baesens, B. & Snoeck, M. (2015). Profit
    maximizing logistic regression modeling for customer churn prediction. *IEEE DSAA 2015*,
    1-10.

    Verbeke, W., Dejaeger, K., Martens, D., Hur, J. & Baesens, B. (2012). New insights into
    churn prediction in the telecommunication sector: a profit driven data mining approach.
    *European Journal of Operational Research* 218(1), 211-229.

    Examples
    --------
    >>> import numpy as np
    >>> from ecrm_methods.genetic import ProfLogitClassifier
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(300, 3))
    >>> y = (X[:, 0] + 0.5 * rng.normal(size=300) > 1.0).astype(int)
    >>> model = ProfLogitClassifier(generations=20, random_state=0).fit(X, y)
    >>> bool(abs(model.coef_[0]) > abs(model.coef_[1]))
    True
    """

    _parameter_constraints: dict = {
        "contact_cost": [Interval(numbers.Real, 0, None, closed="neither")],
        "response_revenue": [Interval(numbers.Real, 0, None, closed="neither")],
        "C": [Interval(numbers.Real, 0, None, closed="neither")],
        "l1_ratio": [Interval(numbers.Real, 0, 1, closed="both")],
        "coef_bound": [Interval(numbers.Real, 0, None, closed="neither")],
        "population_size": [Interval(numbers.Integral, 4, None, closed="left"), None],
        "generations": [Interval(numbers.Integral, 0, None, closed="left")],
        "crossover_proba": [Interval(numbers.Real, 0, 1, closed="both")],
        "mutation_proba": [Interval(numbers.Real, 0, 1, closed="both")],
        "elite_fraction": [Interval(numbers.Real, 0, 1, closed="both")],
        "patience": [Interval(numbers.Integral, 1, None, closed="left"), None],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        contact_cost=3.0,
        response_revenue=11.0,
        C=1.0,
        l1_ratio=1.0,
        coef_bound=3.0,
        population_size=None,
        generations=200,
        crossover_proba=0.8,
        mutation_proba=0.1,
        elite_fraction=0.05,
        patience=30,
        random_state=None,
        verbose=0,
    ):
        self.contact_cost = contact_cost
        self.response_revenue = response_revenue
        self.C = C
        self.l1_ratio = l1_ratio
        self.coef_bound = coef_bound
        self.population_size = population_size
        self.generations = generations
        self.crossover_proba = crossover_proba
        self.mutation_proba = mutation_proba
        self.elite_fraction = elite_fraction
        self.patience = patience
        self.random_state = random_state
        self.verbose = verbose

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        """Evolve the coefficients that maximise the training campaign's profit.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Numeric features without missing values (put the problem's preprocessor first).
        y : array-like of shape (n_samples,)
            Two classes; the larger label (1, True, or the last in sorted order) responds.

        Returns
        -------
        self : ProfLogitClassifier

        Raises
        ------
        ValueError
            A target that is not binary, one class only, a revenue not above the cost, or
            invalid parameters (named in the message).
        """
        X, y = validate_data(self, X, y, dtype=np.float64, ensure_min_samples=2)
        target_type = type_of_target(y, input_name="y", raise_unknown=True)
        classes = np.unique(y)
        if classes.size < 2:
            raise ValueError(
                f"y holds the single class {classes[:1].tolist()[0]!r}; ProfLogitClassifier needs "
                "responders and non-responders to rank (two classes)."
            )
        if target_type != "binary":
            raise ValueError(
                "Only binary classification is supported. The type of the target is "
                f"{target_type}; ProfLogitClassifier ranks responders against non-responders."
            )
        if self.response_revenue <= self.contact_cost:
            raise ValueError(
                f"response_revenue ({self.response_revenue}) must exceed contact_cost "
                f"({self.contact_cost}); otherwise no contact can pay and every campaign loses."
            )
        self.classes_, encoded = np.unique(y, return_inverse=True)
        responds = encoded.astype(float)
        n_samples, n_features = X.shape
        cost, revenue = float(self.contact_cost), float(self.response_revenue)
        gains = responds * revenue - cost
        mean = X.mean(axis=0)
        scale = X.std(axis=0)
        scale = np.where(scale > 0, scale, 1.0)
        standardized = (X - mean) / scale
        positive_rate = float(responds.mean())
        signal_scale = positive_rate * (revenue - cost) + (1 - positive_rate) * cost
        self.penalty_weight_ = signal_scale / (float(self.C) * n_samples)
        l1_ratio, bound = float(self.l1_ratio), float(self.coef_bound)
        penalty_weight = self.penalty_weight_

        def fitness(genes_list: list[np.ndarray]) -> list[float]:
            weights = np.stack(genes_list, axis=1)
            profit, _ = max_profit_of_scores(standardized @ weights, gains)
            penalty = l1_ratio * np.abs(weights).sum(axis=0) + (1 - l1_ratio) / 2 * (
                weights**2
            ).sum(axis=0)
            return list(profit / n_samples - penalty_weight * penalty)

        def crossover(first, second, rng):
            mix = rng.random(first.size)
            return mix * first + (1 - mix) * second, mix * second + (1 - mix) * first

        def mutate(genes, rng):
            mutant = genes.copy()
            mutant[rng.integers(genes.size)] = rng.uniform(-bound, bound)
            return mutant

        population_size = (
            max(20, 10 * n_features) if self.population_size is None else self.population_size
        )
        seed = seed_from_random_state(self.random_state)
        rng = np.random.default_rng(seed)
        initial = [rng.uniform(-bound, bound, size=n_features) for _ in range(population_size)]
        with seeded_deap_random(seed):
            result = evolve(
                initial,
                fitness,
                crossover,
                mutate,
                rng=rng,
                generations=int(self.generations),
                crossover_proba=float(self.crossover_proba),
                mutation_proba=float(self.mutation_proba),
                tournament_size=2,
                n_elites=max(1, round(float(self.elite_fraction) * population_size)),
                patience=self.patience,
                repair=lambda genes: np.clip(genes, -bound, bound),
                verbose=self.verbose,
                description="ProfLogit GA",
            )
        weights = result.best_genes
        train_scores = standardized @ weights
        profit, n_contacted = max_profit_of_scores(train_scores, gains)
        self.coef_ = weights / scale
        self.intercept_ = self._cut_off_intercept(train_scores, int(n_contacted[0]))
        self.intercept_ -= float(mean @ self.coef_)
        self.train_profit_ = float(profit[0] / n_samples)
        self.train_depth_ = float(n_contacted[0] / n_samples)
        self.fitness_ = float(result.best_fitness)
        self.logbook_ = result.logbook
        self.n_generations_ = result.n_generations
        self.n_evaluations_ = result.n_evaluations
        return self

    @staticmethod
    def _cut_off_intercept(scores: np.ndarray, n_contacted: int) -> float:
        """Minus the threshold halfway between the last contacted and the first spared score."""
        ranked = np.sort(scores)[::-1]
        spread = float(ranked[0] - ranked[-1]) or 1.0
        if n_contacted == 0:
            threshold = ranked[0] + spread
        elif n_contacted >= ranked.size:
            threshold = ranked[-1] - spread
        else:
            threshold = (ranked[n_contacted - 1] + ranked[n_contacted]) / 2
        return -float(threshold)

    def decision_function(self, X):
        """Response score ``intercept_ + X @ coef_``; >= 0 means "contact".

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        scores : ndarray of shape (n_samples,)
        """
        check_is_fitted(self, "coef_")
        X = validate_data(self, X, dtype=np.float64, reset=False)
        return X @ self.coef_ + self.intercept_

    def predict_proba(self, X):
        """``expit(decision_function)`` for both classes: a ranking score, not calibrated.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        proba : ndarray of shape (n_samples, 2)
            Column 1 is 0.5 exactly at the training campaign's cut-off.
        """
        positive = expit(self.decision_function(X))
        return np.column_stack([1 - positive, positive])

    def predict(self, X):
        """Whether the training campaign's cut-off contacts each customer (``classes_[1]``).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        labels : ndarray of shape (n_samples,)
        """
        contact = self.decision_function(X) >= 0
        return self.classes_[contact.astype(int)]

    def logbook_frame(self):
        """Per-generation fitness table (a DataFrame ``gen, nevals, min, mean, max, best``)."""
        check_is_fitted(self, "logbook_")
        return logbook_to_frame(self.logbook_)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_class = False
        return tags
