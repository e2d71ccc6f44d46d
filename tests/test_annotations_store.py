"""The annotation store: round trip, atomic saves, validation, the editing API."""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from explorer.annotations import Store, anchored_code_hash, clean_text, resolve_annotation, text_hash
from explorer.annotations.store import atomic_write, dump_bytes, load_bytes
from explorer.anchors import statements
from explorer.errors import AnnotationError, ConflictError, LookupFailure
from explorer.paths import annotations_dir

REPO = Path(__file__).resolve().parents[1]
SHIPPED = REPO / "kernel-src" / "annotations"
KNOWN = {"debian-6.1", "debian-6.12", "v2.6.32", "v2.6.32.69", "v4.19", "v5.4"}   # the versions shipped notes name


def _guard(mod, function, needle):
    """The statement of `function` whose source text contains `needle` (found in the file itself)."""
    for node in statements(mod.function(function).node):
        if node.type == "if_statement" and needle in mod.source_text(node).split("\n")[0]:
            return node
    raise AssertionError(f"no guard containing {needle!r} in {function}")


@pytest.fixture()
def store_dir(tmp_path):
    d = tmp_path / "annotations"
    shutil.copytree(SHIPPED, d)
    return d


# -- round trip ---------------------------------------------------------------------------

def test_every_shipped_file_round_trips_byte_for_byte():
    files = sorted(SHIPPED.glob("*.yaml"))
    assert len(files) >= 10
    for path in files:
        data = path.read_bytes()
        assert dump_bytes(load_bytes(data)) == data, path.name


def test_hand_edited_comments_and_quotes_survive_an_api_edit(store_dir):
    path = store_dir / "sys_fork.yaml"
    original = path.read_text(encoding="utf-8")
    edited = "# reviewed by the Thursday reading group\n" + original.replace(
        "    source_lang: ja\n", "    source_lang: 'ja'   # original language\n", 1)
    path.write_text(edited, encoding="utf-8")
    store = Store(store_dir, known_versions=KNOWN)
    store.edit_text("sys_fork.entry", "en", "A new English text.")
    after = path.read_text(encoding="utf-8")
    assert after.startswith("# reviewed by the Thursday reading group\n")
    assert "source_lang: 'ja'   # original language" in after
    assert "A new English text." in after


# -- the API ------------------------------------------------------------------------------

def test_add_get_edit_delete_on_a_real_guard(store_dir, mod612):
    store = Store(store_dir, known_versions=KNOWN)
    node = _guard(mod612, "copy_process", "CLONE_NEWUSER|CLONE_FS")
    # a click on an identifier inside the condition lands on the if statement
    inner = node.child_by_field_name("condition").named_children[0]
    ann = store.add(mod612, inner, {"ja": "テスト用の注釈。", "en": "A test note."}, source_lang="ja",
                    tags=["flag-check"], id="test.newuser-fs")
    assert ann.anchor.kind == "if_statement" and ann.function == "copy_process"
    assert "CLONE_NEWUSER|CLONE_FS" in ann.anchor.head
    assert ann.written_against == "debian-6.12"
    lines = (store_dir / "copy_process.yaml").read_text(encoding="utf-8").split("\n")
    assert lines[ann.line - 1] == "  - id: test.newuser-fs"        # the record knows where it is
    assert ann.provenance["en"]["source"] == text_hash("テスト用の注釈。")
    assert ann.provenance["en"]["code"] == anchored_code_hash(ann, mod612)

    fresh = Store(store_dir, known_versions=KNOWN)          # it is on disk, and valid
    assert fresh.problems() == []
    got = fresh.get("test.newuser-fs")
    res = resolve_annotation(got, mod612)
    assert res.status == "exact" and res.line == node.start_point[0] + 1

    # editing the source language leaves the translation's provenance behind (-> stale for issue 6)
    fresh.edit_text("test.newuser-fs", "ja", "書き直した注釈。")
    got = fresh.get("test.newuser-fs")
    assert got.provenance["ja"]["source"] == text_hash("書き直した注釈。")
    assert got.provenance["en"]["source"] != text_hash(got.text["ja"])
    # translating again records the current source text
    fresh.edit_text("test.newuser-fs", "en", "A rewritten note.")
    assert fresh.get("test.newuser-fs").provenance["en"]["source"] == text_hash("書き直した注釈。")

    arch = fresh.delete("test.newuser-fs", reason="test")
    assert arch == store_dir / "archive" / "copy_process.yaml"
    with pytest.raises(LookupFailure):
        fresh.get("test.newuser-fs")
    kept = [a for a in Store(store_dir, known_versions=KNOWN).archived() if a.id == "test.newuser-fs"]
    assert kept and kept[-1].text["ja"] == "書き直した注釈。"   # the deleted record (the edit archived the first text)
    assert kept[0].text["ja"] == "テスト用の注釈。"
    assert "test.newuser-fs" not in {a.id for a in Store(store_dir, known_versions=KNOWN).list()}


def test_add_refuses_duplicate_ids_and_missing_source_text(store_dir, mod612):
    store = Store(store_dir, known_versions=KNOWN)
    node = _guard(mod612, "copy_process", "CLONE_SIGHAND) && !(clone_flags & CLONE_VM")
    with pytest.raises(AnnotationError):
        store.add(mod612, node, {"en": "x"}, source_lang="ja")
    with pytest.raises(AnnotationError):
        store.add(mod612, node, {"ja": "x"}, source_lang="ja", id="copy_process.entry")


def test_a_file_changed_behind_the_stores_back_is_a_conflict(store_dir):
    store = Store(store_dir, known_versions=KNOWN)
    other = Store(store_dir, known_versions=KNOWN)
    other.edit_text("sys_vfork.entry", "en", "Edited by another window.")
    with pytest.raises(ConflictError):
        store.edit_text("sys_vfork.entry", "en", "Edited without seeing it.")
    assert "Edited by another window." in (store_dir / "sys_vfork.yaml").read_text(encoding="utf-8")
    store.reload()
    store.edit_text("sys_vfork.entry", "en", "Edited after reloading.")
    assert "Edited after reloading." in (store_dir / "sys_vfork.yaml").read_text(encoding="utf-8")


# -- crashes during a save ----------------------------------------------------------------

def test_a_failing_rename_leaves_the_old_file_whole(store_dir, monkeypatch):
    path = store_dir / "sys_clone.yaml"
    before = path.read_bytes()
    store = Store(store_dir, known_versions=KNOWN)

    def boom(src, dst):
        raise OSError("disk pulled out")
    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(AnnotationError, match="disk pulled out"):   # one typed line for the CLI, not a traceback
        store.edit_text("sys_clone.entry", "en", "never saved")
    assert path.read_bytes() == before
    assert not [p for p in store_dir.iterdir() if p.name.endswith(".tmp")]
    assert "never saved" not in store.get("sys_clone.entry").text["en"]   # memory rolled back too


def test_a_process_killed_between_write_and_rename_leaves_the_old_file(store_dir, tmp_path):
    path = store_dir / "sys_clone3.yaml"
    before = path.read_bytes()
    ready = tmp_path / "ready"
    script = textwrap.dedent(f"""
        import os, time
        from pathlib import Path
        from explorer.annotations import Store
        real_replace = os.replace
        def stall(src, dst):
            if Path(dst).parent.name == "archive":   # the replaced text is archived first
                return real_replace(src, dst)
            Path({str(ready)!r}).write_text(src)
            time.sleep(60)          # killed here: the new text is written and fsynced, not renamed
            real_replace(src, dst)
        os.replace = stall
        store = Store({str(store_dir)!r}, known_versions={sorted(KNOWN)!r})
        store.edit_text("sys_clone3.entry", "en", "half-saved text")
    """)
    proc = subprocess.Popen([sys.executable, "-c", script], cwd=REPO)
    try:
        for _ in range(2400):           # up to 2 minutes on a loaded machine: a hang guard, not a speed claim
            if ready.exists() or proc.poll() is not None:
                break
            import time
            time.sleep(0.05)
        assert ready.exists(), "the child never reached the rename"
        tmp_file = Path(ready.read_text())
        assert b"half-saved text" in tmp_file.read_bytes()
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    assert path.read_bytes() == before
    store = Store(store_dir, known_versions=KNOWN)            # the leftover temp file is not read
    assert store.problems() == []
    assert "half-saved text" not in store.get("sys_clone3.entry").text["en"]


def test_atomic_write_replaces_whole(tmp_path):
    p = tmp_path / "x.yaml"
    atomic_write(p, b"one\n")
    atomic_write(p, b"two\n")
    assert p.read_bytes() == b"two\n"
    assert [q.name for q in tmp_path.iterdir()] == ["x.yaml"]


# -- validation ---------------------------------------------------------------------------

def _record(id_, version="debian-6.12", head="clone_flags & CLONE_VM", text=True, anchor=True):
    lines = [f"  - id: {id_}"]
    if anchor:
        lines += ["    anchor:", "      function: copy_mm", "      kind: if_statement", f"      head: {head}"]
    lines += [f"    written_against: {version}", "    source_lang: en"]
    if text:
        lines += ["    text:", "      en: A note.", "      ja: 注釈。"]
    return lines


def test_validation_names_file_and_line_and_one_bad_file_hides_nothing(tmp_path):
    d = tmp_path / "ann"
    d.mkdir()
    good = ["function: copy_mm", "annotations:"] + _record("good.one") + _record("dup.id")
    (d / "a_good.yaml").write_text("\n".join(good) + "\n", encoding="utf-8")
    odd_kind = [ln.replace("kind: if_statement", "kind: compound_statement") for ln in _record("odd.kind")]
    bad = ["function: copy_mm", "annotations:"] + _record("dup.id") + _record("old.version", version="v9.99") \
        + _record("no.anchor", anchor=False) + odd_kind + _record("fine.too")
    (d / "b_mixed.yaml").write_text("\n".join(bad) + "\n", encoding="utf-8")
    (d / "c_broken.yaml").write_text("function: copy_mm\nannotations:\n  - id: [unclosed\n", encoding="utf-8")

    store = Store(d, known_versions=KNOWN)
    probs = {(p.path.name, p.message.split(":")[0] if p.message.startswith("bad YAML") else p.message): p.line
             for p in store.problems()}
    msgs = [str(p) for p in store.problems()]
    bad_lines = bad  # 1-based line of an id in the mixed file
    dup_line = bad_lines.index("  - id: dup.id") + 1
    assert any(m.startswith(f"{d / 'b_mixed.yaml'}:{dup_line}: duplicate id 'dup.id'") for m in msgs), msgs
    ver_line = bad_lines.index("    written_against: v9.99") + 1
    assert any(m.startswith(f"{d / 'b_mixed.yaml'}:{ver_line}: old.version: unknown version 'v9.99'")
               for m in msgs), msgs
    assert any("no.anchor: missing anchor" in m and "b_mixed.yaml" in m for m in msgs), msgs
    kind_line = bad_lines.index("      kind: compound_statement") + 1
    assert any(m.startswith(f"{d / 'b_mixed.yaml'}:{kind_line}: odd.kind: anchor kind") for m in msgs), msgs
    broken = [p for p in store.problems() if p.path.name == "c_broken.yaml"]
    assert broken and broken[0].message.startswith("bad YAML") and broken[0].line >= 3
    # the valid notes of every file are still listed
    assert {a.id for a in store.list()} == {"good.one", "dup.id", "fine.too"}
    assert probs  # and nothing was silently dropped


def test_the_shipped_commentary_validates():
    store = Store(annotations_dir())
    assert store.problems() == []
    assert len(store.list()) >= 60


# -- property: any text survives a save and a reload, and the file still round-trips -----------

@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ja=st.text(min_size=1, max_size=200).filter(lambda s: clean_text(s).strip()),
       en=st.text(min_size=1, max_size=200).filter(lambda s: clean_text(s).strip()))
def test_any_text_is_stored_and_read_back(tmp_path_factory, mod612, ja, en):
    d = tmp_path_factory.mktemp("prop")
    store = Store(d, known_versions=KNOWN)
    node = _guard(mod612, "copy_process", "CLONE_THREAD) && !(clone_flags & CLONE_SIGHAND")
    ann = store.add(mod612, node, {"ja": ja, "en": en}, source_lang="ja", id="prop.note")
    back = Store(d, known_versions=KNOWN)
    assert back.problems() == []
    got = back.get(ann.id)
    assert got.text == {"ja": clean_text(ja), "en": clean_text(en)}
    assert got.provenance["en"]["source"] == text_hash(ja)
    data = (d / "copy_process.yaml").read_bytes()
    assert dump_bytes(load_bytes(data)) == data


# -- one atomic update of several fields ---------------------------------------------------

def test_update_changes_text_tags_and_fields_in_one_save(store_dir):
    store = Store(store_dir, known_versions=KNOWN)
    path = store_dir / "sys_vfork.yaml"
    saves = []
    real_save = store._save
    store._save = lambda *a, **k: (saves.append(a[0]), real_save(*a, **k))[1]
    ann = store.update("sys_vfork.entry", text={"en": "One save for all of it."}, tags=["checked"],
                       fields={"reviewed": {"by": "reading group", "at": "2026-12-06"}})
    assert [p for p in saves if p == path] == [path]           # the live file written once
    assert ann.text["en"] == "One save for all of it." and ann.tags == ["checked"]
    again = Store(store_dir, known_versions=KNOWN)
    assert again.field("sys_vfork.entry", "reviewed") == {"by": "reading group", "at": "2026-12-06"}
    assert again.get("sys_vfork.entry").provenance["en"]["source"] == \
        text_hash(again.get("sys_vfork.entry").text[again.get("sys_vfork.entry").source_lang])
    # None removes an extra field; the store's own keys are not fields
    store.update("sys_vfork.entry", fields={"reviewed": None})
    assert Store(store_dir, known_versions=KNOWN).field("sys_vfork.entry", "reviewed") is None
    with pytest.raises(AnnotationError):
        store.update("sys_vfork.entry", fields={"text": "sneaked in"})


def test_a_conflicting_update_writes_nothing_and_keeps_the_store_as_it_was(store_dir):
    store = Store(store_dir, known_versions=KNOWN)
    before = store.get("sys_vfork.entry")
    other = Store(store_dir, known_versions=KNOWN)
    other.set_tags("sys_vfork.entry", ["from-the-other-window"])
    on_disk = (store_dir / "sys_vfork.yaml").read_bytes()
    with pytest.raises(ConflictError):
        store.update("sys_vfork.entry", text={"en": "Not seen."}, tags=["mine"], fields={"origin": {"x": 1}})
    assert (store_dir / "sys_vfork.yaml").read_bytes() == on_disk
    after = store.get("sys_vfork.entry")       # nothing half-applied in memory either
    assert (after.text, after.tags, after.provenance) == (before.text, before.tags, before.provenance)
    assert store.field("sys_vfork.entry", "origin") is None


def test_add_many_writes_each_file_once_and_refuses_all_of_a_file_together(store_dir, mod612):
    store = Store(store_dir, known_versions=KNOWN)
    a = _guard(mod612, "copy_process", "CLONE_SIGHAND) && !(clone_flags & CLONE_VM")
    b = _guard(mod612, "copy_process", "CLONE_THREAD) && !(clone_flags & CLONE_SIGHAND")
    path = store_dir / "copy_process.yaml"
    before = path.read_bytes()
    with pytest.raises(AnnotationError):       # the second one is malformed: neither is added
        store.add_many([dict(module=mod612, node=a, text={"zh": "共享信号处理"}, source_lang="zh", id="t.a"),
                        dict(module=mod612, node=b, text={"en": "x"}, source_lang="ja", id="t.b")])
    assert path.read_bytes() == before
    added = store.add_many([
        dict(module=mod612, node=a, text={"zh": "共享信号处理需要共享内存"}, source_lang="zh", id="t.a",
             fields={"note": {"file": "mine.md", "line": 3}}),
        dict(module=mod612, node=b, text={"zh-Hant": "執行緒需要共享訊號處理"}, source_lang="zh-Hant", id="t.b")])
    assert [x.source_lang for x in added] == ["zh", "zh-Hant"]
    again = Store(store_dir, known_versions=KNOWN)
    assert not again.problems()
    assert again.get("t.a").text == {"zh": "共享信号处理需要共享内存"}
    assert again.field("t.a", "note") == {"file": "mine.md", "line": 3}


@pytest.mark.parametrize("lang,ok", [("zh", True), ("zh-Hant", True), ("zh-Hant-TW", True), ("pt_BR", True),
                                     ("es-419", True), ("ko", True), ("japanese", False), ("z", False),
                                     ("zh-", False), ("EN", False)])
def test_any_bcp47_language_is_accepted_and_nothing_else(store_dir, lang, ok):
    store = Store(store_dir, known_versions=KNOWN)
    if ok:
        assert store.edit_text("sys_vfork.entry", lang, "text").text[lang] == "text"
        assert not Store(store_dir, known_versions=KNOWN).problems()
    else:
        with pytest.raises(AnnotationError):
            store.edit_text("sys_vfork.entry", lang, "text")
