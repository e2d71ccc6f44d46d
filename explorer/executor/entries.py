"""Run an entry point of a Module with given flags: arguments, outcome (sweep: flag_sweep.py)."""
from __future__ import annotations

import gc
import re

from ..cparse.module import Module
from ..errors import ExecutionError, LookupFailure
from ..i18n import Message
from ..fork_names import SYSCALL_ENTRIES
from .flags import errno_name
from .constants import HEADER_CONSTANTS
from .control import BudgetExceeded, Unsupported
from .program import program_for
from .runtime import Interpreter
from .trace import Outcome, Step, Trace
from .cvalues import ErrPtr, Obj, Unknown, UserPtr
from .world import World

DEFAULT_BUDGET = 200_000
ENTRY_ALIASES = {"fork": None, "default": None, "entry": None}
STACK = 0x7ffd_0010_0000


def entry_names(module: Module) -> list[str]:
    """The entry points this file offers, fork entry first."""
    names = []
    if module.fork_entry is not None:
        names.append(module.fork_entry.name)
    if "copy_process" in module.functions:
        names.append("copy_process")
    names.extend(n for n in SYSCALL_ENTRIES if n in module.functions)
    return names


def resolve_entry(module: Module, entry: str | None) -> str:
    if entry is None or entry in ENTRY_ALIASES:
        if module.fork_entry is None:
            raise LookupFailure("{label} has no fork entry (do_fork, _do_fork or kernel_clone)",
                                label=module.label or Message("this source"))
        return module.fork_entry.name
    if entry not in module.functions:
        offered = ", ".join(entry_names(module)) or "none"
        raise LookupFailure("{label} defines no function {entry!r}; entries: {offered}",
                            label=module.label or Message("this source"), entry=entry, offered=offered)
    return entry


def _arguments(interp: Interpreter, cf, flags: int, world: World) -> list:
    """Argument values for the entry's parameters, chosen by name and type."""
    args = []
    consts = HEADER_CONSTANTS
    for name, ctype, text in cf.params:
        low = name.lower()
        is_ptr = "*" in text
        if cf.name == "sys_clone3" and name == "uargs" or ("clone_args" in text and "kernel_clone_args" not in text
                                                         and is_ptr):
            interp.user_clone_args = world.user_clone_args(flags)
            args.append(UserPtr(name))
        elif cf.name == "sys_clone3" and ctype is not None and name in ("size", "usize"):
            args.append(world.clone_args_size)
        elif "kernel_clone_args" in text and is_ptr:
            args.append(Obj("struct kernel_clone_args", {
                "flags": flags,
                "pidfd": UserPtr("pidfd"), "child_tid": UserPtr("child_tid"),
                "parent_tid": UserPtr("parent_tid"), "exit_signal": consts["SIGCHLD"],
                "stack": 0, "stack_size": 0, "tls": 0}, zero=True))
        elif "flags" in low and not is_ptr:
            args.append(flags)
        elif is_ptr and "__user" in text:
            args.append(UserPtr(name))
        elif is_ptr and low in ("pid",):
            args.append(0)                       # NULL: an ordinary fork, not the idle task
        elif is_ptr:
            args.append(Obj(name))
        elif low in ("node",):
            args.append(consts["NUMA_NO_NODE"])
        elif low in ("newsp", "stack_start", "usp", "stack"):
            args.append(STACK)
        else:
            args.append(0)
    return args


def run(module: Module, flags: int = 0, entry: str | None = None, world: World | None = None,
        config: dict[str, bool] | None = None, budget: int = DEFAULT_BUDGET, record: bool = True) -> Trace:
    """Execute `entry` of `module` with clone flags `flags` and return the Trace.
    Never raises for C it cannot run: the outcome is then "unknown"."""
    if not isinstance(flags, int) or flags < 0 or flags >= 1 << 64:
        raise ExecutionError("flags must be an unsigned 64-bit number, not {flags!r}", flags=flags)
    if budget <= 0:
        raise ExecutionError("the step budget must be positive")
    name = resolve_entry(module, entry)
    world = World() if world is None else world
    _check_failures(module, world)
    return _run(program_for(module, config), name, flags, world, budget, record)


def _run(program, name: str, flags: int, world: World, budget: int, record: bool) -> Trace:
    """One run of a checked entry.  The cyclic garbage collector is paused
    meanwhile: a run makes thousands of short-lived objects (freed by reference
    counting; its few cycles are collected afterwards), and each collection
    would walk the whole compiled program, some 40,000 objects."""
    module = program.module
    paused = gc.isenabled()
    gc.disable()
    try:
        return _interpret(program, module, name, flags, world, budget, record)
    finally:
        if paused:
            gc.enable()


def _interpret(program, module, name, flags, world, budget, record, interpreter=Interpreter) -> Trace:
    interp = interpreter(program, world, record=record, budget=budget)
    outcome = None
    try:
        cf = program.function(name)
        args = _arguments(interp, cf, flags, world)
        value = interp.invoke(cf, args)
        outcome = _outcome(interp, cf, value)
    except Unsupported as e:
        fn, nid, line, end = e.meta
        interp.steps.append(Step(fn, nid, line, end, "unknown", e.reason, e.said))
        outcome = Outcome("unknown", None, None, fn, line, reason=e.reason, said=e.said)
    except BudgetExceeded as e:
        fn, nid, line, end = e.meta
        said = Message("step budget of {budget} exhausted", budget=budget)
        reason = str(said)
        interp.steps.append(Step(fn, nid, line, end, "unknown", reason, said))
        outcome = Outcome("unknown", None, None, fn, line, reason=reason, said=said)
    except RecursionError:
        said = Message("expression nesting too deep")
        outcome = Outcome("unknown", None, None, name, None, reason=str(said), said=said)
    except Exception as e:   # noqa: BLE001 - a bug of ours must not cost the reader the trace so far
        last = interp.steps[-1] if interp.steps else None
        said = Message("internal error of the executor ({kind}: {error})", kind=type(e).__name__, error=e)
        reason = str(said)
        outcome = Outcome("unknown", None, None, last.function if last else name, last.line if last else None,
                          reason=reason, said=said)
    trace = Trace(label=module.label, entry=name, flags=flags, outcome=outcome,
                  steps=interp.steps, assumptions=interp.assumptions)
    trace.step_count = interp.count
    if record:
        trace.reached_source = interp.reached_callees()
    return trace


def _check_failures(module: Module, world: World) -> None:
    """A --fail naming a function the file never calls would be silently
    ignored (a typo then reads as "the kernel survives this failure")."""
    for callee in world.failures:
        if not re.search(rb"\b" + re.escape(callee.encode()) + rb"\s*\(", module.source):
            raise LookupFailure("{label} never calls {callee!r}; "
                                "--fail names a function the code calls (copy_mm=ENOMEM)", 
                                label=module.label or Message("the source"), callee=callee)


def _outcome(interp: Interpreter, cf, value) -> Outcome:
    err = None
    if isinstance(value, ErrPtr):
        err = value.value
    elif value.__class__ is int and cf.ret_type is not None and cf.ret_type[1] and -4095 <= value < 0:
        err = value
    last = interp.steps[-1] if interp.steps else None
    if err is not None:
        origin = interp.error_origin
        if origin is not None and origin[0] == err:
            fn, line = origin[1], origin[2]
        else:
            fn, line = cf.name, last.line if last else None
        shown = err if value.__class__ is int else f"ERR_PTR({err})"
        return Outcome("error", errno_name(err), shown, fn, line)
    if isinstance(value, Unknown):
        said = Message("the entry returned a value the executor cannot know ({value})", value=value.text)
        return Outcome("unknown", None, None, cf.name, last.line if last else None, reason=str(said), said=said)
    shown = value if value.__class__ is int or value is None else repr(value)
    ret_line = None
    for s in reversed(interp.steps):
        if s.event == "return" and s.function == cf.name:
            ret_line = s.line
            break
    if ret_line is None and interp.last_return is not None and interp.last_return[0] == cf.name:
        ret_line = interp.last_return[2]   # not recording (a sweep): the entry's own last return
    return Outcome("ok", None, shown, cf.name, ret_line)


def outcome_word(trace: Trace) -> str:
    """'ok', the errno name, or 'unknown' — the word sweep reports."""
    o = trace.outcome
    if o.result == "ok":
        return "ok"
    if o.result == "error":
        return o.errno
    return "unknown"


def subsets(values: list[int]):
    """Every OR of a subset of values, in counting order (bit i of the index
    selects values[i])."""
    n = len(values)
    for mask in range(1 << n):
        word = 0
        for i in range(n):
            if mask >> i & 1:
                word |= values[i]
        yield word


__all__ = ["run", "subsets", "entry_names", "resolve_entry", "outcome_word"]
