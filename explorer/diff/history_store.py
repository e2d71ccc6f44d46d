"""What a history needs of each distinct fork.c, kept on disk between runs.

`history copy_process` over every release tag used to parse every distinct
file again in each process (about 2 s for 20 files).  What history reads of
a file (history.VersionFacts: the names of its functions, the guards of
one function, the `if`s the statement diff pairs between two files)
depends only on the file's bytes, named by its git blob id, and on the code
that computes it.  explorer.computed keeps each fact under
FORK_EXPLORER_HOME/computed/history-*/, keyed by blob ids and a digest of
that code, signed and written atomically; a kept fact that does not verify
is refused and computed again.  A file is parsed only when one of its facts
is missing, so the second history over 100 tags parses nothing.

Which function a tag calls `do_fork` or `kernel_clone` is decided afresh
each run (lineage.resolve_among: it also reads the manifest, which belongs
to the label, not to the file).
"""
from __future__ import annotations

from collections.abc import Callable, Collection

from ..computed import remember
from ..cparse import Module, load, parse_source
from ..sources import blob_id, get
from .guards import Guard, find_guards
from .history import History, history_of, pair_ifs

# The code a kept fact comes from: an edit to any of these (or a new parser
# library) makes every kept fact unreachable, never stale.
CODE = ("explorer.diff.history", "explorer.diff.history_store", "explorer.diff.guards", "explorer.diff.treediff",
        "explorer.diff.tokens", "explorer.cparse.module", "explorer.cparse.normalize", "explorer.cparse.config",
        "explorer.cparse.memo", "explorer.fork_names")
LIBRARIES = ("tree-sitter", "tree-sitter-c", "rapidfuzz")


class StoredFacts:
    """history.VersionFacts of one version, read from disk where an earlier
    run kept them; the file is parsed (open_module) only on a miss."""

    def __init__(self, label: str, data: bytes, open_module: Callable[[], Module]):
        self.label = label
        self.identity = blob_id(data)
        self._open = open_module
        self._mod: Module | None = None

    @property
    def mod(self) -> Module:
        if self._mod is None:
            self._mod = self._open()
        return self._mod

    def _kept(self, kind: str, key: str, compute):
        return remember(kind, key.encode(), compute, modules=CODE, libraries=LIBRARIES)

    def functions(self) -> Collection[str]:
        return self._kept("history-functions", self.identity, lambda: frozenset(self.mod.functions))

    def guards(self, name: str) -> list[Guard]:
        return self._kept("history-guards", f"{self.identity}\0{name}", lambda: find_guards(self.mod, name))

    def if_pairs(self, name: str, newer: StoredFacts, newer_name: str) -> dict[int, int]:
        return self._kept("history-pairs", f"{self.identity}\0{name}\0{newer.identity}\0{newer_name}",
                          lambda: pair_ifs(self.mod, name, newer.mod, newer_name))


def of_label(label: str) -> StoredFacts:
    """A fetched version (its cached, verified bytes)."""
    return StoredFacts(label, get(label).data, lambda: load(label))


def of_file(label: str, data: bytes) -> StoredFacts:
    """A file the user names (already read with the checks of `sources add`)."""
    return StoredFacts(label, data, lambda: parse_source(data, label=label))


def history_of_labels(function: str, labels: list[str]) -> History:
    """history() of fetched versions, parsing only files no earlier run has read."""
    return history_of(function, [of_label(lb) for lb in labels])
