"""The version picker's "Add a version" in a real browser (Playwright + Debian's
chromium against `fork-explorer serve`), on a home holding only Debian's 6.1
and 6.12: a reader uploads the real 2.6.32.69 fork.c from their machine, and
the app lists it, picks it and shows its do_fork; a file that is not fork.c is
refused with one line in the widget."""
from __future__ import annotations

import pytest

from conftest import make_home, shared_path
from harness import ARTIFACTS, app_server, browser, need_chromium, open_app

pytestmark = pytest.mark.browser


def choose(page, path) -> None:
    """Press the upload button and pick a file in the browser's file dialog, as a reader does."""
    with page.expect_file_chooser() as chooser:
        page.locator(".fx-add-upload").click()
    chooser.value.set_files(str(path))


def test_a_reader_uploads_an_old_fork_c_and_reads_it(tmp_path):
    need_chromium()
    old = shared_path("testdata/v2.6.32.69/fork.c")
    home = make_home(tmp_path / "home")
    junk = tmp_path / "notes.c"
    junk.write_text("int main(void) { return 0; }\n")
    ARTIFACTS.mkdir(exist_ok=True)
    with app_server({"FORK_EXPLORER_HOME": str(home)}) as url, browser() as b:
        page, _ = open_app(b, url)
        page.set_viewport_size({"width": 1440, "height": 900})
        page.locator(".fx-add-toggle").click()
        page.wait_for_selector(".fx-version-adder .fx-add-upload", state="visible")
        # first a file that is not kernel/fork.c: one line, and nothing added
        page.locator(".fx-add-label input").fill("mine")
        choose(page, junk)
        page.wait_for_function("() => document.querySelector('.fx-add-message').innerText.includes('notes.c')")
        page.locator(".fx-add-button").click()
        page.wait_for_selector(".fx-add-message .fx-add-error")
        said = page.locator(".fx-add-message").inner_text()
        assert "Not added" in said and "uploaded notes.c does not look like kernel/fork.c" in said
        assert "Traceback" not in page.locator("body").inner_text()
        assert page.locator(".fx-version-picker select option").filter(has_text="mine").count() == 0
        page.screenshot(path=str(ARTIFACTS / "version-adder-refused-1440x900.png"))
        # then the real 2.6.32.69 file
        page.locator(".fx-add-label input").fill("v2.6.32.69")
        choose(page, old)
        page.wait_for_function("() => document.querySelector('.fx-add-message').innerText.includes('bytes')")
        page.locator(".fx-add-button").click()
        page.wait_for_selector(".fx-add-message .fx-add-ok", timeout=120000)
        assert "Added v2.6.32.69" in page.locator(".fx-add-message").inner_text()
        # listed, picked, and its do_fork on screen with the file's real lines
        assert page.locator(".fx-version-picker select").evaluate("s => s.value") is not None
        chosen = page.locator(".fx-version-picker select option:checked").inner_text()
        assert chosen.startswith("v2.6.32.69")
        page.wait_for_function("() => [...document.querySelectorAll('.fx-view .fx-title')]"
                               ".some(t => t.textContent.includes('v2.6.32.69'))", timeout=120000)
        lines = old.read_bytes().decode("utf-8", "replace").split("\n")
        first = next(i for i, text in enumerate(lines, 1) if text.startswith("long do_fork("))
        page.wait_for_selector(f".fx-view tr#L{first}", state="attached")
        assert page.locator(f".fx-view tr#L{first} td.code").first.text_content() == lines[first - 1]
        for w, h in ((1440, 900), (1024, 768)):
            page.set_viewport_size({"width": w, "height": h})
            page.locator(".fx-version-picker").scroll_into_view_if_needed()
            page.screenshot(path=str(ARTIFACTS / f"version-adder-{w}x{h}.png"))
