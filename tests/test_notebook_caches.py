"""Every notebook runs top to bottom, and makes sense, on whatever set of
versions a reading group's cache holds (issue: a fresh clone and every
notebook on any versions).  Four caches, each one the previous plus more:

1. debian-6.1 and debian-6.12 (a fresh machine);
2. plus the real 2.6.32.69 and 5.4 files of ../shared/testdata;
3. plus a 2.6.11-like fixture of ours (no CLONE_NEWUSER, no CLONE_NEWPID)
   and the seed note's own do_fork registered with `sources add` (no
   copy_process in that file);
4. plus a 7.3-like version: debian-6.12's file with a sched.h that defines
   a flag newer than any other version's.

Notebook 01 (then and now) has its own tests."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from conftest import CACHE_HOME, FIXTURES, REPO, add_version, make_home, seed_do_fork_bytes
from test_notebooks import run_notebook, texts

NOTEBOOKS = ["02_modern_kernel_clone", "03_diff_and_history", "04_flag_playground",
             "05_translating_commentary", "app"]
NEWEST_FLAG = "CLONE_FIXTURE_FUTURE"      # defined only by the 7.3-like version's header


@pytest.fixture(scope="module")
def caches(tmp_path_factory):
    """cache number -> its FORK_EXPLORER_HOME, built on first use, so that a
    clone without ../shared still runs the notebooks on cache 1."""
    root = tmp_path_factory.mktemp("caches")
    built: dict[int, Path] = {}

    def get(n: int) -> Path:
        if n in built:
            return built[n]
        home = root / f"c{n}"
        if n == 1:
            make_home(home)
        elif n == 2:
            make_home(home, testdata=("v2.6.32.69", "v5.4"))
        elif n == 3:
            shutil.copytree(get(2), home)
            seed = root / "seed-do_fork.c"
            seed.write_bytes(seed_do_fork_bytes())
            add_version(home, "v2.6.11-like", FIXTURES / "legacy_2_6_11_like.c")
            add_version(home, "seed-2.6", seed)
        else:
            shutil.copytree(get(3), home)
            d612 = CACHE_HOME / "sources" / "debian-6.12"
            header = root / "sched-7.3-like.h"
            header.write_bytes((d612 / "sched.h").read_bytes() + f"\n#define {NEWEST_FLAG} (1ULL << 40)\n".encode())
            add_version(home, "like-7.3", d612 / "fork.c", header)
        built[n] = home
        return home

    return get


# The oldest and newest versions that can run the reading path (a fork entry
# and copy_process) in each cache: the pair notebook 03 must compare.
PAIR = {1: ("debian-6.1", "debian-6.12"), 2: ("v2.6.32.69", "debian-6.12"),
        3: ("v2.6.11-like", "debian-6.12"), 4: ("v2.6.11-like", "like-7.3")}


@pytest.mark.parametrize("cache", [1, 2, 3, 4])
@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_runs_on_any_cache(name, cache, caches, tmp_path, monkeypatch, annotation_copy):
    monkeypatch.setenv("FORK_EXPLORER_HOME", str(caches(cache)))
    out = texts(run_notebook(REPO / "notebooks" / f"{name}.ipynb", tmp_path))   # no error output anywhere
    older, newer = PAIR[cache]
    if name == "03_diff_and_history":
        assert f"{older} -> {newer}:" in out, "03 must compare the oldest and newest runnable versions"
        assert ("seed-2.6 (no copy_process in this file)" in out) == (cache >= 3), \
            "a do_fork-only file is left out with the reason, and only then"
    if name == "04_flag_playground":
        rows = re.findall(r"^(\S+)\s+\{", out, flags=re.M)
        assert rows[0] == older and rows[-1] == newer, rows
        lacks = "left out: CLONE_NEWUSER does not exist in version 2.6.11 (it exists from 2.6.23)"
        assert (lacks in out) == (cache >= 3)
        assert "CLONE_THREAD alone: -EINVAL" in out
    if name == "02_modern_kernel_clone":
        assert "debian-6.12" in out
