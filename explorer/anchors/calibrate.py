"""Measuring placement on real files: precision and recall of the resolver.

Ground truth comes from an independent, line-based alignment of the two
versions of each function (difflib over the reader's lines with blanks and
comments ignored), not from the anchors themselves:

- a statement whose first line is in an *equal* run has a known counterpart:
  the statement of the same kind starting at the aligned line;
- a statement in a *replace* run was edited: its counterpart, if any, must be
  a statement of the same kind inside the replacing lines;
- a statement in a *delete* run is gone from that function.

Every statement of version A is anchored, resolved in version B and judged:
precision = right placements / all placements (a placement of a deleted
statement, or one outside its aligned region, is wrong; an identical head that
occurs once in each function, or a `moved` into another function, is a move,
which a line diff cannot see, and counts as right); recall = placements
of statements that still exist / statements that still exist (equal and
edited runs; reported separately too).
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

from .resolve import resolve, target_functions
from .selectors import canonical, head_code, make_anchor, statements

_BLANK = re.compile(r"^\s*(?:/\*.*\*/|//.*)?\s*$")


def _norm_line(line: str) -> str:
    return " ".join(re.sub(r"/\*.*?\*/|//.*$", " ", line).split())


@dataclass
class Tally:
    placed_right: int = 0
    placed_wrong: int = 0
    equal_total: int = 0
    equal_placed: int = 0
    edited_total: int = 0
    edited_placed: int = 0
    deleted_total: int = 0
    deleted_placed: int = 0
    by_status: dict = field(default_factory=dict)
    right_by_status: dict = field(default_factory=dict)
    wrong: list = field(default_factory=list)

    def add(self, other: "Tally") -> None:
        for k in ("placed_right", "placed_wrong", "equal_total", "equal_placed", "edited_total",
                  "edited_placed", "deleted_total", "deleted_placed"):
            setattr(self, k, getattr(self, k) + getattr(other, k))
        for k, v in other.by_status.items():
            self.by_status[k] = self.by_status.get(k, 0) + v
        for k, v in other.right_by_status.items():
            self.right_by_status[k] = self.right_by_status.get(k, 0) + v
        self.wrong.extend(other.wrong)

    @property
    def precision(self) -> float:
        n = self.placed_right + self.placed_wrong
        return self.placed_right / n if n else 1.0

    def status_precision(self, status: str) -> float:
        n = self.by_status.get(status, 0)
        return self.right_by_status.get(status, 0) / n if n else 1.0

    @property
    def recall(self) -> float:
        n = self.equal_total + self.edited_total
        return (self.equal_placed + self.edited_placed) / n if n else 1.0

    @property
    def recall_unchanged(self) -> float:
        return self.equal_placed / self.equal_total if self.equal_total else 1.0

    @property
    def recall_edited(self) -> float:
        return self.edited_placed / self.edited_total if self.edited_total else 1.0

    def as_dict(self) -> dict:
        return {"precision": round(self.precision, 4), "recall": round(self.recall, 4),
                "recall_unchanged": round(self.recall_unchanged, 4),
                "recall_edited": round(self.recall_edited, 4),
                "placed_right": self.placed_right, "placed_wrong": self.placed_wrong,
                "unchanged": self.equal_total, "edited": self.edited_total, "deleted": self.deleted_total,
                "deleted_placed": self.deleted_placed, "by_status": dict(sorted(self.by_status.items())),
                "precision_by_status": {k: round(self.status_precision(k), 4)
                                        for k in ("exact", "moved", "fuzzy") if k in self.by_status}}


def _alignment(mod_a, fn_a, mod_b, fn_b):
    """Map each line of fn_a (1-based) to ('equal', line_b) | ('replace', (lo, hi)) | ('delete', None)."""
    la = [(n, _norm_line(mod_a.lines[n - 1])) for n in range(fn_a.start_line, fn_a.end_line + 1)]
    lb = [(n, _norm_line(mod_b.lines[n - 1])) for n in range(fn_b.start_line, fn_b.end_line + 1)]
    la = [(n, t) for n, t in la if t]
    lb = [(n, t) for n, t in lb if t]
    sm = difflib.SequenceMatcher(None, [t for _, t in la], [t for _, t in lb], autojunk=False)
    out = {}
    for tag, i1, i2, j1, j2 in sm.get_opcodes():
        for k in range(i1, i2):
            line_a = la[k][0]
            if tag == "equal":
                out[line_a] = ("equal", lb[j1 + (k - i1)][0])
            elif tag == "replace":
                out[line_a] = ("replace", (lb[j1][0], lb[j2 - 1][0]))
            else:
                out[line_a] = ("delete", None)
    return out


def _unique_head(module, fn, node) -> bool:
    head = canonical(head_code(module, node))
    return sum(1 for n in statements(fn.node)
               if n.type == node.type and canonical(head_code(module, n)) == head) == 1


def evaluate_pair(mod_a, mod_b, *, threshold: float | None = None, functions=None) -> Tally:
    """Anchor every statement of mod_a (in `functions`, default all shared ones),
    resolve in mod_b, and judge against the line alignment."""
    total = Tally()
    names = functions or list(mod_a.functions)
    for name in names:
        fn_a = mod_a.functions.get(name)
        targets = target_functions(mod_b, name)
        if fn_a is None or not targets:
            continue
        fn_b = mod_b.functions[targets[0][0]]
        align = _alignment(mod_a, fn_a, mod_b, fn_b)
        for node in statements(fn_a.node):
            anchor = make_anchor(mod_a, node)
            res = resolve(anchor, mod_b, threshold=threshold)
            total.by_status[res.status] = total.by_status.get(res.status, 0) + 1
            kind, where = align.get(node.start_point[0] + 1, ("delete", None))
            if kind == "equal":
                total.equal_total += 1
            elif kind == "replace":
                total.edited_total += 1
            else:
                total.deleted_total += 1
            if not res.placed:
                continue
            if kind == "equal":
                total.equal_placed += 1
                right = res.function == fn_b.name and res.line == where and res.node.type == node.type
            elif kind == "replace":
                total.edited_placed += 1
                lo, hi = where
                right = res.function == fn_b.name and lo <= res.line <= hi
            else:
                total.deleted_placed += 1
                right = res.status == "moved" and res.function != fn_b.name
            if res.status == "moved" and res.function != fn_b.name:
                right = True   # identical, distinctive head in another function: a real move
            elif not right and res.status in ("exact", "moved") and kind != "equal" \
                    and _unique_head(mod_a, fn_a, node) and _unique_head(mod_b, fn_b, res.node):
                right = True   # the same code, once in each version: moved, which a line diff cannot see
            if right:
                total.placed_right += 1
                total.right_by_status[res.status] = total.right_by_status.get(res.status, 0) + 1
            else:
                total.placed_wrong += 1
                total.wrong.append((mod_a.label, mod_b.label, anchor.function, anchor.head, res.status,
                                    res.score, res.line, kind, where))
    return total
