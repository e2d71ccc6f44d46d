"""The interface in two languages: the catalogues compile, every string the
code marks for translation has Japanese, and the widgets show it with
lang="ja" (and switch back to English without rendering the source again)."""
from __future__ import annotations

import re
import subprocess

import polib
import pytest

from conftest import guard_line, need_tool
from explorer.i18n import catalogue_path, translator
from explorer.i18n.extract import msgids, msgids_in
from explorer.render import esc

JA = translator("ja")
PLACEHOLDER = re.compile(r"\{(\w*)\}")


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_catalogue_passes_msgfmt_check(lang, tmp_path):
    msgfmt = need_tool("msgfmt", "Debian's gettext checks the PO catalogues")
    r = subprocess.run([msgfmt, "--check", "-o", str(tmp_path / f"{lang}.mo"), str(catalogue_path(lang))],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr


def test_extraction_finds_every_form_of_the_gettext_call():
    found = msgids_in('_("a")\nself._("b")\nN_("c")\ntranslator(x)("d")\nprint("e")\n_(name)\n')
    assert sorted(found) == ["a", "b", "c", "d"]


def test_every_msgid_in_the_code_has_japanese():
    used = msgids()
    assert len(used) > 50            # the widgets, the render helpers, the app
    entries = {e.msgid: e for e in polib.pofile(str(catalogue_path("ja"))) if not e.obsolete}
    missing = {m: where[0] for m, where in used.items() if m not in entries or not entries[m].msgstr}
    assert not missing, f"untranslated in ja.po: {missing}"
    for m in used:
        # the same {placeholders} in both: a Japanese label never loses a line number or a name
        assert sorted(PLACEHOLDER.findall(m)) == sorted(PLACEHOLDER.findall(entries[m].msgstr)), m
        assert "fuzzy" not in entries[m].flags, m


def test_playground_in_japanese_and_back(mod612):
    from explorer.widgets.playground import FlagPlayground
    from explorer.widgets.source_view import SourceView

    view = SourceView(mod612, lang="ja")
    pg = FlagPlayground(view, lang="ja")
    pg.set_module(mod612)
    assert pg.entry.description == JA("Entry") != "Entry"
    assert pg.fail_callee.description == JA("Fail callee") != "Fail callee"
    assert pg.rules_box.titles == (JA("Rules of this version"),)
    assert pg.slider.labels["step"] == JA("Step")
    assert JA("success: pid {pid}").format(pid=pg.trace.outcome.value) in pg.outcome.value
    copy_mm = dict((v, lb) for lb, v in pg.fail_callee.options)["copy_mm"]
    assert copy_mm == JA("{name} — fork.c, fails as {how}").format(name="copy_mm", how="-errno")
    assert view.ui["click"] == JA("Click a line to read its commentary.")
    assert view.title.endswith(JA("lines {first}-{last}").format(first=1, last=mod612.line_count))
    table, rev = view.table, view.trace_rev
    pg.set_lang("en")
    view.set_lang("en")
    assert pg.entry.description == "Entry" and "success: pid" in pg.outcome.value
    assert view.ui["click"] == "Click a line to read its commentary."
    assert view.table is table and view.trace_rev == rev        # relabelled, not rendered again


def test_the_step_line_in_japanese_and_back(mod612):
    """What a step did (evaluate, assign...) and how an #ifdef came out, in the interface language;
    C's own words (return) and the code as they are."""
    from explorer.widgets.playground import STEP_EVENTS, FlagPlayground
    from explorer.widgets.source_view import SourceView

    pg = FlagPlayground(SourceView(mod612, lang="ja"), lang="ja")
    pg.set_module(mod612)
    steps = pg.trace.steps
    shown = {}
    for kind in ("assign", "eval", "return"):
        i = next(i for i, s in enumerate(steps) if s.event == kind)
        pg.slider.value = i
        shown[kind] = (i, pg.step_info.value)
    ifdef = next(i for i, s in enumerate(steps) if s.event == "branch" and s.detail.startswith("#if"))
    pg.slider.value = ifdef
    shown["ifdef"] = (ifdef, pg.step_info.value)
    assert f"<b>{JA(STEP_EVENTS['assign'])}</b>" in shown["assign"][1] != JA(STEP_EVENTS["assign"])
    assert f"<b>{JA(STEP_EVENTS['eval'])}</b>" in shown["eval"][1]
    assert "<b>return</b>" in shown["return"][1]
    said = steps[ifdef].said
    assert said.in_lang("ja") in shown["ifdef"][1] and steps[ifdef].detail not in shown["ifdef"][1]
    assert said.values["head"] in shown["ifdef"][1]       # the directive itself, as the file has it
    pg.set_lang("en")
    pg.slider.value = ifdef
    assert f"<b>branch</b> {esc(steps[ifdef].detail)}" in pg.step_info.value


def test_editor_in_japanese(mod612, tmp_path):
    from explorer.annotations import Store
    from explorer.widgets.annotation_editor import AnnotationEditor
    from explorer.widgets.source_view import SourceView

    view = SourceView(mod612)
    editor = AnnotationEditor(view, Store(tmp_path), lang="ja")
    editor.set_module(mod612)
    assert editor.save_button.description == JA("Save annotation") != "Save annotation"
    assert editor.delete_button.description == JA("Delete")
    view.select(guard_line(mod612))
    editor.en.value = "x"
    rid = editor.save()
    path = Store(tmp_path).get(rid).path
    assert editor.message.value == JA("saved {id} to {path}").format(id=f"<code>{rid}</code>", path=f"<code>{path}</code>")
    assert JA("exact") in editor.summary.value


def test_app_follows_the_browser_and_the_switch(mod612, annotation_copy):
    from explorer.widgets import App

    app = App("debian-6.12")
    assert app.tabs.titles[0] == "Read & run"          # nothing known of the browser yet: English
    table = app.view.table
    app.language.browser = ["ja-JP", "en-US"]          # what language.js reports from navigator.languages
    assert app.language.lang == "ja"
    assert app.tabs.titles == tuple(JA(t) for t in ("Read & run", "Diff & history", "Then and now"))
    assert app.goto.description == JA("Go to") and app.playground.entry.description == JA("Entry")
    assert app.diff.a.description == JA("From") and app.picker.dropdown.description == JA("Version")
    assert app.picker.adder.add_button.description == JA("Add") != "Add"
    assert app.view.table is table                      # the source is not rendered again
    app.language.lang = "en"                            # the reader's click on "English"
    assert app.tabs.titles[0] == "Read & run" and app.editor.save_button.description == "Save annotation"
    app.language.browser = ["ja"]                       # a choice made stays made
    assert app.language.lang == "en"
    assert App("debian-6.12", lang="ja").tabs.titles[0] == JA("Read & run")


def test_rules_and_then_and_now_in_japanese(mod612, annotation_copy):
    from explorer.widgets import App

    app = App("debian-6.12", lang="ja")
    pg = app.playground
    pg.set_flags("CLONE_THREAD")
    pg.rules_box.selected_index = 0                 # opening the rules computes them
    assert JA("Rules of {label} {entry}").format(label="debian-6.12", entry=pg.entry.value) in pg.rules.head.value
    assert JA("because") in pg.rules.because.value
    app.then_now.compute()
    assert (app.then_now.a.description, app.then_now.b.description) == (JA("Then"), JA("Now"))
    assert app.then_now.view_b.ui["click"] == JA("Click a line to read its commentary.")
    app.language.lang = "en"
    assert "Rules of debian-6.12" in pg.rules.head.value and app.then_now.a.description == "Then"


def test_the_japanese_interface_uses_the_glossarys_terms():
    """Where an English label uses a kernel term of kernel-src/glossary.yaml, its
    Japanese uses the glossary's Japanese for it; no spelling the glossary avoids."""
    from types import SimpleNamespace

    from explorer.translate.glossary import check, check_wording, load_avoid, load_glossary

    entries = [SimpleNamespace(id=e.msgid, text={"en": e.msgid, "ja": e.msgstr}, path=None, line=e.linenum)
               for e in polib.pofile(str(catalogue_path("ja"))) if e.msgstr]
    terms = load_glossary()
    assert [f for f in check(entries, terms) if f["used_in"] == "en"] == []
    assert check_wording(entries, load_avoid()) == []


def test_a_notebooks_widgets_follow_the_browser(mod612):
    from explorer.widgets.diff_view import DiffView
    from explorer.widgets.language import follow_browser

    diff = DiffView()
    switch = follow_browser(diff)
    assert diff.a.description == "From"
    switch.browser = ["ja", "en"]          # what the page reports
    assert (diff.a.description, diff.function.description) == (JA("From"), JA("Function"))


def test_the_tour_panel_relabels_with_the_app(mod612, annotation_copy):
    from explorer.widgets import App

    app = App("debian-6.12", lang="en")
    assert app.tour.picker.description == "Tour"
    app.language.lang = "ja"
    assert (app.tour.picker.description, app.tour.prev.description) == (JA("Tour"), JA("◀ Previous"))
    assert app.tour.link.label_text == JA("Link to this stop:")
