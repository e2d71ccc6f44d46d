"""hub: a shared reading room on JupyterHub (deploy/jupyterhub_config.py).

JupyterHub does what a home-made server would get wrong: logins, one server
per member behind configurable-http-proxy, and stopping them all.  This verb
only fills in the configuration's FORK_EXPLORER_HUB_* variables (ports, the
hub's state folder, the shared password, the shared annotation store) and runs
`jupyterhub` under the same supervision as `serve` (explorer.cli.supervise),
so Ctrl-C or SIGTERM takes the hub, its proxy and every member's server down.
"""
from __future__ import annotations

import os
import re
import secrets
import shutil
import socket
import sys
import threading
import time
import webbrowser
from pathlib import Path

from .. import paths
from ..errors import ExplorerError
from ..paths import REPO_ROOT
from .cmd_app import free_port, warm_room
from .supervise import check_port, run

HUB_CONFIG = REPO_ROOT / "deploy" / "jupyterhub_config.py"
LOCAL_PROXY = REPO_ROOT / ".hub" / "node_modules" / ".bin" / "configurable-http-proxy"
PASSWORD_ENV = "FORK_EXPLORER_HUB_PASSWORD"
MIN_PASSWORD = 8          # JupyterHub's SharedPasswordAuthenticator refuses shorter ones


def register(sub) -> None:
    p = sub.add_parser("hub", help="open a shared reading room on JupyterHub (127.0.0.1)")
    p.add_argument("--port", type=int, default=0, help="the room's port (default: a free one)")
    p.add_argument("--no-browser", action="store_true", help="do not open a web browser")
    p.add_argument("--annotations", metavar="DIR",
                   help="the annotation store every member shares, tours in its tours/ (default: "
                        "FORK_EXPLORER_ANNOTATIONS, else kernel-src/annotations and kernel-src/tours)")
    p.add_argument("--state", metavar="DIR", help="the hub's database, cookie secret and members' home "
                                                   "folders (default: .hub/state in the checkout)")
    p.add_argument("--members", metavar="NAME,...", help="only these member names may log in (default: any)")
    p.set_defaults(func=cmd_hub)


def proxy_command() -> str:
    """configurable-http-proxy: FORK_EXPLORER_HUB_PROXY, the checkout's .hub/ (./dev.sh), or PATH."""
    named = os.environ.get("FORK_EXPLORER_HUB_PROXY")
    if named:
        if not os.access(named, os.X_OK):
            raise ExplorerError("FORK_EXPLORER_HUB_PROXY={named} is not an executable", named=named)
        return named
    if os.access(LOCAL_PROXY, os.X_OK):
        return str(LOCAL_PROXY)
    found = shutil.which("configurable-http-proxy")
    if found:
        return found
    raise ExplorerError("configurable-http-proxy is not installed; run './dev.sh explore' or "
                        "'npm install --prefix .hub configurable-http-proxy'")


def hub_command() -> list[str]:
    exe = shutil.which("jupyterhub", path=os.path.dirname(sys.executable)) or shutil.which("jupyterhub")
    if exe is None:
        raise ExplorerError("jupyterhub is not installed; run './dev.sh explore' or 'pip install jupyterhub'")
    if not HUB_CONFIG.exists():
        raise ExplorerError("{file} is missing (the hub runs from a checkout of fork-explorer)", file=HUB_CONFIG)
    return [exe, "-f", str(HUB_CONFIG)]


def _member_names(words: str | None) -> str:
    if not words:
        return ""
    names = [n.strip() for n in words.split(",") if n.strip()]
    bad = [n for n in names if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", n)]
    if not names or bad:
        raise ExplorerError("--members {words!r}: names are letters, digits, '.', '_' or '-', comma-separated",
                            words=words)
    return ",".join(names)


def hub_env(port: int, state: Path, store: Path | None, password: str, members: str = "") -> dict:
    """The environment `jupyterhub -f deploy/jupyterhub_config.py` reads (and
    passes on to every member's server)."""
    env = dict(os.environ)
    env.update({
        "FORK_EXPLORER_HUB_PORT": str(port),
        "FORK_EXPLORER_HUB_PROXY_API_PORT": str(free_port()),
        "FORK_EXPLORER_HUB_API_PORT": str(free_port()),
        "FORK_EXPLORER_HUB_STATE": str(state),
        "FORK_EXPLORER_HUB_PROXY": proxy_command(),
        "FORK_EXPLORER_HUB_MEMBERS": members,
        PASSWORD_ENV: password,
        # the members' kernels import explorer from this checkout
        "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO_ROOT), os.environ.get("PYTHONPATH")])),
    })
    if store is not None:
        env["FORK_EXPLORER_ANNOTATIONS"] = str(store)
    return env


def _open_browser_when_up(url: str, port: int) -> None:
    def wait_and_open():
        for _ in range(240):           # up to two minutes
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    break
            except OSError:
                time.sleep(0.5)
        else:
            return
        webbrowser.open(url)
    threading.Thread(target=wait_and_open, daemon=True).start()


def cmd_hub(args) -> int:
    if args.port < 0 or args.port > 65535:
        raise ExplorerError("--port {port} is not a TCP port", port=args.port)
    members = _member_names(args.members)
    store = Path(args.annotations).resolve() if args.annotations else None
    if store is not None and store.exists() and not store.is_dir():
        raise ExplorerError("--annotations {store} is a file, not a folder", store=store)
    state = Path(args.state or REPO_ROOT / ".hub" / "state").resolve()
    password = os.environ.get(PASSWORD_ENV) or ""
    told = bool(password)
    if told and len(password) < MIN_PASSWORD:
        raise ExplorerError("{variable} must be at least {n} characters", variable=PASSWORD_ENV, n=MIN_PASSWORD)
    password = password or secrets.token_urlsafe(9)
    cmd = hub_command()
    if args.port:
        check_port(args.port)
    port = args.port or free_port()
    try:
        if store is not None:
            store.mkdir(parents=True, exist_ok=True)
        state.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise ExplorerError("cannot create {filename}: {strerror}", filename=e.filename, strerror=e.strerror) from None
    env = hub_env(port, state, store, password, members)
    url = f"http://127.0.0.1:{port}/"
    if store is not None:       # this process answers for the members' servers: the same folders
        os.environ["FORK_EXPLORER_ANNOTATIONS"] = str(store)
    notes, tours = paths.annotations_dir(), paths.tours_dir()
    print(f"fork-explorer: the shared room is on {url} (Ctrl-C to stop); notes go to {notes}, tours to {tours}",
          file=sys.stderr)
    print("fork-explorer: members log in with their name and "
          + (f"the password in {PASSWORD_ENV}" if told else f"the password {password}"), file=sys.stderr, flush=True)
    warm_room(env)
    if not args.no_browser:
        _open_browser_when_up(url, port)
    return run(cmd, cwd=str(state), env=env)
