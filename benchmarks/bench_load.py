"""Load time (normalise + parse + index) against raw tree-sitter-c on the same bytes,
and peak memory with every available version loaded.

    .venv/bin/python benchmarks/bench_load.py [--repeat 20] [--files extra/fork.c ...]

Targets (issue 2): load <= 3x raw parse; all versions <= 300 MB.
"""
from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from explorer import sources
from explorer.cparse import error_lines, parse_raw, parse_source


def rss_mb(field: str = "VmRSS") -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def timed_ms(fn) -> float:
    t = time.perf_counter()
    fn()
    return (time.perf_counter() - t) * 1000


def paired(data: bytes, label: str, repeat: int) -> tuple[float, float, float]:
    """Median load ms, median raw ms and median per-round ratio; each round
    times both back to back, so load on a shared machine hits both alike."""
    loads, raws, ratios = [], [], []
    for _ in range(repeat):
        a = timed_ms(lambda: parse_source(data, label=label))
        b = timed_ms(lambda: parse_raw(data))
        loads.append(a)
        raws.append(b)
        ratios.append(a / b)
    return statistics.median(loads), statistics.median(raws), statistics.median(ratios)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=20)
    ap.add_argument("--files", nargs="*", default=[], help="extra fork.c files (not committed) to include")
    args = ap.parse_args()
    inputs = [(lb, sources.get(lb).data) for lb in sources.available()]
    inputs += [(Path(f).parent.parent.name or f, Path(f).read_bytes()) for f in args.files]
    base = rss_mb()
    print(f"{'version':<22} {'lines':>6} {'load ms':>8} {'raw ms':>7} {'ratio':>6} {'err':>4} {'raw err':>7}")
    ratios, modules = [], []
    for label, data in inputs:
        load, raw, ratio = paired(data, label, args.repeat)
        mod = parse_source(data, label=label)
        modules.append(mod)
        ratios.append(ratio)
        print(f"{label:<22} {mod.line_count:>6} {load:>8.1f} {raw:>7.1f} {ratio:>6.2f} "
              f"{len(error_lines(mod.tree.root_node)):>4} {len(error_lines(parse_raw(data).root_node)):>7}")
    peak = rss_mb("VmHWM")
    print(f"\nversions loaded: {len(modules)}; load/raw ratio median of versions {statistics.median(ratios):.2f}, "
          f"worst {max(ratios):.2f} (target <= 3.0)")
    print(f"memory: RSS before {base:.0f} MB, peak {peak:.0f} MB with all loaded (target <= 300 MB)")


if __name__ == "__main__":
    main()
