"""`fork-explorer annotations list|check|show` on the shipped commentary and on broken stores."""
from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from explorer.cli import main

REPO = Path(__file__).resolve().parents[1]
SHIPPED = REPO / "kernel-src" / "annotations"


def run(capsys, *argv):
    rc = main(list(argv))
    out, err = capsys.readouterr()
    return rc, out, err


def line_containing(mod, text, function):
    fn = mod.function(function)
    return next(n for n in range(fn.start_line, fn.end_line + 1) if text in mod.lines[n - 1])


def test_list_json_shape(capsys):
    rc, out, _ = run(capsys, "annotations", "list", "--json")
    assert rc == 0
    doc = json.loads(out)
    anns = doc["annotations"]
    assert len(anns) >= 60
    for a in anns:
        assert {"id", "function", "kind", "code", "written_against", "tags", "text"} <= set(a)
        assert a["text"]["ja"] and a["text"]["en"], a["id"]
    ids = {a["id"] for a in anns}
    for must in ("kernel_clone.entry", "do_fork.entry", "_do_fork.entry", "sys_clone3.entry",
                 "copy_process.unwind.bad_fork_cleanup_count", "kernel_clone.step.wake-up-new-task",
                 "kernel_clone.vfork.wait"):
        assert must in ids
    labels = [a["code"] for a in anns if a["kind"] == "labeled_statement"]
    assert sum(1 for c in labels if c.startswith("bad_fork_")) >= 20


def test_check_places_everything_on_the_files_own_lines(capsys, mod612):
    rc, out, _ = run(capsys, "annotations", "check", "--versions", "debian-6.1", "debian-6.12", "--json")
    assert rc == 0
    doc = json.loads(out)
    rows = {(r["id"], r["label"]): r for r in doc["results"]}
    assert all({"id", "label", "status", "line", "end_line", "score"} <= set(r) for r in doc["results"])
    assert not [r for r in doc["results"] if r["status"] == "orphaned"]
    r = rows[("copy_process.guard.thread-needs-sighand", "debian-6.12")]
    assert r["status"] == "exact" and r["score"] == 1.0
    assert r["line"] == line_containing(mod612, "(clone_flags & CLONE_THREAD) && !(clone_flags & CLONE_SIGHAND)",
                                        "copy_process")
    assert r["end_line"] == r["line"] + 1
    r = rows[("copy_process.unwind.bad_fork_cleanup_mm", "debian-6.12")]
    assert r["line"] == line_containing(mod612, "bad_fork_cleanup_mm:", "copy_process")


def _orphan_store(tmp_path):
    d = tmp_path / "ann"
    shutil.copytree(SHIPPED, d)
    text = (d / "copy_mm.yaml").read_text(encoding="utf-8")
    text = text.replace("head: clone_flags & CLONE_VM", "head: clone_flags & CLONE_VM_NEVER_EXISTED")
    (d / "copy_mm.yaml").write_text(text, encoding="utf-8")
    return d


def test_check_fails_on_an_orphan_and_show_keeps_its_text(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("FORK_EXPLORER_ANNOTATIONS", str(_orphan_store(tmp_path)))
    rc, out, _ = run(capsys, "annotations", "check", "--versions", "debian-6.12", "--json")
    assert rc == 1
    doc = json.loads(out)
    orphan = [r for r in doc["results"] if r["status"] == "orphaned"]
    assert [r["id"] for r in orphan] == ["copy_mm.guard.clone-vm"]
    assert orphan[0]["line"] is None and doc["ok"] is False
    rc, out, _ = run(capsys, "annotations", "show", "debian-6.12", "copy_mm", "--lang", "en")
    assert rc == 0
    tail = out.split("not placed in debian-6.12")[1]
    assert "copy_mm.guard.clone-vm [orphaned]" in tail
    assert "With CLONE_VM the address space is not copied" in tail


def test_check_fails_on_a_file_that_does_not_validate(capsys, tmp_path, monkeypatch):
    d = tmp_path / "ann"
    shutil.copytree(SHIPPED, d)
    (d / "broken.yaml").write_text("function: x\nannotations:\n  - id: a\n    text: {en: [\n", encoding="utf-8")
    monkeypatch.setenv("FORK_EXPLORER_ANNOTATIONS", str(d))
    rc, out, _ = run(capsys, "annotations", "check", "--versions", "debian-6.12")
    assert rc == 1
    assert f"invalid: {d / 'broken.yaml'}:" in out
    rc, out, _ = run(capsys, "annotations", "list", "--json")
    assert rc == 1 and len(json.loads(out)["annotations"]) >= 60    # the other files still load
    # show would silently drop that file's notes: it refuses, naming file and line
    rc, out, err = run(capsys, "annotations", "show", "debian-6.12", "copy_process")
    assert rc == 2 and out == ""
    assert err.count("\n") == 1 and re.search(rf"{re.escape(str(d / 'broken.yaml'))}:[45]: bad YAML", err)


def test_show_interleaves_notes_before_their_lines(capsys, mod612):
    rc, out, _ = run(capsys, "annotations", "show", "debian-6.12", "copy_process", "--lang", "ja")
    assert rc == 0
    lines = out.split("\n")
    guard = line_containing(mod612, "(clone_flags & (CLONE_NEWNS|CLONE_FS)) ==", "copy_process")
    at = next(i for i, ln in enumerate(lines) if ln.startswith(f"{guard} │"))
    block = lines[max(0, at - 12):at]
    assert any("copy_process.guard.newns-fs [exact]" in ln for ln in block)
    assert lines[at - 1].strip() == "└─"
    assert "マウント名前空間" in "\n".join(block)
    assert "A new mount namespace" not in out          # --lang ja only


def test_bad_label_is_one_line_exit_2(capsys):
    rc, out, err = run(capsys, "annotations", "show", "no-such-version", "copy_process")
    assert rc == 2 and out == "" and err.count("\n") == 1
