"""Tours: what reading the tour files, placing every stop and the tour panel cost.

    .venv/bin/python benchmarks/bench_tours.py [--repeat N]

For each available version: the time to place every stop of every tour
(explorer.tours.place, cold: a fresh parse of the version, so its anchor index
is built too; then warm), against a baseline measured in the same run on the
same version: placing every shipped annotation (what the app already does
for the commentary), per item.  Then the cost of the tour panel in the app:
TourPanel() against App() (both constructed here, no browser), so the share
the panel adds to a reader's kernel is a ratio, not a guess.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import explorer  # noqa: E402
from explorer import sources  # noqa: E402
from explorer.annotations import Store, resolve_annotation  # noqa: E402
from explorer.tours import TourStore, place  # noqa: E402


def timed(fn, repeat: int) -> float:
    runs = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - t0)
    return statistics.median(runs)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    labels = sources.available()
    if not labels:
        print("no version is fetched; run 'fork-explorer sources sync debian-6.12'")
        return 2
    t0 = time.perf_counter()
    tours = TourStore().require_valid("cannot measure").list()
    read_tours = time.perf_counter() - t0
    t0 = time.perf_counter()
    notes = Store().list()
    read_notes = time.perf_counter() - t0
    stops = sum(len(t.stops) for t in tours)
    print(f"tour files read: {len(tours)} tours, {stops} stops in {read_tours * 1000:.0f} ms; "
          f"baseline, annotation files: {len(notes)} notes in {read_notes * 1000:.0f} ms")
    print(f"{'version':<14} {'stops cold':>11} {'stops warm':>11} {'per stop':>9} {'notes warm':>11} "
          f"{'per note':>9} {'ratio':>6}")
    for label in labels:
        mod = explorer.load(label)
        fresh = explorer.parse_source(mod.text, label=label)       # its own, unbuilt anchor index
        t0 = time.perf_counter()
        for tour in tours:
            place(tour, fresh)
        cold = time.perf_counter() - t0
        warm = timed(lambda: [place(tour, fresh) for tour in tours], args.repeat)
        base = timed(lambda: [resolve_annotation(a, fresh) for a in notes], args.repeat)
        per_stop, per_note = warm / stops, base / max(1, len(notes))
        print(f"{label:<14} {cold * 1000:>9.1f}ms {warm * 1000:>9.1f}ms {per_stop * 1e6:>7.0f}us "
              f"{base * 1000:>9.1f}ms {per_note * 1e6:>7.0f}us {per_stop / per_note:>6.2f}")
    from explorer.widgets import App
    from explorer.widgets.tour_panel import TourPanel
    panel = timed(TourPanel, args.repeat)
    app = timed(App, max(1, args.repeat // 2))
    print(f"TourPanel(): {panel * 1000:.0f} ms; App() (with the panel): {app * 1000:.0f} ms; "
          f"panel share {panel / app:.1%}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
