"""Work every reader needs equally, done once and kept on disk.

A reading room starts one kernel per reader, and each used to redo the same
work from scratch: highlighting the whole fork.c with pygments and reading
every annotation file with ruamel.yaml's round-trip loader (together most of
a kernel's start-up CPU).  The results depend only on their input bytes and
on the code that computes them, so they are pickled under
FORK_EXPLORER_HOME/computed/ with a key made of both; the first kernel (or
`fork-explorer serve` before it starts Voila) computes, every other one reads.

The key holds a digest of the input and of the computing code (the source
files named by the caller, the library versions, the Python version), so an
edited file or an upgraded library never reads an old result.  Files are
written atomically; a file that cannot be read is recomputed and replaced.
Only files this module wrote under the user's own home are ever unpickled.
"""
from __future__ import annotations

import hashlib
import importlib.metadata as md
import importlib.util
import pickle
import sys
from functools import lru_cache
from pathlib import Path
from typing import Callable, TypeVar

from . import paths
from .fsutil import atomic_write

T = TypeVar("T")


def cache_dir() -> Path:
    return paths.home() / "computed"


@lru_cache(maxsize=None)
def code_digest(modules: tuple[str, ...], libraries: tuple[str, ...]) -> str:
    """Digest of the code a result comes from: our modules' source and the
    versions of the libraries they lean on."""
    h = hashlib.sha256(sys.version.encode())
    for name in modules:
        spec = importlib.util.find_spec(name)
        origin = spec.origin if spec is not None else None
        h.update(name.encode() + b"\0" + (Path(origin).read_bytes() if origin else b""))
    for lib in libraries:
        try:
            h.update(f"{lib}={md.version(lib)}".encode())
        except md.PackageNotFoundError:
            h.update(f"{lib}=?".encode())
    return h.hexdigest()


def remember(kind: str, data: bytes, compute: Callable[[], T], *, modules: tuple[str, ...],
             libraries: tuple[str, ...] = ()) -> T:
    """compute(), or the result an earlier process kept for the same input
    bytes and the same code."""
    key = hashlib.sha256(code_digest(modules, libraries).encode() + b"\0" + data).hexdigest()
    path = cache_dir() / kind / f"{key}.pickle"
    try:
        return pickle.loads(path.read_bytes())
    except FileNotFoundError:
        pass
    except Exception:               # a truncated or foreign file: recompute and replace it
        pass
    value = compute()
    try:
        atomic_write(path, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
    except OSError:
        pass                        # a read-only home only costs the next kernel the same work
    return value
