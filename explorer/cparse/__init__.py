"""Kernel-aware tree-sitter parsing: same-length normalisation, then tree-sitter-c."""
import copy
import os
import re

from .. import sources
from .module import (FORK_ENTRIES, SYSCALL_ENTRIES, Function, Module, count_errors, error_lines,
                     parse_raw, parse_source)
from .normalize import Rewrite, normalize
from .register import add_source, add_upload, tag_form

__all__ = ["Module", "Function", "parse_source", "parse_raw", "normalize", "Rewrite", "count_errors",
           "error_lines", "FORK_ENTRIES", "SYSCALL_ENTRIES", "load", "open_version", "path_label",
           "add_source", "add_upload", "tag_form"]

_LOADED: dict[str, Module] = {}
# blob id -> a Module parsed from it: the tags sharing one fork.c (aliases) are parsed once.
_BY_BLOB: dict[str, Module] = {}


def load(label: str) -> Module:
    """The cached, verified source of a version, parsed (once per process,
    and once per distinct file: a label whose bytes were already parsed under
    another label gets a copy of that Module under its own label)."""
    src = sources.get(label)
    mod = _LOADED.get(label)
    if mod is None or mod.source != src.data:
        same = _BY_BLOB.get(src.blob)
        if same is not None and same.source == src.data:
            mod = copy.copy(same)            # shares tree and index; only the label differs
            mod.label = label
        else:
            mod = parse_source(src.data, label=label)
            _BY_BLOB[src.blob] = mod
        mod.sched_h = src.sched_h
        _LOADED[label] = mod
    mod.kernel_version = sources.kernel_version(label)
    return mod


_RELEASE = re.compile(r"\d+\.\d+")


def path_label(path: str) -> str:
    """A readable label for a file: the nearest folder named like a release
    (v2.6.32/kernel/fork.c -> v2.6.32), else the file name."""
    parts = os.path.abspath(path).split(os.sep)
    for part in reversed(parts[:-1]):
        if _RELEASE.search(part):
            return part
    return parts[-1]


def open_version(word: str) -> Module:
    """A version label from the cache, or a path to a fork.c-like file the user
    names (fixtures, a vendor tree): read with the same checks as `sources add`,
    parsed, not cached."""
    if word.endswith((".c", ".h")) and (os.sep in word or os.path.exists(word)):
        return parse_source(sources.read_user_file(word), label=path_label(word))
    return load(word)


def names_a_file(word: str) -> bool:
    """Is this command-line word a .c/.h file the user names rather than a
    version label?  (The test open_version makes, for callers that read the
    file themselves.)"""
    return word.endswith((".c", ".h")) and (os.sep in word or os.path.exists(word))
