"""Shared DEAP plumbing for the genetic family: individuals, seeding, logbooks.

DEAP hygiene
------------
DEAP's ``creator.create`` registers classes in a module namespace, which breaks
pickling across processes, warns when a type is created twice and leaks state
between estimators. This package does not use ``creator`` at all: the fitness and
individual types below are plain module-level classes (what ``creator`` would
build), so they pickle, never warn and are shared by every estimator. Each
``fit`` builds its own :class:`deap.base.Toolbox`.

Random numbers and threads
--------------------------
DEAP's operators (``tools.selTournament``, ``tools.cxTwoPoint``, the ``gp``
generators and mutations, ``algorithms.varAnd``) take no generator: they call
``random.random()``, ``random.choice()``, ... on the name ``random`` in their own
module. Seeding the global :mod:`random` for each fit (as earlier versions did)
makes two fits that run in threads of one process (a Dask worker with several
threads, joblib's threading backend, a ``ThreadPoolExecutor``) interleave their
draws, so results depend on scheduling.

The fix chosen here gives each fit a *private* :class:`random.Random` and makes
DEAP draw from it. At import, the ``random`` name in every DEAP module that uses
it is rebound to :data:`deap_random`, a stand-in that forwards each attribute
look-up to the generator of the innermost :func:`seeded_deap_random` block of
the *calling thread*, and to the global :mod:`random` when the thread has none
(so DEAP used outside this package behaves exactly as before: same functions,
same global stream). ``random.Random(seed)`` produces the same stream as
``random.seed(seed)``, so seeded results are unchanged by the switch.

Why not a lock held for each fit's seeded section, the other obvious fix:

- a lock serialises every fit of the process, and would serialise the fitness
  evaluations too if they ever drew numbers; the private generator lets fits
  run in parallel;
- a lock deadlocks when a fit running under it waits on a fit in another
  thread, e.g. ``GAFeatureSelector(estimator=GPSymbolicRegressor(), n_jobs=2)``
  with joblib's threading backend or a ``processes=False`` Dask cluster (a
  re-entrant lock only helps within one thread); thread-local generators nest
  in any thread;
- under a lock, any other code that draws from the global :mod:`random` in
  another thread while a fit runs still shifts the fit's stream; the private
  generator is touched by nothing else;
- the caller's global :mod:`random` state is never read, seeded or restored.

The cost is that DEAP's module globals are rebound once, when
:mod:`ecrm_methods.genetic` is imported. Outside a seeded block the stand-in is
transparent. :func:`install_deap_random` covers every imported DEAP module whose
``random`` is the :mod:`random` module; the tests check that none is left and
that no DEAP module binds names with ``from random import ...`` (which no
stand-in could reach), so a DEAP upgrade that breaks the scheme fails them.
Fitness evaluations sent to joblib or Dask workers never draw random numbers; a
worker thread that runs a nested fit gets its own generator.

References
----------
Fortin, F.-A., De Rainville, F.-M., Gardner, M.-A., Parizeau, M. and Gagne, C.
(2012). DEAP: Evolutionary algorithms made easy. *Journal of Machine Learning
Research*, 13, 2171-2175.

Python Software Foundation. ``random`` - Generate pseudo-random numbers, *The Python
Standard Library*: the module's functions are bound methods of one hidden
``random.Random`` instance; separate instances do not share state.
"""

from __future__ import annotations

import contextlib
import random
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from types import ModuleType

import deap.algorithms  # noqa: F401 - imported so that install_deap_random covers it
import deap.gp  # noqa: F401 - idem
import numpy as np
from deap import base, tools
from tqdm.auto import tqdm

__all__ = [
    "ArrayIndividual",
    "FitnessMax",
    "make_logbook",
    "deap_random",
    "evolve",
    "install_deap_random",
    "seed_from_random_state",
    "seeded_deap_random",
]


class FitnessMax(base.Fitness):
    """Single-objective fitness to be maximised (the type ``creator`` would make)."""

    weights = (1.0,)


class ArrayIndividual:
    """A GA individual: a numpy gene vector plus its DEAP fitness.

    A plain class rather than a ``creator`` type: it pickles, deep-copies through
    ``copy.deepcopy`` (DEAP's ``toolbox.clone``) and works with DEAP's selection
    operators and :class:`deap.tools.HallOfFame`, which only need ``.fitness``.

    Parameters
    ----------
    genes : ndarray
        The chromosome (bits for subset problems, reals for cluster centres).
    """

    __slots__ = ("genes", "fitness")

    def __init__(self, genes: np.ndarray):
        self.genes = np.array(genes, copy=True)
        self.fitness = FitnessMax()

    def __deepcopy__(self, memo):
        clone = ArrayIndividual(self.genes)
        if self.fitness.valid:
            clone.fitness.values = self.fitness.values
        return clone

    def __len__(self) -> int:
        return len(self.genes)

    def __getstate__(self):
        return {"genes": self.genes, "fitness": self.fitness.values}

    def __setstate__(self, state):
        self.genes = state["genes"]
        self.fitness = FitnessMax()
        if state["fitness"]:
            self.fitness.values = state["fitness"]


def same_genes(first: ArrayIndividual, second: ArrayIndividual) -> bool:
    """Equivalence for :class:`deap.tools.HallOfFame` (``similar=``)."""
    return np.array_equal(first.genes, second.genes)


def seed_from_random_state(random_state) -> int:
    """Draw one integer seed from ``random_state`` (None, int or RandomState).

    Parameters
    ----------
    random_state : None, int or numpy.random.RandomState
        As in scikit-learn; goes through ``check_random_state``.

    Returns
    -------
    seed : int
        A seed in ``[0, 2**31 - 1)`` for :mod:`random` and ``numpy.random.default_rng``.
    """
    from sklearn.utils import check_random_state

    return int(check_random_state(random_state).randint(0, 2**31 - 1))


def fitness_sample(
    n_rows: int, max_samples: int | None, seed: int, stratify=None, owner: str = "GA"
) -> np.ndarray:
    """Sorted indices of the rows a GA's fitness is computed on.

    Every row when ``max_samples`` is None or at least ``n_rows``; otherwise a seeded random
    sample of ``max_samples`` rows, stratified by the labels ``stratify`` when given. Drawn
    with its own state from ``seed``, so the GA's own generator is the same either way.

    Raises
    ------
    ValueError
        The stratified sample cannot be drawn (a class too small for it); the message names
        ``owner`` and ``max_samples``.
    """
    rows = np.arange(n_rows)
    if max_samples is None or n_rows <= max_samples:
        return rows
    from sklearn.model_selection import train_test_split

    kind = "class-stratified " if stratify is not None else ""
    try:
        rows, _ = train_test_split(
            rows, train_size=int(max_samples), random_state=seed, stratify=stratify
        )
    except ValueError as error:
        raise ValueError(
            f"{owner}: cannot draw a {kind}sample of max_samples={max_samples} rows from "
            f"{n_rows} ({error}); raise max_samples or set it to None."
        ) from error
    return np.sort(rows)


_thread_state = threading.local()


def _active_generators() -> list[random.Random]:
    generators = getattr(_thread_state, "generators", None)
    if generators is None:
        generators = _thread_state.generators = []
    return generators


class _ThreadLocalRandom:
    """Stand-in for the :mod:`random` module inside DEAP (see the module docstring).

    ``deap_random.choice(...)`` calls ``choice`` of the calling thread's innermost
    :func:`seeded_deap_random` generator, or :func:`random.choice` when that thread
    runs no seeded block.
    """

    def __getattr__(self, name: str):
        generators = getattr(_thread_state, "generators", None)
        if generators:
            try:
                return getattr(generators[-1], name)
            except AttributeError:  # module-only names such as ``random.Random``
                pass
        return getattr(random, name)

    def __repr__(self) -> str:
        return "<thread-local random generator for DEAP (ecrm_methods.genetic)>"


deap_random = _ThreadLocalRandom()
"""What DEAP's ``random`` is bound to; also what this package's own DEAP callbacks use."""


def install_deap_random() -> list[str]:
    """Bind the name ``random`` in every imported DEAP module to :data:`deap_random`.

    Idempotent; called once when this module is imported (after importing
    ``deap.tools``, ``deap.gp`` and ``deap.algorithms``, whose operators this
    package uses). Call it again after importing another DEAP module that uses
    :mod:`random` (``deap.benchmarks``, say) to cover it too.

    Returns
    -------
    module_names : list of str
        The DEAP modules whose ``random`` is now :data:`deap_random`.
    """
    covered = []
    for name, module in list(sys.modules.items()):
        if not (name == "deap" or name.startswith("deap.")) or not isinstance(module, ModuleType):
            continue
        current = getattr(module, "random", None)
        if current is random:
            module.random = deap_random
            current = deap_random
        if current is deap_random:
            covered.append(name)
    return sorted(covered)


install_deap_random()


@contextlib.contextmanager
def seeded_deap_random(seed: int) -> Iterator[random.Random]:
    """Make DEAP draw from a private ``random.Random(seed)`` in this thread.

    Blocks nest (the innermost wins) and are independent across threads; the
    global :mod:`random` is neither used nor changed. Every ``fit`` runs its
    DEAP calls inside one.

    Parameters
    ----------
    seed : int
        Seed of the private generator.

    Yields
    ------
    generator : random.Random
        The private generator (what :data:`deap_random` forwards to in the block).

    Examples
    --------
    >>> from deap import tools
    >>> with seeded_deap_random(0):
    ...     first = tools.mutShuffleIndexes(list(range(10)), indpb=0.5)
    >>> with seeded_deap_random(0):
    ...     second = tools.mutShuffleIndexes(list(range(10)), indpb=0.5)
    >>> first == second
    True
    """
    generators = _active_generators()
    generator = random.Random(seed)
    generators.append(generator)
    try:
        yield generator
    finally:
        generators.pop()


def improved(new_value: float, old_value: float, relative_tolerance: float = 1e-12) -> bool:
    """Whether ``new_value`` beats ``old_value`` by more than a relative tolerance."""
    if not np.isfinite(old_value):
        return bool(np.isfinite(new_value) or new_value > old_value)
    return bool(new_value > old_value + relative_tolerance * max(1.0, abs(old_value)))


def make_logbook() -> tools.Logbook:
    """Empty logbook with the per-generation columns every estimator records."""
    logbook = tools.Logbook()
    logbook.header = ["gen", "nevals", "min", "mean", "max", "best"]
    return logbook


def record_generation(
    logbook: tools.Logbook, generation: int, n_evaluations: int, fitnesses, best_so_far: float
) -> None:
    """Append one generation's fitness summary (min, mean, max, best so far)."""
    values = np.asarray(fitnesses, dtype=float)
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        finite = np.array([np.nan])
    logbook.record(
        gen=generation,
        nevals=int(n_evaluations),
        min=float(finite.min()),
        mean=float(finite.mean()),
        max=float(finite.max()),
        best=float(best_so_far),
    )


def logbook_to_frame(logbook: tools.Logbook):
    """The logbook as a pandas DataFrame (one row per generation), for plots."""
    import pandas as pd

    return pd.DataFrame(list(logbook))


def two_point_crossover(
    first: np.ndarray, second: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Two-point crossover on numpy genes (copies; DEAP's ``cxTwoPoint`` would alias views)."""
    size = len(first)
    if size < 2:
        return first.copy(), second.copy()
    cut_low, cut_high = np.sort(rng.choice(size + 1, size=2, replace=False))
    child_one, child_two = first.copy(), second.copy()
    child_one[cut_low:cut_high] = second[cut_low:cut_high]
    child_two[cut_low:cut_high] = first[cut_low:cut_high]
    return child_one, child_two


def uniform_crossover(
    first: np.ndarray, second: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Uniform crossover: each gene swaps between the parents with probability 1/2."""
    swap = rng.random(len(first)) < 0.5
    child_one, child_two = first.copy(), second.copy()
    child_one[swap] = second[swap]
    child_two[swap] = first[swap]
    return child_one, child_two


def _mutate_duplicates(offspring: list[ArrayIndividual], toolbox: base.Toolbox) -> None:
    seen: set[bytes] = set()
    for index, child in enumerate(offspring):
        key = child.genes.tobytes()
        for _ in range(3):
            if key not in seen:
                break
            child = ArrayIndividual(toolbox.repair(toolbox.mutate(child.genes)))
            key = child.genes.tobytes()
        offspring[index] = child if child is not offspring[index] else offspring[index]
        seen.add(key)


@dataclass
class EvolutionResult:
    """What :func:`evolve` hands back to an estimator's ``fit``."""

    best_genes: np.ndarray
    best_fitness: float
    hall_of_fame: tools.HallOfFame
    logbook: tools.Logbook
    n_generations: int
    n_evaluations: int


def evolve(
    initial_genes: Sequence[np.ndarray],
    evaluate_batch: Callable[[list[np.ndarray]], Sequence[float]],
    crossover: Callable[[np.ndarray, np.ndarray, np.random.Generator], tuple],
    mutate: Callable[[np.ndarray, np.random.Generator], np.ndarray],
    *,
    rng: np.random.Generator,
    generations: int,
    crossover_proba: float,
    mutation_proba: float,
    tournament_size: int = 3,
    n_elites: int = 1,
    patience: int | None = None,
    repair: Callable[[np.ndarray], np.ndarray] | None = None,
    mutate_duplicates: bool = False,
    verbose: int = 0,
    description: str = "GA",
) -> EvolutionResult:
    """Generational GA with tournament selection, elitism and early stopping.

    The loop follows DEAP's ``eaSimple`` (Fortin et al. 2012) with three changes:
    the whole generation is evaluated in one ``evaluate_batch`` call (so callers
    can cache and parallelise), the ``n_elites`` best individuals ever seen (a
    :class:`deap.tools.HallOfFame`) replace the worst offspring (elitism), and the
    run stops after ``patience`` generations without improvement of the best
    fitness. Must run inside :func:`seeded_deap_random` (DEAP's tournament
    draws from its ``random``); the gene operators draw from ``rng``.

    Parameters
    ----------
    initial_genes : sequence of ndarray
        The first population's chromosomes.
    evaluate_batch : callable
        ``evaluate_batch(list_of_genes) -> fitness values`` (higher is better;
        ``-inf`` marks an infeasible individual).
    crossover, mutate : callable
        Gene operators ``crossover(a, b, rng) -> (child_a, child_b)`` and
        ``mutate(genes, rng) -> genes``; they return new arrays.
    rng : numpy.random.Generator
        Source of randomness for the gene operators.
    generations : int
        Maximum number of generations after the initial one.
    crossover_proba, mutation_proba : float
        Per-pair crossover and per-individual mutation probabilities.
    tournament_size : int, default=3
        Tournament size for :func:`deap.tools.selTournament`.
    n_elites : int, default=1
        Size of the hall of fame re-inserted every generation.
    patience : int or None, default=None
        Stop after this many generations without improvement (None: never).
    repair : callable or None, default=None
        Maps every new chromosome to a feasible one before evaluation.
    mutate_duplicates : bool, default=False
        Mutate (and repair) an offspring whose genes repeat another offspring's,
        up to three times, to keep diversity (useful for short bit strings,
        where tournament selection quickly fills the population with copies).
    verbose : int, default=0
        0 hides the tqdm progress bar.
    description : str, default="GA"
        Progress-bar label.

    Returns
    -------
    result : EvolutionResult
        Best chromosome and fitness, hall of fame, logbook and counters.

    References
    ----------
    Fortin, F.-A., De Rainville, F.-M., Gardner, M.-A., Parizeau, M. and Gagne, C.
    (2012). DEAP: Evolutionary algorithms made easy. *Journal of Machine Learning
    Research*, 13, 2171-2175.
    """
    toolbox = base.Toolbox()
    toolbox.register("select", tools.selTournament, tournsize=tournament_size)
    toolbox.register("mate", crossover, rng=rng)
    toolbox.register("mutate", mutate, rng=rng)
    toolbox.register("repair", repair if repair is not None else (lambda genes: genes))

    def evaluate(individuals: list[ArrayIndividual]) -> int:
        pending = [individual for individual in individuals if not individual.fitness.valid]
        if pending:
            scores = evaluate_batch([individual.genes for individual in pending])
            for individual, score in zip(pending, scores, strict=True):
                individual.fitness.values = (float(score),)
        return len(pending)

    population = [ArrayIndividual(toolbox.repair(np.array(g, copy=True))) for g in initial_genes]
    n_evaluations = evaluate(population)
    hall_of_fame = tools.HallOfFame(max(1, n_elites), similar=same_genes)
    hall_of_fame.update(population)
    logbook = make_logbook()
    best = hall_of_fame[0].fitness.values[0]
    record_generation(
        logbook, 0, n_evaluations, [ind.fitness.values[0] for ind in population], best
    )
    stale_generations = 0
    generation = 0
    progress = tqdm(range(1, generations + 1), desc=description, disable=not verbose, leave=False)
    for generation in progress:
        parents = toolbox.select(population, len(population))
        offspring = [ArrayIndividual(parent.genes) for parent in parents]
        for parent, child in zip(parents, offspring, strict=True):
            child.fitness.values = parent.fitness.values
        for index in range(0, len(offspring) - 1, 2):
            if rng.random() < crossover_proba:
                first, second = toolbox.mate(offspring[index].genes, offspring[index + 1].genes)
                offspring[index] = ArrayIndividual(first)
                offspring[index + 1] = ArrayIndividual(second)
        for index, child in enumerate(offspring):
            if rng.random() < mutation_proba:
                offspring[index] = ArrayIndividual(toolbox.mutate(child.genes))
        for child in offspring:
            if not child.fitness.valid:
                child.genes = toolbox.repair(child.genes)
        if mutate_duplicates:
            _mutate_duplicates(offspring, toolbox)
        n_new = evaluate(offspring)
        n_evaluations += n_new
        offspring.sort(key=lambda individual: individual.fitness.values[0], reverse=True)
        elites = [ArrayIndividual(elite.genes) for elite in hall_of_fame]
        for elite, source in zip(elites, hall_of_fame, strict=True):
            elite.fitness.values = source.fitness.values
        population = elites + offspring[: len(offspring) - len(elites)]
        hall_of_fame.update(population)
        new_best = hall_of_fame[0].fitness.values[0]
        if improved(new_best, best):
            best = new_best
            stale_generations = 0
        else:
            stale_generations += 1
        record_generation(
            logbook, generation, n_new, [ind.fitness.values[0] for ind in population], best
        )
        progress.set_postfix(best=f"{best:.4g}")
        if patience is not None and stale_generations >= patience:
            break
    progress.close()
    return EvolutionResult(
        best_genes=np.array(hall_of_fame[0].genes, copy=True),
        best_fitness=float(hall_of_fame[0].fitness.values[0]),
        hall_of_fame=hall_of_fame,
        logbook=logbook,
        n_generations=int(generation),
        n_evaluations=int(n_evaluations),
    )
