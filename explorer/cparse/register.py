"""Adding a fork.c the user names: read and verify it (sources), check that it
parses as kernel/fork.c (here), then store it (sources).

The parse check lives in cparse, not in sources, so the pipeline's arrows
point one way: cparse reads through sources, sources never parses.
`sources sync --all-tags` gets the same check handed in (`tag_form`).
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

from .. import paths, sources
from ..errors import BlobMismatch, SourceError
from ..i18n import Message
from ..fork_names import COPY_PROCESS, FORK_ENTRY_LINEAGE
from ..sources import cache, manifest
from ..sources.versions import check_label, kernel_version_in, parse_kernel_version
from .module import parse_source

# A file that defines none of these is not fork.c.
FORK_FUNCTIONS = FORK_ENTRY_LINEAGE + (COPY_PROCESS,)


def _parsed_form(data: bytes, label: str) -> str | None:
    """The fork form of data, or None when it defines no fork entry and no copy_process."""
    mod = parse_source(data, label=label)
    if not any(n in mod.functions for n in FORK_FUNCTIONS):
        return None
    return mod.form


def tag_form(label: str, data: bytes) -> str:
    """The form of a tag's fork.c; refuses one the parser cannot make sense of
    (that tag is reported and skipped by `sync --all-tags`)."""
    sources.check_source_bytes(data, Message("kernel/fork.c of {label}", label=label))
    form = _parsed_form(data, label)
    if form is None:
        raise SourceError("kernel/fork.c of {label} defines none of {functions}",
                          label=label, functions=", ".join(FORK_FUNCTIONS))
    return form


def add_source(label: str, path: str, header: str | None = None, kernel_version: str | None = None,
               *, origin: str | None = None) -> dict:
    """Register a local fork.c (and optionally its sched.h) under a label;
    `path` may also be a kernel tarball or unpacked tree (its kernel/fork.c and
    sched.h are taken).  `kernel_version` (X.Y[.Z]) says which release it is;
    by default the first X.Y[.Z] in the label, or the manifest's for a known label."""
    check_label(label)
    release = parse_kernel_version(kernel_version) if kernel_version else None
    tree = sources.read_kernel_tree(path)
    if tree is not None:
        data, sched = tree
        if header:
            sched = sources.read_user_file(header, Message("header"))
    else:
        data = sources.read_user_file(path, Message("source"))
        sched = sources.read_user_file(header, Message("header")) if header else None
    v = manifest.get(label)
    if v is not None and v.blob:
        actual = sources.blob_id(data)
        if actual != v.blob:
            raise BlobMismatch("{file} has blob {actual}, but the manifest expects {blob} for {label}", file=path,
                               actual=actual, blob=v.blob, label=label)
    # Parse before caching: a file with no fork entry and no copy_process is not fork.c.
    parsed = _parsed_form(data, label)
    if parsed is None:
        raise SourceError("{file} does not look like kernel/fork.c: it defines no do_fork, "
                          "_do_fork, kernel_clone or copy_process", file=path)
    form = v.form if v else parsed
    release = release or (v.release if v else kernel_version_in(label))
    src = cache.store(label, data, sched, {"origin": origin or f"user {os.path.abspath(path)}", "provider": "user",
                                           "form": form, "user": v is None, "kernel_version": release})
    return {"label": label, "status": "added", "origin": src.origin, "blob": src.blob, "form": form,
            "kernel_version": release}


def add_upload(label: str, filename: str, data: bytes, kernel_version: str | None = None) -> dict:
    """`add_source` for bytes a reader uploaded (the app's version picker): a
    fork.c or a kernel tarball, told apart by the file name, with the same checks."""
    name = os.path.basename(filename or "") or "fork.c"
    if not name.lower().endswith(sources.TARBALL_SUFFIXES) and not name.endswith((".c", ".h")):
        name = "fork.c"
    base = paths.home() / "downloads"
    base.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=base) as tmp:
        target = Path(tmp) / name
        target.write_bytes(data)
        return add_source(label, str(target), kernel_version=kernel_version, origin=f"upload {name}")
