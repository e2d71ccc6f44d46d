"""The World: everything fork.c asks about that is not in fork.c.

Calls to functions defined elsewhere, global state and the caller's
privileges are answered here.  By default every call succeeds (0, or a valid
opaque object) and every answer is recorded in the trace as an assumption,
so a reader sees what was taken for granted.  Knobs change the caller's
situation; `failures` makes one callee fail with an errno in the way that
callee reports failure at its call site (negative int, NULL, or ERR_PTR,
inferred from how the caller checks the result).

Out-of-file models (documented so a reader can check them):

* copy_namespaces() (kernel/nsproxy.c): when the flags ask for any new
  namespace other than a user namespace (CLONE_NEWNS, NEWUTS, NEWIPC,
  NEWPID, NEWNET, NEWCGROUP, NEWTIME), the caller needs CAP_SYS_ADMIN in the
  user namespace the child will live in; with CLONE_NEWUSER that is the
  fresh namespace copy_creds() just made, where the child holds every
  capability.  So: -EPERM iff such a flag is set, CLONE_NEWUSER is not, and
  the caller is not capable.  (namespace_model=False answers 0 like any
  other callee.)
* unprivileged_userns_clone: Debian's sysctl gate for unprivileged user
  namespaces.  Debian has defaulted it to 1 since bullseye and mainline
  kernels have no gate at all, so the default is 1.
* Global counters: nr_threads is 100 and max_threads 10000, or equal when
  threads_at_max is set.  An NPROC rlimit check (is_rlimit_overlimit, or the
  older atomic_read(&user->processes) >= rlimit) answers "over the limit"
  exactly when nproc_over_limit is set.  The caller's user is the initial
  user (root, INIT_USER) when init_user is set, by default when capable is.
"""
from __future__ import annotations

from dataclasses import dataclass, field, fields

from ..errors import ExecutionError
from .flags import errno_value

# Flags copy_namespaces() acts on, other than CLONE_NEWUSER (which copy_creds handles).
NAMESPACE_FLAG_NAMES = ("CLONE_NEWNS", "CLONE_NEWUTS", "CLONE_NEWIPC", "CLONE_NEWPID", "CLONE_NEWNET",
                        "CLONE_NEWCGROUP", "CLONE_NEWTIME")

# Default user-space clone_args for sys_clone3: distinct valid pointers, a stack.
DEFAULT_CLONE_ARGS = {
    "flags": 0, "pidfd": 0x7ffd_0000_1000, "child_tid": 0x7ffd_0000_2000, "parent_tid": 0x7ffd_0000_3000,
    "exit_signal": 0, "stack": 0x7ffd_0010_0000, "stack_size": 0x10000, "tls": 0, "set_tid": 0,
    "set_tid_size": 0, "cgroup": 0,
}


@dataclass
class World:
    capable: bool = True               # every capable()/ns_capable() check
    current_is_init: bool = False      # caller is an init (SIGNAL_UNKILLABLE, child reaper)
    signal_pending: bool = False       # a signal is pending when fork starts
    fatal_signal_pending: bool = False
    nproc_over_limit: bool = False     # RLIMIT_NPROC reached
    threads_at_max: bool = False       # nr_threads >= max_threads
    init_user: bool | None = None      # caller's user is INIT_USER (default: same as capable)
    unprivileged_userns_clone: bool = True
    namespace_model: bool = True       # model copy_namespaces' EPERM (see above)
    ptraced: bool = False              # the caller is traced (ptrace_event_enabled)
    iterations: int = 0                # passes through for_each-style macro loops
    failures: dict[str, int] = field(default_factory=dict)    # callee -> positive errno
    clone_args: dict[str, int] = field(default_factory=dict)  # sys_clone3 user struct fields
    clone_args_size: int = 88
    child_pid: int = 4242

    KNOBS = ("capable", "current_is_init", "signal_pending", "fatal_signal_pending", "nproc_over_limit",
             "threads_at_max", "init_user", "unprivileged_userns_clone", "namespace_model", "ptraced",
             "iterations", "clone_args_size", "child_pid")

    @property
    def is_init_user(self) -> bool:
        return self.capable if self.init_user is None else self.init_user

    def assume(self, key: str, value) -> "World":
        """Set one knob from text (--assume capable=false)."""
        key = key.strip().replace("-", "_")
        if key not in self.KNOBS:
            raise ExecutionError("unknown assumption {key!r}; known: {known}", key=key, known=", ".join(self.KNOBS))
        kind = {f.name: f.type for f in fields(self)}[key]
        if "int" in str(kind) and "bool" not in str(kind):
            try:
                setattr(self, key, int(str(value), 0))
            except ValueError:
                raise ExecutionError("{key} takes a number, not {value!r}", key=key, value=value) from None
        else:
            setattr(self, key, parse_bool(value, key))
        return self

    def fail(self, callee: str, errno: str | int) -> "World":
        """Make `callee` fail with errno (--fail copy_mm=ENOMEM)."""
        callee = callee.strip()
        if not callee.isidentifier():
            raise ExecutionError("bad callee name {callee!r}", callee=callee)
        self.failures[callee] = errno if isinstance(errno, int) else errno_value(errno)
        return self

    def set_clone_arg(self, name: str, value) -> "World":
        if name not in DEFAULT_CLONE_ARGS:
            raise ExecutionError("struct clone_args has no field {name!r}; fields: {fields}", name=name,
                                 fields=", ".join(DEFAULT_CLONE_ARGS))
        try:
            self.clone_args[name] = int(str(value), 0) if not isinstance(value, int) else value
        except ValueError:
            raise ExecutionError("clone_args.{name} takes a number, not {value!r}", name=name, value=value) from None
        return self

    def user_clone_args(self, flags: int) -> dict[str, int]:
        args = dict(DEFAULT_CLONE_ARGS)
        args["flags"] = flags
        args.update(self.clone_args)
        return args


def parse_bool(value, key: str = "value") -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "y", "on"):
        return True
    if text in ("0", "false", "no", "n", "off"):
        return False
    raise ExecutionError("{key} takes true or false, not {value!r}", key=key, value=value)
