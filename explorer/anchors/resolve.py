"""Placing an anchor in a version: exact, moved, fuzzy, absent or orphaned.

The rules, in order (a note never jumps silently):

1. Find the target function: the anchor's own name, or its renamed form
   (do_fork -> _do_fork -> kernel_clone: the version's fork entry).
2. Same head in the target function -> ``exact`` when the function has the
   anchor's own name and the placement is unambiguous (a neighbour agrees, or
   the head occurs once); otherwise ``moved`` (renamed function, or the
   statement now sits between other statements).
3. Same head in another function of the file -> ``moved``.
4. Otherwise the best statement of the same kind in the target function, if
   its score reaches FUZZY_THRESHOLD, its head is at least MIN_HEAD_SIMILARITY
   alike, and it contains every key identifier of the anchored head (CLONE_*
   flags, errno names, called functions) -> ``fuzzy``.
5. Otherwise ``absent``; or ``orphaned`` when the module is the very version
   the anchor was written against (the note keeps its text and head, shown
   apart, instead of being dropped).

Score = 0.7 * head similarity + 0.2 * neighbours agreeing + 0.1 * position
closeness, each in 0..1; the thresholds were calibrated on real files
(benchmarks/bench_anchors.py prints precision and recall).
"""
from __future__ import annotations

import weakref
from dataclasses import dataclass, field

from rapidfuzz import fuzz
from tree_sitter import Node

from .selectors import Anchor, canonical, head_code, key_identifiers, neighbour_hashes, statements

# Function renames along the history of fork.c.  Names in one group are the
# same function in different eras; within a group, the version's own fork
# entry (Module.fork_entry) wins, because 5.4 still defines a do_fork() that
# merely wraps _do_fork().
RENAMES: tuple[tuple[str, ...], ...] = (
    ("do_fork", "_do_fork", "kernel_clone"),
)
FORK_ENTRY_GROUP = RENAMES[0]

HEAD_WEIGHT, CONTEXT_WEIGHT, POSITION_WEIGHT = 0.7, 0.2, 0.1
# Calibrated on debian-6.1/6.12 and reference versions (see benchmarks/bench_anchors.py).
FUZZY_THRESHOLD = 0.72
MIN_HEAD_SIMILARITY = 0.6

STATUSES = ("exact", "moved", "fuzzy", "absent", "orphaned")


@dataclass
class Resolution:
    status: str                    # exact | moved | fuzzy | absent | orphaned
    score: float                   # 0..1 (0 when not placed)
    label: str | None = None
    function: str | None = None    # the function it landed in
    line: int | None = None        # 1-based, reader's file
    end_line: int | None = None
    node: Node | None = field(default=None, repr=False)

    @property
    def placed(self) -> bool:
        return self.node is not None

    def as_dict(self) -> dict:
        return {"status": self.status, "score": round(self.score, 3), "label": self.label,
                "function": self.function, "line": self.line, "end_line": self.end_line}


@dataclass(frozen=True)
class _Entry:
    node: Node
    function: str
    kind: str
    head: str              # canonical
    token_set: frozenset
    before: str
    after: str
    position: float


class _Index:
    """Per-module cache of every statement's selectors."""

    def __init__(self, module):
        self.module = module
        self.by_function: dict[str, list[_Entry]] = {}
        self._by_head: dict[tuple[str, str], list[_Entry]] | None = None

    def function_entries(self, name: str) -> list[_Entry]:
        got = self.by_function.get(name)
        if got is None:
            fn = self.module.functions[name]
            stmts = statements(fn.node)
            n = max(1, len(stmts) - 1)
            got = []
            for i, node in enumerate(stmts):
                head = canonical(head_code(self.module, node))
                before, after = neighbour_hashes(self.module, node)
                got.append(_Entry(node, name, node.type, head, frozenset(head.split(" ")), before, after,
                                  round(i / n, 3)))
            fhead = canonical(head_code(self.module, fn.node))
            got.append(_Entry(fn.node, name, "function_definition", fhead, frozenset(fhead.split(" ")),
                              "", "", 0.0))
            self.by_function[name] = got
        return got

    def by_head(self) -> dict[tuple[str, str], list[_Entry]]:
        if self._by_head is None:
            idx: dict[tuple[str, str], list[_Entry]] = {}
            for name in self.module.functions:
                for e in self.function_entries(name):
                    idx.setdefault((e.kind, e.head), []).append(e)
            self._by_head = idx
        return self._by_head


_INDEXES: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def _index(module) -> _Index:
    idx = _INDEXES.get(module)
    if idx is None:
        idx = _INDEXES[module] = _Index(module)
    return idx


def target_functions(module, name: str) -> list[tuple[str, bool]]:
    """[(function name in module, renamed?)] where an anchor on `name` should look."""
    if name in FORK_ENTRY_GROUP:
        entry = module.fork_entry
        if entry is not None:
            return [(entry.name, entry.name != name)]
    if name in module.functions:
        return [(name, False)]
    for group in RENAMES:
        if name in group:
            for other in group:
                if other in module.functions:
                    return [(other, True)]
    return []


def _context(anchor: Anchor, e: _Entry) -> float:
    return 0.5 * (anchor.before == e.before) + 0.5 * (anchor.after == e.after)


def _score(anchor: Anchor, head: str, e: _Entry) -> tuple[float, float]:
    sim = 1.0 if head == e.head else fuzz.ratio(head, e.head) / 100.0
    if e.kind == "function_definition":
        ctx, pos = 1.0, 1.0        # a function has no neighbours; lineage already chose it
    else:
        ctx, pos = _context(anchor, e), 1.0 - min(1.0, abs(anchor.position - e.position))
    return HEAD_WEIGHT * sim + CONTEXT_WEIGHT * ctx + POSITION_WEIGHT * pos, sim


def _placed(status: str, score: float, module, e: _Entry) -> Resolution:
    return Resolution(status, round(score, 3), module.label, e.function, e.node.start_point[0] + 1,
                      e.node.end_point[0] + 1, e.node)


def resolve(anchor: Anchor, module, *, written_against: str | None = None) -> Resolution:
    """Place `anchor` in `module` (see the module docstring for the rules)."""
    head = canonical(anchor.head)
    idx = _index(module)
    not_found = "orphaned" if written_against is not None and module.label == written_against else "absent"

    targets = target_functions(module, anchor.function)
    # 2. same head in the target function
    for fname, renamed in targets:
        same = [e for e in idx.function_entries(fname) if e.kind == anchor.kind and e.head == head]
        if same:
            scored = sorted(((_score(anchor, head, e)[0], e) for e in same), key=lambda t: -t[0])
            score, best = scored[0]
            unambiguous = anchor.kind == "function_definition" or _context(anchor, best) > 0 or len(same) == 1
            status = "exact" if not renamed and unambiguous else "moved"
            return _placed(status, score, module, best)
    # 3. same head elsewhere in the file (a check moved between functions)
    if anchor.kind != "function_definition":
        elsewhere = idx.by_head().get((anchor.kind, head), [])
        if elsewhere:
            score, best = max(((_score(anchor, head, e)[0], e) for e in elsewhere), key=lambda t: t[0])
            return _placed("moved", score, module, best)
    # 4. similar code in the target function, never without the key identifiers
    keys = key_identifiers(anchor.head)
    if anchor.kind == "function_definition":
        keys = frozenset(k for k in keys if k.isupper())   # a renamed function need not repeat its name
    best_score, best = 0.0, None
    for fname, _renamed in targets:
        for e in idx.function_entries(fname):
            if e.kind != anchor.kind or not keys <= e.token_set:
                continue
            score, sim = _score(anchor, head, e)
            if sim >= MIN_HEAD_SIMILARITY and score > best_score:
                best_score, best = score, e
    if best is not None and best_score >= FUZZY_THRESHOLD:
        return _placed("fuzzy", best_score, module, best)
    return Resolution(not_found, 0.0, module.label)

