"""CLONE_* flag values and errno numbers, per kernel version.

Values come from the version's own include/uapi/linux/sched.h when the
source provider has it (`Module.sched_h`); otherwise from the table of facts
below, which records when each flag appeared (and, for CLONE_STOPPED, when
its bit was retired and later reused by CLONE_NEWCGROUP).  Naming a flag the
chosen version does not have is an ExecutionError, never a silent zero.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..cparse.config import c_int
from ..errors import ExecutionError


@dataclass(frozen=True)
class FlagFact:
    name: str
    value: int
    since: tuple[int, ...]          # first release that defines it
    until: tuple[int, ...] | None = None   # first release that no longer does


def _v(text: str) -> tuple[int, ...]:
    return tuple(int(x) for x in text.split("."))


# Facts about uapi <linux/sched.h>, collected by reading the headers of each release.
FLAG_FACTS: tuple[FlagFact, ...] = (
    FlagFact("CSIGNAL", 0x000000ff, _v("1.0")),
    FlagFact("CLONE_VM", 0x00000100, _v("1.0")),
    FlagFact("CLONE_FS", 0x00000200, _v("1.0")),
    FlagFact("CLONE_FILES", 0x00000400, _v("1.0")),
    FlagFact("CLONE_SIGHAND", 0x00000800, _v("1.0")),
    FlagFact("CLONE_PID", 0x00001000, _v("2.0"), _v("2.5.16")),
    FlagFact("CLONE_PIDFD", 0x00001000, _v("5.2")),
    FlagFact("CLONE_PTRACE", 0x00002000, _v("2.0")),
    FlagFact("CLONE_VFORK", 0x00004000, _v("2.2")),
    FlagFact("CLONE_PARENT", 0x00008000, _v("2.4")),
    FlagFact("CLONE_THREAD", 0x00010000, _v("2.4")),
    FlagFact("CLONE_NEWNS", 0x00020000, _v("2.4.19")),
    FlagFact("CLONE_SYSVSEM", 0x00040000, _v("2.5.10")),
    FlagFact("CLONE_SETTLS", 0x00080000, _v("2.5.32")),
    FlagFact("CLONE_PARENT_SETTID", 0x00100000, _v("2.5.49")),
    FlagFact("CLONE_CHILD_CLEARTID", 0x00200000, _v("2.5.49")),
    FlagFact("CLONE_DETACHED", 0x00400000, _v("2.5.32")),
    FlagFact("CLONE_UNTRACED", 0x00800000, _v("2.5.46")),
    FlagFact("CLONE_CHILD_SETTID", 0x01000000, _v("2.5.49")),
    # Bit 25: CLONE_STOPPED until 2.6.38 removed it; 4.6 reused it for cgroup namespaces.
    FlagFact("CLONE_STOPPED", 0x02000000, _v("2.6.0"), _v("2.6.38")),
    FlagFact("CLONE_NEWCGROUP", 0x02000000, _v("4.6")),
    FlagFact("CLONE_NEWUTS", 0x04000000, _v("2.6.19")),
    FlagFact("CLONE_NEWIPC", 0x08000000, _v("2.6.19")),
    FlagFact("CLONE_NEWUSER", 0x10000000, _v("2.6.23")),
    FlagFact("CLONE_NEWPID", 0x20000000, _v("2.6.24")),
    FlagFact("CLONE_NEWNET", 0x40000000, _v("2.6.24")),
    FlagFact("CLONE_IO", 0x80000000, _v("2.6.25")),
    FlagFact("CLONE_CLEAR_SIGHAND", 0x100000000, _v("5.5")),
    FlagFact("CLONE_NEWTIME", 0x00000080, _v("5.6")),
    FlagFact("CLONE_INTO_CGROUP", 0x200000000, _v("5.7")),
    # clone3-only flags merged for 7.1 (AUTOREAP, NNP, PIDFD_AUTOKILL together);
    # EMPTY_MNTNS: first seen here in Debian's 7.3 header, 7.2 not checked.
    FlagFact("CLONE_AUTOREAP", 1 << 34, _v("7.1")),
    FlagFact("CLONE_NNP", 1 << 35, _v("7.1")),
    FlagFact("CLONE_PIDFD_AUTOKILL", 1 << 36, _v("7.1")),
    FlagFact("CLONE_EMPTY_MNTNS", 1 << 37, _v("7.3")),
)

# x86_64 / asm-generic errno numbers (stable since 1.x), plus the kernel-internal ones.
ERRNO: dict[str, int] = {
    "EPERM": 1, "ENOENT": 2, "ESRCH": 3, "EINTR": 4, "EIO": 5, "ENXIO": 6, "E2BIG": 7, "ENOEXEC": 8,
    "EBADF": 9, "ECHILD": 10, "EAGAIN": 11, "ENOMEM": 12, "EACCES": 13, "EFAULT": 14, "EBUSY": 16,
    "EEXIST": 17, "EXDEV": 18, "ENODEV": 19, "ENOTDIR": 20, "EISDIR": 21, "EINVAL": 22, "ENFILE": 23,
    "EMFILE": 24, "ENOTTY": 25, "EFBIG": 27, "ENOSPC": 28, "ESPIPE": 29, "EROFS": 30, "EMLINK": 31,
    "EPIPE": 32, "EDOM": 33, "ERANGE": 34, "EDEADLK": 35, "ENAMETOOLONG": 36, "ENOLCK": 37,
    "ENOSYS": 38, "ENOTEMPTY": 39, "ELOOP": 40, "ENODATA": 61, "EOVERFLOW": 75, "EUSERS": 87,
    "EOPNOTSUPP": 95, "ENOTSUPP": 524, "ETIMEDOUT": 110, "EALREADY": 114, "ECANCELED": 125,
    "EOWNERDEAD": 130, "ERESTARTSYS": 512, "ERESTARTNOINTR": 513, "ERESTARTNOHAND": 514,
    "ENOIOCTLCMD": 515, "ERESTART_RESTARTBLOCK": 516,
}
ERRNO_NAME: dict[int, str] = {v: k for k, v in ERRNO.items()}
ERRNO_NAME[11] = "EAGAIN"   # EWOULDBLOCK is the same number


def errno_value(name_or_number: str) -> int:
    """'ENOMEM' or '12' -> 12 (positive)."""
    text = name_or_number.strip().lstrip("-")
    if text.isdigit():
        # the kernel's errnos are 1..MAX_ERRNO (4095); anything else is not an error return
        if not 1 <= int(text) <= 4095:
            raise ExecutionError("errno {name_or_number!r} is out of range: use 1..4095 or a name like ENOMEM",
                                 name_or_number=name_or_number)
        return int(text)
    try:
        return ERRNO[text.upper()]
    except KeyError:
        raise ExecutionError("unknown errno {name_or_number!r}", name_or_number=name_or_number) from None


def errno_name(number: int) -> str:
    return ERRNO_NAME.get(abs(number), f"E{abs(number)}")


def version_tuple(label: str | None, form: str = "unknown") -> tuple[int, ...]:
    """The release a label names ('debian-6.12' -> (6, 12)); without one, a
    representative release of the file's form."""
    if label:
        m = re.search(r"(\d+)\.(\d+)(?:\.(\d+))?", label)
        if m:
            return tuple(int(x) for x in m.groups() if x is not None)
    return {"do_fork": (2, 6, 32), "_do_fork": (4, 19), "kernel_clone": (5, 10)}.get(form, (99,))


def module_version(module) -> tuple[int, ...]:
    """The release of a parsed version: the kernel version its source knows
    (sources.kernel_version, set by cparse.load), else what the label says."""
    known = getattr(module, "kernel_version", None)
    if known:
        return tuple(int(x) for x in known.split("."))
    return version_tuple(module.label, module.form)


_DEFINE = re.compile(rb"^[ \t]*#[ \t]*define[ \t]+(CLONE_\w+|CSIGNAL)[ \t]+([^\n]*)$", re.M)
_TOKEN = re.compile(r"\s*(0[xX][0-9a-fA-F]+|\d+)[uUlL]*|\s*(<<|[|()])|\s*([A-Za-z_]\w*)")


def _eval_define(text: str, known: dict[str, int]) -> int | None:
    """Value of a flag #define body: a number, (1ULL << 34), or A | B of earlier flags."""
    text = re.sub(r"/\*.*?\*/|//.*", " ", text).strip()
    expr, pos = [], 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m:
            return None
        pos = m.end()
        if m.group(1):
            try:
                expr.append(str(c_int(m.group(1))))
            except ValueError:   # 08: not a C number
                return None
        elif m.group(2):
            expr.append(m.group(2))
        elif m.group(3) in known:
            expr.append(str(known[m.group(3)]))
        else:
            return None
        while pos < len(text) and text[pos].isspace():
            pos += 1
    if not expr:
        return None
    try:   # only digits, <<, | and parentheses reach eval
        return int(eval(" ".join(expr), {"__builtins__": {}}, {}))  # noqa: S307
    except Exception:
        return None


def parse_sched_h(data: bytes) -> dict[str, int]:
    """Every `#define CLONE_X <value>` (and CSIGNAL) of a sched.h whose value
    is a number, a shift of numbers or an OR of flags defined before it."""
    out: dict[str, int] = {}
    for m in _DEFINE.finditer(data):
        value = _eval_define(m.group(2).decode("utf-8", "replace"), out)
        if value is not None:
            out[m.group(1).decode()] = value
    return out


class FlagTable:
    """The clone flags of one version."""

    def __init__(self, values: dict[str, int], origin: str, version: tuple[int, ...]):
        self.values = values
        self.origin = origin        # "sched.h" or "facts"
        self.version = version

    @classmethod
    def for_version(cls, version: tuple[int, ...], sched_h: bytes | None = None) -> "FlagTable":
        if sched_h:
            # CLONE_ARGS_SIZE_VER* are struct sizes, not flags
            values = {k: v for k, v in parse_sched_h(sched_h).items() if not k.startswith("CLONE_ARGS_")}
            if values:
                return cls(values, "sched.h", version)
        values = {f.name: f.value for f in FLAG_FACTS
                  if f.since <= version and (f.until is None or version < f.until)}
        return cls(values, "facts", version)

    @classmethod
    def for_module(cls, module) -> "FlagTable":
        return cls.for_version(module_version(module), getattr(module, "sched_h", None))

    def value(self, name: str) -> int:
        name = name.strip()
        if name in self.values:
            return self.values[name]
        known = next((f for f in FLAG_FACTS if f.name == name), None)
        ver = ".".join(map(str, self.version))
        if known is None:
            raise ExecutionError("unknown clone flag {name!r}", name=name)
        span = f"{'.'.join(map(str, known.since))}" + \
            (f" until {'.'.join(map(str, known.until))}" if known.until else "")
        raise ExecutionError("{name} does not exist in version {ver} (it exists from {span})",
                             name=name, ver=ver, span=span)

    def split(self, names) -> tuple[list[str], dict[str, str]]:
        """The names this version defines, in order, and for each name it
        lacks the reason ('it exists from 2.6.23'), so a reader is told why a
        flag is left out instead of meeting an error."""
        known, missing = [], {}
        for name in names:
            try:
                self.value(name)
                known.append(name)
            except ExecutionError as e:
                missing[name] = str(e)
        return known, missing

    def parse(self, expr: str) -> int:
        """'0', '0x11', '17' or 'CLONE_VM|CLONE_FS' (names and numbers may mix)."""
        if expr is None or not str(expr).strip():
            raise ExecutionError("empty flags expression")
        total = 0
        for part in str(expr).replace(",", "|").split("|"):
            part = part.strip()
            if not part:
                raise ExecutionError("bad flags expression {expr!r}", expr=expr)
            if re.fullmatch(r"0[xX][0-9a-fA-F]+|\d+", part):
                total |= int(part, 0)
            elif re.fullmatch(r"[A-Za-z_]\w*", part):
                total |= self.value(part)
            else:
                raise ExecutionError("bad flags expression {expr!r}", expr=expr)
        return total

    def names(self, value: int) -> str:
        """A flag word spelled with names where possible ('CLONE_VM|0x11')."""
        parts, rest = [], value
        for name, v in sorted(self.values.items(), key=lambda kv: kv[1]):
            if name == "CSIGNAL" or v == 0 or v & (v - 1):
                continue
            if rest & v:
                parts.append(name)
                rest &= ~v
        if rest:
            parts.append(hex(rest))
        return "|".join(parts) or "0"
