"""A message already on screen follows the page's language switch: "Add a
version…" pressed with no label says why nothing was added, in English for an
English browser; the 日本語 button says that line in Japanese (ja.po) and
English says it back, without another press.  Screenshots at 1440x900 and
1024x768 in test-artifacts/."""
from __future__ import annotations

import pytest

from explorer.i18n import translator

from conftest import need
from harness import ARTIFACTS, app_server, browser, need_chromium

pytestmark = pytest.mark.browser

JA, EN = translator("ja"), translator("en")
SIZES = ((1440, 900), (1024, 768))
WHY = "give the version a label first (for example v2.6.32)"


@pytest.fixture(scope="module")
def server():
    need_chromium()
    need("debian-6.12")
    ARTIFACTS.mkdir(exist_ok=True)
    with app_server() as url:
        yield url


def message_is(page, text: str) -> None:
    page.wait_for_function("(t) => { const e = document.querySelector('.fx-add-message');"
                           " return e && e.textContent.trim() === t; }", arg=text)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_a_refusal_on_screen_is_said_again_on_the_switch(server, size):
    english, japanese = f"{EN('Not added')}: {EN(WHY)}", f"{JA('Not added')}: {JA(WHY)}"
    assert english != japanese
    with browser() as b:
        ctx = b.new_context(locale="en-US", viewport={"width": size[0], "height": size[1]})
        page = ctx.new_page()
        page.set_default_timeout(90000)
        page.goto(server)
        page.wait_for_selector(".fx-ready", state="attached")
        page.locator(".fx-add-toggle").click()
        page.locator(".fx-add-button").click()
        message_is(page, english)
        page.screenshot(path=str(ARTIFACTS / f"said-again-en-{size[0]}x{size[1]}.png"))
        page.locator(".fx-lang-switch button[data-lang=ja]").click()
        message_is(page, japanese)
        page.screenshot(path=str(ARTIFACTS / f"said-again-ja-{size[0]}x{size[1]}.png"))
        page.locator(".fx-lang-switch button[data-lang=en]").click()
        message_is(page, english)
        ctx.close()
