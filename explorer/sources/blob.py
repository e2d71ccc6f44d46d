"""Git blob ids, so a file can be checked against the manifest without git."""
from __future__ import annotations

import hashlib


def blob_id(data: bytes) -> str:
    h = hashlib.sha1()
    h.update(b"blob %d\0" % len(data))
    h.update(data)
    return h.hexdigest()
