"""Notes from the wild: one kernel version per note, and notes in any language.

The notes are our own (tests/fixtures/notes_*.zh.md): Chinese prose, a heading
per step, the author's `//` comments inside the code.  Their code is cut at run
time from the real files (Debian's 6.1 and 6.12, ../shared/testdata's 2.6.32.69
and 5.4) by the `@excerpt[@LABEL] FUNCTION "needle" -BEFORE +AFTER` lines; no
kernel text is stored here."""
from __future__ import annotations

import json
import re

import polib
import pytest

from explorer.annotations import Store
from explorer.cli import main as cli_main
from explorer.errors import NoteError
from explorer.notes import import_note, parse_note
from explorer.notes.languages import language_of

from conftest import FIXTURES, SEED_NOTE, seed_note_text

_DIRECTIVE = re.compile(r'^@excerpt(?:@(\S+))? (\w+) "(.+)" -(\d+) \+(\d+)$')


def build_note(name: str, modules: dict, default: str, edit=None) -> tuple[str, dict[int, tuple[str, int, int]]]:
    """Our note `name` with its code cut from the real files; per block index the
    (label, first line, last line) it was cut from."""
    text = (FIXTURES / name).read_text(encoding="utf-8")
    if edit:
        text = edit(text)
    out, cut, block = [], {}, -1
    for line in text.split("\n"):
        if line.startswith("```c"):
            block += 1
        m = _DIRECTIVE.match(line)
        if not m:
            out.append(line)
            continue
        label = m.group(1) or default
        mod = modules[label]
        fn = mod.function(m.group(2))
        at = next(n for n in range(fn.start_line, fn.end_line + 1) if m.group(3) in mod.lines[n - 1])
        first, last = at - int(m.group(4)), at + int(m.group(5))
        out.extend(mod.lines[first - 1:last])
        cut[block] = (label, first, last)
    return "\n".join(out), cut


@pytest.fixture(scope="module")
def four(mod2632, mod54, mod61, mod612):
    return {m.label: m for m in (mod2632, mod54, mod61, mod612)}


def _import(text, four, **kw):
    return import_note(parse_note(text, path="note.md"), modules=list(four.values()), **kw)


# -- one version per note ----------------------------------------------------------------

def test_a_long_note_on_one_version_lands_there_whole(four):
    text, cut = build_note("notes_steps.zh.md", four, "v5.4")
    result = _import(text, four)
    d = result.as_dict()
    assert len(d["blocks"]) == 25
    assert d["version"] == "v5.4" and not d["version_forced"] and d["version_form"] == "_do_fork"
    for b in d["blocks"]:
        label, first, last = cut[b["index"]]
        assert (b["status"], b["label"], b["in_note_version"]) == ("anchored", "v5.4", True), b
        assert (b["line"], b["end_line"]) == (first, last), b
    # The point: many of these blocks are just as exact in a newer kernel, where
    # placing each block on its own (ties to the newest) used to scatter the note.
    exact_in_newest = [b["index"] for b in d["blocks"]
                       if any(v["label"] == "debian-6.12" and v["score"] == 1.0 for v in b["versions"])]
    assert len(exact_in_newest) >= 10
    assert [u["label"] for u in d["versions_used"]] == ["v5.4"] and not d["spans_generations"]


def test_the_note_language_and_each_comment_language(four):
    text, _ = build_note("notes_steps.zh.md", four, "v5.4")
    result = _import(text, four)
    assert result.as_dict()["lang"] == "zh"
    assert all(b["lang"] == "zh" for b in result.as_dict()["blocks"])
    comments = {d.text: d.lang for d in result.drafts if d.role == "comment"}
    assert comments["先判断是哪一种创建方式"] == "zh"
    assert comments["note: perf events are copied before the audit context"] == "en"
    assert {d.lang for d in result.drafts if d.role != "comment"} == {"zh"}


def test_a_note_spanning_two_generations_is_told_from_scattering(four):
    text, cut = build_note("notes_generations.zh.md", four, "v5.4")
    d = _import(text, four).as_dict()
    assert d["version"] == "v2.6.32.69" and d["version_form"] == "do_fork"
    old = [b for b in d["blocks"] if cut[b["index"]][0] == "v2.6.32.69"]
    new = [b for b in d["blocks"] if cut[b["index"]][0] == "debian-6.12"]
    assert all(b["label"] == "v2.6.32.69" and b["in_note_version"] for b in old)
    # the kernel_clone blocks gather in ONE version of the other form, each saying why
    assert len({b["label"] for b in new}) == 1
    assert all(not b["in_note_version"] and b["why_elsewhere"] in ("absent", "closer") for b in new)
    assert any(b["why_elsewhere"] == "absent" for b in new)
    other = [u for u in d["versions_used"] if not u["note_version"]]
    assert len(other) == 1 and other[0]["form"] == "kernel_clone" and d["spans_generations"]
    for b in new:   # each lands on the same lines it was cut from, in that version's copy
        src = four[b["label"]]
        _, first, last = cut[b["index"]]
        assert src.lines[b["line"] - 1:b["end_line"]] == four["debian-6.12"].lines[first - 1:last]


def test_a_version_named_in_the_note_breaks_the_tie(four):
    text, _ = build_note("notes_hinted.zh.md", four, "debian-6.1")
    assert _import(text, four).as_dict()["version"] == "debian-6.1"     # "Linux 6.1" in the heading
    plain, _ = build_note("notes_hinted.zh.md", four, "debian-6.1", edit=lambda t: t.replace("Linux 6.1 的 ", ""))
    d = _import(plain, four).as_dict()
    # no hint: the oldest version in which every block is present
    present = [lb for lb in four if all(any(v["label"] == lb and v["score"] == 1.0 for v in b["versions"])
                                       for b in d["blocks"])]
    assert d["version"] == present[0] != "debian-6.1"


def test_a_tie_goes_to_the_version_with_the_fewest_fuzzy_placements(four):
    from explorer.notes.choose import EXACT, PRESENT_MARGIN
    text, _ = build_note("notes_fuzzy_tie.zh.md", four, "debian-6.12")
    d = _import(text, four).as_dict()
    assert d["version"] == "debian-6.12" and all(b["in_note_version"] for b in d["blocks"])
    # an older version explains both blocks too (the long one a little fuzzily): a real tie,
    # which "the oldest" alone would have given to it
    long_block = d["blocks"][0]
    older = [v for v in long_block["versions"]
             if v["label"] != "debian-6.12" and 1.0 - PRESENT_MARGIN <= v["score"] < EXACT]
    assert older and all(any(v["label"] == o["label"] and v["score"] == 1.0 for v in d["blocks"][1]["versions"])
                         for o in older)


def test_forced_version_and_its_bad_input(four):
    text, _ = build_note("notes_steps.zh.md", four, "v5.4")
    d = _import(text, four, version="debian-6.1").as_dict()
    assert d["version"] == "debian-6.1" and d["version_forced"]
    assert all(b["in_note_version"] == (b["label"] == "debian-6.1") for b in d["blocks"])
    assert any(not b["in_note_version"] for b in d["blocks"])    # 5.4-only code goes elsewhere, and says so
    with pytest.raises(NoteError):
        _import(text, four, version="v9.9")


def test_the_seed_still_anchors_seven_of_seven(four):
    d = import_note(parse_note(seed_note_text(), path=str(SEED_NOTE)), modules=list(four.values())).as_dict()
    assert [b["status"] for b in d["blocks"]] == ["anchored"] * 7
    assert d["version"] == "v2.6.32.69" and d["lang"] == "ja"
    assert [b["label"] for b in d["blocks"][:4]] == ["v2.6.32.69"] * 4
    later = {b["label"] for b in d["blocks"][4:]}
    assert len(later) == 1 and four[later.pop()].form == "kernel_clone" and d["spans_generations"]


def test_a_note_that_matches_nothing_has_version_none(four):
    text = ("# 笔记\n\n这段代码不在任何版本里。\n\n```c\nwidget_count = frob_widgets(&quux_table, 42);\n"
            "if (widget_count > MAX_WIDGETS)\n\tblorp_all(widget_count);\n```\n")
    d = _import(text, four).as_dict()
    assert d["version"] == "none" and d["blocks"][0]["status"] == "orphaned"
    assert not d["blocks"][0]["in_note_version"]


# -- languages -------------------------------------------------------------------------------

@pytest.mark.parametrize("text,default,lang", [
    ("事前にいくつかの予備的な引数と権限のチェックを行う", "en", "ja"),
    ("先检查新的用户命名空间", "en", "zh"),
    ("检查标志", "ja", "zh"),             # simplified-only characters: Chinese even in a Japanese note
    ("引数確認", "ja", "ja"),             # short Han-only phrase in a Japanese note stays Japanese
    ("引数確認", "zh", "zh"),
    ("Check the flags before copying `copy_process` state", "ja", "en"),
    ("`copy_process` 里检查 CLONE_VM", "en", "zh"),
    ("----", "zh", "zh"),
    ("`copy_process`에서 프로세스를 복사한다", "zh", "zh"),   # Hangul: not ours to tell, the note's language
])
def test_language_of_one_piece(text, default, lang):
    assert language_of(text, default) == lang


def _korean_note(four):
    """Our Chinese note with its prose in Korean (code words such as `copy_fs` kept)."""
    text, _ = build_note("notes_hinted.zh.md", four, "debian-6.1")
    return re.sub(r"^(?!```|\s|retval|if|goto|\t).*[\u4e00-\u9fff].*$",
                  "`copy_fs`와 `copy_sighand`: 프로세스를 복사하는 부분", text, flags=re.M)


def test_an_undecidable_language_refuses_or_takes_lang(four):
    text = _korean_note(four)
    with pytest.raises(NoteError, match="--lang"):
        _import(text, four)
    d = _import(text, four, lang="ko").as_dict()
    assert d["lang"] == "ko" and d["lang_forced"] and {b["lang"] for b in d["blocks"]} == {"ko"}


# -- CLI, store and translators ----------------------------------------------------------------

def test_cli_imports_a_chinese_note_as_zh_and_translators_get_it(with_testdata, tmp_path, monkeypatch,
                                                                 capsys, four):
    ann = tmp_path / "annotations"
    ann.mkdir()
    monkeypatch.setenv("FORK_EXPLORER_ANNOTATIONS", str(ann))
    text, _ = build_note("notes_steps.zh.md", four, "v5.4")
    note = tmp_path / "steps.zh.md"
    note.write_text(text, encoding="utf-8")
    assert cli_main(["notes", "import", str(note), "--into", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["version"] == "v5.4" and out["lang"] == "zh"
    assert all(b["in_note_version"] for b in out["blocks"])
    store = Store(ann)
    assert not store.problems()
    langs = {a.source_lang for a in store.list()}
    assert langs == {"zh", "en"}      # the English comment is English, the rest Chinese
    # translate status offers zh, export --to ja gives translators the Chinese source
    assert cli_main(["translate", "status", "--json"]) == 0
    st = json.loads(capsys.readouterr().out)
    assert st["by_lang"]["zh"]["current"] == sum(1 for a in store.list() if a.source_lang == "zh")
    assert st["by_lang"]["ja"]["missing"] == len(store.list())
    assert st["source_langs"] == {lang: sum(1 for a in store.list() if a.source_lang == lang) for lang in langs}
    po_path = tmp_path / "ja.po"
    assert cli_main(["translate", "export", "--to", "ja", "-o", str(po_path), "--json"]) == 0
    capsys.readouterr()
    po = polib.pofile(str(po_path))
    zh_ids = {a.id for a in store.list() if a.source_lang == "zh"}
    assert zh_ids <= {e.msgctxt for e in po}
    assert any("先判断是哪一种创建方式" == e.msgid for e in po)
    # the text output names the inferred version first
    assert cli_main(["notes", "import", str(note)]) == 0
    first = capsys.readouterr().out.split("\n")[0]
    assert first.startswith("note version: v5.4 (inferred")


def test_cli_bad_version_and_undecidable_language_exit_2_and_write_nothing(with_testdata, tmp_path, monkeypatch,
                                                                          capsys, four):
    ann = tmp_path / "annotations"
    ann.mkdir()
    monkeypatch.setenv("FORK_EXPLORER_ANNOTATIONS", str(ann))
    text, _ = build_note("notes_hinted.zh.md", four, "debian-6.1")
    note = tmp_path / "n.md"
    note.write_text(text, encoding="utf-8")
    assert cli_main(["notes", "import", str(note), "--version", "v9.9", "--into"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "v9.9" in err
    korean = tmp_path / "ko.md"
    korean.write_text(_korean_note(four), encoding="utf-8")
    assert cli_main(["notes", "import", str(korean), "--into"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--lang" in err
    assert cli_main(["notes", "import", str(korean), "--into", "--lang", "not a tag"]) == 2
    capsys.readouterr()
    assert list(ann.iterdir()) == []
    assert cli_main(["notes", "import", str(korean), "--into", "--lang", "ko", "--json"]) == 0
    assert {a.source_lang for a in Store(ann).list()} == {"ko"}


def test_glossary_entries_carry_more_languages_and_check_the_ones_present(tmp_path, mod612):
    from explorer.anchors import statements
    from explorer.translate import check_glossary, load_glossary
    gl = tmp_path / "glossary.yaml"
    gl.write_text("terms:\n  - en: thread group\n    ja: スレッドグループ\n    zh: 线程组\n    code: CLONE_THREAD\n"
                  "  - en: namespace\n    ja: 名前空間\n", encoding="utf-8")
    terms = load_glossary(gl)
    assert terms[0].langs == ("en", "ja", "zh") and terms[1].langs == ("en", "ja")
    d = tmp_path / "ann"
    d.mkdir()
    store = Store(d, known_versions=["debian-6.12"])
    node = next(n for n in statements(mod612.function("copy_process").node) if n.type == "if_statement")
    store.add(mod612, node, {"zh": "同一个线程组共享信号处理。", "en": "Tasks share signal handlers."},
              source_lang="zh", id="g.zh-en")
    store.add(mod612, node, {"zh": "命名空间。", "en": "Namespaces."}, source_lang="zh", id="g.no-ja-term")
    findings = check_glossary(store.list(), terms)
    # zh uses the term, en lacks it; the namespace entry has no zh, so zh/en are not checked for it
    assert [(f["id"], f["used_in"], f["missing_in"]) for f in findings] == [("g.zh-en", "zh", "en")]
    assert findings[0]["expected"] == ["thread group"] and findings[0]["term"]["zh"] == "线程组"
    bad = tmp_path / "bad.yaml"
    bad.write_text("terms:\n  - en: lonely\n    code: x\n", encoding="utf-8")
    with pytest.raises(Exception, match="two languages"):
        load_glossary(bad)


def test_notes_import_writes_each_file_once_with_every_record_whole(four, tmp_path, monkeypatch):
    import explorer.annotations.yamlfile as store_module   # the one atomic writer of annotation files
    from explorer.notes import write_into
    text, _ = build_note("notes_steps.zh.md", four, "v5.4")
    result = _import(text, four)
    writes = []
    real = store_module.atomic_write
    monkeypatch.setattr(store_module, "atomic_write", lambda path, data: (writes.append(path), real(path, data))[1])
    d = tmp_path / "ann"
    d.mkdir()
    write_into(result, Store(d, known_versions=list(four)))
    files = sorted(d.glob("*.yaml"))
    assert sorted(writes) == files                  # one atomic save per file, not two per record
    store = Store(d, known_versions=list(four))
    assert not store.problems() and len(store.list()) == len(result.written) == len(result.drafts)
    for ann in store.list():                        # every record carries where it came from
        origin = store.field(ann.id, "note")
        assert origin["file"] == "note.md" and origin["role"] in ("intro", "context", "comment", "trailing")
        assert ann.written_against == "v5.4"
