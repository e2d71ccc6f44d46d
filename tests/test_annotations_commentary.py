"""Our ja/en commentary: coverage of the code it promises to explain, glossary
consistency, and no kernel text beyond the anchors' heads."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from explorer.annotations import Store, resolve_annotation
from explorer.anchors import head_code, statements
from explorer.paths import annotations_dir
from explorer.translate import check_glossary, check_wording, load_avoid, load_glossary

GLOSSARY = Path(__file__).resolve().parents[1] / "kernel-src" / "glossary.yaml"


@pytest.fixture(scope="module")
def notes():
    store = Store(annotations_dir())
    assert store.problems() == []
    return store.list()


def _placed_ids(notes, mod):
    placed = {}
    for ann in notes:
        res = resolve_annotation(ann, mod)
        if res.placed:
            placed.setdefault(res.node.id, []).append((ann.id, res.status))
    return placed


def test_every_clone_flag_guard_and_unwind_label_has_a_note(notes, modern):
    placed = _placed_ids(notes, modern)
    missing = []
    for fname in ("copy_process", modern.form):
        for node in statements(modern.function(fname).node):
            head = head_code(modern, node)
            if (node.type == "if_statement" and "CLONE_" in head) or \
                    (node.type == "labeled_statement" and fname == "copy_process"):
                if node.id not in placed:
                    missing.append(f"{modern.label}:{node.start_point[0] + 1} {head.strip()}")
    assert not missing, missing


def test_entries_steps_and_vfork_are_covered(notes, modern):
    placed = _placed_ids(notes, modern)
    covered_lines = {modern.node_by_id(modern.node_id(n)).start_point[0] + 1
                     for fname in modern.functions for n in statements(modern.function(fname).node)
                     if n.id in placed}
    for fname in ("kernel_clone", "sys_fork", "sys_vfork", "sys_clone", "sys_clone3", "copy_process"):
        assert modern.function(fname).node.id in placed, fname
    cp = modern.function("copy_process")
    for step in ("= dup_task_struct(", "= copy_creds(", "= copy_files(", "= copy_fs(", "= copy_sighand(",
                 "= copy_signal(", "= copy_mm(", "= copy_namespaces(", "= copy_io(", "= copy_thread(",
                 "= sched_fork(", "copy_seccomp(p);"):
        line = next(n for n in range(cp.start_line, cp.end_line + 1) if step in modern.lines[n - 1])
        assert line in covered_lines, step
    kc = modern.function("kernel_clone")
    for call in ("wake_up_new_task(p)", "wait_for_vfork_done("):
        line = next(n for n in range(kc.start_line, kc.end_line + 1) if call in modern.lines[n - 1])
        assert line in covered_lines, call


def test_each_note_has_both_languages_and_its_own_words(notes):
    assert len(notes) >= 60
    seen = set()
    for ann in notes:
        ja, en = ann.text.get("ja", ""), ann.text.get("en", "")
        assert len(ja) >= 20 and len(en) >= 30, ann.id
        assert re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", ja), ann.id      # Japanese really is Japanese
        assert not re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", en), ann.id
        assert ann.source_lang in ("ja", "en") and set(ann.provenance) >= {"ja", "en"}
        assert (ja, en) not in seen
        seen.add((ja, en))


def test_glossary_terms_come_in_pairs(notes):
    """The glossary check of `translate glossary`, on the shipped notes."""
    terms = load_glossary(GLOSSARY)
    assert {"プロセスディスクリプタ", "スレッドグループ", "名前空間"} <= {t.ja[0] for t in terms}
    unpaired = [(f["id"], f["term"]) for f in check_glossary(notes, terms)]
    assert not unpaired, unpaired


def test_no_wording_the_glossary_says_to_avoid(notes):
    found = [(f["id"], f["found"]) for f in check_wording(notes, load_avoid(GLOSSARY))]
    assert not found, found


def test_no_kernel_source_lines_in_the_files(mod61, mod612):
    """Beyond an anchor's one-line head, no line of the real fork.c appears in our files."""
    kernel_lines = {ln.strip() for mod in (mod61, mod612) for ln in mod.lines if len(ln.strip()) >= 24}
    for path in sorted(annotations_dir().glob("*.yaml")):
        for n, line in enumerate(path.read_text(encoding="utf-8").split("\n"), 1):
            body = line.strip()
            if body.startswith("head:"):
                assert len(body) < 200, f"{path.name}:{n}: a head is one condition or statement"
                continue
            hits = [k for k in kernel_lines if k in body]
            assert not hits, f"{path.name}:{n} quotes kernel source: {hits[0]!r}"
