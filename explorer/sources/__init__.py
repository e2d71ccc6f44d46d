"""Kernel sources: the manifest, the providers and the cache.

`get(label)` returns verified bytes from the cache; `sync()` fills the cache
through the providers; `add()` registers a file the user names.
"""
from __future__ import annotations

import os
import stat
from pathlib import Path

from ..errors import BlobMismatch, LabelError, ProviderUnavailable, SourceError
from ..fork_names import COPY_PROCESS, FORK_ENTRY_LINEAGE
from . import cache, manifest
from .blob import blob_id
from .cache import SourceFile
from .manifest import Version
from .providers import MAX_SOURCE_BYTES, ORDER, PROVIDERS, check_source_bytes, terminal_progress
from .versions import check_label, release_key, sort_labels

__all__ = ["get", "sync", "add", "read_user_file", "list_versions", "available", "SourceFile", "Version",
           "release_key", "sort_labels", "check_label", "blob_id"]


def known_labels() -> list[str]:
    labels = {v.label for v in manifest.versions()} | set(cache.cached_labels())
    return sort_labels(labels)


def available() -> list[str]:
    """Labels whose fork.c is in the cache and verifies, in release order."""
    return [lb for lb in known_labels() if cache.status(lb) == "cached"]


def get(label: str) -> SourceFile:
    check_label(label)
    src = cache.load(label)
    if src is None:
        if manifest.get(label) is None:
            raise LabelError(f"unknown version {label!r}; see 'fork-explorer sources list'")
        raise SourceError(f"version {label} is not fetched yet; run 'fork-explorer sources sync {label}'")
    _verify_against_manifest(label, src.data, src.meta)
    return src


def _verify_against_manifest(label: str, data: bytes, meta: dict) -> None:
    v = manifest.get(label)
    if v is None or not v.blob:
        return
    # A Debian package newer than the pinned one is a different file, and says so in its origin.
    if v.package and meta.get("package_version") and v.package_version \
            and meta["package_version"] != v.package_version:
        return
    actual = blob_id(data)
    if actual != v.blob:
        raise BlobMismatch(f"kernel/fork.c for {label} has blob {actual}, but the manifest expects {v.blob}")


def list_versions() -> list[dict]:
    rows = []
    for label in known_labels():
        v = manifest.get(label)
        st = cache.status(label)
        meta = {} if st == "corrupt" else (cache.read_meta(label) or {})   # list is how a user finds out
        if st == "cached" and v is not None and v.blob:
            # fork.c and meta.json rewritten together still differ from the manifest
            try:
                _verify_against_manifest(label, (cache.entry_dir(label) / cache.FORK_C).read_bytes(), meta)
            except BlobMismatch:
                st = "modified"
        rows.append({
            "label": label,
            "form": v.form if v else meta.get("form", "unknown"),
            "status": st,
            "blob": meta.get("blob") or (v.blob if v else None),
            "origin": meta.get("origin") if meta else (
                f"debian {v.package}" if v and v.package else f"tag {v.tag}" if v and v.tag else None),
            "optional": bool(v and v.optional),
        })
    return rows


def sync(labels: list[str] | None = None, provider: str | None = None, *, force: bool = False,
         log=None, progress=None) -> list[dict]:
    """Fetch versions into the cache.  Returns one report per label:
    {label, status: cached|fetched|failed, origin, blob, tried: [one line per provider]}.
    `log` gets one line per provider that could not help; `progress` is a
    factory (total, description) -> context manager with update(n), by
    default a tqdm bar on a terminal."""
    log = log or (lambda msg: None)
    if provider is not None and provider not in PROVIDERS:
        raise SourceError(f"unknown provider {provider!r}; choose from {', '.join(ORDER)}")
    targets = [manifest.require(lb) for lb in labels] if labels else \
        [v for v in manifest.versions() if not v.optional]
    reports = []
    for v in targets:
        reports.append(_sync_one(v, provider, force, log, progress or terminal_progress))
    return reports


def _sync_one(v: Version, provider: str | None, force: bool, log, progress) -> dict:
    if not force and provider is None and cache.status(v.label) == "cached":
        meta = cache.read_meta(v.label)
        return {"label": v.label, "status": "cached", "origin": meta.get("origin"), "blob": meta.get("blob"), "tried": []}
    tried = []
    for name in ([provider] if provider else ORDER):
        try:
            got = PROVIDERS[name](progress=progress).fetch(v)
        except ProviderUnavailable as e:
            tried.append(str(e))
            log(str(e))
            continue
        check_source_bytes(got.data, f"{v.label} from {name}")
        meta = dict(got.meta, origin=got.origin, provider=name, form=v.form)
        _verify_against_manifest(v.label, got.data, meta)
        src = cache.store(v.label, got.data, got.sched_h, meta)
        return {"label": v.label, "status": "fetched", "origin": got.origin, "blob": src.blob, "tried": tried}
    return {"label": v.label, "status": "failed", "origin": None, "blob": None, "tried": tried}


def read_user_file(path: str, what: str = "source") -> bytes:
    """Bytes of a file the user names: a regular file (no link, no device), not
    empty, not binary, under the size limit.  Read, never executed."""
    p = Path(path)
    try:
        st = os.lstat(p)
    except FileNotFoundError:
        raise SourceError(f"{what} {path} does not exist") from None
    except OSError as e:
        raise SourceError(f"cannot read {what} {path}: {e.strerror}") from None
    if stat.S_ISLNK(st.st_mode):
        raise SourceError(f"{what} {path} is a symbolic link; name the file itself")
    if not stat.S_ISREG(st.st_mode):
        raise SourceError(f"{what} {path} is not a regular file")
    if st.st_size > MAX_SOURCE_BYTES:
        raise SourceError(f"{what} {path} is {st.st_size:,} bytes; the limit is {MAX_SOURCE_BYTES:,}")
    try:
        with open(p, "rb") as f:
            data = f.read(MAX_SOURCE_BYTES + 1)
    except OSError as e:
        raise SourceError(f"cannot read {what} {path}: {e.strerror}") from None
    return check_source_bytes(data, f"{what} {path}")


def add(label: str, path: str, header: str | None = None) -> dict:
    """Register a local fork.c (and optionally its sched.h) under a label."""
    check_label(label)
    data = read_user_file(path, "source")
    sched = read_user_file(header, "header") if header else None
    v = manifest.get(label)
    if v is not None and v.blob:
        actual = blob_id(data)
        if actual != v.blob:
            raise BlobMismatch(f"{path} has blob {actual}, but the manifest expects {v.blob} for {label}")
    # Parse before caching: a file with no fork entry and no copy_process is not fork.c.
    from ..cparse import parse_source
    mod = parse_source(data, label=label)
    if not any(n in mod.functions for n in FORK_ENTRY_LINEAGE + (COPY_PROCESS,)):
        raise SourceError(f"{path} does not look like kernel/fork.c: it defines no do_fork, "
                          "_do_fork, kernel_clone or copy_process")
    form = v.form if v else mod.form
    src = cache.store(label, data, sched, {"origin": f"user {os.path.abspath(path)}", "provider": "user",
                                           "form": form, "user": v is None})
    return {"label": label, "status": "added", "origin": src.origin, "blob": src.blob, "form": form}
