"""Genetic algorithms on DEAP."""

from .feature_selection import GAFeatureSelector

__all__ = ["GAFeatureSelector"]
