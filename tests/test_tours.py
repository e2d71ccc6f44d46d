"""Tours: reading paths whose stops follow the code into any version.

Real inputs only: the shipped tours (kernel-src/tours/) placed in Debian's 6.1
and 6.12 and in the real 2.6.32.69 and 5.4 files (registered at test time);
the seed note imported as a tour; small notes of our own whose code is cut
from the real files at run time.  Bad tour files are made by editing copies
of the shipped ones."""
from __future__ import annotations

import html
import json
import re
import shutil

import pytest

from explorer.anchors.selectors import key_identifiers
from explorer.annotations.store import dump_bytes, load_bytes
from explorer.cli import main as cli_main
from explorer.errors import ConflictError, TourError
from explorer.tours import TourStore, place

from conftest import REPO, SEED_NOTE, guard_line, need, seed_note_text

SHIPPED = REPO / "kernel-src" / "tours"
SHIPPED_IDS = {"do-fork-2.6": "v2.6.32.69", "kernel-clone": "debian-6.12", "bad-fork-unwind": "debian-6.12"}
KANA = re.compile("[\u3040-\u30ff]")
JAPANESE = re.compile("[\u3040-\u30ff\u4e00-\u9fff]")


def run(capsys, *argv):
    rc = cli_main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return rc, out, err


def one_line_error(rc, err, *words):
    assert rc == 2
    assert err.startswith("fork-explorer: ") and err.count("\n") == 1 and "Traceback" not in err
    for w in words:
        assert w in err, (w, err)


@pytest.fixture
def tours_copy(tmp_path, monkeypatch):
    """The shipped tours copied, and the CLI pointed at the copy."""
    dst = tmp_path / "tours"
    shutil.copytree(SHIPPED, dst)
    monkeypatch.setenv("FORK_EXPLORER_TOURS", str(dst))
    return dst


# -- the shipped tours ---------------------------------------------------------------

def test_tours_list_names_the_three_shipped_tours(capsys):
    rc, out, _ = run(capsys, "tours", "list", "--json")
    assert rc == 0
    tours = {t["id"]: t for t in json.loads(out)["tours"]}
    assert set(tours) == set(SHIPPED_IDS)
    for tid, t in tours.items():
        assert t["written_against"] == SHIPPED_IDS[tid]
        assert KANA.search(t["title"]["ja"]) and re.search("[A-Za-z]{3}", t["title"]["en"])
        doc = load_bytes((SHIPPED / f"{tid}.yaml").read_bytes())
        assert t["stops"] == len(doc["stops"]) >= 9
        for stop in doc["stops"]:      # every stop speaks both languages
            assert KANA.search(stop["text"]["ja"]) and stop["text"]["en"].strip()


def test_shipped_tours_check_passes_in_the_versions_they_were_written_against(with_testdata, capsys):
    rc, out, _ = run(capsys, "tours", "check", "--json")
    doc = json.loads(out)
    assert rc == 0 and doc["ok"] is True
    labels = {r["label"] for r in doc["results"]}
    assert {"v2.6.32.69", "v5.4", "debian-6.1", "debian-6.12"} <= labels
    for tid, version in SHIPPED_IDS.items():
        own = [r for r in doc["results"] if r["tour"] == tid and r["label"] == version]
        assert own and all(r["status"] == "exact" and r["line"] for r in own), tid
        assert [r["stop"] for r in own] == list(range(1, len(own) + 1))


def test_a_stop_is_never_placed_on_code_without_its_flags_labels_and_callees(with_testdata):
    """In every version, a placed stop sits on code holding every key identifier
    of its head; a stop whose code a version lacks says absent (CLONE_STOPPED is
    gone from 6.12, so the 2.6 tour's stop on it has no place there)."""
    import explorer
    store = TourStore()
    for label in ("v2.6.32.69", "v5.4", "debian-6.1", "debian-6.12"):
        mod = explorer.load(label)
        for tour in store.list():
            for stop, at in zip(tour.stops, place(tour, mod)):
                if not at.placed:
                    assert at.status in ("absent", "orphaned")
                    continue
                text = "\n".join(mod.lines[at.line - 1:at.end_line])
                for key in key_identifiers(stop.anchor.head):
                    if stop.anchor.kind != "function_definition":
                        assert key in text, (tour.id, stop.index, label, key)
    mod = explorer.load("debian-6.12")
    assert b"CLONE_STOPPED" not in mod.text
    stopped = next(s for s in store.get("do-fork-2.6").stops if "CLONE_STOPPED" in s.anchor.head)
    assert place(store.get("do-fork-2.6"), mod)[stopped.index - 1].status == "absent"


def test_tours_show_places_every_stop_in_the_version_asked(mod612, capsys):
    rc, out, _ = run(capsys, "tours", "show", "kernel-clone", "debian-6.12", "--lang", "en", "--json")
    doc = json.loads(out)
    assert rc == 0 and doc["label"] == "debian-6.12" and len(doc["stops"]) == 11
    for s in doc["stops"]:
        assert s["status"] == "exact" and set(s["text"]) == {"en"}
        # the line shown is the stop's statement: its head's identifiers are on it
        code = "\n".join(mod612.lines[s["line"] - 1:s["end_line"]])
        assert all(k in code for k in key_identifiers(s["head"]) if k.isupper())
    rc, text, _ = run(capsys, "tours", "show", "kernel-clone", "debian-6.12")
    assert rc == 0 and "[4/11] exact" in text and "en:" in text and "ja:" in text


def test_an_orphan_in_the_version_written_against_fails_the_check(with_testdata, tours_copy, capsys):
    path = tours_copy / "kernel-clone.yaml"
    doc = load_bytes(path.read_bytes())
    doc["stops"][3]["anchor"]["head"] = "frob_widgets(args, CLONE_FROBNICATE)"   # code no version has
    path.write_bytes(dump_bytes(doc))
    rc, out, _ = run(capsys, "tours", "check", "--versions", "debian-6.1", "debian-6.12", "--json")
    doc = json.loads(out)
    assert rc == 1 and doc["ok"] is False
    stop4 = {r["label"]: r["status"] for r in doc["results"] if r["tour"] == "kernel-clone" and r["stop"] == 4}
    assert stop4 == {"debian-6.12": "orphaned", "debian-6.1": "absent"}


# -- notes import --tour ----------------------------------------------------------------

def test_the_seed_note_becomes_a_seven_stop_tour(with_testdata, tmp_path, capsys):
    out_file = tmp_path / "seed-path.yaml"
    argv = ["notes", "import", SEED_NOTE, "--versions", "v2.6.32.69", "v5.4", "debian-6.1", "debian-6.12",
            "--tour", out_file, "--json"]
    seed_note_text()   # skip (fail under CI) without ../shared
    rc, out, _ = run(capsys, *argv)
    doc = json.loads(out)
    assert rc == 0
    tour = doc["tour"]
    assert tour["id"] == "seed-path" and len(tour["stops"]) == 7 == len(doc["blocks"])
    for block, stop in zip(doc["blocks"], tour["stops"]):
        assert stop["index"] == block["index"] + 1
        if block["status"] == "anchored":
            assert stop["status"] in ("exact", "moved", "fuzzy")
            assert (stop["label"], stop["function"]) == (block["label"], block["function"])
            assert block["line"] <= stop["line"] <= block["end_line"]
        else:
            assert stop["status"] == "orphaned"
    stored = TourStore(file=out_file).get("seed-path")
    assert stored.written_against == doc["version"]
    assert all(JAPANESE.search(s.text["ja"]) for s in stored.stops)     # each stop keeps the note's words
    before = out_file.read_bytes()
    rc, out, _ = run(capsys, *argv)                                  # importing again changes nothing
    assert rc == 0 and out_file.read_bytes() == before and json.loads(out)["tour"] == tour


def test_an_orphaned_block_stays_an_orphaned_stop_with_its_words_and_code(mod612, tmp_path, monkeypatch, capsys):
    g = guard_line(mod612)
    real = "\n".join(mod612.lines[g - 1:g + 1])
    invented = "widget_count = frob_widgets(&quux_table, 42);\nif (widget_count > MAX_WIDGETS)\n\tblorp_all(widget_count);"
    note = tmp_path / "mixed.md"
    note.write_text(f"# 読書メモ\n\nこのコードはどの版にも見当たらない。\n\n```c\n{invented}\n```\n\n"
                    f"次はスレッドとシグナルハンドラの確認。\n\n```c\n{real}\n```\n", encoding="utf-8")
    tours = tmp_path / "tours"
    tours.mkdir()
    rc, out, _ = run(capsys, "notes", "import", note, "--versions", "debian-6.12", "--tour", tours / "mixed.yaml",
                     "--json")
    assert rc == 0
    stops = json.loads(out)["tour"]["stops"]
    assert [s["status"] for s in stops] == ["orphaned", "exact"]
    assert stops[1]["line"] == g and stops[1]["function"] == "copy_process"
    orphan = TourStore(tours).get("mixed").stops[0]
    assert "どの版にも見当たらない" in orphan.text["ja"] and orphan.code == invented
    # the check says the orphan honestly (exit 1), it is not bad input
    monkeypatch.setenv("FORK_EXPLORER_TOURS", str(tours))
    rc, out, _ = run(capsys, "tours", "check", "--versions", "debian-6.12", "--json")
    assert rc == 1 and [r["status"] for r in json.loads(out)["results"]] == ["orphaned", "exact"]


def test_notes_import_tour_refuses_to_overwrite_another_tour(mod612, tmp_path, capsys):
    g = guard_line(mod612)
    note = tmp_path / "n.md"
    note.write_text("Thread groups share handlers.\n\n```c\n" + mod612.lines[g - 1] + "\n```\n", encoding="utf-8")
    target = tmp_path / "kept.yaml"
    shutil.copy(SHIPPED / "kernel-clone.yaml", target)
    before = target.read_bytes()
    rc, _, err = run(capsys, "notes", "import", note, "--versions", "debian-6.12", "--tour", target)
    one_line_error(rc, err, "refusing to overwrite")
    assert target.read_bytes() == before
    rc, _, err = run(capsys, "notes", "import", note, "--versions", "debian-6.12", "--tour", tmp_path / "x.txt")
    one_line_error(rc, err, ".yaml")


# -- the files: round trip, edits, conflicts ----------------------------------------------

@pytest.mark.parametrize("name", sorted(p.name for p in SHIPPED.glob("*.yaml")))
def test_a_tour_file_round_trips_byte_for_byte(name):
    data = (SHIPPED / name).read_bytes()
    assert dump_bytes(load_bytes(data)) == data


def test_editing_one_stop_changes_only_its_words_and_keeps_hand_edits(tours_copy):
    path = tours_copy / "kernel-clone.yaml"
    path.write_bytes(b"# our reading group's favourite path\n" + path.read_bytes())
    before = path.read_text(encoding="utf-8").split("\n")
    store = TourStore(tours_copy)
    tour = store.set_stop_text("kernel-clone", 3, "en", "kernel_clone, where every fork now begins.")
    assert tour.stop(3).text["en"] == "kernel_clone, where every fork now begins."
    after = path.read_text(encoding="utf-8").split("\n")
    changed = [i for i, (a, b) in enumerate(zip(before, after)) if a != b]
    assert len(before) == len(after) and len(changed) == 1
    assert after[0] == "# our reading group's favourite path"
    assert "kernel_clone, where every fork now begins." in after[changed[0]]
    assert TourStore(tours_copy).get("kernel-clone").stop(4) == store.get("kernel-clone").stop(4)


def test_a_second_writer_gets_a_conflict_and_nothing_is_lost(tours_copy):
    mine, theirs = TourStore(tours_copy), TourStore(tours_copy)
    theirs.set_stop_text("bad-fork-unwind", 1, "en", "Their words, saved first.")
    with pytest.raises(ConflictError):
        mine.set_stop_text("bad-fork-unwind", 1, "en", "My words, saved second.")
    assert TourStore(tours_copy).get("bad-fork-unwind").stop(1).text["en"] == "Their words, saved first."
    mine.reload()
    mine.set_stop_text("bad-fork-unwind", 2, "en", "My words, after reading theirs.")
    final = TourStore(tours_copy).get("bad-fork-unwind")
    assert final.stop(1).text["en"] == "Their words, saved first."
    assert final.stop(2).text["en"] == "My words, after reading theirs."


def test_tours_live_inside_a_moved_annotation_store(tmp_path, monkeypatch):
    from explorer import paths
    monkeypatch.delenv("FORK_EXPLORER_TOURS", raising=False)
    monkeypatch.setenv("FORK_EXPLORER_ANNOTATIONS", str(tmp_path / "shared"))
    assert paths.tours_dir() == tmp_path / "shared" / "tours"
    monkeypatch.delenv("FORK_EXPLORER_ANNOTATIONS")
    assert paths.tours_dir() == SHIPPED


# -- bad input: one line, exit 2 ---------------------------------------------------------

def _edit(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_an_unknown_stop_kind_is_one_line_naming_file_and_line(tours_copy, capsys):
    path = tours_copy / "kernel-clone.yaml"
    _edit(path, "kind: if_statement", "kind: if_statment")
    line = next(i for i, text in enumerate(path.read_text().split("\n"), 1) if "if_statment" in text)
    rc, _, err = run(capsys, "tours", "list", "--json")
    one_line_error(rc, err, "unknown stop kind 'if_statment'", "did you mean 'if_statement'", f"kernel-clone.yaml:{line}:")


def test_a_duplicate_tour_id_is_one_line(tours_copy, capsys):
    shutil.copy(tours_copy / "kernel-clone.yaml", tours_copy / "kernel-clone-again.yaml")
    rc, _, err = run(capsys, "tours", "list")
    one_line_error(rc, err, "duplicate tour id 'kernel-clone'", "kernel-clone-again.yaml")


def test_a_stop_in_a_function_no_version_has_is_one_line(mod61, mod612, tours_copy, capsys):
    _edit(tours_copy / "bad-fork-unwind.yaml", "function: copy_process", "function: copy_proces")
    rc, _, err = run(capsys, "tours", "check", "--versions", "debian-6.1", "debian-6.12")
    one_line_error(rc, err, "stop 1", "'copy_proces' is in no version read", "debian-6.1, debian-6.12")


@pytest.mark.parametrize("argv,words", [
    (("tours", "show", "no-such-tour"), ("no tour 'no-such-tour'", "kernel-clone")),
    (("tours", "show", "kernel-clone", "debian-0.1"), ("debian-0.1",)),
    (("tours", "show", "kernel-clone", "--lang", "fr"), ("--lang",)),
])
def test_a_missing_tour_or_version_is_one_line(argv, words, capsys):
    rc, _, err = run(capsys, *argv)
    one_line_error(rc, err, *words)


# -- the panel, without a browser (the browser test is tests/browser/test_tours_browser.py) --

def test_the_panel_steps_through_stops_and_says_what_a_link_lacks(mod612):
    from explorer.widgets.tour_panel import TourPanel
    scrolled, asked = [], []
    panel = TourPanel(on_stop=scrolled.append, on_version=asked.append, store=TourStore(SHIPPED))
    panel.set_module(mod612)
    lines = [p.line for p in place(TourStore(SHIPPED).get("kernel-clone"), mod612)]
    panel.link.query = "?tour=kernel-clone&stop=4"
    assert scrolled[-1] == lines[3] and panel.link.share == "?tour=kernel-clone&stop=4"
    panel.next.click()
    assert scrolled[-1] == lines[4] and f'data-stop="5"' in panel.note.value and not panel.message.value
    panel.go(11)
    assert panel.next.disabled and not panel.prev.disabled
    for query, words in (("?tour=nope&stop=1", "'nope'"), ("?tour=kernel-clone&stop=12", "stops 1-11"),
                         ("?tour=kernel-clone&stop=x", "not a number")):
        panel.link.query = query
        assert words in html.unescape(panel.message.value)
    # the 2.6 tour asks for its own version; left on 6.12, its stops say where they are not
    n = len(scrolled)
    panel.open_query("do-fork-2.6", "3")
    from explorer import sources
    assert asked == (["v2.6.32.69"] if "v2.6.32.69" in sources.available() else [])
    assert 'data-status="absent"' in panel.note.value and len(scrolled) == n   # nothing to scroll to


def test_a_block_without_prose_is_a_stop_that_says_where_it_came_from(mod612, tmp_path, capsys):
    g = guard_line(mod612)
    note = tmp_path / "bare.md"
    note.write_text("```c\n" + "\n".join(mod612.lines[g - 1:g + 1]) + "\n```\n", encoding="utf-8")
    rc, out, _ = run(capsys, "notes", "import", note, "--versions", "debian-6.12", "--tour", tmp_path / "bare.yaml",
                     "--json")
    assert rc == 0 and json.loads(out)["tour"]["stops"][0]["line"] == g
    stop = TourStore(tmp_path).get("bare").stop(1)
    assert stop.text["en"].startswith("Block 0 of bare.md (line 1)") and "not found" not in stop.text["en"]


def test_the_panel_says_when_a_stop_names_a_function_the_version_lacks(mod612, tours_copy):
    from explorer.widgets.tour_panel import TourPanel
    path = tours_copy / "bad-fork-unwind.yaml"
    doc = load_bytes(path.read_bytes())
    doc["stops"][0]["anchor"]["function"] = "frob_process"            # a function no version has,
    doc["stops"][0]["anchor"]["head"] = "p = frob_task_struct(current);"   # and code found nowhere
    path.write_bytes(dump_bytes(doc))
    scrolled = []
    panel = TourPanel(on_stop=scrolled.append, store=TourStore(tours_copy))
    panel.set_module(mod612)
    panel.open_query("bad-fork-unwind", "1")
    note = html.unescape(panel.note.value)
    assert "debian-6.12 has no function frob_process" in note and 'data-status="orphaned"' in note
    assert scrolled == []                         # nothing on screen pretends to be that stop
    panel.next.click()
    assert scrolled and 'data-status="exact"' in panel.note.value    # the other stops still lead somewhere
