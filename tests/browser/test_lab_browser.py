"""The tour notebooks in a real JupyterLab: `python -m explorer.lab` (what
`./dev.sh explore --lab` runs) on 127.0.0.1, Debian's chromium driven by
Playwright.

JupyterLab serves a temporary git repository holding a copy of notebooks/, so a
save can be checked with `git status` without touching this checkout; its own
settings and workspace folders are temporary too, so nothing a developer set
in ~/.jupyter decides the outcome."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from contextlib import contextmanager

import pytest

from conftest import REPO, need, need_tool
from harness import ARTIFACTS, browser, free_port, need_chromium, running

pytestmark = pytest.mark.browser

PREFERRED = ("debian-6.12", "debian-6.1")     # notebook 04's first_available(...)
OUTSIDE = re.compile(r"^(?!https?://127\.0\.0\.1[:/])[a-z]+://")


@contextmanager
def lab_server(root, tmp, timeout: float = 180.0):
    """JupyterLab on `root`/notebooks through python -m explorer.lab; yields its URL."""
    port = free_port()
    env = dict(os.environ, PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""),
               JUPYTERLAB_SETTINGS_DIR=str(tmp / "settings"), JUPYTERLAB_WORKSPACES_DIR=str(tmp / "workspaces"),
               PYTHONUNBUFFERED="1")
    cmd = [sys.executable, "-m", "explorer.lab", "notebooks", "--no-browser", "--ip", "127.0.0.1",
           "--port", str(port), "--IdentityProvider.token=", "--ServerApp.password=",
           "--ServerApp.open_browser=False"]
    url = f"http://127.0.0.1:{port}"
    with running(cmd, cwd=root, env=env, what="jupyter lab", answers=url + "/api/status", timeout=timeout) as (_p, log):
        yield url, log


def git(root, *args) -> str:
    return subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, text=True,
                          env=dict(os.environ, GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@t",
                                   GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@t")).stdout


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    need_chromium()
    need_tool("git", "the notebooks are opened in a git checkout, to see that opening changes nothing")
    from explorer import sources
    label = next((lb for lb in PREFERRED if lb in sources.available()), None)
    mod = need(label or PREFERRED[0])
    tmp = tmp_path_factory.mktemp("lab")
    root = tmp / "repo"
    shutil.copytree(REPO / "notebooks", root / "notebooks",
                    ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
    shutil.copy(REPO / ".gitignore", root / ".gitignore")     # what the repository ignores (checkpoints)
    git(root, "init", "-q")
    git(root, "add", ".gitignore", "notebooks")
    git(root, "commit", "-qm", "the tour as the repository has it")
    ARTIFACTS.mkdir(exist_ok=True)
    with lab_server(root, tmp) as (url, log), browser() as b:
        yield {"url": url, "root": root, "browser": b, "mod": mod, "log": log}


def open_page(lab, width=1440, height=900):
    page = lab["browser"].new_page(viewport={"width": width, "height": height})
    page.set_default_timeout(180000)     # a kernel start and Run All on a busy 2-core machine
    outside: list[str] = []

    def refuse(route):
        outside.append(route.request.url)
        route.abort()

    page.route(OUTSIDE, refuse)
    page.outside = outside
    return page


def current_tab(page):
    return page.locator(".lm-DockPanel-tabBar .lm-TabBar-tab.lm-mod-current")


def wait_idle(page):
    """The notebook's kernel is started and idle (the status bar says so)."""
    page.wait_for_function("""() => [...document.querySelectorAll('.jp-StatusBar-TextItem')]
      .some(e => /\\| Idle$/.test(e.textContent.trim()))""")


def wait_clean(page):
    page.wait_for_function("() => { const t = document.querySelector("
                           "'.lm-DockPanel-tabBar .lm-TabBar-tab.lm-mod-current');"
                           " return t && !t.classList.contains('jp-mod-dirty'); }")


def open_notebook(page, lab, name):
    page.goto(f"{lab['url']}/lab/tree/{name}")
    page.wait_for_selector(".jp-NotebookPanel .jp-Cell", state="attached")
    wait_idle(page)


def run_all(page):
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
    page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Run All Cells$")).click()
    # every code cell has its execution count and the kernel is idle again
    page.wait_for_function("""() => {
      const nb = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
      const prompts = [...nb.querySelectorAll('.jp-CodeCell .jp-InputArea-prompt')].map(p => p.textContent);
      const ind = nb.querySelector('.jp-Notebook-ExecutionIndicator');
      return prompts.length && prompts.every(p => /\\[\\d+\\]/.test(p)) && ind && ind.dataset.status === 'idle';
    }""")


def save(page):
    page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook").click(position={"x": 5, "y": 5})
    page.keyboard.press("Control+s")
    wait_clean(page)


def playground_state(page) -> dict:
    return page.evaluate("""() => {
      const nb = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
      const out = nb.querySelector('.fx-outcome').innerText;
      const info = nb.querySelector('.fx-step-info').innerText;
      const ctl = nb.querySelector('.fx-step-control');
      const view = nb.querySelector('.fx-view');
      const lines = sel => [...view.querySelectorAll(sel)].map(tr => +tr.dataset.line);
      return {outcome: out, info, value: +ctl.dataset.value, max: +ctl.querySelector('input').max,
              executed: lines('tr.fx-x'), decided: lines('tr.fx-decide'), cause: lines('tr.fx-cause'),
              step: lines('tr.fx-step')};
    }""")


def python_playground(mod, *flags):
    """The same playground, in this process: what the page must agree with."""
    from explorer.widgets import SourceView
    from explorer.widgets.playground import FlagPlayground
    pg = FlagPlayground(SourceView(mod))
    pg.set_module(mod)
    pg.set_flags(*flags)
    return pg


def assert_agrees(state, pg):
    n = len(pg.trace.steps)
    assert f"{n} steps" in state["outcome"]
    assert state["info"].startswith(f"step {n}/{n}:"), state["info"]
    assert state["value"] == state["max"] == n - 1
    assert state["executed"] == pg.executed_lines(pg.trace)
    assert state["decided"] == [pg.trace.outcome.line]


def flag_box(page, name):
    return page.locator(f".jp-NotebookPanel:not(.lm-mod-hidden) .fx-playground "
                        f".fx-flag:has(:text-is('{name}')) input[type=checkbox]")


def clipped_flags(page) -> dict:
    """Flag names that do not fit their box, and whether the grid needs a sideways scroll."""
    return page.evaluate("""() => {
      const nb = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
      const grid = nb.querySelector('.fx-playground .fx-flag').parentElement;
      const clipped = [...grid.querySelectorAll('.fx-flag')].filter(box => {
        const label = box.querySelector('label, .widget-label-basic');
        const r = box.getBoundingClientRect(), g = grid.getBoundingClientRect();
        return (label && label.scrollWidth > label.clientWidth + 1) || r.right > g.right + 1;
      }).map(b => b.innerText.trim());
      const area = grid.closest('.jp-OutputArea-output');
      return {clipped, scroll: grid.scrollWidth > grid.clientWidth + 1, n: grid.querySelectorAll('.fx-flag').length,
              area: area ? Math.round(area.getBoundingClientRect().width) : 0,
              columns: getComputedStyle(grid).gridTemplateColumns.split(' ').length};
    }""")


def test_notebook_04_run_all_agrees_and_a_ticked_box_shows_the_guard_and_its_note(lab):
    from explorer.render.notes import notes_for

    mod = lab["mod"]
    page = open_page(lab)
    open_notebook(page, lab, "04_flag_playground.ipynb")
    wait_clean(page)
    assert "jp-mod-dirty" not in current_tab(page).get_attribute("class")    # opening is not a change
    run_all(page)
    page.wait_for_selector(".fx-view[data-ready] tr[data-line]", state="attached")
    # cell 2 leaves CLONE_THREAD|CLONE_SIGHAND|CLONE_VM ticked, after CLONE_THREAD alone
    state = playground_state(page)
    pg = python_playground(mod, "CLONE_THREAD", "CLONE_SIGHAND", "CLONE_VM")
    assert "success: pid" in state["outcome"]
    assert_agrees(state, pg)
    assert state["cause"] == [] and state["step"] == []
    page.screenshot(path=str(ARTIFACTS / "lab-04-run-all-1440.png"))

    # the reader unticks CLONE_SIGHAND and CLONE_VM: CLONE_THREAD alone, -EINVAL at the guard
    flag_box(page, "CLONE_SIGHAND").uncheck()
    page.wait_for_function("document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden) .fx-outcome')"
                           ".innerText.includes('success') === false")
    flag_box(page, "CLONE_VM").uncheck()
    page.wait_for_function("document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden) .fx-outcome')"
                           ".innerText.includes('EINVAL')")
    pg = python_playground(mod, "CLONE_THREAD")
    page.wait_for_function(f"document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden) .fx-step-info')"
                           f".innerText.startsWith('step {len(pg.trace.steps)}/')")
    state = playground_state(page)
    assert "-EINVAL" in state["outcome"]
    assert_agrees(state, pg)
    note = next(n for n in notes_for(mod) if n.key == "copy_process.guard.thread-needs-sighand")
    cause = pg.trace.cause()
    assert state["cause"] == [cause.line] and note.line == cause.line     # the guard is marked, its note sits there
    row = page.locator(f".jp-NotebookPanel:not(.lm-mod-hidden) .fx-view tr[data-line='{note.line}']")
    assert row.locator(".fx-mark").count() >= 1     # the fork entry carries one note or more
    row.scroll_into_view_if_needed()
    row.click()
    panel = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .fx-view .fx-panel")
    page.wait_for_function("el => el.innerText.includes('CLONE_THREAD')", arg=panel.element_handle())
    text = panel.inner_text()
    assert "No commentary" not in text and note.en.split()[0] in text and note.ja[:8] in text
    page.screenshot(path=str(ARTIFACTS / "lab-04-thread-guard-note-1440.png"))

    # the reader moves the step slider: text, marks and slider name the same step of this run
    n = len(pg.trace.steps)
    page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .fx-step-control input").fill("3")
    page.wait_for_function(f"document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden) .fx-step-info')"
                           f".innerText.startsWith('step 4/{n}:')")
    page.wait_for_function("document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden) .fx-step-control')"
                           ".dataset.value === '3'")
    # the source view's marks come in a message of their own, after the text's and the slider's
    page.wait_for_selector(f".jp-NotebookPanel:not(.lm-mod-hidden) .fx-view tr.fx-step[data-line='{pg.trace.steps[3].line}']",
                           state="attached")
    state = playground_state(page)
    assert state["step"] == [pg.trace.steps[3].line] and state["decided"] == []
    assert state["executed"] == pg.executed_lines(pg.trace, 3)
    page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .fx-playground button[title='last step']").click()
    page.wait_for_function(f"document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden) .fx-step-info')"
                           f".innerText.startsWith('step {n}/{n}:')")
    assert_agrees(playground_state(page), pg)

    # the flag grid at JupyterLab's default widths, file browser open
    grid = clipped_flags(page)
    assert grid["n"] >= 20 and grid["clipped"] == [] and not grid["scroll"], grid
    page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .fx-playground").scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "lab-04-flag-grid-1440.png"))
    page.set_viewport_size({"width": 1024, "height": 768})
    page.wait_for_timeout(300)      # JupyterLab relayouts on resize (a frame or two)
    small = clipped_flags(page)
    assert small["clipped"] == [] and not small["scroll"], small
    page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .fx-playground").scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "lab-04-flag-grid-1024.png"))
    print(f"flag grid: {grid['area']} px output area, {grid['columns']} columns; "
          f"1024x768: {small['area']} px, {small['columns']} columns")

    # running wrote nothing the repository tracks
    save(page)
    assert git(lab["root"], "status", "--porcelain") == ""
    assert page.outside == []
    page.close()


def test_the_md_twin_opens_as_a_notebook_and_its_source_view_has_commentary(lab):
    from explorer.render.notes import notes_for

    mod = lab["mod"]
    page = open_page(lab)
    # /lab/tree/FILE opens a file with its default viewer, as a double-click in
    # the file browser does: for the .md twin that must be the notebook.
    page.goto(f"{lab['url']}/lab/tree/02_modern_kernel_clone.md")
    page.wait_for_selector(".lm-DockPanel-tabBar .lm-TabBar-tab.lm-mod-current:has-text('02_modern_kernel_clone.md')")
    page.wait_for_selector(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Cell", state="attached")
    assert current_tab(page).inner_text().strip() == "02_modern_kernel_clone.md"
    assert page.locator(".jp-FileEditor").count() == 0
    wait_idle(page)
    wait_clean(page)
    run_all(page)
    page.wait_for_selector(".jp-NotebookPanel:not(.lm-mod-hidden) .fx-view[data-ready] tr[data-line]", state="attached")
    # notebook 02 picks debian-6.12 first as well; its view is the fork entry
    fn = mod.fork_entry
    note = next(n for n in notes_for(mod) if fn.start_line <= n.line <= fn.end_line)
    row = page.locator(f".jp-NotebookPanel:not(.lm-mod-hidden) .fx-view tr[data-line='{note.line}']")
    assert row.locator(".fx-mark").count() >= 1     # the fork entry carries one note or more
    row.scroll_into_view_if_needed()
    row.click()
    panel = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .fx-view .fx-panel")
    page.wait_for_function("el => el.querySelector('.fx-note-view') !== null", arg=panel.element_handle())
    assert "No commentary" not in panel.inner_text()
    page.screenshot(path=str(ARTIFACTS / "lab-02-md-twin-note-1440.png"))
    save(page)
    assert git(lab["root"], "status", "--porcelain") == ""
    assert page.outside == []
    page.close()
