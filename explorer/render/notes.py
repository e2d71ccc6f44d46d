"""Commentary for rendering: the annotation store's records, placed on one
version by explorer.anchors, turned into render.LineNote (line, ja, en, other languages, status).

Resolving is the anchors' job; this module only adapts shapes."""
from __future__ import annotations

from dataclasses import dataclass

from ..annotations import Store, resolve_annotation
from .langs import SHIPPED
from .source import LineNote


@dataclass
class Placed:
    """One annotation and where it landed in a version (for the editor)."""
    annotation: object     # explorer.annotations.Annotation
    resolution: object     # explorer.anchors.Resolution


def place_all(module, store=None) -> list[Placed]:
    """Every valid annotation of the store, resolved against `module`."""
    store = store if store is not None else Store()
    return [Placed(ann, resolve_annotation(ann, module)) for ann in store.list()]


def note_of(module, placed: Placed) -> LineNote | None:
    """The LineNote to draw, or None when the annotation does not place in this version."""
    res, ann = placed.resolution, placed.annotation
    if res.node is None or res.line is None:
        return None
    return LineNote(line=res.line, end_line=res.end_line, ja=ann.text.get("ja", ""), en=ann.text.get("en", ""),
                other={lang: t for lang, t in ann.text.items() if lang not in SHIPPED},
                status=res.status, key=ann.id, node_id=module.node_id(res.node),
                    author=getattr(ann, "author", None) or "")


def notes_for(module, store=None) -> list[LineNote]:
    """The notes that place on `module` (absent and orphaned ones stay in the store)."""
    notes = [note_of(module, p) for p in place_all(module, store)]
    return sorted((n for n in notes if n is not None), key=lambda n: (n.line, n.key))
