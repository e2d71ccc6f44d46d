"""sweep settles subsets by symbolic paths: it must say, for every subset,
exactly what a concrete run of that subset says (outcome, function, line),
on the real files, for every entry, with injected failures and World knobs."""
from __future__ import annotations

import pytest

from explorer.errors import ExecutionError
from explorer.executor import World, run, subsets, sweep
from explorer.executor.flag_sweep import settle_by_paths
from explorer.executor.program import program_for
from explorer.executor.symbolic import explore

TWELVE = ["CLONE_VM", "CLONE_FS", "CLONE_SIGHAND", "CLONE_THREAD", "CLONE_NEWNS", "CLONE_NEWUSER",
          "CLONE_NEWPID", "CLONE_PARENT", "CLONE_PIDFD", "CLONE_DETACHED", "CLONE_VFORK", "CLONE_PARENT_SETTID"]
OLD_EIGHT = ["CLONE_VM", "CLONE_FS", "CLONE_SIGHAND", "CLONE_THREAD", "CLONE_NEWNS", "CLONE_NEWUSER",
             "CLONE_NEWPID", "CLONE_PARENT"]


def _concrete(module, names, entry, world=None):
    values = [program_for(module).flags.value(n) for n in names]
    out = []
    for word in subsets(values):
        t = run(module, word, entry, world, record=False)
        o = t.outcome
        out.append({"flags": word, "outcome": "ok" if o.result == "ok" else o.errno if o.result == "error"
                    else "unknown", "function": o.function, "line": o.line})
    return out


@pytest.mark.parametrize("entry", ["sys_clone", "sys_clone3", "copy_process", None])
def test_every_subset_as_a_concrete_run_says(mod612, entry):
    got = sweep(mod612, TWELVE, entry)
    assert got["results"] == _concrete(mod612, TWELVE, entry)
    assert {r["outcome"] for r in got["results"]} >= {"ok", "EINVAL"}


def test_old_do_fork_and_an_injected_failure(mod2632, mod61):
    assert sweep(mod2632, OLD_EIGHT)["results"] == _concrete(mod2632, OLD_EIGHT, None)
    world = World().fail("copy_mm", "ENOMEM")
    got = sweep(mod61, TWELVE[:8], "sys_clone", world)
    assert got["results"] == _concrete(mod61, TWELVE[:8], "sys_clone", world)
    assert "ENOMEM" in {r["outcome"] for r in got["results"]}


def test_knobs_of_the_world_change_the_paths(mod612):
    unprivileged = World(capable=False)
    got = sweep(mod612, TWELVE[:8], "sys_clone", unprivileged)
    assert got["results"] == _concrete(mod612, TWELVE[:8], "sys_clone", unprivileged)
    assert "EPERM" in {r["outcome"] for r in got["results"]}


def test_a_few_hundred_paths_settle_all_4096_subsets(mod612):
    """The point of the symbolic reading: every subset settled, by far fewer runs than subsets."""
    values = [program_for(mod612).flags.value(n) for n in TWELVE]
    known = settle_by_paths(mod612, TWELVE, values, "sys_clone", World(), None, 200_000)
    assert set(known) == set(subsets(values))
    paths = explore(mod612, TWELVE, "sys_clone", depends=False).paths
    assert len(paths) * 4 < len(known)


def test_names_that_are_not_single_bits_run_concretely(mod612):
    names = ["CSIGNAL", "CLONE_THREAD", "CLONE_SIGHAND"]
    values = [program_for(mod612).flags.value(n) for n in names]
    assert settle_by_paths(mod612, names, values, "sys_clone", World(), None, 200_000) == {}
    assert sweep(mod612, names, "sys_clone")["results"] == _concrete(mod612, names, "sys_clone")


def test_bad_sweeps_are_refused(mod612):
    with pytest.raises(ExecutionError):
        sweep(mod612, [], "sys_clone")
    with pytest.raises(ExecutionError):
        sweep(mod612, ["CLONE_VM", "CLONE_VM"], "sys_clone")
    with pytest.raises(ExecutionError):
        sweep(mod612, ["CLONE_VM"], "sys_clone", budget=0)
