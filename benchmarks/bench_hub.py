"""A shared room on JupyterHub under load (issue 16): N members (default 8) log
in and open the reading room at the same moment against one `fork-explorer hub`.

Each member is a chromium process of its own (as N people would be), logging
in through the hub's form; the hub then spawns that member's single-user
server, which opens the app through Voila.  A member is ready when the source
view's rows and the app's .fx-ready marker are in their page (the browser
tests' signal).  Reported:

- per member: seconds from the common start to ready (login, spawn of their
  server, kernel, app), or "never" within --timeout; RSS of their single-user
  server and of its kernel once all are ready;
- the hub's memory once all are ready: RSS of `fork-explorer hub`, JupyterHub,
  configurable-http-proxy, every single-user server and every kernel, and the
  peak of the sum while the members loaded (sampled every 0.5 s);
- the machine's 1-minute load average at the end (the machine is shared: read
  the times against it);
- what to provision per member, from the measured RSS and CPU.

Baseline in the same run: one member alone on a fresh hub (login, spawn,
ready); the ratio is the last of the N members' time over that.

    .venv/bin/python benchmarks/bench_hub.py [--members 8] [--timeout 600]
"""
from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "browser"))

from harness import CHROMIUM, CHROMIUM_ARGS, chromium_missing, server_tree  # noqa: E402
from hub_harness import OFFLINE, PASSWORD, hub_missing, hub_process  # noqa: E402

READY_JS = ("() => !!document.querySelector('.fx-view[data-ready] tr[data-line]')"
            " && !!document.querySelector('.fx-ready')")


def role(p: psutil.Process) -> str:
    try:
        cmd = " ".join(p.cmdline())
    except psutil.Error:
        return "gone"
    if "ipykernel_launcher" in cmd:
        return "kernel"
    if "jupyterhub-singleuser" in cmd:
        return "server"
    if "configurable-http-proxy" in cmd:
        return "proxy"
    if "jupyterhub" in cmd and " -f " in cmd:
        return "hub"
    if "explorer" in cmd and " hub " in cmd:
        return "fork-explorer hub"
    return "other"


def rss_mb(p) -> float:
    try:
        return p.memory_info().rss / 2**20
    except psutil.Error:
        return 0.0


def cpu_s(p) -> float:
    try:
        t = p.cpu_times()
        return t.user + t.system
    except psutil.Error:
        return 0.0


def member_of(p: psutil.Process) -> str | None:
    """The member a single-user server (or a kernel under it) belongs to."""
    try:
        for q in [p] + p.parents():
            if role(q) == "server":
                return q.environ().get("JUPYTERHUB_USER")
    except psutil.Error:
        pass
    return None


class Sampler(threading.Thread):
    def __init__(self, root_pid: int):
        super().__init__(daemon=True)
        self.root_pid = root_pid
        self.peak = 0.0
        self.cpu: dict[int, tuple[str, float]] = {}
        self.stop = threading.Event()

    def run(self):
        while not self.stop.wait(0.5):
            procs = server_tree(self.root_pid)
            self.peak = max(self.peak, sum(rss_mb(p) for p in procs))
            for p in procs:
                self.cpu[p.pid] = (role(p), max(self.cpu.get(p.pid, ("", 0.0))[1], cpu_s(p)))


async def members_at_once(url: str, names: list[str], timeout: float) -> dict[str, float | None]:
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        browsers = [await pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
                    for _ in names]
        pages = []
        for b in browsers:
            page = await b.new_page(viewport={"width": 1440, "height": 900})
            await page.route(OFFLINE, lambda route: route.abort())
            pages.append(page)
        t0 = time.monotonic()

        async def one(page, name):
            try:
                await page.goto(url + "hub/login", timeout=timeout * 1000)
                await page.fill("#username_input", name)
                await page.fill("#password_input", PASSWORD)
                await page.click("#login_submit")
                left = max(1.0, timeout - (time.monotonic() - t0))
                await page.wait_for_function(READY_JS, timeout=left * 1000, polling=250)
                return time.monotonic() - t0
            except Exception:
                return None

        try:
            took = await asyncio.gather(*(one(p, n) for p, n in zip(pages, names)))
        finally:
            for b in browsers:
                await b.close()
    return dict(zip(names, took))


def run_room(names: list[str], timeout: float) -> dict:
    with tempfile.TemporaryDirectory(prefix="bench-hub-") as tmp:
        work = Path(tmp)
        with hub_process(work, work / "annotations") as (url, proc, _stray):
            sampler = Sampler(proc.pid)
            sampler.start()
            took = asyncio.run(members_at_once(url, names, timeout))
            sampler.stop.set()
            sampler.join()
            procs = server_tree(proc.pid)
            by_role: dict[str, float] = {}
            per_member: dict[str, dict[str, float]] = {n: {"server": 0.0, "kernel": 0.0} for n in names}
            for p in procs:
                r = role(p)
                by_role[r] = by_role.get(r, 0.0) + rss_mb(p)
                m = member_of(p) if r in ("server", "kernel") else None
                if m in per_member:
                    per_member[m][r] += rss_mb(p)
            cpu_by_role: dict[str, float] = {}
            for r, c in sampler.cpu.values():
                cpu_by_role[r] = cpu_by_role.get(r, 0.0) + c
            load = os.getloadavg()[0]
    return {"took": took, "by_role": by_role, "per_member": per_member, "peak": sampler.peak,
            "cpu": cpu_by_role, "load": load}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--members", type=int, default=8)
    ap.add_argument("--timeout", type=float, default=600.0)
    args = ap.parse_args()
    why = chromium_missing() or hub_missing()
    if why:
        print(f"bench_hub: {why}", file=sys.stderr)
        return 2
    print(f"baseline: one member alone on a fresh hub (cpus: {os.cpu_count()})", flush=True)
    solo = run_room(["solo"], args.timeout)
    base = solo["took"]["solo"]
    print(f"  ready after {base:.1f} s" if base else "  never ready", flush=True)
    names = [f"member{i + 1}" for i in range(args.members)]
    print(f"\n{args.members} members at once", flush=True)
    res = run_room(names, args.timeout)
    print(f"{'member':>10} {'ready s':>8} {'server MB':>10} {'kernel MB':>10}")
    for n in names:
        t = res["took"][n]
        pm = res["per_member"][n]
        print(f"{n:>10} {(f'{t:.1f}' if t else 'never'):>8} {pm['server']:>10.0f} {pm['kernel']:>10.0f}")
    ready = [t for t in res["took"].values() if t]
    never = len(names) - len(ready)
    print(f"\nready: {len(ready)}/{len(names)}" + (f" ({never} never within {args.timeout:.0f} s)" if never else ""))
    if ready:
        print(f"time to ready: median {statistics.median(ready):.1f} s, last {max(ready):.1f} s; "
              f"ratio last/alone {max(ready) / base:.2f}" if base else "")
    total = sum(res["by_role"].values())
    print("memory once all were ready (RSS, MB): " + ", ".join(
        f"{r} {mb:.0f}" for r, mb in sorted(res["by_role"].items(), key=lambda kv: -kv[1])) + f"; total {total:.0f}")
    print(f"peak while loading: {res['peak']:.0f} MB; alone: {sum(solo['by_role'].values()):.0f} MB")
    print("CPU seconds while loading: " + ", ".join(f"{r} {s:.1f}" for r, s in sorted(res["cpu"].items())))
    print(f"load average (1 min) at the end: {res['load']:.1f}")
    per = [pm["server"] + pm["kernel"] for pm in res["per_member"].values() if pm["server"]]
    if per:
        shared = res["by_role"].get("hub", 0) + res["by_role"].get("proxy", 0) + res["by_role"].get("fork-explorer hub", 0)
        member_cpu = (res["cpu"].get("server", 0) + res["cpu"].get("kernel", 0)) / len(names)
        print(f"\nper member: {statistics.mean(per):.0f} MB (server + kernel, mean; max {max(per):.0f}), "
              f"{member_cpu:.1f} CPU s to open the room; hub + proxy: {shared:.0f} MB")
        print(f"provision per member: {max(per) * 1.5 / 1024:.1f} GB memory (max measured x1.5 for a second "
              f"version, the diff and the then-and-now tab) and 1/2 CPU core (the room is idle while reading; "
              f"the CPU is spent opening it), plus {shared * 1.5:.0f} MB for the hub and proxy")
    return 0 if never == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
