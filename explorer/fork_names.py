"""The names kernel/fork.c gives its entry points, in one place (facts about
versions; every stage imports them from here, the sources stage included, so
no stage has to reach downstream for them)."""
from __future__ import annotations

# The fork entry, newest name first: 2.6 do_fork -> 4.x _do_fork -> 5.10+ kernel_clone.
FORK_ENTRIES = ("kernel_clone", "_do_fork", "do_fork")
# The same names oldest first: the lineage of one function, and the manifest's forms.
FORK_ENTRY_LINEAGE = tuple(reversed(FORK_ENTRIES))
# The system calls fork.c defines (SYSCALL_DEFINEn(fork|vfork|clone|clone3)).
SYSCALL_ENTRIES = ("sys_fork", "sys_vfork", "sys_clone", "sys_clone3")
COPY_PROCESS = "copy_process"
