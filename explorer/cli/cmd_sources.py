"""sources list | sync | add"""
from __future__ import annotations

import sys

from .. import cparse, sources
from ..sources.tags import sync_all_tags
from . import UsageError, emit


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
    sp.add_argument("--all-tags", action="store_true",
                    help="register kernel/fork.c of every release tag of a linux clone (--git or FORK_EXPLORER_LINUX_GIT)")
    sp.add_argument("--match", metavar="GLOB", help="with --all-tags: which tags (default v*)")
    sp.add_argument("--rc", action="store_true", help="with --all-tags: include -rc tags")
    sp.add_argument("--git", metavar="PATH", help="with --all-tags: the linux clone (default FORK_EXPLORER_LINUX_GIT)")
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
    groups = sources.group_by_blob(rows)

    def text(obj):
        # One row per distinct fork.c: the tags sharing it follow on one line.
        by_label = {r["label"]: r for r in obj["versions"]}
        out = [f"{'label':<14} {'kernel':<9} {'form':<13} {'status':<9} {'blob':<12} origin"]
        for g in obj["blobs"]:
            r = by_label[g["label"]]
            out.append(f"{r['label']:<14} {r['kernel_version'] or '?':<9} {r['form']:<13} {r['status']:<9} "
                       f"{(r['blob'] or '-')[:10]:<12} "
                       f"{r['origin'] or '-'}{' (optional)' if r['optional'] else ''}")
            if g["aliases"]:
                out.append(f"{'':<14} + {len(g['aliases'])} with the same fork.c: {' '.join(g['aliases'])}")
        return "\n".join(out)
    emit({"versions": rows, "blobs": groups}, args.json, text)
    return 0


def cmd_sync(args) -> int:
    if args.all_tags:
        return _sync_all_tags(args)
    if args.match or args.rc or args.git:
        raise UsageError("--match, --rc and --git go with --all-tags")
    log = (lambda m: print(f"  {m}", file=sys.stderr)) if not args.json else None
    reports = sources.sync(args.labels or None, provider=args.provider, force=args.force, log=log)

    def text(obj):
        return "\n".join(f"{r['label']:<14} {r['status']:<8} {r['origin'] or '; '.join(r['tried'])}"
                         for r in obj["versions"])
    emit({"versions": reports}, args.json, text)
    return 1 if any(r["status"] == "failed" for r in reports) else 0


def cmd_add(args) -> int:
    report = cparse.add_source(args.label, args.path, args.header, kernel_version=args.kernel_version)
    emit(report, args.json, lambda r: f"{r['label']}: added ({r['form']}, kernel {r['kernel_version'] or 'unknown'}, "
                                      f"blob {r['blob']})")
    return 0


def _sync_all_tags(args) -> int:
    if args.labels:
        raise UsageError("--all-tags takes no labels (use --match GLOB)")
    report = sync_all_tags(args.git, args.match, args.rc, form_of=cparse.tag_form)
    for label, why in report.bad:
        print(f"  skipped {label}: {why}", file=sys.stderr)

    def text(r):
        return (f"{r['matched']} tags: {len(r['fetched'])} new fork.c stored, {len(r['aliases'])} aliases of a "
                f"stored one, {r['unchanged']} already registered, {r['skipped_no_fork_c']} without kernel/fork.c, "
                f"{len(r['bad'])} bad")
    emit(report.as_dict(), args.json, text)
    return 0
