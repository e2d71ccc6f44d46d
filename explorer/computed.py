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

Every file is signed: HMAC-SHA256, under a random key kept in the same
folder (created once, mode 0600), over its kind, its key and its payload.
A file whose signature does not verify (damaged, edited, copied in from
another home, renamed to another key) is refused before it is unpickled,
said so in the log, recomputed and replaced; so only files this module
wrote under this home are ever unpickled.  (The key guards against
damage and against files that did not come from this home, not against
someone who can read the home itself: they could run code as the user anyway.)
"""
from __future__ import annotations

import hashlib
import hmac
import importlib.metadata as md
import importlib.util
import logging
import os
import pickle
import sys
from functools import lru_cache
from pathlib import Path
from typing import Callable, TypeVar

from . import paths
from .fsutil import atomic_write

T = TypeVar("T")

log = logging.getLogger(__name__)

MAGIC = b"fx-computed-1\n"     # then 32 bytes of signature, then the pickle
SECRET = "secret.key"


def cache_dir() -> Path:
    return paths.home() / "computed"


def _secret(create: bool) -> bytes | None:
    """This home's signing key; made on first use (None when the home is read-only)."""
    path = cache_dir() / SECRET      # read each time (32 bytes): a home cleared meanwhile gets a new key
    try:
        key = path.read_bytes()
        if len(key) == 32:
            return key
    except FileNotFoundError:
        pass
    except OSError:
        return None
    if not create:
        return None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{SECRET}.{os.getpid()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(os.urandom(32))
            f.flush()
            os.fsync(f.fileno())
        try:
            os.link(tmp, path)      # never replaces a key another process made first
        except FileExistsError:
            if len(path.read_bytes()) != 32:    # a damaged key: start over (old files fail and are remade)
                os.replace(tmp, path)
        finally:
            if tmp.exists():
                tmp.unlink()
        return path.read_bytes()
    except OSError:
        return None


def _signature(secret: bytes, kind: str, name: str, payload: bytes) -> bytes:
    return hmac.new(secret, kind.encode() + b"\0" + name.encode() + b"\0" + payload, hashlib.sha256).digest()


def _read(path: Path, kind: str, secret: bytes | None) -> tuple[bool, object]:
    """(True, value) for a file this home signed; (False, None) otherwise, logged
    when a file is there but refused."""
    try:
        blob = path.read_bytes()
    except FileNotFoundError:
        return False, None
    except OSError as e:
        log.warning("cannot read kept result %s (%s); computing it again", path, e.strerror)
        return False, None
    head, sig, payload = blob[:len(MAGIC)], blob[len(MAGIC):len(MAGIC) + 32], blob[len(MAGIC) + 32:]
    if head != MAGIC:               # unsigned (written before signing existed) or foreign: never unpickled
        log.info("replacing unsigned kept result %s", path)
        return False, None
    if secret is None or not hmac.compare_digest(sig, _signature(secret, kind, path.stem, payload)):
        log.warning("refused kept result %s: its signature does not verify (damaged, edited or not "
                    "written by this home); computing it again", path)
        return False, None
    try:
        return True, pickle.loads(payload)
    except Exception:       # signed by us yet unreadable (an older library): recompute
        log.warning("cannot unpickle kept result %s; computing it again", path)
        return False, None


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
    secret = _secret(create=False)
    ok, value = _read(path, kind, secret)
    if ok:
        return value
    value = compute()
    secret = secret or _secret(create=True)
    if secret is None:
        return value                # a read-only home only costs the next kernel the same work
    payload = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    try:
        atomic_write(path, MAGIC + _signature(secret, kind, key, payload) + payload)
    except OSError:
        pass
    return value
