"""Anchors: statuses and scores on our own fixtures and on Debian's real files."""
from __future__ import annotations

import re

import pytest

import explorer
from explorer.annotations import Store
from explorer.anchors import (FUZZY_THRESHOLD, Anchor, canonical, head_code, key_identifiers, make_anchor,
                              resolve, statements)
from explorer.anchors.calibrate import evaluate_pair
from explorer.paths import annotations_dir

from conftest import fixture_bytes


@pytest.fixture(scope="module")
def toys():
    return {name: explorer.parse_source(fixture_bytes(f"anchor_{name}.c"), label=f"toy-{name}")
            for name in ("base", "renamed", "lookalike")}


def line_of(mod, text, function=None) -> int:
    """1-based line of the first line containing text (inside function if given)."""
    lo, hi = 1, mod.line_count
    if function:
        fn = mod.function(function)
        lo, hi = fn.start_line, fn.end_line
    for n in range(lo, hi + 1):
        if text in mod.lines[n - 1]:
            return n
    raise AssertionError(f"{text!r} not in {mod.label}")


def anchor_at(mod, function, text, kind="if_statement"):
    """Anchor on the statement of that kind that starts on the line containing text."""
    line = line_of(mod, text, function)
    for node in statements(mod.function(function).node):
        if node.type == kind and node.start_point[0] + 1 == line:
            return make_anchor(mod, node)
    raise AssertionError(f"no {kind} at {mod.label}:{line}")


# -- our fixtures ----------------------------------------------------------------------

def test_every_statement_is_exact_in_its_own_version(toys):
    base = toys["base"]
    for fn in base.functions.values():
        for node in [fn.node] + statements(fn.node):
            res = resolve(make_anchor(base, node), base, written_against=base.label)
            assert res.status == "exact" and res.node.id == node.id, (fn.name, head_code(base, node))


def test_reformatted_guard_with_a_comment_is_still_exact(toys):
    a = anchor_at(toys["base"], "make_job", "(flags & (CLONE_NEWNS|CLONE_FS)) ==")
    res = resolve(a, toys["renamed"])
    assert res.status == "exact"
    assert res.line == line_of(toys["renamed"], "(flags & (CLONE_NEWNS|CLONE_FS)) ==", "make_job")
    assert res.end_line == res.line + 2          # condition on two lines, then the return


def test_guard_moved_further_down_is_reported_moved(toys):
    a = anchor_at(toys["base"], "make_job", "(flags & CLONE_THREAD) && !(flags & CLONE_SIGHAND)")
    res = resolve(a, toys["renamed"])
    assert res.status == "moved"
    assert res.line == line_of(toys["renamed"], "(flags & CLONE_THREAD) && !(flags & CLONE_SIGHAND)")


def test_edited_guard_is_fuzzy_with_its_score(toys):
    a = anchor_at(toys["base"], "make_job", "(flags & CLONE_SIGHAND) && !(flags & CLONE_VM)")
    res = resolve(a, toys["renamed"])
    assert res.status == "fuzzy"
    assert FUZZY_THRESHOLD <= res.score < 1.0
    assert res.line == line_of(toys["renamed"], "!(flags & CLONE_VM) && !trace")


def test_statements_follow_the_renamed_fork_entry(toys):
    base = toys["base"]
    renamed = explorer.parse_source(toys["renamed"].source, label="toy-renamed-again")  # fresh caches
    a = anchor_at(base, "do_fork", "start_job(j);", kind="expression_statement")
    res = resolve(a, renamed)
    assert res.status == "moved" and res.function == "kernel_clone"
    assert res.line == line_of(renamed, "start_job(j);")
    # the entry itself: the name is followed, but a different signature is not the same code
    entry = make_anchor(base, base.function("do_fork").node)
    assert resolve(entry, renamed).status == "absent"


def test_lookalike_guards_with_other_flags_attract_nothing(toys):
    base, look = toys["base"], toys["lookalike"]
    # the look-alikes really are there, same shape, other flags
    assert line_of(look, "(flags & CLONE_PARENT) && !(flags & CLONE_SIGHAND)")
    assert line_of(look, "(flags & (CLONE_NEWUSER|CLONE_FS)) == (CLONE_NEWUSER|CLONE_FS)")
    for text in ("(flags & CLONE_THREAD) && !(flags & CLONE_SIGHAND)", "(flags & (CLONE_NEWNS|CLONE_FS)) =="):
        res = resolve(anchor_at(base, "make_job", text), look)
        assert res.status == "absent" and res.node is None and res.score == 0.0, text
    # a goto to a label that is gone does not slide to the other label
    res = resolve(anchor_at(base, "make_job", "goto undo_files;", kind="goto_statement"), look)
    assert res.status == "absent"
    res = resolve(anchor_at(base, "make_job", "undo_files:", kind="labeled_statement"), look)
    assert res.status == "absent"
    # while the unchanged guard is found where it is
    res = resolve(anchor_at(base, "make_job", "(flags & CLONE_SIGHAND) && !(flags & CLONE_VM)"), look)
    assert res.status == "exact"
    assert res.line == line_of(look, "(flags & CLONE_SIGHAND) && !(flags & CLONE_VM)")


def test_orphaned_only_in_the_version_it_was_written_against(toys):
    base = toys["base"]
    a = anchor_at(base, "make_job", "(flags & CLONE_THREAD) && !(flags & CLONE_SIGHAND)")
    gone = Anchor(a.function, a.kind, "(flags & CLONE_THREAD) && !(flags & CLONE_NEWNS)", a.before, a.after,
                  a.position)
    assert resolve(gone, base, written_against=base.label).status == "orphaned"
    assert resolve(gone, toys["lookalike"], written_against=base.label).status == "absent"


def test_key_identifiers():
    assert key_identifiers("(clone_flags & CLONE_THREAD) && !(clone_flags & CLONE_SIGHAND)") \
        == {"CLONE_THREAD", "CLONE_SIGHAND"}
    assert key_identifiers("retval = copy_files(clone_flags, p)") == {"copy_files"}
    assert key_identifiers("bad_fork_cleanup_fs:") == {"bad_fork_cleanup_fs"}
    assert canonical("a  &&\n /* why */ b") == canonical("a&&b")


# -- Debian's real files -----------------------------------------------------------------

def test_shipped_notes_are_exact_in_their_own_version():
    store = Store(annotations_dir())
    checked = 0
    for ann in store.list():
        if ann.written_against not in ("debian-6.1", "debian-6.12"):
            continue
        mod = explorer.load(ann.written_against)
        res = resolve(ann.anchor, mod, written_against=ann.written_against)
        assert res.status == "exact", (ann.id, res)
        assert canonical(head_code(mod, res.node)) == canonical(ann.anchor.head)
        checked += 1
    assert checked >= 60


def test_guard_in_both_versions_lands_on_each_files_own_line(mod61, mod612):
    store = Store(annotations_dir())
    ann = store.get("copy_process.guard.newuser-fs")
    for mod in (mod61, mod612):
        res = resolve(ann.anchor, mod, written_against=ann.written_against)
        assert res.status == "exact"
        assert res.line == line_of(mod, "(clone_flags & (CLONE_NEWUSER|CLONE_FS)) ==", "copy_process")


def test_version_specific_notes_stay_in_their_version(mod61, mod612):
    store = Store(annotations_dir())
    timens = store.get("copy_process.guard.timens.6-1")
    assert resolve(timens.anchor, mod61, written_against="debian-6.1").status == "exact"
    assert resolve(timens.anchor, mod612).status == "absent"
    # the 6.12 LRU note names a config 6.1 does not test: not attached to 6.1's LRU guard
    lru = store.get("kernel_clone.lru-gen.6-12")
    assert resolve(lru.anchor, mod61).status == "absent"
    # the pidfd/parent_tid guard was edited between the two: fuzzy, on the right line
    pidfd = store.get("kernel_clone.guard.pidfd-vs-parent-settid")
    res = resolve(pidfd.anchor, mod61)
    assert res.status == "fuzzy" and res.score >= FUZZY_THRESHOLD
    assert res.line == line_of(mod61, "(args->flags & CLONE_PIDFD) &&", "kernel_clone")


def test_swapped_flags_never_attract_a_note(mod612):
    """Mutate every CLONE_* flag guard of copy_process to name another flag: the
    mutated anchor must land only on code that really tests that flag, or nowhere."""
    fn = mod612.function("copy_process")
    flags = sorted(set(re.findall(r"CLONE_[A-Z_]+", mod612.source_text(fn.node))))
    tried = 0
    for node in statements(fn.node):
        if node.type != "if_statement":
            continue
        a = make_anchor(mod612, node)
        used = re.findall(r"CLONE_[A-Z_]+", a.head)
        if not used:
            continue
        for other in flags:
            if other in used:
                continue
            head = re.sub(rf"\b{used[0]}\b", other, a.head)
            res = resolve(Anchor(a.function, a.kind, head, a.before, a.after, a.position), mod612)
            tried += 1
            if res.placed:
                assert other in head_code(mod612, res.node), (a.head, head, res)
    assert tried > 100


def test_real_precision_and_recall_between_61_and_612(mod61, mod612):
    for a, b in ((mod61, mod612), (mod612, mod61)):
        t = evaluate_pair(a, b)
        assert t.precision >= 0.97, t.as_dict()
        assert t.recall_unchanged >= 0.97, t.as_dict()
        assert t.by_status.get("fuzzy", 0) > 0    # edited code is found, not only identical code


def test_a_negated_condition_is_not_an_edit_of_it(toys):
    base = toys["base"]
    a = anchor_at(base, "make_job", "if (!j)")
    opposite = Anchor(a.function, a.kind, "j", a.before, a.after, a.position)
    assert resolve(a, base).status == "exact"
    assert resolve(opposite, base).status == "absent"


def test_a_call_that_lost_an_argument_is_fuzzy(mod61, mod612):
    a = anchor_at(mod612, "copy_process", "retval = copy_files(clone_flags, p, args->no_files);",
                  kind="expression_statement")
    res = resolve(a, mod61)
    assert res.status == "fuzzy" and res.score >= FUZZY_THRESHOLD
    assert res.line == line_of(mod61, "retval = copy_files(clone_flags, p);", "copy_process")
