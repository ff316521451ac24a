"""Fuzzy partitions, readable fuzzy rules and vectorized Mamdani inference.

Inference follows :class:`skfuzzy.control.ControlSystemSimulation` step by step (fuzzify by
linear interpolation on each variable's universe; AND/OR/NOT on term memberships; activation =
firing x weight; clip each consequent term at its activation and accumulate by max; centroid
of the piecewise-linear aggregate on the universe refined with every term's cut crossings),
but computes all rows at once instead of one simulation per row.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import skfuzzy

__all__ = [
    "FuzzyClause",
    "FuzzyRule",
    "parse_rule",
    "default_term_names",
    "membership_function",
    "quantile_partition",
]

_SHAPE_ALIASES = {
    "triangular": "triangular",
    "trimf": "triangular",
    "trapezoidal": "trapezoidal",
    "trapmf": "trapezoidal",
    "gaussian": "gaussian",
    "gaussmf": "gaussian",
    "gauss2mf": "gauss2",
    "gauss2": "gauss2",
}
_N_PARAMS = {"triangular": 3, "trapezoidal": 4, "gaussian": 2, "gauss2": 4}


@dataclass(frozen=True)
class FuzzyClause:
    """One condition ``variable IS [NOT] term``."""

    variable: str
    term: str
    negated: bool = False

    def __str__(self):
        return f"{self.variable} IS {'NOT ' if self.negated else ''}{self.term}"


@dataclass(frozen=True)
class FuzzyRule:
    """A Mamdani rule: IF (c AND c ...) OR (c AND ...) THEN variable IS term [WITH weight].

    Parameters
    ----------
    antecedent : tuple of tuple of FuzzyClause
        Disjunction of conjunctions of clauses (AND binds tighter than OR).
    consequent_variable : str
        Output variable name.
    consequent_term : str
        Output term name.
    weight : float, default=1.0
        Multiplies the firing strength (skfuzzy's consequent weight).
    """

    antecedent: tuple
    consequent_variable: str
    consequent_term: str
    weight: float = 1.0

    def __str__(self):
        condition = " OR ".join(
            " AND ".join(str(clause) for clause in conjunction) for conjunction in self.antecedent
        )
        text = f"IF {condition} THEN {self.consequent_variable} IS {self.consequent_term}"
        if self.weight != 1.0:
            text += f" WITH {self.weight:.4g}"
        return text


_RULE_RE = re.compile(r"^\s*IF\s+(?P<cond>.+?)\s+THEN\s+(?P<cons>.+?)\s*$", re.IGNORECASE)
_WITH_RE = re.compile(r"^(?P<cons>.+?)\s+WITH\s+(?P<weight>\S+)$", re.IGNORECASE)
_CLAUSE_RE = re.compile(r"^(?P<var>.+?)\s+IS\s+(?P<neg>NOT\s+)?(?P<term>.+?)$", re.IGNORECASE)


def _parse_clause(text, rule_text):
    match = _CLAUSE_RE.match(text.strip())
    if match is None:
        raise ValueError(
            f"cannot read the condition {text.strip()!r} in rule {rule_text!r}; write each "
            "condition as 'variable IS term' or 'variable IS NOT term'."
        )
    return FuzzyClause(match["var"].strip(), match["term"].strip(), bool(match["neg"]))


def parse_rule(text, input_terms, output_variable, output_terms):
    """Parse a rule written by a person and check its variables and terms.

    Grammar: ``IF cond [AND|OR cond]... THEN output IS term [WITH weight]`` where
    ``cond`` is ``variable IS [NOT] term``; keywords are case-insensitive and AND binds tighter
    than OR.

    Parameters
    ----------
    text : str or FuzzyRule
        The rule.
    input_terms : dict of str to list of str
        Term names of each input variable.
    output_variable : str
        Name of the output variable.
    output_terms : list of str
        Term names of the output variable.

    Returns
    -------
    rule : FuzzyRule
        The parsed, validated rule.

    References
    ----------
    .. [1] Mamdani, E. H., & Assilian, S. (1975). An experiment in linguistic synthesis with a
       fuzzy logic controller. *International Journal of Man-Machine Studies*, 7(1), 1-13.
    """
    if isinstance(text, FuzzyRule):
        rule = text
    elif isinstance(text, str):
        match = _RULE_RE.match(text)
        if match is None:
            raise ValueError(
                f"cannot read rule {text!r}; write it as "
                "'IF variable IS term [AND|OR variable IS term]... THEN output IS term'."
            )
        consequent_text, weight = match["cons"], 1.0
        with_match = _WITH_RE.match(consequent_text)
        if with_match is not None:
            consequent_text = with_match["cons"]
            try:
                weight = float(with_match["weight"])
            except ValueError:
                raise ValueError(
                    f"rule {text!r} has weight {with_match['weight']!r}; WITH needs a number "
                    "in [0, 1]."
                ) from None
        disjuncts = re.split(r"\s+OR\s+", match["cond"], flags=re.IGNORECASE)
        antecedent = tuple(
            tuple(
                _parse_clause(part, text)
                for part in re.split(r"\s+AND\s+", disjunct, flags=re.IGNORECASE)
            )
            for disjunct in disjuncts
        )
        consequent = _parse_clause(consequent_text, text)
        if consequent.negated:
            raise ValueError(f"rule {text!r}: a consequent cannot be negated (IS NOT).")
        rule = FuzzyRule(antecedent, consequent.variable, consequent.term, weight)
    else:
        raise TypeError(f"a rule must be a string or FuzzyRule; got {type(text).__name__}.")
    if not 0.0 <= rule.weight <= 1.0:
        raise ValueError(f"rule {str(rule)!r} has weight {rule.weight}; it must lie in [0, 1].")
    for conjunction in rule.antecedent:
        for clause in conjunction:
            if clause.variable not in input_terms:
                raise ValueError(
                    f"rule {str(rule)!r} names unknown input variable {clause.variable!r}; "
                    f"inputs are {sorted(input_terms)}. Fix the name or pass X with that column."
                )
            if clause.term not in input_terms[clause.variable]:
                raise ValueError(
                    f"rule {str(rule)!r} names unknown term {clause.term!r} of "
                    f"{clause.variable!r}; its terms are {list(input_terms[clause.variable])}."
                )
    if rule.consequent_variable != output_variable:
        raise ValueError(
            f"rule {str(rule)!r} concludes on {rule.consequent_variable!r}, but the output "
            f"variable is {output_variable!r} (set target_name or name the target Series)."
        )
    if rule.consequent_term not in output_terms:
        raise ValueError(
            f"rule {str(rule)!r} names unknown output term {rule.consequent_term!r}; the "
            f"terms of {output_variable!r} are {list(output_terms)}."
        )
    return rule


def default_term_names(n_terms):
    """Linguistic term names for ``n_terms`` ordered terms (``low``, ``medium``, ``high``...).

    Parameters
    ----------
    n_terms : int
        Number of terms.

    Returns
    -------
    names : list of str
        Term names from lowest to highest.
    """
    names = {
        1: ["any"],
        2: ["low", "high"],
        3: ["low", "medium", "high"],
        4: ["low", "medium_low", "medium_high", "high"],
        5: ["very_low", "low", "medium", "high", "very_high"],
        7: ["very_low", "low", "medium_low", "medium", "medium_high", "high", "very_high"],
    }
    return list(names.get(n_terms, [f"term_{k}" for k in range(n_terms)]))


def _canonical_shape(shape, where):
    key = str(shape).lower()
    if key not in _SHAPE_ALIASES:
        raise ValueError(
            f"{where}: unknown membership function shape {shape!r}; use 'triangular', "
            "'trapezoidal' or 'gaussian'."
        )
    return _SHAPE_ALIASES[key]


def membership_function(universe, shape, params):
    """Evaluate a scikit-fuzzy membership function on a universe.

    Parameters
    ----------
    universe : ndarray of shape (n_points,)
        Sorted points.
    shape : {"triangular", "trapezoidal", "gaussian", "gauss2mf"}
        ``trimf`` (a, b, c), ``trapmf`` (a, b, c, d), ``gaussmf`` (mean, sigma) or
        ``gauss2mf`` (mean1, sigma1, mean2, sigma2).
    params : sequence of float
        Parameters in scikit-fuzzy's order.

    Returns
    -------
    mf : ndarray of shape (n_points,)
        Membership degrees in [0, 1].
    """
    shape = _canonical_shape(shape, "membership_function")
    params = [float(p) for p in params]
    if len(params) != _N_PARAMS[shape]:
        raise ValueError(
            f"a {shape} membership function needs {_N_PARAMS[shape]} parameters; got {params}."
        )
    if shape in ("triangular", "trapezoidal") and np.any(np.diff(params) < 0):
        raise ValueError(f"{shape} parameters must be non-decreasing; got {params}.")
    universe = np.asarray(universe, dtype=np.float64)
    if shape == "triangular":
        return skfuzzy.trimf(universe, params)
    if shape == "trapezoidal":
        return skfuzzy.trapmf(universe, params)
    if shape == "gaussian":
        if params[1] <= 0:
            raise ValueError(f"gaussian sigma must be > 0; got {params[1]}.")
        return skfuzzy.gaussmf(universe, params[0], params[1])
    return skfuzzy.gauss2mf(universe, *params)


def _breakpoints(shape, params):
    if shape in ("triangular", "trapezoidal"):
        return list(params)
    if shape == "gauss2":
        return [params[0], params[2]]
    return [params[0]]


def quantile_partition(values, n_terms, shape="triangular", quantiles=None):
    """Membership-function specs of ``n_terms`` terms centred at data quantiles.

    Interior terms peak at the quantiles; the first and last terms are shoulders that stay at 1
    down to the minimum and up to the maximum. Triangular and trapezoidal partitions sum to 1
    (Ruspini); Gaussian terms cross at 0.5 halfway between centers.

    Parameters
    ----------
    values : ndarray of shape (n_samples,)
        Observed values of the variable.
    n_terms : int
        Number of terms (>= 1).
    shape : {"triangular", "trapezoidal", "gaussian"}, default="triangular"
        Membership function shape.
    quantiles : sequence of float or None, default=None
        Quantile of each term center; default evenly spaced from 0 to 1.

    Returns
    -------
    specs : list of (str, list of float)
        One ``(shape, params)`` per term, lowest first.
    bounds : tuple of float
        ``(low, high)`` of the universe.
    """
    shape = _canonical_shape(shape, "quantile_partition")
    values = np.asarray(values, dtype=np.float64)
    low, high = float(np.min(values)), float(np.max(values))
    if high - low <= 1e-12 * max(1.0, abs(low)):
        low, high = low - 0.5, high + 0.5
    if n_terms == 1:
        return [("trapezoidal", [low, low, high, high])], (low, high)
    if quantiles is None:
        quantiles = np.linspace(0.0, 1.0, n_terms)
    centers = np.quantile(values, quantiles)
    if np.any(np.diff(centers) <= 1e-9 * (high - low)) or len(centers) != n_terms:
        centers = np.linspace(low, high, n_terms)
    centers = np.clip(centers, low, high)
    gaps = np.diff(centers)
    specs = []
    for k in range(n_terms):
        left = centers[k - 1] if k > 0 else None
        right = centers[k + 1] if k < n_terms - 1 else None
        if shape == "triangular":
            if left is None:
                specs.append(("trapezoidal", [low, low, centers[k], right]))
            elif right is None:
                specs.append(("trapezoidal", [left, centers[k], high, high]))
            else:
                specs.append(("triangular", [left, centers[k], right]))
        elif shape == "trapezoidal":
            a = low if left is None else left + gaps[k - 1] / 4
            b = low if left is None else centers[k] - gaps[k - 1] / 4
            c = high if right is None else centers[k] + gaps[k] / 4
            d = high if right is None else right - gaps[k] / 4
            specs.append(("trapezoidal", [a, b, c, d]))
        else:
            half_gap = np.mean(gaps[max(k - 1, 0) : k + 1]) / 2
            sigma = max(half_gap / np.sqrt(2 * np.log(2)), 1e-12)
            if left is None:
                specs.append(("gauss2", [low, sigma, centers[k], sigma]))
            elif right is None:
                specs.append(("gauss2", [centers[k], sigma, high, sigma]))
            else:
                specs.append(("gaussian", [centers[k], sigma]))
    specs = [(s, [float(p) for p in params]) for s, params in specs]
    return specs, (low, high)


def build_variable(specs, bounds, resolution):
    """Universe and membership arrays of one variable from its term specs.

    The universe is ``resolution`` evenly spaced points over ``bounds`` plus every breakpoint,
    so piecewise-linear terms are represented exactly.

    Parameters
    ----------
    specs : list of (str, list of float)
        ``(shape, params)`` per term.
    bounds : tuple of float
        ``(low, high)``.
    resolution : int
        Number of evenly spaced universe points.

    Returns
    -------
    universe : ndarray of shape (n_points,)
    mfs : ndarray of shape (n_terms, n_points)
    """
    low, high = bounds
    points = [np.linspace(low, high, resolution)]
    for shape, params in specs:
        points.append(np.asarray(_breakpoints(_canonical_shape(shape, "specs"), params)))
    universe = np.unique(np.concatenate(points))
    universe = universe[(universe >= low) & (universe <= high)]
    mfs = np.vstack([membership_function(universe, shape, params) for shape, params in specs])
    return universe, mfs


def fuzzify(values, universe, mfs):
    """Membership of each value in each term by interpolation on the universe.

    Parameters
    ----------
    values : ndarray of shape (n_samples,)
    universe : ndarray of shape (n_points,)
    mfs : ndarray of shape (n_terms, n_points)

    Returns
    -------
    memberships : ndarray of shape (n_samples, n_terms)
    """
    out = np.empty((values.shape[0], mfs.shape[0]))
    for k in range(mfs.shape[0]):
        out[:, k] = np.interp(values, universe, mfs[k])
    return out


class CompiledRuleBase:
    """Rules as integer arrays for vectorized firing.

    Parameters
    ----------
    rules : list of FuzzyRule
        Validated rules.
    input_names : list of str
        Input variables in column order.
    input_terms : dict of str to list of str
        Terms of each input variable.
    output_terms : list of str
        Terms of the output variable.
    t_norm : {"min", "product"}
        AND operator; OR is the dual s-norm (max or probabilistic sum).
    """

    def __init__(self, rules, input_names, input_terms, output_terms, t_norm):
        self.t_norm = t_norm
        self.n_rules = len(rules)
        self.n_output_terms = len(output_terms)
        column = {name: j for j, name in enumerate(input_names)}
        conjunctions, owners = [], []
        for r, rule in enumerate(rules):
            for conjunction in rule.antecedent:
                row = np.full(len(input_names), -1, dtype=np.int64)
                for clause in conjunction:
                    n_terms = len(input_terms[clause.variable])
                    index = input_terms[clause.variable].index(clause.term)
                    index += n_terms if clause.negated else 0
                    j = column[clause.variable]
                    if row[j] >= 0 and row[j] != index:
                        raise ValueError(
                            f"rule {str(rule)!r} tests {clause.variable!r} twice in one AND "
                            "group; use one condition per variable (or OR)."
                        )
                    row[j] = index
                conjunctions.append(row)
                owners.append(r)
        self.conjunction_terms = np.array(conjunctions, dtype=np.int64).reshape(
            -1, len(input_names)
        )
        self.conjunction_rule = np.array(owners, dtype=np.int64)
        self.rule_starts = np.flatnonzero(np.r_[True, np.diff(self.conjunction_rule) != 0])
        self.single_conjunction = len(conjunctions) == len(rules)
        self.used_columns = np.flatnonzero((self.conjunction_terms >= 0).any(axis=0))
        self.consequent = np.array([output_terms.index(r.consequent_term) for r in rules])
        self.weight = np.array([r.weight for r in rules], dtype=np.float64)

    def firing(self, memberships_by_column):
        """Rule firing strengths (n_samples, n_rules) from per-column memberships.

        ``memberships_by_column[j]`` is (n_samples, n_terms_j), or None for unused columns.
        """
        first = next(m for m in memberships_by_column if m is not None)
        n = first.shape[0]
        conj = np.ones((n, self.conjunction_terms.shape[0]))
        for j in self.used_columns:
            mu = memberships_by_column[j]
            extended = np.hstack([mu, 1.0 - mu])
            idx = self.conjunction_terms[:, j]
            used = np.flatnonzero(idx >= 0)
            values = extended[:, idx[used]]
            if self.t_norm == "min":
                conj[:, used] = np.minimum(conj[:, used], values)
            else:
                conj[:, used] *= values
        if self.single_conjunction:
            return conj
        if self.t_norm == "min":
            return np.maximum.reduceat(conj, self.rule_starts, axis=1)
        return 1.0 - np.multiply.reduceat(1.0 - conj, self.rule_starts, axis=1)

    def term_activation(self, firing):
        """Accumulated activation (n_samples, n_output_terms): max over rules of firing x weight."""
        activation = firing * self.weight
        cuts = np.zeros((firing.shape[0], self.n_output_terms))
        for k in range(self.n_output_terms):
            rules_k = np.flatnonzero(self.consequent == k)
            if rules_k.size:
                cuts[:, k] = activation[:, rules_k].max(axis=1)
        return cuts


def _piece_integrals(x1, x2, y1, y2):
    """Exact area and first moment of the linear piece through (x1, y1), (x2, y2)."""
    h = x2 - x1
    area = 0.5 * h * (y1 + y2)
    moment = x1 * area + h * h * (y1 / 6.0 + y2 / 3.0)
    return area, moment


def centroid_defuzzify(universe, mfs, cuts):
    """Centroid of the max of clipped output terms, for many rows at once.

    Reproduces skfuzzy's ``CrispValueCalculator.defuzz`` (universe refined with the points
    where each term crosses its cut level, then the exact centroid of the piecewise-linear
    aggregate) without a Python loop over rows.

    Parameters
    ----------
    universe : ndarray of shape (n_points,)
        Output universe.
    mfs : ndarray of shape (n_terms, n_points)
        Output term membership functions.
    cuts : ndarray of shape (n_samples, n_terms)
        Activation level of each term per row.

    Returns
    -------
    crisp : ndarray of shape (n_samples,)
        Centroid per row; NaN where no term is active (zero area).
    """
    n, n_terms = cuts.shape
    x1, x2 = universe[:-1], universe[1:]
    aggregate = np.zeros((n, universe.shape[0]))
    for k in range(n_terms):
        np.maximum(aggregate, np.minimum(cuts[:, k, None], mfs[k][None, :]), out=aggregate)
    area_pieces, moment_pieces = _piece_integrals(x1, x2, aggregate[:, :-1], aggregate[:, 1:])
    area = area_pieces.sum(axis=1)
    moment = moment_pieces.sum(axis=1)

    # Points where a term crosses its cut level inside a universe segment (skfuzzy's
    # _interp_universe_fast): (row, segment, x) triples.
    rows_list, segs_list, xs_list = [], [], []
    for k in range(n_terms):
        mf = mfs[k]
        cut = cuts[:, k]
        above = (mf[None, :] >= cut[:, None]) & ((cut > 0)[:, None] | (mf > 0)[None, :])
        rows, segs = np.nonzero(above[:, 1:] != above[:, :-1])
        if rows.size == 0:
            continue
        xs = x1[segs] + (cut[rows] - mf[segs]) * (x2[segs] - x1[segs]) / (mf[segs + 1] - mf[segs])
        inside = (xs > x1[segs]) & (xs < x2[segs])
        rows_list.append(rows[inside])
        segs_list.append(segs[inside])
        xs_list.append(xs[inside])
    if rows_list and sum(r.size for r in rows_list):
        rows = np.concatenate(rows_list)
        segs = np.concatenate(segs_list)
        xs = np.concatenate(xs_list)
        key = rows * (universe.shape[0] - 1) + segs
        unique_keys, position = np.unique(key, return_inverse=True)
        n_refined = unique_keys.shape[0]
        refined_rows = unique_keys // (universe.shape[0] - 1)
        refined_segs = unique_keys % (universe.shape[0] - 1)
        # Each refined segment gets its two ends plus up to one crossing per term (a linear
        # piece crosses a level at most once); unused slots repeat the left end.
        order = np.argsort(position, kind="stable")
        slot = np.empty_like(position)
        sorted_pos = position[order]
        group_start = np.flatnonzero(np.r_[True, np.diff(sorted_pos) != 0])
        counts = np.diff(np.r_[group_start, sorted_pos.shape[0]])
        slot[order] = np.arange(sorted_pos.shape[0]) - np.repeat(group_start, counts)
        width = int(slot.max()) + 1
        points = np.repeat(x1[refined_segs][:, None], width + 2, axis=1)
        points[:, -1] = x2[refined_segs]
        points[position, 1 + slot] = xs
        points.sort(axis=1)
        values = np.zeros_like(points)
        refined_cuts = cuts[refined_rows]
        for k in range(n_terms):
            mf_at_points = np.interp(points, universe, mfs[k])
            np.maximum(values, np.minimum(refined_cuts[:, k, None], mf_at_points), out=values)
        new_area, new_moment = _piece_integrals(
            points[:, :-1], points[:, 1:], values[:, :-1], values[:, 1:]
        )
        delta_area = new_area.sum(axis=1) - area_pieces[refined_rows, refined_segs]
        delta_moment = new_moment.sum(axis=1) - moment_pieces[refined_rows, refined_segs]
        area += np.bincount(refined_rows, delta_area, minlength=n)
        moment += np.bincount(refined_rows, delta_moment, minlength=n)
        del n_refined
    with np.errstate(invalid="ignore", divide="ignore"):
        crisp = moment / area
    crisp[~(area > 0)] = np.nan
    return crisp
