"""Work shared by every kernel of a room (explorer.computed): the annotation
documents read once and kept under FORK_EXPLORER_HOME/computed, never served
stale and never trusted when damaged."""
from __future__ import annotations

import shutil

from explorer.annotations import Store
from explorer.paths import KERNEL_SRC


def copy_of_our_annotations(tmp_path):
    dest = tmp_path / "annotations"
    shutil.copytree(KERNEL_SRC / "annotations", dest, ignore=shutil.ignore_patterns("archive", "README*"))
    return dest


def snapshot(store: Store):
    return [(a.id, dict(a.text), a.anchor.function) for a in store.list()], [str(p) for p in store.problems()]


def test_a_second_reader_reads_what_the_first_read_and_an_edit_is_never_served_stale(tmp_path, monkeypatch):
    monkeypatch.setenv("FORK_EXPLORER_HOME", str(tmp_path / "home"))
    root = copy_of_our_annotations(tmp_path)
    first = Store(root)
    kept = list((tmp_path / "home" / "computed" / "annotation-docs").glob("*.pickle"))
    assert len(kept) == len(first.files())           # one kept document per file read
    assert snapshot(Store(root)) == snapshot(first)   # the next reader gets the same notes

    some = first.list()[0]
    first.edit_text(some.id, "en", "edited after the room opened")
    later = Store(root)
    assert later.get(some.id).text["en"] == "edited after the room opened"
    # and the file still round-trips without churn through a cached document
    path = next(p for p in later.files() if some.id in p.read_text(encoding="utf-8"))
    before = path.read_bytes()
    later.edit_text(some.id, "en", "edited after the room opened")
    assert path.read_bytes() == before


def test_a_damaged_kept_document_is_read_again_from_the_file(tmp_path, monkeypatch):
    monkeypatch.setenv("FORK_EXPLORER_HOME", str(tmp_path / "home"))
    root = copy_of_our_annotations(tmp_path)
    expected = snapshot(Store(root))
    for kept in (tmp_path / "home" / "computed" / "annotation-docs").glob("*.pickle"):
        kept.write_bytes(kept.read_bytes()[: len(kept.read_bytes()) // 2])
    assert snapshot(Store(root)) == expected
