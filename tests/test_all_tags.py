"""`sources sync --all-tags`: every release tag of a linux clone as a version.

The clone is built here, at test time, from the real files (the Debian
cache, ../shared/testdata) and small fixtures of our own.
"""
from __future__ import annotations

import json
import re
import subprocess

import pytest

from conftest import CACHE_HOME, cached_labels, need_tool, shared_path
from explorer import sources
from explorer.cli import main
from explorer.sources import cache
from tagrepo import edited_guard as _edited_guard
from tagrepo import git, make_repo

# Release tags and where their kernel/fork.c comes from; aliases share a blob on purpose.
STORED = {"v2.6.32.69": "testdata/v2.6.32.69", "v5.4": "testdata/v5.4",
          "v6.1.192": "debian-6.1", "v6.12.117": "debian-6.12"}
ALIASES = {"v5.4.1": "v5.4", "v5.4.2": "v5.4", "v6.1.193": "v6.1.192"}


def _real(where: str) -> tuple[bytes, bytes | None]:
    if where.startswith("testdata/"):
        return shared_path(where + "/fork.c").read_bytes(), None
    d = CACHE_HOME / "sources" / where
    return (d / "fork.c").read_bytes(), (d / "sched.h").read_bytes() if (d / "sched.h").exists() else None


@pytest.fixture(scope="module")
def linux_clone(tmp_path_factory):
    need_tool("git", "the --all-tags tests build a git repository")
    cached_labels("debian-6.1", "debian-6.12")
    files = {}
    for tag, where in STORED.items():
        fork, sched = _real(where)
        files[tag] = {"kernel/fork.c": fork}
        if sched is not None:
            files[tag]["include/uapi/linux/sched.h"] = sched
    for tag, same in ALIASES.items():
        files[tag] = dict(files[same])
    files["v1.0"] = {"README": b"no fork.c here\n"}                                  # skipped, counted
    files["v3.0"] = {"kernel/fork.c": b"/* our own fixture */\nint not_fork;\n"}        # bad: reported, skipped
    files["v5.5-rc1"] = {"kernel/fork.c": _edited_guard(files["v5.4"]["kernel/fork.c"])}  # only with --rc
    files["v5.5"] = dict(files["v5.5-rc1"])
    files["other-1"] = dict(files["v5.4"])                                             # outside v*
    repo = make_repo(tmp_path_factory.mktemp("linux"), files, annotated=("v5.4", "v6.12.117"))
    return repo, files


@pytest.fixture
def empty_home(tmp_path, monkeypatch):
    monkeypatch.setenv("FORK_EXPLORER_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("FORK_EXPLORER_LINUX_GIT", raising=False)
    return tmp_path / "home"


def _sync(capsys, *args) -> tuple[int, dict]:
    rc = main(["sources", "sync", "--all-tags", "--json", *args])
    out = capsys.readouterr().out
    return rc, json.loads(out) if rc == 0 else {}


def test_every_tag_registered_aliases_detected(linux_clone, empty_home, capsys):
    repo, files = linux_clone
    rc, doc = _sync(capsys, "--git", str(repo))
    assert rc == 0
    registered = set(STORED) | set(ALIASES) | {"v5.5"}
    assert set(doc["fetched"]) | {a["label"] for a in doc["aliases"]} == registered
    # a blob is stored once: v5.5's edited file is new, v5.4's aliases point at v5.4
    assert sorted(doc["fetched"]) == sorted(set(STORED) | {"v5.5"})
    assert {a["label"]: a["alias_of"] for a in doc["aliases"]} == ALIASES
    assert doc["skipped_tags"] == ["v1.0"] and doc["skipped_no_fork_c"] == 1
    assert [b["label"] for b in doc["bad"]] == ["v3.0"]
    assert "v5.5-rc1" not in json.dumps(doc) and "other-1" not in json.dumps(doc)
    for tag in registered:
        src = sources.get(tag)
        assert src.data == files[tag]["kernel/fork.c"]
        assert src.sched_h == files[tag].get("include/uapi/linux/sched.h")
        assert sources.kernel_version(tag) == re.match(r"v(\d+\.\d+(?:\.\d+)?)", tag).group(1)
    for tag in ALIASES:                       # not stored twice
        assert not (cache.entry_dir(tag) / cache.FORK_C).exists()
    assert set(sources.available()) == registered


def test_second_run_fetches_nothing(linux_clone, empty_home, capsys):
    repo, _ = linux_clone
    assert _sync(capsys, "--git", str(repo))[0] == 0
    rc, doc = _sync(capsys, "--git", str(repo))
    assert rc == 0 and doc["fetched"] == [] and doc["aliases"] == []
    assert doc["unchanged"] == len(STORED) + len(ALIASES) + 1


def test_rc_and_match(linux_clone, empty_home, capsys, monkeypatch):
    repo, _ = linux_clone
    monkeypatch.setenv("FORK_EXPLORER_LINUX_GIT", str(repo))
    rc, doc = _sync(capsys, "--match", "v5.*", "--rc")
    assert rc == 0 and doc["matched"] == 5
    assert doc["fetched"] == ["v5.4", "v5.5-rc1"]
    assert {a["label"]: a["alias_of"] for a in doc["aliases"]} == {"v5.4.1": "v5.4", "v5.4.2": "v5.4",
                                                                  "v5.5": "v5.5-rc1"}


def test_list_shows_one_row_per_blob(linux_clone, empty_home, capsys):
    repo, _ = linux_clone
    assert _sync(capsys, "--git", str(repo))[0] == 0
    assert main(["sources", "list", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    rows = {r["label"]: r for r in doc["versions"]}
    assert rows["v5.4.1"]["alias_of"] == "v5.4" and rows["v5.4.1"]["status"] == "cached"
    assert rows["v5.4.1"]["blob"] == rows["v5.4"]["blob"]
    groups = {g["label"]: g["aliases"] for g in doc["blobs"]}
    assert groups["v5.4"] == ["v5.4.1", "v5.4.2"] and groups["v6.1.192"] == ["v6.1.193"]
    assert main(["sources", "list"]) == 0
    text = capsys.readouterr().out
    assert len([ln for ln in text.splitlines() if ln.startswith("v5.4")]) == 1
    assert "v5.4.1 v5.4.2" in text


def test_modified_target_breaks_its_aliases(linux_clone, empty_home, capsys):
    repo, _ = linux_clone
    assert _sync(capsys, "--git", str(repo))[0] == 0
    (cache.entry_dir("v5.4") / cache.FORK_C).write_bytes(b"changed\n")
    assert cache.status("v5.4.1") == "modified"
    assert "v5.4.1" not in sources.available()


@pytest.mark.parametrize("case", ["not-git", "no-fork-c", "no-match", "no-repo"])
def test_bad_input_one_line_exit_2(case, linux_clone, empty_home, tmp_path, capsys):
    repo, _ = linux_clone
    args = {"not-git": ["--git", str(tmp_path)], "no-match": ["--git", str(repo), "--match", "zz*"],
            "no-repo": []}.get(case)
    if case == "no-fork-c":
        plain = make_repo(tmp_path / "plain", {"v1.0": {"README": b"x\n"}, "v1.1": {"README": b"y\n"}})
        args = ["--git", str(plain)]
    assert main(["sources", "sync", "--all-tags", *args]) == 2
    err = capsys.readouterr().err.strip()
    assert err and len(err.splitlines()) == 1 and "Traceback" not in err


def test_one_cat_file_process(linux_clone, empty_home, capsys, monkeypatch):
    """Reading every tag spawns a fixed number of git processes, not one per tag."""
    repo, _ = linux_clone
    spawned = []
    real_popen = subprocess.Popen

    class Counting(real_popen):
        def __init__(self, args, *a, **kw):
            spawned.append(args)
            super().__init__(args, *a, **kw)
    monkeypatch.setattr(subprocess, "Popen", Counting)
    assert _sync(capsys, "--git", str(repo))[0] == 0
    git_calls = [a for a in spawned if a[0] == "git"]
    assert len([a for a in git_calls if "cat-file" in a]) == 1
    assert len(git_calls) <= 3
    assert git(repo, "rev-parse", "--git-dir")   # the repository is still there, untouched


def _squeezed(data: bytes, line: int, lines: int = 6) -> str:
    """The file from `line` on, a few lines, with all whitespace out: what a grep sees."""
    text = data.decode("utf-8", errors="replace").splitlines()[line - 1: line - 1 + lines]
    return re.sub(r"\s+", "", " ".join(text))


def test_history_over_every_tag_matches_the_files(linux_clone, empty_home, capsys, monkeypatch):
    import explorer.cparse as cparse
    repo, files = linux_clone
    assert _sync(capsys, "--git", str(repo))[0] == 0
    # Parsed once per distinct fork.c, however many tags share it.
    monkeypatch.setattr(cparse, "_LOADED", {})
    monkeypatch.setattr(cparse, "_BY_BLOB", {})
    parsed = []
    real_parse = cparse.parse_source
    monkeypatch.setattr(cparse, "parse_source", lambda data, label=None: parsed.append(label) or real_parse(data, label))
    assert main(["history", "copy_process", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    order = doc["versions"]
    assert sorted(parsed) == sorted(set(STORED) | {"v5.5"})
    assert set(order) == set(STORED) | set(ALIASES) | {"v5.5"}
    assert order.index("v2.6.32.69") < order.index("v5.4") < order.index("v5.4.2") < order.index("v5.5") \
        < order.index("v6.1.192") < order.index("v6.12.117")
    checked = 0
    for g in doc["guards"]:
        present = [lb for lb in order if g["present"][lb]["status"] != "absent"]
        assert g["first"] == present[0] and g["last"] == present[-1]
        conds = [g["present"][lb]["condition"] for lb in present]
        expect = [{"label": lb, "from": a, "to": b} for lb, a, b in zip(present[1:], conds, conds[1:]) if a != b]
        assert [{k: c[k] for k in ("label", "from", "to")} for c in g["changes"]] == expect
        for lb in present:
            p = g["present"][lb]
            if " && " not in p["condition"] and not p["condition"].startswith("!"):
                # a single test: grep finds `if (it)` at the line the history names
                cond = re.sub(r"\s+", "", p["condition"])
                grep = _squeezed(files[lb]["kernel/fork.c"], p["line"])
                assert grep.startswith("if" + cond) or grep.startswith(f"if({cond})")
                checked += 1
        for alias, same in ALIASES.items():       # the same file: the same check at the same line
            assert (g["present"][alias]["condition"], g["present"][alias]["line"]) == \
                (g["present"][same]["condition"], g["present"][same]["line"])
    assert checked > 20
    # The check widened in v5.5 (our edit) and narrowed again by v6.1: two changes, where grep sees them.
    planted = [g for g in doc["guards"] if any(c["label"] == "v5.5" for c in g["changes"])]
    assert len(planted) == 1
    (g,) = planted
    assert g["first"] == "v5.4" and [c["label"] for c in g["changes"]] == ["v5.5", "v6.1.192"]
    assert g["changes"][0]["to"].endswith("&& 1)")
    assert b"CLONE_FS) && 1)" in files["v5.5"]["kernel/fork.c"]
    assert b"CLONE_FS) && 1)" not in files["v5.4"]["kernel/fork.c"] + files["v6.1.192"]["kernel/fork.c"]


def test_history_text_folds_aliases_into_one_column(linux_clone, empty_home, capsys):
    repo, _ = linux_clone
    assert _sync(capsys, "--git", str(repo))[0] == 0
    assert main(["history", "copy_process"]) == 0
    text = capsys.readouterr().out
    assert "v5.4..v5.4.2 (3)" in text and "v6.1.192..v6.1.193 (2)" in text
    assert "changed in v5.5, v6.1.192" in text
    rows = [ln for ln in text.splitlines() if re.match(r"^E[A-Z]+ +\[", ln)]
    assert rows and all(len(re.search(r"\[(.*?)\]", r).group(1).split()) == 5 for r in rows)


def test_lineage_over_every_tag_names_each_rename_once(linux_clone, empty_home, capsys):
    repo, files = linux_clone
    assert _sync(capsys, "--git", str(repo))[0] == 0
    assert main(["lineage", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    order = [v["label"] for v in doc["versions"]]
    # grep: which fork entry each tag's file defines
    def entry(tag):
        data = files[tag]["kernel/fork.c"]
        return next(n for n in ("kernel_clone", "_do_fork", "do_fork")
                    if re.search(rb"^(?:long|pid_t) " + n.encode() + rb"\(", data, re.M))
    expect = [{"role": "fork_entry", "from": entry(a), "to": entry(b), "label": b, "after": a}
              for a, b in zip(order, order[1:]) if entry(a) != entry(b)]
    assert [x for x in doc["renames"] if x["role"] == "fork_entry"] == expect
    assert [x["label"] for x in expect] == ["v5.4", "v6.1.192"]
    assert main(["lineage"]) == 0
    text = capsys.readouterr().out
    assert text.count("do_fork -> _do_fork") == 1 and text.count("_do_fork -> kernel_clone") == 1
    assert "v6.1.192..v6.12.117 (3)" in text
