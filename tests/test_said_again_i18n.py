"""A message already on screen -- an error, a notice a widget wrote -- follows a
language switch: shown in English on real inputs, it is the Japanese sentence
of ja.po after set_lang("ja") (its data, a label or a path, as it was), and
the same English again, byte for byte, after set_lang("en").  Before the
widgets kept their sayings (explorer.widgets.said), each of these stayed in
the old language until the reader's next action."""
from __future__ import annotations

import html
import re

import pytest

import explorer
from explorer.annotations import Store
from explorer.errors import ExplorerError
from explorer.i18n import tell, translator
from explorer.render import esc
from explorer.tours import TourStore
from explorer.widgets.annotation_editor import AnnotationEditor
from explorer.widgets.app import App
from explorer.widgets.diff_view import DiffView
from explorer.widgets.source_view import SourceView
from explorer.widgets.then_and_now import ThenAndNow
from explorer.widgets.tour_panel import TourPanel
from explorer.widgets.version_picker import VersionAdder

from conftest import guard_line

JA, EN = translator("ja"), translator("en")
UNKNOWN = "v9.99-nowhere"      # a label no home registers


def said_in_both(widget, shown, lang_on=None):
    """What `shown()` reads in English, then after switching to Japanese, then back."""
    switch = lang_on or widget.set_lang
    english = shown()
    switch("ja")
    japanese = shown()
    switch("en")
    return english, japanese, shown()


def text_of(markup: str) -> str:
    """What a reader reads of some markup."""
    return html.unescape(re.sub(r"<[^>]+>", "", markup))


def unknown_label_error() -> ExplorerError:
    with pytest.raises(ExplorerError) as info:
        explorer.load(UNKNOWN)
    assert tell(info.value, JA) != tell(info.value, EN)      # the catalogue says it in Japanese
    return info.value


def editor_on(mod, folder, lang="en"):
    view = SourceView(mod)
    editor = AnnotationEditor(view, Store(folder), lang=lang)
    editor.set_module(mod)
    view.select(guard_line(mod))
    return editor


def test_editor_error_and_saved_notice_follow_the_switch(mod612, tmp_path):
    editor = editor_on(mod612, tmp_path)
    assert editor.save() is None                                   # nothing written yet: an error
    en, ja, back = said_in_both(editor, lambda: editor.message.value)
    assert EN("Write some text first.") in en and JA("Write some text first.") in ja
    assert JA("Write some text first.") != EN("Write some text first.")
    assert back == en

    editor.en.value = "Threads share their signal handlers."
    rid = editor.save()
    path = Store(tmp_path).get(rid).path
    en, ja, back = said_in_both(editor, lambda: editor.message.value)
    for said, _ in ((en, EN), (ja, JA)):
        expected = esc(_("saved {id} to {path}")).format(id=f"<code>{esc(rid)}</code>",
                                                         path=f"<code>{esc(path)}</code>")
        assert said == expected                 # the file's path stays as it is inside the sentence
    assert ja != en and back == en


def test_editor_store_error_follows_the_switch(mod612, tmp_path):
    """Saving into a store whose folder is a file: the Store's own error, said again."""
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("")
    editor = editor_on(mod612, blocked)
    editor.en.value = "A note with nowhere to go."
    try:
        editor.store.add(mod612, editor._node(), {"en": "probe"}, source_lang="en")
    except ExplorerError as e:
        error = e
    else:
        pytest.fail("the store wrote into a path that is a file")
    assert tell(error, JA) != tell(error, EN)
    assert editor.save() is None
    en, ja, back = said_in_both(editor, lambda: text_of(editor.message.value))
    assert tell(error, EN) in en and tell(error, JA) in ja and back == en


def test_app_load_error_follows_the_switch(with_testdata, annotation_copy):
    app = App("debian-6.12", lang="en")
    error = unknown_label_error()
    app.load(UNKNOWN)
    en, ja, back = said_in_both(app, lambda: text_of(app.message.value))
    assert en == f"{UNKNOWN}: {tell(error, EN)}"
    assert ja == f"{UNKNOWN}: {tell(error, JA)}"
    assert app.message.value.startswith(f"<b>{UNKNOWN}</b>") and back == en
    # the next version that loads says nothing: the error is not said again later
    app.load("debian-6.12")
    app.set_lang("ja")
    assert app.message.value == ""


def test_diff_view_error_follows_the_switch(with_testdata):
    """A pair where one side cannot be read (a label offered, its file gone)."""
    view = DiffView(lang="en")
    error = unknown_label_error()
    view.a.options = list(view.a.options) + [UNKNOWN]
    view.b.value = "debian-6.12"
    view.a.value = UNKNOWN
    en, ja, back = said_in_both(view, lambda: view.output.value)
    assert en == f"<b>{esc(tell(error, EN))}</b>" and ja == f"<b>{esc(tell(error, JA))}</b>"
    assert back == en


def test_diff_view_shows_no_old_diff_after_an_error(with_testdata):
    """The diff drawn before an error is not drawn back by a switch over the error."""
    view = DiffView(lang="en")
    view.b.value, view.a.value = "debian-6.12", "debian-6.1"
    assert "<table" in view.output.value or "fx-diff" in view.output.value
    view.a.options = list(view.a.options) + [UNKNOWN]
    view.a.value = UNKNOWN
    view.set_lang("ja")
    assert view.output.value == f"<b>{esc(tell(unknown_label_error(), JA))}</b>"


def test_broken_tour_file_is_said_again(tmp_path):
    (tmp_path / "broken.yaml").write_text("id: broken\nstops: 3\n")
    store = TourStore(tmp_path)
    problem = store.problems()[0]
    assert problem.say(JA) != problem.say(EN)
    panel = TourPanel(lang="en", store=store)
    en, ja, back = said_in_both(panel, lambda: text_of(panel.message.value))
    assert EN("A tour file does not validate: {problem}").format(problem=problem.say(EN)) in en
    assert JA("A tour file does not validate: {problem}").format(problem=problem.say(JA)) in ja
    assert back == en


def test_tour_link_error_is_said_again(tmp_path):
    """A shared link naming a tour that is not there, with a version on screen."""
    panel = TourPanel(lang="en", store=TourStore(tmp_path))
    panel.module = object()          # a version is shown: the link is judged now
    panel.open_query("no-such-tour", "1")
    en, ja, back = said_in_both(panel, lambda: text_of(panel.message.value))
    assert "no-such-tour" in en and "no-such-tour" in ja and ja != en and back == en


def test_version_adder_refusal_is_said_again():
    adder = VersionAdder(lambda label: None)
    adder.set_lang("en")
    assert adder.add() is None                           # no label given
    en, ja, back = said_in_both(adder, lambda: text_of(adder.message.value))
    assert EN("give the version a label first (for example v2.6.32)") in en and EN("Not added") in en
    assert JA("give the version a label first (for example v2.6.32)") in ja and JA("Not added") in ja
    assert back == en


def test_then_and_now_pair_error_is_said_again(with_testdata, annotation_copy):
    """A pair that cannot be read: its error, said again (the saying used to lose the
    exception when its block ended, and the switch failed)."""
    tab = ThenAndNow(lang="en")
    tab.compute()
    error = unknown_label_error()
    tab.a.options = list(tab.a.options) + [UNKNOWN]
    tab.a.value = UNKNOWN
    en, ja, back = said_in_both(tab, lambda: text_of(tab.say.value))
    b = tab.b.value
    assert EN("{a} and {b}: {error}").format(a=UNKNOWN, b=b, error=tell(error, EN)) in en
    assert JA("{a} and {b}: {error}").format(a=UNKNOWN, b=b, error=tell(error, JA)) in ja
    assert back == en
