"""The reading room's layout seams that need no browser (issue 15, part A): the
Voila template that asks no CDN, the tab title in both interface languages, the
first view at the fork entry, and a jump into another version.  The browser side
is tests/browser/test_room_layout_browser.py."""
from __future__ import annotations

from explorer.i18n import translator


def test_serve_uses_a_template_without_cdn_links():
    from explorer.cli.cmd_app import SERVE_DATA, TEMPLATE, voila_command

    cmd = voila_command(8899, open_browser=False)
    assert f"--template={TEMPLATE}" in cmd
    tpl = SERVE_DATA / "voila" / "templates" / TEMPLATE
    text = (tpl / "index.html.j2").read_text(encoding="utf-8")
    assert "extends 'lab/index.html.j2'" in text and "https://" not in text and "http://" not in text
    assert '"base_template": "lab"' in (tpl / "conf.json").read_text(encoding="utf-8")


def test_tab_title_names_the_version_in_each_interface_language():
    from explorer.widgets.app import page_title

    en, ja = page_title("debian-6.12", "en"), page_title("debian-6.12", "ja")
    assert en == "fork-explorer — debian-6.12"
    # the Japanese title is the catalogue's, with the label put in
    assert ja == translator("ja")("fork-explorer — {label}", "page title").format(label="debian-6.12")
    assert ja != en and "debian-6.12" in ja
    assert page_title(None, "ja") == "fork-explorer"


def test_first_view_is_the_fork_entry_and_a_jump_opens_another_version(mod612, mod61):
    from explorer.widgets import App
    from explorer.widgets.app import entry_line

    app = App("debian-6.12")
    start = mod612.functions["kernel_clone"].start_line
    assert entry_line(mod612) == start
    assert app.view.jump_line == start and app.view.selected_line == start
    assert not app.view.follow    # the opening run marks its lines without scrolling away from the entry
    app.playground.set_flags("CLONE_THREAD")
    assert app.view.follow and app.view.decided   # a reader's run scrolls to where it decides
    # a guard-matrix cell of debian-6.1, clicked while the Diff tab is in front
    fn = mod61.function("copy_process")
    line = next(n for n in range(fn.start_line, fn.end_line) if mod61.lines[n - 1].strip().startswith("if ("))
    app.tabs.selected_index = app.DIFF
    rev = app.view.jump_rev
    app._open_cell({"new": {"label": "debian-6.1", "line": line}})
    assert app.module.label == "debian-6.1" and app.tabs.selected_index == app.READ
    assert app.view.jump_line == line and app.view.selected_line == line and app.view.jump_rev > rev
    assert app.title.title == "fork-explorer — debian-6.1"
    # the same version again: only a jump
    app.jump("debian-6.1", fn.start_line)
    assert app.module.label == "debian-6.1" and app.view.jump_line == fn.start_line
