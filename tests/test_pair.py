"""pair: two versions matched as a reader needs them (issue 12, "then and now")."""
from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

import explorer
from conftest import REPO
from explorer.anchors.resolve import STATUSES
from explorer.annotations import Store, resolve_annotation
from explorer.diff import find_guards, roles
from explorer.pairing import guard_counterpart
from explorer.errors import LabelError, LookupFailure


def cli(*args, env=None):
    return subprocess.run([sys.executable, "-m", "explorer", *args], capture_output=True, text=True,
                          cwd=REPO, timeout=180, env=env)


@pytest.fixture(scope="module")
def then_now(mod2632, mod612):
    return explorer.pair(mod2632, mod612)


def _row(doc, a=None, b=None):
    return next(r for r in doc["functions"] if (a is None or r["a"] == a) and (b is None or r["b"] == b))


def test_the_fork_entry_and_copy_process_are_paired_by_role(then_now):
    assert set(then_now) >= {"a", "b", "functions", "guards", "notes"}
    assert (then_now["a"], then_now["b"]) == ("v2.6.32.69", "debian-6.12")
    entry = _row(then_now, a="do_fork")
    assert (entry["b"], entry["role"]) == ("kernel_clone", "fork_entry")
    cp = _row(then_now, a="copy_process")
    assert (cp["b"], cp["role"]) == ("copy_process", "copy_process")
    assert 0 < cp["score"] <= 1
    # role rows come first, so a reader sees the fork path before the helpers
    assert [r["role"] for r in then_now["functions"][:2]] == ["fork_entry", "copy_process"]


def test_clone_syscalls_of_2632_are_said_to_live_in_arch_code(then_now, mod2632, mod612):
    assert "sys_clone" not in mod2632.functions and "sys_clone" in mod612.functions
    row = _row(then_now, b="sys_clone")
    assert row["a"] is None and row["role"] == "syscall"
    assert "arch" in row["where"]["a"]
    # clone3 is new, not elsewhere: it gets no such excuse
    assert "where" not in _row(then_now, b="sys_clone3")


def test_54_pairs_its_real_entry_not_the_compat_do_fork(mod54, mod612):
    doc = explorer.pair(mod54, mod612)
    assert _row(doc, b="kernel_clone")["a"] == "_do_fork"
    assert roles(mod54).fork_entry == "_do_fork" and "do_fork" in mod54.functions


def test_every_function_and_every_guard_of_both_sides_appears_once(then_now, mod2632, mod612):
    for side, mod in (("a", mod2632), ("b", mod612)):
        names = [r[side] for r in then_now["functions"] if r[side] is not None]
        assert sorted(names) == sorted(mod.functions)
        key = "function_" + side
        seen = sorted((r[key], r[side]["line"]) for r in then_now["guards"] if r[side] is not None)
        expected = sorted((fn, g.line) for fn in mod.functions for g in find_guards(mod, fn))
        assert seen == expected


def test_guard_statuses_say_what_the_code_says(then_now, mod2632, mod612):
    statuses = {r["status"] for r in then_now["guards"]}
    assert statuses <= {"same", "changed", "only_a", "only_b"}
    for r in then_now["guards"]:
        a, b = r["a"], r["b"]
        assert (a is None) == (r["status"] == "only_b") and (b is None) == (r["status"] == "only_a")
        if r["status"] == "same":
            assert a["condition"] == b["condition"] and a["errno"] == b["errno"]
            # the lines named are real `if`s of the files
            assert mod2632.lines[a["line"] - 1].lstrip().startswith("if")
            assert mod612.lines[b["line"] - 1].lstrip().startswith("if")
        if r["status"] == "changed":
            assert a["condition"] != b["condition"] or a["errno"] != b["errno"]
    assert any(r["status"] == "same" and r["function_a"] == "copy_process" for r in then_now["guards"])


def test_the_newuser_thread_check_moved_from_do_fork_to_copy_process(then_now):
    row = next(r for r in then_now["guards"] if r["a"] and r["function_a"] == "do_fork"
               and {"CLONE_NEWUSER", "CLONE_THREAD"} <= set(re.findall(r"CLONE_\w+", r["a"]["condition"]))
               and r["a"]["errno"] == "EINVAL")
    assert row["status"] == "changed" and row["function_b"] == "copy_process"
    assert "CLONE_NEWUSER" in row["b"]["condition"] and "CLONE_THREAD" in row["b"]["condition"]
    assert row["b"]["errno"] == "EINVAL"
    # clicking it in either pane finds the same row
    assert guard_counterpart(then_now, "a", "do_fork", row["a"]["line"]) is not None
    assert guard_counterpart(then_now, "b", "copy_process", row["b"]["line"])["a"] == row["a"]


def test_notes_carry_each_sides_anchor_status(then_now, mod2632, mod612):
    store = Store()
    anns = {a.id: a for a in store.list()}
    assert sorted(n["id"] for n in then_now["notes"]) == sorted(anns)
    for n in then_now["notes"]:
        assert n["a"] in STATUSES and n["b"] in STATUSES
    # spot-check against the resolver itself, on a note that places in both
    both = [n for n in then_now["notes"] if n["a"] == "exact" and n["b"] == "exact"]
    assert both, "some notes of the project are exact in 2.6.32 and in 6.12"
    n = both[0]
    assert resolve_annotation(anns[n["id"]], mod2632).line == n["line_a"]
    assert resolve_annotation(anns[n["id"]], mod612).line == n["line_b"]


def test_bad_pairs_raise_typed_errors(mod612, tmp_path):
    with pytest.raises(LabelError):
        explorer.pair(mod612, mod612)
    with pytest.raises(LabelError):
        explorer.pair("no-such-version", mod612)
    lonely = tmp_path / "lonely.c"
    lonely.write_text("static int copy_process(int x)\n{\n\treturn x;\n}\n")
    with pytest.raises(LookupFailure):
        explorer.pair(str(lonely), mod612)


def test_cli_pair_json_and_text(with_testdata):
    r = cli("pair", "v2.6.32.69", "debian-6.12", "--json")
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert _row(doc, a="do_fork")["b"] == "kernel_clone"
    r = cli("pair", "v2.6.32.69", "debian-6.12")
    assert r.returncode == 0, r.stderr
    head = r.stdout.splitlines()[0]
    assert head.index("v2.6.32.69") < head.index("debian-6.12")
    entry = next(ln for ln in r.stdout.splitlines() if "do_fork" in ln and "kernel_clone" in ln)
    assert entry.split()[0] == "fork_entry"


@pytest.mark.parametrize("args", [("v2.6.32.69", "v2.6.32.69"), ("v2.6.32.69", "no-such-version")])
def test_cli_pair_bad_input_is_one_line_and_exit_2(with_testdata, args):
    r = cli("pair", *args)
    assert r.returncode == 2
    assert len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.stderr


def test_then_and_now_opens_on_the_oldest_do_fork_and_the_newest_kernel_clone(with_testdata):
    from explorer.pairing import choose_then_and_now
    got = choose_then_and_now()
    assert (got.a, got.b, got.has_then, got.message) == ("v2.6.32.69", "debian-6.12", True, "")
    # without a do_fork-form version it says so, and pairs the oldest with the newest
    got = choose_then_and_now(["v5.4", "debian-6.1", "debian-6.12"])
    assert (got.a, got.b, got.has_then) == ("v5.4", "debian-6.12", False) and "do_fork" in got.message
