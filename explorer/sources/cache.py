"""The fetched-source cache under FORK_EXPLORER_HOME/sources/<label>/.

A version counts as cached only when its meta.json exists and fork.c still
hashes to the blob recorded there; a modified file is reported, never used.
Every file is written to a temporary name and renamed into place, meta.json
last, so an interrupted sync leaves either the old entry or nothing.

An alias (many git tags share one fork.c) is a meta.json with `alias_of`
naming the entry that holds the bytes: it counts as cached only while that
entry is cached and still hashes to the alias's own recorded blob.  A
sched.h that differs from the target's is kept in the alias's folder.
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


def store_alias(label: str, target: str, blob: str, sched_h: bytes | None, meta: dict,
                home: Path | None = None) -> dict:
    """Record `label` as the same fork.c as the cached entry `target` (blob `blob`)."""
    d = entry_dir(label, home)
    meta = dict(meta, label=label, blob=blob, alias_of=check_label(target))
    try:
        (d / META).unlink()
    except FileNotFoundError:
        pass
    for name in (FORK_C, SCHED_H):
        if (d / name).exists():
            (d / name).unlink()
    target_meta = read_meta(target, home) or {}
    if sched_h is not None:
        meta["sched_h_blob"] = blob_id(sched_h)
        if meta["sched_h_blob"] != target_meta.get("sched_h_blob"):
            atomic_write(d / SCHED_H, sched_h)
    atomic_write(d / META, json.dumps(meta, indent=2, sort_keys=True).encode() + b"\n")
    return meta


def _alias_target(label: str, meta: dict, home: Path | None) -> tuple[str, dict | None]:
    target = meta["alias_of"]
    if target == label:
        raise SourceError("cache entry {label} is an alias of itself", label=label, path=str(entry_dir(label, home)))
    tmeta = read_meta(target, home)
    if tmeta is not None and tmeta.get("alias_of"):
        tmeta = None                     # aliases point at stored entries only
    return target, tmeta


def read_meta(label: str, home: Path | None = None) -> dict | None:
    p = entry_dir(label, home) / META
    try:
        return json.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (ValueError, UnicodeDecodeError):
        raise SourceError("cache metadata is corrupt; run 'fork-explorer sources sync {label}' to fetch it again",
                          label=label,
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
    if meta.get("alias_of"):
        try:
            target, tmeta = _alias_target(label, meta, home)
        except SourceError:
            return "corrupt"
        if tmeta is None:
            return "missing"
        st = status(target, home)
        if st != "cached":
            return st
        if tmeta.get("blob") != meta.get("blob"):
            return "modified"
        own = entry_dir(label, home) / SCHED_H
        if own.exists() and blob_id(own.read_bytes()) != meta.get("sched_h_blob"):
            return "modified"
        return "cached"
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
    if meta.get("alias_of"):
        return _load_alias(label, meta, home)
    d = entry_dir(label, home)
    try:
        data = (d / FORK_C).read_bytes()
    except FileNotFoundError:
        return None
    actual = blob_id(data)
    if actual != meta.get("blob"):
        raise SourceError(
            "cached fork.c of {label} was modified (blob {actual}, recorded {recorded}); "
            "run 'fork-explorer sources sync {label}' to fetch it again", label=label, actual=actual,
            recorded=meta.get("blob"),
            path=str(d / FORK_C),
        )
    sched = None
    if (d / SCHED_H).exists():
        sched = (d / SCHED_H).read_bytes()
        if meta.get("sched_h_blob") and blob_id(sched) != meta["sched_h_blob"]:
            raise SourceError("cached sched.h of {label} was modified", label=label, path=str(d / SCHED_H))
    return SourceFile(label, data, sched, meta.get("origin", "?"), actual, meta)


def _load_alias(label: str, meta: dict, home: Path | None) -> SourceFile | None:
    target, tmeta = _alias_target(label, meta, home)
    if tmeta is None:
        return None
    src = load(target, home)
    if src is None:
        return None
    if src.blob != meta.get("blob"):
        raise SourceError("{label} is recorded as the fork.c of {target} (blob {recorded}), "
                          "but {target} now has blob {blob}; run 'fork-explorer sources sync --all-tags' again",
                          label=label, target=target, recorded=meta.get("blob"), blob=src.blob,
                          path=str(entry_dir(label, home) / META))
    sched = src.sched_h
    own = entry_dir(label, home) / SCHED_H
    if own.exists():
        sched = own.read_bytes()
        if blob_id(sched) != meta.get("sched_h_blob"):
            raise SourceError("cached sched.h of {label} was modified", label=label, path=str(own))
    return SourceFile(label, src.data, sched, meta.get("origin", "?"), src.blob, meta)


def blobs(home: Path | None = None) -> dict[str, str]:
    """blob id -> the label of the stored (non-alias) entry holding it, first label wins."""
    out: dict[str, str] = {}
    for lb in cached_labels(home):
        try:
            meta = read_meta(lb, home) or {}
        except SourceError:
            continue
        if not meta.get("alias_of") and meta.get("blob") and status(lb, home) == "cached":
            out.setdefault(meta["blob"], lb)
    return out


def cached_labels(home: Path | None = None) -> list[str]:
    d = sources_dir(home)
    if not d.is_dir():
        return []
    return sorted(p.name for p in d.iterdir() if (p / META).exists())
