"""Run the real fork.c control flow: a small C interpreter over the parsed tree.

    from explorer import load
    from explorer.executor import run, sweep, World
    trace = run(load("debian-6.12"), flags=0x10000, entry="sys_clone")
    trace.outcome.errno   # "EINVAL", decided in copy_process at the CLONE_THREAD check

Pieces: flags (CLONE_* and errno facts per version), world (what is outside
fork.c), interpreter (the C semantics), trace (the plain output record),
runner (entries, arguments, sweep).
"""
from .flags import FlagTable, errno_name, errno_value
from .interpreter import program_for
from .runner import entry_names, outcome_word, resolve_entry, run, subsets, sweep
from .trace import Assumption, Outcome, Step, Trace
from .world import World

__all__ = ["run", "sweep", "subsets", "World", "Trace", "Step", "Outcome", "Assumption", "FlagTable",
           "errno_name", "errno_value", "entry_names", "resolve_entry", "outcome_word", "program_for"]
