"""The real 2.6.32.69 and 5.4 files of ../shared/testdata (do_fork and
_do_fork forms), registered through `sources add` into a temporary home, in
the engines that read old kernels: parsing, lineage, diff, history, anchors,
executor and notes import.  Expected lines are read from the files at test
time, never typed in."""
from __future__ import annotations

import json
from itertools import product

import pytest

from conftest import SEED_NOTE, seed_note_text
from explorer.annotations import Store, resolve_annotation
from explorer.cli import main
from explorer.diff import counterpart, diff_functions, history
from explorer.executor import FlagTable, World, run, sweep
from explorer.notes import import_note, parse_note

SEVEN = ["CLONE_VM", "CLONE_FS", "CLONE_SIGHAND", "CLONE_THREAD", "CLONE_NEWNS", "CLONE_NEWUSER", "CLONE_PARENT"]


def line_of(mod, function: str, *needles: str, after: int = 0) -> int:
    """The first line of `function` after `after` that holds every needle."""
    fn = mod.functions[function]
    for n in range(max(fn.start_line, after + 1), fn.end_line + 1):
        if all(x in mod.lines[n - 1] for x in needles):
            return n
    raise AssertionError(f"{needles} not in {mod.label} {function}")


def test_testdata_is_listed_as_cached_versions(with_testdata, capsys):
    assert main(["sources", "list", "--json"]) == 0
    rows = {r["label"]: r for r in json.loads(capsys.readouterr().out)["versions"]}
    assert rows["v2.6.32.69"]["status"] == "cached" and rows["v2.6.32.69"]["form"] == "do_fork"
    assert rows["v5.4"]["status"] == "cached" and rows["v5.4"]["form"] == "_do_fork"


@pytest.mark.parametrize("fixture, entry", [("mod2632", "do_fork"), ("mod54", "_do_fork")])
def test_old_forms_parse_without_errors(request, fixture, entry):
    mod = request.getfixturevalue(fixture)
    assert mod.fork_entry.name == entry
    for name in (entry, "copy_process", "dup_task_struct", "copy_mm", "copy_files", "copy_signal"):
        assert mod.functions[name].errors == 0, f"{mod.label} {name}: error nodes"


def test_lineage_names_the_three_forms(with_testdata, capsys):
    assert main(["lineage", "v2.6.32.69", "v5.4", "debian-6.12", "--json"]) == 0
    rows = {v["label"]: v for v in json.loads(capsys.readouterr().out)["versions"]}
    assert [rows[lb]["form"] for lb in ("v2.6.32.69", "v5.4", "debian-6.12")] == ["do_fork", "_do_fork", "kernel_clone"]
    assert all(rows[lb]["roles"]["copy_process"] == "copy_process" for lb in rows)


def test_do_fork_is_followed_to_kernel_clone_and_its_guards_diffed(mod2632, mod612):
    assert counterpart(mod2632, mod612, "do_fork") == ("do_fork", "kernel_clone")
    d = diff_functions(mod2632, "copy_process", mod612, "copy_process")
    counts = d.counts()
    assert counts.get("keep", 0) > 10 and counts.get("insert", 0) > 0 and counts.get("delete", 0) > 0, counts
    # the CLONE_NEWNS|CLONE_FS check is kept from 2.6.32 to 6.12, on each file's own line
    a_line = line_of(mod2632, "copy_process", "CLONE_NEWNS|CLONE_FS")
    b_line = line_of(mod612, "copy_process", "CLONE_NEWNS|CLONE_FS")
    kept = [e for e in d.edits if e.a_lines and e.a_lines[0] == a_line]
    assert kept and kept[0].b_lines[0] == b_line and kept[0].op in ("keep", "update", "move"), kept


def test_history_sees_the_thread_guard_in_every_form(mod2632, mod54, mod612):
    h = history("copy_process", [mod2632, mod54, mod612]).as_dict()
    thread = [g for g in h["guards"] if all("CLONE_THREAD" in c["condition"] and "CLONE_SIGHAND" in c["condition"]
                                            for c in g["present"].values() if c["status"] != "absent")]
    assert len(thread) == 1, h["guards"]
    cells = thread[0]["present"]
    assert cells["debian-6.12"]["line"] == line_of(mod612, "copy_process", "CLONE_THREAD", "CLONE_SIGHAND")
    assert cells["v2.6.32.69"]["line"] == line_of(mod2632, "copy_process", "CLONE_THREAD", "CLONE_SIGHAND")
    assert cells["v5.4"]["line"] == line_of(mod54, "copy_process", "CLONE_THREAD", "CLONE_SIGHAND")


def test_shipped_do_fork_notes_place_in_2_6_32_69(mod2632):
    """Notes written against 2.6.32 find their code in the real 2.6.32.69 file.
    (The 4.19 _do_fork entry note is honestly absent in 5.4, whose _do_fork
    takes struct kernel_clone_args: a signature, not a look-alike.)"""
    mod, era = mod2632, "v2.6"
    notes = [a for a in Store().list() if a.written_against and a.written_against.startswith(era)]
    assert notes, f"the shipped commentary has notes written against {era}"
    placed = {a.id: resolve_annotation(a, mod) for a in notes}
    lost = {i: r.status for i, r in placed.items() if r.status in ("orphaned", "absent")}
    assert not lost, f"notes written against {era} that do not place in {mod.label}: {lost}"


def test_seed_do_fork_blocks_anchor_in_2_6_32_69(mod2632, mod612):
    result = import_note(parse_note(seed_note_text(), path=str(SEED_NOTE)), modules=[mod2632, mod612]).as_dict()
    do_fork_blocks = [b for b in result["blocks"] if b.get("function") == "do_fork"]
    assert len(do_fork_blocks) >= 4, [(b["status"], b.get("function")) for b in result["blocks"]]
    for b in do_fork_blocks:
        assert b["status"] == "anchored" and b["label"] == "v2.6.32.69", b
    assert not [b for b in result["blocks"] if b["status"] == "orphaned"], "every seed block finds its code"


def _expected_2632(mod, flags: set[str], capable: bool) -> tuple[str, str, int]:
    """The rules of clone() for these seven flags, as read in 2.6.32.69's
    do_fork and copy_process, in the order the code tests them."""
    if "CLONE_NEWUSER" in flags:
        guard = line_of(mod, "do_fork", "clone_flags & CLONE_NEWUSER")
        if "CLONE_THREAD" in flags:
            return "EINVAL", "do_fork", line_of(mod, "do_fork", "return -EINVAL", after=guard)
        if not capable:
            return "EPERM", "do_fork", line_of(mod, "do_fork", "return -EPERM", after=guard)
    for a, b, test in (("CLONE_NEWNS", "CLONE_FS", lambda: {"CLONE_NEWNS", "CLONE_FS"} <= flags),
                       ("CLONE_THREAD", "CLONE_SIGHAND", lambda: "CLONE_THREAD" in flags and "CLONE_SIGHAND" not in flags),
                       ("CLONE_SIGHAND", "CLONE_VM", lambda: "CLONE_SIGHAND" in flags and "CLONE_VM" not in flags)):
        if test():
            guard = line_of(mod, "copy_process", a, b)
            return "EINVAL", "copy_process", line_of(mod, "copy_process", "return ERR_PTR(-EINVAL)", after=guard)
    if "CLONE_NEWNS" in flags and not capable:
        call = line_of(mod, "copy_process", "copy_namespaces(clone_flags, p)")
        return "EPERM", "copy_process", line_of(mod, "copy_process", "goto bad_fork_", after=call)
    return "ok", "do_fork", 0


@pytest.mark.parametrize("capable", [True, False], ids=["root", "nobody"])
def test_2_6_32_69_sweep_of_seven_flags_follows_its_own_rules(mod2632, capable):
    table = FlagTable.for_module(mod2632)
    world = World(capable=capable)
    got = sweep(mod2632, SEVEN, world=world)
    assert len(got["results"]) == 128
    for bits in product((False, True), repeat=len(SEVEN)):
        flags = {n for n, on in zip(SEVEN, bits) if on}
        word = table.parse("|".join(flags)) if flags else 0
        outcome, function, line = _expected_2632(mod2632, flags, capable)
        t = run(mod2632, word, world=world, record=False)
        got_word = t.outcome.errno if t.outcome.result == "error" else t.outcome.result
        assert got_word == outcome, (sorted(flags), t.outcome)
        if outcome != "ok":
            assert (t.outcome.function, t.outcome.line) == (function, line), (sorted(flags), t.outcome)
    assert {r["outcome"] for r in got["results"]} == ({"ok", "EINVAL"} if capable else {"ok", "EINVAL", "EPERM"})
