"""Fail callee: the playground offers every callee the current trace reached,
fork.c's own functions first, and fails the one picked exactly as the CLI's
`trace --fail NAME=ERRNO` does (the list and the conventions come from the
executor's Trace, not from the widget)."""
from __future__ import annotations

import json
import subprocess
import sys

from conftest import REPO
from explorer.executor import World, run
from explorer.widgets.playground import FlagPlayground
from explorer.widgets.source_view import SourceView

# The callees the README and the issue name; each version's own list is read from its trace.
OWN = ("copy_mm", "copy_files", "copy_sighand", "dup_task_struct")


def cli(*args):
    return subprocess.run([sys.executable, "-m", "explorer", *args], capture_output=True, text=True,
                          cwd=REPO, timeout=120)


def playground(mod, *flags):
    view = SourceView(mod)
    pg = FlagPlayground(view)
    pg.set_module(mod)
    pg.set_flags(*flags)
    return pg


def test_trace_lists_the_files_own_callees_first(modern, mod2632):
    for mod in (modern, mod2632):
        trace = run(mod, flags=mod_flags(mod, "CLONE_VM", "CLONE_FS"))
        reached = trace.failable()
        names = [c.name for c in reached]
        assert set(OWN) <= set(names), (mod.label, names[:30])
        own = [c for c in reached if c.in_file]
        assert reached[:len(own)] == own and all(c.name in mod.functions for c in own)
        assert all(c.name not in mod.functions for c in reached[len(own):])
        # every callee the World answered is offered too (spin_lock, alloc_pid ...)
        assert set(trace.callees()) <= set(names)
        # each with the convention of the call site the run went through
        assert {c.convention for c in reached} <= {"int", "null", "errptr", "object"}


def mod_flags(mod, *names):
    from explorer.executor import FlagTable
    table = FlagTable.for_module(mod)
    return sum(table.values[n] for n in names)


def test_the_readmes_fail_copy_mm_enomem_in_the_app(modern):
    pg = playground(modern, "CLONE_VM", "CLONE_FS")
    values = [v for _label, v in pg.fail_callee.options]
    assert values[0] == "" and values.index("copy_mm") < min(
        i for i, v in enumerate(values) if v and v not in modern.functions)
    label = dict((v, lb) for lb, v in pg.fail_callee.options)["copy_mm"]
    assert "fork.c" in label
    pg.fail("copy_mm", "ENOMEM")
    assert pg.fail_callee.value == "copy_mm" and "-ENOMEM" in pg.outcome.value
    # the same answer as the command line's --fail copy_mm=ENOMEM
    r = cli("trace", modern.label, "--flags", "CLONE_VM|CLONE_FS", "--fail", "copy_mm=ENOMEM", "--json")
    assert r.returncode == 0, r.stderr
    outcome = json.loads(r.stdout)["outcome"]
    assert (pg.trace.outcome.errno, pg.trace.outcome.function, pg.trace.outcome.line) == \
        (outcome["errno"], outcome["function"], outcome["line"])
    # the failed callee stays offered (the cut-short run reaches fewer), and un-failing restores success
    assert "copy_mm" in [v for _label, v in pg.fail_callee.options]
    pg.fail_callee.value = ""
    assert pg.trace.outcome.result == "ok"


def test_each_callee_fails_in_its_own_convention(modern):
    """dup_task_struct reports failure as NULL: its caller turns that into -ENOMEM
    whatever errno is picked; copy_mm returns the errno itself."""
    pg = playground(modern)
    labels = dict((v, lb) for lb, v in pg.fail_callee.options)
    by_name = {c.name: c for c in pg.trace.failable()}
    assert by_name["dup_task_struct"].convention == "null" and "NULL" in labels["dup_task_struct"]
    assert by_name["copy_mm"].convention == "int" and "-errno" in labels["copy_mm"]
    pg.fail("dup_task_struct", "EINVAL")
    assert pg.trace.outcome.errno == "ENOMEM"
    assert any("NULL (injected failure: EINVAL)" in a.answer for a in pg.trace.assumptions)
    # the list still offers what the run without the failure reaches: straight on to another
    assert "copy_mm" in [v for _label, v in pg.fail_callee.options]
    pg.fail("copy_mm", "EINVAL")
    assert pg.trace.outcome.errno == "EINVAL"
    same = run(modern, flags=0, world=World().fail("copy_mm", "EINVAL"))
    assert same.outcome == pg.trace.outcome


def test_fail_refuses_a_callee_the_trace_never_reached(mod612):
    import pytest
    from explorer.errors import ExplorerError

    pg = playground(mod612)
    with pytest.raises(ExplorerError):
        pg.fail("no_such_function", "ENOMEM")
    assert pg.fail_callee.value == "" and pg.trace.outcome.result == "ok"
