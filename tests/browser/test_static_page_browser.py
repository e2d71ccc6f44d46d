"""The static page of `fork-explorer html` in chromium: opened from a file with
every network request refused, commentary beside its line in both languages,
the language toggle, Japanese drawn with real glyphs, hostile text inert."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from explorer.annotations import Store

from conftest import REPO, need
from harness import ARTIFACTS, browser, need_chromium
from test_app_browser import GLYPH_CHECK, HOSTILE_EN, JA_NOTE, guard_line

pytestmark = pytest.mark.browser


def _store_with_guard_note(tmp_path, text: dict, source_lang: str, note_id: str):
    """debian-6.12, a fresh annotation folder holding one note on the
    CLONE_THREAD/CLONE_SIGHAND guard, and that guard's line."""
    mod = need("debian-6.12")
    store_dir = tmp_path / "annotations"
    store_dir.mkdir()
    line = guard_line(mod)
    row = line - 1
    col = len(mod.lines[row]) - len(mod.lines[row].lstrip())
    node = mod.tree.root_node.descendant_for_point_range((row, col), (row, col))
    Store(store_dir).add(mod, node, text, source_lang=source_lang, id=note_id)
    return mod, store_dir, line


def test_static_page_offline_with_toggle(tmp_path):
    need_chromium()
    mod, store_dir, line = _store_with_guard_note(tmp_path, {"ja": JA_NOTE, "en": HOSTILE_EN}, "ja",
                                                  "static-test.guard-1")
    env = dict(os.environ, FORK_EXPLORER_ANNOTATIONS=str(store_dir))
    r = subprocess.run([sys.executable, "-m", "explorer", "html", "debian-6.12", "-o", str(tmp_path / "site"),
                        "--json"], cwd=REPO, env=env, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    page_path = json.loads(r.stdout)["page"]
    ARTIFACTS.mkdir(exist_ok=True)
    with browser() as b:
        page = b.new_page(viewport={"width": 1500, "height": 1000})
        requests, dialogs = [], []
        page.route("**/*", lambda route: (requests.append(route.request.url), route.continue_()
                                          if route.request.url.startswith("file://") else route.abort()))
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.goto(f"file://{page_path}#L{line}")
        page.wait_for_selector(f"tr#L{line} td.notes .fx-note")
        assert [u for u in requests if not u.startswith("file://")] == []
        note = page.locator(f'tr#L{line} td.notes .fx-note[data-key="static-test.guard-1"]')
        ja, en = note.locator(".fx-ja"), note.locator(".fx-en")
        assert ja.is_visible() and en.is_visible()
        assert ja.text_content() == JA_NOTE and en.text_content() == HOSTILE_EN
        assert page.locator("main img, main script").count() == 0
        glyphs = ja.evaluate(GLYPH_CHECK)
        assert glyphs["tofuLike"] == 0 and glyphs["distinct"] == glyphs["chars"] >= 10, glyphs
        assert page.locator(f"tr#L{line} td.code").text_content() == mod.lines[line - 1]
        page.screenshot(path=str(ARTIFACTS / "static-both.png"))
        page.locator("input[name=fx-lang][value=en]").check()
        assert en.is_visible() and not ja.is_visible()
        page.locator("input[name=fx-lang][value=ja]").check()
        assert ja.is_visible() and not en.is_visible()
        page.screenshot(path=str(ARTIFACTS / "static-ja.png"))
        assert page.evaluate("window.__pwned") is None and not dialogs


ZH_NOTE = "子进程和父进程共享信号处理函数，所以必须同时共享地址空间。"


def test_static_page_offers_the_languages_present(tmp_path):
    """A note imported from Chinese is stored as zh and shown as such: the
    switch offers 中文 beside the shipped pair, and picking it shows only zh."""
    need_chromium()
    mod, store_dir, line = _store_with_guard_note(tmp_path, {"zh": ZH_NOTE}, "zh", "static-test.zh")
    env = dict(os.environ, FORK_EXPLORER_ANNOTATIONS=str(store_dir))
    r = subprocess.run([sys.executable, "-m", "explorer", "html", "debian-6.12", "-o", str(tmp_path / "site"),
                        "--json"], cwd=REPO, env=env, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    page_path = json.loads(r.stdout)["page"]
    ARTIFACTS.mkdir(exist_ok=True)
    with browser() as b:
        for width, height in ((1440, 900), (1024, 768)):
            page = b.new_page(viewport={"width": width, "height": height})
            page.goto(f"file://{page_path}#L{line}")
            page.wait_for_selector(f"tr#L{line} td.notes .fx-note")
            offered = page.locator("input[name=fx-lang]").evaluate_all("rs => rs.map(r => r.value)")
            assert offered == ["both", "ja", "en", "zh"]
            note = page.locator(f'tr#L{line} td.notes .fx-note[data-key="static-test.zh"]')
            zh, ja = note.locator(".fx-zh"), note.locator(".fx-ja")
            assert zh.is_visible() and zh.text_content() == ZH_NOTE and zh.get_attribute("lang") == "zh"
            assert ja.is_visible() and "fx-missing" in ja.get_attribute("class")   # offered to translators
            glyphs = zh.evaluate(GLYPH_CHECK)
            assert glyphs["tofuLike"] == 0, glyphs
            page.screenshot(path=str(ARTIFACTS / f"static-zh-both-{width}.png"))
            page.locator("input[name=fx-lang][value=zh]").check()
            assert zh.is_visible() and not ja.is_visible() and not note.locator(".fx-en").is_visible()
            page.screenshot(path=str(ARTIFACTS / f"static-zh-only-{width}.png"))
            page.close()
