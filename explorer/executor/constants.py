"""Constants fork.c uses that live in headers other than uapi sched.h.

Facts, not code: stable ABI numbers or stable kernel definitions.
"""
from __future__ import annotations

from . import cvalues

HEADER_CONSTANTS: dict[str, int] = {
    "SIGHUP": 1, "SIGINT": 2, "SIGKILL": 9, "SIGCHLD": 17, "SIGSTOP": 19, "SIGCONT": 18,
    "_NSIG": 64,
    "PTRACE_EVENT_FORK": 1, "PTRACE_EVENT_VFORK": 2, "PTRACE_EVENT_CLONE": 3, "PTRACE_EVENT_EXEC": 4,
    "PTRACE_EVENT_VFORK_DONE": 5, "PTRACE_EVENT_EXIT": 6,
    "CAP_CHOWN": 0, "CAP_SETGID": 6, "CAP_SETUID": 7, "CAP_NET_ADMIN": 12, "CAP_SYS_PTRACE": 19,
    "CAP_SYS_ADMIN": 21, "CAP_SYS_RESOURCE": 24, "CAP_CHECKPOINT_RESTORE": 40,
    "SIGNAL_UNKILLABLE": 0x40, "PIDNS_ADDING": 1 << 31, "PIDNS_HASH_ADDING": 1 << 31,
    "NUMA_NO_NODE": -1, "PAGE_SIZE": 4096, "PAGE_SHIFT": 12, "THREAD_SIZE": 16384,
    "MAX_PID_NS_LEVEL": 32, "INT_MAX": 2**31 - 1, "UINT_MAX": 2**32 - 1, "LONG_MAX": 2**63 - 1,
    "ULONG_MAX": 2**64 - 1, "CLONE_LEGACY_FLAGS": 0xffffffff, "PIDFD_THREAD": 0o200,
    "O_EXCL": 0o200, "O_RDWR": 2, "O_CLOEXEC": 0o2000000, "TASK_COMM_LEN": 16, "RLIMIT_NPROC": 6,
    "FUTEX_TID_MASK": 0x3fffffff, "CLONE_ARGS_SIZE_VER0": 64, "CLONE_ARGS_SIZE_VER1": 80,
    "CLONE_ARGS_SIZE_VER2": 88, "PIDTYPE_PID": 0, "PIDTYPE_TGID": 1, "PIDTYPE_PGID": 2,
    "PIDTYPE_SID": 3, "PIDTYPE_MAX": 4, "UCOUNT_RLIMIT_NPROC": 0, "GFP_KERNEL": 0xcc0,
    "true": 1, "false": 0, "NULL": 0,
}
HEADER_CONSTANT_TYPES = {"CLONE_LEGACY_FLAGS": cvalues.ULONG, "PIDNS_ADDING": cvalues.UINT, "PIDNS_HASH_ADDING": cvalues.UINT,
                         "ULONG_MAX": cvalues.ULONG, "UINT_MAX": cvalues.UINT, "LONG_MAX": cvalues.LONG}
HEADER_SYMBOLS = {"INIT_USER": "init_user"}      # macros that are addresses of named objects

SIZEOF = {"pid_t": 4, "int": 4, "u32": 4, "long": 8, "u64": 8, "unsigned long": 8, "char": 1,
          "struct clone_args": 88, "p->comm": 16, "tsk->comm": 16}
