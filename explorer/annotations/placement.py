"""Where a note sits in a version: its anchor resolved (explorer.anchors), and
the code hash there that translation provenance compares against."""
from __future__ import annotations

from typing import TYPE_CHECKING

from ..anchors import code_hash, resolve

if TYPE_CHECKING:        # records imports claims, which places notes through here
    from .records import Annotation


def resolve_annotation(ann: Annotation, module):
    """Where `ann` sits in `module`: an explorer.anchors.Resolution with status
    exact|moved|fuzzy|absent|orphaned, score, line, end_line and node."""
    return resolve(ann.anchor, module, written_against=ann.written_against)


def anchored_code_hash(ann: Annotation, module) -> str | None:
    """Code hash of the node `ann` resolves to in `module` (None when it does not
    place there), comparable with ann.provenance[lang]["code"]."""
    res = resolve_annotation(ann, module)
    return code_hash(module, res.node) if res.node is not None else None
