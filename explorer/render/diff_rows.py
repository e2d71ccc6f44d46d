"""Rows for people: a FunctionDiff laid out as aligned two-column rows, and
its terminal rendering.  Display never parses: it reads the edits and the
reader's lines only (diff_html.py renders the same rows as a page).

Lines no edit owns (blank lines, comments, closing braces, #if groups the
normaliser set aside) are shown as context where they fall, so every line
of both functions appears once, at its real line number.
"""
from __future__ import annotations

import bisect
import shutil
import unicodedata
from dataclasses import dataclass, field

from ..cparse import Module
from ..cparse.memo import per_module
from ..diff.treediff import FunctionDiff

# How strongly a row's side is marked when two edits share a line.
_RANK = {None: 0, "context": 1, "keep": 2, "moved-away": 3, "move": 4, "update": 5, "delete": 6, "insert": 6}


@dataclass
class Row:
    a_no: int | None = None
    a_op: str | None = None      # keep | update | delete | move | context | moved-away
    b_no: int | None = None
    b_op: str | None = None      # keep | update | insert | move | context
    a_marks: list = field(default_factory=list)   # (start_col, end_col) of changed tokens
    b_marks: list = field(default_factory=list)
    note: str = ""

    @property
    def op(self) -> str:
        return max((self.a_op, self.b_op), key=lambda o: _RANK[o]) or "context"


@per_module
def _line_starts(mod: Module) -> list[int]:
    starts = [0]
    src = mod.source
    i = src.find(b"\n")
    while i != -1:
        starts.append(i + 1)
        i = src.find(b"\n", i + 1)
    return starts


def _marks_by_line(mod: Module, spans) -> dict[int, list[tuple[int, int]]]:
    """Byte spans -> {1-based line: [(start_col, end_col)]} in characters of the reader's line."""
    starts = _line_starts(mod)
    out: dict[int, list[tuple[int, int]]] = {}
    for s, e in spans:
        li = bisect.bisect_right(starts, s) - 1
        ls = starts[li]
        line_end = starts[li + 1] - 1 if li + 1 < len(starts) else len(mod.source)
        e = min(e, line_end)
        c0 = len(mod.source[ls:s].decode("utf-8", "replace"))
        c1 = c0 + len(mod.source[s:e].decode("utf-8", "replace"))
        out.setdefault(li + 1, []).append((c0, c1))
    return out


def rows(d: FunctionDiff) -> list[Row]:
    out: list[Row] = []
    where_a: dict[int, Row] = {}
    where_b: dict[int, Row] = {}
    moved_away = set()
    for e in d.edits:
        if e.op == "move":
            moved_away.update(range(e.a_lines[0], e.a_lines[1] + 1))
    cur = {"a": d.tree_a.start_line - 1, "b": d.tree_b.start_line - 1}
    # Lines some edit owns; the others (blank, comment, brace) may ride along
    # with the other side's context so both columns stay level.
    owned = {"a": set(), "b": set()}
    for e in d.edits:
        for side, rng in (("a", e.a_lines), ("b", e.b_lines)):
            if rng:
                owned[side].update(range(rng[0], rng[1] + 1))
    last = {"a": d.tree_a.end_line, "b": d.tree_b.end_line}

    def free_run(side: str) -> int:
        n = cur[side]
        while n + 1 <= last[side] and n + 1 not in owned[side]:
            n += 1
        return n

    def put(a_lines, a_op, b_lines, b_op, a_marks=None, b_marks=None, note=""):
        for i in range(max(len(a_lines), len(b_lines))):
            r = Row()
            if i < len(a_lines):
                r.a_no, r.a_op = a_lines[i], a_op
                r.a_marks = (a_marks or {}).get(a_lines[i], [])
                where_a[r.a_no] = r
            if i < len(b_lines):
                r.b_no, r.b_op = b_lines[i], b_op
                r.b_marks = (b_marks or {}).get(b_lines[i], [])
                where_b[r.b_no] = r
            r.note = note if i == 0 else ""
            out.append(r)

    def gap(a_to: int | None, b_to: int | None):
        if a_to is None and b_to is not None and b_to > cur["b"]:
            a_to = min(free_run("a"), cur["a"] + b_to - cur["b"])
        elif b_to is None and a_to is not None and a_to > cur["a"]:
            b_to = min(free_run("b"), cur["b"] + a_to - cur["a"])
        a_lines = list(range(cur["a"] + 1, a_to + 1)) if a_to is not None else []
        b_lines = list(range(cur["b"] + 1, b_to + 1)) if b_to is not None else []
        if a_to is not None:
            cur["a"] = max(cur["a"], a_to)
        if b_to is not None:
            cur["b"] = max(cur["b"], b_to)
        # lines of statements that moved away are marked so, the rest is context
        for i in range(max(len(a_lines), len(b_lines))):
            r = Row()
            if i < len(a_lines):
                r.a_no = a_lines[i]
                r.a_op = "moved-away" if r.a_no in moved_away else "context"
                where_a[r.a_no] = r
            if i < len(b_lines):
                r.b_no, r.b_op = b_lines[i], "context"
                where_b[r.b_no] = r
            out.append(r)

    def fresh(side: str, lines) -> list[int]:
        if lines is None:
            return []
        return [n for n in range(lines[0], lines[1] + 1) if n > cur[side]]

    def upgrade(side_rows: dict, lines, op):
        if not lines:
            return
        for n in range(lines[0], lines[1] + 1):
            r = side_rows.get(n)
            if r is None:
                continue
            attr = "a_op" if side_rows is where_a else "b_op"
            if _RANK[op] > _RANK[getattr(r, attr)]:
                setattr(r, attr, op)

    for e in d.edits:
        am = _marks_by_line(d.a, e.a_marks) if e.a_marks else None
        bm = _marks_by_line(d.b, e.b_marks) if e.b_marks else None
        if e.op == "move":
            gap(None, e.b_lines[0] - 1)
            bl = fresh("b", e.b_lines)
            al = list(range(e.a_lines[0], e.a_lines[1] + 1))
            if bl:
                put(al, "move", bl, "move", am, bm, note=f"moved from {e.a_lines[0]}")
                cur["b"] = max(cur["b"], e.b_lines[1])
            else:
                upgrade(where_b, e.b_lines, "move")
            continue
        if e.a_lines is not None:
            gap(e.a_lines[0] - 1, e.b_lines[0] - 1 if e.b_lines is not None else None)
        else:
            gap(None, e.b_lines[0] - 1)
        al, bl = fresh("a", e.a_lines), fresh("b", e.b_lines)
        a_op = e.op if e.op != "insert" else None
        b_op = e.op if e.op != "delete" else None
        if al or bl:
            put(al, a_op, bl, b_op, am, bm)
        upgrade(where_a, e.a_lines, a_op)
        upgrade(where_b, e.b_lines, b_op)
        if e.a_lines is not None:
            cur["a"] = max(cur["a"], e.a_lines[1])
        if e.b_lines is not None:
            cur["b"] = max(cur["b"], e.b_lines[1])
    gap(d.tree_a.end_line, d.tree_b.end_line)
    return out


# -- terminal --------------------------------------------------------------------

_SGR = {"delete": "31", "insert": "32", "update": "33", "move": "36", "moved-away": "2;35", "context": "2",
        "keep": ""}
_SIGN = {"delete": "-", "insert": "+", "update": "~", "move": ">", "moved-away": "<", "context": " ",
         "keep": " ", None: " "}
TAB = 4  # two columns of kernel code at 8-column tabs do not fit a terminal


def _width(ch: str) -> int:
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def _cell(text: str, marks, width: int, op: str | None, color: bool) -> str:
    """One column: tabs expanded, changed tokens highlighted, cut to width."""
    segs = []  # (text, marked)
    pos = 0
    for c0, c1 in sorted(marks):
        if c0 > pos:
            segs.append((text[pos:c0], False))
        segs.append((text[max(c0, pos):c1], True))
        pos = max(pos, c1)
    segs.append((text[pos:], False))
    col, out = 0, []
    for seg, marked in segs:
        piece = []
        for ch in seg:
            if ch == "\t":
                n = TAB - col % TAB
                piece.append(" " * n)
                col += n
            else:
                piece.append(ch)
                col += _width(ch)
        out.append(("".join(piece), marked))
    # cut to the column's width in terminal cells (CJK characters take two)
    res, used = [], 0
    for piece, marked in out:
        room = width - used
        if room <= 0:
            break
        w = sum(_width(c) for c in piece)
        if w > room:
            kept, kw = [], 0
            for c in piece:
                if kw + _width(c) > room - 1:
                    break
                kept.append(c)
                kw += _width(c)
            piece, w = "".join(kept) + "…", kw + 1
        used += w
        if color and marked and piece:
            res.append(f"\x1b[7m{piece}\x1b[27m")
        else:
            res.append(piece)
    body = "".join(res) + " " * max(width - used, 0)
    code = _SGR.get(op or "keep", "")
    if color and code:
        return f"\x1b[{code}m{body}\x1b[0m"
    return body


def terminal(d: FunctionDiff, *, color: bool = False, width: int | None = None, context: bool = True) -> str:
    width = width or shutil.get_terminal_size((160, 24)).columns
    la, lb = d.a.lines, d.b.lines
    nw = len(str(max(d.tree_a.end_line, d.tree_b.end_line)))
    col = max((width - 2 * (nw + 3) - 3) // 2, 20)
    head_a = f"{d.a.label}: {d.function_a} ({d.tree_a.start_line}-{d.tree_a.end_line})"
    head_b = f"{d.b.label}: {d.function_b} ({d.tree_b.start_line}-{d.tree_b.end_line})"
    lines = [f"{'':>{nw}}   {head_a[:col]:<{col}} │ {'':>{nw}}   {head_b[:col]}"]
    for r in rows(d):
        if not context and r.op in ("keep", "context"):
            continue
        a_txt = la[r.a_no - 1] if r.a_no else ""
        b_txt = lb[r.b_no - 1] if r.b_no else ""
        a_no = str(r.a_no) if r.a_no else ""
        b_no = str(r.b_no) if r.b_no else ""
        left = f"{a_no:>{nw}} {_SIGN[r.a_op]} " + _cell(a_txt, r.a_marks, col, r.a_op, color)
        right = f"{b_no:>{nw}} {_SIGN[r.b_op]} " + _cell(b_txt, r.b_marks, col, r.b_op, color)
        note = f"  ({r.note})" if r.note else ""
        lines.append(f"{left} │ {right}{note}".rstrip())
    c = d.counts()
    lines.append(", ".join(f"{v} {k}" for k, v in c.items()))
    return "\n".join(lines)


def file_summary(fd) -> str:
    """Whole-file mode for a terminal: one line per function."""
    out = [f"{fd.a.label} -> {fd.b.label}: "
           + ", ".join(f"{v} {k}" for k, v in fd.summary().items())]
    for f in fd.functions:
        if f.status == "unchanged":
            continue
        a = f"{f.function_a} {f.a_lines[0]}-{f.a_lines[1]}" if f.function_a else "-"
        b = f"{f.function_b} {f.b_lines[0]}-{f.b_lines[1]}" if f.function_b else "-"
        extra = ""
        if f.counts:
            extra = "  " + " ".join(f"{k[0]}{v}" for k, v in f.counts.items() if k != "keep" and v)
        if f.how == "similar":
            extra += f"  (body {f.score:.0%} alike)"
        out.append(f"{f.status:<9} {a:<40} {b:<40}{extra}")
    return "\n".join(out)
