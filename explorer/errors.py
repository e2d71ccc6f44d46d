"""One small hierarchy of typed errors.

The library raises these; the CLI turns them into one line on stderr and exit
code 2, the widgets into a message in the notebook.  Anything else escaping is
a bug in fork-explorer, not bad input.
"""
from __future__ import annotations


class ExplorerError(Exception):
    """Base of every error fork-explorer reports to a user."""

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None):
        self.message = message
        self.path = path
        self.line = line
        super().__init__(self.where() + message)

    def where(self) -> str:
        if self.path and self.line:
            return f"{self.path}:{self.line}: "
        if self.path:
            return f"{self.path}: "
        return ""


class LabelError(ExplorerError):
    """A version label that is malformed or unknown."""


class SourceError(ExplorerError):
    """A kernel source that cannot be fetched, read or verified."""


class ProviderUnavailable(SourceError):
    """One provider cannot reach its source; the next one is tried."""


class BlobMismatch(SourceError):
    """The bytes do not hash to the blob id the manifest records."""


class ParseError(ExplorerError):
    """Source bytes that cannot be parsed as kernel C at all."""


class LookupFailure(ExplorerError):
    """A function, node, flag, errno or callee name that does not exist."""


class ExecutionError(ExplorerError):
    """Bad arguments to the executor (unknown flag, errno, config name...)."""


class AnnotationError(ExplorerError):
    """An annotation file that does not validate or cannot be written."""


class ConflictError(AnnotationError):
    """Another writer changed the file since it was read."""


class TourError(ExplorerError):
    """A tour file that does not validate or cannot be written, or a tour or stop
    that is not there (a shared URL naming a missing tour)."""


class NoteError(ExplorerError):
    """A reading note that cannot be imported."""


class TranslationError(ExplorerError):
    """A PO file that does not parse or does not fit the store."""


class VerifyError(ExplorerError):
    """Checking against a booted Debian kernel could not be done or completed
    (no image, not a kernel, QEMU missing, a boot that never reached the probe)."""
