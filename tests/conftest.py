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
import explorer.cparse
import explorer.sources
from explorer.cparse.kinds import STATEMENT_KINDS
from explorer.errors import ExplorerError

REPO = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SHARED = REPO.parent / "shared"
SEED_DIR = SHARED / "seed"
SEED_NOTE = SEED_DIR / "do_fork-reading-note.ja.md"
TESTDATA = SHARED / "testdata"
DEBIAN_LABELS = ("debian-6.1", "debian-6.12")
# The real older fork.c files beside the project (../shared/testdata/README.md),
# registered at test time under these labels; never copied into the repository.
TESTDATA_VERSIONS = {"v2.6.32.69": "v2.6.32.69/fork.c", "v5.4": "v5.4/fork.c"}
# The real cache that ./dev.sh fills (FORK_EXPLORER_HOME as the suite starts).
CACHE_HOME = Path(os.environ.get("FORK_EXPLORER_HOME") or REPO / "kernel-src" / "cache")


def unavailable(msg: str):
    """The one rule for anything the tests need and cannot find (a fetched
    source, ../shared, a tool): under CI (where ./dev.sh test installs
    everything and ../shared sits beside the clone) that is a failure,
    elsewhere a skip with the reason."""
    if os.environ.get("CI"):
        pytest.fail(msg)
    pytest.skip(msg)


def shared_path(rel: str) -> Path:
    """A file under ../shared (seed note, test data), or skip/fail with why."""
    p = SHARED / rel
    if not p.exists():
        unavailable(f"../shared/{rel} is not beside this clone (CI provides it; a user's clone has none)")
    return p


def cached_labels(*labels: str) -> list[str]:
    """The labels present in the real cache, or skip/fail naming the missing ones."""
    missing = [lb for lb in labels if not (CACHE_HOME / "sources" / lb / "meta.json").exists()]
    if missing:
        unavailable(f"{', '.join(missing)} not in {CACHE_HOME} ('./dev.sh test' fetches them)")
    return list(labels)


def make_home(dest: Path, debian=DEBIAN_LABELS, testdata=()) -> Path:
    """A FORK_EXPLORER_HOME at dest holding copies of cached Debian versions
    and the named test-data versions, registered with cparse.add_source (the
    user's path).  Skips (fails under CI) when any of them is missing."""
    cached_labels(*debian)
    files = {lb: shared_path("testdata/" + TESTDATA_VERSIONS[lb]) for lb in testdata}   # skip before writing
    for lb in debian:
        shutil.copytree(CACHE_HOME / "sources" / lb, dest / "sources" / lb)
    for lb, f in files.items():
        add_version(dest, lb, f)
    return dest


def add_version(home: Path, label: str, source: Path, header: Path | None = None) -> None:
    """`sources add` into the FORK_EXPLORER_HOME `home` (the user's own path),
    leaving the environment as it was."""
    old = os.environ.get("FORK_EXPLORER_HOME")
    os.environ["FORK_EXPLORER_HOME"] = str(home)
    try:
        explorer.cparse.add_source(label, str(source), str(header) if header else None)
    finally:
        if old is None:
            del os.environ["FORK_EXPLORER_HOME"]
        else:
            os.environ["FORK_EXPLORER_HOME"] = old


@pytest.fixture(scope="session")
def testdata_home(tmp_path_factory) -> Path:
    """debian-6.1, debian-6.12, v2.6.32.69 and v5.4 in one temporary home."""
    return make_home(tmp_path_factory.mktemp("testdata-home"), testdata=tuple(TESTDATA_VERSIONS))


@pytest.fixture
def with_testdata(testdata_home, monkeypatch) -> Path:
    """Point the library and CLI at testdata_home for one test."""
    monkeypatch.setenv("FORK_EXPLORER_HOME", str(testdata_home))
    return testdata_home


@pytest.fixture
def annotation_copy(tmp_path, monkeypatch):
    """The kernel's annotation files copied, so a notebook or app that writes never touches the repo's."""
    dst = tmp_path / "annotations"
    shutil.copytree(REPO / "kernel-src" / "annotations", dst)
    monkeypatch.setenv("FORK_EXPLORER_ANNOTATIONS", str(dst))
    return dst


def _testdata_module(label: str):
    return explorer.parse_source(shared_path("testdata/" + TESTDATA_VERSIONS[label]).read_bytes(), label=label)


@pytest.fixture(scope="session")
def mod2632():
    """The real 2.6.32.69 fork.c (do_fork form)."""
    return _testdata_module("v2.6.32.69")


@pytest.fixture(scope="session")
def mod54():
    """The real 5.4 fork.c (_do_fork(struct kernel_clone_args *) with the do_fork wrapper)."""
    return _testdata_module("v5.4")


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
    return shared_path("seed/" + SEED_NOTE.name).read_text(encoding="utf-8")


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


def statement_nodes(node) -> list:
    """The statement nodes (cparse.kinds.STATEMENT_KINDS) under node, in reading order."""
    out, stack = [], [node]
    while stack:
        n = stack.pop()
        if n.type in STATEMENT_KINDS:
            out.append(n)
        stack.extend(reversed(n.named_children))
    return out


def guard_line(mod) -> int:
    """The line of copy_process's 'thread groups share signal handlers' check, read from the file."""
    fn = mod.function("copy_process")
    for n in range(fn.start_line, fn.end_line + 1):
        text = mod.lines[n - 1]
        if "CLONE_THREAD" in text and "CLONE_SIGHAND" in text and "if" in text:
            return n
    raise AssertionError("guard not found")
