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


# -- running order under xdist ------------------------------------------------------------
# The wall time of `./dev.sh test` (one worker per core) is set by
# a few long tests: three QEMU boots, browser sessions, the Store's state
# machine, a real Debian download.  In file order they came last
# (tests/test_verify.py sorts last), so the run ended with the boots while
# the other worker idled, and a boot's two tests could land on different
# workers and boot the same kernel twice.
#
# dev.sh runs xdist with `--dist loadgroup`, served by the scheduler below:
# work units go out one at a time, longest first, to whichever worker is
# free, so the long ones start at once on every worker and the run ends on
# short tests (longest-processing-time first).  Tests sharing an expensive
# module-scoped fixture (one boot, one browser session) are one unit, so no
# second worker repeats the fixture.  (xdist's own loadgroup marks do not
# reach node ids under pytest 9, hence our own scheduler.)

# Expected seconds (call plus the setup of a shared fixture), measured with
# `pytest -n 4 --durations=0` on the 2-core machine; only their order matters.  Prefixes of node ids; a test not listed counts as short
# and keeps its file order.
EXPECTED_SECONDS = {
    # one boot each (the probe asks again only after a clone that made a child: 25-37 s)
    "tests/test_verify.py::test_the_debian_kernel_agrees_on_every_word_in_every_mode[debian-5.10]": 60,
    "tests/test_verify.py::test_the_debian_kernel_agrees_on_every_word_in_every_mode[debian-6.12]": 60,
    "tests/test_verify.py::test_the_debian_kernel_agrees_on_every_word_in_every_mode[debian-6.1]": 60,
    "tests/browser/test_room_layout_browser.py::test_": 10,     # 13 tests, one unit (its `room`)
    "tests/test_robustness_store.py::test_store_state_machine": 145,
    "tests/test_sources.py::test_debian_provider_downloads_the_real_package": 128,
    "tests/test_robustness_html.py::test_static_export_escapes_annotations_and_notes": 8,
    "tests/browser/test_room.py::test_a_reader_who_left_is_culled": 82,
    "tests/test_robustness_store.py::test_killed_at_every_step_of_a_save_leaves_a_whole_file[add]": 82,
    "tests/browser/test_room.py::test_four_readers_at_once_all_get_the_app": 65,
    "tests/browser/test_then_and_now_browser.py::test_the_tab_opens": 64,
    "tests/browser/test_then_and_now_browser.py::test_a_fresh_machine_is_told": 53,
    "tests/browser/test_then_and_now_browser.py::test_": 15,
    "tests/browser/test_then_and_now_i18n_browser.py::test_the_tab_in_japanese": 60,
    "tests/browser/test_app_browser.py::test_app_opens_on_a_modern_version": 30,
    "tests/browser/test_app_browser.py::test_": 8,
    "tests/browser/test_lab_browser.py::test_notebook_04": 50,
    "tests/browser/test_lab_browser.py::test_the_md_twin": 18,
    "tests/test_robustness_store.py::test_killed_at_every_step_of_a_save_leaves_a_whole_file": 30,
    "tests/test_robustness_fuzz.py::test_deep_nesting_is_bounded[20000]": 38,
    "tests/browser/test_serve_stop.py::test_stopping_serve_leaves_no_process": 33,
    "tests/test_then_and_now_widget.py::test_without_a_do_fork_version": 33,
    "tests/test_annotations_store.py::test_add_get_edit_delete_on_a_real_guard": 30,
    "tests/test_robustness_fuzz.py::test_executor_on_generated_statements": 30,
    "tests/test_rules.py::test_compare_covers_exactly": 30,
    "tests/test_annotations_store.py::test_any_text_is_stored_and_read_back": 29,
    "tests/test_rules.py::test_every_combination_of_twelve_flags_agrees_with_the_sweep": 20,
    "tests/test_rules.py::test_clone3_entry_agrees_with_the_sweep": 17,
    "tests/oracle/test_oracle.py::test_older_sources_differ_only_by_listed_kernel_changes": 20,
    "tests/test_notebook_then_and_now.py::test_": 20,
    "tests/test_notebooks.py::test_notebook_": 14,
    "tests/test_notebook_caches.py::test_notebook_runs_on_any_cache": 13,
    "tests/test_verify.py::test_a_boot_that_never_reaches_the_probe_times_out": 12,
    "tests/test_annotations_store.py::test_every_shipped_file_round_trips": 19,
    "tests/test_robustness_fuzz.py::test_parser_on_": 17,
    "tests/test_robustness_store.py::test_two_processes_saving_at_once": 18,
    "tests/browser/test_static_page_browser.py::test_": 16,
    "tests/test_robustness_html.py::test_static_export_of_a_hostile_source": 16,
    "tests/test_robustness_cli.py::test_hostile_input[stored-ifdefs.c-": 20,
    "tests/test_robustness_cli.py::test_hostile_input[source-ifdefs.c-": 15,
    "tests/test_robustness_cli.py::test_hostile_input[stored-nested_ifdefs.c-html]": 30,
    "tests/test_robustness_cli.py::test_tampered_cache_is_reported_not_used": 12,
}

# Modules whose tests share an expensive module-scoped fixture, and which of
# their tests form one unit: "" the whole module, else a pattern whose group
# names the fixture's parameter.
SHARED_FIXTURE_UNITS = {
    "tests/test_verify.py": r"\[(debian-[0-9.]+)\]$",    # `verified`: one QEMU boot per label
    "tests/browser/test_app_browser.py": "",              # `session`: one server, one chromium
    "tests/browser/test_lab_browser.py": "",              # `lab`: one JupyterLab, one chromium
    "tests/browser/test_then_and_now_browser.py": "",     # `tab`: one server, one chromium
    "tests/browser/test_hub.py": "",                      # `room`: one JupyterHub, its members' browsers
    "tests/browser/test_i18n_browser.py": "",             # `server`: one server
    "tests/browser/test_matrix_browser.py": "",           # `matrix_page`: one page of 104 versions
    "tests/browser/test_tours_browser.py": "",            # `room`: one server, one chromium
    "tests/browser/test_room_layout_browser.py": "",      # `room`: one server, one chromium
}


# Tests that need what another unit leaves behind join that unit (after it,
# in file order): the hung-boot test boots a kernel image the boots fetched.
JOINS_UNIT = {
    "tests/test_verify.py::test_a_boot_that_never_reaches_the_probe_times_out": "tests/test_verify.py[debian-5.10]",
}


def expected_seconds(nodeid: str) -> float:
    best = max((p for p in EXPECTED_SECONDS if nodeid.startswith(p)), key=len, default=None)
    return EXPECTED_SECONDS[best] if best else 0.0


def work_unit(nodeid: str) -> str:
    """The unit a test is scheduled in: its own node id, or the group of tests
    sharing an expensive fixture instance."""
    if nodeid in JOINS_UNIT:
        return JOINS_UNIT[nodeid]
    path = nodeid.split("::", 1)[0]
    rule = SHARED_FIXTURE_UNITS.get(path)
    if rule is None:
        return nodeid
    if rule == "":
        return path
    m = re.search(rule, nodeid)
    return f"{path}[{m.group(1)}]" if m else nodeid


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """In an xdist worker under --dist loadgroup: units in order of expected
    seconds, longest first (every worker sorts the same way, as xdist needs)."""
    if not getattr(config.option, "loadgroup", False):
        return       # one process, or another --dist: file order keeps fixtures set up once
    units: dict[str, list] = {}
    for item in items:
        units.setdefault(work_unit(item.nodeid), []).append(item)
    cost = {key: sum(expected_seconds(i.nodeid) for i in unit) for key, unit in units.items()}
    # sorted() is stable: units of equal cost (all the short ones) keep file order
    items[:] = [i for key in sorted(units, key=lambda k: -cost[k]) for i in units[key]]


@pytest.hookimpl(optionalhook=True)     # a run with -p no:xdist has no such hook
def pytest_xdist_make_scheduler(config, log):
    """--dist loadgroup: xdist's scope scheduler (one unit at a time to a free
    worker, in collection order) with our units as its scopes."""
    if config.getoption("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class LongestFirst(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return work_unit(nodeid)

    config.option.loadscopereorder = False      # keep the longest-first order of the collection
    return LongestFirst(config, log)
