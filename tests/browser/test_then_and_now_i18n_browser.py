"""The "Then and now" tab for a Japanese browser (locale ja-JP) in chromium, at
1440x900 and 1024x768: the aligned checks and the changed rules are headed and
marked in Japanese (the words come from Python's catalogue in the widgets'
`words` trait; the scripts translate nothing), the summary and the
both-versions outcome too; the page's English switch relabels the tables in
place.  Screenshots under test-artifacts/."""
from __future__ import annotations

import pytest

from explorer.i18n import translator
from explorer.widgets.then_and_now import GUARD_WORDS, RULE_WORDS

from conftest import need
from harness import ARTIFACTS, app_server, browser, need_chromium, open_room

pytestmark = pytest.mark.browser

JA = translator("ja")
SIZES = ((1440, 900), (1024, 768))


def test_the_tab_in_japanese_and_switched_to_english(testdata_home, monkeypatch):
    need_chromium()
    monkeypatch.setenv("FORK_EXPLORER_HOME", str(testdata_home))
    need("v2.6.32.69")
    need("debian-6.12")
    ARTIFACTS.mkdir(exist_ok=True)
    with app_server({"FORK_EXPLORER_HOME": str(testdata_home)}) as url, browser() as b:
        page, _secs, outside = open_room(b, url, *SIZES[0], "ja-JP")
        page.locator(".fx-tabs .lm-TabBar-tab, .fx-tabs .p-TabBar-tab").filter(has_text=JA("Then and now")).click()
        page.wait_for_selector(".fx-tn-now[data-ready] tr[data-line]")
        page.wait_for_selector(".fx-tn-rules[data-ready] tr.fx-tn-rule")
        heads = page.locator(".fx-tn-rules-table tr").first.inner_text()
        assert JA(RULE_WORDS["when"]) in heads and JA(RULE_WORDS["combinations"]) in heads
        assert "when the flags are" not in heads and "combinations" not in heads
        statuses = set(page.locator(".fx-tn-guards td.fx-tn-status").all_inner_texts())
        assert statuses and statuses <= {"="} | {JA(GUARD_WORDS[k]) for k in ("changed", "only_a", "only_b")}
        assert JA(GUARD_WORDS["changed"]) in statuses
        assert "対応した関数" in page.locator(".fx-tn-summary").inner_text()
        assert JA("<b>Both at once</b> — tick flags: the same bits run through both versions").split("</b>")[1] \
            .strip() in page.locator(".fx-tn-playground").inner_text()
        assert JA("success: pid {pid}").split(":")[0] in page.locator(".fx-tn-outcome").inner_text()
        for w, h in SIZES:
            page.set_viewport_size({"width": w, "height": h})
            page.locator(".fx-tn-a").scroll_into_view_if_needed()
            page.screenshot(path=str(ARTIFACTS / f"then-and-now-ja-{w}x{h}.png"))
            page.locator(".fx-tn-rules").scroll_into_view_if_needed()
            page.screenshot(path=str(ARTIFACTS / f"then-and-now-ja-tables-{w}x{h}.png"))
        # the page's switch: the same tables relabelled in English, no reload
        rows = page.locator(".fx-tn-rules tr.fx-tn-rule").count()
        page.locator(".fx-lang-switch button[data-lang=en]").click()
        page.wait_for_function("() => document.querySelector('.fx-tn-rules-table tr').innerText"
                               ".includes('when the flags are')")
        assert page.locator(".fx-tn-rules tr.fx-tn-rule").count() == rows
        assert "only now" in page.locator(".fx-tn-guards").inner_text() or \
            "changed" in page.locator(".fx-tn-guards").inner_text()
        assert "functions matched" in page.locator(".fx-tn-summary").inner_text()
        assert outside == []
        page.screenshot(path=str(ARTIFACTS / "then-and-now-en-after-switch-1024x768.png"))
