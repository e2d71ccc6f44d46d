"""Where things live: the checkout's kernel-src/ and the fetched-source home."""
from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
REPO_ROOT = PACKAGE_DIR.parent
KERNEL_SRC = REPO_ROOT / "kernel-src"


def manifest_path() -> Path:
    return Path(os.environ.get("FORK_EXPLORER_MANIFEST", KERNEL_SRC / "manifest.toml"))


def annotations_dir() -> Path:
    return Path(os.environ.get("FORK_EXPLORER_ANNOTATIONS", KERNEL_SRC / "annotations"))


def tours_dir() -> Path:
    """Where the reading tours live: FORK_EXPLORER_TOURS; else, when the
    annotation store is moved (FORK_EXPLORER_ANNOTATIONS, e.g. a group's shared
    folder), a tours/ folder inside it, so one shared folder holds both; else
    kernel-src/tours/ in the checkout."""
    env = os.environ.get("FORK_EXPLORER_TOURS")
    if env:
        return Path(env)
    ann = os.environ.get("FORK_EXPLORER_ANNOTATIONS")
    if ann:
        return Path(ann) / "tours"
    return KERNEL_SRC / "tours"


def home() -> Path:
    """FORK_EXPLORER_HOME, else kernel-src/cache/ in a checkout, else ~/.cache."""
    env = os.environ.get("FORK_EXPLORER_HOME")
    if env:
        return Path(env)
    if KERNEL_SRC.is_dir():
        return KERNEL_SRC / "cache"
    return Path.home() / ".cache" / "fork-explorer"
