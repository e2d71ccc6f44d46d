"""C semantics of the executor, on our own small fixtures (tests/fixtures/executor_*.c)."""
from __future__ import annotations

import re

import pytest

import explorer
from explorer.executor import World, program_for, run
from conftest import fixture_bytes


@pytest.fixture(scope="module")
def sem():
    return explorer.parse_source(fixture_bytes("executor_semantics.c"), label="executor_semantics")


@pytest.fixture(scope="module")
def legacy():
    return explorer.parse_source(fixture_bytes("executor_legacy_fork.c"), label="executor_legacy_fork")


def line_with(module, text: str, function: str | None = None) -> int:
    lo, hi = 1, len(module.lines)
    if function:
        fn = module.function(function)
        lo, hi = fn.start_line, fn.end_line
    for no in range(lo, hi + 1):
        if text in module.lines[no - 1]:
            return no
    raise AssertionError(text)


def value(module, fn, flags=0, **kw):
    t = run(module, flags, fn, **kw)
    return t.outcome


def test_unsigned_long_wraps(sem):
    assert value(sem, "fix_wrap").value == 0


def test_int_overflow_not_and_shift_and_conversions(sem):
    o = value(sem, "fix_bits", 0x1234)
    assert (o.result, o.value) == ("ok", 0x34)


def test_short_circuit_skips_the_right_side(sem):
    # flags != 0: the && right side (calls + 1) and the || right side (calls + 10) never run
    assert value(sem, "fix_short_circuit", 1).value == 0
    o = value(sem, "fix_short_circuit", 0)
    assert o.errno == "EINVAL" and o.line == line_with(sem, "return -EINVAL", "fix_short_circuit")


@pytest.mark.parametrize("flags,expected", [(0, 3115), (1, 3015), (2, 3006), (3, 3006)])
def test_switch_fallthrough_loops_break_continue(sem, flags, expected):
    assert value(sem, "fix_control", flags).value == expected


def test_designated_initialiser_and_pointer_identity(sem):
    assert value(sem, "fix_struct", 0).value == 0x10      # .count zero-filled, pointers differ
    o = value(sem, "fix_struct", 1)                       # .second = the same pointer as .first
    assert o.errno == "EEXIST"


def test_ifdef_inside_a_body_follows_the_config(sem):
    assert value(sem, "fix_config").value == 30          # #elif defined(CONFIG_X86_64), then * 10
    config = dict(program_for(sem).config, CONFIG_FIXTURE_OPTION=True)
    assert value(sem, "fix_config", config=config).value == 2
    config = dict(program_for(sem).config, CONFIG_X86_64=False, CONFIG_64BIT=False)
    assert value(sem, "fix_config", config=config).value == 4


def test_endless_loop_stops_at_the_budget(sem):
    o = value(sem, "fix_forever", budget=3000)
    assert o.result == "unknown" and "budget" in o.reason
    assert o.line in range(line_with(sem, "while (1)"), line_with(sem, "n++;") + 1)


def test_unsupported_c_is_unknown_at_its_line(sem):
    o = value(sem, "fix_asm")
    assert o.result == "unknown"
    assert o.line == line_with(sem, "asm volatile")
    assert "assembly" in o.reason


@pytest.mark.parametrize("callee,answer,errno", [
    ("make_thing", "NULL", "ENOMEM"),          # if (!t) return -ENOMEM;
    ("lookup_thing", "ERR_PTR(-28)", "ENOSPC"),  # IS_ERR(u) -> PTR_ERR(u)
    ("attach_thing", "-28", "ENOSPC"),           # err < 0
])
def test_failure_injection_uses_the_callers_convention(sem, callee, answer, errno):
    t = run(sem, 0, "fix_conventions", World().fail(callee, "ENOSPC"))
    assert t.outcome.errno == errno
    hit = [a for a in t.assumptions if a.what.startswith(callee + "(")]
    assert hit and hit[0].answer.startswith(answer)


def test_legacy_fixture_follows_its_own_copy_process(legacy):
    assert legacy.form == "do_fork"
    t = run(legacy, 0)
    assert t.outcome.result == "ok" and t.entry == "do_fork"
    assert "copy_process" in [s.detail for s in t.events("call")]
    assert t.outcome.line == line_with(legacy, "return nr;")


def test_legacy_fixture_checks(legacy):
    table = program_for(legacy).flags
    t = run(legacy, table.parse("CLONE_NEWUSER|CLONE_THREAD"))
    assert (t.outcome.errno, t.outcome.line) == ("EINVAL", line_with(legacy, "return -EINVAL;", "do_fork"))
    t = run(legacy, table.parse("CLONE_NEWUSER"), None, World(capable=False))
    assert (t.outcome.errno, t.outcome.line) == ("EPERM", line_with(legacy, "return -EPERM;", "do_fork"))
    t = run(legacy, table.parse("CLONE_NEWNS|CLONE_FS"))
    assert (t.outcome.errno, t.outcome.function) == ("EINVAL", "copy_process")


def test_legacy_fixture_unwind_ladder(legacy):
    t = run(legacy, 0, None, World().fail("copy_mm", "ENOMEM"))
    assert t.outcome.errno == "ENOMEM"
    labels = [s.detail for s in t.events("label")]
    in_file = re.findall(r"^(\w+):", legacy.source.decode(), flags=re.M)
    assert labels == in_file[in_file.index("undo_fs"):]
    # with the #ifdef'd branch switched on, the other path runs (EXDEV)
    config = dict(program_for(legacy).config, CONFIG_FIXTURE_NEVER_SET=True)
    assert run(legacy, 0, None, config=config).outcome.errno == "EXDEV"


def test_scoped_guard_block_runs_once_and_break_leaves_it(sem):
    assert value(sem, "fix_guard", 0).value == 5
    assert value(sem, "fix_guard", 1).value == 1


def test_goto_backwards_and_into_a_nested_block(sem):
    assert value(sem, "fix_goto", 0).value == 3
    assert value(sem, "fix_goto", 2).value == 100
    o = value(sem, "fix_goto", 1)
    assert o.result == "unknown" and "nested" in o.reason
    assert o.line == line_with(sem, "goto inside;")


def test_sched_h_octal_and_bad_numbers():
    from explorer.executor.flags import parse_sched_h
    got = parse_sched_h(b"#define CLONE_A 010\n#define CLONE_B 08\n#define CLONE_C (CLONE_A | 0x1)\n")
    assert got["CLONE_A"] == 8 and "CLONE_B" not in got and got["CLONE_C"] == 9


def test_if_defined_sees_the_files_own_macros():
    # every spelling of "is FILE_MACRO defined" must agree, with and without a second term
    src = b"""#define FILE_MACRO 1
long pick(unsigned long clone_flags)
{
#if defined(FILE_MACRO)
	long a = 1;
#else
	long a = 100;
#endif
#if defined FILE_MACRO
	long b = 10;
#else
	long b = 1000;
#endif
#if defined(FILE_MACRO) && THREAD_SIZE_UNKNOWN_HERE > 0
	long c = 0;
#else
	long c = 0;
#endif
	return a + b + c;
}
"""
    mod = explorer.parse_source(src, label="ifdefined")
    assert value(mod, "pick").value == 11
