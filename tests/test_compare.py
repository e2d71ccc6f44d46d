"""Differential execution: the same clone() bits through 2.6.32.69 and 6.12 (issue 12).

Every expectation about the code is read from the real files at test time.
"""
from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

from conftest import REPO
from explorer.diff import find_guards, pair_guards
from explorer.errors import ExecutionError, LabelError, LookupFailure
from explorer.executor import World, program_for, run, sweep
from explorer.executor.compare import sweep_compare, trace_compare, unknown_bit_checks

# The first seven of the oracle's twelve flags: every one is defined in both versions.
SEVEN = ["CLONE_VM", "CLONE_FS", "CLONE_SIGHAND", "CLONE_THREAD", "CLONE_NEWNS", "CLONE_NEWUSER", "CLONE_NEWPID"]


def cli(*args):
    return subprocess.run([sys.executable, "-m", "explorer", *args], capture_output=True, text=True,
                          cwd=REPO, timeout=300)


@pytest.fixture(scope="module")
def seven(mod2632, mod612):
    return sweep_compare(mod2632, mod612, SEVEN)


def test_sweep_compare_equals_two_separate_sweeps(seven, mod2632, mod612):
    alone_a, alone_b = sweep(mod2632, SEVEN), sweep(mod612, SEVEN)
    assert (seven["entry_a"], seven["entry_b"]) == (alone_a["entry"], alone_b["entry"])
    assert seven["flags"] == SEVEN and len(seven["results"]) == 2 ** len(SEVEN)
    for both, ra, rb in zip(seven["results"], alone_a["results"], alone_b["results"]):
        assert both["flags"] == ra["flags"] == rb["flags"]
        assert both["a"] == {k: ra[k] for k in ("outcome", "function", "line")}
        assert both["b"] == {k: rb[k] for k in ("outcome", "function", "line")}
    assert seven["differ"] == sum(r["a"]["outcome"] != r["b"]["outcome"] for r in seven["results"])


def test_newuser_thread_is_einval_in_both_but_decided_elsewhere(mod2632, mod612):
    cmp = trace_compare(mod2632, mod612, "CLONE_NEWUSER|CLONE_THREAD")
    a, b = cmp.trace_a.outcome, cmp.trace_b.outcome
    assert (a.errno, b.errno) == ("EINVAL", "EINVAL") and cmp.same
    assert (a.function, b.function) == ("do_fork", "copy_process")
    # 2.6.32 leaves at its own CLONE_NEWUSER/CLONE_THREAD check of do_fork, read from the file
    guard = next(g for g in find_guards(mod2632, "do_fork") if g.line <= a.line <= g.exit_line)
    assert {"CLONE_NEWUSER", "CLONE_THREAD"} <= set(re.findall(r"CLONE_\w+", guard.condition))
    # where the paths part: that check, with its counterpart in 6.12's copy_process
    p = cmp.parting
    assert p["function_a"] == "do_fork" and p["a"]["line"] == guard.line and p["taken_a"] is True
    assert p["function_b"] == "copy_process"
    assert {"CLONE_NEWUSER", "CLONE_THREAD"} <= set(re.findall(r"CLONE_\w+", p["b"]["condition"]))


def _deciding_guard(mod, function, line):
    return next((g for g in find_guards(mod, function) if g.line <= line <= g.exit_line), None)


def test_every_combination_that_differs_is_explained_by_both_files(seven, mod2632, mod612):
    """For each combination of the seven flags whose outcome differs, the
    refusing version's deciding lines are a check on flags of that
    combination, which the other version lacks or answers the other way; the
    other version's line is where it returned."""
    mods = {"a": mod2632, "b": mod612}
    tables = {s: program_for(m).flags for s, m in mods.items()}
    guards = pair_guards(mod2632, mod612)
    differing = [r for r in seven["results"] if r["a"]["outcome"] != r["b"]["outcome"]]
    assert differing, "2.6.32 and 6.12 answer some combination of the seven flags differently"
    explained = []
    for r in differing:
        refusing = next(s for s in ("a", "b") if r[s]["outcome"] not in ("ok", "unknown"))
        other = "b" if refusing == "a" else "a"
        mod, res = mods[refusing], r[refusing]
        g = _deciding_guard(mod, res["function"], res["line"])
        assert g is not None, f"{r['flags']:#x}: {res} is not a check of {mod.label}"
        text = "\n".join(mod.lines[g.line - 1:g.exit_line])
        named = set(re.findall(r"CLONE_\w+", text))
        set_here = set(tables[refusing].names(r["flags"]).split("|"))
        assert named & set_here, f"{r['flags']:#x}: line {g.line} of {mod.label} tests none of its flags"
        assert g.errno == res["outcome"]
        # the other version has no such check, or a changed one (a same check would refuse too)
        row = next(x for x in guards if x[refusing] is not None and x["function_" + refusing] == g.function
                   and x[refusing]["line"] == g.line)
        assert row["status"] != "same"
        # ... and it went on to succeed: its line is a return of its entry
        ok = r[other]
        assert ok["outcome"] == "ok"
        assert mods[other].lines[ok["line"] - 1].strip().startswith("return")
        explained.append((r["flags"], refusing, g.line, ok["line"]))
    assert len(explained) == seven["differ"]


def test_a_bit_named_differently_is_shown_under_both_names(mod2632, mod612):
    ta, tb = program_for(mod2632).flags, program_for(mod612).flags
    cmp = trace_compare(mod2632, mod612, "CLONE_STOPPED")
    assert cmp.flags.value == ta.values["CLONE_STOPPED"] == tb.values["CLONE_NEWCGROUP"]
    assert cmp.flags.bits == [{"value": cmp.flags.value, "a": "CLONE_STOPPED", "b": "CLONE_NEWCGROUP"}]
    assert any("CLONE_STOPPED" in n and "CLONE_NEWCGROUP" in n for n in cmp.notes)
    # a name only one version has is accepted by value, with a note saying so
    assert "CLONE_NEWCGROUP" not in ta.values
    assert trace_compare(mod2632, mod612, "CLONE_NEWCGROUP").flags.value == cmp.flags.value


def test_legacy_clone_never_rejects_unknown_bits(mod2632, mod612):
    checks = unknown_bit_checks(mod612)
    # each check found is a real `flags & ~(CLONE_...` in the file
    for c in checks:
        text = " ".join(mod612.lines[c["line"] - 1:c["line"] + 1])
        assert re.search(r"flags\s*&\s*~\s*\(", text), text
    assert "clone3_args_valid" in {c["function"] for c in checks}
    high = 1 << 40   # no version defines it
    for mod in (mod2632, mod612):
        assert run(mod, high).outcome.result == run(mod, 0).outcome.result == "ok"
    cmp = trace_compare(mod2632, mod612, high | program_for(mod612).flags.values["CLONE_VM"])
    assert any("never rejects unknown bits" in n and "clone3_args_valid" in n for n in cmp.notes)


def test_plain_sweep_results_say_where_the_outcome_was_decided(mod612):
    d = sweep(mod612, ["CLONE_THREAD"])
    ok, err = d["results"]
    assert ok["outcome"] == "ok" and mod612.lines[ok["line"] - 1].strip().startswith("return")
    assert ok["function"] == d["entry"]
    assert err["outcome"] == "EINVAL" and err["function"] == "copy_process"
    g = _deciding_guard(mod612, "copy_process", err["line"])
    assert "CLONE_THREAD" in g.condition


def test_bad_input_raises_typed_errors(mod2632, mod612, tmp_path):
    with pytest.raises(LabelError):
        sweep_compare(mod612, mod612, ["CLONE_VM"])
    with pytest.raises(ExecutionError):
        sweep_compare(mod2632, mod612, ["CLONE_NO_SUCH_FLAG"])
    with pytest.raises(LookupFailure):
        sweep_compare(mod2632, mod612, ["CLONE_VM"], entry="sys_clone")   # arch code in 2.6.32
    lonely = tmp_path / "lonely.c"
    lonely.write_text("static int copy_process(int x)\n{\n\treturn x;\n}\n")
    import explorer
    with pytest.raises(LookupFailure):
        trace_compare(explorer.parse_source(lonely.read_bytes(), label="lonely"), mod612, "CLONE_VM")


def test_cli_sweep_compare_json_and_text(with_testdata):
    r = cli("sweep", "v2.6.32.69", "--compare", "debian-6.12", "--flags", "CLONE_THREAD,CLONE_NEWUSER", "--json")
    assert r.returncode == 0, r.stderr
    d = json.loads(r.stdout)
    assert {"a", "b", "entry_a", "entry_b", "flags", "results", "differ"} <= set(d)
    assert all(set(x) == {"flags", "a", "b"} and set(x["a"]) == {"outcome", "function", "line"} for x in d["results"])
    r = cli("trace", "v2.6.32.69", "--compare", "debian-6.12", "--flags", "CLONE_NEWUSER|CLONE_THREAD")
    assert r.returncode == 0, r.stderr
    assert "do_fork" in r.stdout and "copy_process" in r.stdout and "paths part" in r.stdout


@pytest.mark.parametrize("args", [
    ("sweep", "v2.6.32.69", "--compare", "v2.6.32.69", "--flags", "CLONE_VM"),
    ("sweep", "v2.6.32.69", "--compare", "no-such-version", "--flags", "CLONE_VM"),
    ("trace", "v2.6.32.69", "--compare", "debian-6.12", "--flags", "CLONE_NO_SUCH_FLAG"),
    ("trace", "v2.6.32.69", "--compare", "debian-6.12", "--flags", "CLONE_VM", "--entry", "sys_clone"),
])
def test_cli_compare_bad_input_is_one_line_and_exit_2(with_testdata, args):
    r = cli(*args)
    assert r.returncode == 2, r.stdout
    assert len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.stderr


@pytest.mark.parametrize("verb", [
    ("pair", "{lonely}", "v2.6.32.69"),
    ("sweep", "{lonely}", "--compare", "v2.6.32.69", "--flags", "CLONE_VM"),
    ("trace", "v2.6.32.69", "--compare", "{lonely}", "--flags", "CLONE_VM"),
])
def test_cli_a_version_without_a_fork_entry_is_bad_input(with_testdata, tmp_path, verb):
    lonely = tmp_path / "lonely.c"
    lonely.write_text("static int copy_process(int x)\n{\n\treturn x;\n}\n")
    r = cli(*[w.format(lonely=lonely) for w in verb])
    assert r.returncode == 2, r.stdout
    assert r.stderr.count("\n") == 1 and "fork entry" in r.stderr


def test_a_bit_one_version_lacks_changes_nothing_there(mod2632, mod612):
    """sweep --compare runs 2.6.32 without bits it does not define (legacy
    clone() never looks at them): every such answer equals the real run with the bit."""
    table = program_for(mod2632).flags
    names = ["CLONE_PIDFD", "CLONE_THREAD", "CLONE_SIGHAND", "CLONE_VM", "CLONE_NEWUSER"]
    pidfd = program_for(mod612).flags.values["CLONE_PIDFD"]
    assert all(v != pidfd for v in table.values.values())
    d = sweep_compare(mod2632, mod612, names)
    for r in d["results"]:
        if r["flags"] & pidfd:
            o = run(mod2632, r["flags"], record=False).outcome
            word = "ok" if o.result == "ok" else o.errno if o.result == "error" else "unknown"
            assert r["a"] == {"outcome": word, "function": o.function, "line": o.line}


def test_sweep_compare_by_paths_equals_one_run_per_subset(mod2632, mod612):
    """sweep --compare reads its answers off the symbolic paths; running every
    subset on its own gives the same document, for an unprivileged caller too,
    and a word of several bits (where paths cannot be used) still works."""
    world = World(capable=False)
    names = SEVEN + ["CLONE_PIDFD"]
    assert sweep_compare(mod2632, mod612, names, world=world) == \
        sweep_compare(mod2632, mod612, names, world=world, symbolic=False)
    mixed = ["CLONE_THREAD", "CLONE_SIGHAND", "CSIGNAL"]          # CSIGNAL is eight bits
    d = sweep_compare(mod2632, mod612, mixed)
    assert len(d["results"]) == 8 and d == sweep_compare(mod2632, mod612, mixed, symbolic=False)
    for r in d["results"]:
        o = run(mod612, r["flags"], record=False).outcome
        assert r["b"]["function"] == o.function and r["b"]["line"] == o.line
