"""Start the Voila app and Debian's chromium for the browser test and benchmark.

Readiness is waited for on explicit signals, never fixed sleeps: Voila's own
"is running at" line on its log, then an HTTP answer, then in the page the
source view's data-ready attribute and the app's .fx-ready marker (SHOWN_PROBE
times the first frame that shows them)."""
from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("FORK_EXPLORER_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync",
                 "--disable-default-apps", "--disable-extensions"]
ARTIFACTS = REPO / "test-artifacts"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def chromium_missing() -> str | None:
    if not Path(CHROMIUM).exists():
        return f"{CHROMIUM} is not installed (apt-get install chromium fonts-noto-cjk; ./dev.sh test does)"
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "playwright is not installed"
    if shutil.which("fc-list"):
        ja = subprocess.run(["fc-list", ":lang=ja", "family"], capture_output=True, text=True).stdout
        if not ja.strip():
            return "no Japanese font is installed (apt-get install fonts-noto-cjk; ./dev.sh test does)"
    return None


def need_chromium() -> None:
    """Skip (fail under CI, through conftest's one rule) when the browser is missing."""
    from conftest import unavailable   # here, not at the top: benchmarks import this harness without tests/ on the path
    why = chromium_missing()
    if why:
        unavailable(why)


@contextmanager
def app_server(env_extra: dict | None = None, timeout: float = 120.0):
    """`fork-explorer serve --no-browser` on a free port; yields its URL once it answers."""
    with serve_process(env_extra, timeout) as (url, _proc):
        yield url


def server_tree(pid: int) -> list:
    """The serve process and every process under it (Voila, kernels)."""
    import psutil
    try:
        root = psutil.Process(pid)
        return [root] + root.children(recursive=True)
    except psutil.Error:
        return []


@contextmanager
def running(cmd: list[str], *, cwd, env: dict, what: str, answers: str, timeout: float = 120.0):
    """Run `cmd` in a process group of its own until the block ends (then the whole
    group is stopped); yields (Popen, log lines) once its log has said "is running
    at" and the URL `answers` gives any HTTP answer (a 404 too: the server is up)."""
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, start_new_session=True)
    started = threading.Event()
    log: list[str] = []

    def pump():
        for line in proc.stdout:
            log.append(line)
            if "is running at" in line:
                started.set()

    threading.Thread(target=pump, daemon=True).start()
    try:
        deadline = time.monotonic() + timeout
        while not started.wait(0.2):
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{what} did not start:\n" + "".join(log[-30:]))
        while True:         # the log line comes a moment before the port answers
            try:
                with urllib.request.urlopen(answers, timeout=5):
                    break
            except urllib.error.HTTPError:
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"{what} does not answer:\n" + "".join(log[-30:]))
                time.sleep(0.1)
        yield proc, log
    finally:
        stop_group(proc, 15)


def stop_group(proc: subprocess.Popen, grace: float) -> None:
    """SIGTERM to the process group `proc` leads; SIGKILL if it is not gone after `grace` seconds."""
    try:
        os.killpg(proc.pid, 15)
    except ProcessLookupError:
        pass
    try:
        proc.wait(grace)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, 9)
        proc.wait()


@contextmanager
def serve_process(env_extra: dict | None = None, timeout: float = 120.0, port: int | None = None,
                  args: tuple[str, ...] = ()):
    """Like app_server, but yields (url, Popen) so callers can watch its processes;
    `args` go to `serve`."""
    port = port or free_port()
    env = dict(os.environ, **(env_extra or {}))
    env.setdefault("PYTHONUNBUFFERED", "1")
    cmd = [sys.executable, "-m", "explorer", "serve", "--port", str(port), "--no-browser", *args]
    url = f"http://127.0.0.1:{port}/"
    # Up when Voila's static route answers.  Not the app's URL: each GET of it runs the
    # app in a kernel of its own that nobody reads (and a slow one, timing out here,
    # was asked again: another kernel).
    with running(cmd, cwd=REPO, env=env, what="voila", answers=url + "voila/static/", timeout=timeout) as (proc, _log):
        yield url, proc


@contextmanager
def browser():
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


# When a reader first sees the source: the first frame painted after the source
# view's rows and the app's .fx-ready marker are both in the page.  A MutationObserver
# notes the moment they are; requestAnimationFrame, then a task after that frame, says
# it has been drawn.  Measured by the page's own clock from navigation, so neither
# Playwright's polling nor its round trips to the page are counted.
SHOWN_PROBE = """
(() => {
  const seen = () => document.querySelector('.fx-view[data-ready] tr[data-line]') && document.querySelector('.fx-ready');
  const obs = new MutationObserver(() => {
    if (!seen()) return;
    obs.disconnect();
    requestAnimationFrame(() => setTimeout(() => { window.__fxShownAt = performance.now(); }, 0));
  });
  obs.observe(document, {subtree: true, childList: true, attributes: true});
})();
"""


def goto_ready(page, url: str) -> dict:
    """Open the app in `page` and wait until it is ready; seconds from navigation to
    {"shown": the first frame with the source drawn, "answered": Playwright seeing both
    markers and the page running a script for it (later when the page is still busy
    drawing the parts below the source)}."""
    page.add_init_script(SHOWN_PROBE)
    page.goto(url)
    page.wait_for_selector(".fx-view[data-ready] tr[data-line]", state="attached")
    page.wait_for_selector(".fx-ready", state="attached")
    answered = page.evaluate("performance.now()")
    shown = page.evaluate("new Promise((ok) => { const t = () => window.__fxShownAt ? ok(window.__fxShownAt) "
                          ": setTimeout(t, 10); t(); })")
    return {"shown": shown / 1000.0, "answered": answered / 1000.0}


def open_app(b, url: str, timeout_ms: int = 60000):
    """A page with the app rendered; returns (page, seconds from navigation to the source shown)."""
    page = b.new_page(viewport={"width": 1500, "height": 1100})
    page.set_default_timeout(timeout_ms)
    # The reading room must work offline: anything not on 127.0.0.1 is refused
    # (Voila's template asks a CDN for icon fonts; the app does not need them).
    page.route(re.compile(r"^(?!https?://127\.0\.0\.1[:/])[a-z]+://"), lambda route: route.abort())
    return page, goto_ready(page, url)["shown"]


LOCAL = re.compile(r"^(https?|wss?)://127\.0\.0\.1[:/]|^(data|blob|about|file):")


def open_room(b, url: str, width: int, height: int, locale: str, timeout_ms: int = 120000):
    """A page of the app at one window size and browser language, offline: anything
    not on 127.0.0.1 is refused, and listed (returns page, seconds to ready, that list)."""
    ctx = b.new_context(viewport={"width": width, "height": height}, locale=locale)
    page = ctx.new_page()
    page.set_default_timeout(timeout_ms)
    outside: list[str] = []
    page.on("request", lambda r: None if LOCAL.match(r.url) else outside.append(r.url))
    page.on("websocket", lambda ws: None if LOCAL.match(ws.url) else outside.append(ws.url))
    page.route(re.compile(r"^(?!https?://127\.0\.0\.1[:/])[a-z]+://"), lambda route: route.abort())
    return page, goto_ready(page, url)["shown"], outside


# A jump timed inside the page: performance.now() at the reader's click or change
# (captured before any handler), to the moment the source pane has scrolled to the
# line and marked it (data-jumped-at, written by source_view.js right after).
JUMP_ARM = """
() => {
  const view = document.querySelector('.fx-read .fx-view');
  window.__jump = {t0: null, rev: view.dataset.jumpRev || ''};
  const mark = () => { if (window.__jump.t0 === null) window.__jump.t0 = performance.now(); };
  window.__jump.off = () => { document.removeEventListener('click', mark, true);
                              document.removeEventListener('change', mark, true); };
  document.addEventListener('click', mark, true);
  document.addEventListener('change', mark, true);
}
"""
JUMP_DONE = "() => (document.querySelector('.fx-read .fx-view').dataset.jumpRev || '') !== window.__jump.rev"
JUMP_MS = """
() => { window.__jump.off();
  const v = document.querySelector('.fx-read .fx-view');
  return {ms: +v.dataset.jumpedAt - window.__jump.t0, line: +v.dataset.jumpLine}; }
"""


def timed_jump(page, action) -> dict:
    """Do `action()` (a click or a choice) and wait for the source pane's jump;
    returns {ms, line}."""
    page.evaluate(JUMP_ARM)
    action()
    page.wait_for_function(JUMP_DONE)
    return page.evaluate(JUMP_MS)


# Where a row is, seen by a reader: inside the source pane's visible area or not.
ROW_IN_PANE = """
(tr) => { const pane = tr.closest('.fx-scroll').getBoundingClientRect(), r = tr.getBoundingClientRect();
  return r.height > 0 && r.top >= pane.top - 1 && r.bottom <= pane.bottom + 1; }
"""


# In-page latency probe: performance.now() when the input event fires, and when
# the source view's trace revision (set right after the highlight classes are
# applied) changes.  Playwright's own round trip is not counted.
LATENCY_PROBE = """
() => {
  if (window.__fx) return;
  const view = document.querySelector('.fx-view');
  window.__fx = {t0: null, samples: [], last: null};
  document.addEventListener('change', (ev) => {
    if (ev.target.closest && ev.target.closest('.fx-playground')) window.__fx.t0 = performance.now();
  }, true);
  new MutationObserver(() => {
    const rev = view.dataset.traceRev;
    if (rev !== window.__fx.last && window.__fx.t0 !== null) {
      window.__fx.samples.push(performance.now() - window.__fx.t0);
      window.__fx.t0 = null;
    }
    window.__fx.last = rev;
  }).observe(view, {attributes: true, attributeFilter: ['data-trace-rev']});
  window.__fx.last = view.dataset.traceRev;
}
"""


READY_JS = ("() => !!document.querySelector('.fx-view[data-ready] tr[data-line]')"
            " && !!document.querySelector('.fx-ready')")


async def room(url: str, n: int, timeout: float = 180.0, check=None) -> list[tuple[float | None, object]]:
    """n readers, each its own chromium process, open the app at the same moment.

    The browsers are launched first (not timed); then every page navigates at
    once.  Returns, per reader, (seconds from the common start to ready, or
    None if not ready within `timeout`; await check(page) on a ready page)."""
    import asyncio

    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        launched = [await pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
                    for _ in range(n)]
        pages = []
        for b in launched:
            page = await b.new_page(viewport={"width": 1440, "height": 900})
            await page.route(re.compile(r"^(?!https?://127\.0\.0\.1[:/])[a-z]+://"),
                             lambda route: route.abort())
            pages.append(page)
        t0 = time.monotonic()

        async def one(page):
            try:
                await page.goto(url, timeout=timeout * 1000)
                left = max(1.0, timeout - (time.monotonic() - t0))
                await page.wait_for_function(READY_JS, timeout=left * 1000, polling=200)
            except Exception:
                return None, None
            took = time.monotonic() - t0
            return took, (await check(page) if check is not None else None)

        try:
            return await asyncio.gather(*(one(p) for p in pages))
        finally:
            for b in launched:
                await b.close()


def kernel_processes(pid: int) -> list:
    """The kernels under a serve process (psutil processes)."""
    import psutil
    out = []
    for p in server_tree(pid):
        try:
            if "ipykernel_launcher" in " ".join(p.cmdline()):
                out.append(p)
        except psutil.Error:
            pass
    return out


def kernels_of(pid: int) -> list[int]:
    """Pids of the kernels under a serve process."""
    return [p.pid for p in kernel_processes(pid)]


def settle(pid: int, kernel_since: float = 0.0, quiet: float = 10.0, timeout: float = 120.0) -> None:
    """Wait until Voila's pool holds a kernel started at or after `kernel_since`
    (time.time(); the refill after the last reader) and the server's processes use
    less than `quiet` % of a CPU over a second: that kernel has run the app.  Serve
    holds a refill while a page loads, so a quiet server alone does not mean a full pool."""
    import time

    import psutil
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        fresh = []
        for p in kernel_processes(pid):
            try:
                if p.create_time() >= kernel_since:
                    fresh.append(p)
            except psutil.Error:
                pass
        if fresh:
            procs = server_tree(pid)
            for pr in procs:
                try:
                    pr.cpu_percent(None)
                except psutil.Error:
                    pass
            time.sleep(1.0)
            busy = 0.0
            for pr in procs:
                try:
                    busy += pr.cpu_percent(None)
                except psutil.Error:
                    pass
            if busy < quiet:
                return
        else:
            time.sleep(0.25)
