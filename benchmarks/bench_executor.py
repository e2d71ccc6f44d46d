"""Executor speed: one sys_clone -> copy_process trace, and the 4096-subset sweep,
against the running kernel answering the same 4096 clone() calls (the oracle helper).

    .venv/bin/python benchmarks/bench_executor.py [LABEL ...]

Prints figures and ratios measured in this one run; asserts nothing.
Targets from issue 13: trace median <= 1.5 ms; the sweep no slower than the
kernel's (ratio <= 1.0).  Each figure is given twice: wall-clock, and CPU time
(the process's own, and the oracle's children's), which a machine shared with
other work disturbs far less.
"""
from __future__ import annotations

import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import explorer  # noqa: E402
from explorer import sources  # noqa: E402
from explorer.executor import World, program_for, run, subsets, sweep  # noqa: E402
from explorer.executor.program import _PROGRAMS  # noqa: E402

SWEEP_FLAGS = ["CLONE_VM", "CLONE_FS", "CLONE_SIGHAND", "CLONE_THREAD", "CLONE_NEWNS", "CLONE_NEWUSER",
               "CLONE_NEWPID", "CLONE_PARENT", "CLONE_PIDFD", "CLONE_DETACHED", "CLONE_VFORK",
               "CLONE_PARENT_SETTID"]
TRACE_TARGET_MS = 1.5
SWEEP_TARGET_S = 3.0
SWEEP_REPEAT = 5


def timed(fn, repeat, clock=time.perf_counter):
    out = []
    for _ in range(repeat):
        t0 = clock()
        fn()
        out.append(clock() - t0)
    return out


def children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def oracle_sweep_seconds(words) -> tuple[float | None, float | None, str]:
    """(wall, CPU) seconds of the running kernel answering the 4096 clone() calls."""
    if platform.system() != "Linux" or platform.machine() != "x86_64":
        return None, None, "not x86_64 Linux"
    if os.geteuid() != 0:
        return None, None, "not root"
    if shutil.which("gcc") is None:
        return None, None, "no gcc"
    with tempfile.TemporaryDirectory() as tmp:
        exe = Path(tmp) / "clone_probe"
        subprocess.run(["gcc", "-O2", "-o", str(exe), str(REPO / "explorer/verify/clone_probe.c")], check=True)
        data = "".join(f"{w:#x}\n" for w in words)
        c0, t0 = children_cpu(), time.perf_counter()
        subprocess.run([str(exe), "clone"], input=data, capture_output=True, text=True, check=True, timeout=900)
        return time.perf_counter() - t0, children_cpu() - c0, "ok"


def bench(label: str, oracle_s: float | None, oracle_cpu: float | None) -> None:
    module = explorer.load(label)
    print(f"== {label} ({module.form})")
    _PROGRAMS.pop(module, None)
    t0 = time.perf_counter()
    first = run(module, 0, "sys_clone")
    cold = time.perf_counter() - t0
    steps = len(first.steps)
    rec = timed(lambda: run(module, 0, "sys_clone"), 300)
    norec = timed(lambda: run(module, 0, "sys_clone", record=False), 300)
    fail = timed(lambda: run(module, 0, "sys_clone", World().fail("copy_mm", "ENOMEM")), 200)
    cpu = timed(lambda: run(module, 0, "sys_clone"), 300, time.process_time)
    med = statistics.median(rec) * 1e3
    cpu_med = statistics.median(cpu) * 1e3
    print(f"first trace (compiles the functions it reaches): {cold * 1e3:8.2f} ms")
    print(f"trace sys_clone(0) -> copy_process, {steps} steps, {first.step_count} statements:")
    print(f"  median {med:.3f} ms  (p90 {sorted(rec)[int(len(rec) * .9)] * 1e3:.3f} ms)  "
          f"target {TRACE_TARGET_MS} ms  ratio to target {med / TRACE_TARGET_MS:.2f}")
    print(f"  CPU time: median {cpu_med:.3f} ms  ratio to target {cpu_med / TRACE_TARGET_MS:.2f}")
    print(f"  without recording steps: median {statistics.median(norec) * 1e3:.3f} ms")
    print(f"  --fail copy_mm=ENOMEM (unwind ladder): median {statistics.median(fail) * 1e3:.3f} ms")
    for entry in ("sys_clone", "sys_clone3"):
        if entry not in module.functions:
            continue
        walls, cpus = [], []
        for _ in range(SWEEP_REPEAT):       # the median of a few: one sample on a shared machine is noise
            c0, t0 = time.process_time(), time.perf_counter()
            d = sweep(module, SWEEP_FLAGS, entry)
            walls.append(time.perf_counter() - t0)
            cpus.append(time.process_time() - c0)
        s, c = statistics.median(walls), statistics.median(cpus)
        ok = sum(r["outcome"] == "ok" for r in d["results"])
        line = (f"sweep {entry} 4096 subsets, median of {SWEEP_REPEAT}: {s:.3f} s ({s / 4096 * 1e3:.3f} ms each, "
                f"{ok} ok; CPU {c:.3f} s)  "
                f"target {SWEEP_TARGET_S} s  ratio to target {s / SWEEP_TARGET_S:.2f}")
        if oracle_s and entry == "sys_clone":
            line += f"  ratio to real kernel {s / oracle_s:.2f}"
            line += f"\n  CPU time {c:.3f} s against the kernel's {oracle_cpu:.3f} s: ratio {c / oracle_cpu:.2f}"
        print(line)


def main(argv: list[str]) -> int:
    labels = argv or [lb for lb in sources.available() if lb.startswith("debian-")]
    module = explorer.load(labels[-1])
    table = program_for(module).flags
    words = list(subsets([table.value(n) for n in SWEEP_FLAGS]))
    oracle_s, oracle_cpu, why = oracle_sweep_seconds(words)
    if oracle_s is None:
        print(f"real kernel sweep: skipped ({why})")
    else:
        print(f"real kernel sweep (clone_probe, 4096 raw clone() in throwaway processes, "
              f"{platform.release()}): {oracle_s:.3f} s, CPU {oracle_cpu:.3f} s")
    for label in labels:
        bench(label, oracle_s, oracle_cpu)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
