"""The interface's language switch and the Fail callee list, measured in one run.

    .venv/bin/python benchmarks/bench_i18n.py [LABEL] [--baseline CHECKOUT]   (default debian-6.12)

Prints figures and ratios; asserts nothing.
- App.set_lang ja <-> en (relabel every part, nothing rendered again), median of
  10 switches, against the source view's own render of the same version
  (SourceView.show), which a reload would cost at least;
- the Then and now tab's set_lang (every text said again), median of 10, against
  pairing and running its two versions again (what re-rendering would cost);
- run() with steps and the reached callees recorded (Trace.failable), median of
  15, against run(record=False); with --baseline, the same run() timed by the
  other checkout's code (e.g. /work/main, before the callee bookkeeping) and by
  this one, each in a fresh subprocess of this run; and how many callees the
  list offers.
"""
from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import explorer  # noqa: E402
from explorer.executor import run  # noqa: E402
from explorer.widgets import App, SourceView  # noqa: E402


def median_ms(fn, n: int) -> float:
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


RUN_TIMER = """
import statistics, sys, time
import explorer
from explorer.executor import run
mod = explorer.load(sys.argv[1]); run(mod)
ts = []
for _ in range(25):
    t0 = time.perf_counter(); run(mod); ts.append((time.perf_counter() - t0) * 1000)
print(statistics.median(ts))
"""


def run_ms_in(checkout: Path, label: str) -> float:
    """run()'s median in a fresh process importing `checkout`'s explorer."""
    env = dict(os.environ, PYTHONPATH=str(checkout))
    out = subprocess.run([sys.executable, "-c", RUN_TIMER, label], env=env, cwd=checkout,
                         capture_output=True, text=True, check=True, timeout=600).stdout
    return float(out.strip().splitlines()[-1])


def main(label: str = "debian-6.12", baseline: str | None = None) -> None:
    mod = explorer.load(label)
    app = App(label)
    langs = iter(["ja", "en"] * 20)
    switch = median_ms(lambda: app.set_lang(next(langs)), 10)
    view = SourceView()
    render = median_ms(lambda: view.show(mod), 5)
    print(f"{label}: App.set_lang (relabel every part) median {switch:.1f} ms; "
          f"SourceView.show (render the source) median {render:.1f} ms; ratio {switch / render:.2f}")

    # The Then and now tab: its switch says every text again from what was computed; against
    # pairing and running both versions again (_versions_changed), which a re-render would cost.
    tab = app.then_now
    tab.compute()
    if tab.pair is not None:
        tab_switch = median_ms(lambda: tab.set_lang(next(langs)), 10)
        again = median_ms(lambda: tab._versions_changed(None), 3)
        print(f"{tab.pair['a']} / {tab.pair['b']}: ThenAndNow.set_lang median {tab_switch:.1f} ms; "
              f"pairing and running both again median {again:.1f} ms; ratio {tab_switch / again:.3f}")

    trace = run(mod)
    own = sum(1 for c in trace.failable() if c.in_file)
    print(f"{label}: Fail callee offers {len(trace.failable())} callees of the default trace, "
          f"{own} of them fork.c's own")
    recorded = median_ms(lambda: run(mod), 15)
    quiet = median_ms(lambda: run(mod, record=False), 15)
    print(f"{label}: run() with steps and callees recorded median {recorded:.1f} ms; "
          f"without recording {quiet:.1f} ms; ratio {recorded / quiet:.2f}")
    if baseline:
        ours, theirs = run_ms_in(REPO, label), run_ms_in(Path(baseline), label)
        print(f"{label}: run() median {ours:.2f} ms with this checkout, {theirs:.2f} ms with {baseline}'s code; "
              f"ratio {ours / theirs:.2f}")


if __name__ == "__main__":
    args = sys.argv[1:]
    base = None
    if "--baseline" in args:
        i = args.index("--baseline")
        base = args[i + 1]
        del args[i:i + 2]
    main(*args[:1], baseline=base)
