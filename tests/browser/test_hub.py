"""A shared room on JupyterHub (issue 16): a real hub, configurable-http-proxy
and one single-user server per member, started by `fork-explorer hub`; the
members drive Debian's chromium through Playwright, each in a browser context
of their own (their own hub login cookie).

- two members save a note at the same moment into the one shared store: both
  land (the editor rereads a file another member changed and applies its note
  on top), each with its author, and each member sees the other's note, with
  the author's name, after a reload;
- the link a member copies for a line (?version=&line=) opens that version on that line for
  another member (through the hub's user-redirect, to their own server);
- stopping the hub leaves no process of its tree behind.

- the leader's link to a tour stop opens that tour at that stop, on its line,
  for another member."""
from __future__ import annotations

import asyncio
import re
import shutil

import pytest

from conftest import need, unavailable
from harness import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, REPO, chromium_missing
from hub_harness import OFFLINE, PASSWORD, hub_missing, hub_process

pytestmark = pytest.mark.browser

LABEL = "debian-6.12"        # the version the app opens on
FUNCTION = "copy_process"    # both notes go into one file: the second save meets the first
SPAWN_MS = 300_000           # a member's server, started on a busy 2-core machine


@pytest.fixture(scope="module")
def room(tmp_path_factory):
    """A running hub with an empty shared annotation store: (url, store path)."""
    why = chromium_missing() or hub_missing()
    if why:
        unavailable(why)
    mod = need(LABEL)
    work = tmp_path_factory.mktemp("hub")
    store = work / "shared-annotations"
    # the group's shared folder: no notes yet, the shipped tours in its tours/ (explorer.paths.tours_dir)
    shutil.copytree(REPO / "kernel-src" / "tours", store / "tours")
    with hub_process(work, store) as (url, _proc, stray):
        yield url, store, mod
    left = stray()
    assert not left, f"processes of the hub left running after it stopped: {[p.pid for p in left]}"


def statement_lines(mod, function: str, n: int) -> list[int]:
    """n lines of `function` that start a statement (a click there selects it),
    spread over the function."""
    from explorer.widgets.source_view import SourceView
    view = SourceView(mod)
    fn = mod.functions[function]
    spans = {sp.node_id: sp for sp in view._rendered.spans}
    lines = [ln for ln in range(fn.start_line + 1, fn.end_line)
             if view.line_statement(ln) and spans[view.line_statement(ln)].start_line == ln
             and spans[view.line_statement(ln)].kind != "function_definition"]
    step = max(1, len(lines) // (n + 1))
    return [lines[step * (i + 1)] for i in range(n)]


async def member(browser, url: str, name: str, path: str = ""):
    """A member's page: logged in through the hub's form, the app ready."""
    ctx = await browser.new_context(viewport={"width": 1440, "height": 900})
    page = await ctx.new_page()
    page.set_default_timeout(SPAWN_MS)
    await page.route(OFFLINE, lambda route: route.abort())
    # a link opened before logging in: the hub asks for the login first, then follows it
    await page.goto(path if path.startswith("http") else url + (path.lstrip("/") if path else "hub/login"))
    await page.fill("#username_input", name)
    await page.fill("#password_input", PASSWORD)
    await page.click("#login_submit")
    await ready(page)
    return page


async def ready(page) -> None:
    await page.wait_for_selector(".fx-view[data-ready] tr[data-line]", state="attached")
    await page.wait_for_selector(".fx-ready", state="attached")


async def open_editor(page) -> None:
    """The editor is a tab of the tools panel under the source (issue 15's layout)."""
    await page.locator(".fx-tools .lm-TabBar-tab").filter(has_text="Annotation editor").click()
    await page.locator(".fx-edit-en textarea").wait_for(state="visible")


async def select_line(page, line: int) -> None:
    await page.locator(f".fx-view tr[data-line='{line}']").click()
    await page.wait_for_function(
        "(n) => document.querySelector('.fx-view tr.fx-sel')?.dataset.line === String(n)", arg=line)


async def notes_on_line(page, line: int) -> list[dict]:
    await select_line(page, line)
    boxes = page.locator(".fx-view .fx-note-view")
    await boxes.first.wait_for(state="attached")
    return [{"text": await b.inner_text(),
             "author": (await b.locator(".fx-author").inner_text()) if await b.locator(".fx-author").count() else ""}
            for b in await boxes.all()]


async def launch(pw):
    return await pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)


def test_two_members_save_at_once_both_notes_land_with_their_authors(room):
    from playwright.async_api import async_playwright

    from explorer.annotations import Store

    url, store_dir, mod = room
    line_a, line_b = statement_lines(mod, FUNCTION, 2)
    words = {"alice": f"alice reads line {line_a} first", "bob": f"bob's remark on line {line_b}"}

    async def scenario():
        async with async_playwright() as pw:
            browser = await launch(pw)
            try:
                alice, bob = await asyncio.gather(member(browser, url, "alice"), member(browser, url, "bob"))
                for page, line, name in ((alice, line_a, "alice"), (bob, line_b, "bob")):
                    await select_line(page, line)
                    await page.wait_for_function(
                        "(n) => document.querySelector('.fx-editor').innerText.includes('New annotation on line ' + n)",
                        arg=line)
                    await open_editor(page)
                    await page.locator(".fx-edit-en textarea").fill(words[name])
                # both press Save at the same moment
                await asyncio.gather(*(p.locator(".fx-save").click() for p in (alice, bob)))
                msgs = {}
                for name, page in (("alice", alice), ("bob", bob)):
                    await page.wait_for_function(
                        "() => document.querySelector('.fx-edit-msg').innerText.trim() !== ''")
                    msgs[name] = await page.locator(".fx-edit-msg").inner_text()
                ARTIFACTS.mkdir(exist_ok=True)
                await bob.screenshot(path=str(ARTIFACTS / "hub-bob-saved-1440.png"))
                on_disk.update({a.author: a for a in Store(store_dir).list(function=FUNCTION)})
                # each reloads and reads the other's note, with the author's name
                await asyncio.gather(alice.reload(), bob.reload())
                await asyncio.gather(ready(alice), ready(bob))
                seen_by_alice = await notes_on_line(alice, line_b)
                seen_by_bob = await notes_on_line(bob, line_a)
                await bob.set_viewport_size({"width": 1024, "height": 768})
                await bob.locator(".fx-view .fx-note-view").first.scroll_into_view_if_needed()
                await bob.screenshot(path=str(ARTIFACTS / "hub-bob-reads-alice-1024.png"))
                await alice.locator(".fx-view .fx-note-view").first.scroll_into_view_if_needed()
                await alice.screenshot(path=str(ARTIFACTS / "hub-alice-reads-bob-1440.png"))
                # both now edit alice's note at the same moment: one save lands, the other
                # member is shown the conflict and keeps their words
                await select_line(alice, line_a)
                for name, page in (("alice", alice), ("bob", bob)):
                    await page.wait_for_function(
                        "() => document.querySelector('.fx-editor').innerText.includes('Editing')")
                    await open_editor(page)
                    await page.locator(".fx-edit-en textarea").fill(edits[name])
                await asyncio.gather(*(p.locator(".fx-save").click() for p in (alice, bob)))
                edit_msgs, boxes, conflicts = {}, {}, {}
                for name, page in (("alice", alice), ("bob", bob)):
                    await page.wait_for_function(
                        "() => document.querySelector('.fx-edit-msg').innerText.trim() !== ''")
                    edit_msgs[name] = await page.locator(".fx-edit-msg").inner_text()
                    boxes[name] = await page.locator(".fx-edit-en textarea").input_value()
                    conflicts[name] = await page.locator(".fx-edit-conflict").inner_text()
                loser = next((p for n, p in (("alice", alice), ("bob", bob))
                              if not edit_msgs[n].startswith("saved")), bob)
                await loser.locator(".fx-edit-conflict").scroll_into_view_if_needed()
                await loser.screenshot(path=str(ARTIFACTS / "hub-edit-conflict-1024.png"))
                return msgs, seen_by_alice, seen_by_bob, edit_msgs, boxes, conflicts
            finally:
                await browser.close()

    edits = {"alice": "alice rewords her note", "bob": "bob rewords alice's note"}
    on_disk = {}        # the shared store right after the first two saves
    msgs, seen_by_alice, seen_by_bob, edit_msgs, boxes, conflicts = asyncio.run(scenario())
    for name in ("alice", "bob"):
        assert msgs[name].startswith("saved"), f"{name}'s save: {msgs[name]!r}"
    # on disk, in the one shared store: both notes, each with its author
    notes = on_disk
    assert set(notes) == {"alice", "bob"}
    assert notes["alice"].text["en"] == words["alice"] and notes["bob"].text["en"] == words["bob"]
    assert [n for n in seen_by_alice if words["bob"] in n["text"]], seen_by_alice
    assert [n["author"] for n in seen_by_alice if words["bob"] in n["text"]] == ["— bob"]
    assert [n["author"] for n in seen_by_bob if words["alice"] in n["text"]] == ["— alice"]
    # the same note edited at once: exactly one save lands; the other member sees the
    # conflict with their words still in the editor, and the replaced words are archived
    saved = [n for n, m in edit_msgs.items() if m.startswith("saved")]
    assert len(saved) == 1, edit_msgs
    [other] = [n for n in edit_msgs if n not in saved]
    assert "conflict" in edit_msgs[other], edit_msgs
    # the editor shows the words that landed beside the reader's own (still in the box)
    assert "Someone else saved this note" in conflicts[other] and edits[saved[0]] in conflicts[other]
    assert boxes[other] == edits[other]
    store = Store(store_dir)
    assert store.get(notes["alice"].id).text["en"] == edits[saved[0]]
    assert words["alice"] in {a.text.get("en") for a in store.archived()}


def test_a_shared_line_link_opens_that_line_for_another_member(room):
    from playwright.async_api import async_playwright

    url, _store, mod = room
    (line,) = statement_lines(mod, "kernel_clone", 1)

    async def scenario():
        async with async_playwright() as pw:
            browser = await launch(pw)
            try:
                leader = await member(browser, url, "leader")
                await select_line(leader, line)
                link = leader.locator(".fx-share-link")
                await link.wait_for(state="attached")
                href = await link.get_attribute("href")
                ARTIFACTS.mkdir(exist_ok=True)
                await leader.set_viewport_size({"width": 1024, "height": 768})
                await link.scroll_into_view_if_needed()
                await leader.screenshot(path=str(ARTIFACTS / "hub-leader-link-1024.png"))
                # the member's first visit: the hub's login, then the link's page on their own server
                carol = await member(browser, url, "carol", path=href)
                landed = {
                    "url": carol.url,
                    "label": await carol.locator(".fx-ready").get_attribute("data-label"),
                    "selected": await carol.evaluate(
                        "() => document.querySelector('.fx-view tr.fx-sel')?.dataset.line"),
                    # the selected row is inside the scrolled source, not somewhere below it
                    "visible": await carol.evaluate("""() => {
                        const r = document.querySelector('.fx-view tr.fx-sel').getBoundingClientRect();
                        const s = document.querySelector('.fx-view .fx-scroll').getBoundingClientRect();
                        return r.top >= s.top && r.bottom <= s.bottom; }"""),
                }
                ARTIFACTS.mkdir(exist_ok=True)
                await carol.locator(".fx-view .fx-scroll").scroll_into_view_if_needed()
                await carol.screenshot(path=str(ARTIFACTS / "hub-carol-shared-line-1440.png"))
                return href, landed
            finally:
                await browser.close()

    href, landed = asyncio.run(scenario())
    assert href.startswith("/hub/user-redirect/") and f"line={line}" in href
    assert re.search(r"/user/carol/voila/render/app\.ipynb\?", landed["url"]), landed["url"]
    assert landed["label"] == LABEL
    assert landed["selected"] == str(line)
    assert landed["visible"]


TOUR = "kernel-clone"      # a shipped tour, written against debian-6.12


def test_the_leaders_tour_stop_link_opens_that_stop_for_a_member(room):
    from playwright.async_api import async_playwright

    from explorer.tours import TourStore, place

    url, store_dir, mod = room
    stops = place(TourStore(store_dir / "tours").get(TOUR), mod)
    line = stops[1].line            # stop 2, where the leader is when sharing
    assert line

    async def scenario():
        async with async_playwright() as pw:
            browser = await launch(pw)
            try:
                leader = await member(browser, url, "leader")
                await leader.goto(url + f"hub/user-redirect/voila/render/app.ipynb?tour={TOUR}&stop=1")
                await ready(leader)
                await leader.wait_for_selector('.fx-tour-note[data-stop="1"]')
                await leader.locator(".fx-tour-next").click()
                await leader.wait_for_selector(f'.fx-tour-note[data-stop="2"][data-line="{line}"]')
                share = leader.locator(".fx-tour-share")
                await leader.wait_for_function(
                    "() => (document.querySelector('.fx-tour-share')?.href || '').includes('stop=2')")
                href = await share.get_attribute("href")
                ARTIFACTS.mkdir(exist_ok=True)
                await leader.screenshot(path=str(ARTIFACTS / "hub-leader-tour-stop-1440.png"))
                dave = await member(browser, url, "dave", path=href)
                await dave.wait_for_selector(f'.fx-tour-note[data-stop="2"][data-line="{line}"]')
                await dave.wait_for_selector(f'.fx-view tr.fx-sel[data-line="{line}"]')
                await dave.set_viewport_size({"width": 1024, "height": 768})
                await dave.screenshot(path=str(ARTIFACTS / "hub-dave-tour-stop-1024.png"))
                return href, dave.url
            finally:
                await browser.close()

    href, landed = asyncio.run(scenario())
    assert "/hub/user-redirect/" in href and f"tour={TOUR}" in href and "stop=2" in href
    assert re.search(r"/user/dave/voila/render/app\.ipynb\?", landed), landed
