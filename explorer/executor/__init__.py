"""Run the real fork.c control flow: a small C interpreter over the parsed tree.

    from explorer import load
    from explorer.executor import run, sweep, World
    trace = run(load("debian-6.12"), flags=0x10000, entry="sys_clone")
    trace.outcome.errno   # "EINVAL", decided in copy_process at the CLONE_THREAD check

Pieces, in the order a run uses them:
  flags        CLONE_* and errno facts per version
  program      a Module compiled under one config: #if choice, macros, globals
  statements   the statement compiler (a function body -> closures);
  loops        its loops, switch, break and continue
  expressions  the expression compiler (an expression -> closure and C type);
  assignments  its writing half (lvalues, =, op=, ++)
  builtins     kernel helpers with known meaning (IS_ERR, likely, ...)
  callsites    where a call is and how its caller tells failure from success
  cvalues      C values at run time; control: break/continue and early ends
  runtime      one run: frames, the World's answers, steps and assumptions
  world        what is outside fork.c; trace: the plain output record
  entries      entry points, their arguments, the outcome, run
  flag_sweep   sweep: every subset of some flags, by symbolic paths (symbolic.py)
"""
from .flags import FlagTable, errno_name, errno_value
from .entries import entry_names, outcome_word, resolve_entry, run, subsets
from .flag_sweep import sweep
from .program import program_for
from .trace import Assumption, Callee, Outcome, Step, Trace
from .world import World

__all__ = ["run", "sweep", "subsets", "World", "Trace", "Step", "Outcome", "Assumption", "Callee", "FlagTable",
           "errno_name", "errno_value", "entry_names", "resolve_entry", "outcome_word", "program_for"]
