"""Across versions: function lineage, structural diff of statements, history of checks.

Stages, each with its own data: lineage (which function is which) ->
treediff (edits between two functions) -> render / html (rows for people);
guards + history (every error check of a function through the versions).
"""
from .lineage import Matching, Pair, Roles, counterpart, lineage, match_functions, roles

__all__ = ["roles", "Roles", "match_functions", "Matching", "Pair", "counterpart", "lineage"]
