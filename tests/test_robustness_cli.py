"""Every CLI verb on hostile input: exit 2 and one line on stderr that says what
was wrong and where (never a traceback), or a normal answer (exit 0/1) when
the input is odd but legitimate.

The table covers sources (empty, binary, truncated, non-UTF-8, 10 MB, braces
nested thousands deep, 10,000 #ifdefs), labels (/, .., spaces, shell
characters), unknown names (labels, functions, flags, errnos, callees, config
names), malformed flag expressions, broken annotation files, Markdown notes
and PO files.  Each case runs against private copies of the source cache
(FORK_EXPLORER_HOME) and the annotations (FORK_EXPLORER_ANNOTATIONS), so the
checkout never changes.  Most cases run in-process through explorer.cli.main;
a few run as `python -m explorer` subprocesses for a realistic check.

Hostile files are generated here; no kernel text is involved.  Real versions
come from the cache (debian-6.1, debian-6.12).
"""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import polib
import pytest

from conftest import SEED_NOTE, make_home, shared_path
from explorer.cli import main

REPO = Path(__file__).resolve().parents[1]
ANNOTATIONS = REPO / "kernel-src" / "annotations"
A, B = "debian-6.1", "debian-6.12"
HANG_GUARD = 240          # seconds; a guard against hangs, not a speed claim


# -- hostile inputs ----------------------------------------------------------------------

def _entry(body: bytes) -> bytes:
    return b"long kernel_clone(struct kernel_clone_args *args)\n{\n\tu64 clone_flags = args->flags;\n" + body + \
        b"\treturn 0;\n}\n"


def hostile_sources() -> dict[str, bytes]:
    ifdefs = b"".join(b"#ifdef CONFIG_ROBUST_%d\n\tif (clone_flags & %d)\n\t\treturn -22;\n#endif\n" % (i, i)
                      for i in range(10000))
    return {
        "empty.c": b"",
        "blank.c": b"\n  \n\t\n",
        "binary.c": bytes(range(256)) * 16,
        "truncated.c": _entry(b"\tif ((clone_flags & 1) && !(clone_fl")[:-30],
        "nonutf8.c": b"/* caf\xe9 \xff\xfe */\n" + _entry(b"\tif (clone_flags & 0x100)\n\t\treturn -22;\n"),
        "big.c": (b"static int robust_filler(void) { return 0; }\n" * 240000)[:10 * 1024 * 1024],
        "nested.c": _entry(b"{" * 5000 + b"\tif (clone_flags & 1)\n\t\treturn -22;\n" + b"}" * 5000 + b"\n"),
        "ifdefs.c": _entry(ifdefs),
        "nested_ifdefs.c": _entry(b"#ifdef CONFIG_A\n" * 3000 + b"\treturn -1;\n" + b"#endif\n" * 3000),
        "parens.c": _entry(b"\tif (" + b"(" * 5000 + b"clone_flags" + b")" * 5000 + b")\n\t\treturn -22;\n"),
        "unbalanced.c": _entry(b"#else\n#endif\n#endif\n\t}\n\t}\n#if\n"),
        "crlf.c": _entry(b"\tif (clone_flags & 0x100)\n\t\treturn -22;\n").replace(b"\n", b"\r\n"),
        "copy_process_only.c": b"struct task_struct *copy_process(struct pid *pid, int trace, int node,\n"
                               b"\t\t\t\t struct kernel_clone_args *args)\n{\n" + b"{" * 3000 +
                               b"return 0;" + b"}" * 3000 + b"\n}\n",
    }


# Sources a user may legitimately hand over (they parse; answers may be odd).
ODD_BUT_VALID = ["nonutf8.c", "nested.c", "ifdefs.c", "nested_ifdefs.c", "parens.c", "unbalanced.c", "crlf.c",
                 "truncated.c", "copy_process_only.c"]
REFUSED = {"empty.c": "is empty", "blank.c": "is empty", "binary.c": "NUL bytes", "big.c": "limit"}

BAD_LABELS = ["a/b", "../debian-6.1", "..", "deb ian", "x;touch PWNED", "$(touch PWNED)", "`touch PWNED`",
              "debian-6.1|cat", "ÿ-label", "a" * 200, "debian-6.1\n", "-", ".hidden", "debian-6.1/../x"]
UNKNOWN_LABEL = "no-such-9.9"


def hostile_notes() -> dict[str, bytes]:
    return {
        "no_code.md": "# 読書会メモ\n\nコードのないメモ。\n\nJust prose, no code block.\n".encode(),
        "empty.md": b"",
        "only_code.md": b"```c\nlong kernel_clone(struct kernel_clone_args *args)\n{\n```\n",
        "broken_fence.md": b"# notes\n\nThe check below.\n\n```c\nif (clone_flags & CLONE_VM)\n\n"
                           b"More prose the unclosed fence swallows.\n",
        "mixed_fence.md": b"Prose.\n\n~~~c\nint a;\n```\n\nmore prose\n",
        "binary.md": b"\x00\x01\x02prose",
        "latin1.md": b"# caf\xe9\n\nprose\n",
    }


def hostile_po(valid_po: polib.POFile) -> dict[str, bytes]:
    ids = [e.msgctxt for e in valid_po if e.msgctxt]
    header = 'msgid ""\nmsgstr ""\n"Language: en\\n"\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
    fuzzy = polib.pofile(valid_po.__unicode__())
    fuzzy[0].flags.append("fuzzy")
    fuzzy[0].msgstr = "FUZZY TEXT THAT MUST NOT LAND"
    return {
        "syntax.po": (header + 'msgctxt "x"\nmsgid "a"\nmsgstr "b"\ngarbage on line 9\n').encode(),
        "no_language.po": b'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
                          b'msgctxt "x"\nmsgid "a"\nmsgstr "b"\n',
        "empty.po": b"",
        "latin1.po": (header + 'msgctxt "x"\nmsgid "caf').encode() + b'\xe9"\nmsgstr "b"\n',
        "binary.po": bytes(range(256)),
        "unknown_id.po": (header + 'msgctxt "no.such.annotation"\nmsgid "a"\nmsgstr "b"\n').encode(),
        "fuzzy.po": fuzzy.__unicode__().encode(),
        "duplicate.po": (header + f'msgctxt "{ids[0]}"\nmsgid "a"\nmsgstr "b"\n\n'
                         f'msgctxt "{ids[0]}"\nmsgid "a"\nmsgstr "c"\n').encode(),
    }


def hostile_annotation_files(sample: str) -> dict[str, tuple[str, bytes, str]]:
    """name -> (file name, bytes, what the message must name)."""
    first_id = next(ln.split(":", 1)[1].strip() for ln in sample.splitlines() if ln.strip().startswith("- id:"))
    head = "function: copy_process\nannotations:\n"
    return {
        "bad_yaml": ("zz_bad.yaml", (head + "  - id: zz.bad\n    text: {ja: [unclosed\n").encode(), "zz_bad.yaml:"),
        "duplicate_id": ("zz_dup.yaml", sample.encode(), f"duplicate id {first_id!r}"),
        "unknown_version": ("zz_version.yaml", (
            head + "  - id: zz.version\n    anchor:\n      function: copy_process\n      kind: if_statement\n"
            "      head: if (x)\n    written_against: v9.99-nope\n    source_lang: en\n    text:\n"
            "      en: hello\n").encode(), "v9.99-nope"),
        "not_utf8": ("zz_latin.yaml", (head + "  []\n# caf").encode() + b"\xe9\n", "zz_latin.yaml:"),
        "not_a_mapping": ("zz_list.yaml", b"- a\n- b\n", "zz_list.yaml:1"),
        "empty_file": ("zz_empty.yaml", b"", "zz_empty.yaml:1"),
    }


ORPHAN = ("zz_orphan.yaml", (
    "function: copy_process\nannotations:\n  - id: zz.orphan\n    anchor:\n      function: copy_process\n"
    "      kind: if_statement\n      head: if (robust_no_such_condition(x))\n    written_against: debian-6.12\n"
    "    source_lang: en\n    text:\n      en: points at nothing\n").encode())


# -- the world a case runs in ------------------------------------------------------------

@dataclass
class World:
    root: Path
    hostile: Path          # generated sources
    notes: Path
    pos: Path
    home_template: Path
    ann_template: Path


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> World:
    root = tmp_path_factory.mktemp("robust")
    home = make_home(root / "home-template", debian=(A, B))
    ann = root / "ann-template"
    shutil.copytree(ANNOTATIONS, ann, ignore=shutil.ignore_patterns("archive"))
    shutil.copytree(ANNOTATIONS.parent / "tours", ann / "tours")   # tours live inside a moved store
    hostile = root / "in"
    hostile.mkdir()
    for name, data in hostile_sources().items():
        (hostile / name).write_bytes(data)
    notes = root / "notes"
    notes.mkdir()
    for name, data in hostile_notes().items():
        (notes / name).write_bytes(data)
    (notes / "a_directory.md").mkdir()
    pos = root / "po"
    pos.mkdir()
    env = {"FORK_EXPLORER_HOME": str(home), "FORK_EXPLORER_ANNOTATIONS": str(ann)}
    p = subprocess.run([sys.executable, "-m", "explorer", "translate", "export", "--to", "en", "-o",
                        str(pos / "valid.po"), "--version", B], env=os.environ | env, cwd=REPO,
                       capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr
    for name, data in hostile_po(polib.pofile(str(pos / "valid.po"))).items():
        (pos / name).write_bytes(data)
    return World(root, hostile, notes, pos, home, ann)


@dataclass
class Case:
    id: str
    argv: list[str]
    expect: str = "refused"         # refused (exit 2) | answered (exit 0 or 1, or a clean exit 2) | check-fails (1)
    says: list[str] = field(default_factory=list)   # words the stderr line (or output, for exit 1) must contain
    any_of: list[str] = field(default_factory=list)  # ... and at least one of these
    ann_files: dict[str, bytes] = field(default_factory=dict)
    setup: list[list[str]] = field(default_factory=list)   # argv run first (must succeed)
    subprocess: bool = False
    xfail: str | None = None


def _fmt(s: str, w: World, tmp: Path) -> str:
    return (s.replace("{IN}", str(w.hostile)).replace("{NOTES}", str(w.notes)).replace("{PO}", str(w.pos))
            .replace("{TMP}", str(tmp)).replace("{SEED}", str(SEED_NOTE)))


def cases() -> list[Case]:
    out: list[Case] = []
    # 1. Hostile sources through every verb that reads a path.
    path_verbs = {
        "trace": lambda f: ["trace", f, "--flags", "CLONE_VM"],
        "sweep": lambda f: ["sweep", f, "--flags", "CLONE_VM,CLONE_THREAD"],
        "diff": lambda f: ["diff", f, A],
        "diff-function": lambda f: ["diff", A, f, "--function", "kernel_clone"],
        "history": lambda f: ["history", "copy_process", "--versions", A, f],
        "history-entry": lambda f: ["history", "do_fork", "--versions", f, B],
        "sources-add": lambda f: ["sources", "add", "robust-added", f],
        "pair": lambda f: ["pair", f, B],
        "trace-compare": lambda f: ["trace", A, "--compare", f, "--flags", "CLONE_VM"],
        "rules": lambda f: ["rules", f, "--flags", "CLONE_VM,CLONE_THREAD"],
        "rules-compare": lambda f: ["rules", A, "--compare", f, "--flags", "CLONE_VM,CLONE_THREAD"],
    }
    for name in sorted(hostile_sources()):
        f = "{IN}/" + name
        for verb, argv in path_verbs.items():
            if name in REFUSED:
                out.append(Case(f"source-{name}-{verb}", argv(f), "refused", [name, REFUSED[name]],
                                subprocess=(verb == "trace")))
            else:
                out.append(Case(f"source-{name}-{verb}", argv(f), "answered", [],
                                subprocess=(verb == "diff" and name in ("nested.c", "ifdefs.c"))))
    # 2. The odd-but-valid sources once stored under a label, through every verb that takes one.
    label_verbs = {
        "functions": lambda lb: ["functions", lb, "--json"],
        "show": lambda lb: ["show", lb, "kernel_clone", "--color", "always"],
        "parse-check": lambda lb: ["parse-check", lb, "--json"],
        "lineage": lambda lb: ["lineage", lb, A],
        "annotations-check": lambda lb: ["annotations", "check", "--versions", lb],
        "annotations-show": lambda lb: ["annotations", "show", lb, "kernel_clone"],
        "html": lambda lb: ["html", lb, "-o", "{TMP}/html"],
        "translate-status": lambda lb: ["translate", "status", "--version", lb],
        "diff": lambda lb: ["diff", A, lb, "--json"],
        "trace": lambda lb: ["trace", lb, "--flags", "CLONE_VM|CLONE_THREAD", "--json"],
        "pair": lambda lb: ["pair", lb, A, "--json"],
        "rules": lambda lb: ["rules", lb, "--flags", "CLONE_VM,CLONE_THREAD", "--json"],
    }
    for name in ODD_BUT_VALID:
        if name in ("truncated.c", "copy_process_only.c"):
            continue
        label = "robust-" + name[:-2].replace("_", "-")
        for verb, argv in label_verbs.items():
            out.append(Case(f"stored-{name}-{verb}", argv(label), "answered", [],
                            setup=[["sources", "add", label, "{IN}/" + name]]))
    # 3. Hostile labels through every verb that takes a label.
    takes_label = {
        "functions": lambda lb: ["functions", lb],
        "show": lambda lb: ["show", lb, "copy_process"],
        "trace": lambda lb: ["trace", lb, "--flags", "0"],
        "sweep": lambda lb: ["sweep", lb, "--flags", "CLONE_VM"],
        "sweep-compare": lambda lb: ["sweep", A, "--compare", lb, "--flags", "CLONE_VM"],
        "rules": lambda lb: ["rules", lb, "--flags", "CLONE_VM"],
        "pair": lambda lb: ["pair", A, lb],
        "diff": lambda lb: ["diff", lb, A],
        "history": lambda lb: ["history", "copy_process", "--versions", lb],
        "lineage": lambda lb: ["lineage", lb],
        "parse-check": lambda lb: ["parse-check", lb],
        "annotations-check": lambda lb: ["annotations", "check", "--versions", lb],
        "annotations-show": lambda lb: ["annotations", "show", lb, "copy_process"],
        "html": lambda lb: ["html", lb, "-o", "{TMP}/html"],
        "sources-sync": lambda lb: ["sources", "sync", lb],
        "sources-add": lambda lb: ["sources", "add", lb, "{IN}/crlf.c"],
        "notes-import": lambda lb: ["notes", "import", "{SEED}", "--versions", lb],
        "translate-status": lambda lb: ["translate", "status", "--version", lb],
        "translate-export": lambda lb: ["translate", "export", "--to", "en", "-o", "{TMP}/x.po", "--version", lb],
        "tours-show": lambda lb: ["tours", "show", "kernel-clone", lb],
        "tours-check": lambda lb: ["tours", "check", "--versions", lb],
    }
    for i, lb in enumerate(BAD_LABELS):
        for verb, argv in takes_label.items():
            # the message names the label, or says a label (or path) is what was wrong
            out.append(Case(f"label{i}-{verb}", argv(lb), "refused",
                            any_of=[lb.strip()[:30], "label", "does not exist"],
                            subprocess=(verb == "trace" and "PWNED" in lb)))
    for verb, argv in takes_label.items():
        if verb == "sources-add":
            continue              # adding a new label is what sources add is for
        out.append(Case(f"unknown-label-{verb}", argv(UNKNOWN_LABEL), "refused", [UNKNOWN_LABEL]))
    # 4. Unknown names and malformed expressions.
    D = A
    out += [
        Case("unknown-function-show", ["show", D, "no_such_fn"], says=["no_such_fn"]),
        Case("unknown-function-show-path", ["show", D, "../../etc/passwd"], says=["../../etc/passwd"]),
        Case("unknown-function-diff", ["diff", D, B, "--function", "no_such_fn"], says=["no_such_fn"]),
        Case("unknown-function-history", ["history", "no_such_fn", "--versions", D, B], says=["no_such_fn"]),
        Case("unknown-function-html", ["html", D, "-o", "{TMP}/h", "--function", "no_such_fn"], says=["no_such_fn"]),
        Case("unknown-function-annotations-show", ["annotations", "show", D, "no_such_fn"], says=["no_such_fn"]),
        Case("unknown-entry", ["trace", D, "--flags", "0", "--entry", "no_such_fn"], says=["no_such_fn"]),
        Case("unknown-flag", ["trace", D, "--flags", "CLONE_NOPE"], says=["CLONE_NOPE"]),
        Case("unknown-flag-sweep", ["sweep", D, "--flags", "CLONE_VM,CLONE_NOPE"], says=["CLONE_NOPE"]),
        Case("unknown-errno", ["trace", D, "--flags", "0", "--fail", "copy_mm=ENOPE"], says=["ENOPE"]),
        Case("errno-out-of-range", ["trace", D, "--flags", "0", "--fail", "copy_mm=-99999"], says=["99999"]),
        Case("errno-zero", ["trace", D, "--flags", "0", "--fail", "copy_mm=0"], says=["'0'"]),
        Case("unknown-callee", ["trace", D, "--flags", "0", "--fail", "robust_no_callee=ENOMEM"],
             says=["robust_no_callee"]),
        Case("unknown-callee-sweep", ["sweep", D, "--flags", "CLONE_VM", "--fail", "robust_no_callee=ENOMEM"],
             says=["robust_no_callee"]),
        Case("unknown-config", ["trace", D, "--flags", "0", "--config", "CONFIG_ROBUST_NOPE=y"],
             says=["CONFIG_ROBUST_NOPE"]),
        Case("bad-config-value", ["trace", D, "--flags", "0", "--config", "CONFIG_NUMA=maybe"], says=["maybe"]),
        Case("bad-config-word", ["trace", D, "--flags", "0", "--config", "garbage"], says=["garbage"]),
        Case("bad-config-name", ["trace", D, "--flags", "0", "--config", "rm -rf=y"], says=["rm -rf"]),
        Case("unknown-assumption", ["trace", D, "--flags", "0", "--assume", "robust_nope=1"], says=["robust_nope"]),
        Case("bad-assumption-value", ["trace", D, "--flags", "0", "--assume", "capable=banana"], says=["banana"]),
        Case("unknown-clone-arg", ["trace", D, "--flags", "0", "--entry", "sys_clone3", "--clone-arg", "nope=1"],
             says=["nope"]),
        Case("bad-budget", ["trace", D, "--flags", "0", "--budget", "-1"], says=["budget"]),
        Case("bad-budget-word", ["trace", D, "--flags", "0", "--budget", "lots"], says=["lots"]),
        Case("too-many-sweep-flags", ["sweep", D, "--flags", ",".join(
            f"CLONE_{x}" for x in ("VM FS FILES SIGHAND PTRACE VFORK PARENT THREAD NEWNS SYSVSEM SETTLS "
                                   "PARENT_SETTID CHILD_CLEARTID DETACHED UNTRACED CHILD_SETTID NEWCGROUP").split())],
             says=["16"]),
        Case("repeated-sweep-flag", ["sweep", D, "--flags", "CLONE_VM,CLONE_VM"], says=["twice"]),
        Case("diff-negative-width", ["diff", D, B, "--width", "-5"], says=["-5"]),
        Case("diff-html-into-missing-dir", ["diff", D, B, "--html", "{TMP}/no/such/dir/x.html"], says=["x.html"]),
        Case("diff-html-onto-directory", ["diff", D, B, "--html", "{TMP}"], says=["directory"]),
        Case("html-onto-file", ["html", D, "-o", "{IN}/crlf.c"], says=["crlf.c"]),
        Case("translate-bad-lang", ["translate", "export", "--to", "xx!", "-o", "{TMP}/x.po"], says=["xx!"]),
        Case("translate-status-bad-lang", ["translate", "status", "--langs", "en", "!!"], says=["!!"]),
        Case("translate-same-langs", ["translate", "export", "--to", "ja", "--from", "ja", "-o", "{TMP}/x.po"],
             says=["ja"]),
        Case("translate-export-missing-dir", ["translate", "export", "--to", "en", "-o", "{TMP}/no/x.po"],
             says=["does not exist"]),
        Case("glossary-binary", ["translate", "glossary", "--glossary", "{IN}/binary.c"], says=["binary.c"]),
        Case("glossary-missing", ["translate", "glossary", "--glossary", "{TMP}/none.yaml"], says=["none.yaml"]),
        Case("sources-add-missing", ["sources", "add", "robust-y", "{TMP}/none.c"], says=["none.c"]),
        Case("sources-add-directory", ["sources", "add", "robust-y", "{IN}"], says=["regular file"]),
        Case("sources-add-device", ["sources", "add", "robust-y", "/dev/zero"], says=["/dev/zero"]),
        Case("sources-add-not-fork", ["sources", "add", "robust-y", "{NOTES}/no_code.md"], says=["no_code.md"]),
        Case("sources-add-bad-header", ["sources", "add", "robust-y", "{IN}/crlf.c", "--header", "{IN}/binary.c"],
             says=["binary.c"]),
        Case("sources-add-over-pinned", ["sources", "add", A, "{IN}/crlf.c"], says=["blob"]),
        Case("sources-sync-provider", ["sources", "sync", "--provider", "nope"], says=["nope"]),
        Case("unknown-verb", ["robust-nope"], says=["robust-nope"]),
        Case("unknown-option", ["functions", A, "--robust-nope"], says=["--robust-nope"]),
        Case("missing-argument", ["trace", A], says=["--flags"]),
        Case("serve-bad-port", ["serve", "--port", "http"], says=["http"]),
        # hub refuses before it starts JupyterHub or the proxy
        Case("hub-bad-port", ["hub", "--port", "99999", "--no-browser"], says=["99999"]),
        Case("hub-bad-members", ["hub", "--members", "alice,../../etc", "--no-browser"], says=["../../etc"]),
        # verify refuses before it downloads or boots anything
        Case("verify-unknown-label", ["verify", "robust-nope"], says=["robust-nope"]),
        Case("verify-bad-mode", ["verify", A, "--modes", "root,sideways"], says=["sideways"]),
        Case("verify-twice-the-mode", ["verify", A, "--modes", "root,root"], says=["each once"]),
        Case("verify-bad-flag", ["verify", A, "--flags", "CLONE_ROBUST_NOPE"], says=["CLONE_ROBUST_NOPE"]),
        Case("verify-bad-timeout", ["verify", A, "--timeout", "-5"], says=["--timeout"]),
        Case("verify-path-not-debian", ["verify", "{IN}/crlf.c"], any_of=["not fetched", "unknown version",
                                                                         "label"]),
        Case("sources-list-bad-option", ["sources", "list", "--robust-nope"], says=["--robust-nope"]),
    ]
    for expr in ["CLONE_VM|", "|", "", "0xZZ", "CLONE_VM||CLONE_FS", "(CLONE_VM", "-1", "1e5",
                 "CLONE_VM & CLONE_FS", "99999999999999999999999", "CLONE_VM|$(id)", "0x" + "f" * 40,
                 "CLONE_VM|" * 2000 + "CLONE_FS|"]:
        out.append(Case(f"flags-expr-{len(out)}", ["trace", D, "--flags", expr], "refused", ["flag"]))
    # 5. Markdown notes.
    out.append(Case("note-no_code.md", ["notes", "import", "{NOTES}/no_code.md", "--versions", B, "--into"],
                    "answered", ["1 annotation(s) written"]))   # prose alone is kept (test_notes)
    for name, says in [("empty.md", ["empty.md"]),
                       ("only_code.md", ["only_code.md", "prose"]),
                       ("broken_fence.md", ["broken_fence.md:5", "fence"]),
                       ("mixed_fence.md", ["mixed_fence.md:3", "fence"]),
                       ("binary.md", ["binary.md", "NUL"]), ("latin1.md", ["latin1.md:1", "UTF-8"]),
                       ("a_directory.md", ["a_directory.md", "directory"]), ("none.md", ["none.md"])]:
        out.append(Case(f"note-{name}", ["notes", "import", "{NOTES}/" + name, "--versions", B, "--into"],
                        says=says))
    out.append(Case("note-big", ["notes", "import", "{IN}/big.c", "--versions", B], says=["big.c", "limit"]))
    out.append(Case("note-out-missing-dir", ["notes", "import", "{SEED}", "--versions", B, "--out",
                                             "{TMP}/no/x.yaml"], says=["does not exist"]))
    out.append(Case("note-tour-missing-dir", ["notes", "import", "{SEED}", "--versions", B, "--tour",
                                              "{TMP}/no/x.yaml"], says=["does not exist"]))
    out.append(Case("note-tour-not-yaml", ["notes", "import", "{SEED}", "--versions", B, "--tour",
                                           "{TMP}/x.md"], says=[".yaml"]))
    # 6. PO files.
    for name, expect, says in [
            ("syntax.po", "refused", ["syntax.po:9"]), ("no_language.po", "refused", ["no_language.po", "Language"]),
            ("empty.po", "refused", ["empty.po"]), ("latin1.po", "refused", ["latin1.po", "UTF-8"]),
            ("binary.po", "refused", ["binary.po"]), ("duplicate.po", "refused", ["duplicate.po"]),
            ("unknown_id.po", "check-fails", ["no.such.annotation"]),
            ("missing.po", "refused", ["missing.po"])]:
        out.append(Case(f"po-{name}", ["translate", "import", "{PO}/" + name], expect, says))
    # 7. Broken annotation files through every verb that reads the store.
    sample = (ANNOTATIONS / "copy_process.yaml").read_text(encoding="utf-8")
    store_verbs = {
        "annotations-list": (["annotations", "list"], "check-fails", None),
        "annotations-check": (["annotations", "check", "--versions", B], "check-fails", None),
        "annotations-show": (["annotations", "show", B, "copy_process"], "refused", None),
        "translate-status": (["translate", "status"], "refused", None),
        "translate-export": (["translate", "export", "--to", "en", "-o", "{TMP}/x.po"], "refused", None),
        "translate-import": (["translate", "import", "{PO}/valid.po", "--dry-run"], "refused", None),
        # notes import refuses only when a file it would add to is broken (tested in test_notes)
        "notes-import-into": (["notes", "import", "{SEED}", "--versions", B, "--into"], "answered", None),
        "html": (["html", B, "-o", "{TMP}/html", "--function", "copy_process"], "refused", None),
    }
    for bad, (fname, data, says) in hostile_annotation_files(sample).items():
        for verb, (argv, expect, xfail) in store_verbs.items():
            out.append(Case(f"annotations-{bad}-{verb}", argv, expect, [] if expect == "answered" else [says],
                            ann_files={fname: data},
                            xfail=xfail))
    out.append(Case("annotations-orphan-check", ["annotations", "check", "--versions", B], "check-fails",
                    ["zz.orphan", "orphaned"], ann_files={ORPHAN[0]: ORPHAN[1]}))
    out.append(Case("annotations-orphan-show", ["annotations", "show", B, "copy_process"], "answered",
                    ["zz.orphan"], ann_files={ORPHAN[0]: ORPHAN[1]}))
    # 8. Broken tour files (tours/ inside the moved store) through every tours verb, and missing tours.
    tour = (ANNOTATIONS.parent / "tours" / "bad-fork-unwind.yaml").read_text(encoding="utf-8")
    bad_tours = {
        "stop-kind": (tour.replace("id: bad-fork-unwind", "id: zz-tour").replace(
            "kind: expression_statement", "kind: expresion_statement", 1),
                      "unknown stop kind 'expresion_statement'"),
        "duplicate-id": (tour, "duplicate tour id 'bad-fork-unwind'"),
        "bad-yaml": (tour.replace("id: bad-fork-unwind", "id: zz-tour").replace("stops:", "stops: [", 1), "bad YAML"),
        "no-stops": ("id: zz-empty\ntitle: {en: Empty}\nstops: []\n", "at least one stop"),
    }
    for bad, (data, says) in bad_tours.items():
        for verb in (["tours", "list"], ["tours", "show", "bad-fork-unwind", B], ["tours", "check", "--versions", B]):
            out.append(Case(f"tours-{bad}-{verb[1]}", verb, "refused", [says, "zz.yaml"],
                            ann_files={"tours/zz.yaml": data.encode("utf-8")}))
    out.append(Case("tours-function-nowhere-check", ["tours", "check", "--versions", A, B], "refused",
                    ["bad-fork-unwind.yaml", "'copy_proces' is in no version read"],
                    ann_files={"tours/bad-fork-unwind.yaml": tour.replace("function: copy_process",
                                                                          "function: copy_proces", 1).encode()}))
    out.append(Case("tours-missing-show", ["tours", "show", "no-such-tour"], "refused", ["no-such-tour"]))
    return out


CASES = cases()


# -- running a case ----------------------------------------------------------------------

class Hang(Exception):
    pass


def _alarm(signum, frame):
    raise Hang(f"no answer within {HANG_GUARD} s")


def run_inprocess(argv, capsys) -> tuple[int, str, str]:
    capsys.readouterr()
    old = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(HANG_GUARD)
    try:
        rc = main(argv)
    except SystemExit as e:          # argparse --help and friends
        rc = e.code if isinstance(e.code, int) else 2
    except Hang as e:
        pytest.fail(f"{argv}: {e}")
    except BaseException as e:       # noqa: BLE001 - this is the traceback a user would have seen
        import traceback
        pytest.fail(f"{argv}: {type(e).__name__} escaped the CLI (a traceback for the user):\n"
                    + "".join(traceback.format_exception(e))[-3000:])
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)
    cap = capsys.readouterr()
    return rc, cap.out, cap.err


def run_subprocess(argv, env) -> tuple[int, str, str]:
    p = subprocess.run([sys.executable, "-m", "explorer", *argv], env=env, cwd=REPO, capture_output=True,
                       text=True, errors="replace", timeout=HANG_GUARD)
    return p.returncode, p.stdout, p.stderr


def check(case: Case, rc, out: str, err: str) -> None:
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert "Traceback" not in err, f"traceback on stderr:\n{err[-3000:]}"
    assert rc in (0, 1, 2), f"exit {rc}: {err[-1000:]}"
    if rc == 2:
        assert len(lines) == 1, f"exit 2 must come with exactly one line on stderr, got {len(lines)}:\n{err[:2000]}"
        assert lines[0].startswith("fork-explorer: ")
    if case.expect == "refused":
        assert rc == 2, f"expected a refusal (exit 2), got exit {rc}; stdout:\n{out[:1500]}\nstderr:\n{err[:1500]}"
        for word in case.says:
            assert word in lines[0], f"the message should name {word!r}: {lines[0]}"
        if case.any_of:
            assert any(w in lines[0] for w in case.any_of), f"the message should name one of {case.any_of}: {lines[0]}"
    elif case.expect == "check-fails":
        assert rc == 1, f"expected exit 1 (a check failed), got {rc}: {err[:1500]}"
        for word in case.says:
            assert word in out + err, f"the report should name {word!r}"
    else:
        if rc == 2:
            for word in case.says:
                assert word in lines[0], f"the message should name {word!r}: {lines[0]}"
        else:
            for word in case.says:
                assert word in out + err, f"the answer should name {word!r}"


@pytest.mark.parametrize("case", [pytest.param(c, id=c.id, marks=[pytest.mark.xfail(strict=True, reason=c.xfail)]
                                               if c.xfail else []) for c in CASES])
def test_hostile_input(case: Case, world: World, tmp_path, monkeypatch, capsys):
    if any("{SEED}" in a for a in case.argv + [x for s in case.setup for x in s]):
        shared_path("seed/" + SEED_NOTE.name)
    home = tmp_path / "home"
    shutil.copytree(world.home_template, home)
    ann = tmp_path / "ann"
    shutil.copytree(world.ann_template, ann)
    for name, data in case.ann_files.items():
        (ann / name).write_bytes(data)
    work = tmp_path / "work"
    work.mkdir()
    env = {"FORK_EXPLORER_HOME": str(home), "FORK_EXPLORER_ANNOTATIONS": str(ann)}
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    monkeypatch.chdir(work)          # shell-looking labels must not create files anywhere
    for argv in case.setup:
        rc, out, err = run_inprocess([_fmt(a, world, work) for a in argv], capsys)
        assert rc == 0, f"setup {argv} failed: {err}"
    argv = [_fmt(a, world, work) for a in case.argv]
    before = {p: p.read_bytes() for p in ann.rglob("*") if p.is_file()}
    t0 = time.monotonic()
    if case.subprocess:
        rc, out, err = run_subprocess(argv, os.environ | env)
    else:
        rc, out, err = run_inprocess(argv, capsys)
    elapsed = time.monotonic() - t0
    check(case, rc, out, err)
    assert not list(work.rglob("PWNED")) and not (REPO / "PWNED").exists(), "a label was run by a shell"
    if rc == 2:
        after = {p: p.read_bytes() for p in ann.rglob("*") if p.is_file()}
        assert after == before, "a refused command changed the annotation files"
    print(f"{case.id}: exit {rc} in {elapsed:.2f}s")


def test_table_covers_every_verb():
    """A new verb must be added to the table above."""
    import argparse

    from explorer.cli import build_parser
    verbs = set()
    for action in build_parser()._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                subs = [a for a in sub._actions if isinstance(a, argparse._SubParsersAction)]
                if subs:
                    verbs.update(f"{name} {s}" for s in subs[0].choices)
                else:
                    verbs.add(name)
    covered = set()
    for c in CASES:
        words = c.argv[:2] if c.argv and c.argv[0] in ("sources", "annotations", "notes", "translate", "tours") else c.argv[:1]
        covered.add(" ".join(words))
    missing = verbs - covered
    assert not missing, f"verbs with no hostile-input case: {sorted(missing)}"


# -- a tampered cache is noticed --------------------------------------------------------------

TAMPERS = {
    # name: (what to do to the debian-6.1 entry, words the refusal must contain, sources-list status)
    "fork.c edited": (lambda d: (d / "fork.c").write_bytes((d / "fork.c").read_bytes() + b"\n/* x */\n"),
                      ["fork.c", "modified"], "modified"),
    "fork.c truncated": (lambda d: (d / "fork.c").write_bytes((d / "fork.c").read_bytes()[:5000]),
                         ["fork.c", "modified"], "modified"),
    "sched.h edited": (lambda d: (d / "sched.h").write_bytes(b"#define CLONE_VM 0x1\n"),
                       ["sched.h", "modified"], "modified"),
    "meta.json corrupt": (lambda d: (d / "meta.json").write_text("{not json", encoding="utf-8"),
                          ["meta.json", "corrupt", "sources sync debian-6.1"], "corrupt"),
    "fork.c and meta.json both rewritten": (
        lambda d: _consistent_swap(d), ["blob", "manifest"], "modified"),
    "fork.c deleted": (lambda d: (d / "fork.c").unlink(), ["not fetched", "sources sync debian-6.1"], "missing"),
}


def _consistent_swap(d: Path) -> None:
    """Someone replaced fork.c and fixed up meta.json's blob: the manifest's pinned blob catches it."""
    import json

    from explorer.sources import blob_id
    data = (d / "fork.c").read_bytes().replace(b"-EINVAL", b"-EPERM ", 1)
    (d / "fork.c").write_bytes(data)
    meta = json.loads((d / "meta.json").read_text(encoding="utf-8"))
    meta["blob"] = blob_id(data)
    (d / "meta.json").write_text(json.dumps(meta), encoding="utf-8")


@pytest.mark.parametrize("tamper", sorted(TAMPERS))
def test_tampered_cache_is_reported_not_used(world: World, tmp_path, monkeypatch, capsys, tamper):
    """Every verb that reads the version refuses it naming the file; `sources
    list` reports its state; the other versions keep working; so does the
    notebook app (a message in the page, no traceback)."""
    action, says, listed = TAMPERS[tamper]
    home = tmp_path / "home"
    shutil.copytree(world.home_template, home)
    monkeypatch.setenv("FORK_EXPLORER_HOME", str(home))
    monkeypatch.setenv("FORK_EXPLORER_ANNOTATIONS", str(world.ann_template))
    action(home / "sources" / A)
    for argv in (["functions", A], ["show", A, "copy_process"], ["trace", A, "--flags", "CLONE_VM"],
                 ["diff", A, B], ["html", A, "-o", str(tmp_path / "h")], ["annotations", "show", A, "copy_process"]):
        rc, out, err = run_inprocess(argv, capsys)
        check(Case("tamper", argv, "refused", says), rc, out, err)
    rc, out, err = run_inprocess(["sources", "list", "--json"], capsys)
    assert rc == 0, err
    import json
    status = {r["label"]: r["status"] for r in json.loads(out)["versions"]}
    assert status[A] == listed and status[B] == "cached"
    rc, out, err = run_inprocess(["functions", B], capsys)
    assert rc == 0 and "copy_process" in out
    # the same through the subprocess a user would run
    rc, out, err = run_subprocess(["functions", A], os.environ | {"FORK_EXPLORER_HOME": str(home)})
    check(Case("tamper", [], "refused", says), rc, out, err)
    # the notebook app shows the message instead of raising
    from explorer.widgets.app import App
    app = App(B)
    app.load(A)
    assert all(w in app.message.value for w in says[:1]), app.message.value
    assert app.module is not None and app.module.label == B       # still showing the good version


def test_sources_add_reads_only_the_named_regular_file(world: World, tmp_path, monkeypatch, capsys):
    """A symlink (even to a good file), a FIFO (reading it would block), a
    directory and a device are refused before anything is read or cached; a
    name full of shell characters is just a file name."""
    home = tmp_path / "home"
    shutil.copytree(world.home_template, home)
    monkeypatch.setenv("FORK_EXPLORER_HOME", str(home))
    monkeypatch.chdir(tmp_path)
    good = world.hostile / "crlf.c"
    (tmp_path / "link.c").symlink_to(good)
    (tmp_path / "outside.c").symlink_to("/etc/passwd")
    os.mkfifo(tmp_path / "fifo.c")
    shell = tmp_path / "$(touch PWNED); `touch PWNED`.c"
    shutil.copy(good, shell)
    for path, says in [(tmp_path / "link.c", "symbolic link"), (tmp_path / "outside.c", "symbolic link"),
                       (tmp_path / "fifo.c", "regular file"), (tmp_path, "regular file"),
                       (Path("/dev/null"), "regular file")]:
        rc, out, err = run_inprocess(["sources", "add", "robust-safe", str(path)], capsys)
        check(Case("add", [], "refused", [says]), rc, out, err)
        rc, out, err = run_inprocess(["sources", "add", "robust-safe", str(good), "--header", str(path)], capsys)
        check(Case("add", [], "refused", [says]), rc, out, err)
    assert not (home / "sources" / "robust-safe").exists()
    rc, out, err = run_subprocess(["sources", "add", "robust-shell", str(shell)],
                                  os.environ | {"FORK_EXPLORER_HOME": str(home)})
    assert rc == 0, err
    assert not list(tmp_path.rglob("PWNED")) and not (REPO / "PWNED").exists()
    rc, out, err = run_inprocess(["functions", "robust-shell"], capsys)
    assert rc == 0 and "kernel_clone" in out


def test_fuzzy_po_entry_is_reported_never_applied(world: World, tmp_path, monkeypatch, capsys):
    """A translator's fuzzy entry (here with a changed msgstr) is listed as
    fuzzy and the store's text for that note does not change."""
    ann = tmp_path / "ann"
    shutil.copytree(world.ann_template, ann)
    home = tmp_path / "home"
    shutil.copytree(world.home_template, home)
    monkeypatch.setenv("FORK_EXPLORER_HOME", str(home))
    monkeypatch.setenv("FORK_EXPLORER_ANNOTATIONS", str(ann))
    po = polib.pofile(str(world.pos / "fuzzy.po"))
    fuzzy_id = next(e.msgctxt for e in po if e.fuzzy)
    before = {p.name: p.read_bytes() for p in ann.glob("*.yaml")}
    rc, out, err = run_inprocess(["translate", "import", str(world.pos / "fuzzy.po"), "--json"], capsys)
    import json
    doc = json.loads(out)
    assert rc in (0, 1) and "Traceback" not in err
    assert fuzzy_id in doc["fuzzy"] and fuzzy_id not in doc["applied"]
    from explorer.annotations import Store
    assert "FUZZY TEXT" not in Store(ann).get(fuzzy_id).text.get("en", "")
    assert {p.name: p.read_bytes() for p in ann.glob("*.yaml")} == before, "nothing else should change"
