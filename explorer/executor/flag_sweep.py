"""sweep: every subset of some clone flags through one entry, with its outcome.

The 4096 subsets of 12 flags are not 4096 different runs: most flags are
read by a few branches only, and a run that fails at the CLONE_THREAD check
never looks at CLONE_NEWPID.  So the sweep explores the paths with the flags
as symbols (explorer.executor.symbolic): each path is one deterministic run
whose decided flag bits form a cube of subsets that all take it, and the
cubes partition the subsets exactly.  On debian-6.12's sys_clone the 4096
subsets of the benchmark's 12 flags take 233 paths, which ran in a sixth of
the time of 4096 concrete runs, with identical outcomes, functions and lines
for every subset (benchmarks/bench_executor.py; tests/test_executor_sweep.py).

Concrete runs remain for what the symbolic reading does not cover: names
that are not distinct single bits, subsets of a path whose outcome is
unknown (re-run one by one, so an unknown is never shared by look-alikes),
and cubes left open by the path budget.
"""
from __future__ import annotations

from ..cparse.module import Module
from ..errors import ExecutionError
from .entries import DEFAULT_BUDGET, _check_failures, _run, outcome_word, resolve_entry, subsets
from .program import program_for
from .symbolic import explore
from .world import World

# Enough for every path of 16 flags through copy_process; past it, the open cubes run concretely.
PATH_BUDGET = 20_000


def sweep(module: Module, names: list[str], entry: str | None = None, world: World | None = None,
          config: dict[str, bool] | None = None, budget: int = DEFAULT_BUDGET) -> dict:
    """Run every subset of the named flags (at most 16 names)."""
    if not names:
        raise ExecutionError("sweep needs at least one flag name")
    if len(names) > 16:
        raise ExecutionError("sweep takes at most 16 flags, got {n}", n=len(names))
    if len(set(names)) != len(names):
        raise ExecutionError("a flag is named twice")
    program = program_for(module, config)
    values = [program.flags.value(n) for n in names]
    name = resolve_entry(module, entry)
    world = World() if world is None else world
    _check_failures(module, world)
    if budget <= 0:
        raise ExecutionError("the step budget must be positive")
    known = settle_by_paths(module, names, values, name, world, config, budget)
    results = []
    seen: dict[int, tuple] = {}
    for word in subsets(values):
        got = seen.get(word)
        if got is None:
            got = known.get(word)
            if got is None:
                t = _run(program, name, word, world, budget, record=False)
                got = (outcome_word(t), t.outcome.function, t.outcome.line)
            seen[word] = got
        outcome, function, line = got
        results.append({"flags": word, "outcome": outcome, "function": function, "line": line})
    return {"label": module.label, "entry": name, "flags": list(names), "results": results}


def settle_by_paths(module, names, values, entry, world, config, budget) -> dict[int, tuple]:
    """flag word -> (outcome, function, line) for every subset a symbolic path
    settles; empty when the names are not distinct single bits."""
    single = all(v > 0 and not v & (v - 1) for v in values)
    if not single or len(set(values)) != len(values):
        return {}
    ex = explore(module, list(names), entry, world, config=config, budget=budget, path_budget=PATH_BUDGET,
                 depends=False)
    n = len(names)
    out: dict[int, tuple] = {}
    for path in ex.paths:
        if path.outcome == "unknown":
            continue
        base = 0
        free = []
        for i in range(n):
            v = path.assign.get(i)
            if v is None:
                free.append(values[i])
            elif v:
                base |= values[i]
        answer = (path.outcome, path.function, path.line)
        for extra in subsets(free):
            out[base | extra] = answer
    return out


__all__ = ["sweep", "settle_by_paths", "PATH_BUDGET"]
