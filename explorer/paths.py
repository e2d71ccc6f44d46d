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


def home() -> Path:
    """FORK_EXPLORER_HOME, else kernel-src/cache/ in a checkout, else ~/.cache."""
    env = os.environ.get("FORK_EXPLORER_HOME")
    if env:
        return Path(env)
    if KERNEL_SRC.is_dir():
        return KERNEL_SRC / "cache"
    return Path.home() / ".cache" / "fork-explorer"
