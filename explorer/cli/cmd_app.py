"""serve | html: the reading room as a Voila app, and as a static page."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

from .. import load
from ..annotations import Store
from ..errors import ExplorerError
from ..paths import REPO_ROOT, home
from ..render.notes import notes_for
from ..static_export import export, page_scope
from . import emit
from .supervise import check_port, run

APP_NOTEBOOK = REPO_ROOT / "notebooks" / "app.ipynb"
APP_CODE = ("# The reading room (`fork-explorer serve` shows this cell's output in Voila and\n"
            "# nothing else): pick a version, tick clone flags to run the real code, click a\n"
            "# line to read its commentary.\n"
            "from explorer.widgets import App\n\napp = App()\napp")
# Our Voila template (serve_data/voila/templates/fork-explorer): the lab one without CDN links.
SERVE_DATA = Path(__file__).resolve().parents[1] / "serve_data"
TEMPLATE = "fork-explorer"


def app_notebook() -> Path:
    """The checkout's notebooks/app.ipynb; for an installed package without the
    checkout, the same one-cell app written under the fork-explorer home."""
    if APP_NOTEBOOK.exists():
        return APP_NOTEBOOK
    # Lazy on purpose: `import nbformat` took 12-21 s here (python -X importtime; jsonschema's
    # rfc3987_syntax builds a grammar at import), against ~1 s for the whole CLI; only an
    # installed package without the checkout ever reaches this line.
    import nbformat
    target = home() / "app" / "app.ipynb"
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(APP_CODE)])
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        nb.metadata["title"] = "fork-explorer"
        nbformat.write(nb, target)
    except OSError as e:
        raise ExplorerError("cannot write the app notebook {target}: {reason}", target=target, reason=e.strerror) from None
    return target


def register(sub) -> None:
    p = sub.add_parser("serve", help="open the explorer as a Voila app on 127.0.0.1")
    p.add_argument("--port", type=int, default=0, help="port (default: a free one)")
    p.add_argument("--no-browser", action="store_true", help="do not open a web browser")
    p.add_argument("--cull-idle", type=int, default=CULL_IDLE_S, metavar="SECONDS",
                   help=f"shut down the kernel of a page closed this long ago (default {CULL_IDLE_S})")
    p.set_defaults(func=cmd_serve)
    p = sub.add_parser("html", help="write a self-contained HTML page of a version (no network)")
    p.add_argument("label")
    p.add_argument("-o", "--output", required=True, metavar="DIR")
    p.add_argument("--function", help="only this function (default: the whole file)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_html)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


CULL_IDLE_S = 300
# After a cell's execute_reply, nbclient waits only this long for the cell's
# IOPub output and then renders the cell without it.  Its default (4 s) is
# wall-clock time on Voila's one event loop, which a room of readers keeps
# busy (templates compiled per request, hundreds of widget messages per
# kernel): with eight readers at once seven pages came without the app and
# waited forever.  The kernel always ends a cell with an idle status, so a
# long bound costs nothing when all is well.
IOPUB_TIMEOUT_S = 300


def voila_command(port: int, open_browser: bool, notebook: Path = APP_NOTEBOOK,
                  cull_idle: int = CULL_IDLE_S) -> list[str]:
    """The Voila command line serving the app notebook on 127.0.0.1 only."""
    voila = shutil.which("voila", path=os.path.dirname(sys.executable)) or shutil.which("voila")
    if voila is None:
        raise ExplorerError("voila is not installed; run './dev.sh explore' or 'pip install voila'")
    cmd = [voila, str(notebook), f"--port={port}", "--Voila.ip=127.0.0.1",
           "--Voila.port_retries=0", "--theme=light", f"--template={TEMPLATE}",
           # Keep one kernel with the app already executed, so a reader's page only
           # has to draw it.  Voila starts the next one in the background; not after a
           # fixed second (fill_delay) but once the reader's page is up (RoomKernelManager).
           "--preheat_kernel=True", "--pool_size=1", "--VoilaKernelManager.fill_delay=0",
           "--VoilaConfiguration.multi_kernel_manager_class=explorer.cli.room_kernels.RoomKernelManager",
           f"--VoilaExecutor.iopub_timeout={IOPUB_TIMEOUT_S}",
           # JupyterLab extensions the app does not use (jupytext's fails to load in Voila;
           # the app colours its code itself, so jupyterlab_pygments' theme is one more
           # script for every page to fetch and run for nothing).
           "--VoilaConfiguration.extension_denylist=['jupyterlab-jupytext', '@voila-dashboards/jupyterlab-preview', "
           "'jupyterlab_pygments']"]
    if cull_idle > 0:
        # A closed page's kernel (its websocket gone) is shut down once idle this
        # long; an open page's kernel is never culled (cull_connected stays off),
        # nor one whose page is still loading (room_kernels.RoomKernelManager).
        cmd += [f"--MappingKernelManager.cull_idle_timeout={cull_idle}",
                f"--MappingKernelManager.cull_interval={max(1, min(60, cull_idle // 2))}"]
    if not open_browser:
        cmd.append("--no-browser")
    return cmd


WARM_CODE = """
from explorer import sources
from explorer.annotations import Store
from explorer.render import render_lines
from explorer.widgets.app import default_label
label = default_label(sources.available())
if label:
    from explorer import load
    render_lines(load(label))
Store()
"""


def warm_room(env: dict) -> None:
    """Before any reader comes: do once, in a short-lived process, what every
    reader's kernel needs equally (the highlighted source of the version the app
    opens on, every annotation file read); explorer.computed keeps it on disk
    for the kernels.  A failure here only means the first kernel does it."""
    try:
        subprocess.run([sys.executable, "-c", WARM_CODE], env=env, cwd=str(REPO_ROOT), timeout=120,
                       stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired):
        pass


def cmd_serve(args) -> int:

    if args.port < 0 or args.port > 65535:
        raise ExplorerError("--port {port} is not a TCP port", port=args.port)
    if args.cull_idle < 0:
        raise ExplorerError("--cull-idle {seconds} is negative (0 turns culling off)", seconds=args.cull_idle)
    notebook = app_notebook()
    if args.port:
        check_port(args.port)
    port = args.port or free_port()
    cmd = voila_command(port, not args.no_browser, notebook, args.cull_idle)
    print(f"fork-explorer: serving on http://127.0.0.1:{port}/ (Ctrl-C to stop)", file=sys.stderr, flush=True)
    env = dict(os.environ)
    # The notebook imports explorer from this checkout even when run from elsewhere.
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
    # Where Voila finds our template (Jupyter data directories are searched in this order).
    env["JUPYTER_PATH"] = os.pathsep.join(filter(None, [str(SERVE_DATA), env.get("JUPYTER_PATH")]))
    warm_room(env)
    return run(cmd, cwd=str(notebook.parent), env=env)


def cmd_html(args) -> int:


    mod = load(args.label)
    if args.function:
        mod.function(args.function)  # a typed error for a name the version lacks
    # a page shared with a group must not silently lack the notes of a broken file
    store = Store().require_valid("the page would lack its notes")
    notes = notes_for(mod, store)
    page = export(mod, args.output, notes, function=args.function)
    rendered, on_page = page_scope(mod, notes, args.function)
    emit({"label": mod.label, "page": str(Path(page).resolve()),
          "lines": rendered.last_line - rendered.first_line + 1, "notes": len(on_page)},
         args.json, lambda o: f"wrote {o['page']} ({o['lines']} lines, {o['notes']} notes)")
    return 0
