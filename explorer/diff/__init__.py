"""Across versions: function lineage, structural diff of statements, history of checks.

Stages, each with its own data (display never parses):
  lineage   which function plays which role, and which function of A became which of B
  treediff  the statement edits between two functions (FunctionDiff)
  filediff  every function of A against B (FileDiff), statement diffs on demand
  (drawing lives with the other drawing: explorer.render.diff_rows lays a
  FunctionDiff out as aligned rows and the terminal view, render.diff_html as
  a page; widgets embed diff_html.fragment(diff) with diff_html.STYLE)
  guards    the error checks of one function; history follows them through versions
"""
from .filediff import FileDiff, diff_file
from .guards import Guard, find_guards
from .history import History, align_guards, history
from .lineage import Matching, Pair, Roles, counterpart, lineage, match_functions, resolve_in, roles
from .treediff import Edit, FunctionDiff, diff_functions

__all__ = ["roles", "Roles", "match_functions", "Matching", "Pair", "counterpart", "resolve_in", "lineage",
           "diff_functions", "FunctionDiff", "Edit", "diff_file", "FileDiff",
           "find_guards", "Guard", "history", "History", "align_guards"]
