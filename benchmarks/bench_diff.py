"""Speed of the structural diff and of the history of checks.

Run:  .venv/bin/python benchmarks/bench_diff.py [--repeat N] [A B]

Figures (median of N runs and the best run, in ms) with their ratio to Python's difflib line
diff (unified_diff) of the same pair, measured in the same run:
- copy_process diff between two modern versions   (target <= 50 ms)
- whole-file diff, every function with edit counts (target <= 1 s)
- history of copy_process across every available version (target <= 1 s),
  warm (versions parsed) and cold (parsing included).
"""
from __future__ import annotations

import argparse
import difflib
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import explorer  # noqa: E402
from explorer import sources  # noqa: E402
from explorer.diff.filediff import diff_file  # noqa: E402
from explorer.diff.history import history  # noqa: E402
from explorer.render.diff_html import page  # noqa: E402
from explorer.diff.treediff import diff_functions  # noqa: E402


BEST: dict[float, float] = {}  # median -> best run, for the report (a loaded machine makes medians noisy)


def median_ms(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    med = statistics.median(times)
    BEST[med] = min(times)
    return med


def line_diff(a: str, b: str) -> None:
    list(difflib.unified_diff(a.splitlines(), b.splitlines(), lineterm=""))


def row(name: str, ms: float, base: float | None, target: float | None) -> None:
    ratio = f"{ms / base:7.2f}x difflib ({base:.1f} ms)" if base else ""
    verdict = "" if target is None else ("  ok" if ms <= target else f"  OVER {target:.0f} ms")
    best = BEST.get(ms)
    best = f" (best {best:6.1f})" if best is not None else ""
    print(f"{name:<46} {ms:9.1f} ms{best}  {ratio}{verdict}")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("labels", nargs="*", help="two versions (default: the two newest available)")
    ap.add_argument("--repeat", type=int, default=15)
    args = ap.parse_args()
    avail = sources.available()
    if len(avail) < 2:
        print("need two fetched versions; run 'fork-explorer sources sync'", file=sys.stderr)
        return 2
    la, lb = args.labels or (["debian-6.1", "debian-6.12"] if {"debian-6.1", "debian-6.12"} <= set(avail)
                             else avail[-2:])
    a, b = explorer.load(la), explorer.load(lb)
    fa, fb = a.function("copy_process"), b.function("copy_process")
    ta = "\n".join(a.lines[fa.start_line - 1:fa.end_line])
    tb = "\n".join(b.lines[fb.start_line - 1:fb.end_line])
    whole_a, whole_b = a.source.decode("utf-8", "replace"), b.source.decode("utf-8", "replace")
    print(f"versions {la} ({a.line_count} lines) -> {lb} ({b.line_count} lines); "
          f"copy_process {fa.end_line - fa.start_line + 1} -> {fb.end_line - fb.start_line + 1} lines; "
          f"median of {args.repeat}")

    d = diff_functions(a, "copy_process", b, "copy_process")
    print(f"  copy_process edits: {d.counts()}")
    base = median_ms(lambda: line_diff(ta, tb), args.repeat)
    ours = median_ms(lambda: diff_functions(a, "copy_process", b, "copy_process"), args.repeat)
    row("copy_process structural diff", ours, base, 50)
    row("  + HTML page", median_ms(lambda: page(diff_functions(a, "copy_process", b, "copy_process")),
                                   args.repeat), base, None)

    fd = diff_file(a, b)
    print(f"  whole file: {fd.summary()}")
    base = median_ms(lambda: line_diff(whole_a, whole_b), args.repeat)
    ours = median_ms(lambda: diff_file(a, b), max(3, args.repeat // 3))
    row("whole-file diff (with per-function edit counts)", ours, base, 1000)

    mods = [explorer.load(lb_) for lb_ in avail]
    h = history("copy_process", mods)
    print(f"  history over {len(mods)} versions {', '.join(avail)}: {len(h.tracks)} guards")
    # baseline: a line diff of copy_process between each consecutive pair
    texts = []
    for m in mods:
        f = m.functions.get("copy_process")
        texts.append("\n".join(m.lines[f.start_line - 1:f.end_line]) if f else "")
    base = median_ms(lambda: [line_diff(x, y) for x, y in zip(texts, texts[1:])], args.repeat)
    warm = median_ms(lambda: history("copy_process", mods), max(3, args.repeat // 3))
    row("history of copy_process, versions parsed", warm, base, 1000)
    datas = [(m.source, m.label) for m in mods]
    cold = median_ms(lambda: history("copy_process", [explorer.parse_source(s, label=l) for s, l in datas]),
                     max(3, args.repeat // 3))
    row("history of copy_process, parsing included", cold, base, 1000)
    return 0


if __name__ == "__main__":
    sys.exit(main())
