"""Stopping `fork-explorer serve` stops everything it started (issue 21).

Before: a SIGTERM of `serve` left Voila and every kernel running, re-parented
to init and still holding the port.  Here a real server is started, a page is
requested so that a reader's kernel runs the app, and then `serve` is stopped
as a user would: `kill` (SIGTERM to serve alone) or Ctrl-C (SIGINT to the
terminal's process group).  No process of its tree may remain and the port
must be free.  No browser is needed: a plain HTTP request starts a kernel."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import psutil
import pytest

from harness import REPO, serve_process, server_tree

# Not a speed target: long enough for Voila's own kernel shutdown on a loaded
# machine, short enough that "never" fails instead of hanging.
GONE_WITHIN_S = 30.0


def kernels(tree):
    return [p for p in tree if "ipykernel_launcher" in " ".join(p.cmdline())]


def port_is_free(port: int) -> bool:
    """Nobody answers on it and a new server can listen there (with
    SO_REUSEADDR, as tornado binds: the closed connections' TIME_WAIT stays)."""
    with socket.socket() as c:
        if c.connect_ex(("127.0.0.1", port)) == 0:
            return False
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
            s.listen()
        except OSError:
            return False
    return True


def serve_with_a_reader():
    """A running serve whose tree holds Voila and at least two kernels (a
    reader's and the pre-heated next one)."""
    cm = serve_process()
    url, proc = cm.__enter__()
    with urllib.request.urlopen(url, timeout=300) as r:     # renders the app in a kernel
        assert b"fork-explorer" in r.read()
    deadline = time.monotonic() + 120
    while len(kernels(server_tree(proc.pid))) < 2 and time.monotonic() < deadline:
        time.sleep(0.5)
    return cm, url, proc


@pytest.mark.parametrize("how", ["SIGTERM to serve", "Ctrl-C"])
def test_stopping_serve_leaves_no_process_and_frees_the_port(how):
    cm, url, proc = serve_with_a_reader()
    port = int(url.rstrip("/").rsplit(":", 1)[1])
    try:
        tree = server_tree(proc.pid)
        n_kernels = len(kernels(tree))
        assert len(tree) >= 4 and n_kernels >= 2, [p.cmdline()[:3] for p in tree]
        if how == "Ctrl-C":
            os.killpg(proc.pid, signal.SIGINT)       # what the terminal sends to its foreground group
        else:
            proc.send_signal(signal.SIGTERM)
        t0 = time.monotonic()
        proc.wait(GONE_WITHIN_S)
        gone, alive = psutil.wait_procs(tree, timeout=GONE_WITHIN_S)
        assert not alive, f"left running: {[(p.pid, p.cmdline()[:3]) for p in alive]}"
        assert port_is_free(port)
        assert proc.returncode == 0
        print(f"{how}: serve, Voila and {n_kernels} kernels gone, port free, "
              f"in {time.monotonic() - t0:.1f} s")
    finally:
        cm.__exit__(None, None, None)


def test_a_second_serve_on_a_busy_port_says_so_in_one_line():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        r = subprocess.run([sys.executable, "-m", "explorer", "serve", "--port", str(port), "--no-browser"],
                           cwd=REPO, capture_output=True, text=True, timeout=60)
    assert r.returncode == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and str(port) in lines[0] and "in use" in lines[0], r.stderr
