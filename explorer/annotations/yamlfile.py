"""The annotation files on disk: YAML read and written round-trip, and the
one atomic, conflict-checked save of a human-edited YAML file.

ruamel.yaml's round-trip mode keeps a file byte for byte through a load and a
dump, so hand edits (comments, key order, quoting) survive API edits.  A save
(`save_checked`) dumps the document, refuses what would not read back, and
replaces the file atomically (explorer.fsutil.atomic_write: temporary file,
fsync, rename, fsync of the directory) under an exclusive flock on the
directory, and only if the file's SHA-256 is still the one its reader saw
(optimistic concurrency: ConflictError otherwise).  The annotation Store
writes through it; so can any other human-edited YAML file (tours).
"""
from __future__ import annotations

import fcntl
import hashlib
import io
import os
from contextlib import contextmanager
from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from .. import sources
from ..computed import remember
from ..errors import AnnotationError, ConflictError
from ..fsutil import atomic_write
from ..i18n import Message
from .records import Problem


def _yaml() -> YAML:
    y = YAML(typ="rt")
    y.preserve_quotes = True
    y.width = 4096                 # never re-wrap a long head or sentence
    y.indent(mapping=2, sequence=4, offset=2)
    y.allow_unicode = True
    return y


def dump_bytes(doc) -> bytes:
    buf = io.StringIO()
    _yaml().dump(doc, buf)
    return buf.getvalue().encode("utf-8")


def load_bytes(data: bytes):
    return _yaml().load(data.decode("utf-8"))


def _load_shared(data: bytes):
    """load_bytes, done once for all the kernels of a room: the round-trip
    document (comments and line marks included) is kept on disk by the file's
    bytes.  A file that does not parse is not kept, so its error is raised
    here every time."""
    return remember("annotation-docs", data, lambda: load_bytes(data),
                    modules=(__name__,), libraries=("ruamel.yaml",))


# -- the guarded save: explorer.fsutil.atomic_write under a directory lock, conflict-checked --


@contextmanager
def _dir_lock(directory: Path):
    """Exclusive lock on the directory itself (no lock file to leave behind or
    commit by mistake; the kernel drops it if the process dies)."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def _digest(data: bytes | None) -> str | None:
    return None if data is None else hashlib.sha256(data).hexdigest()


def save_checked(path: Path, doc, seen_digest: str | None) -> tuple[bytes, object]:
    """Dump `doc` and replace `path` with it atomically under the directory
    lock, but only if the file's bytes still hash to `seen_digest` (None: the
    file must not exist yet), else ConflictError; YAML that would not read back
    is refused before anything is written.  Returns (the bytes written, the
    document as read back from them, so records know their line numbers)."""
    data = dump_bytes(doc)
    try:
        reread = load_bytes(data)      # never write a file we could not read back
    except YAMLError as e:
        raise AnnotationError("refusing to write unreadable YAML: {error}", error=e, path=str(path)) from None
    try:
        with _dir_lock(path.parent):
            current = path.read_bytes() if path.exists() else None
            if _digest(current) != seen_digest:
                raise ConflictError("{file} changed on disk since it was read; reload and retry", file=path,
                                    path=str(path))
            atomic_write(path, data)
    except OSError as e:
        # disk full, read-only directory...: the old file is intact (atomic_write); say so in one line
        raise AnnotationError("cannot save ({reason}); the file on disk is unchanged or whole", reason=e.strerror or e,
                              path=str(path)) from None
    return data, reread


# -- a folder of such files: what the annotation store and the tour store share --


class YamlFolder:
    """The human-edited YAML files under one directory (``*.yaml``), or one file
    anywhere (``file=``, its folder the root): where they are, the version labels they may name,
    and the reading of each file.  A file that cannot be read or parsed is noted
    as a Problem with its line, and one bad file never hides the others.

    A subclass sets ``self._docs``, ``self._digests`` and ``self._problems`` in its
    ``reload()`` (with whatever it keeps of the records) and reads each of
    ``files()`` with ``_read()``."""

    def __init__(self, root: Path | str | None, known_versions=None, *, file: Path | str | None = None):
        self._target = Path(file) if file is not None else None
        self.root = self._target.parent if self._target is not None else Path(root)
        self._known_versions = set(known_versions) if known_versions is not None else None
        self.reload()

    def reload(self) -> None:
        raise NotImplementedError

    @property
    def known_versions(self) -> set[str]:
        if self._known_versions is None:
            self._known_versions = set(sources.known_labels())
        return self._known_versions

    def files(self) -> list[Path]:
        if self._target is not None:
            return [self._target] if self._target.exists() else []
        return sorted(self.root.glob("*.yaml")) if self.root.is_dir() else []

    def _read(self, path: Path) -> bool:
        """Read and parse a file (once for all the kernels of a room): its round-trip
        document in ``self._docs[path]`` (None for an empty file), or False after noting
        why it cannot be read.  The digest of its bytes is kept for the conflict check of
        the next save (None when unreadable: a save then refuses to replace it)."""
        self._docs[path] = None
        self._digests[path] = None
        try:
            data = path.read_bytes()
        except OSError as e:
            self._problems.append(Problem(path, 1, Message("cannot read: {reason}", reason=e.strerror or e)))
            return False
        self._digests[path] = _digest(data)
        try:
            doc = _load_shared(data)
        except UnicodeDecodeError as e:
            problem = (data[:e.start].count(b"\n") + 1, Message("bad YAML: not UTF-8"))
        except MarkedYAMLError as e:
            mark = e.problem_mark or e.context_mark
            problem = (mark.line + 1 if mark is not None else 1, Message("bad YAML: {problem}",
                                                                         problem=e.problem or e.context))
        except YAMLError as e:
            problem = (1, Message("bad YAML: {error}", error=e))
        else:
            self._docs[path] = doc
            return True
        self._problems.append(Problem(path, *problem))
        return False
