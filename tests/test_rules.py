"""The rules of clone(): symbolic paths and their rules agree with the concrete
executor on every combination, partition the space, and compare versions."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import explorer
from conftest import FIXTURES, fixture_bytes
from explorer.errors import ExplorerError
from explorer.executor import World, program_for, run, sweep
from explorer.executor.compare import sweep_compare
from explorer.executor.rules import compare_doc, rule_for, rules_doc
from explorer.executor.symbolic import BOOL_KNOBS, explore

TWELVE = ["CLONE_VM", "CLONE_FS", "CLONE_SIGHAND", "CLONE_THREAD", "CLONE_NEWNS", "CLONE_NEWUSER",
          "CLONE_NEWPID", "CLONE_PARENT", "CLONE_PIDFD", "CLONE_DETACHED", "CLONE_VFORK", "CLONE_PARENT_SETTID",
          "CLONE_FILES", "CLONE_NEWNET", "CLONE_SYSVSEM", "CLONE_NEWIPC"]


def twelve(module) -> list[str]:
    """12 flags the version defines (2.6.32 has no CLONE_PIDFD: the next ones stand in)."""
    have = program_for(module).flags.values
    return [f for f in TWELVE if f in have][:12]


@pytest.fixture(scope="module")
def legacy():
    return explorer.parse_source(fixture_bytes("executor_legacy_fork.c"), label="executor_legacy_fork")


def _check_against_sweep(module, names, world, entry=None):
    doc = rules_doc(explore(module, names, entry, world))
    assert doc["complete"]
    assert sum(r["combinations"] for r in doc["rules"]) == doc["total"] == 1 << len(names)
    concrete = sweep(module, names, entry, world)
    for r in concrete["results"]:
        hits = [rule for rule in doc["rules"]
                if any(all(bool(r["flags"] & doc["values"][lit["name"]]) == lit["set"] for lit in conj)
                       for conj in rule["when"])]
        assert len(hits) == 1, f"{r['flags']:#x} satisfies {len(hits)} rules"
        got = (hits[0]["outcome"], hits[0]["function"], hits[0]["line"])
        assert got == (r["outcome"], r["function"], r["line"]), f"{r['flags']:#x}: rule {hits[0]['text']}"
    # read top to bottom, the first rule whose first_when matches gives the same answer
    for r in concrete["results"]:
        first = next(rule for rule in doc["rules"]
                     if any(all(bool(r["flags"] & doc["values"][lit["name"]]) == lit["set"] for lit in conj)
                            for conj in rule["first_when"]))
        assert (first["outcome"], first["function"], first["line"]) == (r["outcome"], r["function"], r["line"])
    counts = {}
    for r in concrete["results"]:
        key = (r["outcome"], r["function"], r["line"])
        counts[key] = counts.get(key, 0) + 1
    assert counts == {(x["outcome"], x["function"], x["line"]): x["combinations"] for x in doc["rules"]}
    return doc


@pytest.mark.parametrize("fixture", ["mod61", "mod612", "mod2632", "mod54", "legacy"])
@pytest.mark.parametrize("capable", [True, False], ids=["root", "unprivileged"])
def test_every_combination_of_twelve_flags_agrees_with_the_sweep(fixture, capable, request):
    module = request.getfixturevalue(fixture)
    names = twelve(module)
    assert len(names) == 12
    _check_against_sweep(module, names, World(capable=capable))


@pytest.mark.parametrize("capable", [True, False], ids=["root", "unprivileged"])
def test_clone3_entry_agrees_with_the_sweep(mod612, capable):
    _check_against_sweep(mod612, twelve(mod612), World(capable=capable), "sys_clone3")


def test_sys_clone_rules_name_the_thread_without_sighand_check(mod612):
    doc = _check_against_sweep(mod612, ["CLONE_THREAD", "CLONE_SIGHAND"], World(), "sys_clone")
    assert [r["order"] for r in doc["rules"]] == list(range(len(doc["rules"])))
    assert doc["rules"][-1]["outcome"] == "ok" and doc["rules"][-1]["first_match"] == "always"
    einval = [r for r in doc["rules"] if r["text"] == "CLONE_THREAD && !CLONE_SIGHAND"]
    assert len(einval) == 1 and einval[0]["outcome"] == "EINVAL"
    assert einval[0]["function"] == "copy_process" and einval[0]["combinations"] == 1
    assert "CLONE_THREAD" in mod612.lines[einval[0]["line"] - 1] or \
        "CLONE_THREAD" in mod612.lines[einval[0]["line"] - 2]


def test_knobs_are_symbols_too(mod612):
    names = ["CLONE_NEWNS", "CLONE_NEWUSER", "CLONE_THREAD", "CLONE_SIGHAND"]
    doc = rules_doc(explore(mod612, names, "sys_clone", knobs=["capable"]))
    assert doc["knobs"] == ["capable"] and doc["total"] == 32
    assert sum(r["combinations"] for r in doc["rules"]) == 32
    eperm = [r for r in doc["rules"] if r["outcome"] == "EPERM"]
    assert eperm and all({"name": "capable", "set": False} in conj for r in eperm for conj in r["when"])
    for capable in (True, False):
        for word in explorer.executor.subsets([program_for(mod612).flags.value(n) for n in names]):
            rule = rule_for(doc, word, {"capable": capable})
            t = run(mod612, word, "sys_clone", World(capable=capable), record=False)
            assert (rule["outcome"], rule["line"]) == (explorer.executor.outcome_word(t), t.outcome.line)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(data=st.data())
def test_drawn_flag_sets_and_worlds_agree_with_single_runs(mod612, data):
    names = data.draw(st.lists(st.sampled_from(TWELVE), min_size=1, max_size=6, unique=True))
    knobs = {k: data.draw(st.booleans()) for k in
             data.draw(st.lists(st.sampled_from([k for k in BOOL_KNOBS if k != "namespace_model"]), max_size=3,
                                unique=True))}
    world = World(**knobs)
    doc = rules_doc(explore(mod612, names, "sys_clone", world))
    values = [doc["values"][n] for n in names]
    for _ in range(8):
        word = 0
        for v in values:
            if data.draw(st.booleans()):
                word |= v
        rule = rule_for(doc, word)
        t = run(mod612, word, "sys_clone", world, record=False)
        assert (rule["outcome"], rule["function"], rule["line"]) == \
            (explorer.executor.outcome_word(t), t.outcome.function, t.outcome.line)


def test_compare_covers_exactly_the_combinations_the_sweeps_disagree_on(mod2632, mod612):
    names = ["CLONE_VM", "CLONE_FS", "CLONE_SIGHAND", "CLONE_THREAD", "CLONE_NEWNS", "CLONE_NEWUSER",
             "CLONE_NEWPID", "CLONE_PARENT", "CLONE_PIDFD", "CLONE_DETACHED", "CLONE_VFORK", "CLONE_PARENT_SETTID"]
    doc = compare_doc(mod2632, mod612, names)
    concrete = sweep_compare(mod2632, mod612, names)
    differ = {r["flags"]: r for r in concrete["results"] if r["a"]["outcome"] != r["b"]["outcome"]}
    assert differ, "the two versions should disagree somewhere"
    assert sum(c["combinations"] for c in doc["changed"]) == len(differ)
    covered = {}
    for word in {r["flags"] for r in concrete["results"]}:
        hits = [c for c in doc["changed"]
                if any(all(bool(word & doc["values"][lit["name"]]) == lit["set"] for lit in conj)
                       for conj in c["when"])]
        assert len(hits) <= 1
        if hits:
            covered[word] = hits[0]
    assert set(covered) == set(differ)
    for word, c in covered.items():
        assert (c["a"]["outcome"], c["a"]["line"]) == (differ[word]["a"]["outcome"], differ[word]["a"]["line"])
        assert (c["b"]["outcome"], c["b"]["line"]) == (differ[word]["b"]["outcome"], differ[word]["b"]["line"])


def test_path_budget_marks_incomplete_and_never_claims_unexplored_space(mod612):
    names = twelve(mod612)
    full = rules_doc(explore(mod612, names, "sys_clone"))
    cut = rules_doc(explore(mod612, names, "sys_clone", path_budget=20))
    assert not cut["complete"] and full["complete"]
    assert cut["paths"] == 20
    found = sum(r["combinations"] for r in cut["rules"])
    assert found + cut["incomplete"]["combinations"] == cut["total"]
    for word in explorer.executor.subsets([cut["values"][n] for n in names]):
        rule = rule_for(cut, word)
        if rule is not None:
            right = rule_for(full, word)
            assert (rule["outcome"], rule["line"]) == (right["outcome"], right["line"])


# -- CLI ---------------------------------------------------------------------------

def cli(*args):
    return subprocess.run([sys.executable, "-m", "explorer", *args], capture_output=True, text=True, timeout=300)


def test_cli_json_shape(mod612):
    r = cli("rules", "debian-6.12", "--entry", "sys_clone", "--flags", "CLONE_THREAD,CLONE_SIGHAND,CLONE_VM",
            "--knobs", "capable", "--json")
    assert r.returncode == 0, r.stderr
    d = json.loads(r.stdout)
    assert set(d) >= {"label", "entry", "flags", "values", "knobs", "rules", "paths", "total"}
    assert d["flags"] == ["CLONE_THREAD", "CLONE_SIGHAND", "CLONE_VM"] and d["knobs"] == ["capable"]
    assert d["values"]["CLONE_THREAD"] == program_for(mod612).flags.value("CLONE_THREAD")
    for rule in d["rules"]:
        assert set(rule) >= {"outcome", "function", "line", "when", "text", "combinations", "depends_on"}
        assert all(set(lit) == {"name", "set"} for conj in rule["when"] for lit in conj)
    assert sum(x["combinations"] for x in d["rules"]) == d["total"] == 16


def test_cli_text_table_and_compare(with_testdata):
    r = cli("rules", "debian-6.12", "--entry", "sys_clone", "--flags", "CLONE_THREAD,CLONE_SIGHAND")
    assert r.returncode == 0, r.stderr
    assert "CLONE_THREAD && !CLONE_SIGHAND" in r.stdout and "copy_process:" in r.stdout
    r = cli("rules", "v2.6.32.69", "--compare", "debian-6.12", "--flags", "CLONE_NEWUSER,CLONE_FS,CLONE_THREAD",
            "--json")
    assert r.returncode == 0, r.stderr
    d = json.loads(r.stdout)
    assert set(d) >= {"a", "b", "flags", "values", "changed"} and d["changed"]
    for c in d["changed"]:
        assert set(c) >= {"when", "text", "a", "b", "combinations"} and c["a"]["outcome"] != c["b"]["outcome"]
        assert set(c["a"]) >= {"outcome", "function", "line"} and set(c["b"]) >= {"outcome", "function", "line"}
    r = cli("rules", "v2.6.32.69", "--compare", "debian-6.12", "--flags", "CLONE_NEWUSER,CLONE_FS,CLONE_THREAD")
    assert r.returncode == 0 and "v2.6.32.69 rule" in r.stdout and "debian-6.12 rule" in r.stdout


@pytest.mark.parametrize("args, says", [
    (["--flags", "CLONE_BOGUS"], "CLONE_BOGUS"),
    (["--knobs", "bogus"], "bogus"),
    (["--flags", "CLONE_VM,CLONE_VM"], "twice"),
    (["--path-budget", "0"], "budget"),
])
def test_cli_bad_input_is_one_line_exit_2(mod612, args, says):
    r = cli("rules", "debian-6.12", *args)
    assert r.returncode == 2 and says in r.stderr and len(r.stderr.strip().splitlines()) == 1


def test_cli_version_without_fork_entry_is_exit_2(tmp_path):
    path = FIXTURES / "executor_semantics.c"
    mod = explorer.parse_source(path.read_bytes(), label="x")
    if mod.fork_entry is not None:
        pytest.skip("the semantics fixture has a fork entry")
    r = cli("rules", str(path))
    assert r.returncode == 2 and "fork entry" in r.stderr and len(r.stderr.strip().splitlines()) == 1


def test_library_errors_are_typed(mod612):
    with pytest.raises(ExplorerError):
        explore(mod612, ["CLONE_NOPE"])
    with pytest.raises(ExplorerError):
        explore(mod612, ["CLONE_VM"], knobs=["iterations"])


# -- the reading room --------------------------------------------------------------

def test_playground_shows_the_rule_and_a_click_runs_a_combination_of_it(mod612):
    from explorer.widgets.playground import FlagPlayground
    from explorer.widgets.source_view import SourceView

    pg = FlagPlayground(SourceView(mod612))
    pg.set_module(mod612)
    assert pg.rules.doc is None                     # nothing computed until the reader opens the table
    pg.rules_box.selected_index = 0
    doc = pg.rules.doc
    assert doc is not None and len(pg.rules.table.children) == len(doc["rules"])
    pg.set_flags("CLONE_THREAD")
    assert "-EINVAL" in pg.outcome.value
    rule = rule_for(doc, pg.flags)
    assert rule["outcome"] == "EINVAL" and f"line {rule['line']}" in pg.rules.because.value
    assert "CLONE_THREAD" in pg.rules.because.value and "because" in pg.rules.because.value
    for i, rule in enumerate(doc["rules"]):
        pg.rules.table.children[i].children[0].click()
        word = pg.trace.outcome.errno or "ok"
        assert (word, pg.trace.outcome.function, pg.trace.outcome.line) == \
            (rule["outcome"], rule["function"], rule["line"])


def test_every_flag_at_once_is_complete_and_agrees_with_single_runs(mod612):
    """All 27 CLONE_* flags of 6.12 with the capable knob: within the default path
    budget (flag tests whose branches only call the World, such as
    CLONE_PARENT_SETTID's put_user, no longer split paths), and a drawn sample of
    combinations, those flags set too, lands in the rule of its own single run.
    CLONE_PTRACE, read only in ptrace_init_task's argument, does not split either."""
    import random
    doc = rules_doc(explore(mod612, None, "sys_clone", knobs=["capable"]))
    assert doc["complete"] and len(doc["flags"]) >= 25
    assert not any(lit["name"] == "CLONE_PTRACE" for r in doc["rules"] for conj in r["when"] for lit in conj)
    assert sum(r["combinations"] for r in doc["rules"]) == doc["total"]
    rng = random.Random(27)
    values = [doc["values"][f] for f in doc["flags"]]
    for _ in range(150):
        word = sum(v for v in values if rng.random() < 0.4) | doc["values"]["CLONE_PARENT_SETTID"]
        capable = rng.random() < 0.5
        rule = rule_for(doc, word, {"capable": capable})
        o = run(mod612, word, "sys_clone", World(capable=capable)).outcome     # a recorded run runs every call
        word_out = "ok" if o.result == "ok" else o.errno if o.result == "error" else "unknown"
        assert (rule["outcome"], rule["function"], rule["line"]) == (word_out, o.function, o.line), hex(word)


@pytest.mark.parametrize("fixture", ["mod612", "mod2632"])
def test_depends_on_lists_what_a_recorded_run_of_the_rule_assumed(fixture, request):
    """Paths record no steps; a rule's depends_on still names every branch on a
    value the World does not pin that a recorded run of one of its combinations
    took as false."""
    module = request.getfixturevalue(fixture)
    names = twelve(module)
    doc = rules_doc(explore(module, names))
    assert any(r["depends_on"] for r in doc["rules"])
    for rule in doc["rules"]:
        word = sum(doc["values"][lit["name"]] for lit in rule["when"][0] if lit["set"])
        trace = run(module, word)
        assumed = {f"{a.what} ({a.function}:{a.line})" for a in trace.assumptions
                   if a.answer.startswith("false (unknown")}
        assert assumed <= set(rule["depends_on"]), rule["text"]
