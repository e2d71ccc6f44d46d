"""functions | show | parse-check"""
from __future__ import annotations

import sys

from pygments import highlight
from pygments.formatters import TerminalFormatter
from pygments.lexers import CLexer

from ..cparse import load
from ..cparse.check import parse_report
from . import emit, version_labels


def register(sub) -> None:
    p = sub.add_parser("functions", help="the functions a version defines")
    p.add_argument("label")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_functions)
    p = sub.add_parser("show", help="a function's source with its real line numbers")
    p.add_argument("label")
    p.add_argument("function")
    p.add_argument("--color", choices=["auto", "always", "never"], default="auto")
    p.set_defaults(func=cmd_show)
    p = sub.add_parser("parse-check", help="parse errors per version, against raw tree-sitter-c")
    p.add_argument("labels", nargs="*", metavar="LABEL")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_parse_check)


def cmd_functions(args) -> int:
    mod = load(args.label)
    rows = [f.as_dict() for f in sorted(mod.functions.values(), key=lambda f: f.start_byte)]

    def text(obj):
        return "\n".join(f"{r['start_line']:>5}-{r['end_line']:<5} {r['kind']:<8} {r['name']}"
                         + (f"  ({r['errors']} parse errors)" if r["errors"] else "") for r in obj["functions"])
    emit({"label": mod.label, "form": mod.form, "functions": rows}, args.json, text)
    return 0


def highlight_lines(text: str, first_line: int, color: bool) -> str:
    if color:
        text = highlight(text, CLexer(stripnl=False, ensurenl=False), TerminalFormatter())
    lines = text.split("\n")
    width = len(str(first_line + len(lines)))
    return "\n".join(f"{first_line + i:>{width}}  {ln}" for i, ln in enumerate(lines))


def cmd_show(args) -> int:
    mod = load(args.label)
    fn = mod.function(args.function)
    text = "\n".join(mod.lines[fn.start_line - 1:fn.end_line])
    color = args.color == "always" or (args.color == "auto" and sys.stdout.isatty())
    print(highlight_lines(text, fn.start_line, color))
    return 0


def cmd_parse_check(args) -> int:
    labels = version_labels(args.labels)
    reports = [parse_report(load(lb)) for lb in labels]

    def text(obj):
        out = [f"{'label':<14} {'lines':>6} {'errors':>7} {'raw':>6}  key functions"]
        for r in obj["versions"]:
            bad = [f"{k}={v}" for k, v in r["key_functions"].items() if v]
            out.append(f"{r['label']:<14} {r['lines']:>6} {r['error_lines']:>7} {r['raw_error_lines']:>6}  "
                       + ("ok" if r["ok"] else "FAIL " + (", ".join(bad) or f"form {r['form']}")))
        return "\n".join(out)
    emit({"versions": reports}, args.json, text)
    return 0 if all(r["ok"] for r in reports) else 1
