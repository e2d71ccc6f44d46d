"""sources list | sync | add"""
from __future__ import annotations

import sys

from .. import sources
from . import emit


def register(sub) -> None:
    p = sub.add_parser("sources", help="list, fetch and add kernel/fork.c versions")
    verbs = p.add_subparsers(dest="sources_verb", metavar="list|sync|add", parser_class=type(p))
    lp = verbs.add_parser("list", help="known versions and whether they are cached")
    lp.add_argument("--json", action="store_true")
    lp.set_defaults(func=cmd_list)
    sp = verbs.add_parser("sync", help="fetch versions into the cache")
    sp.add_argument("labels", nargs="*", metavar="LABEL")
    sp.add_argument("--provider", choices=list(sources.ORDER))
    sp.add_argument("--force", action="store_true", help="fetch again even if cached")
    sp.add_argument("--json", action="store_true")
    sp.set_defaults(func=cmd_sync)
    ap = verbs.add_parser("add", help="register a local fork.c under a label")
    ap.add_argument("label")
    ap.add_argument("path")
    ap.add_argument("--header", metavar="SCHED_H")
    ap.add_argument("--kernel-version", metavar="X.Y[.Z]",
                    help="the release this file is (default: the first X.Y[.Z] in the label)")
    ap.add_argument("--json", action="store_true")
    ap.set_defaults(func=cmd_add)


def cmd_list(args) -> int:
    rows = sources.list_versions()

    def text(obj):
        out = [f"{'label':<14} {'kernel':<9} {'form':<13} {'status':<9} {'blob':<12} origin"]
        for r in obj["versions"]:
            out.append(f"{r['label']:<14} {r['kernel_version'] or '?':<9} {r['form']:<13} {r['status']:<9} "
                       f"{(r['blob'] or '-')[:10]:<12} "
                       f"{r['origin'] or '-'}{' (optional)' if r['optional'] else ''}")
        return "\n".join(out)
    emit({"versions": rows}, args.json, text)
    return 0


def cmd_sync(args) -> int:
    log = (lambda m: print(f"  {m}", file=sys.stderr)) if not args.json else None
    reports = sources.sync(args.labels or None, provider=args.provider, force=args.force, log=log)

    def text(obj):
        return "\n".join(f"{r['label']:<14} {r['status']:<8} {r['origin'] or '; '.join(r['tried'])}"
                         for r in obj["versions"])
    emit({"versions": reports}, args.json, text)
    return 1 if any(r["status"] == "failed" for r in reports) else 0


def cmd_add(args) -> int:
    report = sources.add(args.label, args.path, args.header, kernel_version=args.kernel_version)
    emit(report, args.json, lambda r: f"{r['label']}: added ({r['form']}, kernel {r['kernel_version'] or 'unknown'}, "
                                      f"blob {r['blob']})")
    return 0
