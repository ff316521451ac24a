"""The one tuning budget every tuned method gets: an inner cross-validation over a small grid.

A method either runs at settings fixed without looking at the benchmark data (``tuning`` starts
with ``"fixed"``) or chooses its settings inside each outer training fold with :func:`inner_cv`
(``tuning`` starts with ``"inner CV"``): :data:`INNER_FOLDS` folds that keep near-duplicate groups
together (the runner passes the training rows' groups; on a random split every row is its own
group), the declared grid, refit on the whole training fold. The same budget serves the churn
decision threshold (:func:`ecrm_methods.benchmark.runner.inner_threshold`).
"""

from __future__ import annotations

import numpy as np
from sklearn.metrics import cohen_kappa_score, make_scorer
from sklearn.model_selection import GridSearchCV, StratifiedGroupKFold, StratifiedKFold

__all__ = ["INNER_FOLDS", "QWK_SCORER", "InnerFolds", "inner_cv", "inner_splitter", "tuning_note"]

#: Folds of every inner cross-validation (tuning and the churn threshold).
INNER_FOLDS = 3

#: Quadratic-weighted kappa, the satisfaction problem's headline metric.
QWK_SCORER = make_scorer(cohen_kappa_score, weights="quadratic")


class InnerFolds(StratifiedGroupKFold):
    """Stratified group k-fold that treats every row as its own group when given no groups.

    So a tuned method fitted without ``groups`` (a user's own call, a random split) still gets
    stratified inner folds, and with ``groups`` near-duplicate rows never straddle them.
    """

    def split(self, X, y=None, groups=None):
        if groups is None or len(np.unique(groups)) == len(groups):
            # one row per group is plain stratified k-fold; scikit-learn's group version
            # would reach the same kind of folds through a Python loop over every row
            # (13 s for 16,000 rows against milliseconds)
            plain = StratifiedKFold(
                self.n_splits, shuffle=self.shuffle, random_state=self.random_state
            )
            return plain.split(X, y)
        return super().split(X, y, groups)


def inner_splitter(random_state: int) -> InnerFolds:
    """The inner splitter: stratified, group-aware, seeded."""
    return InnerFolds(INNER_FOLDS, shuffle=True, random_state=random_state)


def inner_cv(estimator, param_grid: dict, scoring, random_state: int) -> GridSearchCV:
    """``estimator`` tuned over ``param_grid`` by the inner cross-validation of the training fold.

    Parameters
    ----------
    estimator : estimator
        The unfitted pipeline.
    param_grid : dict
        The declared grid (pipeline parameter names -> candidate values).
    scoring : str or callable
        What the inner folds maximise (the problem's headline metric).
    random_state : int
        Seed of the inner folds.

    Returns
    -------
    sklearn.model_selection.GridSearchCV
        Fit it with ``groups=`` the training rows' near-duplicate groups.
    """
    return GridSearchCV(
        estimator,
        param_grid,
        scoring=scoring,
        cv=inner_splitter(random_state),
        refit=True,
        n_jobs=1,
        error_score="raise",
    )


def tuning_note(param_grid: dict, scoring_name: str) -> str:
    """The leaderboard's description of an inner-CV tuning policy."""
    grid = "; ".join(
        f"{key.split('__')[-1]} in {list(values)}" for key, values in param_grid.items()
    )
    return f"inner CV: {INNER_FOLDS} grouped folds, {scoring_name}, over {grid}"
