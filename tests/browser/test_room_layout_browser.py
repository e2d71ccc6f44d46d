"""The reading room as a group at a projector meets it (issue 15, layout part):
Debian's chromium at 1440x900 and 1024x768, with a Japanese and an English
browser, against `fork-explorer serve` on 127.0.0.1, offline.

- the source is the main pane, high on the first screen, with the notes beside
  it; nothing overflows the page sideways; long lines wrap inside the pane;
- the first view is the fork entry of the version, every time;
- the tab is titled "fork-explorer — LABEL" in the browser's language;
- jumps (Go to, a version switch, a guard-matrix cell of this or another
  version, a guard of the matrix, a rule) scroll the source to the line and
  mark it; their times are printed (benchmarks/bench_browser.py measures them);
- the step slider and the step text count alike;
- the diff tab shows whole rows; then-and-now fits 1024 px;
- no request leaves 127.0.0.1.

Screenshots go to test-artifacts/room-*.png."""
from __future__ import annotations

import pytest

from explorer.i18n import ui_language
from explorer.widgets.app import entry_line, page_title

from conftest import need
from harness import (ARTIFACTS, ROW_IN_PANE, app_server, browser, need_chromium, open_room,
                     timed_jump)

pytestmark = pytest.mark.browser

LABEL, OTHER = "debian-6.12", "debian-6.1"
SIZES = ((1440, 900), (1024, 768))
LOCALES = ("ja-JP", "en-US")
TOP_LIMIT = 560          # at 1024x768 the source pane starts within the top 560 px


@pytest.fixture(scope="module")
def room():
    need_chromium()
    mods = {LABEL: need(LABEL), OTHER: need(OTHER)}
    ARTIFACTS.mkdir(exist_ok=True)
    with app_server() as url, browser() as b:
        yield {"url": url, "b": b, "mods": mods}


def view_row(page, line):
    return page.locator(f".fx-read .fx-view tr#L{line}")


def in_pane(page, line) -> bool:
    return view_row(page, line).evaluate(ROW_IN_PANE)


def geometry(page) -> dict:
    return page.evaluate("""() => {
      const pane = document.querySelector('.fx-read .fx-view .fx-scroll').getBoundingClientRect();
      const notes = document.querySelector('.fx-read .fx-view .fx-panel').getBoundingClientRect();
      return {top: pane.top, bottom: pane.bottom, height: pane.height, left: pane.left, right: pane.right,
              notesLeft: notes.left, notesTop: notes.top,
              pageWidth: document.documentElement.scrollWidth, width: innerWidth, height_: innerHeight};
    }""")


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_first_screen_is_the_source_at_the_fork_entry(room, size, locale):
    width, height = size
    mod = room["mods"][LABEL]
    page, ready_s, outside = open_room(room["b"], room["url"], width, height, locale)
    try:
        assert page.locator(".fx-ready").get_attribute("data-label") == LABEL
        # the tab's title, in the browser's language (the catalogue decides the words)
        title = page_title(LABEL, ui_language(locale))
        page.wait_for_function("(t) => document.title === t", arg=title)
        g = geometry(page)
        # the source pane: high on the first screen, whole on it, the notes beside it
        assert g["top"] < TOP_LIMIT and g["bottom"] <= g["height_"] + 1 and g["height"] >= 240, g
        assert g["notesLeft"] >= g["right"] - 1 and abs(g["notesTop"] - g["top"]) < 2, g
        # nothing overflows the page sideways
        assert g["pageWidth"] <= g["width"], g
        # the first view: the fork entry's first line, in the pane and marked
        first = entry_line(mod)
        page.wait_for_function(f"() => document.querySelector('.fx-read .fx-view').dataset.jumpLine === '{first}'")
        assert in_pane(page, first)
        assert "fx-jump" in view_row(page, first).get_attribute("class")
        # the longest line of the file wraps inside the pane: whole, not cut, no sideways scroll
        longest = max(range(1, mod.line_count + 1), key=lambda n: len(mod.lines[n - 1].expandtabs(8)))
        cell = view_row(page, longest).locator("td.code")
        assert cell.text_content() == mod.lines[longest - 1]
        assert cell.evaluate("(td) => td.scrollWidth <= td.clientWidth + 1")
        assert page.evaluate("() => { const s = document.querySelector('.fx-read .fx-scroll');"
                             " return s.scrollWidth <= s.clientWidth + 1; }")
        page.screenshot(path=str(ARTIFACTS / f"room-{width}x{height}-{locale}.png"))
        assert outside == [], outside
        print(f"{width}x{height} {locale}: ready {ready_s:.2f} s, source pane at {g['top']:.0f} px, "
              f"{g['height']:.0f} px tall")
    finally:
        page.context.close()


def tab(page, words):
    page.locator(".fx-tabs > .lm-TabBar .lm-TabBar-tab").filter(has_text=words).click()


def open_matrix(page):
    tab(page, "Diff")
    label = page.locator(".fx-ready").get_attribute("data-label")
    # the diff and the matrix are computed for the version on show
    page.wait_for_function("(lb) => (document.querySelector('.fx-diff-out') || {}).innerText?.includes('→ ' + lb + ':')",
                           arg=label, timeout=180000)
    page.wait_for_selector(".fx-matrix a[data-line]")


def assert_landed(page, label, line):
    page.wait_for_selector(f'.fx-ready[data-label="{label}"]', state="attached")
    assert page.locator(".fx-tabs > .lm-TabBar .lm-TabBar-tab.lm-mod-current").first.text_content() == "Read & run"
    row = view_row(page, line)
    assert in_pane(page, line), (label, line)
    cls = row.get_attribute("class")
    assert "fx-jump" in cls and "fx-sel" in cls, cls


def test_jumps_scroll_the_source_to_the_line_and_mark_it(room):
    mods = room["mods"]
    page, _, outside = open_room(room["b"], room["url"], 1440, 900, "en-US")
    times = {}
    try:
        # Go to a function of this version
        cp = mods[LABEL].functions["copy_process"].start_line
        option = page.locator(".fx-goto select option").filter(has_text="copy_process()").first
        got = timed_jump(page, lambda: page.locator(".fx-goto select").select_option(label=option.text_content()))
        assert got["line"] == cp
        assert_landed(page, LABEL, cp)
        times["go to (same version)"] = got["ms"]
        # switch version: opens at that version's fork entry
        option = page.locator(".fx-version-picker select option").filter(has_text=OTHER + " ").first
        got = timed_jump(page, lambda: page.locator(".fx-version-picker select").select_option(
            label=option.text_content()))
        assert got["line"] == entry_line(mods[OTHER])
        assert_landed(page, OTHER, got["line"])
        times["version switch"] = got["ms"]
        option = page.locator(".fx-version-picker select option").filter(has_text=LABEL + " ").first
        got = timed_jump(page, lambda: page.locator(".fx-version-picker select").select_option(
            label=option.text_content()))
        assert_landed(page, LABEL, entry_line(mods[LABEL]))
        times["version switch back"] = got["ms"]
        # a matrix cell of this version, then of another: the Read tab, that line
        for label in (LABEL, OTHER):
            open_matrix(page)
            cell = page.locator(f'.fx-matrix td a[data-label="{label}"]').nth(2)
            line = int(cell.get_attribute("data-line"))
            got = timed_jump(page, cell.click)
            assert got["line"] == line
            assert_landed(page, label, line)
            # the line is the guard the cell names, in that version's text
            assert "if" in mods[label].lines[line - 1]
            times[f"matrix cell ({'same' if label == LABEL else 'another'} version)"] = got["ms"]
        # a guard of the matrix opens where it is last seen
        open_matrix(page)
        guard = page.locator(".fx-matrix th.cond a[data-line]").first
        label, line = guard.get_attribute("data-label"), int(guard.get_attribute("data-line"))
        got = timed_jump(page, guard.click)
        assert_landed(page, label, line)
        times["guard of the matrix"] = got["ms"]
        page.screenshot(path=str(ARTIFACTS / "room-after-jumps.png"))
        assert outside == [], outside
    finally:
        page.context.close()
    print("jumps (ms, in the page, click to scrolled and marked): "
          + ", ".join(f"{k} {v:.0f}" for k, v in times.items()))


def test_rule_and_steps(room):
    """A rule runs its combination and the source shows where it decides; the step
    slider and the step text count alike (1-based, both)."""
    page, _, _ = open_room(room["b"], room["url"], 1024, 768, "en-US")
    try:
        pg = page.locator(".fx-playground")
        readout = page.locator(".fx-step-control .fx-step-readout")
        info = page.locator(".fx-step-info")
        n = int(readout.text_content().split("/")[1])
        assert readout.text_content().replace(" ", "") == f"{n}/{n}"
        assert f"step {n}/{n}" in info.text_content()
        pg.locator("button").filter(has_text="|◀").click()
        page.wait_for_function("() => document.querySelector('.fx-step-control').dataset.value === '0'")
        page.wait_for_function("() => document.querySelector('.fx-step-info').textContent.includes('step 1/')")
        assert readout.text_content().replace(" ", "") == f"1/{n}"
        pg.locator("button").filter(has_text="▶").first.click()
        page.wait_for_function("() => document.querySelector('.fx-step-info').textContent.includes('step 2/')")
        assert readout.text_content().replace(" ", "") == f"2/{n}"
        # the rules: a rule's combination runs, the pane shows the line where it decides
        pg.locator(".widget-accordion .jupyter-widget-Collapse-header, .widget-accordion .lm-AccordionPanel-title,"
                   " .widget-accordion .p-Collapse-header").filter(has_text="Rules").click()
        page.wait_for_selector(".fx-rules .fx-rule")
        rev = page.locator(".fx-read .fx-view").get_attribute("data-trace-rev")
        page.locator(".fx-rules .fx-rule").last.click()
        page.wait_for_function("(r) => document.querySelector('.fx-read .fx-view').dataset.traceRev !== r", arg=rev)
        decided = page.locator(".fx-read .fx-view tr.fx-decide")
        decided.wait_for(state="attached")
        assert decided.evaluate(ROW_IN_PANE)
        page.screenshot(path=str(ARTIFACTS / "room-rule-1024x768.png"))
    finally:
        page.context.close()


def test_diff_rows_are_whole_and_then_and_now_fits_1024(room):
    page, _, outside = open_room(room["b"], room["url"], 1024, 768, "en-US")
    try:
        open_matrix(page)
        cut = page.evaluate("""() => [...document.querySelectorAll('.fx-diff td.code')]
            .filter(td => td.scrollWidth > td.clientWidth + 1 || td.textContent.endsWith('…')).length""")
        heights = page.evaluate("""() => [...document.querySelectorAll('.fx-diff tr')]
            .filter(tr => tr.querySelector('td.code') && !/\\n/.test(tr.textContent.trim()))
            .map(tr => tr.getBoundingClientRect().height).sort((a, b) => a - b)""")
        assert cut == 0
        one_line = heights[len(heights) // 2]
        assert one_line < 24, heights[:5]        # about 18 px a line, not 28
        page.screenshot(path=str(ARTIFACTS / "room-diff-1024x768.png"))
        tab(page, "Then and now")
        page.wait_for_selector(".fx-tn-now[data-ready] tr[data-line]", timeout=180000)
        wide = page.evaluate("""() => ({page: document.documentElement.scrollWidth - innerWidth,
            tn: [...document.querySelectorAll('.fx-tn, .fx-tn-panes')].map(e => e.scrollWidth - e.clientWidth)})""")
        assert wide["page"] <= 0 and max(wide["tn"]) <= 1, wide
        page.screenshot(path=str(ARTIFACTS / "room-then-and-now-1024x768.png"))
        assert outside == [], outside
    finally:
        page.context.close()


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_static_page_keeps_code_rows_whole_beside_long_notes(room, tmp_path, size):
    """`fork-explorer html`: a note beside the code never pulls the code rows apart,
    the #L line is marked without a band down the notes column, nothing is fetched."""
    from explorer.annotations import Store
    from explorer.render.notes import notes_for
    from explorer.static_export import export

    mod = need(LABEL)
    notes = notes_for(mod, Store())
    if not notes:
        pytest.skip("no commentary placed on this version")
    page_path = export(mod, tmp_path, notes)
    width, height = size
    page = room["b"].new_page(viewport={"width": width, "height": height})
    try:
        fetched = []
        page.on("request", lambda r: fetched.append(r.url))
        first = entry_line(mod)
        page.goto(page_path.as_uri() + f"#L{first}")
        stretch = page.evaluate("""() => {
          // for each line: the row's height beyond its own code's (wrapped) height
          const out = [];
          for (const tr of document.querySelectorAll('.fx-src tr[data-line]')) {
            const code = tr.querySelector('td.code'), r = document.createRange();
            r.selectNodeContents(code);
            const rects = [...r.getClientRects()];
            const codeH = rects.length ? Math.max(...rects.map(x => x.bottom)) - Math.min(...rects.map(x => x.top)) : 0;
            out.push(tr.getBoundingClientRect().height - Math.max(codeH, 14));
          }
          return Math.max(...out);
        }""")
        assert stretch < 8, stretch          # a few px of padding, never a note's height
        target = page.locator(f"tr#L{first}")
        assert target.evaluate("(tr) => getComputedStyle(tr.querySelector('td.code')).backgroundColor") \
            != "rgba(0, 0, 0, 0)"            # the line is marked
        bands = page.evaluate("""() => [...document.querySelectorAll('.fx-src tr:target td.notes')]
            .map(td => getComputedStyle(td).backgroundColor).filter(c => c !== 'rgba(0, 0, 0, 0)')""")
        assert bands == []
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        page.screenshot(path=str(ARTIFACTS / f"static-{width}x{height}.png"))
        assert all(u.startswith("file:") for u in fetched), fetched
    finally:
        page.close()
