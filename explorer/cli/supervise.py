"""Run Voila as a child of `fork-explorer serve` and take everything it started
down with it.

Why this is needed: jupyter_client starts every kernel in a session of its own
(so a Ctrl-C in the terminal does not interrupt them), and `subprocess.call`
neither forwards SIGTERM nor waits for grandchildren.  Killing `serve` used to
leave Voila and all its kernels running, re-parented to init and still holding
the port.  Here:

- Voila runs in its own session; `serve` catches SIGINT (Ctrl-C), SIGTERM and
  SIGHUP and forwards SIGTERM, on which Voila stops its loop and shuts down
  its kernels;
- whatever of Voila's process tree (remembered while it runs, since kernels
  are re-parented once Voila exits) is still alive after a grace period is
  killed, so the port is free within seconds;
- Voila gets PR_SET_PDEATHSIG, so even a `kill -9` of `serve` stops Voila
  (which then shuts its kernels down itself).
"""
from __future__ import annotations

import ctypes
import errno
import signal
import socket
import subprocess
import sys

import psutil

from ..errors import ExplorerError

GRACE_S = 5.0          # Voila's own shutdown of its kernels; the rest is killed after this
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


class PortBusy(ExplorerError):
    """The port asked for is already taken."""


def check_port(port: int, host: str = "127.0.0.1") -> None:
    """Refuse a port another process listens on (before Voila is started, so
    the reader sees one line rather than Voila's log)."""
    with socket.socket() as s:
        # as tornado binds: connections of an earlier server left in TIME_WAIT
        # do not make the port busy, only a listener does
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError as e:
            if e.errno == errno.EADDRINUSE:
                raise PortBusy("port {port} on {host} is already in use (another 'fork-explorer serve'?); "
                               "pick another with --port, or --port 0 for a free one", port=port, host=host) from None
            raise ExplorerError("cannot use port {port} on {host}: {strerror}", port=port, host=host,
                                strerror=e.strerror) from None


def _die_with_parent() -> None:
    """In the child before exec: SIGTERM when `serve` dies, however it dies (Linux)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM)      # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _tree(pid: int) -> dict[int, object]:
    try:
        root = psutil.Process(pid)
        return {p.pid: p for p in [root] + root.children(recursive=True)}
    except psutil.Error:
        return {}


def run(cmd: list[str], cwd: str, env: dict) -> int:
    """Run cmd until it exits or a stop signal arrives; then stop it and every
    process it started.  Returns the exit code for `serve` (0 on a requested stop)."""
    stop_requested: list[int] = []

    def on_signal(signum, _frame):
        stop_requested.append(signum)

    previous = {s: signal.signal(s, on_signal) for s in STOP_SIGNALS}
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, start_new_session=True,
                            preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None)
    known: dict[int, object] = {}
    try:
        while not stop_requested:
            try:
                rc = proc.wait(timeout=0.5)
                break
            except subprocess.TimeoutExpired:
                known.update(_tree(proc.pid))   # kernels come and go; remember each one
        else:
            rc = None
        known.update(_tree(proc.pid))
        if proc.poll() is None:
            print("fork-explorer: stopping the server and its kernels", file=sys.stderr, flush=True)
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(GRACE_S)
            except subprocess.TimeoutExpired:
                pass
        _kill_rest(proc, known)
        return 0 if stop_requested else (rc if rc is not None else proc.returncode)
    finally:
        for s, h in previous.items():
            signal.signal(s, h)


def _kill_rest(proc: subprocess.Popen, known: dict) -> None:
    """SIGKILL whatever of the remembered tree is still alive (the same process,
    checked by its start time, so a recycled pid is never hit)."""
    alive = []
    for p in known.values():
        try:
            if p.is_running():
                alive.append(p)
        except psutil.Error:
            pass
    for p in alive:
        try:
            p.kill()
        except psutil.Error:
            pass
    psutil.wait_procs(alive, timeout=3)
    if proc.poll() is None:
        proc.kill()
    proc.wait()
