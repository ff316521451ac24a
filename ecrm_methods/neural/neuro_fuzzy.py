"""Neuro-fuzzy Takagi-Sugeno-Kang rule bases trained by gradient descent (ANFIS-style).

A TSK model [1]_ here is a small, readable rule base::

    IF tenure is low AND complain is high THEN churn = 0.83

with at most 30 rules (``max_rules``), at most 3 conditions per rule (``max_conditions``), every
condition a linguistic term (``low`` / ``medium`` / ``high``) of one named input, and a
consequent that is a constant (zero order) or linear in the rule's own inputs only (first order).
Both limits are hard bounds of the parameter validation, so no setting produces an unreadable
rule base; a one-rule first-order model over every input (logistic regression in disguise)
cannot be built.

How a model is built
--------------------
1. *Linguistic terms.* Each input gets ``n_terms`` ordered Gaussian terms (the first and last
   are shoulders: "low" is fully true below its centre, "high" above its centre), their centres
   initialised from 1-D fuzzy c-means (:class:`ecrm_methods.fuzzy.FuzzyCMeans`) or quantiles;
   a binary input gets two terms at its two values. The terms are shared by all rules, so
   "tenure is low" means one thing everywhere.
2. *Rule structure* (no grid: a grid of 3 terms on 40 inputs has 3^40 cells). Rules are grown
   one at a time on the current residual, as gradient boosting grows trees (Friedman 2001 [5]_) with
   fuzzy rules as the base learner (Hoffmann 2004 [4]_): starting from the always-true condition,
   the condition (input is term) that most reduces a Newton approximation of the loss is
   added, up to ``max_conditions``, while it keeps helping. ``rule_search="clusters"`` takes the
   candidate conditions of each rule from one fuzzy c-means cluster of the inputs instead (the
   term of each input nearest that cluster's centre; Chiu 1994 [3]_ / Sugeno & Yasukawa 1993
   [6]_ style clustered rules), so each rule still picks its at most 3 most discriminative inputs.
   Up to twice ``max_rules`` candidate rules are grown; the intercept follows each step.
3. *Joint tuning* (Jang 1993 [2]_). Term centres and widths, rule consequents and the intercept are
   trained together in PyTorch with AdamW on mini-batches, with an L1 penalty on the rule
   consequents and early stopping on an inner validation split of the training data. Term
   centres stay ordered (low < medium < high) by construction.
4. *Pruning.* Rules that fire on less than ``min_firing`` of the training data on average, or
   whose importance (the increase of the training loss when the rule is removed) is below
   ``prune_tolerance`` times the largest, are removed
   (their mean contribution moves into the intercept), and of the rest only the ``max_rules``
   most important are kept; when rules were removed, the smaller rule base is tuned again
   (same validation split, early stopping) and pruned once more.

The rule base is additive: every rule adds ``firing x consequent`` to the output (the log-odds
of each class for the classifier, the target for the regressor), the "weighted sum" TSK
defuzzification. A rule's printed consequent is what the model predicts where that rule fires
fully and no other rule fires (the intercept plus its own term).

References
----------
.. [1] Takagi, T. & Sugeno, M. (1985). Fuzzy identification of systems and its applications
   to modeling and control. *IEEE Transactions on Systems, Man, and Cybernetics* 15(1),
   116-132.
.. [2] Jang, J.-S. R. (1993). ANFIS: adaptive-network-based fuzzy inference system. *IEEE
   Transactions on Systems, Man, and Cybernetics* 23(3), 665-685.
.. [3] Chiu, S. L. (1994). Fuzzy model identification based on cluster estimation. *Journal of
   Intelligent and Fuzzy Systems* 2(3), 267-278.
.. [4] Hoffmann, F. (2004). Combining boosting and evolutionary algorithms for learning of
   fuzzy classification rules. *Fuzzy Sets and Systems* 141(1), 47-58.
.. [5] Friedman, J. H. (2001). Greedy function approximation: a gradient boosting machine.
   *Annals of Statistics* 29(5), 1189-1232.
.. [6] Sugeno, M. & Yasukawa, T. (1993). A fuzzy-logic-based approach to qualitative
   modeling. *IEEE Transactions on Fuzzy Systems* 1(1), 7-31.
"""

from __future__ import annotations

import copy
from numbers import Integral, Real

import numpy as np
import pandas as pd
import torch
import torch.nn.functional as F
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin, _fit_context
from sklearn.model_selection import train_test_split
from sklearn.utils import compute_class_weight
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data
from torch import nn
from tqdm.auto import tqdm

from ecrm_methods.fuzzy import FuzzyCMeans, default_term_names, membership_function
from ecrm_methods.neural._utils import _seed_from_random_state, resolve_device

__all__ = ["TSKFuzzyClassifier", "TSKFuzzyRegressor"]

#: Hard readability limits: no parameter setting can exceed them.
MAX_RULES = 30
MAX_CONDITIONS = 3

_LEFT, _MIDDLE, _RIGHT = 0, 1, 2
_KIND_NAMES = {_LEFT: "left shoulder", _MIDDLE: "gaussian", _RIGHT: "right shoulder"}
# rows used to grow the rule structure and to initialise the terms (a seeded subsample above)
_MAX_SEARCH_ROWS = 50_000
_PREDICT_CHUNK_ROWS = 8192
# smallest term width, in standard deviations of the input
_SIGMA_FLOOR = 0.02
# candidate rules grown per rule kept: the L1-penalised first training phase chooses among them
_CANDIDATES_PER_RULE = 2
# ridge term of the Newton step when growing rules, per training row
_NEWTON_RIDGE = 1e-3

_TSK_PARAMETER_CONSTRAINTS: dict = {
    "max_rules": [Interval(Integral, 1, MAX_RULES, closed="both")],
    "max_conditions": [Interval(Integral, 1, MAX_CONDITIONS, closed="both")],
    "n_terms": [Interval(Integral, 2, 5, closed="both")],
    "order": [Interval(Integral, 0, 1, closed="both")],
    "membership_init": [StrOptions({"fcm", "quantile"})],
    "rule_search": [StrOptions({"greedy", "clusters"})],
    "l1_penalty": [Interval(Real, 0, None, closed="left")],
    "min_firing": [Interval(Real, 0, 1, closed="left")],
    "prune_tolerance": [Interval(Real, 0, 1, closed="left")],
    "learning_rate": [Interval(Real, 0, None, closed="neither")],
    "weight_decay": [Interval(Real, 0, None, closed="left")],
    "batch_size": [Interval(Integral, 1, None, closed="left")],
    "max_epochs": [Interval(Integral, 0, None, closed="left")],
    "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
    "patience": [Interval(Integral, 1, None, closed="left")],
    "device": [str, torch.device],
    "random_state": ["random_state"],
    "verbose": ["verbose"],
    "target_name": [str, None],
}


# ------------------------------------------------------------------------ linguistic terms
def _inverse_softplus(value):
    value = np.maximum(np.asarray(value, dtype=np.float64), 1e-6)
    return np.where(value > 20, value, np.log(np.expm1(np.minimum(value, 20))))


def _spread_centres(column, n_terms):
    """Quantile-placed centres (10 % to 90 %), spread evenly when quantiles tie."""
    centres = np.quantile(column, np.linspace(0.1, 0.9, n_terms))
    if np.any(np.diff(centres) <= 1e-6):
        low, high = np.quantile(column, [0.05, 0.95])
        if high - low <= 1e-6:
            low, high = float(np.min(column)), float(np.max(column))
        centres = np.linspace(low, high, n_terms)
    return centres


def _initial_terms(X_std, n_terms, method, seed):
    """Term layout on standardized inputs: per term its input, kind, centre and width.

    Returns a dict of arrays of length n_terms_total plus ``names`` (term names) and
    ``n_terms_per_input``.
    """
    term_input, kind, centres, sigmas, names, counts = [], [], [], [], [], []
    for j in range(X_std.shape[1]):
        column = X_std[:, j]
        distinct = np.unique(column)
        k = min(n_terms, distinct.shape[0])
        if k < 2:  # constant input: no condition can use it
            counts.append(0)
            continue
        if distinct.shape[0] <= n_terms:
            centre = distinct.astype(np.float64)
        elif method == "fcm":
            fcm = FuzzyCMeans(n_clusters=k, max_iter=100, tol=1e-5, random_state=seed + j)
            centre = np.sort(fcm.fit(column.reshape(-1, 1)).cluster_centers_.ravel())
            if np.any(np.diff(centre) <= 1e-6):
                centre = _spread_centres(column, k)
        else:
            centre = _spread_centres(column, k)
        gaps = np.diff(centre)
        for t in range(k):
            half_gap = np.mean(gaps[max(t - 1, 0) : t + 1]) / 2.0
            sigmas.append(max(half_gap / np.sqrt(2.0 * np.log(2.0)), 2 * _SIGMA_FLOOR))
            kind.append(_LEFT if t == 0 else _RIGHT if t == k - 1 else _MIDDLE)
            term_input.append(j)
            centres.append(centre[t])
        names.extend(default_term_names(k))
        counts.append(k)
    return {
        "input": np.asarray(term_input, dtype=np.int64),
        "kind": np.asarray(kind, dtype=np.int64),
        "centre": np.asarray(centres, dtype=np.float64),
        "sigma": np.asarray(sigmas, dtype=np.float64),
        "names": names,
        "n_terms_per_input": np.asarray(counts, dtype=np.int64),
    }


def _memberships_numpy(X_std, terms):
    """Membership of each row in each term, (n_samples, n_terms_total), float64."""
    if terms["input"].size == 0:
        return np.ones((X_std.shape[0], 0))
    d = X_std[:, terms["input"]] - terms["centre"]
    d = np.where(terms["kind"] == _LEFT, np.maximum(d, 0.0), d)
    d = np.where(terms["kind"] == _RIGHT, np.minimum(d, 0.0), d)
    return np.exp(-0.5 * (d / terms["sigma"]) ** 2)


# ------------------------------------------------------------------------ rule structure
def _loss_gradients(F_current, targets, loss, sample_weight):
    """Gradient and (diagonal) Hessian of the loss per row and output."""
    if loss == "squared":
        g = F_current - targets
        h = np.ones_like(g)
    elif loss == "logistic":
        p = 1.0 / (1.0 + np.exp(-F_current))
        g, h = p - targets, np.maximum(p * (1.0 - p), 1e-6)
    else:
        shifted = F_current - F_current.max(axis=1, keepdims=True)
        p = np.exp(shifted)
        p /= p.sum(axis=1, keepdims=True)
        g, h = p - targets, np.maximum(p * (1.0 - p), 1e-6)
    return g * sample_weight[:, None], h * sample_weight[:, None]


def _grow_rules(
    M,
    term_input,
    targets,
    F_start,
    loss,
    sample_weight,
    max_rules,
    max_conditions,
    min_firing,
    allowed_terms=None,
    shrinkage=0.5,
):
    """Grow at most ``max_rules`` rules on the residual, one condition at a time.

    Parameters
    ----------
    M : ndarray of shape (n_samples, n_terms_total)
        Term memberships.
    term_input : ndarray of shape (n_terms_total,)
        Input of each term (a rule tests each input at most once).
    targets : ndarray of shape (n_samples, n_outputs)
        One-hot classes or standardized targets.
    F_start : ndarray of shape (n_outputs,)
        Intercept.
    loss : {"logistic", "multinomial", "squared"}
    sample_weight : ndarray of shape (n_samples,)
    max_rules, max_conditions : int
    min_firing : float
        Smallest mean firing of a rule on the rows.
    allowed_terms : list of ndarray or None
        Per rule, the terms it may use (the clustered search); None: any term.
    shrinkage : float
        Share of the Newton step taken by each rule.

    Returns
    -------
    rules : list of tuple of int
        Term indices of each rule's conditions.
    consequents : ndarray of shape (n_rules, n_outputs)
        Initial consequents.
    intercept : ndarray of shape (n_outputs,)
        Initial intercept.
    """
    n, n_terms = M.shape
    M2 = M * M
    ridge = _NEWTON_RIDGE * float(sample_weight.sum())
    min_mass = min_firing * n
    F_current = np.tile(F_start, (n, 1))
    intercept = np.array(F_start, dtype=np.float64)
    rules: dict[tuple, np.ndarray] = {}
    n_steps = 2 * max_rules if allowed_terms is None else len(allowed_terms)
    for step in range(n_steps):
        if n_terms == 0:
            break
        allowed = np.ones(n_terms, dtype=bool)
        if allowed_terms is not None:
            allowed[:] = False
            allowed[allowed_terms[step]] = True
        g, h = _loss_gradients(F_current, targets, loss, sample_weight)
        # the intercept follows (a Newton step of the always-true rule), so that rules describe
        # departures from the default rather than re-centre it
        intercept_step = -g.sum(axis=0) / (h.sum(axis=0) + ridge)
        intercept = intercept + intercept_step
        F_current += intercept_step
        g, h = _loss_gradients(F_current, targets, loss, sample_weight)
        firing = np.ones(n)
        conditions: list[int] = []
        current_gain = 0.0
        for _ in range(max_conditions):
            G = (g * firing[:, None]).T @ M  # (n_outputs, n_terms)
            H = (h * (firing * firing)[:, None]).T @ M2
            gain = (G * G / (H + ridge)).sum(axis=0)
            mass = firing @ M
            usable = allowed & (mass >= min_mass)
            for term in conditions:
                usable &= term_input != term_input[term]
            gain = np.where(usable, gain, -np.inf)
            best = int(np.argmax(gain))
            # a condition must help by a margin: a shorter rule is a more readable rule
            if not np.isfinite(gain[best]) or gain[best] <= current_gain * 1.02 + 1e-12:
                break
            conditions.append(best)
            current_gain = gain[best]
            firing = firing * M[:, best]
        if not conditions:
            if allowed_terms is None:
                break
            continue
        G = (g * firing[:, None]).sum(axis=0)
        H = (h * (firing * firing)[:, None]).sum(axis=0)
        step_value = -shrinkage * G / (H + ridge)
        key = tuple(sorted(conditions))
        if key not in rules and len(rules) >= max_rules:
            break
        rules[key] = rules.get(key, 0.0) + step_value
        F_current += firing[:, None] * step_value
    keys = list(rules)
    consequents = np.array([rules[k] for k in keys]).reshape(len(keys), F_start.shape[0])
    return keys, consequents, intercept


def _cluster_candidate_terms(X_std, terms, max_rules, seed):
    """Per fuzzy c-means cluster of the inputs, the term of each input nearest its centre."""
    n_clusters = max(1, min(max_rules, X_std.shape[0] - 1))
    fcm = FuzzyCMeans(n_clusters=n_clusters, max_iter=100, random_state=seed).fit(X_std)
    order = np.argsort(-fcm.membership_.sum(axis=0), kind="stable")
    centre_memberships = _memberships_numpy(fcm.cluster_centers_, terms)
    allowed = []
    for c in order:
        chosen = []
        for j in np.unique(terms["input"]):
            in_input = np.flatnonzero(terms["input"] == j)
            chosen.append(in_input[np.argmax(centre_memberships[c, in_input])])
        allowed.append(np.asarray(chosen, dtype=np.int64))
    return allowed


# ------------------------------------------------------------------------ network
class _TSKNetwork(nn.Module):
    """Additive TSK rule base: output = intercept + sum_r firing_r(x) * consequent_r(x)."""

    def __init__(self, terms, rule_terms, rule_inputs, rule_mask, consequents, intercept, order):
        super().__init__()
        n_terms = terms["input"].shape[0]
        first = np.ones(n_terms, dtype=bool)
        first[1:] = terms["input"][1:] != terms["input"][:-1]
        segment_start = np.maximum.accumulate(np.where(first, np.arange(n_terms), 0))
        increments = np.where(first, terms["centre"], np.diff(terms["centre"], prepend=0.0))
        self.register_buffer("term_input", torch.as_tensor(terms["input"]))
        self.register_buffer("is_left", torch.as_tensor(terms["kind"] == _LEFT))
        self.register_buffer("is_right", torch.as_tensor(terms["kind"] == _RIGHT))
        self.register_buffer("is_first", torch.as_tensor(first))
        self.register_buffer("segment_start", torch.as_tensor(segment_start, dtype=torch.int64))
        self.register_buffer("rule_terms", torch.as_tensor(rule_terms, dtype=torch.int64))
        self.register_buffer("rule_inputs", torch.as_tensor(rule_inputs, dtype=torch.int64))
        self.register_buffer("rule_mask", torch.as_tensor(rule_mask, dtype=torch.float32))
        raw = np.where(first, increments, _inverse_softplus(np.maximum(increments, 1e-3)))
        self.centre_raw = nn.Parameter(torch.as_tensor(raw, dtype=torch.float32))
        sigma_raw = _inverse_softplus(terms["sigma"] - _SIGMA_FLOOR)
        self.sigma_raw = nn.Parameter(torch.as_tensor(sigma_raw, dtype=torch.float32))
        self.intercept = nn.Parameter(torch.as_tensor(intercept, dtype=torch.float32))
        self.consequent = nn.Parameter(torch.as_tensor(consequents, dtype=torch.float32))
        self.order = int(order)
        if self.order == 1:
            shape = (*rule_terms.shape, consequents.shape[1])
            self.slope = nn.Parameter(torch.zeros(shape, dtype=torch.float32))

    def centres(self):
        increments = torch.where(self.is_first, self.centre_raw, F.softplus(self.centre_raw))
        cumulative = torch.cumsum(increments, 0)
        return cumulative - cumulative[self.segment_start] + increments[self.segment_start]

    def sigmas(self):
        return _SIGMA_FLOOR + F.softplus(self.sigma_raw)

    def log_firing(self, x):
        d = x[:, self.term_input] - self.centres()
        d = torch.where(self.is_left, torch.clamp(d, min=0.0), d)
        d = torch.where(self.is_right, torch.clamp(d, max=0.0), d)
        log_mu = -0.5 * (d / self.sigmas()) ** 2
        padded = torch.cat([log_mu, log_mu.new_zeros(x.shape[0], 1)], dim=1)
        return padded[:, self.rule_terms].sum(dim=2)

    def rule_outputs(self, x):
        out = self.consequent.unsqueeze(0)
        if self.order == 1:
            local = x[:, self.rule_inputs] * self.rule_mask.to(x.dtype)
            out = out + torch.einsum("brc,rck->brk", local, self.slope)
        return out

    def contributions(self, x):
        """Per row and rule: firing x consequent, (n_samples, n_rules, n_outputs)."""
        return torch.exp(self.log_firing(x)).unsqueeze(2) * self.rule_outputs(x)

    def forward(self, x):
        return self.intercept + self.contributions(x).sum(dim=1)

    def penalty(self):
        total = self.consequent.abs().sum()
        if self.order == 1:
            total = total + self.slope.abs().sum()
        return total


def _numpy_row_loss(output, targets, loss):
    """Loss per row (as in training) of outputs (n, k) against targets (n, k)."""
    if loss == "squared":
        return ((output - targets) ** 2).sum(axis=1)
    if loss == "logistic":
        return (np.logaddexp(0.0, output) - targets * output).sum(axis=1)
    shifted = output - output.max(axis=1, keepdims=True)
    log_proba = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return -(targets * log_proba).sum(axis=1)


def _rule_statistics(network, X_std, targets, loss, weight):
    """Per rule: mean firing, importance and mean contribution (n_rules, n_outputs).

    The importance of a rule is the increase of the (weighted) training loss when the rule is
    removed and its mean contribution is moved into the intercept: what the rule adds beyond
    a constant, in the units of the loss.
    """
    network64 = copy.deepcopy(network).cpu().double().eval()
    w = weight / weight.sum()
    n_rules = network64.rule_terms.shape[0]
    n_outputs = network64.intercept.shape[0]
    mean_firing = np.zeros(n_rules)
    mean_contribution = np.zeros((n_rules, n_outputs))

    def chunks():
        with torch.no_grad():
            for start in range(0, X_std.shape[0], _PREDICT_CHUNK_ROWS):
                rows = slice(start, start + _PREDICT_CHUNK_ROWS)
                x = torch.as_tensor(X_std[rows], dtype=torch.float64)
                firing = torch.exp(network64.log_firing(x)).numpy()
                contributions = network64.contributions(x).numpy()
                output = network64.intercept.numpy() + contributions.sum(axis=1)
                yield rows, firing, contributions, output

    for rows, firing, contributions, _ in chunks():
        mean_firing += w[rows] @ firing
        mean_contribution += np.einsum("i,irk->rk", w[rows], contributions)
    importance = np.zeros(n_rules)
    for rows, _, contributions, output in chunks():
        full = _numpy_row_loss(output, targets[rows], loss)
        for r in range(n_rules):
            without = output - contributions[:, r, :] + mean_contribution[r]
            importance[r] += w[rows] @ (_numpy_row_loss(without, targets[rows], loss) - full)
    return mean_firing, importance, mean_contribution


def _keep_rules(network, keep, mean_contribution):
    """Remove the rules not in ``keep`` (in place); their mean contribution joins the intercept."""
    with torch.no_grad():
        dropped = torch.as_tensor(mean_contribution[~keep].sum(axis=0))
        network.intercept += dropped.to(network.intercept)
        index = torch.as_tensor(np.flatnonzero(keep), device=network.rule_terms.device)
        network.rule_terms = network.rule_terms[index]
        network.rule_inputs = network.rule_inputs[index]
        network.rule_mask = network.rule_mask[index]
        network.consequent = nn.Parameter(network.consequent[index].clone())
        if network.order == 1:
            network.slope = nn.Parameter(network.slope[index].clone())


# ------------------------------------------------------------------------ estimators
def _format_number(value):
    return f"{value:.3g}"


class _TSKBase(BaseEstimator):
    """Shared structure learning, training, pruning and rule text of the TSK estimators."""

    def _input_names(self):
        if hasattr(self, "feature_names_in_"):
            return [str(name) for name in self.feature_names_in_]
        return [f"x{j}" for j in range(self.n_features_in_)]

    def _target_name(self, y, default):
        if self.target_name is not None:
            return self.target_name
        name = getattr(y, "name", None)
        return str(name) if name is not None else default

    # -- fitting ---------------------------------------------------------------------------
    def _fit_tsk(self, X, targets, loss, sample_weight, stratify=None):
        """Build terms, grow rules, tune jointly, prune. ``targets`` is (n, n_outputs)."""
        n_samples = X.shape[0]
        if n_samples < 2:
            raise ValueError(
                f"{type(self).__name__} needs at least 2 samples, got n_samples={n_samples}; "
                "pass more rows."
            )
        device = resolve_device(self.device)
        seed = _seed_from_random_state(self.random_state)
        rng = np.random.default_rng(seed)
        self.input_mean_ = X.mean(axis=0)
        scale = X.std(axis=0)
        self.input_scale_ = np.where(scale > 1e-12, scale, 1.0)
        X_std = (X - self.input_mean_) / self.input_scale_

        search_rows = np.arange(n_samples)
        if n_samples > _MAX_SEARCH_ROWS:
            search_rows = np.sort(rng.choice(n_samples, _MAX_SEARCH_ROWS, replace=False))
        terms = _initial_terms(X_std[search_rows], self.n_terms, self.membership_init, seed)
        M = _memberships_numpy(X_std[search_rows], terms)
        weight = sample_weight / sample_weight.mean()
        intercept = self._initial_intercept(targets, weight)
        n_candidates = _CANDIDATES_PER_RULE * self.max_rules
        allowed = None
        if self.rule_search == "clusters" and M.shape[1]:
            allowed = _cluster_candidate_terms(X_std[search_rows], terms, n_candidates, seed)
        rules, consequents, intercept = _grow_rules(
            M,
            terms["input"],
            targets[search_rows],
            intercept,
            loss,
            weight[search_rows],
            n_candidates,
            self.max_conditions,
            self.min_firing,
            allowed_terms=allowed,
        )
        n_terms_total = terms["input"].shape[0]
        rule_terms = np.full((len(rules), self.max_conditions), n_terms_total, dtype=np.int64)
        rule_inputs = np.zeros_like(rule_terms)
        rule_mask = np.zeros(rule_terms.shape)
        for r, conditions in enumerate(rules):
            for c, term in enumerate(conditions):
                rule_terms[r, c] = term
                rule_inputs[r, c] = terms["input"][term]
                rule_mask[r, c] = 1.0
        network = _TSKNetwork(
            terms, rule_terms, rule_inputs, rule_mask, consequents, intercept, self.order
        ).to(device)
        self._term_names = terms["names"]
        self.device_ = device
        self.loss_curve_, self.validation_scores_ = [], []
        train_idx, val_idx = self._validation_split(n_samples, seed, stratify)
        data = (
            torch.tensor(X_std, dtype=torch.float32, device=device),
            torch.tensor(targets, dtype=torch.float32, device=device),
            torch.tensor(weight, dtype=torch.float32, device=device),
        )
        # phase 1: every candidate rule, with the L1 penalty; keep the max_rules that matter
        self._train(network, data, loss, train_idx, val_idx, seed, "rule selection")
        statistics = _rule_statistics(network, X_std, targets, loss, weight)
        keep = self._rules_to_keep(*statistics[:2], self.max_rules)
        if not keep.all():
            # phase 2: the kept rules, tuned again
            _keep_rules(network, keep, statistics[2])
            self._train(network, data, loss, train_idx, val_idx, seed + 1, "fine-tuning")
            statistics = _rule_statistics(network, X_std, targets, loss, weight)
            keep = self._rules_to_keep(*statistics[:2], self.max_rules)
            _keep_rules(network, keep, statistics[2])
        self.network_ = network.eval()
        self._network_float64 = copy.deepcopy(network).cpu().double().eval()
        self.rule_support_ = statistics[0][keep]
        self.rule_importance_ = statistics[1][keep]
        self.n_rules_ = int(keep.sum())
        self.n_epochs_ = len(self.loss_curve_)
        if not self.validation_scores_:
            self.validation_scores_ = None
        self._export_parameters()
        return self

    def _validation_split(self, n_samples, seed, stratify):
        indices = np.arange(n_samples)
        if n_samples < 20 or self.max_epochs == 0:
            return indices, indices[:0]
        n_validation = min(n_samples - 1, max(1, round(self.validation_fraction * n_samples)))
        try:
            return train_test_split(
                indices, test_size=n_validation, random_state=seed, stratify=stratify
            )
        except ValueError:  # a class too small to stratify: split plainly
            return train_test_split(indices, test_size=n_validation, random_state=seed)

    def _rules_to_keep(self, mean_firing, importance, limit):
        """Rules that fire often enough and matter enough, at most ``limit`` of them."""
        keep = mean_firing >= self.min_firing
        if importance.size:
            keep &= importance >= self.prune_tolerance * max(float(importance.max()), 0.0)
        if keep.sum() > limit:
            ranked = np.argsort(-np.where(keep, importance, -np.inf), kind="stable")
            keep[:] = False
            keep[ranked[:limit]] = True
        return keep

    def _train(self, network, data, loss, train_idx, val_idx, seed, phase):
        """AdamW on mini-batches with early stopping on the validation rows' loss (in place)."""
        X_tensor, target_tensor, weight_tensor = data
        device = X_tensor.device
        use_validation = val_idx.shape[0] > 0
        shuffle_generator = torch.Generator().manual_seed(seed + 1)
        optimizer = torch.optim.AdamW(
            network.parameters(), lr=self.learning_rate, weight_decay=self.weight_decay
        )
        n_train = train_idx.shape[0]
        batch_size = max(1, min(self.batch_size, n_train))
        penalty = self.l1_penalty / max(1, n_train)

        def batch_loss(rows, with_penalty):
            output = network(X_tensor[rows])
            per_row = self._row_loss(output, target_tensor[rows], loss)
            value = (per_row * weight_tensor[rows]).sum() / weight_tensor[rows].sum()
            if with_penalty:
                value = value + penalty * network.penalty()
            return value

        best_state = copy.deepcopy(network.state_dict())
        best_score, stale = -np.inf, 0
        self.best_epoch_ = len(self.loss_curve_)
        val_tensor = torch.as_tensor(val_idx, device=device)
        progress = tqdm(
            range(self.max_epochs),
            desc=f"{type(self).__name__} ({phase})",
            disable=not self.verbose,
            leave=False,
        )
        for epoch in progress:
            network.train()
            order = train_idx[torch.randperm(n_train, generator=shuffle_generator).numpy()]
            epoch_loss = 0.0
            for start in range(0, n_train, batch_size):
                rows = torch.as_tensor(order[start : start + batch_size], device=device)
                optimizer.zero_grad(set_to_none=True)
                value = batch_loss(rows, True)
                value.backward()
                optimizer.step()
                epoch_loss += float(value.detach()) * rows.shape[0]
            epoch_loss /= n_train
            if not np.isfinite(epoch_loss):
                raise ValueError(
                    f"training diverged at epoch {epoch + 1} (loss {epoch_loss}); lower "
                    f"learning_rate (now {self.learning_rate})."
                )
            self.loss_curve_.append(epoch_loss)
            if not use_validation:
                best_state = copy.deepcopy(network.state_dict())
                self.best_epoch_ = len(self.loss_curve_)
                continue
            network.eval()
            with torch.no_grad():
                score = -float(batch_loss(val_tensor, False))
            self.validation_scores_.append(score)
            progress.set_postfix(loss=f"{epoch_loss:.4f}", validation=f"{-score:.4f}")
            if not np.isfinite(best_score) or score > best_score + 1e-6 * abs(best_score):
                best_score, stale = score, 0
                self.best_epoch_ = len(self.loss_curve_)
                best_state = copy.deepcopy(network.state_dict())
            else:
                stale += 1
                if stale >= self.patience:
                    break
        progress.close()
        network.load_state_dict(best_state)
        network.eval()

    def _export_parameters(self):
        """Readable parameters in the units of the inputs (and outputs) given to ``fit``."""
        network = self._network_float64
        names = self._input_names()
        with torch.no_grad():
            centres = network.centres().numpy()
            sigmas = network.sigmas().numpy()
            term_input = network.term_input.numpy()
            kinds = np.where(
                network.is_left.numpy(), _LEFT, np.where(network.is_right.numpy(), _RIGHT, _MIDDLE)
            )
            rule_terms = network.rule_terms.numpy()
        self.memberships_ = pd.DataFrame(
            {
                "input": [names[j] for j in term_input],
                "term": list(self._term_names),
                "shape": [_KIND_NAMES[k] for k in kinds],
                "center": centres * self.input_scale_[term_input] + self.input_mean_[term_input],
                "sigma": sigmas * self.input_scale_[term_input],
            }
        )
        n_terms_total = term_input.shape[0]
        self.antecedents_ = [
            tuple((names[term_input[t]], self._term_names[t]) for t in row if t < n_terms_total)
            for row in rule_terms
        ]

    @staticmethod
    def _row_loss(output, target, loss):
        if loss == "squared":
            return ((output - target) ** 2).sum(dim=1)
        if loss == "logistic":
            return F.binary_cross_entropy_with_logits(output, target, reduction="none").sum(1)
        return -(target * F.log_softmax(output, dim=1)).sum(dim=1)

    # -- prediction ------------------------------------------------------------------------
    def _forward(self, X):
        """Model outputs (n_samples, n_outputs) in float64, chunked over rows."""
        check_is_fitted(self, "network_")
        X = validate_data(self, X, dtype=np.float64, reset=False)
        X_std = (X - self.input_mean_) / self.input_scale_
        outputs = []
        with torch.no_grad():
            for start in range(0, X_std.shape[0], _PREDICT_CHUNK_ROWS):
                chunk = torch.as_tensor(X_std[start : start + _PREDICT_CHUNK_ROWS])
                outputs.append(self._network_float64(chunk).numpy())
        if not outputs:
            return np.empty((0, self._network_float64.intercept.shape[0]))
        return np.concatenate(outputs)

    def rule_firing_strengths(self, X):
        """Firing strength of every rule for every row, to explain predictions.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Inputs.

        Returns
        -------
        firing : pandas.DataFrame of shape (n_samples, n_rules)
            Degree in [0, 1] to which each row meets each rule's conditions (product of the
            memberships); columns are the rules' conditions written out.
        """
        check_is_fitted(self, "network_")
        index = X.index if isinstance(X, pd.DataFrame) else None
        X = validate_data(self, X, dtype=np.float64, reset=False)
        X_std = (X - self.input_mean_) / self.input_scale_
        with torch.no_grad():
            firing = torch.exp(self._network_float64.log_firing(torch.as_tensor(X_std))).numpy()
        columns = [self._condition_text(conditions) for conditions in self.antecedents_]
        return pd.DataFrame(firing, columns=columns, index=index)

    # -- rule text -------------------------------------------------------------------------
    @staticmethod
    def _condition_text(conditions):
        if not conditions:
            return "always"
        return " AND ".join(f"{name} is {term}" for name, term in conditions)

    def _membership_text(self, conditions):
        parts = []
        table = self.memberships_.set_index(["input", "term"])
        for name, term in conditions:
            row = table.loc[(name, term)]
            center, sigma = _format_number(row["center"]), _format_number(row["sigma"])
            if row["shape"] == "left shoulder":
                parts.append(f"{name} {term}: 1 below {center}, sigma {sigma}")
            elif row["shape"] == "right shoulder":
                parts.append(f"{name} {term}: 1 above {center}, sigma {sigma}")
            else:
                parts.append(f"{name} {term}: gaussian at {center}, sigma {sigma}")
        return "; ".join(parts)

    def _linear_consequent(self, r, k, offset, scale):
        """First-order consequent of rule r, output k, in the units given to ``fit``:
        (constant, [(input name, coefficient), ...]), times ``scale`` plus ``offset``."""
        network = self._network_float64
        constant = float(network.consequent[r, k].detach()) * scale
        coefficients = []
        if network.order == 1:
            for c, (name, _) in enumerate(self.antecedents_[r]):
                j = int(network.rule_inputs[r, c])
                slope = float(network.slope[r, c, k].detach()) * scale / self.input_scale_[j]
                constant -= slope * self.input_mean_[j]
                coefficients.append((name, slope))
        return constant + offset, coefficients

    @staticmethod
    def _linear_text(constant, coefficients):
        text = _format_number(constant)
        for name, coefficient in coefficients:
            sign = "-" if coefficient < 0 else "+"
            text += f" {sign} {_format_number(abs(coefficient))}*{name}"
        return text

    def rules_frame(self):
        """The rule base as a table, one rule per row, in words.

        Returns
        -------
        rules : pandas.DataFrame
            Columns ``rule`` (the whole rule: ``IF tenure is low AND complain is high THEN
            churn = 0.83``), ``if`` (conditions), ``then`` (consequent), ``memberships`` (the
            membership function of each condition, in the units of the inputs given to
            ``fit``), ``support`` (mean firing strength on the training data) and
            ``importance`` (increase of the training loss when the rule is removed and its
            mean contribution moved into the intercept).
            Rows are sorted by importance.
        """
        check_is_fitted(self, "network_")
        rows = []
        for r, conditions in enumerate(self.antecedents_):
            condition = self._condition_text(conditions)
            then = self._consequent_text(r)
            rows.append(
                {
                    "rule": f"IF {condition} THEN {then}",
                    "if": condition,
                    "then": then,
                    "memberships": self._membership_text(conditions),
                    "support": float(self.rule_support_[r]),
                    "importance": float(self.rule_importance_[r]),
                }
            )
        frame = pd.DataFrame(
            rows, columns=["rule", "if", "then", "memberships", "support", "importance"]
        )
        return frame.sort_values("importance", ascending=False, kind="stable").reset_index(
            drop=True
        )

    def plot_memberships(self, inputs=None, *, ncols=3, resolution=201):
        """Plot the learned membership functions of the inputs.

        Parameters
        ----------
        inputs : list of str or None, default=None
            Inputs to show; default the inputs used by at least one rule (all inputs when no
            rule uses any).
        ncols : int, default=3
            Subplots per row.
        resolution : int, default=201
            Points per curve.

        Returns
        -------
        fig : matplotlib.figure.Figure
            One panel per input, one curve per term, in the units given to ``fit``.
        """
        import matplotlib.pyplot as plt

        check_is_fitted(self, "network_")
        available = list(dict.fromkeys(self.memberships_["input"]))
        if inputs is None:
            used = {name for conditions in self.antecedents_ for name, _ in conditions}
            inputs = [name for name in available if name in used] or available
        inputs = list(inputs)
        for name in inputs:
            if name not in available:
                raise ValueError(
                    f"input {name!r} has no membership functions; choose from {available}."
                )
        if not inputs:
            raise ValueError("no input has membership functions (every input is constant).")
        ncols = max(1, min(ncols, len(inputs)))
        nrows = int(np.ceil(len(inputs) / ncols))
        fig, axes = plt.subplots(nrows, ncols, figsize=(4 * ncols, 2.6 * nrows), squeeze=False)
        for ax, name in zip(axes.ravel(), inputs, strict=False):
            table = self.memberships_[self.memberships_["input"] == name]
            low = float((table["center"] - 3 * table["sigma"]).min())
            high = float((table["center"] + 3 * table["sigma"]).max())
            universe = np.linspace(low, high, resolution)
            for row in table.itertuples(index=False):
                if row.shape == "gaussian":
                    curve = membership_function(universe, "gaussmf", [row.center, row.sigma])
                else:
                    left = row.center if row.shape == "right shoulder" else low - 1.0
                    right = row.center if row.shape == "left shoulder" else high + 1.0
                    params = [left, row.sigma, right, row.sigma]
                    curve = membership_function(universe, "gauss2mf", params)
                ax.plot(universe, curve, label=row.term)
            ax.set_title(name)
            ax.set_ylim(-0.02, 1.05)
            ax.legend(fontsize="small")
        for ax in axes.ravel()[len(inputs) :]:
            ax.set_visible(False)
        fig.tight_layout()
        return fig


_TSK_PARAMETERS_DOC = """
    max_rules : int in [1, 30], default=20
        Most rules grown (fewer remain after pruning). 30 is a hard limit: a rule base a person
        can read.
    max_conditions : int in [1, 3], default=3
        Most conditions (``input is term``) per rule; 3 is a hard limit.
    n_terms : int in [2, 5], default=3
        Linguistic terms per input (``low / medium / high`` for 3); a binary input gets 2.
    order : {0, 1}, default=0
        Consequent order: 0, a constant per rule; 1, a constant plus a linear function of the
        rule's own inputs (at most ``max_conditions`` of them).
    membership_init : {"fcm", "quantile"}, default="fcm"
        Initial term centres: 1-D fuzzy c-means centres of each input, or its 10 %-90 %
        quantiles.
    rule_search : {"greedy", "clusters"}, default="greedy"
        Where each rule's candidate conditions come from: every term of every input, or the
        terms nearest the centre of one fuzzy c-means cluster of the inputs (one rule per
        cluster). Either way each rule keeps the at most ``max_conditions`` conditions that
        reduce the loss most.
    l1_penalty : float, default=1.0
        L1 penalty on the rule consequents (per training row), which drives rules that do not
        help to zero so that pruning removes them.
    min_firing : float in [0, 1), default=0.01
        Rules whose mean firing strength on the training data is below this are not grown,
        and are pruned after training.
    prune_tolerance : float in [0, 1), default=0.02
        Rules whose importance (increase of the training loss without them) is below this
        share of the largest are pruned.
    learning_rate : float, default=0.02
        AdamW step size.
    weight_decay : float, default=0.0
        Decoupled weight decay of AdamW.
    batch_size : int, default=256
        Mini-batch size.
    max_epochs : int, default=100
        Passes over the training data (fewer with early stopping); 0 keeps the rules as grown.
    validation_fraction : float in (0, 1), default=0.15
        Share of the training data held out for early stopping (on its loss); with fewer than
        20 rows every epoch trains on all rows and the last one is kept.
    patience : int, default=8
        Epochs without a better validation loss before stopping; the best epoch is restored.
    device : {"cpu", "cuda", "auto"}, default="cpu"
        Where to train; ``"auto"`` uses CUDA when available. Predictions run on the CPU in
        float64.
    random_state : int, RandomState instance or None, default=None
        Seeds the fuzzy c-means initialisations, the validation split and the shuffling; two
        fits with one seed are identical on CPU. Global RNGs are never used.
    verbose : int, default=0
        Show a tqdm progress bar over epochs when > 0."""

_TSK_ATTRIBUTES_DOC = """
    antecedents_ : list of tuple of (str, str)
        Conditions ``(input, term)`` of each rule.
    memberships_ : pandas.DataFrame
        Learned terms: ``input, term, shape, center, sigma`` in the units given to ``fit``.
        "left shoulder" is 1 below ``center``, "right shoulder" 1 above it; each falls off as
        a Gaussian of width ``sigma``.
    n_rules_ : int
        Rules after pruning (at most ``max_rules``).
    rule_support_ : ndarray of shape (n_rules_,)
        Mean firing strength of each rule on the training data.
    rule_importance_ : ndarray of shape (n_rules_,)
        Increase of the training loss when each rule is removed (its mean contribution moved
        into the intercept).
    network_ : torch.nn.Module
        The trained rule base (on ``device_``).
    device_ : torch.device
        Resolved device.
    loss_curve_ : list of float
        Mean training loss per epoch.
    validation_scores_ : list of float or None
        Negative validation loss per epoch; None without a validation split.
    best_epoch_ : int
        Epoch whose parameters were kept.
    n_epochs_ : int
        Epochs run.
    input_mean_, input_scale_ : ndarray of shape (n_features_in_,)
        Internal standardization of the inputs (parameters are reported without it).
    n_features_in_ : int
        Number of features seen in ``fit``.
    feature_names_in_ : ndarray of str
        Feature names, when ``X`` was a DataFrame with string column names."""

_TSK_REFERENCES_DOC = """
    .. [1] Takagi, T. & Sugeno, M. (1985). Fuzzy identification of systems and its
       applications to modeling and control. *IEEE Transactions on Systems, Man, and
       Cybernetics* 15(1), 116-132.
    .. [2] Jang, J.-S. R. (1993). ANFIS: adaptive-network-based fuzzy inference system. *IEEE
       Transactions on Systems, Man, and Cybernetics* 23(3), 665-685.
    .. [3] Hoffmann, F. (2004). Combining boosting and evolutionary algorithms for learning of
       fuzzy classification rules. *Fuzzy Sets and Systems* 141(1), 47-58.
    .. [4] Chiu, S. L. (1994). Fuzzy model identification based on cluster estimation.
       *Journal of Intelligent and Fuzzy Systems* 2(3), 267-278."""


class TSKFuzzyClassifier(ClassifierMixin, _TSKBase):
    __doc__ = f"""Neuro-fuzzy (TSK, ANFIS-style) classifier with a small readable rule base.

    Each rule adds ``firing x consequent`` to the log-odds of each class (softmax over classes;
    one logit for two classes); rules are grown by a boosting-style search and then tuned
    jointly with the membership functions by gradient descent (see
    :mod:`ecrm_methods.neural.neuro_fuzzy`). ``rules_frame()`` writes the rules out, e.g.
    ``IF tenure is low AND complain is high THEN churn = 0.83``, where the consequent is the
    probability the model gives where that rule fires fully and no other rule fires.

    Parameters
    ----------{_TSK_PARAMETERS_DOC}
    class_weight : dict, "balanced" or None, default=None
        Weights of the classes in the loss (and the rule search).
    target_name : str or None, default=None
        Name of the target in the rule text; default the name of ``y`` if it is a Series,
        else ``"class"``.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels.
    target_name_ : str
        Name of the target in the rule text.{_TSK_ATTRIBUTES_DOC}

    References
    ----------{_TSK_REFERENCES_DOC}

    Examples
    --------
    >>> import numpy as np
    >>> import pandas as pd
    >>> from ecrm_methods.neural import TSKFuzzyClassifier
    >>> rng = np.random.default_rng(0)
    >>> X = pd.DataFrame({{"tenure": rng.uniform(0, 60, 600),
    ...                   "complain": rng.integers(0, 2, 600).astype(float)}})
    >>> churn = pd.Series(((X.tenure < 12) & (X.complain == 1)).astype(int), name="churn")
    >>> model = TSKFuzzyClassifier(max_rules=3, random_state=0).fit(X, churn)
    >>> model.n_rules_ <= 3, model.score(X, churn) > 0.95
    (True, True)
    >>> any("tenure is low" in rule and "complain is high" in rule
    ...     for rule in model.rules_frame()["rule"])
    True
    """

    _parameter_constraints: dict = {
        **_TSK_PARAMETER_CONSTRAINTS,
        "class_weight": [dict, StrOptions({"balanced"}), None],
    }

    def __init__(
        self,
        max_rules=20,
        max_conditions=3,
        n_terms=3,
        order=0,
        membership_init="fcm",
        rule_search="greedy",
        l1_penalty=1.0,
        min_firing=0.01,
        prune_tolerance=0.02,
        learning_rate=0.02,
        weight_decay=0.0,
        batch_size=256,
        max_epochs=100,
        validation_fraction=0.15,
        patience=8,
        class_weight=None,
        device="cpu",
        random_state=None,
        verbose=0,
        target_name=None,
    ):
        self.max_rules = max_rules
        self.max_conditions = max_conditions
        self.n_terms = n_terms
        self.order = order
        self.membership_init = membership_init
        self.rule_search = rule_search
        self.l1_penalty = l1_penalty
        self.min_firing = min_firing
        self.prune_tolerance = prune_tolerance
        self.learning_rate = learning_rate
        self.weight_decay = weight_decay
        self.batch_size = batch_size
        self.max_epochs = max_epochs
        self.validation_fraction = validation_fraction
        self.patience = patience
        self.class_weight = class_weight
        self.device = device
        self.random_state = random_state
        self.verbose = verbose
        self.target_name = target_name

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        """Grow, tune and prune the rule base.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Numeric inputs without missing values (scaling is not needed).
        y : array-like of shape (n_samples,)
            Class labels (at least two classes).

        Returns
        -------
        self : TSKFuzzyClassifier
            The fitted classifier.
        """
        self.target_name_ = self._target_name(y, "class")
        X, y = validate_data(self, X, y, dtype=np.float64)
        check_classification_targets(y)
        self.classes_, y_index = np.unique(y, return_inverse=True)
        n_classes = self.classes_.shape[0]
        if n_classes < 2:
            raise ValueError(
                f"{type(self).__name__} needs at least 2 classes in y, got 1 class "
                f"({self.classes_[0]!r}); check the target column or the training split."
            )
        if isinstance(self.class_weight, dict):
            unknown = set(self.class_weight) - set(self.classes_.tolist())
            if unknown:
                raise ValueError(
                    f"class_weight has keys {sorted(map(repr, unknown))} that are not classes "
                    f"of y {self.classes_.tolist()}; use the labels found in y."
                )
        class_weights = compute_class_weight(self.class_weight, classes=self.classes_, y=y)
        sample_weight = class_weights[y_index]
        if n_classes == 2:
            targets, loss = y_index.astype(np.float64).reshape(-1, 1), "logistic"
        else:
            targets, loss = np.eye(n_classes)[y_index], "multinomial"
        return self._fit_tsk(X, targets, loss, sample_weight, stratify=y_index)

    def _initial_intercept(self, targets, weight):
        prior = np.clip(np.average(targets, axis=0, weights=weight), 1e-6, 1 - 1e-6)
        if targets.shape[1] == 1:
            return np.log(prior / (1.0 - prior))
        return np.log(prior)

    def _consequent_text(self, r):
        network = self._network_float64
        intercept = network.intercept.detach().numpy()
        if intercept.shape[0] == 1:
            constant, coefficients = self._linear_consequent(r, 0, float(intercept[0]), 1.0)
            if coefficients:
                linear = self._linear_text(constant, coefficients)
                return f"{self.target_name_} = logistic({linear})"
            probability = 1.0 / (1.0 + np.exp(-constant))
            label = self.classes_[1]
            prefix = (
                self.target_name_
                if label in (1, True, "1")
                else (f"P({self.target_name_} = {label})")
            )
            return f"{prefix} = {probability:.2f}"
        parts = []
        for k, label in enumerate(self.classes_):
            constant, coefficients = self._linear_consequent(r, k, float(intercept[k]), 1.0)
            parts.append(f"{label}: {self._linear_text(constant, coefficients)}")
        if network.order == 1:
            return f"{self.target_name_} log-scores " + ", ".join(parts)
        logits = intercept + network.consequent[r].detach().numpy()
        proba = np.exp(logits - logits.max())
        proba /= proba.sum()
        best = int(np.argmax(proba))
        return f"{self.target_name_} = {self.classes_[best]} ({proba[best]:.2f})"

    def predict_proba(self, X):
        """Class probabilities.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Inputs with the columns seen in ``fit``.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Probabilities in the order of ``classes_`` (float64).
        """
        logits = self._forward(X)
        if logits.shape[1] == 1:
            positive = 1.0 / (1.0 + np.exp(-logits[:, 0]))
            return np.column_stack([1.0 - positive, positive])
        logits -= logits.max(axis=1, keepdims=True)
        proba = np.exp(logits)
        return proba / proba.sum(axis=1, keepdims=True)

    def predict(self, X):
        """Most probable class.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Inputs with the columns seen in ``fit``.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            Labels from ``classes_``.
        """
        proba = self.predict_proba(X)
        return self.classes_[np.argmax(proba, axis=1)]


class TSKFuzzyRegressor(RegressorMixin, _TSKBase):
    __doc__ = f"""Neuro-fuzzy (TSK, ANFIS-style) regressor with a small readable rule base.

    The prediction is the intercept plus, for each rule, ``firing x consequent``; several
    targets (holdout purchases and spend, say) share the rules and get a consequent each.
    Targets are standardized internally; rules and memberships are reported in the units given
    to ``fit``. ``rules_frame()`` writes the rules out, e.g. ``IF recency is high AND frequency
    is low THEN spend = 3.1``: the prediction where that rule fires fully and no other does.

    Parameters
    ----------{_TSK_PARAMETERS_DOC}
    target_name : str or None, default=None
        Name of the target in the rule text; default the name of ``y`` (Series name, or the
        column names of a DataFrame), else ``"y"`` (``"y0", "y1", ...`` for several targets).

    Attributes
    ----------
    n_outputs_ : int
        Number of targets.
    target_names_ : list of str
        Name of each target in the rule text.
    target_mean_, target_scale_ : ndarray of shape (n_outputs_,)
        Internal standardization of the targets.{_TSK_ATTRIBUTES_DOC}

    References
    ----------{_TSK_REFERENCES_DOC}

    Examples
    --------
    >>> import numpy as np
    >>> from ecrm_methods.neural import TSKFuzzyRegressor
    >>> rng = np.random.default_rng(0)
    >>> X = rng.uniform(-1, 1, size=(500, 2))
    >>> y = np.where(X[:, 0] > 0.3, 5.0, 1.0)
    >>> model = TSKFuzzyRegressor(max_rules=4, random_state=0).fit(X, y)
    >>> model.score(X, y) > 0.9
    True
    """

    _parameter_constraints: dict = {**_TSK_PARAMETER_CONSTRAINTS}

    def __init__(
        self,
        max_rules=20,
        max_conditions=3,
        n_terms=3,
        order=0,
        membership_init="fcm",
        rule_search="greedy",
        l1_penalty=1.0,
        min_firing=0.01,
        prune_tolerance=0.02,
        learning_rate=0.02,
        weight_decay=0.0,
        batch_size=256,
        max_epochs=100,
        validation_fraction=0.15,
        patience=8,
        device="cpu",
        random_state=None,
        verbose=0,
        target_name=None,
    ):
        self.max_rules = max_rules
        self.max_conditions = max_conditions
        self.n_terms = n_terms
        self.order = order
        self.membership_init = membership_init
        self.rule_search = rule_search
        self.l1_penalty = l1_penalty
        self.min_firing = min_firing
        self.prune_tolerance = prune_tolerance
        self.learning_rate = learning_rate
        self.weight_decay = weight_decay
        self.batch_size = batch_size
        self.max_epochs = max_epochs
        self.validation_fraction = validation_fraction
        self.patience = patience
        self.device = device
        self.random_state = random_state
        self.verbose = verbose
        self.target_name = target_name

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        """Grow, tune and prune the rule base.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Numeric inputs without missing values (scaling is not needed).
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Numeric target(s).

        Returns
        -------
        self : TSKFuzzyRegressor
            The fitted regressor.
        """
        names = self._target_names(y)
        X, y = validate_data(self, X, y, dtype=np.float64, multi_output=True, y_numeric=True)
        y = np.asarray(y, dtype=np.float64)
        self._y_was_1d = y.ndim == 1
        y2d = y.reshape(y.shape[0], -1)
        self.n_outputs_ = y2d.shape[1]
        if len(names) != self.n_outputs_:
            names = ["y"] if self.n_outputs_ == 1 else [f"y{k}" for k in range(self.n_outputs_)]
        self.target_names_ = names
        self.target_mean_ = y2d.mean(axis=0)
        scale = y2d.std(axis=0)
        self.target_scale_ = np.where(scale > 0, scale, 1.0)
        standardized = (y2d - self.target_mean_) / self.target_scale_
        return self._fit_tsk(X, standardized, "squared", np.ones(y2d.shape[0]))

    def _target_names(self, y):
        if self.target_name is not None:
            return [self.target_name]
        if isinstance(y, pd.DataFrame):
            return [str(c) for c in y.columns]
        name = getattr(y, "name", None)
        return [str(name)] if name is not None else []

    def _initial_intercept(self, targets, weight):
        return np.zeros(targets.shape[1])

    def _consequent_text(self, r):
        intercept = self._network_float64.intercept.detach().numpy()
        parts = []
        for k, name in enumerate(self.target_names_):
            offset = self.target_mean_[k] + self.target_scale_[k] * float(intercept[k])
            constant, coefficients = self._linear_consequent(r, k, 0.0, self.target_scale_[k])
            parts.append(f"{name} = {self._linear_text(constant + offset, coefficients)}")
        return ", ".join(parts)

    def predict(self, X):
        """Predict the target(s).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Inputs with the columns seen in ``fit``.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,) or (n_samples, n_outputs_)
            Predictions in the units of ``y`` (float64), 1-D when ``y`` was 1-D.
        """
        predicted = self._forward(X) * self.target_scale_ + self.target_mean_
        return predicted.ravel() if self._y_was_1d else predicted
