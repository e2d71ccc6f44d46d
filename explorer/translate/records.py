"""Extra keys on an annotation record (where a note came from, what a
translation was made from).

The store (explorer.annotations) keeps unknown keys of a record through every
round trip but has no public call to set one yet; this module is the single
place that reaches inside it, so a future `Store.set_field` replaces two
small functions here.
"""
from __future__ import annotations

from ruamel.yaml.comments import CommentedMap
from ruamel.yaml.scalarstring import LiteralScalarString


def _plain(value):
    if isinstance(value, dict):
        m = CommentedMap()
        for k, v in value.items():
            if v is not None:
                m[str(k)] = _plain(v)
        return m
    if isinstance(value, str) and "\n" in value:
        return LiteralScalarString(value.rstrip("\n"))
    return value


def get_field(store, annotation_id: str, key: str):
    """A record's extra key as plain Python data (None when absent)."""
    _path, rec = store._require(annotation_id)
    val = rec.get(key)
    return _to_python(val)


def _to_python(val):
    if isinstance(val, dict):
        return {str(k): _to_python(v) for k, v in val.items()}
    if isinstance(val, list):
        return [_to_python(v) for v in val]
    if isinstance(val, str):
        return str(val)
    return val


def set_field(store, annotation_id: str, key: str, value) -> None:
    """Set (replace) one extra key of a record and save its file atomically
    (ConflictError if the file changed on disk since the store read it)."""
    path, rec = store._require(annotation_id)
    old = rec.get(key, _MISSING)
    rec[key] = _plain(value)
    try:
        store._save(path, store._docs[path])
    except BaseException:
        if old is _MISSING:
            del rec[key]
        else:
            rec[key] = old
        raise


def merge_field(store, annotation_id: str, key: str, sub: str, value) -> None:
    """Set rec[key][sub] = value, keeping the other entries of rec[key]."""
    current = get_field(store, annotation_id, key) or {}
    if not isinstance(current, dict):
        current = {}
    current[sub] = value
    set_field(store, annotation_id, key, current)


_MISSING = object()
