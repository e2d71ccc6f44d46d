"""trace A --compare B | sweep A --compare B: the same flag bits through two versions.

Not a verb module of its own: cmd_trace hands over here when --compare is given.
"""
from __future__ import annotations

from collections import Counter

from ..cparse import open_version
from ..errors import LabelError, LookupFailure
from ..executor import program_for
from ..executor.compare import sweep_compare, trace_compare
from . import emit
from .run_options import build_config, build_world


def _versions(args):
    if args.label == args.compare:
        raise LabelError("--compare needs another version than {label}", label=args.label)
    return open_version(args.label), open_version(args.compare)


def _config(args, a, b):
    try:
        return build_config(args.config, a)
    except LookupFailure:
        return build_config(args.config, b)   # an option only the other version tests


def _line(mod, line) -> str:
    return mod.lines[line - 1].strip() if line and 0 < line <= len(mod.lines) else ""


def _spell(bits: list[dict], a: str, b: str) -> str:
    parts = []
    for bit in bits:
        if bit["a"] == bit["b"]:
            parts.append(bit["a"] or f"{bit['value']:#x}")
        else:
            parts.append(f"{bit['value']:#x} {bit['a'] or '(undefined)'} ({a}) / {bit['b'] or '(undefined)'} ({b})")
    return "|".join(parts) or "0"


def cmd_trace_compare(args) -> int:
    a, b = _versions(args)
    config = _config(args, a, b)
    cmp = trace_compare(a, b, args.flags, args.entry, build_world(args), config, budget=args.budget)
    doc = cmp.to_dict()

    def text(d):
        out = [f"flags {d['flags']:#x} = {_spell(d['bits'], d['a'], d['b'])}"]
        for side, mod, trace in (("a", a, cmp.trace_a), ("b", b, cmp.trace_b)):
            o = trace.outcome
            what = f"error {o.errno}" if o.result == "error" else o.result
            out.append(f"{d[side]:<14} {trace.entry}: {what}, decided in {o.function} at line {o.line}"
                       f"   {_line(mod, o.line)}")
        out.append("same outcome" if d["same"] else "outcomes differ")
        p = d["parting"]
        if p is None:
            out.append("no guard answers differently")
        else:
            out.append(f"paths part at a guard ({p['status']} between the versions):")
            for side, mod in (("a", a), ("b", b)):
                g = p[side]
                taken = p["taken_" + side]
                state = "taken" if taken else "passed" if taken is False else "not reached"
                out.append(f"  {d[side]:<14} " + (f"{p['function_' + side]}:{g['line']} {state}: {_line(mod, g['line'])}"
                                                   if g else "no such check"))
        out += [f"note: {n}" for n in d["notes"]]
        return "\n".join(out)
    emit(doc, args.json, text)
    return 0


def cmd_sweep_compare(args) -> int:
    a, b = _versions(args)
    config = _config(args, a, b)
    names = [n.strip() for n in args.flags.split(",") if n.strip()]
    doc = sweep_compare(a, b, names, args.entry, build_world(args), config, budget=args.budget)

    def text(d):
        ta, tb = program_for(a, config).flags, program_for(b, config).flags
        la, lb = d["a"], d["b"]
        out = [f"{la} {d['entry_a']} vs {lb} {d['entry_b']}: {len(d['results'])} combinations of "
               f"{', '.join(d['flags'])}"]
        w = max(len(la), len(lb), 24)
        out.append(f"  {'flags':<10}   {la:<{w}} {lb:<{w}} names")
        for r in d["results"]:
            mark = "*" if r["a"]["outcome"] != r["b"]["outcome"] else " "
            cells = [f"{r[s]['outcome']} {r[s]['function']}:{r[s]['line']}" for s in ("a", "b")]
            na, nb = ta.names(r["flags"]), tb.names(r["flags"])
            names = na if na == nb else f"{na} / {nb}"
            out.append(f"{mark} {r['flags']:#010x}   {cells[0]:<{w}} {cells[1]:<{w}} {names}")
        counts = Counter((r["a"]["outcome"], r["b"]["outcome"]) for r in d["results"] if r["a"]["outcome"] != r["b"]["outcome"])
        out.append(f"differ: {d['differ']} of {len(d['results'])}" + (
            " (" + ", ".join(f"{x} -> {y}: {n}" for (x, y), n in counts.most_common()) + ")" if counts else ""))
        out += [f"note: {n}" for n in d["notes"]]
        return "\n".join(out)
    emit(doc, args.json, text)
    return 0
