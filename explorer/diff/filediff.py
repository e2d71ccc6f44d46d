"""Whole-file mode: every function of A against its counterpart in B.

Each function gets a status (added, removed, renamed, changed, unchanged)
from the lineage matching and a comparison of normalised tokens; the
statement-level diff of a pair is computed once, when first asked for (the
whole-file counts and the page's sections share it).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..cparse import Module
from ..errors import LookupFailure
from .lineage import Matching, match_functions
from .tokens import token_string
from .treediff import FunctionDiff, diff_functions


@dataclass
class FunctionEntry:
    status: str                  # added | removed | renamed | changed | unchanged
    function_a: str | None
    function_b: str | None
    how: str | None = None       # lineage evidence: same | role | renamed | similar
    score: float | None = None
    body_changed: bool = False   # for renamed functions: did the body change too
    a_lines: tuple | None = None
    b_lines: tuple | None = None
    counts: dict | None = None   # edit counts of the statement diff (changed and renamed pairs)
    diff: FunctionDiff | None = field(default=None, repr=False)   # that diff, computed once

    def as_dict(self) -> dict:
        d = {"status": self.status, "function_a": self.function_a, "function_b": self.function_b,
             "how": self.how, "score": None if self.score is None else round(self.score, 3),
             "a_lines": list(self.a_lines) if self.a_lines else None,
             "b_lines": list(self.b_lines) if self.b_lines else None}
        if self.status == "renamed":
            d["body_changed"] = self.body_changed
        if self.counts is not None:
            d["counts"] = self.counts
        return d


@dataclass
class FileDiff:
    a: Module
    b: Module
    matching: Matching
    functions: list[FunctionEntry] = field(default_factory=list)

    def summary(self) -> dict:
        out = {k: 0 for k in ("added", "removed", "renamed", "changed", "unchanged")}
        for f in self.functions:
            out[f.status] += 1
        return out

    def function_diff(self, name: str) -> FunctionDiff:
        """The statement diff of one pair, named by either version's name."""
        for f in self.functions:
            if name in (f.function_a, f.function_b) and f.function_a and f.function_b:
                if f.diff is None:
                    f.diff = diff_functions(self.a, f.function_a, self.b, f.function_b)
                return f.diff
        raise LookupFailure("{name!r} is not a function present in both {a} and {b}",
                            name=name, a=self.a.label, b=self.b.label)

    def as_dict(self) -> dict:
        return {"a": self.a.label, "b": self.b.label, "summary": self.summary(),
                "functions": [f.as_dict() for f in self.functions]}


def _lines(mod: Module, name: str) -> tuple[int, int]:
    fn = mod.functions[name]
    return (fn.start_line, fn.end_line)


def diff_file(a: Module, b: Module, *, with_counts: bool = True) -> FileDiff:
    m = match_functions(a, b)
    fd = FileDiff(a, b, m)
    for p in m.pairs:
        same = token_string(a, a.functions[p.a].node) == token_string(b, b.functions[p.b].node)
        if p.a != p.b:
            body_same = p.score >= 1.0
            entry = FunctionEntry("renamed", p.a, p.b, p.how, p.score, not body_same)
        else:
            entry = FunctionEntry("unchanged" if same else "changed", p.a, p.b, p.how, p.score)
        entry.a_lines, entry.b_lines = _lines(a, p.a), _lines(b, p.b)
        if with_counts and entry.status != "unchanged":
            entry.diff = diff_functions(a, p.a, b, p.b)
            entry.counts = entry.diff.counts()
        fd.functions.append(entry)
    for n in m.removed:
        fd.functions.append(FunctionEntry("removed", n, None, a_lines=_lines(a, n)))
    for n in m.added:
        fd.functions.append(FunctionEntry("added", None, n, b_lines=_lines(b, n)))
    fd.functions.sort(key=_reading_order(fd.functions))
    return fd


def _reading_order(entries: list[FunctionEntry]):
    """Sort key: by position in B; a removed function right after the B place of
    the function that preceded it in A."""
    by_a = sorted((e for e in entries if e.a_lines), key=lambda e: e.a_lines[0])
    anchor: dict[int, float] = {}
    last_b = 0.0
    for e in by_a:
        if e.b_lines:
            last_b = e.b_lines[0]
        else:
            anchor[id(e)] = last_b + 0.5
    return lambda e: (e.b_lines[0] if e.b_lines else anchor[id(e)], e.a_lines[0] if e.a_lines else 0)
