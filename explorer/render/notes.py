"""Commentary for rendering: the annotation store's records, resolved against
one version, turned into render.Note (line, ja, en, status).

The resolving is done by explorer.anchors; this module only adapts shapes."""
from __future__ import annotations

from .source import Note


def notes_for(module) -> list[Note]:
    """Every annotation of the store placed on `module` (absent ones left out of
    the lines but kept by the store)."""
    try:
        from .. import annotations  # noqa: F401  (issue 5 lands it)
    except ImportError:
        return []
    return []
