"""Crash-safe file writes, shared by the source cache, the annotation store,
the note importer and the PO export."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path


def atomic_write(path: Path, data: bytes) -> None:
    """Replace path by data so that a crash at any moment leaves either the old
    file or the new one, whole.  The temporary file lives in the same
    directory (same filesystem: rename is atomic) and ends in .tmp, so a
    leftover from a crash is never read as a real file; the directory is
    fsynced after the rename so the new name survives a power loss too."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    dfd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dfd)
    finally:
        os.close(dfd)
