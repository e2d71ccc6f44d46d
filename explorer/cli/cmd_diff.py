"""lineage | diff | history: fork.c across versions."""
from __future__ import annotations

import os
import re

from .. import sources
from ..cparse import load, parse_source
from ..errors import SourceError
from . import emit

_RELEASE = re.compile(r"\d+\.\d+")


def register(sub) -> None:
    p = sub.add_parser("lineage", help="which function is the fork entry, copy_process and each syscall, per version")
    p.add_argument("labels", nargs="*", metavar="LABEL", help="versions (default: every available one)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_lineage)


def open_version(word: str):
    """A version label, or a path to a fork.c-like file (handy for fixtures and local trees)."""
    if word.endswith(".c") and (os.sep in word or os.path.exists(word)):
        try:
            with open(word, "rb") as f:
                data = f.read()
        except OSError as e:
            raise SourceError(f"cannot read {word}: {e.strerror}") from None
        return parse_source(data, label=path_label(word))
    return load(word)


def path_label(path: str) -> str:
    """A readable label for a file: the nearest folder named like a release (v2.6.32/kernel/fork.c
    -> v2.6.32), else the file name."""
    parts = os.path.abspath(path).split(os.sep)
    for part in reversed(parts[:-1]):
        if _RELEASE.search(part):
            return part
    return parts[-1]


def _labels(words: list[str] | None) -> list[str]:
    return sources.sort_labels(words) if words else sources.available()


def cmd_lineage(args) -> int:
    from ..diff.lineage import lineage
    mods = [open_version(w) for w in _labels(args.labels)]

    def text(obj):
        rows = [f"{'label':<14} {'fork_entry':<14} {'copy_process':<13} syscalls"]
        for v in obj["versions"]:
            r = v["roles"]
            entry = (r["fork_entry"] or "-") + ("" if v["entry_source"] == "manifest" else "*")
            rows.append(f"{v['label']:<14} {entry:<14} {r['copy_process'] or '-':<13} "
                        + (" ".join(sorted(r["syscalls"])) or "-"))
        if any(v["entry_source"] != "manifest" for v in obj["versions"]):
            rows.append("* inferred from the file (not in the manifest)")
        return "\n".join(rows)
    emit(lineage(mods), args.json, text)
    return 0
