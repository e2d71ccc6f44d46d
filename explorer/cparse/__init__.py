"""Kernel-aware tree-sitter parsing: same-length normalisation, then tree-sitter-c."""
from .module import (FORK_ENTRIES, SYSCALL_ENTRIES, Function, Module, count_errors, error_lines,
                     parse_raw, parse_source)
from .normalize import Rewrite, normalize

__all__ = ["Module", "Function", "parse_source", "parse_raw", "normalize", "Rewrite", "count_errors",
           "error_lines", "FORK_ENTRIES", "SYSCALL_ENTRIES", "load"]

_LOADED: dict[str, Module] = {}


def load(label: str) -> Module:
    """The cached, verified source of a version, parsed (once per process)."""
    from .. import sources
    src = sources.get(label)
    mod = _LOADED.get(label)
    if mod is None or mod.source != src.data:
        mod = parse_source(src.data, label=label)
        mod.sched_h = src.sched_h
        _LOADED[label] = mod
    return mod
