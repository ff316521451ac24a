"""Genetic programming symbolic regression on DEAP (``GPSymbolicRegressor``)."""

from __future__ import annotations

import functools
import numbers
import operator

import numpy as np
from deap import algorithms, base, gp, tools
from sklearn.base import BaseEstimator, RegressorMixin, _fit_context
from sklearn.utils._param_validation import Interval
from sklearn.utils.validation import check_is_fitted, validate_data
from tqdm.auto import tqdm

from ._base import (
    FitnessMax,
    deap_random,
    improved,
    logbook_to_frame,
    make_logbook,
    record_generation,
    seed_from_random_state,
    seeded_deap_random,
)

__all__ = ["GPSymbolicRegressor", "protected_div", "protected_log", "protected_sqrt"]

_SMALL = 1e-6


def protected_div(numerator, denominator):
    """Division that returns 1 where ``|denominator| < 1e-6`` (Koza's protected division).

    Parameters
    ----------
    numerator, denominator : ndarray or float

    Returns
    -------
    quotient : ndarray
    """
    numerator, denominator = np.asarray(numerator, float), np.asarray(denominator, float)
    safe = np.abs(denominator) >= _SMALL
    with np.errstate(all="ignore"):
        return np.where(safe, numerator / np.where(safe, denominator, 1.0), 1.0)


def protected_log(value):
    """``log(|value|)``, 0 where ``|value| < 1e-6`` (protected logarithm).

    Parameters
    ----------
    value : ndarray or float

    Returns
    -------
    logarithm : ndarray
    """
    magnitude = np.abs(np.asarray(value, float))
    safe = magnitude >= _SMALL
    with np.errstate(all="ignore"):
        return np.where(safe, np.log(np.where(safe, magnitude, 1.0)), 0.0)


def protected_sqrt(value):
    """``sqrt(|value|)`` (protected square root).

    Parameters
    ----------
    value : ndarray or float

    Returns
    -------
    root : ndarray
    """
    return np.sqrt(np.abs(np.asarray(value, float)))


# name -> (function, arity, infix template)
_PRIMITIVES = {
    "add": (np.add, 2, "({} + {})"),
    "sub": (np.subtract, 2, "({} - {})"),
    "mul": (np.multiply, 2, "({} * {})"),
    "div": (protected_div, 2, "({} / {})"),
    "log": (protected_log, 1, "log({})"),
    "sqrt": (protected_sqrt, 1, "sqrt({})"),
    "neg": (np.negative, 1, "(-{})"),
}
DEFAULT_FUNCTION_SET = ("add", "sub", "mul", "div", "log", "neg")


def _ephemeral_constant(low: float, high: float) -> float:
    # DEAP calls this while building trees; it draws from the fit's private generator.
    return round(deap_random.uniform(low, high), 3)


@functools.lru_cache(maxsize=64)
def _primitive_set(n_features: int, function_set: tuple[str, ...], low: float, high: float):
    """One DEAP primitive set per (arity, functions, constant range), built once and reused.

    Reuse matters: every ``addEphemeralConstant`` on a fresh set creates a new
    class in DEAP's ``MetaEphemeral`` cache, so building a set per fit would leak.
    """
    pset = gp.PrimitiveSet("ECRM_GP", n_features, prefix="x")
    for name in function_set:
        function, arity, _ = _PRIMITIVES[name]
        pset.addPrimitive(function, arity, name=name)
    pset.addEphemeralConstant("const", functools.partial(_ephemeral_constant, low, high))
    return pset


class _GPTree(gp.PrimitiveTree):
    """GP individual: a DEAP primitive tree with a fitness (instead of a ``creator`` type)."""

    def __init__(self, content):
        super().__init__(content)
        self.fitness = FitnessMax()


def _tree_to_program(tree) -> tuple:
    """Prefix program of plain tuples: ``("f", name)``, ``("x", column)`` or ``("c", value)``."""
    program = []
    for node in tree:
        if isinstance(node, gp.Primitive):
            program.append(("f", node.name))
        elif isinstance(node.value, str) and node.value.startswith("x"):
            program.append(("x", int(node.value[1:])))
        else:
            program.append(("c", float(node.value)))
    return tuple(program)


def _evaluate_program(program: tuple, X: np.ndarray) -> np.ndarray:
    stack: list = []
    with np.errstate(all="ignore"):
        for kind, value in reversed(program):
            if kind == "x":
                stack.append(X[:, value])
            elif kind == "c":
                stack.append(value)
            else:
                function, arity, _ = _PRIMITIVES[value]
                arguments = [stack.pop() for _ in range(arity)]
                stack.append(function(*arguments))
    return np.broadcast_to(np.asarray(stack[0], dtype=float), (X.shape[0],)).copy()


def _format_program(program: tuple, feature_names) -> str:
    stack: list[str] = []
    for kind, value in reversed(program):
        if kind == "x":
            stack.append(str(feature_names[value]))
        elif kind == "c":
            stack.append(f"{value:.4g}")
        else:
            _, arity, template = _PRIMITIVES[value]
            stack.append(template.format(*[stack.pop() for _ in range(arity)]))
    return stack[0]


def _linear_scaling(output: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Least-squares intercept and slope of ``y ~ output`` (Keijzer 2003)."""
    output_mean = output.mean()
    centred = output - output_mean
    variance = float(centred @ centred)
    if not np.isfinite(variance) or variance < 1e-12 * len(output):
        return float(y.mean()), 0.0
    slope = float(centred @ (y - y.mean())) / variance
    return float(y.mean() - slope * output_mean), slope


class GPSymbolicRegressor(RegressorMixin, BaseEstimator):
    """Symbolic regression by genetic programming (DEAP trees).

    Evolves a formula over the input features from the primitives in
    ``function_set`` (``add, sub, mul, div, log, sqrt, neg``; division and
    logarithm are protected: ``x / 0 -> 1``, ``log(x) = log|x|`` and ``log(0) -> 0``)
    and ephemeral random constants in ``constant_range``. Trees start with
    ramped half-and-half initialisation; variation is DEAP's ``varAnd`` with
    one-point subtree crossover and uniform subtree mutation; selection is a
    tournament with elitism. Bloat is controlled twice: a static height limit
    (Koza's ``staticLimit``, ``max_height``) rejects over-tall children, and
    parsimony pressure subtracts ``parsimony_coefficient`` per node from the
    fitness. The fitness is the negative normalised mean squared error
    ``MSE / Var(y)``; with ``linear_scaling=True`` each tree is first fitted to
    ``y`` by least squares (``a + b * tree``, Keijzer 2003), which lets the search
    focus on the shape of the formula.

    Parameters
    ----------
    population_size : int, default=300
        Trees per generation.
    generations : int, default=40
        Maximum number of generations.
    tournament_size : int, default=3
        Tournament size for selection.
    crossover_proba : float, default=0.7
        Probability that a pair of trees is recombined.
    mutation_proba : float, default=0.2
        Probability that a tree is mutated.
    function_set : tuple of str, default=("add", "sub", "mul", "div", "log", "neg")
        Primitives available to the trees.
    constant_range : tuple of float, default=(-1.0, 1.0)
        Range of the ephemeral random constants.
    init_depth : tuple of int, default=(1, 4)
        Minimum and maximum height of the initial trees.
    max_height : int, default=12
        Static height limit for children of crossover and mutation (Koza uses 17).
    parsimony_coefficient : float, default=0.001
        Fitness penalty per tree node.
    linear_scaling : bool, default=True
        Fit ``a + b * tree`` by least squares inside the fitness.
    n_elites : int, default=1
        Best trees carried over unchanged each generation.
    patience : int or None, default=15
        Stop after this many generations without improvement (None: never).
    random_state : int, RandomState instance or None, default=None
        Seeds the run (DEAP draws from a private generator seeded from it, so fits
        in concurrent threads do not interfere; see :mod:`ecrm_methods.genetic._base`).
    verbose : int, default=0
        0 hides the progress bar.

    Attributes
    ----------
    expression_ : str
        The fitted formula over the feature names, including the linear scaling.
    program_ : tuple
        The best tree as a prefix program of plain tuples (what :meth:`predict` runs).
    intercept_, slope_ : float
        Linear-scaling coefficients (0 and 1 when ``linear_scaling=False``).
    best_fitness_ : float
        Fitness of the best tree (negative NMSE minus the parsimony penalty).
    tree_size_ : int
        Number of nodes of the best tree.
    logbook_ : deap.tools.Logbook
        Per-generation ``gen, nevals, min, mean, max, best``.
    n_generations_ : int
        Generations actually run.
    n_features_in_ : int
        Number of features seen in :meth:`fit`.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Column names, when ``X`` is a DataFrame with string column names.

    References
    ----------
    Koza, J. R. (1992). *Genetic Programming: On the Programming of Computers by
    Means of Natural Selection*. MIT Press.

    Keijzer, M. (2003). Improving symbolic regression with interval arithmetic and
    linear scaling. In *Genetic Programming, EuroGP 2003*, LNCS 2610, 70-82.

    Poli, R., Langdon, W. B. and McPhee, N. F. (2008). *A Field Guide to Genetic
    Programming*, chapter 11 (bloat control).

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> X = rng.uniform(1, 5, size=(200, 2)); y = X[:, 0] * X[:, 1]
    >>> model = GPSymbolicRegressor(population_size=100, generations=10,
    ...                             random_state=0).fit(X, y)
    >>> bool(model.score(X, y) > 0.9)
    True
    """

    _parameter_constraints: dict = {
        "population_size": [Interval(numbers.Integral, 2, None, closed="left")],
        "generations": [Interval(numbers.Integral, 0, None, closed="left")],
        "tournament_size": [Interval(numbers.Integral, 1, None, closed="left")],
        "crossover_proba": [Interval(numbers.Real, 0, 1, closed="both")],
        "mutation_proba": [Interval(numbers.Real, 0, 1, closed="both")],
        "function_set": ["array-like"],
        "constant_range": ["array-like"],
        "init_depth": ["array-like"],
        "max_height": [Interval(numbers.Integral, 1, None, closed="left")],
        "parsimony_coefficient": [Interval(numbers.Real, 0, None, closed="left")],
        "linear_scaling": ["boolean"],
        "n_elites": [Interval(numbers.Integral, 0, None, closed="left")],
        "patience": [Interval(numbers.Integral, 1, None, closed="left"), None],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        population_size=300,
        generations=40,
        tournament_size=3,
        crossover_proba=0.7,
        mutation_proba=0.2,
        function_set=DEFAULT_FUNCTION_SET,
        constant_range=(-1.0, 1.0),
        init_depth=(1, 4),
        max_height=12,
        parsimony_coefficient=0.001,
        linear_scaling=True,
        n_elites=1,
        patience=15,
        random_state=None,
        verbose=0,
    ):
        self.population_size = population_size
        self.generations = generations
        self.tournament_size = tournament_size
        self.crossover_proba = crossover_proba
        self.mutation_proba = mutation_proba
        self.function_set = function_set
        self.constant_range = constant_range
        self.init_depth = init_depth
        self.max_height = max_height
        self.parsimony_coefficient = parsimony_coefficient
        self.linear_scaling = linear_scaling
        self.n_elites = n_elites
        self.patience = patience
        self.random_state = random_state
        self.verbose = verbose

    def _check_params(self) -> tuple:
        """The checks ``_parameter_constraints`` cannot express: the function names, the
        ordering inside the pairs and init_depth against max_height."""
        function_set = tuple(self.function_set)
        unknown = [name for name in function_set if name not in _PRIMITIVES]
        if unknown or not function_set:
            raise ValueError(
                f"function_set must be a non-empty subset of {tuple(_PRIMITIVES)}; got "
                f"{self.function_set!r} (unknown: {unknown})."
            )
        try:
            low, high = (float(bound) for bound in self.constant_range)
        except (TypeError, ValueError) as error:
            raise ValueError(
                f"constant_range must be a pair (low, high); got {self.constant_range!r}."
            ) from error
        if not low < high:
            raise ValueError(f"constant_range must have low < high; got {self.constant_range!r}.")
        try:
            depth_min, depth_max = (int(depth) for depth in self.init_depth)
        except (TypeError, ValueError) as error:
            raise ValueError(
                f"init_depth must be a pair (min, max) of ints; got {self.init_depth!r}."
            ) from error
        if not 0 <= depth_min <= depth_max <= self.max_height:
            raise ValueError(
                f"init_depth must satisfy 0 <= min <= max <= max_height={self.max_height}; "
                f"got {self.init_depth!r}."
            )
        return function_set, low, high, depth_min, depth_max

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        """Evolve a formula for ``y``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Numeric features without missing values.
        y : array-like of shape (n_samples,)
            Target.

        Returns
        -------
        self : GPSymbolicRegressor
            The fitted regressor.
        """
        X, y = validate_data(self, X, y, dtype=np.float64, y_numeric=True)
        function_set, low, high, depth_min, depth_max = self._check_params()
        pset = _primitive_set(X.shape[1], function_set, low, high)
        y_variance = float(y.var()) if y.var() > 0 else 1.0
        parsimony = float(self.parsimony_coefficient)
        linear_scaling = bool(self.linear_scaling)
        fitness_cache: dict[str, float] = {}

        def fitness_of(tree) -> float:
            key = str(tree)
            if key not in fitness_cache:
                output = _evaluate_program(_tree_to_program(tree), X)
                if not np.all(np.isfinite(output)):
                    fitness_cache[key] = -np.inf
                else:
                    intercept, slope = _linear_scaling(output, y) if linear_scaling else (0.0, 1.0)
                    with np.errstate(all="ignore"):
                        mse = float(np.mean((intercept + slope * output - y) ** 2))
                    nmse = mse / y_variance
                    fitness_cache[key] = -nmse if np.isfinite(nmse) else -np.inf
            return fitness_cache[key] - parsimony * len(tree)

        toolbox = base.Toolbox()
        toolbox.register("expr", gp.genHalfAndHalf, pset=pset, min_=depth_min, max_=depth_max)
        toolbox.register("select", tools.selTournament, tournsize=int(self.tournament_size))
        toolbox.register("mate", gp.cxOnePoint)
        toolbox.register("expr_mut", gp.genFull, min_=0, max_=2)
        toolbox.register("mutate", gp.mutUniform, expr=toolbox.expr_mut, pset=pset)
        height_limit = gp.staticLimit(key=operator.attrgetter("height"), max_value=self.max_height)
        toolbox.decorate("mate", height_limit)
        toolbox.decorate("mutate", height_limit)

        def evaluate(individuals) -> int:
            pending = [ind for ind in individuals if not ind.fitness.valid]
            for individual in pending:
                individual.fitness.values = (fitness_of(individual),)
            return len(pending)

        seed = seed_from_random_state(self.random_state)
        with seeded_deap_random(seed):
            population = [_GPTree(toolbox.expr()) for _ in range(int(self.population_size))]
            n_elites = min(int(self.n_elites), len(population))
            hall_of_fame = tools.HallOfFame(max(1, n_elites))
            logbook = make_logbook()
            n_new = evaluate(population)
            hall_of_fame.update(population)
            best = hall_of_fame[0].fitness.values[0]
            record_generation(logbook, 0, n_new, [i.fitness.values[0] for i in population], best)
            stale, generation = 0, 0
            progress = tqdm(
                range(1, int(self.generations) + 1),
                desc="GP symbolic regression",
                disable=not self.verbose,
                leave=False,
            )
            for generation in progress:
                offspring = toolbox.select(population, len(population))
                offspring = algorithms.varAnd(
                    offspring, toolbox, float(self.crossover_proba), float(self.mutation_proba)
                )
                n_new = evaluate(offspring)
                if n_elites:
                    offspring.sort(key=lambda ind: ind.fitness.values[0], reverse=True)
                    elites = [toolbox.clone(elite) for elite in hall_of_fame[:n_elites]]
                    offspring = elites + offspring[: len(offspring) - n_elites]
                population = offspring
                hall_of_fame.update(population)
                new_best = hall_of_fame[0].fitness.values[0]
                if improved(new_best, best):
                    best, stale = new_best, 0
                else:
                    stale += 1
                record_generation(
                    logbook, generation, n_new, [i.fitness.values[0] for i in population], best
                )
                progress.set_postfix(best=f"{best:.4g}")
                if self.patience is not None and stale >= self.patience:
                    break
            progress.close()

        best_tree = hall_of_fame[0]
        self.program_ = _tree_to_program(best_tree)
        output = _evaluate_program(self.program_, X)
        if linear_scaling and np.all(np.isfinite(output)):
            self.intercept_, self.slope_ = _linear_scaling(output, y)
        else:
            self.intercept_, self.slope_ = 0.0, 1.0
        self._training_mean = float(y.mean())
        self.best_fitness_ = float(best_tree.fitness.values[0])
        self.tree_size_ = len(best_tree)
        self.logbook_ = logbook
        self.n_generations_ = int(generation)
        names = getattr(self, "feature_names_in_", [f"x{i}" for i in range(X.shape[1])])
        formula = _format_program(self.program_, list(names))
        if linear_scaling:
            sign = "-" if self.slope_ < 0 else "+"
            self.expression_ = f"{self.intercept_:.6g} {sign} {abs(self.slope_):.6g} * {formula}"
        else:
            self.expression_ = formula
        return self

    def predict(self, X):
        """Evaluate the fitted formula.

        Non-finite outputs (a formula that overflows on new data) are replaced by
        the training mean of ``y``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Features in the same columns as in :meth:`fit`.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
        """
        check_is_fitted(self, "program_")
        X = validate_data(self, X, dtype=np.float64, reset=False)
        output = _evaluate_program(self.program_, X)
        with np.errstate(all="ignore"):
            prediction = self.intercept_ + self.slope_ * output
        return np.where(np.isfinite(prediction), prediction, self._training_mean)

    def logbook_frame(self):
        """Per-generation convergence table (a DataFrame).

        Returns
        -------
        frame : pandas.DataFrame
            Columns ``gen, nevals, min, mean, max, best``.
        """
        check_is_fitted(self, "logbook_")
        return logbook_to_frame(self.logbook_)
