"""Shared fixtures: Debian's real fork.c files, the seed note, our own C fixtures.

A real source that is missing fails the run under CI (CI=true), where
`./dev.sh test` must have fetched it; elsewhere it skips with the reason.
"""
from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

import explorer
from explorer.errors import ExplorerError

REPO = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SEED_DIR = REPO.parent / "shared" / "seed"
SEED_NOTE = SEED_DIR / "do_fork-reading-note.ja.md"
DEBIAN_LABELS = ("debian-6.1", "debian-6.12")


def unavailable(msg: str):
    """Something the tests need is missing: under CI (where ./dev.sh test
    installs everything) that is a failure, elsewhere a skip with the reason."""
    if os.environ.get("CI"):
        pytest.fail(msg)
    pytest.skip(msg)


def need_tool(name: str, why: str) -> str:
    path = shutil.which(name)
    if path is None:
        unavailable(f"{name} is not installed ({why}); ./dev.sh test installs it")
    return path


def need(label: str):
    """The parsed Module of a real version, or skip (fail under CI) with why."""
    try:
        return explorer.load(label)
    except ExplorerError as e:
        unavailable(f"{label} is not available ({e}); './dev.sh test' fetches it")


@pytest.fixture(scope="session")
def mod61():
    return need("debian-6.1")


@pytest.fixture(scope="session")
def mod612():
    return need("debian-6.12")


@pytest.fixture(scope="session", params=DEBIAN_LABELS)
def modern(request):
    return need(request.param)


def seed_note_text() -> str:
    if not SEED_NOTE.exists():
        unavailable(f"seed note not found at {SEED_NOTE}")
    return SEED_NOTE.read_text(encoding="utf-8")


def seed_do_fork_bytes() -> bytes:
    """The complete 2.6-era do_fork from the seed note's full-text block."""
    text = seed_note_text()
    blocks = re.findall(r"```c\n(.*?)```", text, flags=re.S)
    full = next(b for b in blocks if "long do_fork(" in b and "return nr;" in b)
    return full.encode()


@pytest.fixture(scope="session")
def seed_module():
    return explorer.parse_source(seed_do_fork_bytes(), label="seed-do_fork")


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()
