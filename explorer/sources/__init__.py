"""Kernel sources: the manifest, the providers and the cache.

`get(label)` returns verified bytes from the cache; `sync()` fills the cache
through the providers; `read_user_file()` and `read_kernel_tree()` read a file
the user names (`cparse.add_source` checks that it parses, then stores it).
"""
from __future__ import annotations

import os
import stat
import tarfile
from pathlib import Path

from ..errors import BlobMismatch, LabelError, ProviderUnavailable, SourceError
from ..i18n import Message
from . import cache, manifest
from .blob import blob_id
from .cache import SourceFile
from .manifest import Version
from .providers import (MAX_SOURCE_BYTES, ORDER, PROVIDERS, check_source_bytes, read_folder, read_tarball,
                        terminal_progress)
from .versions import check_label, kernel_version_in, release_key, version_key

__all__ = ["get", "sync", "read_user_file", "read_kernel_tree", "list_versions", "available", "SourceFile",
           "Version", "release_key", "sort_labels", "check_label", "blob_id", "kernel_version"]


def kernel_version(label: str) -> str | None:
    """The kernel version (X.Y[.Z]) a version is: what `sources add
    --kernel-version` recorded, else the fetched package's, else the
    manifest's, else the first X.Y[.Z] in the label; None if none says."""
    try:
        check_label(label)
        meta = cache.read_meta(label) or {}
    except (LabelError, SourceError):
        meta = {}
    if meta.get("kernel_version"):
        return meta["kernel_version"]
    from_package = kernel_version_in(meta.get("package_version"))
    if from_package:
        return from_package
    try:
        v = manifest.get(label)
    except LabelError:
        v = None
    return v.release if v is not None else kernel_version_in(label)


def sort_labels(labels) -> list[str]:
    """Labels in kernel-version order (lists, history columns, pickers);
    the label's own numbers break ties (v2.6.32 before v2.6.32.69)."""
    return sorted(labels, key=lambda lb: (version_key(kernel_version(lb)), release_key(lb)))


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
            raise LabelError("unknown version {label!r}; see 'fork-explorer sources list'", label=label)
        raise SourceError("version {label} is not fetched yet; run 'fork-explorer sources sync {label}'",
                          label=label)
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
        raise BlobMismatch("kernel/fork.c for {label} has blob {actual}, but the manifest expects {blob}",
                           label=label, actual=actual, blob=v.blob)


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
            "kernel_version": kernel_version(label),
        })
        if meta.get("alias_of"):       # only on aliases: the rows of stored files stay as they were
            rows[-1]["alias_of"] = meta["alias_of"]
    return rows


def group_by_blob(rows: list[dict]) -> list[dict]:
    """One entry per distinct fork.c: {blob, label (the stored one), aliases: [labels]},
    in the order of the rows; a row not cached (its blob is only the manifest's) stands alone."""
    groups: dict = {}
    for r in rows:
        key = r["blob"] if r["blob"] and r["status"] == "cached" else ("label", r["label"])
        g = groups.get(key)
        if g is None:
            groups[key] = {"blob": r["blob"], "label": r["label"], "aliases": []}
        else:
            g["aliases"].append(r["label"])
    return list(groups.values())


def sync(labels: list[str] | None = None, provider: str | None = None, *, force: bool = False,
         log=None, progress=None) -> list[dict]:
    """Fetch versions into the cache.  Returns one report per label:
    {label, status: cached|fetched|failed, origin, blob, tried: [one line per provider],
    tried_messages: the same as explorer.i18n messages ({"id", "values"}), for a reader's language}.
    `log` gets one line per provider that could not help; `progress` is a
    factory (total, description) -> context manager with update(n), by
    default a tqdm bar on a terminal."""
    log = log or (lambda msg: None)
    if provider is not None and provider not in PROVIDERS:
        raise SourceError("unknown provider {provider!r}; choose from {providers}", provider=provider,
                          providers=", ".join(ORDER))
    targets = [manifest.require(lb) for lb in labels] if labels else \
        [v for v in manifest.versions() if not v.optional]
    reports = []
    for v in targets:
        reports.append(_sync_one(v, provider, force, log, progress or terminal_progress))
    return reports


def _sync_one(v: Version, provider: str | None, force: bool, log, progress) -> dict:
    if not force and provider is None and cache.status(v.label) == "cached":
        meta = cache.read_meta(v.label)
        return {"label": v.label, "status": "cached", "origin": meta.get("origin"), "blob": meta.get("blob"), "tried": [],
                "tried_messages": []}
    tried, tried_messages = [], []
    for name in ([provider] if provider else ORDER):
        try:
            got = PROVIDERS[name](progress=progress).fetch(v)
        except ProviderUnavailable as e:
            tried.append(str(e))
            tried_messages.append(e.said.to_json())
            log(str(e))
            continue
        check_source_bytes(got.data, Message("{label} from {provider}", label=v.label, provider=name))
        meta = dict(got.meta, origin=got.origin, provider=name, form=v.form)
        _verify_against_manifest(v.label, got.data, meta)
        src = cache.store(v.label, got.data, got.sched_h, meta)
        return {"label": v.label, "status": "fetched", "origin": got.origin, "blob": src.blob, "tried": tried,
                "tried_messages": tried_messages}
    return {"label": v.label, "status": "failed", "origin": None, "blob": None, "tried": tried,
            "tried_messages": tried_messages}


def read_user_file(path: str, what: str | Message = Message("source")) -> bytes:
    """Bytes of a file the user names: a regular file (no link, no device), not
    empty, not binary, under the size limit.  Read, never executed."""
    p = Path(path)
    try:
        st = os.lstat(p)
    except FileNotFoundError:
        raise SourceError("{what} {file} does not exist", what=what, file=path) from None
    except OSError as e:
        raise SourceError("cannot read {what} {file}: {strerror}", what=what, file=path, strerror=e.strerror) from None
    if stat.S_ISLNK(st.st_mode):
        raise SourceError("{what} {file} is a symbolic link; name the file itself", what=what, file=path)
    if not stat.S_ISREG(st.st_mode):
        raise SourceError("{what} {file} is not a regular file", what=what, file=path)
    if st.st_size > MAX_SOURCE_BYTES:
        raise SourceError("{what} {file} is {size:,} bytes; the limit is {limit:,}",
                          what=what, file=path, size=st.st_size,
                          limit=MAX_SOURCE_BYTES)
    try:
        with open(p, "rb") as f:
            data = f.read(MAX_SOURCE_BYTES + 1)
    except OSError as e:
        raise SourceError("cannot read {what} {file}: {strerror}", what=what, file=path, strerror=e.strerror) from None
    return check_source_bytes(data, Message("{what} {file}", what=what, file=path))


TARBALL_SUFFIXES = (".tar", ".tar.xz", ".txz", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2")


def read_kernel_tree(path: str) -> tuple[bytes, bytes | None] | None:
    """(fork.c, sched.h) from a kernel tarball or an unpacked tree the user
    names, or None when path is neither (then it must be fork.c itself)."""
    p = Path(path)
    try:
        st = os.lstat(p)
    except OSError:
        return None                      # read_user_file says what is wrong
    if stat.S_ISDIR(st.st_mode):
        fork, sched = read_folder(p)
        if fork is None:
            raise SourceError("source {file} is not a regular file, and not a kernel tree (no kernel/fork.c in it)",
                              file=path)
    elif stat.S_ISREG(st.st_mode) and p.name.lower().endswith(TARBALL_SUFFIXES):
        try:
            fork, sched = read_tarball(p, progress=_quiet)
        except (tarfile.TarError, EOFError, OSError, ValueError) as e:
            raise SourceError("cannot read the kernel tarball {file}: {error}", file=path, error=e) from None
        except Exception as e:   # noqa: BLE001 - lzma/zlib/bz2 each raise their own error type
            raise SourceError("cannot read the kernel tarball {file}: {kind}",
                              file=path, kind=type(e).__name__) from None
        if fork is None:
            raise SourceError("the kernel tarball {file} holds no kernel/fork.c", file=path)
    else:
        return None
    return check_source_bytes(fork, Message("kernel/fork.c of {file}", file=path)), sched


class _quiet:
    def __init__(self, total, desc):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def update(self, n):
        pass
