"""Kernel configuration for `#if` choices.

The default is an x86_64 kernel with the options a distribution enables
(namespaces, cgroups, audit, seccomp, VMAP stacks, ...) and debug options
off.  Both the normaliser (for conditionals that split braces, which the
parser cannot keep) and the executor (for every other `#ifdef` in a
function) decide branches with `eval_condition`.
"""
from __future__ import annotations

import re

DEFAULT_CONFIG: dict[str, bool] = {name: True for name in """
CONFIG_X86 CONFIG_X86_64 CONFIG_64BIT CONFIG_MMU CONFIG_SMP CONFIG_NUMA CONFIG_BLOCK
CONFIG_MODULES CONFIG_COMPAT CONFIG_IA32_EMULATION CONFIG_PREEMPT_NOTIFIERS
CONFIG_NAMESPACES CONFIG_USER_NS CONFIG_PID_NS CONFIG_NET_NS CONFIG_UTS_NS CONFIG_IPC_NS
CONFIG_CGROUPS CONFIG_MEMCG CONFIG_CGROUP_SCHED CONFIG_CPUSETS
CONFIG_SECURITY CONFIG_AUDIT CONFIG_AUDITSYSCALL CONFIG_SECCOMP CONFIG_SECCOMP_FILTER
CONFIG_FUTEX CONFIG_POSIX_TIMERS CONFIG_SYSVIPC CONFIG_IO_URING CONFIG_RSEQ
CONFIG_PERF_EVENTS CONFIG_KCOV CONFIG_TASK_XACCT CONFIG_TASK_IO_ACCOUNTING CONFIG_TASKSTATS
CONFIG_VMAP_STACK CONFIG_THREAD_INFO_IN_TASK CONFIG_HAVE_COPY_THREAD_TLS
CONFIG_PROC_FS CONFIG_FAIR_GROUP_SCHED CONFIG_SCHED_AUTOGROUP CONFIG_SCHED_MM_CID
CONFIG_STACKPROTECTOR CONFIG_CC_STACKPROTECTOR CONFIG_KEYS CONFIG_UPROBES CONFIG_NUMA_BALANCING
CONFIG_BPF_SYSCALL CONFIG_PSI CONFIG_LIVEPATCH CONFIG_MEMCG_KMEM CONFIG_TRANSPARENT_HUGEPAGE
CONFIG_USERFAULTFD CONFIG_LRU_GEN CONFIG_PER_VMA_LOCK CONFIG_ARCH_HAS_MEMBARRIER_CALLBACKS
CONFIG_HAVE_ARCH_KASAN CONFIG_GENERIC_ENTRY CONFIG_PREEMPT_RCU CONFIG_TASKS_RCU
""".split()}
DEFAULT_CONFIG.update({
    # Explicitly off: the legacy clone() argument orders of other architectures,
    # and debugging options that only add bookkeeping.
    "CONFIG_CLONE_BACKWARDS": False, "CONFIG_CLONE_BACKWARDS2": False, "CONFIG_CLONE_BACKWARDS3": False,
    "CONFIG_PROVE_LOCKING": False, "CONFIG_LOCKDEP": False, "CONFIG_DEBUG_MUTEXES": False,
    "CONFIG_TRACE_IRQFLAGS": False, "CONFIG_DEBUG_RT_MUTEXES": False,
    "__ARCH_WANT_SYS_FORK": True, "__ARCH_WANT_SYS_VFORK": True, "__ARCH_WANT_SYS_CLONE": True,
    "__ARCH_WANT_SYS_CLONE3": True, "__ARCH_WANT_COMPAT_SYS_CLONE": False,
})

_TOKEN = re.compile(r"\s*(defined|IS_ENABLED|IS_BUILTIN|IS_MODULE|IS_REACHABLE|[A-Za-z_]\w*|0[xX][0-9a-fA-F]+[uUlL]*|\d+[uUlL]*|&&|\|\||==|!=|<=|>=|<<|>>|[()!<>+\-*/%&|^~?:,])")


class _Unknown(Exception):
    pass


def eval_condition(cond: str, config: dict[str, bool] | None = None, defined=(), value_of=None) -> bool | None:
    """Value of an `#if` expression under `config`; None if it cannot be decided
    (an unknown macro compared with a number, say).  `defined` names macros the
    file itself #defines, so `defined(FOO)` and `defined FOO` are true for them;
    `value_of(name)` may give the integer value of any other name (the executor
    values the file's macros and header constants: THREAD_SIZE >= PAGE_SIZE)."""
    config = DEFAULT_CONFIG if config is None else config
    text = re.sub(r"/\*.*?\*/|//.*", " ", cond, flags=re.S).strip()
    toks, pos = [], 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m:
            return None
        toks.append(m.group(1))
        pos = m.end()
        while pos < len(text) and text[pos].isspace():
            pos += 1
    if defined:
        toks = _mark_defined(toks, set(defined))
    try:
        val, rest = _expr(toks, config, value_of=value_of)
        if rest:
            return None
        return bool(val)
    except (_Unknown, IndexError, ZeroDivisionError, ValueError, RecursionError):
        # malformed numbers (08), negative shifts, nesting deeper than Python's stack
        return None


def _mark_defined(toks: list[str], names: set[str]) -> list[str]:
    """`defined(X)` / `defined X` -> 1 for X in names (the file's own macros)."""
    out, i = [], 0
    while i < len(toks):
        if toks[i] == "defined":
            if i + 3 < len(toks) and toks[i + 1] == "(" and toks[i + 3] == ")" and toks[i + 2] in names:
                out.append("1")
                i += 4
                continue
            if i + 1 < len(toks) and toks[i + 1] in names:
                out.append("1")
                i += 2
                continue
        out.append(toks[i])
        i += 1
    return out


def c_int(tok: str) -> int:
    """A C integer literal: 0x1f, 017 (octal), 10UL."""
    t = tok.rstrip("uUlL")
    if len(t) > 1 and t[0] == "0" and t[1].isdigit():
        return int(t, 8)
    return int(t, 0)


def _shift_left(a: int, b: int) -> int:
    if not 0 <= b <= 128:     # `1 << 99999999999` would eat memory, not answer
        raise _Unknown
    return a << b


def _is_on(name: str, config) -> bool:
    return bool(config.get(name, False))


def _expr(toks, config, min_prec=0, value_of=None):
    left, toks = _unary(toks, config, value_of)
    precs = {"||": 1, "&&": 2, "|": 3, "^": 4, "&": 5, "==": 6, "!=": 6, "<": 7, ">": 7,
             "<=": 7, ">=": 7, "<<": 8, ">>": 8, "+": 9, "-": 9, "*": 10, "/": 10, "%": 10}
    while toks:
        op = toks[0]
        if op == "?" and min_prec == 0:
            a, toks = _expr(toks[1:], config, value_of=value_of)
            if not toks or toks[0] != ":":
                raise _Unknown
            b, toks = _expr(toks[1:], config, value_of=value_of)
            left = a if left else b
            continue
        p = precs.get(op)
        if p is None or p < min_prec:
            break
        right, toks = _expr(toks[1:], config, p + 1, value_of)
        left = {
            "||": lambda a, b: int(bool(a) or bool(b)), "&&": lambda a, b: int(bool(a) and bool(b)),
            "|": lambda a, b: a | b, "^": lambda a, b: a ^ b, "&": lambda a, b: a & b,
            "==": lambda a, b: int(a == b), "!=": lambda a, b: int(a != b), "<": lambda a, b: int(a < b),
            ">": lambda a, b: int(a > b), "<=": lambda a, b: int(a <= b), ">=": lambda a, b: int(a >= b),
            "<<": _shift_left, ">>": lambda a, b: a >> b, "+": lambda a, b: a + b,
            "-": lambda a, b: a - b, "*": lambda a, b: a * b, "/": lambda a, b: a // b, "%": lambda a, b: a % b,
        }[op](left, right)
    return left, toks


def _unary(toks, config, value_of=None):
    t = toks[0]
    if t == "!":
        v, rest = _unary(toks[1:], config, value_of)
        return int(not v), rest
    if t == "~":
        v, rest = _unary(toks[1:], config, value_of)
        return ~v, rest
    if t == "-":
        v, rest = _unary(toks[1:], config, value_of)
        return -v, rest
    if t == "(":
        v, rest = _expr(toks[1:], config, value_of=value_of)
        if not rest or rest[0] != ")":
            raise _Unknown
        return v, rest[1:]
    if t in ("defined", "IS_ENABLED", "IS_BUILTIN", "IS_REACHABLE"):
        if toks[1] == "(":
            return int(_is_on(toks[2], config)), toks[4:]
        return int(_is_on(toks[1], config)), toks[2:]
    if t == "IS_MODULE":
        return 0, toks[4:]
    if t[0].isdigit():
        return c_int(t), toks[1:]
    if t[0].isalpha() or t[0] == "_":
        if t in config:
            return int(bool(config[t])), toks[1:]
        if t.startswith("CONFIG_"):
            return 0, toks[1:]  # an unset option is 0 in #if, as in the preprocessor
        v = value_of(t) if value_of is not None else None
        if v is None:
            raise _Unknown
        return v, toks[1:]
    raise _Unknown
