"""The translator's workflow: status, PO export/import (polib and Debian's
msgfmt), glossary check.  Annotations are our own texts on real nodes of
Debian's files, in temporary stores (FORK_EXPLORER_ANNOTATIONS)."""
from __future__ import annotations

import json
import os
import subprocess

import polib
import pytest

from explorer.annotations import Store, text_hash
from explorer.cli import main as cli_main
from explorer.errors import TranslationError
from explorer.notes import import_note, parse_note, write_into
from explorer.translate import (check_glossary, check_wording, export_po, import_po, load_avoid,
                                load_glossary, summary)

from conftest import SEED_NOTE, need_tool, seed_note_text


# -- helpers --------------------------------------------------------------------

def stmt_at(mod, function, needle):
    """The statement node on the first line of `function` containing needle."""
    fn = mod.function(function)
    for i in range(fn.start_line - 1, fn.end_line):
        if needle in mod.lines[i]:
            col = len(mod.lines[i]) - len(mod.lines[i].lstrip())
            node = mod.tree.root_node.descendant_for_point_range((i, col), (i, col + 1))
            return node, i + 1
    raise AssertionError(f"{needle!r} not in {function}")


def msgfmt_check(path):
    exe = need_tool("msgfmt", "Debian's gettext checks the PO files")
    proc = subprocess.run([exe, "--check", "-o", os.devnull, str(path)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    return proc


@pytest.fixture
def store_dir(tmp_path, monkeypatch):
    d = tmp_path / "annotations"
    d.mkdir()
    monkeypatch.setenv("FORK_EXPLORER_ANNOTATIONS", str(d))
    return d


@pytest.fixture
def populated(store_dir, mod612):
    """Three notes of our own on copy_process, in the states a translator meets."""
    st = Store(store_dir)
    thread, thread_line = stmt_at(mod612, "copy_process", "(clone_flags & CLONE_THREAD) && !(clone_flags & CLONE_SIGHAND)")
    st.add(mod612, thread, {"ja": "スレッドグループはシグナルハンドラを共有しなければならない。",
                            "en": "A thread group must share its signal handlers."},
           source_lang="ja", id="t.thread")
    dup, dup_line = stmt_at(mod612, "copy_process", "p = dup_task_struct(current, node);")
    st.add(mod612, dup, {"ja": "ここでプロセスディスクリプタを複製する。"}, source_lang="ja", id="t.dup")
    vm, vm_line = stmt_at(mod612, "copy_process", "(clone_flags & CLONE_SIGHAND) && !(clone_flags & CLONE_VM)")
    st.add(mod612, vm, {"en": "Shared handlers only make sense with a shared address space.",
                        "ja": "ハンドラを共有するならアドレス空間も共有する。"}, source_lang="en", id="t.vm")
    return {"dir": store_dir, "lines": {"t.thread": thread_line, "t.dup": dup_line, "t.vm": vm_line}}


# -- status ------------------------------------------------------------------------

def test_status_current_missing_and_stale_after_source_edit(populated):
    st = Store(populated["dir"])
    s = summary(st.list())
    assert s["annotations"] == 3
    assert s["by_lang"]["ja"] == {"current": 3, "missing": 0, "stale": 0}
    assert s["by_lang"]["en"] == {"current": 2, "missing": 1, "stale": 0}
    st.edit_text("t.thread", "ja", "スレッドグループの中ではシグナルハンドラを必ず共有する。")
    s = summary(Store(populated["dir"]).list())
    assert s["by_lang"]["en"] == {"current": 1, "missing": 1, "stale": 1}
    stale = [x for x in s["not_current"] if x["status"] == "stale"]
    assert stale == [dict(stale[0], id="t.thread", lang="en", reasons=["source-changed"])]
    assert stale[0]["line"] == populated["lines"]["t.thread"]


def test_status_stale_when_the_code_changed_between_versions(store_dir, mod61, mod612):
    # a statement that both versions have, but whose code differs (checked here, not assumed)
    node612, _ = stmt_at(mod612, "copy_files", "if (clone_flags & CLONE_FILES)")
    node61, _ = stmt_at(mod61, "copy_files", "if (clone_flags & CLONE_FILES)")
    from explorer.anchors import anchorable, code_hash
    n612, n61 = anchorable(mod612, node612), anchorable(mod61, node61)
    assert code_hash(mod612, n612) != code_hash(mod61, n61)
    st = Store(store_dir)
    st.add(mod612, n612, {"ja": "CLONE_FILES ならファイルディスクリプタテーブルを共有する。",
                          "en": "With CLONE_FILES the file descriptor table is shared."}, source_lang="ja", id="t.files")
    same = summary(st.list())
    assert same["by_lang"]["en"]["current"] == 1
    other = summary(st.list(), version="debian-6.1")
    assert other["by_lang"]["ja"] == {"current": 0, "missing": 0, "stale": 1}
    assert other["by_lang"]["en"] == {"current": 0, "missing": 0, "stale": 1}
    assert {tuple(x["reasons"]) for x in other["not_current"]} == {("code-changed",)}


# -- PO export / import -------------------------------------------------------------

def test_po_export_is_valid_and_carries_code_and_location(populated, tmp_path, mod612):
    st = Store(populated["dir"])
    out = tmp_path / "en.po"
    rep = export_po(st, out, to="en")
    assert (rep.entries, rep.translated, rep.untranslated, rep.fuzzy) == (2, 1, 1, 0)  # t.vm is English already
    msgfmt_check(out)
    po = polib.pofile(str(out))
    assert po.metadata["Language"] == "en"
    by_id = {e.msgctxt: e for e in po}
    assert set(by_id) == {"t.thread", "t.dup"}
    e = by_id["t.thread"]
    assert e.msgid == Store(populated["dir"]).get("t.thread").text["ja"]
    assert e.msgstr == "A thread group must share its signal handlers."
    line = populated["lines"]["t.thread"]
    assert f"debian-6.12:{line} copy_process" in e.comment
    assert "CLONE_SIGHAND" in e.comment                 # the anchored code is shown
    assert e.occurrences and e.occurrences[0][0].endswith("copy_process.yaml")
    assert by_id["t.dup"].msgstr == "" and not by_id["t.dup"].fuzzy


def test_po_round_trip_through_polib_and_msgfmt(populated, tmp_path):
    st = Store(populated["dir"])
    out = tmp_path / "fr.po"
    export_po(st, out, to="fr")
    po = polib.pofile(str(out))
    assert all(e.msgstr == "" for e in po)
    translations = {"t.thread": "Un groupe de threads partage ses gestionnaires de signaux.",
                    "t.dup": "Ici, le descripteur de processus est dupliqué.",
                    "t.vm": "Partager les gestionnaires suppose de partager l'espace d'adressage."}
    for e in po:
        e.msgstr = translations[e.msgctxt]
    po.metadata["Last-Translator"] = "Test Translator <t@example.org>"
    po.save(str(out))
    msgfmt_check(out)
    rep = import_po(Store(populated["dir"]), out)
    assert sorted(rep.applied) == sorted(translations) and rep.ok
    st = Store(populated["dir"])
    for rid, text in translations.items():
        ann = st.get(rid)
        assert ann.text["fr"] == text
        assert ann.provenance["fr"]["source"] == text_hash(ann.text[ann.source_lang])
    s = summary(st.list(), langs=["fr"])
    assert s["by_lang"]["fr"] == {"current": 3, "missing": 0, "stale": 0}
    raw = (populated["dir"] / "copy_process.yaml").read_text(encoding="utf-8")
    assert "Test Translator" in raw and "po:fr.po" in raw     # provenance of the import
    # importing the same file again changes nothing
    before = (populated["dir"] / "copy_process.yaml").read_bytes()
    again = import_po(Store(populated["dir"]), out)
    assert again.applied == [] and len(again.unchanged) == 3
    assert (populated["dir"] / "copy_process.yaml").read_bytes() == before
    # the exported file now carries the translations and is still valid
    out2 = tmp_path / "fr2.po"
    export_po(Store(populated["dir"]), out2, to="fr")
    msgfmt_check(out2)
    assert {e.msgctxt: e.msgstr for e in polib.pofile(str(out2))} == translations


def test_stale_entry_is_fuzzy_with_previous_source(populated, tmp_path):
    out = tmp_path / "fr.po"
    export_po(Store(populated["dir"]), out, to="fr")
    po = polib.pofile(str(out))
    for e in po:
        e.msgstr = "traduction de " + e.msgctxt
    po.save(str(out))
    import_po(Store(populated["dir"]), out)
    old = Store(populated["dir"]).get("t.thread").text["ja"]
    new = "スレッドグループの中ではシグナルハンドラを必ず共有する。"
    Store(populated["dir"]).edit_text("t.thread", "ja", new)
    out2 = tmp_path / "fr2.po"
    rep = export_po(Store(populated["dir"]), out2, to="fr")
    assert rep.fuzzy == 1
    msgfmt_check(out2)
    entry = next(e for e in polib.pofile(str(out2)) if e.msgctxt == "t.thread")
    assert entry.fuzzy and entry.msgid == new and entry.previous_msgid == old
    assert entry.msgstr == "traduction de t.thread"      # kept for the translator to revise
    text = out2.read_text(encoding="utf-8")
    assert "#, fuzzy" in text and "#| msgid" in text
    # fuzzy entries are reported, not applied
    rep = import_po(Store(populated["dir"]), out2)
    assert rep.fuzzy == ["t.thread"] and "t.thread" not in rep.applied


def test_import_reports_unknown_ids_conflicts_and_fuzzy(populated, tmp_path):
    out = tmp_path / "en.po"
    export_po(Store(populated["dir"]), out, to="en")
    po = polib.pofile(str(out))
    for e in po:
        if e.msgctxt == "t.dup":
            e.msgstr = "The process descriptor is duplicated here."
        if e.msgctxt == "t.thread":
            e.msgstr = "Threads of one group share their handlers."
    po.append(polib.POEntry(msgctxt="no.such.id", msgid="何か", msgstr="something"))
    po.append(polib.POEntry(msgctxt="t.vm", msgid="古い原文", msgstr="old source", flags=[]))
    po.save(str(out))
    # meanwhile someone else changes the English of t.thread in the store
    Store(populated["dir"]).edit_text("t.thread", "en", "Someone else's English.")
    rep = import_po(Store(populated["dir"]), out)
    assert rep.unknown_ids == ["no.such.id"]
    reasons = {c["id"]: c["reason"] for c in rep.conflicts}
    assert "changed in the store" in reasons["t.thread"]
    assert "t.vm" in reasons            # en is t.vm's source language
    assert rep.applied == ["t.dup"]
    st = Store(populated["dir"])
    assert st.get("t.thread").text["en"] == "Someone else's English."
    assert st.get("t.dup").text["en"] == "The process descriptor is duplicated here."
    assert not rep.ok


@pytest.mark.parametrize("garbage", [
    b"this is not a po file\n\"hello\"\nmsgid\n",
    b"\xff\xfe\x00\x01 binary",
    b"",                                                # parses, but names no language
    b'msgid ""\nmsgstr "Language: en\\n"\n\nmsgctxt "t.dup"\nmsgid "a"\nmsgstr "b"\n\n'
    b'msgctxt "t.dup"\nmsgid "a"\nmsgstr "c"\n',       # duplicate entry
])
def test_garbage_po_changes_nothing(populated, tmp_path, garbage, capsys):
    out = tmp_path / "bad.po"
    out.write_bytes(garbage)
    before = {p.name: p.read_bytes() for p in populated["dir"].glob("*.yaml")}
    with pytest.raises(TranslationError):
        import_po(Store(populated["dir"]), out)
    assert cli_main(["translate", "import", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and str(out) in err
    assert {p.name: p.read_bytes() for p in populated["dir"].glob("*.yaml")} == before


# -- glossary -------------------------------------------------------------------------

def test_glossary_term_without_partner_is_reported(populated, tmp_path):
    gl = tmp_path / "glossary.yaml"
    gl.write_text("terms:\n  - en: thread group\n    ja: スレッドグループ\n"
                  "  - en: address space\n    ja: アドレス空間\n"
                  "  - en: [process descriptor, task descriptor]\n    ja: プロセスディスクリプタ\n",
                  encoding="utf-8")
    terms = load_glossary(gl)
    st = Store(populated["dir"])
    # t.thread and t.vm use each term in both languages
    assert check_glossary(st.list(), terms) == []
    st.edit_text("t.thread", "en", "Threads of one group must share their signal handlers.")
    st.edit_text("t.dup", "en", "Here the task descriptors are copied.")
    findings = check_glossary(Store(populated["dir"]).list(), terms)
    assert [(f["id"], f["term"]["en"], f["used_in"], f["missing_in"]) for f in findings] == \
        [("t.thread", "thread group", "ja", "en")]       # plural of an accepted spelling is fine


def test_wording_to_avoid_is_reported_with_what_to_write(populated, tmp_path, capsys):
    """A spelling the glossary lists under `avoid:` is found in a note (spaces
    ignored) and the finding names the replacement; the CLI exits 1 on it."""
    gl = tmp_path / "glossary.yaml"
    gl.write_text("terms:\n  - en: thread group\n    ja: スレッドグループ\n"
                  "avoid:\n  - ja: 欄\n    use: [フィールド, メンバ]\n"
                  "  - ja: lock の下で\n    use: lock を保持したまま\n", encoding="utf-8")
    avoid = load_avoid(gl)
    st = Store(populated["dir"])
    assert check_wording(st.list(), avoid) == []
    st.edit_text("t.dup", "ja", "ここでプロセスディスクリプタを複製し、tasklist_lockの下で欄を埋める。")
    found = check_wording(Store(populated["dir"]).list(), avoid)
    assert sorted((f["id"], f["found"]) for f in found) == [("t.dup", "lock の下で"), ("t.dup", "欄")]
    assert next(f for f in found if f["found"] == "欄")["use"] == ["フィールド", "メンバ"]
    assert cli_main(["translate", "glossary", "--glossary", str(gl), "--json"]) == 1
    assert {f["found"] for f in json.loads(capsys.readouterr().out)["wording"]} == {"欄", "lock の下で"}


def test_repo_glossary_names_the_wording_issue_17_fixed():
    assert {a.text for a in load_avoid()} >= {"欄", "鍵束", "攻撃対象面", "眠りうる", "lock の下で"}


def test_repo_glossary_loads_and_is_used(populated):
    terms = load_glossary()
    assert len(terms) >= 10 and all(t.en and t.ja for t in terms)


def test_glossary_file_errors_are_typed(tmp_path):
    bad = tmp_path / "g.yaml"
    bad.write_text("terms:\n  - en: only english\n", encoding="utf-8")
    with pytest.raises(TranslationError):
        load_glossary(bad)
    with pytest.raises(TranslationError):
        load_glossary(tmp_path / "missing.yaml")


# -- CLI and the notes workflow ---------------------------------------------------------

def test_cli_status_export_import(populated, tmp_path, capsys):
    assert cli_main(["translate", "status", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["annotations"] == 3
    assert out["by_lang"]["en"] == {"current": 2, "missing": 1, "stale": 0}
    po_path = tmp_path / "en.po"
    assert cli_main(["translate", "export", "--to", "en", "--from", "ja", "-o", str(po_path), "--json"]) == 0
    exp = json.loads(capsys.readouterr().out)
    assert exp["entries"] == 2 and exp["untranslated"] == 1
    po = polib.pofile(str(po_path))
    for e in po:
        if not e.msgstr:
            e.msgstr = "The process descriptor is duplicated here."
    po.save(str(po_path))
    assert cli_main(["translate", "import", str(po_path), "--json"]) == 0
    imp = json.loads(capsys.readouterr().out)
    assert imp["applied"] == ["t.dup"] and imp["conflicts"] == [] and imp["unknown_ids"] == []
    assert cli_main(["translate", "status", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["by_lang"]["en"]["current"] == 3
    assert cli_main(["translate", "export", "--to", "en", "-o", str(tmp_path / "nodir" / "x.po")]) == 2
    assert cli_main(["translate", "status", "--version", "no-such-version"]) == 2


def test_imported_note_goes_to_translators(store_dir, tmp_path, mod612):
    """The seed note imported, then exported for English: every Japanese note is
    an untranslated entry; orphans say they are not placed."""
    st = Store(store_dir)
    result = write_into(import_note(parse_note(seed_note_text(), path=str(SEED_NOTE)), modules=[mod612]), st)
    out = tmp_path / "en.po"
    rep = export_po(Store(store_dir), out, to="en")
    japanese = [d for d in result.drafts if d.id in result.written and d.lang == "ja"]
    assert japanese and rep.entries == len(japanese) and rep.untranslated == rep.entries
    msgfmt_check(out)
    entries = list(polib.pofile(str(out)))
    assert any("not placed (orphaned)" in e.comment for e in entries)
    placed = [e for e in entries if "copy_process (" in e.comment]
    assert placed and all(e.comment.startswith("debian-6.12:") for e in placed)
    s = summary(Store(store_dir).list())
    assert s["by_lang"]["en"]["missing"] == len(japanese)
    assert s["by_lang"]["ja"]["current"] == len(japanese)


def test_import_warns_when_a_translation_drops_a_glossary_term(populated, tmp_path):
    terms = load_glossary()
    pd = next(t for t in terms if t.ja and any("ディスクリプタ" in j for j in t.ja) and
              any("descriptor" in e for e in t.en))      # the repo glossary's process descriptor
    assert any(j in Store(populated["dir"]).get("t.dup").text["ja"] for j in pd.ja)
    out = tmp_path / "en.po"
    export_po(Store(populated["dir"]), out, to="en")
    po = polib.pofile(str(out))
    for e in po:
        if e.msgctxt == "t.dup":
            e.msgstr = "The task is copied here."
    po.save(str(out))
    rep = import_po(Store(populated["dir"]), out, dry_run=True)
    assert rep.applied == ["t.dup"] and Store(populated["dir"]).get("t.dup").text.get("en") is None
    assert [(g["id"], g["missing_in"]) for g in rep.glossary] == [("t.dup", "en")]


def test_export_shows_the_code_of_the_version_read(populated, tmp_path, mod61):
    out = tmp_path / "en.po"
    export_po(Store(populated["dir"]), out, to="en", version="debian-6.1")
    msgfmt_check(out)
    _, line61 = stmt_at(mod61, "copy_process", "(clone_flags & CLONE_THREAD) && !(clone_flags & CLONE_SIGHAND)")
    entry = next(e for e in polib.pofile(str(out)) if e.msgctxt == "t.thread")
    assert entry.comment.startswith(f"debian-6.1:{line61} copy_process")
    assert line61 != populated["lines"]["t.thread"]      # the versions really differ there


def test_a_translation_and_its_record_are_written_in_one_save(populated, tmp_path, monkeypatch):
    """The translated text and what it was made from land together: with a
    disk that refuses every write after the first, the record is whole."""
    import explorer.annotations.yamlfile as store_module   # the one atomic writer of annotation files
    out = tmp_path / "en.po"
    export_po(Store(populated["dir"]), out, to="en")
    po = polib.pofile(str(out))
    for e in po:
        if e.msgctxt == "t.dup":
            e.msgstr = "The process descriptor is duplicated here."
    po.save(str(out))
    live = populated["dir"] / "copy_process.yaml"
    writes = []
    real = store_module.atomic_write

    def one_write_then_full(path, data):
        if path == live:
            writes.append(path)
            if len(writes) > 1:
                raise OSError(28, "No space left on device")
        return real(path, data)
    monkeypatch.setattr(store_module, "atomic_write", one_write_then_full)
    rep = import_po(Store(populated["dir"]), out)
    assert rep.applied == ["t.dup"] and len(writes) == 1
    st = Store(populated["dir"])
    assert st.get("t.dup").text["en"] == "The process descriptor is duplicated here."
    assert st.field("t.dup", "translated")["en"]["from"] == st.get("t.dup").text["ja"]
