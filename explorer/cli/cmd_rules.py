"""rules LABEL [--compare B]: every outcome of clone() as a condition on the flags."""
from __future__ import annotations

from ..cparse import open_version
from ..errors import ExecutionError, LabelError
from ..executor import World
from ..executor.rules import MAX_SYMBOLS, compare_doc, rules_doc
from ..executor.symbolic import DEFAULT_PATH_BUDGET, default_flags, explore
from . import emit


def register(sub) -> None:
    p = sub.add_parser("rules", help="the rules of clone(): each outcome as a condition on the flags")
    p.add_argument("label", help="a version label (debian-6.12) or a path to a .c file")
    p.add_argument("--entry", default=None, metavar="NAME", help="entry function (default: the fork entry)")
    p.add_argument("--flags", default=None, metavar="NAME,NAME,...",
                   help="the flags as symbols (default: every CLONE_* flag the version defines)")
    p.add_argument("--knobs", default=None, metavar="capable,...", help="boolean World knobs as symbols too")
    p.add_argument("--assume", action="append", default=[], metavar="KEY=VALUE",
                   help="pin a World knob (capable=false)")
    p.add_argument("--path-budget", type=int, default=DEFAULT_PATH_BUDGET,
                   help=f"paths explored before the result is marked incomplete (default {DEFAULT_PATH_BUDGET})")
    p.add_argument("--compare", default=None, metavar="B", help="the rules that changed from LABEL to B")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_rules)


def _names(text: str | None) -> list[str] | None:
    if text is None:
        return None
    names = [n.strip() for n in text.replace("|", ",").split(",")]
    if not all(names):
        raise ExecutionError("bad name list {text!r}", text=text)
    return names


def _world(args):
    world = World()
    for item in args.assume:
        key, sep, value = item.partition("=")
        if not sep:
            raise ExecutionError("--assume takes KEY=VALUE, not {item!r}", item=item)
        world.assume(key, value)
    return world


def _check(flags, knobs):
    total = len(flags or []) + len(knobs or [])
    if total > MAX_SYMBOLS:
        raise ExecutionError("{total} symbols is more than rules takes ({most})", total=total, most=MAX_SYMBOLS)


def _where(side: dict) -> str:
    return f"{side['function']}:{side['line']}" if side.get("line") else (side.get("function") or "?")


def _table(rows: list[list[str]], head: list[str]) -> str:
    widths = [max(len(r[i]) for r in rows + [head]) for i in range(len(head) - 1)]
    out = []
    for r in [head] + rows:
        out.append("  ".join(c.ljust(w) for c, w in zip(r, widths)) + "  " + r[-1])
    return "\n".join(out)


def _rules_text(d: dict) -> str:
    rows = []
    notes = []
    for r in d["rules"]:
        mark = ""
        if r["depends_on"]:
            notes.append(f"[{len(notes) + 1}] {r['outcome']} at {_where(r)} depends on: " + "; ".join(r["depends_on"]))
            mark = f" [{len(notes)}]"
        rows.append([str(r["order"] + 1), r["outcome"] + mark, _where(r), f"{r['combinations']}", r["first_match"]])
    head = f"{d['label']} {d['entry']}: {len(d['flags'])} flags" + \
        (f" + knobs {', '.join(d['knobs'])}" if d["knobs"] else "") + \
        f", {d['total']} combinations, {d['paths']} paths"
    out = [head, "(read top to bottom: the first rule that matches decides; --json also gives each rule "
                 "on its own, exact)", "", _table(rows, ["#", "outcome", "decided at", "combos", "when"])]
    if notes:
        out += ["", "taken as false (values the World does not pin):"] + notes
    if not d["complete"]:
        inc = d["incomplete"]
        out.append(f"\nINCOMPLETE: {inc['reason']} ({inc['combinations']} combinations): {inc['text']}")
    return "\n".join(out)


def _compare_text(d: dict) -> str:
    rows = [[f"{c['a']['outcome']} -> {c['b']['outcome']}", _where(c["a"]), _where(c["b"]),
             str(c["combinations"]), f"{d['a']} rule {c['a']['order'] + 1}: {c['a']['rule']}   AND   "
                                     f"{d['b']} rule {c['b']['order'] + 1}: {c['b']['rule']}"]
            for c in d["changed"]]
    head = f"{d['a']} -> {d['b']}: {len(d['flags'])} flags, {d['total']} combinations, " \
        f"{sum(c['combinations'] for c in d['changed'])} changed"
    out = [head, f"(each change is where a rule of {d['a']} meets a rule of {d['b']}, as numbered in "
                 "'fork-explorer rules' of each; --json gives the exact conditions)", ""]
    out.append(_table(rows, ["outcome", d["a"] or "A", d["b"] or "B", "combos", "when"]) if rows
               else "no combination changed its outcome")
    if not d["complete"]:
        out.append(f"\nINCOMPLETE: {d['incomplete']}")
    return "\n".join(out)


def cmd_rules(args) -> int:
    flags, knobs = _names(args.flags), _names(args.knobs) or []
    world = _world(args)
    if args.path_budget <= 0:
        raise ExecutionError("--path-budget must be positive")
    a = open_version(args.label)
    if args.compare is not None:
        if args.compare == args.label:
            raise LabelError("--compare needs another version than {label}", label=args.label)
        b = open_version(args.compare)
        _check(flags or default_flags(a), knobs)
        doc = compare_doc(a, b, flags, args.entry, world, knobs, path_budget=args.path_budget)
        emit(doc, args.json, _compare_text)
        return 0
    _check(flags or default_flags(a), knobs)
    doc = rules_doc(explore(a, flags, args.entry, world, knobs, path_budget=args.path_budget))
    emit(doc, args.json, _rules_text)
    return 0
