"""Golden outputs: the --json of every reporting verb (and the static HTML
page) on debian-6.1, debian-6.12 and the real 2.6.32.69 file, pinned so that a
reshaping of the code cannot change what a user sees.

The outputs quote kernel source (code lines, statement heads), which never
enters the repository.  So tests/golden/outputs.json keeps, per command, only
the sha256 of the normalised output, its exit code and a text-free *shape*
(the keys, list lengths, numbers and enum-like words, no code): enough to say
which part changed when a hash does not match.  The outputs themselves are
recomputed at test time from the real sources.

A deliberate change of behaviour re-records the file:

    FORK_EXPLORER_RECORD_GOLDEN=1 .venv/bin/python -m pytest -q tests/test_golden.py [-k trace]

and the commit says why.  Paths (the temporary home, the checkout, tmp
outputs) are normalised so the record holds on any machine.
"""
from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import re
from pathlib import Path

import pytest

from conftest import REPO, SEED_NOTE, shared_path

import explorer.cli

GOLDEN = Path(__file__).resolve().parent / "golden" / "outputs.json"
RECORD = bool(os.environ.get("FORK_EXPLORER_RECORD_GOLDEN"))
OLD = "v2.6.32.69"
LABELS = ("debian-6.1", "debian-6.12", OLD)


def _cases() -> dict[str, list[str]]:
    """name -> argv; {out} is a fresh temporary path, {seed} the seed note."""
    c: dict[str, list[str]] = {
        "sources list": ["sources", "list", "--json"],
        "lineage": ["lineage", *LABELS, "--json"],
        "parse-check": ["parse-check", *LABELS, "--json"],
        "history copy_process": ["history", "copy_process", "--versions", *LABELS, "--json"],
        "history do_fork": ["history", "do_fork", "--versions", *LABELS, "--json"],
        "annotations list": ["annotations", "list", "--json"],
        "annotations check": ["annotations", "check", "--versions", *LABELS, "--json"],
        "translate status": ["translate", "status", "--json"],
        "translate status 6.12": ["translate", "status", "--version", "debian-6.12", "--json"],
        "translate glossary": ["translate", "glossary", "--json"],
        "translate export": ["translate", "export", "--to", "en", "--from", "ja", "--version", "debian-6.12",
                             "-o", "{out}/en.po", "--json"],
        "notes import": ["notes", "import", "{seed}", "--versions", *LABELS, "--out", "{out}/note.yaml", "--json"],
    }
    for lb in LABELS:
        c[f"functions {lb}"] = ["functions", lb, "--json"]
        c[f"html {lb}"] = ["html", lb, "-o", "{out}", "--json"]
        c[f"html {lb} copy_process"] = ["html", lb, "-o", "{out}", "--function", "copy_process", "--json"]
        c[f"trace {lb} 0"] = ["trace", lb, "--flags", "0", "--json"]
        c[f"trace {lb} thread"] = ["trace", lb, "--flags", "CLONE_THREAD", "--json"]
        c[f"trace {lb} vm|fs copy_mm"] = ["trace", lb, "--flags", "CLONE_VM|CLONE_FS", "--fail", "copy_mm=ENOMEM",
                                          "--json"]
        c[f"trace {lb} newuser"] = ["trace", lb, "--flags", "CLONE_NEWUSER", "--assume", "capable=false", "--json"]
        c[f"sweep {lb}"] = ["sweep", lb, "--flags", "CLONE_VM,CLONE_SIGHAND,CLONE_THREAD,CLONE_NEWPID,CLONE_FS",
                            "--json"]
    for lb in ("debian-6.1", "debian-6.12"):
        c[f"trace {lb} sys_clone3"] = ["trace", lb, "--entry", "sys_clone3", "--flags", "0",
                                       "--clone-arg", "exit_signal=0x100000000", "--json"]
        c[f"trace {lb} copy_process numa"] = ["trace", lb, "--entry", "copy_process", "--flags", "CLONE_VM",
                                              "--config", "CONFIG_NUMA=n", "--json"]
    for a, b in (("debian-6.1", "debian-6.12"), (OLD, "debian-6.12")):
        c[f"diff {a} {b}"] = ["diff", a, b, "--json"]
        c[f"diff {a} {b} copy_process"] = ["diff", a, b, "--function", "copy_process", "--json"]
        c[f"diff {a} {b} do_fork"] = ["diff", a, b, "--function", "do_fork", "--json"]
        c[f"diff {a} {b} html"] = ["diff", a, b, "--html", "{out}/diff.html"]
        c[f"diff {a} {b} copy_process html"] = ["diff", a, b, "--function", "copy_process",
                                                "--html", "{out}/diff.html"]
    return c


CASES = _cases()


def _normalise(text: str, home: Path, out: Path) -> str:
    for path, word in ((out, "<OUT>"), (home, "<HOME>"), (REPO, "<REPO>"), (REPO.parent / "shared", "<SHARED>")):
        text = text.replace(str(path), word)
    # 2026-12-06T01:02:03... timestamps written by export/import
    return re.sub(r"\d{4}-\d\d-\d\d[ T]\d\d:\d\d(:\d\d)?(\.\d+)?([+-]\d\d(:?\d\d)?|Z)?", "<TIME>", text)


def _shape(obj, depth=0):
    """Keys, list lengths and numbers, never strings (which may quote code)."""
    if isinstance(obj, dict):
        return {k: _shape(v, depth + 1) for k, v in sorted(obj.items())} if depth < 3 else f"dict[{len(obj)}]"
    if isinstance(obj, list):
        return f"list[{len(obj)}]"
    if isinstance(obj, (int, float, bool)) or obj is None:
        return obj
    return f"str[{len(obj)}]"


def _run(argv: list[str], home: Path, out: Path) -> dict:
    argv = [a.replace("{out}", str(out)).replace("{seed}", str(shared_path("seed/" + SEED_NOTE.name)))
            for a in argv]
    out.mkdir(parents=True, exist_ok=True)
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        rc = explorer.cli.main(argv)
    text = stdout.getvalue() + "\n=== stderr\n" + stderr.getvalue()
    # Files the verb wrote are part of its output (the static page, the diff page, the PO file).
    for f in sorted(p for p in out.rglob("*") if p.is_file()):
        text += f"\n=== {f.relative_to(out)}\n" + f.read_text(encoding="utf-8", errors="replace")
    text = _normalise(text, home, out)
    try:
        shape = _shape(json.loads(_normalise(stdout.getvalue(), home, out)))
    except ValueError:
        shape = None
    return {"rc": rc, "sha256": hashlib.sha256(text.encode()).hexdigest(), "shape": shape}


@pytest.fixture(scope="module")
def golden() -> dict:
    return json.loads(GOLDEN.read_text(encoding="utf-8")) if GOLDEN.exists() else {}


@pytest.mark.parametrize("name", sorted(CASES))
def test_output_is_unchanged(name, with_testdata, tmp_path, golden):
    got = _run(CASES[name], with_testdata, tmp_path / "out")
    if RECORD:   # (re)record this case only: `-k` re-records a part
        golden[name] = got
        GOLDEN.parent.mkdir(exist_ok=True)
        GOLDEN.write_text(json.dumps(golden, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        return
    assert name in golden, f"no golden record for {name!r}; re-record (see the module docstring)"
    want = golden[name]
    assert (got["rc"], got["shape"]) == (want["rc"], want["shape"]), name
    assert got["sha256"] == want["sha256"], f"{name}: same shape, different output"
