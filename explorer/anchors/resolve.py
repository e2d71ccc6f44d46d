"""Placing an anchor in a version: exact, moved, fuzzy, absent or orphaned.

The rules, in order (a note never jumps silently):

1. Find the target function: the anchor's own name, or its renamed form
   (do_fork -> _do_fork -> kernel_clone: the version's fork entry), through
   explorer.diff.lineage.
2. Same head in the target function -> ``exact`` when the function has the
   anchor's own name and the statement is still in place (a neighbour agrees,
   or the head occurs once and sits near its old position); otherwise
   ``moved`` (renamed function, or the statement was moved to another place).
3. Same head, carrying key identifiers, in exactly one other function of
   the file -> ``moved``.
4. Otherwise the best statement of the same kind in the target function, if
   its score reaches FUZZY_THRESHOLD, its head is at least MIN_HEAD_SIMILARITY
   alike, it contains every key identifier of the anchored head (CLONE_*
   flags, errno names, called functions, labels) and its struct fields were
   only added or dropped, never swapped -> ``fuzzy``.
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

from ..diff.lineage import resolve_in
from ..i18n import N_
from .selectors import (CONDITION_KINDS, Anchor, canonical, field_names, head_code, key_identifiers, neighbour_hashes,
                        statements)

HEAD_WEIGHT, CONTEXT_WEIGHT, POSITION_WEIGHT = 0.7, 0.2, 0.1
# Calibrated on debian-6.1/6.12 and reference versions (see benchmarks/bench_anchors.py).
FUZZY_THRESHOLD = 0.8
MIN_HEAD_SIMILARITY = 0.6
# A unique head whose neighbours both changed still counts as in place (exact)
# if it sits within this fraction of the function from where it was.
SAME_PLACE = 0.15

# Statements that mean nothing without what guards them.
JUMP_KINDS = frozenset({"return_statement", "goto_statement", "break_statement", "continue_statement"})

STATUSES = ("exact", "moved", "fuzzy", "absent", "orphaned")
# The statuses as a reader reads them, marked for the interface's catalogue (explorer.i18n).
STATUS_WORDS = {"exact": N_("exact"), "moved": N_("moved"), "fuzzy": N_("fuzzy"), "absent": N_("absent"),
                "orphaned": N_("orphaned")}


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
        self.targets: dict[str, list[tuple[str, bool]]] = {}
        self._containing: dict[frozenset, list[str]] = {}

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

    def containing(self, keys: frozenset) -> list[str]:
        """Functions whose text holds every key identifier (a cheap byte test
        that spares indexing the whole file to look for a moved statement)."""
        got = self._containing.get(keys)
        if got is None:
            needles = [k.encode() for k in keys]
            text = self.module.text
            got = self._containing[keys] = [name for name, fn in self.module.functions.items()
                                            if all(nd in text[fn.start_byte:fn.end_byte] for nd in needles)]
        return got


_INDEXES: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def _index(module) -> _Index:
    idx = _INDEXES.get(module)
    if idx is None:
        idx = _INDEXES[module] = _Index(module)
    return idx


def target_functions(module, name: str) -> list[tuple[str, bool]]:
    """[(function name in module, renamed?)] where an anchor on `name` should look."""
    idx = _index(module)
    got = idx.targets.get(name)
    if got is None:
        got = idx.targets[name] = _target_functions(module, name)
    return got


def _target_functions(module, name: str) -> list[tuple[str, bool]]:
    # The lineage knows the renames (do_fork -> _do_fork -> kernel_clone) and
    # which function is a version's real entry (5.4 also keeps a do_fork wrapper).
    found = resolve_in(module, name)
    return [(found, found != name)] if found else []


def _context(anchor: Anchor, e: _Entry) -> float:
    """Neighbours that agree; two missing neighbours are no evidence."""
    return 0.5 * (anchor.before == e.before != "") + 0.5 * (anchor.after == e.after != "")


def _score(anchor: Anchor, head: str, e: _Entry) -> tuple[float, float]:
    if head == e.head:
        sim = 1.0
    elif anchor.kind in CONDITION_KINDS:
        sim = fuzz.ratio(head, e.head) / 100.0
    else:
        # a call that gained or lost arguments still reads as the same call
        sim = max(fuzz.ratio(head, e.head), 0.9 * fuzz.partial_ratio(head, e.head)) / 100.0
    if e.kind == "function_definition":
        ctx, pos = 1.0, 1.0        # a function has no neighbours; lineage already chose it
    else:
        ctx, pos = _context(anchor, e), 1.0 - min(1.0, abs(anchor.position - e.position))
    return HEAD_WEIGHT * sim + CONTEXT_WEIGHT * ctx + POSITION_WEIGHT * pos, sim


def _negated(head: str) -> str:
    """The canonical head with one logical negation added or removed."""
    if head.startswith("! ( ") and head.endswith(" )"):
        return head[4:-2]
    if head.startswith("! "):
        return head[2:]
    return "! ( " + head + " )" if " " in head else "! " + head


def _placed(status: str, score: float, module, e: _Entry) -> Resolution:
    return Resolution(status, round(score, 3), module.label, e.function, e.node.start_point[0] + 1,
                      e.node.end_point[0] + 1, e.node)


def resolve(anchor: Anchor, module, *, written_against: str | None = None,
            threshold: float | None = None) -> Resolution:
    """Place `anchor` in `module` (see the module docstring for the rules).
    `threshold` overrides FUZZY_THRESHOLD (calibration only)."""
    threshold = FUZZY_THRESHOLD if threshold is None else threshold
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
            far = abs(anchor.position - best.position) > SAME_PLACE
            if _context(anchor, best) == 0 and (len(same) > 1 or (anchor.kind in JUMP_KINDS and far)):
                # a common head (`if (retval)`), or a jump whose meaning is the guard
                # above it (`return -EINVAL;`), with nothing around it agreeing: a guess
                break
            in_place = (anchor.kind == "function_definition" or _context(anchor, best) > 0
                        or (len(same) == 1 and abs(anchor.position - best.position) <= SAME_PLACE))
            status = "exact" if not renamed and in_place else "moved"
            return _placed(status, score, module, best)
    # 3. the same, distinctive head in one other function (a check moved between functions)
    keys = key_identifiers(anchor.head)
    if anchor.kind != "function_definition" and keys:
        own = {name for name, _ in targets}
        elsewhere = [e for name in idx.containing(keys) if name not in own
                     for e in idx.function_entries(name) if e.kind == anchor.kind and e.head == head]
        if len(elsewhere) == 1:
            return _placed("moved", _score(anchor, head, elsewhere[0])[0], module, elsewhere[0])
    # 4. similar code in the target function, never without the key identifiers
    if anchor.kind == "function_definition":
        keys = frozenset(k for k in keys if k.isupper())   # a renamed function need not repeat its name
    fields = field_names(anchor.head) if anchor.kind != "function_definition" else frozenset()
    best_score, best = 0.0, None
    for fname, _renamed in targets:
        for e in idx.function_entries(fname):
            if e.kind != anchor.kind or not keys <= e.token_set:
                continue
            if _negated(head) == e.head or _negated(e.head) == head:
                continue   # `if (!stack)` is the opposite of `if (stack)`, not an edit of it
            theirs = field_names(e.head)
            if not (fields <= theirs or theirs <= fields):
                continue   # fields were swapped, not added or dropped: other code
            score, sim = _score(anchor, head, e)
            if sim == 1.0 and e.kind != "function_definition" and _context(anchor, e) == 0:
                continue   # one of several identical heads, nothing around it agrees: a guess
            if sim >= MIN_HEAD_SIMILARITY and score > best_score:
                best_score, best = score, e
    if best is not None and best_score >= threshold:
        return _placed("fuzzy", best_score, module, best)
    return Resolution(not_found, 0.0, module.label)

