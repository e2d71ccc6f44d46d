"""The sentences the analyses make, and the library's errors, in the reader's
language (issue 15): a note of the executor, a rules document's reason, the
pair record's arch row and an ExplorerError are kept as a msgid and its values
(explorer.i18n.Message), said in Japanese by the widgets and in the same
English as before by str(), the CLI and --json.  Real inputs: the 2.6.32.69
and 6.12 files; the English expected here is the wording the library had when
it built these sentences with f-strings."""
from __future__ import annotations

import ast
import json
import os
import string
import subprocess
import sys

import polib
import pytest

import explorer
from conftest import REPO, guard_line
from explorer.errors import AnnotationError, ExecutionError, ExplorerError, LabelError, SourceError
from explorer.executor import program_for
from explorer.executor.compare import sweep_compare, trace_compare, unknown_bit_checks, unknown_bits_note
from explorer.executor.rules import compare_doc
from explorer.i18n import Message, catalogue_path, tell, translator
from explorer.i18n.extract import error_classes, msgids, msgids_in
from explorer.pairing import IN_ARCH_CODE
from explorer.render import esc
from explorer.render.outcome import outcome_html
from test_then_and_now_i18n import english_left

JA, EN = translator("ja"), translator("en")
HIGH = 1 << 40          # a clone flag bit no version defines


def _places(mod) -> str:
    return ", ".join(f"{w['function']}:{w['line']}" for w in unknown_bit_checks(mod))


def test_the_unknown_bits_note_in_japanese_and_the_same_english(mod2632, mod612):
    cmp = trace_compare(mod2632, mod612, HIGH | program_for(mod612).flags.values["CLONE_VM"])
    for mod, entry in ((mod2632, "do_fork"), (mod612, "kernel_clone")):
        note = unknown_bits_note(mod, program_for(mod).flags, cmp.flags.value, entry)
        english = (f"{HIGH:#x} means nothing to {mod.label}: legacy clone() never rejects unknown bits; "
                   f"the only checks for unknown flag bits in its fork.c are at {_places(mod)}, "
                   f"none of them reachable from {entry}")
        assert str(note) == english and english in cmp.notes
        ja = note.in_lang("ja")
        assert english_left(ja) == [], ja
        assert mod.label in ja and f"{HIGH:#x}" in ja and entry in ja
        assert all(place in ja for place in _places(mod).split(", "))
        assert note.in_lang("en") == english          # en.po leaves the English as it is
    # --json keeps the English list and carries the messages beside it, said the same after a round trip
    doc = json.loads(json.dumps(cmp.to_dict()))
    assert doc["notes"] == cmp.notes
    assert [tell(m, JA) for m in doc["note_messages"]] == [m.in_lang("ja") for m in cmp.messages]


def test_the_note_of_an_entry_that_reaches_a_check(mod2632):
    """The other shape: an entry whose path does mask unknown bits (unshare's)."""
    checks = [w for w in unknown_bit_checks(mod2632) if w["function"] == "sys_unshare"]
    assert checks
    note = unknown_bits_note(mod2632, program_for(mod2632).flags, HIGH, "sys_unshare")
    at = ", ".join(f"{w['function']}:{w['line']}" for w in checks)
    assert str(note) == (f"{HIGH:#x} is undefined in {mod2632.label}; sys_unshare reaches a check for "
                         f"unknown flag bits at {at}")
    assert english_left(note.in_lang("ja")) == [] and at in note.in_lang("ja")


def test_the_sweeps_notes_on_names_in_japanese(mod2632, mod612):
    """A name only one version defines, and a bit the two call differently: the words
    of the note ("a bit that means nothing", "which ... calls") are said too."""
    doc = sweep_compare(mod2632, mod612, ["CLONE_PIDFD", "CLONE_STOPPED"])
    value = program_for(mod612).flags.values["CLONE_PIDFD"]
    assert (f"CLONE_PIDFD is not defined in {mod2632.label}; passed by value {value:#x}, "
            f"a bit that means nothing to {mod2632.label}") in doc["notes"]
    said = [tell(m, JA) for m in json.loads(json.dumps(doc["note_messages"]))]
    assert len(said) == len(doc["notes"]) >= 3
    for text in said:
        assert english_left(text) == [], text


def test_the_both_versions_playground_says_the_note_in_japanese(with_testdata, annotation_copy):
    from explorer.widgets.then_and_now import ThenAndNow

    tab = ThenAndNow(lang="ja")
    tab.compute()
    pg = tab.playground
    pg.set_flags("CLONE_PIDFD")            # 6.12's bit; 2.6.32.69 has no name for it
    ma, _mb = pg.modules
    note = unknown_bits_note(ma, pg.tables[0], pg.flags, ma.fork_entry.name)
    assert note is not None
    shown = pg.outcome.value
    assert esc(note.in_lang("ja")) in shown and esc(str(note)) not in shown
    assert english_left(shown) == [], english_left(shown)
    tab.set_lang("en")
    assert esc(str(note)) in pg.outcome.value


def test_the_rules_incomplete_reason_with_a_tiny_budget(mod2632, mod612):
    names = ["CLONE_THREAD", "CLONE_SIGHAND", "CLONE_VM", "CLONE_NEWUSER"]
    doc = compare_doc(mod2632, mod612, names, path_budget=2)
    assert not doc["complete"]
    assert doc["incomplete"] == (f"path budget reached in {mod2632.label} and {mod612.label}: "
                                 "the changes listed are real, others may be missing")
    ja = tell(json.loads(json.dumps(doc["incomplete_message"])), JA)
    assert english_left(ja) == [] and mod2632.label in ja and mod612.label in ja
    assert JA("path budget reached in {a} and {b}: the changes listed are real, others may be missing") != \
        "path budget reached in {a} and {b}: the changes listed are real, others may be missing"


def test_the_arch_row_of_the_pair_in_japanese_from_the_record_alone(mod2632, mod612):
    doc = json.loads(json.dumps(explorer.pair(mod2632, mod612)))
    row = next(r for r in doc["functions"] if r["b"] == "sys_clone")
    assert row["how"] == "arch"
    assert row["where"] == {"a": IN_ARCH_CODE.format(label=mod2632.label)}      # the English as before
    ja = tell(row["where_message"]["a"], JA)
    assert ja == JA(IN_ARCH_CODE).format(label=mod2632.label) != row["where"]["a"]
    assert english_left(ja) == []


def test_an_unknown_flag_shown_in_japanese_and_english_as_before(mod612):
    table = program_for(mod612).flags
    with pytest.raises(ExecutionError) as got:
        table.parse("CLONE_VM|CLONE_NOPE")         # the flag playground's and the CLI's parser
    e = got.value
    assert str(e) == "unknown clone flag 'CLONE_NOPE'"
    ja = outcome_html(e, table, JA)          # what the playground shows for a run that could not start
    assert esc(e.message_in("ja")) in ja and english_left(ja) == [] and "unknown clone flag" not in ja
    assert esc(str(e)) in outcome_html(e, table, EN)


def test_an_unknown_version_in_the_app_in_japanese(with_testdata, annotation_copy):
    from explorer.widgets import App

    with pytest.raises(LabelError) as got:
        explorer.load("v9.99-nope")
    assert str(got.value) == "unknown version 'v9.99-nope'; see 'fork-explorer sources list'"
    app = App("debian-6.12", lang="ja")
    app.load("v9.99-nope")
    shown = app.message.value
    assert esc(got.value.message_in("ja")) in shown
    assert english_left(shown) == [] and "unknown version" not in shown


def test_a_file_that_is_not_there_in_the_version_adder(tmp_path):
    from explorer.widgets.version_picker import VersionAdder

    missing = tmp_path / "fork.c"
    with pytest.raises(SourceError) as got:
        explorer.sources.read_user_file(str(missing))
    assert str(got.value) == f"source {missing} does not exist"
    adder = VersionAdder(lambda label: None)
    adder.set_lang("ja")
    adder.label.value, adder.path.value = "v2.6.32-mine", str(missing)
    assert adder.add() is None
    shown = adder.message.value
    assert JA("source") in shown and str(missing) in shown and english_left(shown) == [], shown
    adder.set_lang("en")
    assert adder.add() is None and f"source {missing} does not exist" in adder.message.value


def test_an_archive_that_cannot_be_used_in_the_editor(mod612, tmp_path):
    """The editor's delete refused by the Store: the refusal and its nested words in Japanese."""
    from explorer.annotations import Store
    from explorer.widgets.annotation_editor import AnnotationEditor
    from explorer.widgets.source_view import SourceView

    view = SourceView(mod612)
    editor = AnnotationEditor(view, Store(tmp_path), lang="ja")
    editor.set_module(mod612)
    view.select(guard_line(mod612))
    editor.en.value = "threads share their signal handlers"
    rid = editor.save()
    assert rid and editor.editing == rid
    (tmp_path / "archive").write_text("not a folder\n")        # the archive cannot be made
    with pytest.raises(AnnotationError) as got:
        Store(tmp_path).delete(rid)
    assert str(got.value).endswith("cannot use the archive (File exists); nothing was deleted")
    assert editor.delete() is None
    shown = editor.message.value
    assert esc(got.value.message_in("ja")) in shown and JA("nothing was deleted") in shown
    assert english_left(shown) == [], shown
    assert Store(tmp_path).get(rid)                                 # nothing was lost


def test_the_cli_error_line_stays_english(with_testdata):
    env = dict(os.environ, FORK_EXPLORER_LANG="ja", LANG="ja_JP.UTF-8")
    p = subprocess.run([sys.executable, "-m", "explorer", "trace", "debian-6.12", "--flags", "CLONE_NOPE"],
                       capture_output=True, text=True, cwd=REPO, timeout=180, env=env)
    assert p.returncode == 2
    assert p.stderr.splitlines() == ["fork-explorer: unknown clone flag 'CLONE_NOPE'"]


def test_message_keeps_code_as_it_is_and_says_words():
    m = Message("{label} defines no {entry!r}{hint}", label="v2.6.32.69", entry="sys_clone",
                hint=Message(" (before 3.9 the clone syscalls live in arch code, not in fork.c)"))
    assert str(m) == "v2.6.32.69 defines no 'sys_clone' (before 3.9 the clone syscalls live in arch code, not in fork.c)"
    assert m.in_lang("ja").startswith("v2.6.32.69 ") and "'sys_clone'" in m.in_lang("ja")
    assert english_left(m.in_lang("ja")) == []
    assert Message.from_json(json.loads(json.dumps(m.to_json()))) == m
    assert str(Message("{braces} stay {as} they are")) == "{braces} stay {as} they are"   # no values: no format
    e = ExplorerError("no node {node_id} in {label}", path="a.yaml", line=3, node_id=7, label="v5.4")
    assert str(e) == "a.yaml:3: no node 7 in v5.4" and e.message == "no node 7 in v5.4"
    assert e.message_in("ja") == "a.yaml:3: " + JA("no node {node_id} in {label}").format(node_id=7, label="v5.4")


def test_the_extractor_finds_the_library_sentences():
    found = msgids_in('raise LookupFailure("no node {n}", n=1)\nMessage("nowhere")\n'
                      'raise TourError(f"tour {x}")\nprint("e")\nerrors.SourceError("bad")\n')
    assert sorted(found) == ["bad", "no node {n}", "nowhere"]
    assert {"ExplorerError", "LookupFailure", "ConflictError", "ProviderUnavailable", "UsageError"} <= error_classes()


# Every error the package raises names its msgid as a literal with named values (no
# f-string), so the catalogue test covers it.
NOT_CONVERTED: set[str] = set()


def test_no_module_builds_an_error_message_with_an_f_string():
    errors = error_classes() | {"Message"}
    left = []
    for path in sorted((REPO / "explorer").rglob("*.py")):
        if str(path.relative_to(REPO)) in NOT_CONVERTED:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and node.args:
                f = node.func
                name = f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else None
                first = node.args[0]
                made_here = isinstance(first, (ast.JoinedStr, ast.BinOp)) or (
                    isinstance(first, ast.Call) and isinstance(first.func, ast.Attribute)
                    and first.func.attr in ("format", "split"))
                if name in errors and made_here:
                    left.append(f"{path.relative_to(REPO)}:{node.lineno}")
    assert left == []
    used = msgids()
    assert "unknown clone flag {name!r}" in used and "nowhere" in used


def test_a_broken_annotation_file_is_named_in_japanese_in_the_editor(mod612, tmp_path):
    """The Store's validation problems (made by the library) in the editor's list, in Japanese."""
    from explorer.annotations import Store
    from explorer.widgets.annotation_editor import AnnotationEditor
    from explorer.widgets.source_view import SourceView

    (tmp_path / "broken.yaml").write_text("annotations:\n  - id: lonely-note\n", encoding="utf-8")
    store = Store(tmp_path)
    problems = store.problems()
    assert [p.message for p in problems] == ["lonely-note: missing anchor", "lonely-note: missing written_against",
                                             "lonely-note: missing text"]
    editor = AnnotationEditor(SourceView(mod612), store, lang="ja")
    editor.set_module(mod612)
    shown = editor.summary.value
    for p in problems:
        assert esc(p.say(JA)) in shown and esc(p.message) not in shown
    assert english_left(shown) == [], english_left(shown)


def test_a_tour_file_that_does_not_validate_in_the_tour_panel(tmp_path):
    from explorer.tours import TourStore
    from explorer.widgets.tour_panel import TourPanel

    (tmp_path / "half.yaml").write_text("- not a tour\n", encoding="utf-8")
    store = TourStore(tmp_path)
    (problem,) = store.problems()
    assert problem.message == "not a tour file: needs a mapping with an id, a title and a 'stops' list"
    panel = TourPanel(lang="ja", store=store)
    shown = panel.message.value
    assert esc(problem.say(JA)) in shown and english_left(shown) == [], shown


def test_why_a_run_is_unknown_in_japanese(mod612):
    """A run cut short by its step budget: the executor's reason in the playground's outcome."""
    from explorer.executor import run

    trace = run(mod612, 0, budget=50)
    o = trace.outcome
    assert o.result == "unknown" and o.reason == "step budget of 50 exhausted"
    assert trace.to_dict()["outcome"]["reason"] == o.reason                 # --json as before
    table = program_for(mod612).flags
    ja = outcome_html(trace, table, JA)
    assert esc(JA("step budget of {budget} exhausted").format(budget=50)) in ja
    assert english_left(ja) == [] and "exhausted" not in ja
    assert esc(o.reason) in outcome_html(trace, table, EN)


def _fields(text: str) -> list[tuple]:
    return sorted((name, conv or "", spec or "") for _lit, name, spec, conv in string.Formatter().parse(text)
                  if name is not None)


def test_every_japanese_sentence_has_the_fields_of_its_msgid():
    """The same {name!r} and {value:#x} in both: Message.say formats the Japanese with the
    English's values, so a missing or misspelt field would lose a value or raise."""
    entries = {e.msgid: e.msgstr for e in polib.pofile(str(catalogue_path("ja"))) if e.msgstr}
    wrong = {m: entries[m] for m in msgids() if m in entries and _fields(m) != _fields(entries[m])}
    assert wrong == {}
