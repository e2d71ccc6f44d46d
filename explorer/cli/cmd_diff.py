"""lineage | diff | history: fork.c across versions."""
from __future__ import annotations

import sys

from ..cparse import names_a_file, open_version, path_label
from ..diff import history_store
from ..diff.filediff import diff_file
from ..diff.history import history_of
from ..diff.lineage import counterpart, lineage, match_functions
from ..diff.treediff import diff_functions
from ..errors import SourceError
from ..render import diff_html
from ..render.diff_rows import file_summary, terminal
from ..render.matrix import fold_columns
from ..sources import read_user_file
from . import UsageError, emit, version_labels


def register(sub) -> None:
    p = sub.add_parser("lineage", help="which function is the fork entry, copy_process and each syscall, per version")
    p.add_argument("labels", nargs="*", metavar="LABEL", help="versions (default: every available one)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_lineage)

    p = sub.add_parser("diff", help="structural diff of a function (or of every function) between two versions")
    p.add_argument("a", metavar="A", help="older version label (or a path to a .c file)")
    p.add_argument("b", metavar="B", help="newer version label (or a path to a .c file)")
    p.add_argument("--function", metavar="NAME",
                   help="one function, looked up through the lineage (do_fork finds kernel_clone)")
    out = p.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true")
    out.add_argument("--html", metavar="OUT", help="write a self-contained HTML page to OUT")
    p.add_argument("--color", choices=["auto", "always", "never"], default="auto")
    p.add_argument("--width", type=int, default=None, help="terminal width (default: the terminal's)")
    p.add_argument("--changes-only", action="store_true", help="terminal: hide unchanged and context rows")
    p.set_defaults(func=cmd_diff)

    p = sub.add_parser("history", help="every error check of a function through the versions")
    p.add_argument("function", help="a function name in any version (do_fork follows the fork entry)")
    p.add_argument("--versions", nargs="+", metavar="L", help="labels or .c paths (default: every available one)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_history)


def cmd_lineage(args) -> int:
    mods = [open_version(w) for w in version_labels(args.labels)]

    def text(obj):
        # Neighbouring versions with the same roles share one row (many tags, few changes).
        runs: list[list[dict]] = []
        for v in obj["versions"]:
            if runs and (runs[-1][-1]["roles"], runs[-1][-1]["entry_source"]) == (v["roles"], v["entry_source"]):
                runs[-1].append(v)
            else:
                runs.append([v])
        spans = [_span([x["label"] for x in run]) for run in runs]
        w = max([14, *map(len, spans)])
        rows = [f"{'label':<{w}} {'fork_entry':<14} {'copy_process':<13} syscalls"]
        for run, span in zip(runs, spans):
            v = run[0]
            r = v["roles"]
            entry = (r["fork_entry"] or "-") + ("" if v["entry_source"] == "manifest" else "*")
            rows.append(f"{span:<{w}} {entry:<14} {r['copy_process'] or '-':<13} "
                        + (" ".join(sorted(r["syscalls"])) or "-"))
        if any(v["entry_source"] != "manifest" for v in obj["versions"]):
            rows.append("* inferred from the file (not in the manifest)")
        if obj["renames"]:
            rows.append("\nrenames:")
            rows += [f"  {x['role']:<16} {x['from']} -> {x['to']} in {x['label']} (after {x['after']})"
                     for x in obj["renames"]]
        return "\n".join(rows)
    emit(lineage(mods), args.json, text)
    return 0


def _write_html(path: str, text: str) -> None:
    try:
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
    except OSError as e:
        raise SourceError("cannot write {file}: {strerror}", file=path, strerror=e.strerror) from None
    print(f"wrote {path}")


def cmd_diff(args) -> int:
    if args.width is not None and args.width < 20:
        raise UsageError("--width {width} is too narrow for two columns of code; use 20 or more", width=args.width)
    a, b = open_version(args.a), open_version(args.b)
    color = args.color == "always" or (args.color == "auto" and sys.stdout.isatty() and not args.json)
    if args.function:
        name_a, name_b = counterpart(a, b, args.function)
        d = diff_functions(a, name_a, b, name_b)
        pair = next((p for p in match_functions(a, b).pairs if p.a == name_a and p.b == name_b), None)
        if args.html:
            _write_html(args.html, diff_html.page(d))
            return 0
        doc = d.as_dict()
        if pair is not None:
            doc["match"] = {"how": pair.how, "score": round(pair.score, 3)}
        emit(doc, args.json,
             lambda _: terminal(d, color=color, width=args.width, context=not args.changes_only))
        return 0
    fd = diff_file(a, b)
    if args.html:
        _write_html(args.html, diff_html.file_page(fd))
        return 0
    emit(fd.as_dict(), args.json, lambda _: file_summary(fd))
    return 0


def _span(labels: list[str]) -> str:
    return labels[0] if len(labels) == 1 else f"{labels[0]}..{labels[-1]} ({len(labels)})"


def _runs(picked: list[str], order: list[str]) -> list[list[str]]:
    """The picked labels as runs of neighbours in `order`."""
    at = {lb: i for i, lb in enumerate(order)}
    runs: list[list[str]] = []
    for lb in picked:
        if runs and at[lb] == at[runs[-1][-1]] + 1:
            runs[-1].append(lb)
        else:
            runs.append([lb])
    return runs


def _split_by_name(run: list[str], names: dict) -> list[list[str]]:
    out: list[list[str]] = []
    for lb in run:
        if out and names[out[-1][-1]] == names[lb]:
            out[-1].append(lb)
        else:
            out.append([lb])
    return out


def history_columns(doc: dict) -> list[list[str]]:
    """The versions folded into columns (the same folding as the app's matrix)."""
    return fold_columns(doc)


def history_text(doc: dict) -> str:
    labels = doc["versions"]
    cols = history_columns(doc)
    folded = len(cols) < len(labels)
    out = [f"{doc['function']}: {len(doc['guards'])} guards across "
           + (f"{len(labels)} versions ({labels[0]} .. {labels[-1]}), {len(cols)} columns where something changes"
              if folded else ", ".join(labels))]
    names = [lb for lb, n in doc["names"].items() if n and n != doc["function"]]
    if names:
        runs = [r for run in _runs(names, labels) for r in _split_by_name(run, doc["names"])]
        out.append("  named " + ", ".join(f"{doc['names'][r[0]]} in {_span(r)}" for r in runs))
    mark = {"same": "=", "changed": "~", "absent": "."}
    for g in doc["guards"]:
        cells = " ".join(mark[g["present"][c[0]]["status"]] for c in cols)
        out.append(f"\n{g['errno']:<8} [{cells}]  {g['id']}")
        if folded:
            changed = ", ".join(c["label"] for c in g["changes"])
            out.append(f"  {'present':>14}  {g['first']} .. {g['last']}"
                       + (f", changed in {changed}" if changed else ", never changed"))
        shown = None
        for lb in labels:
            p = g["present"][lb]
            if p["status"] == "absent":
                continue
            if p["condition"] != shown:
                out.append(f"  {lb:>14}:{p['line']:<5} if {p['condition']}")
                shown = p["condition"]
        gone = [lb for lb in labels if g["present"][lb]["status"] == "absent"]
        if gone:
            out.append(f"  {'absent in':>14}  {', '.join(_span(r) for r in _runs(gone, labels))}")
    if folded:
        out.append("\ncolumns:")
        out += [f"  {i + 1:>3}  {_span(c)}" for i, c in enumerate(cols)]
        out.append("= same  ~ changed  . absent")
    else:
        out.append("\n[" + " ".join(lb for lb in labels) + "]   = same  ~ changed  . absent")
    return "\n".join(out)


def cmd_history(args) -> int:
    # Through the facts kept on disk per distinct file: a second run parses nothing.
    versions = [history_store.of_file(path_label(w), read_user_file(w)) if names_a_file(w)
                else history_store.of_label(w) for w in version_labels(args.versions)]
    emit(history_of(args.function, versions).as_dict(), args.json, history_text)
    return 0
