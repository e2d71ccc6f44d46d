"""A room of readers: four people open the app at the same moment against one
`fork-explorer serve`, each with a browser of their own (issue 21).

Before the fix, most pages of a crowded room came without the app at all and
waited forever (Voila gave up on the cell's output after 4 s of a busy event
loop).  The bound below is not a speed target (benchmarks/bench_room.py
measures that): it only turns "never" into a failure instead of a hang."""
from __future__ import annotations

import asyncio
import os

import pytest

from conftest import need
from harness import chromium_missing, room, serve_process

pytestmark = pytest.mark.browser

LABEL = "debian-6.12"
READERS = 4
NEVER_S = 300.0


async def what_a_reader_sees(page):
    return {
        "label": await page.locator(".fx-ready").get_attribute("data-label"),
        "rows": await page.locator(".fx-view tr[data-line]").count(),
    }


def test_four_readers_at_once_all_get_the_app():
    why = chromium_missing()
    if why:
        if os.environ.get("CI"):
            pytest.fail(why)
        pytest.skip(why)
    mod = need(LABEL)
    with serve_process() as (url, _proc):
        results = asyncio.run(room(url, READERS, timeout=NEVER_S, check=what_a_reader_sees))
    not_ready = [i for i, (took, _) in enumerate(results) if took is None]
    assert not not_ready, f"readers {not_ready} of {READERS} never got the app"
    for _took, seen in results:
        assert seen["label"] == LABEL
        assert seen["rows"] == mod.line_count      # the whole real file, in every reader's page


CULL_S = 5


def test_a_reader_who_left_is_culled_and_one_who_comes_back_gets_a_fresh_page():
    """A tab that vanished without saying goodbye (crash, lid closed: no
    beforeunload, so Voila's page cannot ask for its kernel's shutdown) leaves
    an idle kernel with no connection; serve's culling shuts it down.  Opening
    the app again gives a new page with its own kernel and nothing of the old one."""
    import time

    from harness import browser, kernels_of, open_app

    why = chromium_missing()
    if why:
        if os.environ.get("CI"):
            pytest.fail(why)
        pytest.skip(why)
    need(LABEL)
    with serve_process(args=("--cull-idle", str(CULL_S))) as (url, proc), browser() as b:
        time.sleep(4 * CULL_S)       # the pre-heated kernel has waited in the pool longer than the culling time
        page, _ = open_app(b, url, timeout_ms=300000)
        flag = page.locator(".fx-playground .fx-flag").filter(has_text="CLONE_THREAD").locator("input")
        flag.check()
        page.wait_for_function("document.querySelector('.fx-outcome').innerText.includes('EINVAL')")
        readers_kernel = set(kernels_of(proc.pid))
        page.close(run_before_unload=False)
        deadline = time.monotonic() + 3 * CULL_S + 120
        while time.monotonic() < deadline and readers_kernel <= set(kernels_of(proc.pid)):
            time.sleep(1)
        assert not readers_kernel <= set(kernels_of(proc.pid)), "the left reader's kernel was never culled"
        again, _ = open_app(b, url, timeout_ms=300000)
        assert again.locator(".fx-ready").get_attribute("data-label") == LABEL
        assert not again.locator(".fx-playground .fx-flag").filter(has_text="CLONE_THREAD") \
            .locator("input").is_checked()
