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
    # one binary search per value, shared by all terms (same result as np.interp per term,
    # values outside the universe take the edge membership)
    values = np.clip(values, universe[0], universe[-1])
    right = np.clip(np.searchsorted(universe, values, side="right"), 1, universe.shape[0] - 1)
    left = right - 1
    with np.errstate(invalid="ignore", divide="ignore"):
        fraction = (values - universe[left]) / (universe[right] - universe[left])
    fraction = np.nan_to_num(fraction, nan=0.0)
    out = np.empty((values.shape[0], mfs.shape[0]))
    for k in range(mfs.shape[0]):
        start = mfs[k][left]
        out[:, k] = start + fraction * (mfs[k][right] - start)
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

    def term_activation(self, firing, accumulation="max"):
        """Accumulated activation (n_samples, n_output_terms) of firing x weight over the rules
        of each output term: ``"max"`` (Mamdani, skfuzzy's default) or ``"sum"``."""
        activation = firing * self.weight
        cuts = np.zeros((firing.shape[0], self.n_output_terms))
        for k in range(self.n_output_terms):
            rules_k = np.flatnonzero(self.consequent == k)
            if rules_k.size:
                block = activation[:, rules_k]
                cuts[:, k] = block.max(axis=1) if accumulation == "max" else block.sum(axis=1)
        return cuts


def _piece_integrals(x1, x2, y1, y2):
    """Exact area and first moment of the linear piece through (x1, y1), (x2, y2)."""
    h = x2 - x1
    area = 0.5 * h * (y1 + y2)
    moment = x1 * area + h * h * (y1 / 6.0 + y2 / 3.0)
    return area, moment


def _integral_weights(universe):
    """Vectors w_area, w_moment with area = y @ w_area, moment = y @ w_moment (piecewise linear)."""
    x1, x2 = universe[:-1], universe[1:]
    h = x2 - x1
    w_area = np.zeros_like(universe)
    w_moment = np.zeros_like(universe)
    w_area[:-1] += 0.5 * h
    w_area[1:] += 0.5 * h
    w_moment[:-1] += 0.5 * h * x1 + h * h / 6.0
    w_moment[1:] += 0.5 * h * x1 + h * h / 3.0
    return w_area, w_moment


def _monotone_runs(mf):
    """Split a membership curve into runs of segments on which it is monotone.

    Returns a list of (first_point, last_point, rising) with inclusive point indices.
    """
    signs = np.sign(np.diff(mf))
    nonzero = np.flatnonzero(signs)
    if nonzero.size == 0:
        return [(0, mf.shape[0] - 1, True)]
    # flat segments join the run before them (or the first run when leading)
    filled = signs.copy()
    last = signs[nonzero[0]]
    for j in range(filled.shape[0]):
        if filled[j] == 0:
            filled[j] = last
        else:
            last = filled[j]
    runs, start = [], 0
    for j in range(1, filled.shape[0] + 1):
        if j == filled.shape[0] or filled[j] != filled[start]:
            runs.append((start, j, bool(filled[start] > 0)))
            start = j
    return runs


def _crossing_segments(mf, runs, cut):
    """Rows and segments where ``mf`` crosses ``cut`` (skfuzzy: diff(mf >= cut), or mf > 0
    for a zero cut), found by binary search on each monotone run."""
    rows_out, segs_out = [], []
    positive = cut > 0
    for first, last, rising in runs:
        values = mf[first : last + 1]
        if not rising:
            values = values[::-1]
        # first index (in ascending order) where values >= cut (cut > 0) or values > 0 (cut = 0)
        index = np.where(
            positive,
            np.searchsorted(values, cut, side="left"),
            np.searchsorted(values, 0.0, side="right"),
        )
        inside = (index > 0) & (index < values.shape[0])
        rows = np.flatnonzero(inside)
        if rising:
            segs = first + index[rows] - 1
        else:
            segs = last - index[rows]
        rows_out.append(rows)
        segs_out.append(segs)
    return np.concatenate(rows_out), np.concatenate(segs_out)


class OutputDefuzzifier:
    """Centroid defuzzification of one output variable, for many rows at once.

    Reproduces skfuzzy's ``CrispValueCalculator.defuzz`` (universe refined with the points
    where each term crosses its cut level, then the exact centroid of the piecewise-linear
    aggregate) without a Python loop over rows.

    Parameters
    ----------
    universe : ndarray of shape (n_points,)
        Output universe.
    mfs : ndarray of shape (n_terms, n_points)
        Output term membership functions.
    """

    def __init__(self, universe, mfs):
        self.universe = np.asarray(universe, dtype=np.float64)
        self.mfs = np.asarray(mfs, dtype=np.float64)
        self.w_area, self.w_moment = _integral_weights(self.universe)
        self.runs = [_monotone_runs(mf) for mf in self.mfs]
        self._scratch = None

    def __call__(self, cuts):
        """Centroid per row of ``cuts`` (n_samples, n_terms); NaN where the aggregate is empty."""
        universe, mfs = self.universe, self.mfs
        n, n_terms = cuts.shape
        x1, x2 = universe[:-1], universe[1:]
        # scratch buffers are reused across calls (blocks of rows): fresh multi-megabyte
        # arrays would cost a page fault per 4 KiB on every block
        if self._scratch is None or self._scratch.shape[1] < n:
            self._scratch = np.empty((2, n, universe.shape[0]))
        aggregate, clipped = self._scratch[0, :n], self._scratch[1, :n]
        np.minimum(cuts[:, 0, None], mfs[0][None, :], out=aggregate)
        for k in range(1, n_terms):
            np.minimum(cuts[:, k, None], mfs[k][None, :], out=clipped)
            np.maximum(aggregate, clipped, out=aggregate)
        area = aggregate @ self.w_area
        moment = aggregate @ self.w_moment

        # Crossing points of each term with its cut (at most one per monotone run), in a
        # fixed-width array: +inf marks "no crossing".
        h = x2 - x1
        n_slots = sum(len(runs) for runs in self.runs)
        crossings = np.full((n, n_slots), np.inf)
        slot = 0
        for k in range(n_terms):
            mf = mfs[k]
            cut = cuts[:, k]
            for run in self.runs[k]:
                rows, segs = _crossing_segments(mf, [run], cut)
                xs = x1[segs] + (cut[rows] - mf[segs]) * h[segs] / (mf[segs + 1] - mf[segs])
                inside = (xs > x1[segs]) & (xs < x2[segs])
                crossings[rows[inside], slot] = xs[inside]
                slot += 1
        crossings.sort(axis=1)
        valid = np.isfinite(crossings)
        if valid.any():
            last_segment = universe.shape[0] - 2
            seg = np.minimum(np.searchsorted(universe, crossings, side="right") - 1, last_segment)
            points = np.where(valid, crossings, x1[seg])
            fraction = (points - x1[seg]) / h[seg]
            value = np.zeros_like(points)
            for k in range(n_terms):
                start_value = mfs[k][seg]
                mf_at_points = start_value + fraction * (mfs[k][seg + 1] - start_value)
                np.maximum(value, np.minimum(cuts[:, k, None], mf_at_points), out=value)
            left_value = np.take_along_axis(aggregate, seg, axis=1)
            right_value = np.take_along_axis(aggregate, seg + 1, axis=1)
            # previous point in the same segment, else the segment's left end
            same_as_previous = np.zeros_like(valid)
            same_as_previous[:, 1:] = valid[:, :-1] & (seg[:, 1:] == seg[:, :-1])
            previous_point = np.where(same_as_previous, np.roll(points, 1, axis=1), x1[seg])
            previous_value = np.where(same_as_previous, np.roll(value, 1, axis=1), left_value)
            last_in_segment = valid.copy()
            last_in_segment[:, :-1] &= ~(valid[:, 1:] & (seg[:, 1:] == seg[:, :-1]))
            piece_area, piece_moment = _piece_integrals(
                previous_point, points, previous_value, value
            )
            tail_area, tail_moment = _piece_integrals(points, x2[seg], value, right_value)
            base_area, base_moment = _piece_integrals(x1[seg], x2[seg], left_value, right_value)
            area += np.where(valid, piece_area, 0.0).sum(axis=1)
            area += np.where(last_in_segment, tail_area - base_area, 0.0).sum(axis=1)
            moment += np.where(valid, piece_moment, 0.0).sum(axis=1)
            moment += np.where(last_in_segment, tail_moment - base_moment, 0.0).sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            crisp = moment / area
        crisp[~(area > 0)] = np.nan
        return crisp


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

    References
    ----------
    .. [1] Ross, T. J. (2010). *Fuzzy Logic with Engineering Applications*, 3rd ed., Wiley,
       ch. 4 (defuzzification).
    """
    return OutputDefuzzifier(universe, mfs)(np.asarray(cuts, dtype=np.float64))
