"""Rules speed: symbolic exploration of sys_clone against the concrete enumeration.

Why every flag at once takes longer: flags the code tests only for their side
effects each split the path, and a path is a re-run from the start, so their
count multiplies while the rules stay few.  Tests whose branches only call the
World with the value dropped (CLONE_PARENT_SETTID's put_user, CLONE_CLEAR_SIGHAND's
flush_signal_handlers) no longer split (symbolic.silent_ifs), nor does a flag
read only in an argument of such a call (CLONE_PTRACE in ptrace_init_task's):
6,679 -> 1,559 paths for the 27 flags of 6.12.  Paths record no steps, so
depends_on costs no second pass.  What still multiplies: CLONE_VFORK, CLONE_VM,
CLONE_FILES, CHILD_SETTID/CLEARTID, tests whose branches assign something.

    .venv/bin/python benchmarks/bench_rules.py [LABEL]      (default debian-6.12)

Prints figures and ratios measured in this one run; asserts nothing.
Targets from issue 14: the 16 flags below (65,536 combinations) <= 1 s;
every CLONE_* flag of the version at once <= 5 s (or where it stops).
The concrete enumeration is measured on a sample of 2,048 combinations and
scaled (running all 65,536 would take a minute); the kernel's figure is the
oracle's ~0.18 ms per clone() call (bench_executor measures it live).
"""
from __future__ import annotations

import random
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import explorer  # noqa: E402
from explorer.executor import World, program_for, run  # noqa: E402
from explorer.executor.rules import rules_doc  # noqa: E402
from explorer.executor.symbolic import default_flags, explore  # noqa: E402

SIXTEEN = ["CLONE_VM", "CLONE_FS", "CLONE_SIGHAND", "CLONE_THREAD", "CLONE_NEWNS", "CLONE_NEWUSER", "CLONE_PARENT",
           "CLONE_VFORK", "CLONE_NEWPID", "CLONE_PIDFD", "CLONE_DETACHED", "CLONE_PARENT_SETTID", "CLONE_FILES",
           "CLONE_NEWNET", "CLONE_NEWIPC", "CLONE_SYSVSEM"]
KERNEL_MS_PER_CALL = 0.18
SAMPLE = 2048


def clocked(fn):
    w, c = time.perf_counter(), time.process_time()
    out = fn()
    return out, time.perf_counter() - w, time.process_time() - c


def main() -> None:
    label = sys.argv[1] if len(sys.argv) > 1 else "debian-6.12"
    mod = explorer.load(label)
    program_for(mod).function("sys_clone")
    run(mod, 0, "sys_clone")                          # compile once, outside the timings
    print(f"{label}, entry sys_clone")

    for world_name, world in (("root", World()), ("unprivileged", World(capable=False))):
        (_, wall_bare, cpu_bare) = clocked(lambda: rules_doc(explore(mod, SIXTEEN, "sys_clone", world,
                                                                      depends=False)))
        (doc, wall, cpu) = clocked(lambda: rules_doc(explore(mod, SIXTEEN, "sys_clone", world)))
        n = 1 << len(SIXTEEN)
        values = [doc["values"][f] for f in SIXTEEN]
        rng = random.Random(14)
        words = [sum(v for v in values if rng.random() < 0.5) for _ in range(SAMPLE)]
        _, cwall, ccpu = clocked(lambda: [run(mod, w, "sys_clone", world, record=False) for w in words])
        per = ccpu / SAMPLE
        kernel_s = n * KERNEL_MS_PER_CALL / 1000
        print(f"  16 flags, {world_name}: {doc['paths']} paths, {len(doc['rules'])} rules, "
              f"{wall:.3f} s wall / {cpu:.3f} s CPU with depends_on (the default; target <= 1 s), "
              f"{wall_bare:.3f} s wall / {cpu_bare:.3f} s CPU without")
        print(f"    concrete enumeration: {per * 1000:.3f} ms CPU per run x {n} = {per * n:.1f} s "
              f"-> symbolic is {per * n / cpu:.0f}x faster (CPU)")
        print(f"    running kernel: {KERNEL_MS_PER_CALL} ms x {n} = {kernel_s:.1f} s "
              f"-> symbolic is {kernel_s / cpu:.0f}x faster (CPU)")

    every = default_flags(mod)
    for depends in (False, True):
        (doc, wall, cpu) = clocked(lambda: rules_doc(explore(mod, every, "sys_clone", depends=depends)))
        state = "complete" if doc["complete"] else \
            f"INCOMPLETE at the path budget ({doc['incomplete']['combinations']} of {doc['total']} not explored)"
        print(f"  every CLONE_* flag ({len(every)}), root: {doc['paths']} paths, {len(doc['rules'])} rules, "
              f"{wall:.3f} s wall / {cpu:.3f} s CPU, {'with' if depends else 'without'} depends_on, {state} "
              "(target <= 5 s)")


if __name__ == "__main__":
    main()
