"""Importing the seed reading note with two modern versions available.

Budget (issue 6): <= 2 s for the whole import, sources loaded from the cache.
Baseline, measured in the same run: parsing the same two fork.c files
(explorer.parse_source, no cache), i.e. the least any import must do.

    .venv/bin/python benchmarks/bench_notes.py [--repeat N] [--versions L ...]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import explorer  # noqa: E402
from explorer import cparse, sources  # noqa: E402
from explorer.notes import import_note, read_note  # noqa: E402
from explorer.notes import locate as locate_module  # noqa: E402

SEED = REPO.parent / "shared" / "seed" / "do_fork-reading-note.ja.md"
BUDGET_S = 2.0


def _cold():
    cparse._LOADED.clear()
    locate_module._INDEX_CACHE.clear()


def timed(fn, repeat):
    runs = []
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        runs.append(time.perf_counter() - t)
    return statistics.median(runs), min(runs), max(runs), out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--versions", nargs="+", default=["debian-6.1", "debian-6.12"])
    args = ap.parse_args()
    labels = [lb for lb in args.versions if lb in sources.available()]
    if len(labels) < len(args.versions):
        print(f"missing versions: {sorted(set(args.versions) - set(labels))}; run 'fork-explorer sources sync'")
        return 2
    datas = [sources.get(lb).data for lb in labels]
    note = read_note(SEED)

    base, *_ = timed(lambda: [explorer.parse_source(d, label=lb) for d, lb in zip(datas, labels)], args.repeat)

    def cold():
        _cold()
        return import_note(note, versions=labels)

    cold_med, cold_min, cold_max, result = timed(cold, args.repeat)
    warm_med, warm_min, warm_max, _ = timed(lambda: import_note(note, versions=labels), args.repeat)

    def write():
        from explorer.annotations import Store
        from explorer.notes import write_into
        _cold()
        with tempfile.TemporaryDirectory() as d:
            return write_into(import_note(note, versions=labels), Store(d))
    write_med, write_min, write_max, written = timed(write, args.repeat)

    blocks = result.as_dict()["blocks"]
    anchored = [b for b in blocks if b["status"] == "anchored"]
    print(f"seed note: {len(blocks)} C blocks, versions {', '.join(labels)}")
    for b in blocks:
        where = f"{b['label']} {b['function']} {b['line']}-{b['end_line']}" if b["status"] == "anchored" else "-"
        tie = f" tied with {','.join(b['tied_with'])}" if b["tied_with"] else ""
        print(f"  block {b['index']}: {b['status']:<8} score {b['score']:.3f}  {where}{tie}")
    print(f"anchored {len(anchored)}, orphaned {len(blocks) - len(anchored)}, "
          f"annotations drafted {len(result.drafts)}, written {len(written.written)}")
    print(f"baseline  parse 2 files (no cache):        {base * 1000:8.1f} ms")
    print(f"import    cold (load + index + locate):    {cold_med * 1000:8.1f} ms  "
          f"(min {cold_min * 1000:.1f}, max {cold_max * 1000:.1f})  = {cold_med / base:.2f}x baseline")
    print(f"import    warm (modules cached):           {warm_med * 1000:8.1f} ms  "
          f"(min {warm_min * 1000:.1f}, max {warm_max * 1000:.1f})  = {warm_med / base:.2f}x baseline")
    print(f"import + write, cold, into an empty store: {write_med * 1000:8.1f} ms  "
          f"(min {write_min * 1000:.1f}, max {write_max * 1000:.1f})  = {write_med / base:.2f}x baseline")
    worst = max(cold_max, write_max)
    verdict = "OK" if worst <= BUDGET_S else "OVER BUDGET"
    print(f"budget {BUDGET_S:.1f} s for a cold import (with writing): worst {worst:.3f} s -> {verdict}")
    return 0 if worst <= BUDGET_S else 1


if __name__ == "__main__":
    sys.exit(main())
