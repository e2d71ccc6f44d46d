"""Start `fork-explorer hub` (a real JupyterHub, configurable-http-proxy and one
single-user server per member) for the hub tests and benchmarks/bench_hub.py.

Readiness is waited for on signals: the hub's API answering through the proxy,
then, per member, the login form, the spawn and the app's .fx-ready marker.
Stopping sends SIGTERM to `fork-explorer hub` (which takes the hub, the proxy
and every member's server down; explorer.cli.supervise) and reports any
process of the tree still alive."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

from harness import REPO, free_port, server_tree, stop_group

PASSWORD = "reading-room-test"      # the shared password of a test room (SharedPasswordAuthenticator)
OFFLINE = re.compile(r"^(?!https?://127\.0\.0\.1[:/])[a-z]+://")


def hub_missing() -> str | None:
    """Why a hub cannot start here (jupyterhub or configurable-http-proxy missing), or None."""
    try:
        from explorer.cli.cmd_hub import hub_command, proxy_command
        hub_command()
        proxy_command()
    except Exception as e:          # ExplorerError with the install hint
        return str(e)
    return None


@contextmanager
def hub_process(workdir: Path, annotations: Path, env_extra: dict | None = None, timeout: float = 120.0):
    """`fork-explorer hub --no-browser` on a free port with its state under
    `workdir` and the members' shared store at `annotations`; yields
    (url, Popen, stray) where stray() lists the tree's processes alive after
    the hub was stopped (call it after the with-block)."""
    port = free_port()
    env = dict(os.environ, FORK_EXPLORER_HUB_PASSWORD=PASSWORD, PYTHONUNBUFFERED="1",
               FORK_EXPLORER_HUB_LOG_LEVEL="INFO", **(env_extra or {}))
    cmd = [sys.executable, "-m", "explorer", "hub", "--port", str(port), "--no-browser",
           "--annotations", str(annotations), "--state", str(workdir / "hub-state")]
    log_path = workdir / "hub.log"
    log = open(log_path, "w")
    proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}/"
    seen: dict[int, object] = {}
    watching = threading.Event()

    def remember():     # members' servers come and go: remember each process of the tree
        while not watching.wait(0.5):
            for p in server_tree(proc.pid):
                seen[p.pid] = p

    watcher = threading.Thread(target=remember, daemon=True)
    watcher.start()
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                with urllib.request.urlopen(url + "hub/api", timeout=5) as r:
                    if r.status == 200 and "version" in json.loads(r.read()):
                        break
            except (OSError, ValueError):
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the hub did not start:\n" + log_path.read_text()[-3000:])
            time.sleep(0.3)
        yield url, proc, lambda: [p for p in seen.values() if _alive(p)]
    finally:
        for p in server_tree(proc.pid):
            seen[p.pid] = p
        watching.set()
        watcher.join()
        stop_group(proc, 60)        # the hub takes its proxy and the members' servers down first
        log.close()


def _alive(p) -> bool:
    import psutil
    try:
        return p.is_running() and p.status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False
