"""Guards of a function and their history through versions."""
from __future__ import annotations

import json

import explorer
from conftest import fixture_bytes
from explorer.cli import main
from explorer.diff.guards import find_guards
from explorer.diff.history import history
from explorer.sources import sort_labels


def parse_fixture(name, label=None):
    return explorer.parse_source(fixture_bytes(name), label=label or name)


def line_of(mod, needle, start=1):
    return next(i for i, text in enumerate(mod.lines[start - 1:], start) if needle in text)


def test_guard_shapes_in_own_fixture():
    mod = parse_fixture("diff_guards.c")
    got = {g.line: g for g in find_guards(mod, "make_gizmo")}
    # nested ifs: the conjunction, outermost first
    g = got[line_of(mod, "if (flags & Z_PRIVATE)")]
    assert (g.condition, g.errno, g.exit) == ("(flags & Z_SHARED) && (flags & Z_PRIVATE)", "EINVAL", "return -EINVAL")
    # errno set in the body, then goto
    g = got[line_of(mod, "if (!(flags & Z_LOCKED))")]
    assert g.errno == "EPERM" and g.exit == "goto out"
    assert g.condition == "(flags & Z_SHARED) && (!(flags & Z_LOCKED))"
    # the else branch negates the test it hangs from
    g = got[line_of(mod, "else if (flags & Z_LOUD)")]
    assert g.condition == "!(flags & Z_SHARED) && (flags & Z_LOUD)" and g.errno == "ENOTSUPP"
    # errno set before the `if`, with an unrelated statement between
    g = got[line_of(mod, "if (!g)")]
    assert g.errno == "ENOMEM" and g.exit == "goto out"
    # `return err;` where err holds a constant error
    g = got[line_of(mod, "if (gizmo_busy(g))")]
    assert g.errno == "EBUSY" and g.exit == "return err"
    # look-alikes that are not guards: the error comes from a call, or a label joins paths
    assert line_of(mod, "if (err < 0)") not in got
    assert line_of(mod, "if ((err = gizmo_check(g)))") not in got
    assert line_of(mod, "if (flags & Z_RETRY)") not in got
    assert len(got) == 5


def test_every_guard_points_at_its_if(modern):
    guards = find_guards(modern, "copy_process")
    assert len(guards) >= 10
    fn = modern.function("copy_process")
    for g in guards:
        assert fn.start_line <= g.line <= g.exit_line <= fn.end_line
        assert modern.lines[g.line - 1].strip().startswith("if")
        exit_line = modern.lines[g.exit_line - 1]
        if g.exit.startswith("goto"):
            assert exit_line.strip() == g.exit + ";"
        else:
            assert f"-{g.errno}" in exit_line and exit_line.strip().startswith("return")
    # a check of a callee's result is not a guard: `retval = copy_creds(...); if (retval < 0) goto ...`
    creds = line_of(modern, "retval = copy_creds(p, clone_flags);", fn.start_line)
    assert creds + 1 not in {g.line for g in guards}
    # the classic pattern: retval = -ENOMEM; p = dup_task_struct(...); if (!p) goto fork_out;
    dup = line_of(modern, "p = dup_task_struct(current, node);", fn.start_line)
    g = next(g for g in guards if g.line == dup + 1)
    assert g.errno == "ENOMEM" and g.exit == "goto fork_out"


def test_pidfd_guard_stops_rejecting_clone_thread(mod61, mod612):
    h = history("copy_process", [mod612, mod61]).as_dict()
    assert h["versions"] == ["debian-6.1", "debian-6.12"]
    pidfd = [g for g in h["guards"]
             if "CLONE_PIDFD" in (g["present"]["debian-6.1"]["condition"] or "")
             and "CLONE_DETACHED" in (g["present"]["debian-6.1"]["condition"] or "")]
    assert len(pidfd) == 1
    old, new = pidfd[0]["present"]["debian-6.1"], pidfd[0]["present"]["debian-6.12"]
    assert "CLONE_THREAD" in old["condition"]
    assert new["status"] == "changed" and "CLONE_PIDFD" in new["condition"] and "CLONE_THREAD" not in new["condition"]
    assert new["previous_condition"] == old["condition"]
    assert pidfd[0]["errno"] == "EINVAL"
    fa, fb = mod61.function("copy_process"), mod612.function("copy_process")
    assert old["line"] == line_of(mod61, "if (clone_flags & (CLONE_DETACHED | CLONE_THREAD))", fa.start_line)
    assert new["line"] == line_of(mod612, "if (clone_flags & CLONE_DETACHED)", fb.start_line)


def test_time_namespace_guard_is_absent_in_6_12(mod61, mod612):
    h = history("copy_process", [mod61, mod612]).as_dict()
    tns = [g for g in h["guards"] if "time_ns_for_children" in (g["present"]["debian-6.1"]["condition"] or "")]
    assert len(tns) == 1
    assert tns[0]["present"]["debian-6.12"] == {"status": "absent", "condition": None, "line": None}
    # unchanged guards keep status same and move with the file
    same = [g for g in h["guards"] if g["present"]["debian-6.12"]["status"] == "same"
            and g["present"]["debian-6.1"]["status"] == "same"]
    assert len(same) >= 10
    for g in same:
        line = g["present"]["debian-6.12"]["line"]
        assert mod612.lines[line - 1].strip().startswith("if")


def test_history_follows_the_renamed_entry_and_orders_versions():
    # Our own fixture, standing in for versions with labels of every shape.
    old, new = fixture_bytes("diff_old.c"), fixture_bytes("diff_new.c")
    mods = [explorer.parse_source(new, label="v7.3-rc1"), explorer.parse_source(old, label="v2.6.32"),
            explorer.parse_source(new, label="debian-6.12"), explorer.parse_source(old, label="v5.4")]
    h = history("copy_process", mods).as_dict()
    assert h["versions"] == ["v2.6.32", "v5.4", "debian-6.12", "v7.3-rc1"] == sort_labels(h["versions"])
    pidfd = next(g for g in h["guards"] if "W_PIDFD" in g["present"]["v2.6.32"]["condition"])
    assert [pidfd["present"][lb]["status"] for lb in h["versions"]] == ["same", "same", "changed", "same"]
    # the rlimit-like guard grew a capability test: changed in place, followed by the statement diff
    cap = next(g for g in h["guards"] if g["errno"] == "EAGAIN")
    assert cap["present"]["debian-6.12"]["status"] == "changed"
    assert "capable" in cap["present"]["debian-6.12"]["condition"]
    # do_fork is the entry of the old file and kernel_clone of the new one
    h = history("do_fork", mods).as_dict()
    assert h["names"] == {"v2.6.32": "do_fork", "v5.4": "do_fork", "debian-6.12": "kernel_clone",
                          "v7.3-rc1": "kernel_clone"}


def test_seed_do_fork_against_modern_kernel_clone(seed_module, mod612):
    h = history("do_fork", [seed_module, mod612]).as_dict()
    assert h["names"] == {"seed-do_fork": "do_fork", "debian-6.12": "kernel_clone"}
    # the 2.6 user-namespace checks left the entry; the pidfd/parent_tid check arrived
    userns = [g for g in h["guards"] if "CLONE_NEWUSER" in (g["present"]["seed-do_fork"]["condition"] or "")]
    assert userns and all(g["present"]["debian-6.12"]["status"] == "absent" for g in userns)
    assert {g["errno"] for g in userns} == {"EINVAL", "EPERM"}
    arrived = [g for g in h["guards"] if g["present"]["seed-do_fork"]["status"] == "absent"]
    assert any("CLONE_PIDFD" in g["present"]["debian-6.12"]["condition"] for g in arrived)


def test_cli_history_json(capsys, mod61, mod612):
    assert main(["history", "copy_process", "--versions", "debian-6.12", "debian-6.1", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["function"] == "copy_process" and doc["versions"] == ["debian-6.1", "debian-6.12"]
    for g in doc["guards"]:
        assert set(g) >= {"id", "errno", "present"}
        assert set(g["present"]) == {"debian-6.1", "debian-6.12"}
        for p in g["present"].values():
            assert p["status"] in {"same", "changed", "absent"}
            assert set(p) >= {"status", "condition", "line"}
    capsys.readouterr()
    assert main(["history", "copy_process", "--versions", "debian-6.1", "debian-6.12"]) == 0
    text = capsys.readouterr().out
    assert "CLONE_PIDFD" in text and "[= ~]" in text


def test_cli_history_bad_input(capsys, mod61):
    assert main(["history", "no_such_function", "--versions", "debian-6.1"]) == 2
    assert "no_such_function" in capsys.readouterr().err
    assert main(["history", "copy_process", "--versions", "nope-1.0"]) == 2
