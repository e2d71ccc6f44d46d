"""The tour panel in a real browser (Playwright + Debian's chromium against
`fork-explorer serve`), on a home holding Debian's 6.1 and 6.12 and the real
2.6.32.69 and 5.4 files.

What a reader must see: a leader's link `?tour=ID&stop=N` opens the app on
that tour's version, at that stop, with the source scrolled to its line and
the stop's note beside it; Next moves to the next stop and the address bar
follows; a link naming a missing tour or stop says so in one line above a
working app.  Expected lines come from explorer.tours.place run here on the
same files."""
from __future__ import annotations

import os

import pytest

import explorer
from explorer.tours import TourStore, place

from harness import ARTIFACTS, app_server, browser, chromium_missing, open_app

pytestmark = pytest.mark.browser

SIZES = ((1440, 900), (1024, 768))


@pytest.fixture(scope="module")
def room(testdata_home):
    why = chromium_missing()
    if why:
        if os.environ.get("CI"):
            pytest.fail(why)
        pytest.skip(why)
    ARTIFACTS.mkdir(exist_ok=True)
    with app_server({"FORK_EXPLORER_HOME": str(testdata_home)}) as url, browser() as b:
        yield url, b


def _lines(tour_id: str, label: str, home) -> list[int | None]:
    return _places(tour_id, label, home, "line")


def _places(tour_id: str, label: str, home, what: str) -> list:
    """Where the library places each stop of the tour in `label` (line or status)."""
    old = os.environ.get("FORK_EXPLORER_HOME")
    os.environ["FORK_EXPLORER_HOME"] = str(home)
    try:
        return [getattr(p, what) for p in place(TourStore().get(tour_id), explorer.load(label))]
    finally:
        if old is None:
            del os.environ["FORK_EXPLORER_HOME"]
        else:
            os.environ["FORK_EXPLORER_HOME"] = old


def _at_stop(page, n: int, line: int) -> None:
    page.wait_for_selector(f'.fx-tour-note[data-stop="{n}"][data-line="{line}"]')
    page.wait_for_selector(f'.fx-view tr.fx-sel[data-line="{line}"]')


def test_a_shared_link_opens_the_2_6_tour_at_its_stop(room, testdata_home):
    url, b = room
    lines = _lines("do-fork-2.6", "v2.6.32.69", testdata_home)
    page, _ = open_app(b, url + "?tour=do-fork-2.6&stop=3")
    try:
        # the tour was written against 2.6.32.69: the app opens that version for it
        page.wait_for_selector('.fx-ready[data-label="v2.6.32.69"]', state="attached")
        _at_stop(page, 3, lines[2])
        row = page.locator(f'.fx-view tr.fx-sel[data-line="{lines[2]}"]')
        assert "CLONE_STOPPED" in row.inner_text()          # the stop's head, on screen
        note = page.locator(".fx-tour-note")
        assert "CLONE_STOPPED" in note.inner_text() and "exact" in note.inner_text()
        # the selected line is scrolled into the source pane
        pane = page.locator(".fx-view .fx-scroll").bounding_box()
        box = row.bounding_box()
        assert pane["y"] <= box["y"] and box["y"] + box["height"] <= pane["y"] + pane["height"]
        for w, h in SIZES:
            page.set_viewport_size({"width": w, "height": h})
            page.screenshot(path=str(ARTIFACTS / f"tour-do-fork-stop3-{w}x{h}.png"))
        page.locator(".fx-tour-next").click()
        _at_stop(page, 4, lines[3])
        assert page.url.endswith("?tour=do-fork-2.6&stop=4")      # the address follows the leader
        assert page.locator(".fx-tour-share").inner_text().endswith("?tour=do-fork-2.6&stop=4")
        page.locator(".fx-tour-prev").click()
        _at_stop(page, 3, lines[2])
    finally:
        page.close()


def _statuses(page) -> list[str]:
    return [o.replace("\xa0", " ").split()[1] for o in page.locator(".fx-tour-stops select option").all_inner_texts()]


def test_the_stop_list_shows_statuses_in_the_version_on_screen(room, testdata_home):
    """The kernel_clone tour opens on debian-6.12; picking 2.6.32.69 re-places
    every stop there, and the list says which are absent from that version."""
    url, b = room
    tour = "kernel-clone"
    lines = _lines(tour, "debian-6.12", testdata_home)
    page, _ = open_app(b, url + f"?tour={tour}&stop=11")
    try:
        _at_stop(page, 11, lines[10])
        assert _statuses(page) == _places(tour, "debian-6.12", testdata_home, "status")
        page.locator(".fx-tour-stops select").select_option(index=1)
        _at_stop(page, 2, lines[1])
        for w, h in SIZES:
            page.set_viewport_size({"width": w, "height": h})
            page.screenshot(path=str(ARTIFACTS / f"tour-kernel-clone-{w}x{h}.png"))
        then = _places(tour, "v2.6.32.69", testdata_home, "status")
        assert "absent" in then                      # the premise: 2.6 lacks some of the modern path
        option = page.locator(".fx-version-picker select option").filter(has_text="v2.6.32.69 ").first.text_content()
        page.locator(".fx-version-picker select").select_option(label=option)
        page.wait_for_selector('.fx-ready[data-label="v2.6.32.69"]', state="attached")
        page.wait_for_function("(n) => document.querySelectorAll('.fx-tour-stops option').length === n &&"
                               " document.querySelector('.fx-tour-note[data-stop=\"2\"]') !== null", arg=len(then))
        page.wait_for_function("(want) => [...document.querySelectorAll('.fx-tour-stops option')]"
                               ".map(o => o.textContent.trim().split(/\\s+/)[1]).join(',') === want", arg=",".join(then))
        assert _statuses(page) == then
        note = page.locator(".fx-tour-note")
        assert note.get_attribute("data-status") == then[1]
        if not _places(tour, "v2.6.32.69", testdata_home, "has_function")[1]:
            assert "v2.6.32.69 has no function sys_clone" in note.inner_text()   # arch code before 3.9
        for w, h in SIZES:
            page.set_viewport_size({"width": w, "height": h})
            page.screenshot(path=str(ARTIFACTS / f"tour-kernel-clone-in-2.6-{w}x{h}.png"))
    finally:
        page.close()


@pytest.mark.parametrize("query,words", [
    ("?tour=no-such-tour&stop=2", "no-such-tour"),
    ("?tour=kernel-clone&stop=99", "stops 1-11"),
    ("?tour=kernel-clone&stop=two", "not a number"),
])
def test_a_link_to_a_missing_tour_or_stop_says_so(room, query, words):
    url, b = room
    page, _ = open_app(b, url + query)
    try:
        msg = page.wait_for_selector(".fx-tour-msg")
        assert words in msg.inner_text() and "\n" not in msg.inner_text().strip()
        assert page.locator(".fx-view tr[data-line]").count() > 100     # the room itself still works
        # and the reader who followed the link sees the message without looking for it
        page.wait_for_function("() => { const r = document.querySelector('.fx-tour-msg').getBoundingClientRect();"
                               " return r.top >= 0 && r.bottom <= window.innerHeight; }")
        if "no-such" in query:
            for w, h in SIZES:
                page.set_viewport_size({"width": w, "height": h})
                page.screenshot(path=str(ARTIFACTS / f"tour-missing-{w}x{h}.png"))
    finally:
        page.close()
