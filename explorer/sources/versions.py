"""Labels and their release order.

A label is what a user types (`v2.6.32`, `debian-6.12`, `v7.3-rc1`,
`android-5.15`).  Release order comes from the first dotted number in it;
release candidates sort before the release, and a distribution build of a
version sorts after the plain tag of the same numbers.
"""
from __future__ import annotations

import re

from ..errors import LabelError

LABEL_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*\Z")
_NUMBERS = re.compile(r"(\d+(?:\.\d+)*)(?:-rc(\d+))?")
# A dotted number wins over a bare one before it: android13-5.15 is 5.15.
_DOTTED = re.compile(r"(\d+(?:\.\d+)+)(?:-rc(\d+))?")


def check_label(label: str) -> str:
    if not isinstance(label, str) or not LABEL_RE.match(label) or ".." in label or len(label) > 64:
        raise LabelError(
            "bad version label {label!r}: use letters, digits, '.', '_' or '-' "
            "(starting with a letter or digit, no '..')", label=label
        )
    return label


def release_key(label: str) -> tuple:
    """Sort key: numbers first, then rc before final, then plain tag before vendor."""
    m = _DOTTED.search(label) or _NUMBERS.search(label)
    if not m:
        return ((10**9,), 0, 0, label)
    nums = tuple(int(x) for x in m.group(1).split("."))
    rc = m.group(2)
    vendor = 0 if label.lstrip("v") == m.group(0) else 1
    return (nums, 0 if rc else 1, int(rc or 0), vendor, label)


def sort_labels(labels) -> list[str]:
    """Labels by the release their name says (see sources.sort_labels for the
    order by each version's known kernel version)."""
    return sorted(labels, key=release_key)


_KERNEL_VERSION = re.compile(r"(\d+)\.(\d+)(?:\.(\d+))?")


def parse_kernel_version(text: str) -> str:
    """'5.10' or '5.10.262' (X.Y[.Z]), checked; KernelVersion text as the user wrote it."""
    t = (text or "").strip().removeprefix("v")
    if not _KERNEL_VERSION.fullmatch(t):
        raise LabelError("bad kernel version {text!r}: use X.Y or X.Y.Z (5.10, 2.6.32)", text=text)
    return t


def kernel_version_in(text: str | None) -> str | None:
    """The first X.Y[.Z] in a label, package version or tag ('debian-5.10' -> '5.10',
    '6.12.117-1~deb12u1' -> '6.12.117', 'v2.6.32.69' -> '2.6.32'), or None."""
    m = _KERNEL_VERSION.search(text or "")
    return m.group(0) if m else None


def version_key(version: str | None) -> tuple:
    """Sort key of a kernel version text; unknown versions sort last."""
    if not version:
        return (10**9,)
    return tuple(int(x) for x in version.split("."))
