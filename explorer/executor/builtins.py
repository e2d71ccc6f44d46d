"""Built-in meanings of kernel macros and helpers (likely, IS_ERR, capable, ...).

Each builder takes (expression compiler, call node, argument nodes, meta)
and returns (closure, C type), or None to fall back to an ordinary World call.
Knob-backed helpers (capable, signal_pending, ...) read the run's World.
"""
from __future__ import annotations

from . import cvalues
from .callsites import CallSite
from ..i18n import Message
from .control import Unsupported
from .cvalues import ErrPtr, Obj, Unknown, truth, utext, wrap

def _args(ec, arg_nodes):
    return [ec.expr(a)[0] for a in arg_nodes]


def _exactly(n, ec, arg_nodes, meta):
    """The compiled arguments of a helper that takes n; malformed C (IS_ERR())
    is an unknown outcome at its line, not an internal error."""
    if len(arg_nodes) != n:
        reason = Message("a helper taking {n} argument(s) is called with {given}", n=n, given=len(arg_nodes))

        def malformed(fr):   # raised only if this call is reached
            raise Unsupported(reason, meta)
        return [malformed] * n
    return _args(ec, arg_nodes)


def _b_identity(ec, node, arg_nodes, meta):
    if len(arg_nodes) != 1:
        return None
    return ec.expr(arg_nodes[0])


def _b_is_err(ec, node, arg_nodes, meta):
    (a,) = _exactly(1, ec, arg_nodes, meta)

    def ev(fr):
        v = a(fr)
        if isinstance(v, Unknown):
            return v
        return 1 if cvalues.is_err_value(v) else 0
    return ev, cvalues.INT


def _b_is_err_or_null(ec, node, arg_nodes, meta):
    (a,) = _exactly(1, ec, arg_nodes, meta)

    def ev(fr):
        v = a(fr)
        if isinstance(v, Unknown):
            return v
        return 1 if (v == 0 and v.__class__ is int) or cvalues.is_err_value(v) else 0
    return ev, cvalues.INT


def _b_ptr_err(ec, node, arg_nodes, meta):
    (a,) = _exactly(1, ec, arg_nodes, meta)

    def ev(fr):
        v = a(fr)
        if isinstance(v, ErrPtr):
            return v.value
        if v.__class__ is int:
            return wrap(v, cvalues.LONG)
        return Unknown(f"PTR_ERR({utext(v)})")
    return ev, cvalues.LONG


def _b_err_ptr(ec, node, arg_nodes, meta):
    (a,) = _exactly(1, ec, arg_nodes, meta)

    def ev(fr):
        v = a(fr)
        if v.__class__ is int:
            return ErrPtr(v) if v < 0 else v
        return v
    return ev, None


def _b_lower_32(ec, node, arg_nodes, meta):
    (a,) = _exactly(1, ec, arg_nodes, meta)
    def ev(fr):
        v = a(fr)  # once: the argument may be a call with steps and assumptions
        return wrap(v, cvalues.UINT) if v.__class__ is int else v
    return ev, cvalues.UINT


def _b_upper_32(ec, node, arg_nodes, meta):
    (a,) = _exactly(1, ec, arg_nodes, meta)

    def ev(fr):
        v = a(fr)
        return wrap(wrap(v, cvalues.ULONG) >> 32, cvalues.UINT) if v.__class__ is int else v
    return ev, cvalues.UINT


def _world_knob(name, attr, describe):
    def b(ec, node, arg_nodes, meta):
        arg_evs = _args(ec, arg_nodes)
        site = CallSite(ec, node, name, meta)

        def ev(fr):
            for a in arg_evs:
                a(fr)
            interp = fr.fn.interp
            if name in interp.world.failures:
                return interp.world_call(name, [], site, fr)
            value = 1 if getattr(interp.world, attr) else 0
            if interp.record:
                interp.assume(site, fr, f"{value} ({describe} = {bool(value)})")
            return value
        return ev, cvalues.INT
    return b


def _b_is_enabled(ec, node, arg_nodes, meta):
    name = ec.text(arg_nodes[0]) if arg_nodes else ""
    on = 1 if ec.program.config.get(name, False) else 0
    return (lambda fr: on), cvalues.INT


def _b_task_active_pid_ns(ec, node, arg_nodes, meta):
    return (lambda fr: fr.fn.interp.pid_ns), None


def _b_valid_signal(ec, node, arg_nodes, meta):
    (a,) = _exactly(1, ec, arg_nodes, meta)

    def ev(fr):
        v = a(fr)
        return (1 if 0 <= wrap(v, cvalues.ULONG) <= 64 else 0) if v.__class__ is int else Unknown("valid_signal")
    return ev, cvalues.INT


def _b_pid_number(ec, node, arg_nodes, meta):
    arg_evs = _args(ec, arg_nodes)

    def ev(fr):
        for a in arg_evs:
            a(fr)
        return fr.fn.interp.world.child_pid
    return ev, cvalues.INT


def _b_copy_struct_from_user(ec, node, arg_nodes, meta):
    """copy_struct_from_user(&dst, ksize, src, usize): the World's user memory
    holds the clone_args the reader set; copy them into the struct."""
    if len(arg_nodes) != 4:
        return None
    dst, _ksize, src, usize = _exactly(4, ec, arg_nodes, meta)
    site = CallSite(ec, node, "copy_struct_from_user", meta)

    def ev(fr):
        interp = fr.fn.interp
        d = dst(fr)
        src(fr)
        if "copy_struct_from_user" in interp.world.failures:
            return interp.world_call("copy_struct_from_user", [], site, fr)
        user = interp.user_clone_args
        if isinstance(d, Obj):
            d.fields.update(user)
            d.zero = True
        if interp.record:
            interp.assume(site, fr, "0 (clone_args read from user memory: " +
                          ", ".join(f"{k}={cvalues.show(v)}" for k, v in user.items() if v) + ")")
        return 0
    return ev, cvalues.INT


def _b_u64_to_user_ptr(ec, node, arg_nodes, meta):
    return ec.expr(arg_nodes[0])


def _b_nothing(ec, node, arg_nodes, meta):
    return (lambda fr: 0), cvalues.INT


def _b_warn_on(ec, node, arg_nodes, meta):
    if len(arg_nodes) < 1:
        return None
    return ec.expr(arg_nodes[0])[0], cvalues.INT


def _b_bug_on(ec, node, arg_nodes, meta):
    a = ec.expr(arg_nodes[0])[0] if arg_nodes else (lambda fr: 0)

    def ev(fr):
        v = a(fr)
        if truth(v, fr, node) is True:
            raise Unsupported(Message("BUG_ON fired: the kernel would oops here"), meta)
        return 0
    return ev, cvalues.INT


def _b_write_once(ec, node, arg_nodes, meta):
    if len(arg_nodes) != 2:
        return None
    set_, _ = ec.lvalue(arg_nodes[0])
    val, _ = ec.expr(arg_nodes[1])

    def ev(fr):
        set_(fr, val(fr))
        return 0
    return ev, None


def _b_rlimit_count(ec, node, arg_nodes, meta):
    """atomic_read(&user->processes) in the NPROC check of older versions."""
    text = ec.text(arg_nodes[0]) if arg_nodes else ""
    if "processes" not in text and "sigpending" not in text:
        return None
    site = CallSite(ec, node, "atomic_read", meta)

    def ev(fr):
        interp = fr.fn.interp
        over = interp.world.nproc_over_limit
        interp.assume(site, fr, f"{'RLIMIT_NPROC + 1' if over else '1'} (nproc_over_limit = {over})")
        return NPROC_LIMIT + 1 if over else 1
    return ev, cvalues.INT


NPROC_LIMIT = 1000


def _b_rlimit(ec, node, arg_nodes, meta):
    for a in _args(ec, arg_nodes):
        pass
    return (lambda fr: NPROC_LIMIT), cvalues.ULONG


BUILTINS = {
    "likely": _b_identity, "unlikely": _b_identity, "data_race": _b_identity, "READ_ONCE": _b_identity,
    "IS_ERR": _b_is_err, "IS_ERR_OR_NULL": _b_is_err_or_null, "PTR_ERR": _b_ptr_err,
    "ERR_PTR": _b_err_ptr, "ERR_CAST": _b_identity,
    "lower_32_bits": _b_lower_32, "upper_32_bits": _b_upper_32,
    "capable": _world_knob("capable", "capable", "capable"),
    "ns_capable": _world_knob("ns_capable", "capable", "capable"),
    "ns_capable_noaudit": _world_knob("ns_capable_noaudit", "capable", "capable"),
    "has_ns_capable": _world_knob("has_ns_capable", "capable", "capable"),
    "signal_pending": _world_knob("signal_pending", "signal_pending", "signal_pending"),
    "task_sigpending": _world_knob("task_sigpending", "signal_pending", "signal_pending"),
    "fatal_signal_pending": _world_knob("fatal_signal_pending", "fatal_signal_pending", "fatal_signal_pending"),
    "is_rlimit_overlimit": _world_knob("is_rlimit_overlimit", "nproc_over_limit", "nproc_over_limit"),
    "is_global_init": _world_knob("is_global_init", "current_is_init", "current_is_init"),
    "ptrace_event_enabled": _world_knob("ptrace_event_enabled", "ptraced", "ptraced"),
    "IS_ENABLED": _b_is_enabled, "IS_BUILTIN": _b_is_enabled,
    "task_active_pid_ns": _b_task_active_pid_ns,
    "valid_signal": _b_valid_signal,
    "pid_vnr": _b_pid_number, "pid_nr": _b_pid_number, "task_pid_vnr": _b_pid_number,
    "task_pid_nr": _b_pid_number,
    "copy_struct_from_user": _b_copy_struct_from_user,
    "u64_to_user_ptr": _b_u64_to_user_ptr,
    "BUILD_BUG_ON": _b_nothing, "lockdep_assert_irqs_enabled": _b_nothing,
    "WARN_ON": _b_warn_on, "WARN_ON_ONCE": _b_warn_on, "BUG_ON": _b_bug_on,
    "WRITE_ONCE": _b_write_once,
    "atomic_read": _b_rlimit_count,
    "task_rlimit": _b_rlimit, "rlimit": _b_rlimit,
}
