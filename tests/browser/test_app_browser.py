"""The reading room in a real browser: Debian's chromium driven by Playwright
against `fork-explorer serve` (Voila) on 127.0.0.1.

The annotation store is a temporary copy (FORK_EXPLORER_ANNOTATIONS), seeded
with one bilingual note on copy_process's thread/sighand guard whose English
text is hostile markup; the repository's own files are never written."""
from __future__ import annotations

import shutil

import pytest

from explorer.annotations import Store, resolve_annotation

from conftest import REPO, guard_line, need
from harness import ARTIFACTS, app_server, browser, need_chromium, open_app

pytestmark = pytest.mark.browser

LABEL = "debian-6.12"
JA_NOTE = "スレッドはシグナルハンドラを共有しなければならない"
HOSTILE_EN = ('Threads must share handlers <img src=x onerror="window.__pwned=1">'
              '<script>window.__pwned=2</script>')

# A glyph check that needs no image library: draw each distinct character of
# the text with the element's own computed font onto a canvas, and compare the
# pixels with a private-use character that no font has (drawn as .notdef,
# "tofu").  Tofu is one box for every character; real glyphs differ from it
# and from each other.
GLYPH_CHECK = """
(el, minCode = 0x3000) => {
  const font = getComputedStyle(el).font;
  const c = document.createElement('canvas'); c.width = 64; c.height = 64;
  const g = c.getContext('2d', {willReadFrequently: true});
  const draw = (ch) => { g.clearRect(0, 0, 64, 64); g.font = font; g.fillStyle = '#000';
    g.textBaseline = 'top'; g.fillText(ch, 4, 4);
    const d = g.getImageData(0, 0, 64, 64).data; let h = 0, ink = 0;
    for (let i = 3; i < d.length; i += 4) { h = (h * 31 + d[i]) >>> 0; if (d[i]) ink++; }
    return h + ':' + ink; };
  const text = el.textContent;
  const chars = [...new Set([...text].filter(ch => ch.codePointAt(0) > minCode))];
  const tofu = draw('\\uE000');
  const seen = chars.map(draw);
  return {font, chars: chars.length, distinct: new Set(seen).size,
          tofuLike: seen.filter(s => s === tofu).length,
          width: el.getBoundingClientRect().width};
}
"""


ZH_NOTE = "共享信号处理函数的子进程必须同时共享地址空间。"


def zh_guard_line(mod) -> int:
    """The CLONE_SIGHAND-without-CLONE_VM guard of copy_process (read from the file)."""
    fn = mod.function("copy_process")
    return next(n for n in range(fn.start_line, fn.end_line + 1)
                if "CLONE_SIGHAND" in mod.lines[n - 1] and "CLONE_VM" in mod.lines[n - 1]
                and "if" in mod.lines[n - 1])


def first_statement_line(mod, after: int) -> int:
    """A line after `after` in copy_process that starts a plain call statement."""
    fn = mod.function("copy_process")
    for n in range(after + 1, fn.end_line):
        text = mod.lines[n - 1].strip()
        if text.endswith(");") and "(" in text and not text.startswith(("if", "return", "}", "/*", "*")):
            return n
    raise AssertionError("no statement found")


@pytest.fixture(scope="module")
def session(tmp_path_factory):
    need_chromium()
    mod = need(LABEL)
    store_dir = tmp_path_factory.mktemp("annotations")
    src = REPO / "kernel-src" / "annotations"
    if src.is_dir():
        shutil.copytree(src, store_dir, dirs_exist_ok=True)
    line = guard_line(mod)
    row = line - 1
    col = len(mod.lines[row]) - len(mod.lines[row].lstrip())
    node = mod.tree.root_node.descendant_for_point_range((row, col), (row, col))
    Store(store_dir).add(mod, node, {"ja": JA_NOTE, "en": HOSTILE_EN}, source_lang="ja",
                         id="browser-test.guard-1")
    # a note imported from a Chinese reading note: stored as zh, shown as such
    zh_line = zh_guard_line(mod)
    zrow = zh_line - 1
    zcol = len(mod.lines[zrow]) - len(mod.lines[zrow].lstrip())
    Store(store_dir).add(mod, mod.tree.root_node.descendant_for_point_range((zrow, zcol), (zrow, zcol)),
                         {"zh": ZH_NOTE}, source_lang="zh", id="browser-test.zh-1")
    ARTIFACTS.mkdir(exist_ok=True)
    with app_server({"FORK_EXPLORER_ANNOTATIONS": str(store_dir)}) as url, browser() as b:
        page, ready_s = open_app(b, url)
        dialogs = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        yield {"page": page, "mod": mod, "guard": line, "store": store_dir, "dialogs": dialogs,
               "ready_s": ready_s}
        page.screenshot(path=str(ARTIFACTS / "app-final.png"), full_page=False)


def row(page, line):
    return page.locator(f".fx-view tr#L{line}")


def test_app_opens_on_a_modern_version(session):
    page = session["page"]
    assert page.locator(".fx-ready").get_attribute("data-label") == LABEL
    title = page.locator(".fx-view .fx-title").text_content()
    assert LABEL in title
    line = session["guard"]
    assert row(page, line).locator("td.code").text_content() == session["mod"].lines[line - 1]
    # the seeded note is marked in the gutter of the guard's line
    assert row(page, line).locator(".fx-mark").count() >= 1
    page.screenshot(path=str(ARTIFACTS / "app-open.png"))


def flag(page, name):
    return page.locator(".fx-playground .fx-flag").filter(has_text=name).locator("input[type=checkbox]")


def wait_trace(page, before: str):
    page.wait_for_function(
        "(b) => { const v = document.querySelector('.fx-view'); return v.dataset.traceRev !== b; }", arg=before)


def test_clone_thread_without_sighand_is_einval_at_the_guard(session):
    page, line = session["page"], session["guard"]
    rev = page.locator(".fx-view").get_attribute("data-trace-rev")
    flag(page, "CLONE_THREAD").check()
    wait_trace(page, rev)
    page.wait_for_function("document.querySelector('.fx-outcome').innerText.includes('EINVAL')")
    outcome = page.locator(".fx-outcome").inner_text()
    assert "-EINVAL" in outcome and "copy_process" in outcome and f"line {line}" in outcome
    guard = row(page, line)
    classes = guard.get_attribute("class")
    assert "fx-cause" in classes and "fx-x" in classes
    decided = page.locator(".fx-view tr.fx-decide")
    assert decided.count() == 1
    dline = int(decided.get_attribute("data-line"))
    assert dline > line and "EINVAL" in session["mod"].lines[dline - 1]
    assert guard.is_visible() or decided.is_visible()
    page.screenshot(path=str(ARTIFACTS / "clone-thread-einval.png"))


def test_adding_sighand_and_vm_succeeds(session):
    page, line = session["page"], session["guard"]
    for name in ("CLONE_SIGHAND", "CLONE_VM"):
        rev = page.locator(".fx-view").get_attribute("data-trace-rev")
        flag(page, name).check()
        wait_trace(page, rev)
    page.wait_for_function("document.querySelector('.fx-outcome').innerText.includes('success')")
    assert "pid" in page.locator(".fx-outcome").inner_text()
    assert page.locator(".fx-view tr.fx-cause").count() == 0
    assert "fx-x" in row(page, line).get_attribute("class")     # the guard ran and let it through
    page.screenshot(path=str(ARTIFACTS / "clone-thread-sighand-vm-ok.png"))
    for name in ("CLONE_THREAD", "CLONE_SIGHAND", "CLONE_VM"):
        rev = page.locator(".fx-view").get_attribute("data-trace-rev")
        flag(page, name).uncheck()
        wait_trace(page, rev)


def test_controls_draw_every_symbol_they_use(session):
    """Buttons use text symbols (no icon fonts offline): none may draw as tofu."""
    page = session["page"]
    buttons = page.locator(".fx-playground button, .fx-view .fx-langbtn")
    assert buttons.count() >= 7
    for i in range(buttons.count()):
        g = buttons.nth(i).evaluate(GLYPH_CHECK, 0x7F)
        assert g["tofuLike"] == 0, (buttons.nth(i).text_content(), g)


def test_hover_outlines_the_statement_under_the_pointer(session):
    page, line = session["page"], session["guard"]
    row(page, line).locator("td.code").hover()
    page.wait_for_function(f"document.querySelector('.fx-view tr#L{line}').classList.contains('fx-hov-top')")
    node = page.locator(".fx-view").get_attribute("data-hover-node")
    assert node.startswith("copy_process/")
    assert session["mod"].node_by_id(node).type == "if_statement"


def test_clicking_an_annotated_line_shows_both_languages_rendered(session):
    page, line = session["page"], session["guard"]
    row(page, line).locator("td.code").click()
    note = page.locator('.fx-panel .fx-note-view[data-key="browser-test.guard-1"]')
    note.wait_for()
    ja, en = note.locator(".fx-ja"), note.locator(".fx-en")
    assert ja.is_visible() and en.is_visible()
    assert ja.text_content() == JA_NOTE
    # hostile markup is shown as text and never became elements or ran
    assert en.text_content() == HOSTILE_EN
    assert page.locator(".fx-app img, .fx-app script").count() == 0
    assert page.evaluate("window.__pwned") is None and not session["dialogs"]
    glyphs = ja.evaluate(GLYPH_CHECK)
    assert glyphs["chars"] >= 10
    assert glyphs["tofuLike"] == 0, glyphs          # no character drew as the .notdef box
    assert glyphs["distinct"] == glyphs["chars"], glyphs
    note.screenshot(path=str(ARTIFACTS / "commentary-both-languages.png"))
    # the language toggle hides the other language
    page.locator(".fx-view .fx-langbtn[data-lang=ja]").click()
    page.wait_for_function("document.querySelector('.fx-view').dataset.lang === 'ja'")
    assert note.locator(".fx-en").count() == 0 and note.locator(".fx-ja").is_visible()
    page.locator(".fx-view .fx-langbtn[data-lang=both]").click()
    page.wait_for_function("document.querySelector('.fx-view').dataset.lang === 'both'")


def test_editor_saves_a_new_annotation_to_the_store_file(session):
    page, mod = session["page"], session["mod"]
    line = first_statement_line(mod, session["guard"] + 2)
    row(page, line).locator("td.code").click()
    page.wait_for_function("document.querySelector('.fx-editor').innerText.includes('New annotation on line %d')"
                           % line)
    # the editor is a tab of the panel under the source (beside the flag playground)
    page.locator(".fx-tools .lm-TabBar-tab").filter(has_text="Annotation editor").click()
    ja_text = "ブラウザから追加した注釈 <b>太字ではない</b>"
    en_text = "added from the browser <img src=y onerror=\"window.__pwned=3\">"
    page.locator(".fx-edit-ja textarea").fill(ja_text)
    page.locator(".fx-edit-en textarea").fill(en_text)
    page.locator(".fx-save button, button.fx-save").first.click()
    page.wait_for_function("document.querySelector('.fx-edit-msg').innerText.includes('saved')")
    row(page, line).locator(".fx-mark").wait_for()
    files = [p.read_text(encoding="utf-8") for p in session["store"].rglob("*.yaml")]
    assert any("ブラウザから追加した注釈" in f and "added from the browser" in f for f in files)
    saved = [a for a in Store(session["store"]).list() if a.text.get("ja") == ja_text]
    assert len(saved) == 1 and saved[0].text["en"] == en_text
    placed = resolve_annotation(saved[0], mod)
    assert placed.status == "exact" and placed.line == line
    # the repository's own annotation files were not touched
    assert not any("ブラウザから追加した注釈" in p.read_text(encoding="utf-8")
                   for p in (REPO / "kernel-src" / "annotations").rglob("*.yaml"))
    panel = page.locator(".fx-panel .fx-note-view")
    panel.wait_for()
    assert panel.locator(".fx-en").text_content() == en_text
    assert page.locator(".fx-app img").count() == 0 and page.evaluate("window.__pwned") is None
    page.screenshot(path=str(ARTIFACTS / "annotation-added.png"))


def test_clicking_the_selected_line_again_selects_the_enclosing_statement(session):
    page, mod, line = session["page"], session["mod"], session["guard"]
    view = page.locator(".fx-view")
    row(page, line).locator("td.code").click()
    page.wait_for_function("document.querySelector('.fx-view').dataset.selectedKind === 'if_statement'")
    first = view.get_attribute("data-selected-kind")
    row(page, line).locator("td.code").click()
    page.wait_for_function("document.querySelector('.fx-view').dataset.selectedKind !== 'if_statement'")
    # the outline now covers the statement that holds the guard: find it in the tree itself
    col = len(mod.lines[line - 1]) - len(mod.lines[line - 1].lstrip())
    node = mod.tree.root_node.descendant_for_point_range((line - 1, col), (line - 1, col))
    while node.type != "if_statement":
        node = node.parent
    parent = node.parent
    assert first == "if_statement" and view.get_attribute("data-selected-kind") == parent.type
    top = page.locator(".fx-view tr.fx-seln-top")
    bot = page.locator(".fx-view tr.fx-seln-bot")
    assert int(top.get_attribute("data-line")) == parent.start_point[0] + 1
    assert int(bot.get_attribute("data-line")) == parent.end_point[0] + 1
    page.wait_for_function(f"document.querySelector('.fx-editor').innerText.includes('on line {line}')")


def test_diff_view_opens_with_aligned_rows(session):
    page = session["page"]
    page.locator(".fx-tabs .lm-TabBar-tab, .fx-tabs .p-TabBar-tab").filter(has_text="Diff").click()
    table = page.locator(".fx-diff-out .fx-diff table")
    table.wait_for()
    caption = table.locator("caption").text_content()
    assert "debian-6.1" in caption and "debian-6.12" in caption and "copy_process" in caption
    assert page.locator(".fx-diff-out tr.update, .fx-diff-out tr.insert, .fx-diff-out tr.delete").count() > 0
    matrix = page.locator(".fx-matrix-view table.fx-matrix")
    matrix.wait_for()
    page.screenshot(path=str(ARTIFACTS / "diff-view.png"))
    # the guard's row links each version to its line; a click opens it in the source view
    mod61 = need("debian-6.1")
    g61 = guard_line(mod61)
    cell = page.locator(f'.fx-matrix a[data-label="debian-6.1"][data-line="{g61}"]')
    assert cell.count() == 1
    cell.click()
    page.wait_for_selector('.fx-ready[data-label="debian-6.1"]', state="attached")
    page.wait_for_selector(f".fx-view tr#L{g61}.fx-sel")
    assert row(page, g61).locator("td.code").text_content() == mod61.lines[g61 - 1]
    page.screenshot(path=str(ARTIFACTS / "matrix-cell-opened.png"))
    # and the version picker brings the modern version back
    option = page.locator(".fx-version-picker select option").filter(has_text=LABEL + " ").first.text_content()
    page.locator(".fx-version-picker select").select_option(label=option)
    page.wait_for_selector(f'.fx-ready[data-label="{LABEL}"]', state="attached")
    assert LABEL in page.locator(".fx-view .fx-title").text_content()


def test_the_language_switch_offers_the_languages_present(session):
    """A zh note (from a Chinese reading note) is shown in Chinese; the switch
    offers 中文 beside the shipped pair and shows one language at a time."""
    page, mod = session["page"], session["mod"]
    buttons = page.locator(".fx-view .fx-langbtn")
    assert buttons.evaluate_all("bs => bs.map(b => b.dataset.lang)") == ["both", "ja", "en", "zh"]
    line = zh_guard_line(mod)
    row(page, line).locator("td.code").click()
    note = page.locator('.fx-panel .fx-note-view[data-key="browser-test.zh-1"]')
    note.wait_for()
    zh = note.locator(".fx-zh")
    assert zh.text_content() == ZH_NOTE and zh.get_attribute("lang") == "zh"
    assert note.locator(".fx-ja.fx-missing").is_visible()       # not translated yet, and says so
    assert zh.evaluate(GLYPH_CHECK)["tofuLike"] == 0
    for width, height in ((1440, 900), (1024, 768)):
        page.set_viewport_size({"width": width, "height": height})
        page.locator(".fx-view .fx-langbtn[data-lang=both]").click()
        page.wait_for_function("document.querySelector('.fx-view').dataset.lang === 'both'")
        page.locator(".fx-view").screenshot(path=str(ARTIFACTS / f"app-zh-both-{width}.png"))
        page.locator(".fx-view .fx-langbtn[data-lang=zh]").click()
        page.wait_for_function("document.querySelector('.fx-view').dataset.lang === 'zh'")
        assert zh.is_visible() and note.locator(".fx-ja").count() == 0 and note.locator(".fx-en").count() == 0
        page.locator(".fx-view").screenshot(path=str(ARTIFACTS / f"app-zh-only-{width}.png"))
    page.locator(".fx-view .fx-langbtn[data-lang=both]").click()
    page.wait_for_function("document.querySelector('.fx-view').dataset.lang === 'both'")
