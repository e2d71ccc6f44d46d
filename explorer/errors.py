"""One small hierarchy of typed errors.

The library raises these; the CLI turns them into one line on stderr and exit
code 2, the widgets into a message in the notebook.  Anything else escaping is
a bug in fork-explorer, not bad input.

A message is a msgid with named values (explorer.i18n.Message):

    raise LookupFailure("{label} defines no {entry!r}", label=mod.label, entry=entry)

str(e) is the English sentence (the CLI's line, the same bytes an f-string
made); a widget says ``tell(e, _)``, the same sentence in the reader's
language.  A value named like the location keywords (path, line) would be
taken for them: name it otherwise ({file}, {lineno}).
"""
from __future__ import annotations

from typing import Any, Callable

from .i18n import Message, translator


class ExplorerError(Exception):
    """Base of every error fork-explorer reports to a user."""

    def __init__(self, message: str | Message, *, path: str | None = None, line: int | None = None,
                 **values: Any):
        self.said = message if isinstance(message, Message) else Message(message, **values)
        self.message = self.said.english()          # English, without the location
        self.path = path
        self.line = line
        super().__init__(self.where() + self.message)

    def say(self, _: Callable[..., str]) -> str:
        """The error in the language of a translator ``_`` (the location as it is)."""
        return self.where() + self.said.say(_)

    def message_in(self, lang: str | None) -> str:
        return self.say(translator(lang))

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
