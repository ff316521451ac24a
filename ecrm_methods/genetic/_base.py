"""Shared DEAP plumbing for the genetic family: individuals, seeding, logbooks.

DEAP hygiene
------------
DEAP's ``creator.create`` registers classes in a module namespace, which breaks
pickling across processes, warns when a type is created twice and leaks state
between estimators. This package does not use ``creator`` at all: the fitness and
individual types below are plain module-level classes (what ``creator`` would
build), so they pickle, never warn and are shared by every estimator. Each
``fit`` builds its own :class:`deap.base.Toolbox`.

DEAP's operators (``tools.selTournament``, the ``gp`` generators and mutations)
draw from the module-level :mod:`random` generator. Every ``fit`` therefore runs
inside :func:`seeded_python_random`, which saves ``random.getstate()``, seeds
:mod:`random` from the estimator's ``random_state`` and restores the previous
state on exit, so that two fits with one seed are identical and the caller's
global random stream is left exactly as it was. The consequence is that two
fits must not run concurrently in *threads* of one process (processes are fine,
and the fitness evaluations sent to joblib or Dask never draw random numbers).
"""

from __future__ import annotations

import contextlib
import random
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np
from deap import base, tools
from tqdm.auto import tqdm

__all__ = [
    "ArrayIndividual",
    "FitnessMax",
    "make_logbook",
    "seed_from_random_state",
    "seeded_python_random",
    "evolve",
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


@contextlib.contextmanager
def seeded_python_random(seed: int) -> Iterator[None]:
    """Seed the global :mod:`random` for DEAP and restore its state afterwards.

    Parameters
    ----------
    seed : int
        Seed for :mod:`random` while the block runs.
    """
    saved_state = random.getstate()
    random.seed(seed)
    try:
        yield
    finally:
        random.setstate(saved_state)


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
    fitness. Must run inside :func:`seeded_python_random` (DEAP's tournament
    draws from :mod:`random`); the gene operators draw from ``rng``.

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
