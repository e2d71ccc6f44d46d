"""Property tests: any flag word, World and failing callee ends with an outcome within the budget."""
from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from explorer.executor import World, entry_names, run
from explorer.executor.flags import ERRNO

KNOB_BOOLS = ("capable", "current_is_init", "signal_pending", "fatal_signal_pending", "nproc_over_limit",
              "threads_at_max", "unprivileged_userns_clone", "namespace_model", "ptraced")
ERRNOS = ("ENOMEM", "EINVAL", "EPERM", "EAGAIN", "EFAULT", "EINTR", "ENOSPC", "EBUSY")


def callees(module) -> list[str]:
    """Functions a plain fork reaches: World-answered ones and followed ones."""
    t = run(module, 0, "sys_clone" if "sys_clone" in module.functions else None)
    names = set(t.callees())
    names |= {s.detail for s in t.events("call")}
    return sorted(names)


def worlds(callee_names):
    return st.builds(
        lambda knobs, fails, iterations, clone_args: _world(knobs, fails, iterations, clone_args),
        st.dictionaries(st.sampled_from(KNOB_BOOLS), st.booleans()),
        st.dictionaries(st.sampled_from(callee_names), st.sampled_from(ERRNOS), max_size=3),
        st.integers(0, 2),
        st.dictionaries(st.sampled_from(["exit_signal", "stack", "stack_size", "set_tid", "set_tid_size",
                                         "cgroup", "pidfd", "parent_tid"]),
                        st.integers(0, 2**64 - 1), max_size=3),
    )


def _world(knobs, fails, iterations, clone_args):
    w = World(**knobs, iterations=iterations)
    for callee, errno in fails.items():
        w.fail(callee, errno)
    for k, v in clone_args.items():
        w.set_clone_arg(k, v)
    return w


def check(module, trace, budget):
    o = trace.outcome
    assert o.result in ("ok", "error", "unknown")
    assert trace.step_count <= budget + 1
    if o.result == "error":
        assert o.errno in ERRNO and o.value is not None and o.line is not None
    if o.result == "error" or (o.result == "unknown" and o.line is not None):
        fn = module.function(o.function)          # decided at a line of a real function
        assert fn.start_line <= o.line <= fn.end_line
    if o.result == "unknown":
        assert o.reason and not o.reason.startswith("internal error")
    assert trace.steps and trace.steps[0].event == "enter"


def test_random_runs_on_real_sources(modern):
    names = callees(modern)
    entries = entry_names(modern)

    @settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(flags=st.integers(0, 2**64 - 1) | st.sampled_from([0, 0x100, 0x10900, 0x1000, 0x30000000]),
           entry=st.sampled_from(entries), world=worlds(names), budget=st.sampled_from([40, 500, 200_000]))
    def prop(flags, entry, world, budget):
        check(modern, run(modern, flags, entry, world, budget=budget), budget)
    prop()


def test_random_runs_on_the_seed(seed_module):
    names = callees(seed_module) + ["copy_process"]

    @settings(max_examples=100, deadline=None)
    @given(flags=st.integers(0, 2**64 - 1), world=worlds(names), budget=st.sampled_from([5, 200_000]))
    def prop(flags, world, budget):
        check(seed_module, run(seed_module, flags, None, world, budget=budget), budget)
    prop()
