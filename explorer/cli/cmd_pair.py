"""pair: two versions side by side, functions, guards and notes matched."""
from __future__ import annotations

import shutil

from ..cparse import open_version
from ..errors import LabelError
from ..pairing import pair
from . import emit


def register(sub) -> None:
    p = sub.add_parser("pair", help="two versions matched: functions by role and lineage, guards aligned, notes")
    p.add_argument("a", metavar="A", help="older version label (or a path to a .c file)")
    p.add_argument("b", metavar="B", help="newer version label (or a path to a .c file)")
    p.add_argument("--all", action="store_true",
                   help="text output: every function and guard, not only the fork path and what changed")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_pair)


def cmd_pair(args) -> int:
    if args.a == args.b:
        raise LabelError("pair needs two different versions, got {a} twice", a=args.a)
    doc = pair(open_version(args.a), open_version(args.b))
    emit(doc, args.json, lambda d: render_pair(d, every=args.all))
    return 0


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[:width - 1] + "…"


def render_pair(doc: dict, every: bool = False, width: int | None = None) -> str:
    """A two-column summary: A on the left, B on the right."""
    width = width or min(shutil.get_terminal_size((140, 20)).columns, 180)
    col = max(30, (width - 16) // 2)
    a, b = doc["a"], doc["b"]
    out = [f"{'':14} {_cut(a, col):<{col}} {_cut(b, col)}", ""]

    out.append("functions")
    shown = 0
    for f in doc["functions"]:
        if not every and f["role"] == "helper" and f.get("how") in ("same", "only_a", "only_b"):
            continue   # renamed and look-alike helpers stay: they are what a reader would miss
        left = f["a"] or ("(arch code)" if f.get("how") == "arch" and "a" in f.get("where", {}) else "-")
        right = f["b"] or ("(arch code)" if f.get("how") == "arch" and "b" in f.get("where", {}) else "-")
        tag = f["role"] if f["role"] != "helper" else f.get("how", "")
        out.append(f"  {tag[:12]:<12} {_cut(left, col):<{col}} {_cut(right, col)}"
                   + (f"   ({f['score']:.2f})" if f["a"] and f["b"] else ""))
        shown += 1
    hidden = len(doc["functions"]) - shown
    if hidden:
        kinds = {}
        for f in doc["functions"]:
            if f["role"] == "helper" and f.get("how") in ("same", "only_a", "only_b"):
                kinds[f["how"]] = kinds.get(f["how"], 0) + 1
        out.append("  ... helpers not shown (--all shows them): " + ", ".join(
            f"{v} {dict(same='in both', only_a='only in ' + a, only_b='only in ' + b)[k]}" for k, v in kinds.items()))

    out.append("")
    out.append("guards")
    hidden = 0
    for g in doc["guards"]:
        if not every and g["status"] == "same":
            hidden += 1
            continue
        cells = []
        for side, fn in (("a", g["function_a"]), ("b", g["function_b"])):
            x = g[side]
            cells.append(f"{fn}:{x['line']} {x['errno']} {x['condition']}" if x else "-")
        out.append(f"  {g['status']:<12} {_cut(cells[0], col):<{col}} {_cut(cells[1], col)}")
    if hidden:
        out.append(f"  ... {hidden} guard(s) the same in both (--all shows them)")

    counts: dict[tuple, int] = {}
    for n in doc["notes"]:
        counts[(n["a"], n["b"])] = counts.get((n["a"], n["b"]), 0) + 1
    out.append("")
    out.append(f"notes ({len(doc['notes'])}): " + ", ".join(
        f"{k[0]} in {a} / {k[1]} in {b}: {v}" for k, v in sorted(counts.items(), key=lambda kv: -kv[1])))
    totals = {}
    for g in doc["guards"]:
        totals[g["status"]] = totals.get(g["status"], 0) + 1
    out.append("guards: " + ", ".join(f"{k} {v}" for k, v in sorted(totals.items())))
    return "\n".join(out)
