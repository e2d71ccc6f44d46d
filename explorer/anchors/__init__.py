"""Anchors: selectors that pin a note to a syntax-tree node and follow it
across versions (exact, moved, fuzzy, absent, orphaned)."""
from .selectors import (ANCHOR_KINDS, Anchor, anchorable, canonical, code_hash, head_code,
                        key_identifiers, make_anchor, readable, statements)

__all__ = ["Anchor", "make_anchor", "anchorable", "code_hash", "head_code", "canonical", "readable",
           "key_identifiers", "statements", "ANCHOR_KINDS"]

from .resolve import FUZZY_THRESHOLD, STATUS_WORDS, STATUSES, Resolution, resolve, target_functions  # noqa: E402

__all__ += ["Resolution", "resolve", "FUZZY_THRESHOLD", "target_functions", "STATUSES", "STATUS_WORDS"]
