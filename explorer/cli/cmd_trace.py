"""trace | sweep: run the real fork.c control flow for clone flags."""
from __future__ import annotations

from collections import Counter

from ..cparse import open_version
from ..executor import World, program_for, run, sweep
from . import emit
from .cmd_compare import cmd_sweep_compare, cmd_trace_compare
from .run_options import build_config, build_world


def register(sub) -> None:
    p = sub.add_parser("trace", help="run a fork entry for clone flags and show the executed lines")
    _common(p)
    p.add_argument("--flags", required=True, metavar="EXPR", help="0, 0x11, or CLONE_VM|CLONE_FS")
    p.add_argument("--fail", action="append", default=[], metavar="CALLEE=ERRNO",
                   help="make a callee fail (copy_mm=ENOMEM); repeatable")
    p.add_argument("--clone-arg", action="append", default=[], metavar="FIELD=VALUE",
                   help="a struct clone_args field for sys_clone3 (exit_signal=17); repeatable")
    p.add_argument("--all-steps", action="store_true", help="text output: every step, not one row per line")
    p.set_defaults(func=cmd_trace)
    p = sub.add_parser("sweep", help="run every subset of the named clone flags (at most 16)")
    _common(p)
    p.add_argument("--flags", required=True, metavar="NAME,NAME,...")
    p.add_argument("--fail", action="append", default=[], metavar="CALLEE=ERRNO")
    p.add_argument("--clone-arg", action="append", default=[], metavar="FIELD=VALUE")
    p.set_defaults(func=cmd_sweep)


def _common(p) -> None:
    p.add_argument("label", help="a version label (debian-6.12) or a path to a .c file")
    p.add_argument("--entry", default=None, metavar="NAME",
                   help="fork entry (default), copy_process, sys_fork, sys_vfork, sys_clone, sys_clone3")
    p.add_argument("--assume", action="append", default=[], metavar="KEY=VALUE",
                   help=f"World knob: {', '.join(World.KNOBS)}; repeatable")
    p.add_argument("--config", action="append", default=[], metavar="CONFIG_X=y|n",
                   help="override one option of the default x86_64 config; repeatable")
    p.add_argument("--budget", type=int, default=200_000, help="step budget (default 200000)")
    p.add_argument("--compare", default=None, metavar="B",
                   help="run the same flag bits through version B too and compare (then and now)")
    p.add_argument("--json", action="store_true")


def cmd_trace(args) -> int:
    if args.compare:
        return cmd_trace_compare(args)
    module = open_version(args.label)
    config = build_config(args.config, module)
    world = build_world(args)
    flags = program_for(module, config).flags.parse(args.flags)
    trace = run(module, flags, args.entry, world, config, budget=args.budget)
    doc = trace.to_dict()
    emit(doc, args.json, lambda d: render_trace(module, trace, program_for(module, config).flags,
                                               all_steps=args.all_steps))
    return 0


def render_trace(module, trace, flag_table, all_steps: bool = False) -> str:
    """The executed lines of the real source, the deciding line marked with >>."""
    o = trace.outcome
    out = [f"{trace.label or 'source'}  {trace.entry}({flag_table.names(trace.flags)} = {hex(trace.flags)})"]
    rows = []
    last = None
    for s in trace.steps:
        key = (s.function, s.line)
        if not all_steps and key == last:
            if s.event in ("eval", "goto", "return", "unknown") and rows:
                rows[-1][3].append(f"{s.event} {s.detail}".strip())
            continue
        last = key
        rows.append([s.function, s.line, s.event, [f"{s.event} {s.detail}".strip()] if s.event not in
                     ("exec", "call") or s.detail else []])
    width = max((len(str(r[1])) for r in rows), default=4)
    fwidth = min(max((len(r[0]) for r in rows), default=8), 24)
    for fn, line, _event, notes in rows:
        mark = ">>" if (o.function == fn and o.line == line) else "  "
        text = module.lines[line - 1].rstrip() if 0 < line <= len(module.lines) else ""
        note = ("   // " + "; ".join(n[:70] for n in notes)) if notes else ""
        out.append(f"{mark} {fn[:fwidth]:<{fwidth}} {line:>{width}}  {text.expandtabs(4)}{note}")
    if o.result == "error":
        out.append(f"outcome: error {o.errno} ({o.value}), decided in {o.function} at line {o.line}")
        cause = trace.cause()
        if cause is not None:
            code = module.lines[cause.line - 1].strip() if 0 < cause.line <= len(module.lines) else ""
            out.append(f"because line {cause.line}: {code}  -> {cause.detail}")
    elif o.result == "ok":
        out.append(f"outcome: ok ({o.value}), returned by {o.function} at line {o.line}")
    else:
        out.append(f"outcome: unknown at {o.function} line {o.line}: {o.reason}")
    out.append(f"{len(trace.assumptions)} assumption(s) about code outside this file; --json lists them")
    return "\n".join(out)


def cmd_sweep(args) -> int:
    if args.compare:
        return cmd_sweep_compare(args)
    module = open_version(args.label)
    config = build_config(args.config, module)
    world = build_world(args)
    names = [n.strip() for n in args.flags.split(",") if n.strip()]
    doc = sweep(module, names, args.entry, world, config, budget=args.budget)

    def text(d):
        table = program_for(module, config).flags
        counts = Counter(r["outcome"] for r in d["results"])
        out = [f"{d['label']}  {d['entry']}: {len(d['results'])} combinations of {', '.join(d['flags'])}"]
        for r in d["results"]:
            where = f"{r['function']}:{r['line'] if r['line'] is not None else '?'}"
            out.append(f"  {r['flags']:#010x}  {r['outcome']:<10} {where:<24} "
                       f"{table.names(r['flags'])}")
        out.append("totals: " + ", ".join(f"{k} {v}" for k, v in counts.most_common()))
        return "\n".join(out)
    emit(doc, args.json, text)
    return 0
