"""Notebook 01 ("then and now") runs top to bottom, and makes sense, on the
four caches of issue 11:
1. only debian-6.1 and debian-6.12 (a fresh machine): it says at the top that
   no do_fork-form version is here, how to get one, and pairs 6.1 with 6.12;
2. plus the real 2.6.32.69 and 5.4 files: 2.6.32.69 beside 6.12;
3. plus a 2.6.11-like file of ours (the executor's legacy fixture, a 2.6.11
   label: no CLONE_NEWUSER, no CLONE_NEWPID) and the seed note's do_fork
   alone (no copy_process), both through `sources add`;
4. plus a 7.3-like version (6.12's file under a 7.3 label: flags newer than
   any other).
What the notebook prints is checked against the library run here on the
same files (explorer.pair, the compare sweep), never against typed-in answers."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

import explorer
from explorer import cparse, sources
from explorer.executor.compare import sweep_compare

from conftest import FIXTURES, REPO, make_home, seed_do_fork_bytes
from test_notebooks import run_notebook, texts

NOTEBOOK = REPO / "notebooks" / "01_tour_do_fork.ipynb"
SEVEN = ["CLONE_VM", "CLONE_FS", "CLONE_SIGHAND", "CLONE_THREAD", "CLONE_NEWNS", "CLONE_NEWUSER", "CLONE_PARENT"]
OLD_FIXTURE = "v2.6.11-like"       # label read as kernel 2.6.11: the flag table has no NEWUSER/NEWPID
SEED_ONLY = "v2.6.9-seed-do_fork"  # older still, and only do_fork: must be passed over, said so
NEWER = "vendor-7.3"


class Home:
    """A FORK_EXPLORER_HOME for one cache, and the library's view of it."""

    def __init__(self, path: Path):
        self.path = path

    def __enter__(self):
        self._old = os.environ.get("FORK_EXPLORER_HOME")
        os.environ["FORK_EXPLORER_HOME"] = str(self.path)
        return self

    def __exit__(self, *exc):
        if self._old is None:
            del os.environ["FORK_EXPLORER_HOME"]
        else:
            os.environ["FORK_EXPLORER_HOME"] = self._old


def _add(home: Path, label: str, data: bytes) -> None:
    f = home.parent / f"{label}.fork.c"
    f.write_bytes(data)
    with Home(home):
        cparse.add_source(label, str(f))


@pytest.fixture(scope="module")
def caches(tmp_path_factory):
    """The four homes, built once for this module."""
    base = tmp_path_factory.mktemp("then-and-now")
    one = make_home(base / "1" / "home")
    two = make_home(base / "2" / "home", testdata=("v2.6.32.69", "v5.4"))
    three = make_home(base / "3" / "home", testdata=("v2.6.32.69", "v5.4"))
    _add(three, OLD_FIXTURE, (FIXTURES / "executor_legacy_fork.c").read_bytes())
    _add(three, SEED_ONLY, seed_do_fork_bytes())
    four = make_home(base / "4" / "home", testdata=("v2.6.32.69", "v5.4"))
    with Home(four):
        _add(four, NEWER, sources.get("debian-6.12").data)
    return {1: one, 2: two, 3: three, 4: four}


def run_in(home: Path, tmp_path: Path, monkeypatch) -> str:
    monkeypatch.setenv("FORK_EXPLORER_HOME", str(home))
    return texts(run_notebook(NOTEBOOK, tmp_path))


def first_output(out: str) -> str:
    return out.lstrip()[:1200]


def sweep_lines(home: Path, a: str, b: str) -> tuple[dict, list[str]]:
    """The compare sweep of the seven flags, and the lines the notebook prints for the differing rows."""
    with Home(home):
        ma, mb = explorer.load(a), explorer.load(b)
        doc = sweep_compare(ma, mb, SEVEN)
    return doc, [f"{r['a']['function']}:{r['a']['line']}" for r in doc["results"]
                 if r["a"]["outcome"] != r["b"]["outcome"]]


def test_a_fresh_machine_is_told_at_the_top_and_shown_6_1_beside_6_12(caches, tmp_path, monkeypatch):
    out = run_in(caches[1], tmp_path, monkeypatch)
    top = first_output(out)
    assert "No do_fork-form" in top
    for how in ("sources add", "FORK_EXPLORER_SOURCE_DIRS", "FORK_EXPLORER_LINUX_GIT", "sources sync v2.6.32"):
        assert how in top, how
    assert "then: debian-6.1 — form: kernel_clone" in out and "now:  debian-6.12 — form: kernel_clone" in out
    assert "NOT the do_fork form" in out
    doc, _ = sweep_lines(caches[1], "debian-6.1", "debian-6.12")
    assert f"{doc['differ']} of {len(doc['results'])} combinations differ" in out


def test_with_the_real_2_6_32_file_it_reads_do_fork_beside_kernel_clone(caches, tmp_path, monkeypatch):
    out = run_in(caches[2], tmp_path, monkeypatch)
    assert "No do_fork-form" not in out
    assert "then: v2.6.32.69 — form: do_fork" in out and "now:  debian-6.12 — form: kernel_clone" in out
    assert "do_fork" in out and "-> kernel_clone" in out
    with Home(caches[2]):
        ma, mb = explorer.load("v2.6.32.69"), explorer.load("debian-6.12")
        doc = explorer.pair(ma, mb)
    # the 2.6.32 check of CLONE_NEWUSER|CLONE_THREAD in do_fork, aligned with its copy_process counterpart
    moved = [g for g in doc["guards"] if g["function_a"] == "do_fork" and g["function_b"] == "copy_process"]
    assert moved
    for g in moved:
        assert f"then  do_fork() line {g['a']['line']:>5}  -{g['a']['errno']}" in out
        assert f"now   copy_process() line {g['b']['line']:>5}  -{g['b']['errno']}" in out
    # the syscalls that lived in arch code are said to, not silently missing
    assert "arch code" in out
    sweep, where = sweep_lines(caches[2], "v2.6.32.69", "debian-6.12")
    assert sweep["differ"] > 0
    assert f"{sweep['differ']} of {len(sweep['results'])} combinations differ" in out
    assert all(w in out for w in where)
    # CLONE_NEWUSER|CLONE_THREAD: refused in both, decided in do_fork then and copy_process now
    line = next(ln for ln in out.splitlines() if ln.startswith("CLONE_NEWUSER|CLONE_THREAD "))
    assert "then EINVAL  (do_fork:" in line and "now EINVAL  (copy_process:" in line


def test_an_older_fixture_and_a_do_fork_only_excerpt_are_handled(caches, tmp_path, monkeypatch):
    out = run_in(caches[3], tmp_path, monkeypatch)
    assert "No do_fork-form" not in out
    # the do_fork-only excerpt is older but has no copy_process: passed over, and said so
    assert f"passed over: {SEED_ONLY} (no copy_process in that file)" in out
    assert f"then: {OLD_FIXTURE} — form: do_fork" in out
    # 2.6.11 has no CLONE_NEWUSER: it is passed by value there, with a note
    assert "CLONE_NEWUSER is not defined in " + OLD_FIXTURE in out
    sweep, where = sweep_lines(caches[3], OLD_FIXTURE, "debian-6.12")
    assert f"{sweep['differ']} of {len(sweep['results'])} combinations differ" in out
    assert all(w in out for w in where)


def test_a_version_with_newer_flags_is_the_now_side(caches, tmp_path, monkeypatch):
    out = run_in(caches[4], tmp_path, monkeypatch)
    assert f"now:  {NEWER} — form: kernel_clone" in out and "then: v2.6.32.69 — form: do_fork" in out
    sweep, where = sweep_lines(caches[4], "v2.6.32.69", NEWER)
    assert f"{sweep['differ']} of {len(sweep['results'])} combinations differ" in out


def test_the_do_fork_only_excerpt_alone_is_still_read(caches, tmp_path, monkeypatch):
    """With no complete do_fork-form file, the excerpt is the 'then' side: its
    do_fork calls a copy_process the file does not have, and nothing crashes."""
    home = make_home(tmp_path / "home")
    _add(home, SEED_ONLY, seed_do_fork_bytes())
    out = run_in(home, tmp_path, monkeypatch)
    assert f"then: {SEED_ONLY} — form: do_fork" in out
    assert f"{SEED_ONLY} has no copy_process in its file" in out
    assert "combinations differ" in out


def test_notebook_01_is_committed_without_outputs_and_matches_its_markdown():
    """Outputs would hold kernel source text; the .md twin is what reviewers read."""
    import jupytext
    import nbformat
    nb = nbformat.read(NOTEBOOK, as_version=4)
    assert all(not c.get("outputs") and not c.get("execution_count") for c in nb.cells if c.cell_type == "code")
    md = jupytext.read(NOTEBOOK.with_suffix(".md"))
    assert [c.source for c in nb.cells if c.cell_type == "code"] == \
        [c.source for c in md.cells if c.cell_type == "code"]
