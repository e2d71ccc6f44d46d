"""Anchor resolution: speed, and precision/recall of placement on real files.

    .venv/bin/python benchmarks/bench_anchors.py [--versions N] [--reference DIR ...] [--calibrate]

Speed: resolve every shipped annotation in N versions (default 10; when fewer
are available, the available files are parsed again as distinct modules, so
every one pays its own index build, as a new version would).  Target: <= 1 s
for 60 annotations x 10 versions.  Baselines measured in the same run: parsing
one version (the cost a reader pays anyway), and a naive resolver that
re-reads statement heads for every annotation instead of indexing a module once.

--calibrate: anchor every statement of each version, resolve it in the next
(and previous) one, and judge against a line alignment (explorer.anchors.calibrate);
prints precision and recall per pair, overall, and for a sweep of fuzzy
thresholds.  --reference DIR adds kernel/fork.c files found under DIR (e.g.
/tmp/kernels) for reading only; they are parsed here and never stored.
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
from explorer.annotations import Store  # noqa: E402
from explorer.anchors import canonical, head_code, resolve, statements, target_functions  # noqa: E402
from explorer.anchors.calibrate import Tally, evaluate_pair  # noqa: E402
from explorer.anchors.resolve import FUZZY_THRESHOLD  # noqa: E402


def reference_modules(dirs) -> dict:
    mods = {}
    for d in dirs:
        for path in sorted(Path(d).glob("*/kernel/fork.c")):
            label = path.parent.parent.name
            mods[label] = explorer.parse_source(path.read_bytes(), label=label)
    return mods


def naive_resolve(ann, module):
    """Exact-head lookup without any index: what resolving costs if nothing is cached."""
    head = canonical(ann.anchor.head)
    for name, _ in target_functions(module, ann.function):
        for node in statements(module.functions[name].node):
            if node.type == ann.anchor.kind and canonical(head_code(module, node)) == head:
                return node
    return None


def timed(fn, repeat=3):
    best = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        best.append(time.perf_counter() - t)
    return min(best), statistics.median(best)


def bench_speed(n_versions: int, refs: dict) -> None:
    t = time.perf_counter()
    store = Store()
    anns = store.list()
    print(f"store: loaded {len(anns)} notes from {len(store.files())} files in {time.perf_counter() - t:.3f} s "
          f"(ruamel round-trip)")
    labels = sources.available()
    raw = [(lb, sources.get(lb).data) for lb in labels] + [(lb, m.source) for lb, m in refs.items()]
    if not raw:
        print("no versions available")
        return
    t = time.perf_counter()
    parsed = [explorer.parse_source(raw[i % len(raw)][1], label=f"{raw[i % len(raw)][0]}#{i}")
              for i in range(n_versions)]
    parse_each = (time.perf_counter() - t) / n_versions
    distinct = len({lb for lb, _ in raw})
    print(f"versions: {n_versions} modules from {distinct} distinct files "
          f"({', '.join(lb for lb, _ in raw)})")
    print(f"annotations: {len(anns)}")

    def cold():
        mods = [explorer.parse_source(m.source, label=m.label) for m in parsed]   # fresh: no index yet
        t0 = time.perf_counter()
        for m in mods:
            for a in anns:
                resolve(a.anchor, m, written_against=a.written_against)
        return time.perf_counter() - t0

    colds = [cold() for _ in range(3)]
    cold_best = min(colds)

    def warm():
        for m in parsed:
            for a in anns:
                resolve(a.anchor, m, written_against=a.written_against)
    warm(); warm_best, warm_med = timed(warm, 5)

    def naive():
        for m in parsed:
            for a in anns:
                naive_resolve(a, m)
    naive_best, _ = timed(naive, 1)

    per60x10 = cold_best * (60 / len(anns)) * (10 / n_versions)
    print(f"resolve, cold (index built per version): {cold_best:.3f} s for {len(anns)} x {n_versions} "
          f"= {1e3 * cold_best / (len(anns) * n_versions):.3f} ms each; scaled to 60 x 10: {per60x10:.3f} s "
          f"(target <= 1 s: {'ok' if per60x10 <= 1 else 'MISSED'})")
    print(f"resolve, warm (index cached): {warm_best:.3f} s (median {warm_med:.3f} s)")
    print(f"baseline: parse one version {parse_each:.3f} s -> cold resolve of all notes in one version = "
          f"{cold_best / n_versions / parse_each:.2f} x a parse")
    print(f"baseline: naive exact-only resolver {naive_best:.3f} s -> indexed cold is "
          f"{naive_best / cold_best:.2f} x faster, warm {naive_best / warm_best:.1f} x faster")


def bench_calibration(refs: dict) -> None:
    mods = {lb: explorer.load(lb) for lb in sources.available()}
    mods.update(refs)
    order = sources.sort_labels(list(mods))
    pairs = [(a, b) for a, b in zip(order, order[1:])]
    pairs += [(b, a) for a, b in pairs]
    print(f"calibration over {len(pairs)} ordered pairs of {', '.join(order)}")
    total = Tally()
    for a, b in pairs:
        t = evaluate_pair(mods[a], mods[b])
        total.add(t)
        d = t.as_dict()
        print(f"  {a:>12} -> {b:<12} precision {d['precision']:.4f}  recall {d['recall']:.4f} "
              f"(unchanged {d['recall_unchanged']:.4f}, edited {d['recall_edited']:.4f})  {d['by_status']}")
    d = total.as_dict()
    print(f"overall at threshold {FUZZY_THRESHOLD}: precision {d['precision']:.4f}  recall {d['recall']:.4f} "
          f"(unchanged {d['recall_unchanged']:.4f}, edited {d['recall_edited']:.4f}); "
          f"precision by status {d['precision_by_status']}")
    print("threshold sweep (precision, recall, edited recall, fuzzy count, fuzzy precision):")
    for th in (0.6, 0.7, 0.75, 0.8, 0.85, 0.9):
        tt = Tally()
        for a, b in pairs:
            tt.add(evaluate_pair(mods[a], mods[b], threshold=th))
        print(f"  {th:.2f}: {tt.precision:.4f} {tt.recall:.4f} {tt.recall_edited:.4f} "
              f"{tt.by_status.get('fuzzy', 0):>4} {tt.status_precision('fuzzy'):.4f}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--versions", type=int, default=10)
    ap.add_argument("--reference", nargs="*", default=[], metavar="DIR")
    ap.add_argument("--calibrate", action="store_true")
    args = ap.parse_args()
    refs = reference_modules(args.reference)
    bench_speed(args.versions, refs)
    if args.calibrate:
        bench_calibration(refs)


if __name__ == "__main__":
    main()
