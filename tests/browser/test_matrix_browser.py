"""The guard matrix over 104 release tags in a real browser (Playwright +
Debian's chromium against `fork-explorer serve`): a home synced from a
linux-clone-like repository built at test time (test_history_scale's
`series`: 26 tags per series over the real 2.6.32.69, 5.4, 6.1 and 6.12
files, v5.4's CLONE_NEWUSER|CLONE_FS check edited from v5.4.14 on).

What a reader must see, at 1440x900 and 1024x768: the versions folded into a
few columns labelled with their release range; the release where the check
changed, in its column and its row; the table scrolling sideways inside its
own box with the guard column staying put, and the page itself never wider
than the window.  Screenshots go to test-artifacts/."""
from __future__ import annotations

import os

import pytest

from harness import ARTIFACTS, app_server, browser, chromium_missing, open_app
from test_history_scale import EDITED_FROM, series  # noqa: F401  (the 104-tag home, a module fixture)

pytestmark = pytest.mark.browser

SIZES = ((1440, 900), (1024, 768))


@pytest.fixture(scope="module")
def matrix_page(series):  # noqa: F811
    why = chromium_missing()
    if why:
        if os.environ.get("CI"):
            pytest.fail(why)
        pytest.skip(why)
    home, _ = series
    ARTIFACTS.mkdir(exist_ok=True)
    with app_server({"FORK_EXPLORER_HOME": str(home)}) as url, browser() as b:
        page, _ = open_app(b, url, timeout_ms=180000)
        page.locator(".fx-tabs .lm-TabBar-tab, .fx-tabs .p-TabBar-tab").filter(has_text="Diff").click()
        page.wait_for_selector(".fx-matrix-view table.fx-matrix[data-versions]")
        yield page


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_104_versions_fold_and_scroll_inside_the_panel(matrix_page, size):
    page = matrix_page
    page.set_viewport_size({"width": size[0], "height": size[1]})
    table = page.locator(".fx-matrix-view table.fx-matrix")
    versions, columns = int(table.get_attribute("data-versions")), int(table.get_attribute("data-columns"))
    assert versions == 104 and columns < 12
    box = page.locator(".fx-matrix-box")
    box.evaluate("b => { b.scrollLeft = 0; b.scrollTop = 0; }")
    box.scroll_into_view_if_needed()
    heads = table.locator("thead th[data-first]")
    assert heads.count() == columns
    # the folded columns say which releases they hold
    run = table.locator("thead th.run").first
    assert "– " in run.inner_text() and "versions" in run.inner_text()
    page.screenshot(path=str(ARTIFACTS / f"matrix-104-versions-{size[0]}x{size[1]}.png"))

    # the page never scrolls sideways; the box does (when the columns do not fit)
    page_wide = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert page_wide <= 0
    box_wide = box.evaluate("b => b.scrollWidth - b.clientWidth")
    guard_col = table.locator("tbody th.cond").first
    x0 = guard_col.bounding_box()["x"]
    # the column where the check changed: its header and its changed cell name the release
    head = table.locator(f'thead th[data-first="{EDITED_FROM}"]')
    head.evaluate("h => h.scrollIntoView({inline: 'center', block: 'nearest'})")
    assert head.is_visible() and head.inner_text().startswith(EDITED_FROM)
    row = table.locator("tbody tr").filter(has=page.locator("code", has_text="CLONE_NEWUSER|CLONE_FS"))
    assert f"changed in {EDITED_FROM}" in row.locator("th.cond").inner_text()
    cell = row.locator("td.changed .when").filter(has_text=f"~ {EDITED_FROM}")
    assert cell.count() == 1
    cell.evaluate("c => c.scrollIntoView({inline: 'center', block: 'center'})")
    assert cell.is_visible()
    if box_wide > 0:
        assert box.evaluate("b => b.scrollLeft") > 0
        assert abs(guard_col.bounding_box()["x"] - x0) < 1       # the guard column stays put
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    page.screenshot(path=str(ARTIFACTS / f"matrix-104-versions-change-{size[0]}x{size[1]}.png"))
    # "one column per version" unfolds (through Python) and folds back
    toggle = page.locator(".fx-matrix-fold input")
    toggle.check()
    page.wait_for_selector(f'.fx-matrix-view table.fx-matrix[data-columns="{versions}"]')
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    toggle.uncheck()
    page.wait_for_selector(f'.fx-matrix-view table.fx-matrix[data-columns="{columns}"]')
