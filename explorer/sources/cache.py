"""The fetched-source cache under FORK_EXPLORER_HOME/sources/<label>/.

A version counts as cached only when its meta.json exists and fork.c still
hashes to the blob recorded there; a modified file is reported, never used.
Every file is written to a temporary name and renamed into place, meta.json
last, so an interrupted sync leaves either the old entry or nothing.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from .. import paths
from ..errors import SourceError
from ..fsutil import atomic_write
from .blob import blob_id
from .versions import check_label

FORK_C = "fork.c"
SCHED_H = "sched.h"
META = "meta.json"


@dataclass
class SourceFile:
    label: str
    data: bytes
    sched_h: bytes | None
    origin: str
    blob: str
    meta: dict


def sources_dir(home: Path | None = None) -> Path:
    return (home or paths.home()) / "sources"


def entry_dir(label: str, home: Path | None = None) -> Path:
    return sources_dir(home) / check_label(label)


def store(label: str, data: bytes, sched_h: bytes | None, meta: dict, home: Path | None = None) -> SourceFile:
    d = entry_dir(label, home)
    meta = dict(meta, label=label, blob=blob_id(data), size=len(data))
    if sched_h is not None:
        meta["sched_h_blob"] = blob_id(sched_h)
    # meta.json is removed first and written last: a crash in between leaves "missing".
    try:
        (d / META).unlink()
    except FileNotFoundError:
        pass
    atomic_write(d / FORK_C, data)
    if sched_h is not None:
        atomic_write(d / SCHED_H, sched_h)
    elif (d / SCHED_H).exists():
        (d / SCHED_H).unlink()
    atomic_write(d / META, json.dumps(meta, indent=2, sort_keys=True).encode() + b"\n")
    return SourceFile(label, data, sched_h, meta.get("origin", "?"), meta["blob"], meta)


def read_meta(label: str, home: Path | None = None) -> dict | None:
    p = entry_dir(label, home) / META
    try:
        return json.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (ValueError, UnicodeDecodeError):
        raise SourceError(f"cache metadata is corrupt; run 'fork-explorer sources sync {label}' to fetch it again",
                          path=str(p)) from None


def status(label: str, home: Path | None = None) -> str:
    """'cached', 'missing', 'modified' (fork.c or sched.h no longer matches its recorded blob)
    or 'corrupt' (meta.json unreadable; `sources sync LABEL` fetches it again)."""
    try:
        meta = read_meta(label, home)
    except SourceError:
        return "corrupt"
    if meta is None:
        return "missing"
    try:
        data = (entry_dir(label, home) / FORK_C).read_bytes()
    except FileNotFoundError:
        return "missing"
    if blob_id(data) != meta.get("blob"):
        return "modified"
    sched = entry_dir(label, home) / SCHED_H
    if meta.get("sched_h_blob") and sched.exists() and blob_id(sched.read_bytes()) != meta["sched_h_blob"]:
        return "modified"
    return "cached"


def load(label: str, home: Path | None = None) -> SourceFile | None:
    meta = read_meta(label, home)
    if meta is None:
        return None
    d = entry_dir(label, home)
    try:
        data = (d / FORK_C).read_bytes()
    except FileNotFoundError:
        return None
    actual = blob_id(data)
    if actual != meta.get("blob"):
        raise SourceError(
            f"cached fork.c of {label} was modified (blob {actual}, recorded {meta.get('blob')}); "
            f"run 'fork-explorer sources sync {label}' to fetch it again",
            path=str(d / FORK_C),
        )
    sched = None
    if (d / SCHED_H).exists():
        sched = (d / SCHED_H).read_bytes()
        if meta.get("sched_h_blob") and blob_id(sched) != meta["sched_h_blob"]:
            raise SourceError(f"cached sched.h of {label} was modified", path=str(d / SCHED_H))
    return SourceFile(label, data, sched, meta.get("origin", "?"), actual, meta)


def cached_labels(home: Path | None = None) -> list[str]:
    d = sources_dir(home)
    if not d.is_dir():
        return []
    return sorted(p.name for p in d.iterdir() if (p / META).exists())
