"""Then and now: the pair of two versions, and the differential sweep.

    .venv/bin/python benchmarks/bench_then_now.py [OLD.c|LABEL [NEW_LABEL]]

Defaults: ../shared/testdata/v2.6.32.69/fork.c against debian-6.12.
Prints figures and ratios measured in this one run; asserts nothing.
Targets from issue 12:
- pair of the two versions after both are loaded: <= 100 ms.  "Loaded" is parsed
  plus the per-version half (explorer.diff.pair.prepare: roles, function bodies,
  every guard, every note's place), printed on its own line;
- sweep --compare of 12 flags: <= 2.2x one single-version sweep of the same flags.
  It reads each subset's answer off the symbolic paths of both versions (one run
  per path); the former one-run-per-subset compare is timed beside it.
"""
from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import explorer  # noqa: E402
from explorer.annotations import Store  # noqa: E402
from explorer.cparse import open_version  # noqa: E402
from explorer.diff.pair import prepare  # noqa: E402
from explorer.executor import sweep  # noqa: E402
from explorer.executor.compare import sweep_compare  # noqa: E402

OLD = REPO.parent / "shared" / "testdata" / "v2.6.32.69" / "fork.c"
PAIR_TARGET_MS = 100.0
RATIO_TARGET = 2.2
# The oracle's twelve flags (tests/oracle/test_oracle.py); CLONE_PIDFD is passed by value to 2.6.32.
SWEEP_FLAGS = ["CLONE_VM", "CLONE_FS", "CLONE_SIGHAND", "CLONE_THREAD", "CLONE_NEWNS", "CLONE_NEWUSER",
               "CLONE_NEWPID", "CLONE_PARENT", "CLONE_PIDFD", "CLONE_DETACHED", "CLONE_VFORK",
               "CLONE_PARENT_SETTID"]


def fresh(word: str):
    """A newly parsed Module (no cache of any analysis holds it yet)."""
    mod = open_version(word)
    return explorer.parse_source(mod.source, label=mod.label) if not word.endswith(".c") else mod


def main(argv: list[str]) -> int:
    old = argv[0] if argv else str(OLD)
    new = argv[1] if len(argv) > 1 else "debian-6.12"
    t0 = time.perf_counter()
    store = Store()
    store.list()
    print(f"notes store read once: {(time.perf_counter() - t0) * 1e3:.1f} ms (shared by every view)")

    a, b = fresh(old), fresh(new)
    a.kernel_version = getattr(open_version(old), "kernel_version", None)
    b.kernel_version = getattr(open_version(new), "kernel_version", None)
    print(f"== pair {a.label} / {b.label}")
    for mod in (a, b):
        t0 = time.perf_counter()
        prepare(mod, store)
        print(f"load {mod.label}: per-version half (roles, bodies, guards, note places): "
              f"{(time.perf_counter() - t0) * 1e3:.1f} ms")
    t0, c0 = time.perf_counter(), time.process_time()
    doc = explorer.pair(a, b, store=store)
    cold = (time.perf_counter() - t0) * 1e3
    cold_cpu = (time.process_time() - c0) * 1e3
    warm = [0.0] * 20
    for i in range(len(warm)):
        t0 = time.perf_counter()
        explorer.pair(a, b, store=store)
        warm[i] = (time.perf_counter() - t0) * 1e3
    print(f"first pair after both are loaded: {cold:.1f} ms wall, {cold_cpu:.1f} ms CPU of this process  "
          f"target {PAIR_TARGET_MS:.0f} ms  ratio to target {cold / PAIR_TARGET_MS:.2f} (wall), "
          f"{cold_cpu / PAIR_TARGET_MS:.2f} (CPU)")
    print(f"pair again (code part cached per pair of Modules): median {statistics.median(warm):.1f} ms")
    t0, c0 = time.perf_counter(), time.process_time()
    explorer.parse_source(b.source, label=b.label)
    parse_ms, parse_cpu = (time.perf_counter() - t0) * 1e3, (time.process_time() - c0) * 1e3
    # On a shared machine wall time swings with the load; CPU time and the ratio to a parse do not.
    print(f"baseline in this run: parsing {b.label} once {parse_ms:.1f} ms wall, {parse_cpu:.1f} ms CPU; "
          f"first pair / parse = {cold / parse_ms:.2f} (wall), {cold_cpu / max(parse_cpu, 1e-6):.2f} (CPU)")
    print(f"  {len(doc['functions'])} function rows, {len(doc['guards'])} guard rows, {len(doc['notes'])} notes")

    print(f"== sweep of {len(SWEEP_FLAGS)} flags ({2 ** len(SWEEP_FLAGS)} subsets)")
    for mod in (a, b):
        sweep(mod, ["CLONE_VM"])      # compile both programs outside the timings
    singles = {}
    for mod in (a, b):
        names = [n for n in SWEEP_FLAGS if n in _table(mod)]
        t0, c0 = time.perf_counter(), time.process_time()
        sweep(mod, names)
        singles[mod.label] = (time.perf_counter() - t0, time.process_time() - c0, len(names))
    t0, c0 = time.perf_counter(), time.process_time()
    d = sweep_compare(a, b, SWEEP_FLAGS)
    both, both_cpu = time.perf_counter() - t0, time.process_time() - c0
    t0, c0 = time.perf_counter(), time.process_time()
    every_run = sweep_compare(a, b, SWEEP_FLAGS, symbolic=False)
    one_by_one, one_by_one_cpu = time.perf_counter() - t0, time.process_time() - c0
    for label, (s, c, n) in singles.items():
        print(f"single sweep {label} ({n} flags it defines, {2 ** n} subsets): {s:.3f} s wall, {c:.3f} s CPU")
    base_label = b.label
    base, base_cpu = singles[base_label][0], singles[base_label][1]
    print(f"sweep --compare {a.label} vs {b.label} (12 flags, 4096 subsets each, answers read off the "
          f"symbolic paths): {both:.3f} s wall, {both_cpu:.3f} s CPU; {d['differ']} of {len(d['results'])} differ")
    print(f"ratio to one single sweep ({base_label}, all 12 flags): {both / base:.2f} (wall), "
          f"{both_cpu / base_cpu:.2f} (CPU)  target <= {RATIO_TARGET}")
    print(f"  the same compare with one run per subset (symbolic=False, the former way): {one_by_one:.3f} s wall, "
          f"{one_by_one_cpu:.3f} s CPU, ratio {one_by_one / base:.2f} (wall), {one_by_one_cpu / base_cpu:.2f} (CPU); "
          f"same document: {every_run == d}")
    return 0


def _table(mod):
    from explorer.executor import program_for
    return program_for(mod).flags.values


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
