"""The annotation editor edits and deletes notes through the Store, says which
file it wrote, and shows a conflict when someone else (a second Store on the
same folder) saved the note first, keeping both texts."""
from __future__ import annotations

from explorer.annotations import Store
from explorer.widgets.annotation_editor import AnnotationEditor
from explorer.widgets.source_view import SourceView

from conftest import guard_line


def editor_on(mod, folder):
    view = SourceView(mod)
    editor = AnnotationEditor(view, Store(folder))
    editor.set_module(mod)
    view.select(guard_line(mod))
    return view, editor


def test_save_names_the_file_then_edit_and_delete(mod612, tmp_path):
    view, editor = editor_on(mod612, tmp_path)
    editor.ja.value, editor.en.value = "スレッドはシグナルハンドラを共有する。", "Threads share handlers."
    rid = editor.save()
    path = Store(tmp_path).get(rid).path
    assert path.exists() and str(path) in editor.message.value
    # editing: the same note, its new words on disk, the old ones in the archive
    assert editor.editing == rid and not editor.delete_button.disabled
    editor.en.value = "Thread groups share their signal handlers."
    assert editor.save() == rid and str(path) in editor.message.value
    assert Store(tmp_path).get(rid).text["en"] == "Thread groups share their signal handlers."
    assert any(a.text["en"] == "Threads share handlers." for a in Store(tmp_path).archived())
    # deleting: gone from the live file and the view, kept in archive/ with its text
    arch = editor.delete()
    assert arch and arch in editor.message.value and rid in editor.message.value
    assert rid not in [a.id for a in Store(tmp_path).list()] and view.notes == []
    kept = [a for a in Store(tmp_path).archived() if a.id == rid]
    assert any(a.text["en"] == "Thread groups share their signal handlers." for a in kept)
    assert editor.editing is None and editor.delete_button.disabled


def test_someone_else_saved_first_both_texts_kept(mod612, tmp_path):
    view, editor = editor_on(mod612, tmp_path)
    editor.en.value = "First words."
    rid = editor.save()
    # another reader, with their own Store on the same folder, saves the note
    other = Store(tmp_path)
    other.update(rid, text={"en": "Their words."})
    editor.en.value = "My words."
    assert editor.save() is None
    assert editor.conflict is not None and "Their words." in editor.conflict_box.value
    assert editor.en.value == "My words."                          # mine stays in the box
    assert Store(tmp_path).get(rid).text["en"] == "Their words."   # theirs stays on disk
    # saving again keeps mine and moves theirs to the archive: neither is lost
    assert editor.save() == rid and editor.conflict_box.value == ""
    assert Store(tmp_path).get(rid).text["en"] == "My words."
    assert any(a.text.get("en") == "Their words." for a in Store(tmp_path).archived())


def test_a_change_to_another_note_of_the_file_is_no_conflict(mod612, tmp_path):
    view, editor = editor_on(mod612, tmp_path)
    editor.en.value = "Mine."
    rid = editor.save()
    other = Store(tmp_path)
    fn = mod612.function("copy_process")
    node = mod612.node_by_id(view.line_statement(fn.start_line + 3) or view.line_statement(guard_line(mod612) + 3))
    other.add(mod612, node, {"en": "Another note."}, source_lang="en")
    editor.en.value = "Mine, edited."
    assert editor.save() == rid and editor.conflict is None
    texts = sorted(a.text["en"] for a in Store(tmp_path).list())
    assert texts == ["Another note.", "Mine, edited."]


def test_delete_after_someone_edited_shows_their_text_first(mod612, tmp_path):
    view, editor = editor_on(mod612, tmp_path)
    editor.en.value = "Mine."
    rid = editor.save()
    Store(tmp_path).update(rid, text={"en": "Theirs, newer."})
    assert editor.delete() is None and "Theirs, newer." in editor.conflict_box.value
    assert Store(tmp_path).get(rid).text["en"] == "Theirs, newer."
    assert editor.delete()          # a second press, knowing their text, archives it
    assert any(a.text["en"] == "Theirs, newer." for a in Store(tmp_path).archived())


def test_taking_their_text_after_a_conflict(mod612, tmp_path):
    view, editor = editor_on(mod612, tmp_path)
    editor.en.value = "First words."
    rid = editor.save()
    Store(tmp_path).update(rid, text={"en": "Their words."})
    editor.en.value = "My words."
    assert editor.save() is None and editor.theirs_button.layout.display == ""
    editor.theirs_button.click()
    assert editor.en.value == "Their words." and editor.conflict is None
    assert editor.theirs_button.layout.display == "none" and editor.editing == rid
    assert Store(tmp_path).get(rid).text["en"] == "Their words."
