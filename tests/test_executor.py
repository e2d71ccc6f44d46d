"""The executor on real fork.c files (Debian 6.1 and 6.12) and the seed's 2.6 do_fork.

Line numbers are never typed in: each test finds the line in the file itself
by the text of the check it is about.
"""
from __future__ import annotations

import re

import pytest

from explorer.errors import ExecutionError, LookupFailure
from explorer.executor import FlagTable, Trace, World, program_for, run
from explorer.executor.flags import FLAG_FACTS


def flags(module, expr: str) -> int:
    return program_for(module).flags.parse(expr)


def line_of(module, function: str, pattern: str, after: int | None = None) -> int:
    """1-based line inside `function` whose text matches `pattern` (first one after `after`)."""
    fn = module.function(function)
    for no in range(fn.start_line, fn.end_line + 1):
        if after is not None and no <= after:
            continue
        if re.search(pattern, module.lines[no - 1]):
            return no
    raise AssertionError(f"no line matching {pattern!r} in {function}")


def check_line(module, function, cond_pattern):
    """The `return ... -EINVAL` line right under the check that matches cond_pattern."""
    cond = line_of(module, function, cond_pattern)
    return line_of(module, function, r"return .*-E[A-Z]+", after=cond)


# -- real modern sources ------------------------------------------------------

def test_plain_clone_succeeds_through_copy_process(modern):
    t = run(modern, 0, "sys_clone")
    assert t.outcome.result == "ok"
    assert t.outcome.value == World().child_pid
    called = {s.detail for s in t.steps if s.event == "call"}
    assert {"kernel_clone", "copy_process"} <= called
    # the final return of copy_process ran
    assert line_of(modern, "copy_process", r"^\s*return p;") in t.lines("copy_process")


def test_thread_without_sighand_is_einval_at_its_check(modern):
    t = run(modern, flags(modern, "CLONE_THREAD"), "sys_clone")
    assert (t.outcome.result, t.outcome.errno, t.outcome.value) == ("error", "EINVAL", -22)
    assert t.outcome.function == "copy_process"
    assert t.outcome.line == check_line(modern, "copy_process", r"CLONE_THREAD\) && !\(clone_flags & CLONE_SIGHAND")
    # nothing after the check ran in copy_process
    assert max(t.lines("copy_process")) == t.outcome.line


def test_newns_with_fs_is_einval(modern):
    t = run(modern, flags(modern, "CLONE_NEWNS|CLONE_FS"))
    assert t.outcome.errno == "EINVAL"
    assert t.outcome.line == check_line(modern, "copy_process", r"\(CLONE_NEWNS\|CLONE_FS\)\) ==")


def test_legacy_clone_pidfd_and_parent_settid_share_one_pointer(modern):
    """clone() passes parent_tidptr as both pidfd and parent_tid; kernel_clone
    refuses the pair only because the two pointers are the same."""
    both = flags(modern, "CLONE_PIDFD|CLONE_PARENT_SETTID")
    t = run(modern, both, "sys_clone")
    assert t.outcome.errno == "EINVAL"
    assert t.outcome.function == "kernel_clone"
    assert t.outcome.line == check_line(modern, "kernel_clone", r"args->pidfd == args->parent_tid")
    # clone3 has two separate fields: distinct pointers pass that check
    t3 = run(modern, both, "sys_clone3")
    assert t3.outcome.result == "ok"
    # ... unless the user makes them equal
    w = World().set_clone_arg("pidfd", 0x1000).set_clone_arg("parent_tid", 0x1000)
    t3same = run(modern, both, "sys_clone3", w)
    assert (t3same.outcome.errno, t3same.outcome.function) == ("EINVAL", "kernel_clone")


def test_clone3_rejects_detached_in_clone3_args_valid(modern):
    t = run(modern, flags(modern, "CLONE_DETACHED"), "sys_clone3")
    assert t.outcome.errno == "EINVAL"
    # decided by clone3_args_valid returning false, reported by sys_clone3
    assert "clone3_args_valid" in {s.function for s in t.steps}
    assert t.outcome.line == line_of(modern, "sys_clone3", r"return -EINVAL")
    # legacy clone ignores CLONE_DETACHED
    assert run(modern, flags(modern, "CLONE_DETACHED"), "sys_clone").outcome.result == "ok"


def test_clone3_user_memory_model(modern):
    """copy_clone_args_from_user itself runs over the fields the user set."""
    w = World().set_clone_arg("exit_signal", 1 << 40)
    t = run(modern, 0, "sys_clone3", w)
    assert t.outcome.errno == "EINVAL"
    assert t.outcome.function == "copy_clone_args_from_user"
    assert t.outcome.line == check_line(modern, "copy_clone_args_from_user", r"args\.exit_signal & ~")
    w = World()
    w.clone_args_size = 8
    t = run(modern, 0, "sys_clone3", w)
    assert t.outcome.line == check_line(modern, "copy_clone_args_from_user", r"usize < CLONE_ARGS_SIZE_VER0")
    w = World().set_clone_arg("set_tid_size", 2)
    assert run(modern, 0, "sys_clone3", w).outcome.errno == "EINVAL"   # set_tid NULL with a size


def test_fail_copy_mm_unwinds_cleanup_labels_in_file_order(modern):
    w = World().fail("copy_mm", "ENOMEM")
    t = run(modern, 0, "sys_clone", w)
    assert (t.outcome.result, t.outcome.errno, t.outcome.value) == ("error", "ENOMEM", -12)
    fn = modern.function("copy_process")
    goto_line = line_of(modern, "copy_process", r"goto", after=line_of(modern, "copy_process", r"= copy_mm\("))
    assert t.outcome.line == goto_line
    target = re.search(r"goto (\w+);", modern.lines[goto_line - 1]).group(1)
    # the labels of copy_process in file order, read from the file
    file_labels = []
    for no in range(fn.start_line, fn.end_line + 1):
        m = re.match(r"^(\w+):", modern.lines[no - 1])
        if m:
            file_labels.append(m.group(1))
    expected = file_labels[file_labels.index(target):]
    visited = [s.detail for s in t.steps if s.event == "label" and s.function == "copy_process"]
    assert visited == expected
    assert len(expected) >= 10
    # the injected answer is recorded in the callee's convention (negative int)
    assert any(a.what.startswith("copy_mm(") and a.answer.startswith("-12") for a in t.assumptions)
    # copy_mm itself was not run
    assert "copy_mm" not in {s.function for s in t.steps}


def test_failure_conventions_on_real_callees(modern):
    # dup_task_struct is checked with !p: fails as NULL, retval was -ENOMEM
    t = run(modern, 0, "sys_clone", World().fail("dup_task_struct", "ENOMEM"))
    assert t.outcome.errno == "ENOMEM"
    assert any(a.what.startswith("dup_task_struct(") and a.answer.startswith("NULL") for a in t.assumptions)
    # alloc_pid is checked with IS_ERR: fails as ERR_PTR with the injected errno
    t = run(modern, 0, "sys_clone", World().fail("alloc_pid", "EAGAIN"))
    assert t.outcome.errno == "EAGAIN"
    assert any(a.what.startswith("alloc_pid(") and a.answer.startswith("ERR_PTR(-11)") for a in t.assumptions)


def test_world_knobs(modern):
    def errno(expr="0", entry="sys_clone", **knobs):
        w = World()
        for k, v in knobs.items():
            w.assume(k, v)
        return run(modern, flags(modern, expr), entry, w).outcome.errno

    assert errno(signal_pending=True) == "ERESTARTNOINTR"
    assert errno("CLONE_PARENT", current_is_init=True) == "EINVAL"
    assert errno("CLONE_PARENT") is None
    assert errno(threads_at_max=True) == "EAGAIN"
    assert errno(nproc_over_limit=True, capable=False) == "EAGAIN"
    assert errno(nproc_over_limit=True) is None          # root's user is INIT_USER
    assert errno(fatal_signal_pending=True) == "EINTR"
    # the documented copy_namespaces model
    assert errno("CLONE_NEWPID", capable=False) == "EPERM"
    assert errno("CLONE_NEWUSER|CLONE_NEWPID", capable=False) is None
    assert errno("CLONE_NEWPID", capable=False, namespace_model=False) is None


def test_config_chooses_ifdef_branches(mod612):
    numa = line_of(mod612, "copy_process", r"p->mempolicy = mpol_dup")
    on = run(mod612, 0, "copy_process")
    assert numa in on.lines("copy_process")
    config = dict(program_for(mod612).config)
    config["CONFIG_NUMA"] = False
    off = run(mod612, 0, "copy_process", config=config)
    assert numa not in off.lines("copy_process")
    assert off.outcome.result == "ok"
    # the #ifdef itself is shown as a branch step with the choice
    ifdef = line_of(mod612, "copy_process", r"#ifdef CONFIG_NUMA")
    assert any(s.line == ifdef and "skipped" in s.detail for s in off.events("branch"))


def test_steps_point_at_real_nodes(mod612):
    t = run(mod612, flags(mod612, "CLONE_VM|CLONE_VFORK"), "sys_vfork")
    assert t.outcome.result == "ok"
    checked = 0
    for s in t.steps:
        if s.event in ("assume", "label") or not s.node_id or s.node_id.endswith("/"):
            continue
        node = mod612.node_by_id(s.node_id)
        assert node.start_point[0] + 1 == s.line, s
        checked += 1
    assert checked > 100


def test_trace_round_trips_as_plain_data(mod612):
    t = run(mod612, flags(mod612, "CLONE_THREAD|CLONE_SIGHAND|CLONE_VM"), "sys_clone")
    d = t.to_dict()
    assert set(d) == {"label", "entry", "flags", "outcome", "steps", "assumptions"}
    assert set(d["outcome"]) >= {"result", "errno", "value", "function", "line"}
    assert set(d["steps"][0]) == {"function", "node_id", "line", "end_line", "event", "detail"}
    again = Trace.from_dict(d)
    assert again.to_dict() == d


def test_unknown_entry_is_a_typed_error(mod612, seed_module):
    with pytest.raises(LookupFailure):
        run(mod612, 0, "sys_clone4")
    with pytest.raises(LookupFailure):
        run(seed_module, 0, "sys_clone")


def test_step_budget_gives_unknown(mod612):
    t = run(mod612, 0, "sys_clone", budget=50)
    assert t.outcome.result == "unknown"
    assert "budget" in t.outcome.reason
    assert t.step_count == 51


# -- flags per version ----------------------------------------------------------

def test_flag_values_come_from_the_versions_sched_h(modern):
    table = program_for(modern).flags
    assert table.origin == "sched.h"
    # the value is the one written in that header
    m = re.search(rb"#define\s+CLONE_PIDFD\s+(0x[0-9a-fA-F]+)", modern.sched_h)
    assert table.value("CLONE_PIDFD") == int(m.group(1), 16)
    with pytest.raises(ExecutionError, match="CLONE_STOPPED"):
        table.parse("CLONE_VM|CLONE_STOPPED")
    with pytest.raises(ExecutionError, match="CLONE_AUTOREAP"):
        table.parse("CLONE_AUTOREAP")
    with pytest.raises(ExecutionError):
        table.parse("CLONE_VM||")


def test_sched_h_values_are_parsed_whatever_their_spelling():
    from explorer.executor.flags import parse_sched_h
    header = (b"#define CSIGNAL\t0x000000ff\t/* signal mask */\n"
              b"#define CLONE_VM 0x00000100\n"
              b"#define CLONE_CLEAR_SIGHAND 0x100000000ULL /* clone3 */\n"
              b"#define CLONE_AUTOREAP\t\t(1ULL << 34) /* shifted */\n"
              b"#define CLONE_BOTH (CLONE_VM | CLONE_AUTOREAP)\n"
              b"#define CLONE_WEIRD some_function(3)\n")
    assert parse_sched_h(header) == {"CSIGNAL": 0xff, "CLONE_VM": 0x100, "CLONE_CLEAR_SIGHAND": 1 << 32,
                                     "CLONE_AUTOREAP": 1 << 34, "CLONE_BOTH": 0x100 | 1 << 34}


def test_facts_table_by_version(seed_module):
    seed = program_for(seed_module).flags
    assert seed.origin == "facts"
    assert seed.value("CLONE_STOPPED") == 0x02000000
    with pytest.raises(ExecutionError, match="5.2"):
        seed.value("CLONE_PIDFD")
    modern = FlagTable.for_version((4, 6))
    assert modern.value("CLONE_NEWCGROUP") == seed.value("CLONE_STOPPED")   # the reused bit
    assert FlagTable.for_version((7, 1)).value("CLONE_AUTOREAP") == 1 << 34
    with pytest.raises(ExecutionError, match="7.1"):
        FlagTable.for_version((7, 0)).value("CLONE_AUTOREAP")
    names = [f.name for f in FLAG_FACTS]
    assert len(names) == len(set(names))


# -- the 2.6 form: the seed note's do_fork ---------------------------------------

def test_seed_newuser_thread_is_einval(seed_module):
    t = run(seed_module, flags(seed_module, "CLONE_NEWUSER|CLONE_THREAD"))
    assert (t.entry, t.outcome.errno, t.outcome.function) == ("do_fork", "EINVAL", "do_fork")
    assert t.outcome.line == check_line(seed_module, "do_fork", r"if \(clone_flags & CLONE_THREAD\)")


def test_seed_newuser_without_capability_is_eperm(seed_module):
    w = World().assume("capable", "false")
    t = run(seed_module, flags(seed_module, "CLONE_NEWUSER"), None, w)
    assert t.outcome.errno == "EPERM"
    assert t.outcome.line == check_line(seed_module, "do_fork", r"!capable\(CAP_SYS_ADMIN\)")
    assert run(seed_module, flags(seed_module, "CLONE_NEWUSER")).outcome.result == "ok"


def test_seed_copy_process_is_assumed_where_the_file_lacks_it(seed_module):
    assert "copy_process" not in seed_module.functions
    t = run(seed_module, 0)
    assert t.outcome.result == "ok"
    assert any(a.what.startswith("copy_process(") for a in t.assumptions)
    t = run(seed_module, 0, None, World().fail("copy_process", "ENOMEM"))
    assert t.outcome.errno == "ENOMEM"   # ERR_PTR convention: do_fork checks IS_ERR(p)


def test_seed_syntax_error_gives_unknown_at_that_line(seed_module):
    """The note's full text lacks a semicolon in the CLONE_VFORK branch."""
    t = run(seed_module, flags(seed_module, "CLONE_VFORK"))
    assert t.outcome.result == "unknown"
    assert "freezer_count()" in seed_module.lines[t.outcome.line - 1]
    assert t.steps[-1].event == "unknown"


def test_for_each_macros_run_as_many_passes_as_the_world_says(mod612):
    """while-loops the parser saw as for_each_vma(...) run 0 passes by default, 1 on request."""
    loops = [r for r in mod612.rewrites if r.kind == "iterator" and r.detail == "for_each_vma"]
    fn = mod612.function("dup_mmap")
    loop = next(r for r in loops if fn.start_byte <= r.start < fn.end_byte)
    node = mod612.tree.root_node.descendant_for_byte_range(loop.start, loop.start)
    while node.type != "while_statement":
        node = node.parent
    body = range(node.start_point[0] + 2, node.end_point[0] + 2)
    zero = run(mod612, 0, "sys_clone")
    one = run(mod612, 0, "sys_clone", World(iterations=1))
    assert not [ln for ln in zero.lines("dup_mmap") if ln in body]
    assert len([ln for ln in one.lines("dup_mmap") if ln in body]) > 3
    assert any(a.what == "for_each_vma" and a.answer.startswith("1 iteration") for a in one.assumptions)
    assert one.outcome.result == zero.outcome.result == "ok"


def test_cause_is_the_check_that_failed(modern):
    """Trace.cause() answers "why did it fail": the condition evaluated just before
    the deciding line, read here from the file itself."""
    t = run(modern, flags(modern, "CLONE_THREAD"), "sys_clone")
    c = t.cause()
    assert c.function == "copy_process" and c.event == "eval" and c.detail.startswith("true")
    assert c.line == line_of(modern, "copy_process", r"CLONE_THREAD\) && !\(clone_flags & CLONE_SIGHAND")
    # an injected failure: the `if` that tests copy_mm's result, not the call
    t = run(modern, 0, "sys_clone", World().fail("copy_mm", "ENOMEM"))
    at = line_of(modern, "copy_process", r"copy_mm\(")
    assert t.cause().line == line_of(modern, "copy_process", r"^\s*if \(retval\)", after=at)
    # a success has no cause
    assert run(modern, 0, "sys_clone").cause() is None


def test_assumptions_name_their_callee(modern):
    t = run(modern, 0, "sys_clone", World().fail("copy_mm", "ENOMEM"))
    failed = [a for a in t.assumptions if a.callee == "copy_mm"]
    assert len(failed) == 1 and failed[0].answer.startswith("-12")
    assert "copy_mm" in t.callees()
    assert all(re.search(rf"\b{name}\s*\(", modern.source.decode("utf-8", "replace")) for name in t.callees())
    # conditions the World settled are no callee
    assert all(a.callee is None for a in t.assumptions if "(" not in a.what)
    # the JSON round trip keeps the field
    assert Trace.from_dict(t.to_dict()).assumptions == t.assumptions
