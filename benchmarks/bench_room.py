"""A room of readers: N chromium processes open the app at once against one
`fork-explorer serve` (issue 21).

For each N (default 1, 2, 4, 8, 12) a fresh server is started and left to
settle; N headless chromium processes (one browser each, as N people would be)
are launched, then all navigate at the same moment.  A reader is ready when
the source view's rows and the app's .fx-ready marker are in its page (the
same signal as the browser tests).  Reported per N:

- time to ready of each reader (seconds from the common start), the last one,
  and how many never got ready within --timeout;
- the server's memory: RSS of `serve`, Voila and every kernel, summed (peak
  while the readers load, sampled every 0.25 s), and per kernel;
- CPU seconds of the whole server (serve, Voila, kernels) and of all the
  browser processes while the readers loaded;
- the machine's 1-minute load average when the readers were done (the
  machine is shared: read the times against it);
- CPU seconds each kernel spent (user + system) from its start until all
  readers were ready (or gave up).

Baseline in the same run: N = 1, the time a lone reader waits; the ratio
column is the last reader's time over that.

    .venv/bin/python benchmarks/bench_room.py [--readers 1,2,4,8,12] [--timeout 180]
"""
from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import threading
from pathlib import Path

import psutil

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "browser"))

from harness import chromium_missing, kernel_processes, room, serve_process, server_tree, settle  # noqa: E402


def rss_mb(procs) -> float:
    total = 0
    for p in procs:
        try:
            total += p.memory_info().rss
        except psutil.Error:
            pass
    return total / 2**20


def cpu_s(p: psutil.Process) -> float:
    try:
        t = p.cpu_times()
        return t.user + t.system
    except psutil.Error:
        return 0.0


class Sampler(threading.Thread):
    """While the readers load: peak RSS of the server's process tree, and the
    CPU seconds of every server process and of every browser process (the
    browsers run on the same machine; their CPU is lost once they close, so
    the last sample of each process counts)."""

    def __init__(self, root_pid: int):
        super().__init__(daemon=True)
        self.root_pid = root_pid
        self.peak = 0.0
        self.server_cpu: dict[int, float] = {}
        self.browser_cpu: dict[int, float] = {}
        self.server_base = sum(cpu_s(p) for p in server_tree(root_pid))   # before the readers came
        self.stop = threading.Event()

    def run(self):
        while not self.stop.wait(0.25):
            tree = server_tree(self.root_pid)
            self.peak = max(self.peak, rss_mb(tree))
            for p in tree:
                self.server_cpu[p.pid] = max(self.server_cpu.get(p.pid, 0.0), cpu_s(p))
            for p in psutil.Process().children(recursive=True):
                if p.pid != self.root_pid and p.pid not in self.server_cpu:
                    self.browser_cpu[p.pid] = max(self.browser_cpu.get(p.pid, 0.0), cpu_s(p))


def one(n: int, timeout: float) -> dict:
    with serve_process() as (url, proc):
        settle(proc.pid)
        before = {p.pid for p in kernel_processes(proc.pid)}
        sampler = Sampler(proc.pid)
        sampler.start()
        times = [t for t, _ in asyncio.run(room(url, n, timeout))]
        sampler.stop.set()
        sampler.join()
        ks = kernel_processes(proc.pid)
        per_cpu, per_rss = [], []
        for k in ks:
            try:
                ct = k.cpu_times()
                per_cpu.append(ct.user + ct.system)
                per_rss.append(k.memory_info().rss / 2**20)
            except psutil.Error:
                pass
        total = rss_mb(server_tree(proc.pid))
    ok = [t for t in times if t is not None]
    return {"load": os.getloadavg()[0], "server_cpu": sum(sampler.server_cpu.values()) - sampler.server_base,
            "browser_cpu": sum(sampler.browser_cpu.values()),
            "n": n, "times": times, "ready": len(ok), "last": max(ok) if ok else None,
            "median": statistics.median(ok) if ok else None, "peak_mb": sampler.peak, "end_mb": total,
            "kernels": len(ks), "preheated": len(before),
            "kernel_mb": statistics.median(per_rss) if per_rss else 0.0,
            "kernel_cpu": statistics.median(per_cpu) if per_cpu else 0.0}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--readers", default="1,2,4,8,12")
    ap.add_argument("--timeout", type=float, default=180.0)
    args = ap.parse_args()
    why = chromium_missing()
    if why:
        print(f"skipped: {why}")
        return 0
    rows = []
    for n in [int(x) for x in args.readers.split(",")]:
        r = one(n, args.timeout)
        rows.append(r)
        ts = " ".join("-" if t is None else f"{t:.1f}" for t in sorted(r["times"], key=lambda t: t or 1e9))
        print(f"N={n}: ready {r['ready']}/{n}; times {ts}; load average {r['load']:.1f}", flush=True)
    base = rows[0]["last"] if rows and rows[0]["last"] else None
    print()
    print(f"{'readers':>7} {'ready':>7} {'median s':>9} {'last s':>7} {'x lone':>7} {'peak MB':>8} "
          f"{'kernels':>7} {'MB/kernel':>9} {'CPU s/kernel':>12} {'server CPU s':>12} {'browsers CPU s':>14} "
          f"{'load':>5}")
    for r in rows:
        last = "never" if r["last"] is None else f"{r['last']:.1f}"
        med = "-" if r["median"] is None else f"{r['median']:.1f}"
        ratio = "-" if (r["last"] is None or base is None) else f"{r['last'] / base:.1f}"
        print(f"{r['n']:>7} {r['ready']:>3}/{r['n']:<3} {med:>9} {last:>7} {ratio:>7} {r['peak_mb']:>8.0f} "
              f"{r['kernels']:>7} {r['kernel_mb']:>9.0f} {r['kernel_cpu']:>12.1f} {r['server_cpu']:>12.1f} "
              f"{r['browser_cpu']:>14.1f} {r['load']:>5.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
