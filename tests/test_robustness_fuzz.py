"""Fuzzing the normaliser, the parser and the executor with Hypothesis.

Generated C — grammar-built statements (if/else, loops, goto and labels,
switch, #ifdef groups, calls, casts, assignments, returns of errnos) wrapped
into a fork entry that takes clone flags, plus raw byte soup and mutations of
our own fixtures — must never make explorer raise anything but ExplorerError
subclasses, and must finish within its budget: the executor's step budget is
respected (a `while (1);` ends as an "unknown" outcome) and no example runs
away in time (a generous hang guard, not a speed claim; speed is measured in
benchmarks/bench_fuzz.py).

Every fixture text is our own; no kernel source is used here.
"""
from __future__ import annotations

import time

import pytest
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

import explorer
from explorer.cparse.config import DEFAULT_CONFIG, eval_condition
from explorer.errors import ExplorerError
from explorer.executor import World, run, sweep

from conftest import FIXTURES

HANG_GUARD = 20.0     # seconds per example; far above anything real (hang guard only)
BUDGET = 2000         # executor steps

# -- a small C grammar ---------------------------------------------------------------

IDENTS = ["clone_flags", "err", "retval", "p", "nr", "args->flags", "args->exit_signal", "current->flags",
          "p->signal", "trace", "node", "i"]
FLAGS = ["CLONE_VM", "CLONE_FS", "CLONE_FILES", "CLONE_SIGHAND", "CLONE_THREAD", "CLONE_VFORK", "CLONE_NEWNS",
         "CLONE_NEWUSER", "CLONE_PARENT", "CLONE_PIDFD", "CSIGNAL", "CLONE_ROBUST_UNKNOWN"]
ERRNOS = ["EINVAL", "ENOMEM", "EPERM", "EAGAIN", "EFAULT", "ENOSPC", "EROBUSTNOPE"]
CALLEES = ["copy_mm", "copy_files", "alloc_pid", "robust_helper", "capable", "IS_ERR", "PTR_ERR", "ERR_PTR",
           "likely", "unlikely", "WARN_ON", "fatal_signal_pending", "kmalloc", "kernel_clone", "robust_entry"]
CONFIGS = ["CONFIG_NUMA", "CONFIG_SMP", "CONFIG_ROBUST_X", "CONFIG_MMU", "CONFIG_CGROUPS"]
LABELS = ["out", "bad_fork", "bad_free", "again"]

atoms = st.one_of(
    st.sampled_from(IDENTS), st.sampled_from(FLAGS),
    st.integers(-5, 1 << 40).map(str), st.sampled_from(["0x7fffffff", "0xffffffffffffffffULL", "1UL << 63",
                                                        "NULL", "true", "false", "'a'", "\"s\"", "-0"]),
    st.sampled_from(ERRNOS).map(lambda e: "-" + e))

expr = st.recursive(
    atoms,
    lambda sub: st.one_of(
        st.tuples(sub, st.sampled_from(["&", "|", "^", "&&", "||", "==", "!=", "<", ">=", "+", "-", "*", "/",
                                        "%", "<<", ">>"]), sub).map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
        st.tuples(st.sampled_from(["!", "~", "-", "*", "&"]), sub).map(lambda t: f"{t[0]}({t[1]})"),
        st.tuples(st.sampled_from(CALLEES), st.lists(sub, max_size=3)).map(
            lambda t: f"{t[0]}({', '.join(t[1])})"),
        st.tuples(sub, sub, sub).map(lambda t: f"({t[0]} ? {t[1]} : {t[2]})"),
        st.tuples(st.sampled_from(["(int)", "(long)", "(unsigned long)", "(void *)", "(u64)"]), sub).map(
            lambda t: f"{t[0]}{t[1]}"),
        sub.map(lambda e: f"sizeof({e})"),
    ),
    max_leaves=12)

lvalues = st.sampled_from(["err", "retval", "nr", "p", "clone_flags", "i", "args->exit_signal"])


def _indent(s: str) -> str:
    return "\n".join("\t" + ln for ln in s.splitlines())


simple_stmt = st.one_of(
    st.tuples(lvalues, st.sampled_from(["=", "|=", "&=", "+=", "-=", "<<="]), expr).map(
        lambda t: f"{t[0]} {t[1]} {t[2]};"),
    expr.map(lambda e: f"{e};"),
    st.sampled_from(ERRNOS).map(lambda e: f"return -{e};"),
    expr.map(lambda e: f"return {e};"),
    st.sampled_from(LABELS).map(lambda lb: f"goto {lb};"),
    st.sampled_from(["break;", "continue;", ";", "return 0;", "p = ERR_PTR(-ENOMEM);",
                     "if (IS_ERR(p)) return PTR_ERR(p);", "long x = 1;", "struct task_struct *q = NULL;"]),
)

stmt = st.recursive(
    simple_stmt,
    lambda sub: st.one_of(
        st.tuples(expr, sub).map(lambda t: f"if ({t[0]})\n{_indent(t[1])}"),
        st.tuples(expr, sub, sub).map(lambda t: f"if ({t[0]}) {{\n{_indent(t[1])}\n}} else {{\n{_indent(t[2])}\n}}"),
        st.tuples(expr, sub).map(lambda t: f"while ({t[0]}) {{\n{_indent(t[1])}\n}}"),
        st.tuples(expr, sub).map(lambda t: f"do {{\n{_indent(t[1])}\n}} while ({t[0]});"),
        st.tuples(expr, sub).map(lambda t: f"for (i = 0; i < {t[0]}; i++) {{\n{_indent(t[1])}\n}}"),
        st.lists(sub, min_size=1, max_size=4).map(lambda ss: "{\n" + _indent("\n".join(ss)) + "\n}"),
        st.tuples(st.sampled_from(LABELS), sub).map(lambda t: f"{t[0]}:\n{_indent(t[1])}"),
        st.tuples(expr, st.lists(st.tuples(st.integers(0, 9), sub), min_size=1, max_size=3)).map(
            lambda t: f"switch ({t[0]}) {{\n" + "".join(f"case {n}:\n{_indent(s)}\n" for n, s in t[1])
            + "default:\n\tbreak;\n}"),
        st.tuples(st.sampled_from(CONFIGS), sub, st.one_of(st.none(), sub)).map(
            lambda t: f"#ifdef {t[0]}\n{t[1]}\n" + (f"#else\n{t[2]}\n" if t[2] else "") + "#endif"),
        st.tuples(st.sampled_from(["for_each_thread(p, t)", "list_for_each_entry(p, &head, node)"]), sub).map(
            lambda t: f"{t[0]} {{\n{_indent(t[1])}\n}}"),
        sub.map(lambda s: f"scoped_guard (spinlock, &lock) {{\n{_indent(s)}\n}}"),
    ),
    max_leaves=10)


def program(stmts: list[str]) -> bytes:
    body = "\n".join(stmts)
    labels = "".join(f"{lb}:\n\treturn -EAGAIN;\n" for lb in LABELS)
    return (
        "/* generated by test_robustness_fuzz.py */\n"
        "static int robust_helper(unsigned long flags)\n{\n\tif (flags & CLONE_THREAD)\n\t\treturn -EINVAL;\n"
        "\treturn 0;\n}\n\n"
        "long kernel_clone(struct kernel_clone_args *args)\n{\n"
        "\tu64 clone_flags = args->flags;\n\tstruct task_struct *p;\n\tlong nr = 0;\n\tint err = 0, retval = 0, i;\n"
        + _indent(body) + "\n\treturn nr;\n" + labels + "}\n\n"
        "SYSCALL_DEFINE0(fork)\n{\n\tstruct kernel_clone_args args = { .exit_signal = SIGCHLD, };\n"
        "\treturn kernel_clone(&args);\n}\n"
    ).encode()


def _typed_only(fn, *a, **k):
    """Call fn; an ExplorerError is a fine answer, anything else is a bug."""
    t0 = time.monotonic()
    try:
        return fn(*a, **k), None
    except ExplorerError as e:
        assert str(e).strip(), "a typed error must say what was wrong"
        return None, e
    finally:
        assert time.monotonic() - t0 < HANG_GUARD, f"{getattr(fn, '__name__', fn)} ran for over {HANG_GUARD}s"


SETTINGS = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                                      HealthCheck.filter_too_much])


@settings(max_examples=300, **SETTINGS)
@given(stmts=st.lists(stmt, min_size=1, max_size=6), flags=st.integers(0, (1 << 64) - 1),
       fail=st.one_of(st.none(), st.tuples(st.sampled_from(["copy_mm", "copy_files", "alloc_pid", "robust_helper"]),
                                          st.sampled_from(["ENOMEM", "EINVAL", "EAGAIN"]))),
       config=st.dictionaries(st.sampled_from(CONFIGS), st.booleans(), max_size=3))
def test_executor_on_generated_statements(stmts, flags, fail, config):
    src = program(stmts)
    mod, err = _typed_only(explorer.parse_source, src, label="fuzz")
    if mod is None:
        event(f"parse refused: {type(err).__name__}")
        return
    assert "kernel_clone" in mod.functions, "the wrapper function must always be found"
    world = World()
    if fail:
        world.fail(*fail)
    cfg = dict(DEFAULT_CONFIG, **config)
    trace, err = _typed_only(run, mod, flags, None, world, cfg, budget=BUDGET)
    if trace is None:
        event(f"run refused: {type(err).__name__}")
        return
    o = trace.outcome
    assert o.result in ("ok", "error", "unknown")
    assert trace.step_count <= BUDGET + 1, "the step budget was not respected"
    if o.result == "error":
        assert o.errno and o.errno.startswith("E") and o.value < 0
    if o.result == "unknown":
        assert o.reason
        if "internal error" in o.reason:
            event(f"internal error turned into an unknown outcome: {o.reason[:60]}")
    event(f"outcome {o.result}")
    # sys_fork reaches the entry through a call; the same rules hold
    t2, _ = _typed_only(run, mod, 0, "sys_fork", World(), cfg, budget=BUDGET)
    if t2 is not None:
        assert t2.step_count <= BUDGET + 1


@settings(max_examples=40, **SETTINGS)
@given(stmts=st.lists(stmt, min_size=1, max_size=4),
       names=st.lists(st.sampled_from(FLAGS[:10]), min_size=1, max_size=4, unique=True))
def test_sweep_on_generated_statements(stmts, names):
    mod, _ = _typed_only(explorer.parse_source, program(stmts), label="fuzz")
    assume(mod is not None)
    doc, err = _typed_only(sweep, mod, names, None, World(), None, budget=300)
    if doc is not None:
        assert len(doc["results"]) == 2 ** len(names)


def test_infinite_loop_ends_at_the_budget():
    mod = explorer.parse_source(program(["while (1) {\n\tnr++;\n}"]), label="fuzz-loop")
    trace = run(mod, 0, None, World(), None, budget=BUDGET)
    assert trace.outcome.result == "unknown" and "budget" in trace.outcome.reason
    assert trace.step_count <= BUDGET + 1


SOUP_PIECES = list("{}()[];,#\n\t *&|!=<>+-/\\\"'abcxyz_019") + [
    "#ifdef ", "#if ", "#else", "#endif", "#define ", "SYSCALL_DEFINE2(", "__user ", "__init ", "long ",
    "static ", "struct ", "return ", "if (", "goto ", "/*", "*/", "//", "kernel_clone", "copy_process",
    "for_each_thread(", "DEFINE_PER_CPU(", "container_of(", "\\\n", "é", "\u3042", "\r\n"]
C_SOUP = st.lists(st.sampled_from(SOUP_PIECES), max_size=200).map("".join)


@settings(max_examples=400, **SETTINGS)
@given(text=C_SOUP)
def test_parser_on_token_soup(text):
    mod, err = _typed_only(explorer.parse_source, text.encode("utf-8"), label="soup")
    if mod is None:
        event(f"refused: {type(err).__name__}")
        return
    event("parsed")
    assert len(mod.text) == len(mod.source), "the normaliser must keep byte offsets"
    assert mod.text.count(b"\n") == mod.source.count(b"\n")
    for fn in mod.functions.values():
        assert 1 <= fn.start_line <= fn.end_line <= mod.line_count + 1


@settings(max_examples=300, **SETTINGS)
@given(data=st.data())
def test_parser_on_mutated_fixtures(data):
    """Our own C fixtures with bytes deleted, duplicated, replaced or cut off."""
    names = sorted(p.name for p in FIXTURES.glob("*.c"))
    src = bytearray((FIXTURES / data.draw(st.sampled_from(names), label="fixture")).read_bytes())
    for _ in range(data.draw(st.integers(1, 8), label="mutations")):
        if not src:
            break
        i = data.draw(st.integers(0, len(src) - 1), label="at")
        how = data.draw(st.sampled_from(["delete", "dup", "byte", "cut", "brace"]), label="how")
        if how == "delete":
            del src[i:i + data.draw(st.integers(1, 40))]
        elif how == "dup":
            src[i:i] = src[i:i + data.draw(st.integers(1, 200))]
        elif how == "byte":
            src[i] = data.draw(st.integers(1, 255))
        elif how == "cut":
            del src[i:]
        else:
            src[i:i] = data.draw(st.sampled_from([b"{", b"}", b"#endif\n", b"#ifdef X\n", b"/*", b"\"", b"\\\n"]))
    mod, err = _typed_only(explorer.parse_source, bytes(src), label="mutant")
    if mod is None:
        event(f"refused: {type(err).__name__}")
        return
    assert len(mod.text) == len(mod.source)
    for name in list(mod.functions)[:3]:
        _typed_only(mod.function, name)
        trace, _ = _typed_only(run, mod, 0, name, World(), None, budget=500) if name in (
            "kernel_clone", "do_fork", "_do_fork", "copy_process") else (None, None)
        if trace is not None:
            assert trace.step_count <= 501


@settings(max_examples=500, **SETTINGS)
@given(cond=st.lists(st.sampled_from(list("()!&|<>=01 ") + ["defined", "CONFIG_NUMA", "CONFIG_X", "IS_ENABLED(",
                                                              "&&", "||", "0x1f", "-", "<<", "99999999999", "08", "?", ":"]),
                    max_size=30).map("".join))
def test_config_conditions(cond):
    """#if conditions: True, False, None (undecidable) or a typed error, never a crash."""
    value, _ = _typed_only(eval_condition, cond, DEFAULT_CONFIG)
    assert value in (True, False, None)


@pytest.mark.parametrize("depth", [10, 200, 2000, 20000])
def test_deep_nesting_is_bounded(depth):
    """Braces, parentheses and #ifdefs nested `depth` deep: parse and run end
    (with a typed error or an unknown outcome), never a RecursionError."""
    for body in ("{" * depth + "nr = 1;" + "}" * depth,
                 "nr = " + "(" * depth + "1" + ")" * depth + ";",
                 "#ifdef CONFIG_NUMA\n" * depth + "nr = 2;\n" + "#endif\n" * depth,
                 "if (clone_flags)\n" * depth + "nr = 3;"):
        mod, _ = _typed_only(explorer.parse_source, program([body]), label=f"deep{depth}")
        if mod is None:
            continue
        trace, _ = _typed_only(run, mod, 1, None, World(), None, budget=BUDGET)
        if trace is not None:
            assert trace.outcome.result in ("ok", "error", "unknown")
