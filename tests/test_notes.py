"""Importing Markdown reading notes: the seed note on Debian's real files and
the seed's own do_fork, notes of our own in other styles, and the tolerance
of block location.  Real code excerpts are always cut from the cached real
files at run time (never stored in this repository)."""
from __future__ import annotations

import json
import re
import shutil

import pytest

import explorer
from explorer.annotations import Store
from explorer.cli import main as cli_main
from explorer.errors import NoteError
from explorer.notes import import_note, parse_note, write_file, write_into
from explorer.sources import cache

from conftest import FIXTURES, SEED_NOTE, seed_do_fork_bytes, seed_note_text

SEED_LABEL = "seed-2.6"


# -- helpers -------------------------------------------------------------------

def fn_lines(mod, name):
    fn = mod.function(name)
    return [(i + 1, mod.lines[i]) for i in range(fn.start_line - 1, fn.end_line)]


def line_with(mod, name, needle, nth=0):
    """1-based line of the nth line of function `name` containing needle."""
    hits = [n for n, text in fn_lines(mod, name) if needle in text]
    assert len(hits) > nth, f"{needle!r} not in {name} of {mod.label}"
    return hits[nth]


def excerpt(mod, name, needle, before=0, after=0):
    start = line_with(mod, name, needle) - before
    return mod.lines[start - 1:start + before + after], start, start + before + after


_DIRECTIVE = re.compile(r'^@excerpt (\w+) "(.+)" -(\d+) \+(\d+)((?: \w+)*)$')


def expand(note_text: str, mod):
    """Fill the @excerpt lines of one of our fixture notes from the real file.
    Returns the note and, per fenced block index, the expected (function, line, end_line)."""
    out, expected, fence_index, in_fence = [], {}, -1, False
    for line in note_text.split("\n"):
        if line.startswith("```"):
            in_fence = not in_fence
            if in_fence:
                fence_index += 1
        m = _DIRECTIVE.match(line) if in_fence else None
        if not m:
            out.append(line)
            continue
        name, needle, before, after, opts = m.group(1), m.group(2), int(m.group(3)), int(m.group(4)), \
            m.group(5).split()
        lines, start, end = excerpt(mod, name, needle, before, after)
        if "reindent" in opts:
            lines = ["  " + ln.strip() for ln in lines]
        if "join" in opts:
            lines = [" ".join(ln.strip() for ln in lines)]
        out.extend(lines)
        expected[fence_index] = (name, start, end)
    return "\n".join(out), expected


def blocks_by_index(result):
    return {b["index"]: b for b in result.as_dict()["blocks"]}


@pytest.fixture
def ann_dir(tmp_path, monkeypatch):
    d = tmp_path / "annotations"
    d.mkdir()
    monkeypatch.setenv("FORK_EXPLORER_ANNOTATIONS", str(d))
    return d


# -- the seed note ---------------------------------------------------------------

def test_seed_copy_process_blocks_anchor_at_the_right_lines(modern):
    result = import_note(parse_note(seed_note_text(), path=str(SEED_NOTE)), modules=[modern])
    blocks = blocks_by_index(result)
    assert sorted(blocks) == list(range(7))
    # block 4: the comment above the CLONE_NEWNS|CLONE_FS guard through the CLONE_NEWUSER|CLONE_FS guard
    b = blocks[4]
    assert (b["status"], b["label"], b["function"]) == ("anchored", modern.label, "copy_process")
    comment = line_with(modern, "copy_process", "Don't allow sharing the root directory")
    assert modern.lines[comment - 2].strip() == "/*"
    assert b["line"] == comment - 1
    newuser = line_with(modern, "copy_process", "(CLONE_NEWUSER|CLONE_FS)) == (CLONE_NEWUSER|CLONE_FS)")
    assert b["end_line"] == newuser + 1 and "return ERR_PTR(-EINVAL);" in modern.lines[newuser]
    assert b["score"] == 1.0
    # block 5: the single dup_task_struct line
    b = blocks[5]
    dup = line_with(modern, "copy_process", "p = dup_task_struct(current, node);")
    assert (b["status"], b["function"], b["line"], b["end_line"]) == ("anchored", "copy_process", dup, dup)
    # block 6: the truncated full copy_process, from its doc comment to lockdep_init_task's #endif
    b = blocks[6]
    fn = modern.function("copy_process")
    doc = next(n for n in range(fn.start_line, 0, -1) if "This creates a new process as a copy" in modern.lines[n - 1])
    lockdep = line_with(modern, "copy_process", "lockdep_init_task(p);")
    assert b["status"] == "anchored" and b["function"] == "copy_process"
    assert b["line"] == doc - 1 and modern.lines[doc - 2].strip() == "/*"
    assert b["end_line"] == lockdep + 1 and modern.lines[lockdep].strip() == "#endif"
    assert 0.9 <= b["score"] < 1.0   # the note copied another version: close, not identical


def test_seed_do_fork_blocks_are_orphaned_in_modern_versions_with_text_kept(mod61, mod612):
    note = parse_note(seed_note_text(), path=str(SEED_NOTE))
    result = import_note(note, modules=[mod61, mod612])
    blocks = blocks_by_index(result)
    for i in range(4):
        assert blocks[i]["status"] == "orphaned", blocks[i]
        assert blocks[i]["score"] < 0.6
    assert blocks[2]["duplicate_of"] == 1        # the block pasted twice is said to be
    orphans = [d for d in result.drafts if d.status == "orphaned"]
    by_block = {d.block: d for d in orphans if d.role == "intro"}
    for i in range(4):
        c = note.c_blocks[i]
        assert by_block[i].code == c.code                      # the note's code, whole
        assert by_block[i].function == "do_fork"               # from the section heading
        intro, _ = c.split_lead()
        assert by_block[i].text == "\n\n".join(p.text for p in intro)
    assert "wake_up_new_task()" in by_block[2].text
    # the section's opening prose is kept too, as a note on the function
    ctx = [d for d in orphans if d.role == "context"]
    assert any("do_fork関数について" in d.text and "基盤" in d.text for d in ctx)
    # every prose line of the note ends up in some annotation
    all_text = "\n".join(d.text for d in result.drafts)
    for block in note.c_blocks:
        for p in block.lead:
            assert p.text in all_text
    assert all(d.lang == "ja" for d in result.drafts if d.role != "comment")


def test_seed_do_fork_blocks_anchor_in_the_seeds_own_do_fork(seed_module, mod612):
    note = parse_note(seed_note_text(), path=str(SEED_NOTE))
    result = import_note(note, modules=[seed_module, mod612])
    blocks = blocks_by_index(result)
    for i in range(4):
        assert (blocks[i]["status"], blocks[i]["label"], blocks[i]["function"]) == \
            ("anchored", "seed-do_fork", "do_fork"), blocks[i]
    newuser = line_with(seed_module, "do_fork", "if (clone_flags & CLONE_NEWUSER)")
    assert blocks[0]["line"] == newuser - 5 and seed_module.lines[newuser - 6].strip() == "/*"
    assert blocks[0]["end_line"] == line_with(seed_module, "do_fork", "return -EPERM;") + 1
    user_mode = line_with(seed_module, "do_fork", "if (likely(user_mode(regs)))")
    assert blocks[1]["line"] == user_mode - 3 and blocks[2]["line"] == blocks[1]["line"]
    fn = seed_module.function("do_fork")
    assert blocks[3]["line"] == 1 and blocks[3]["end_line"] == fn.end_line
    for i in (4, 5, 6):
        assert (blocks[i]["label"], blocks[i]["function"]) == ("debian-6.12", "copy_process")
    # the Japanese line the author put into the kernel comment is its own note,
    # on the statement after the comment
    comments = [d for d in result.drafts if d.role == "comment"]
    jp = next(d for d in comments if "事前にいくつかの予備的な引数" in d.text)
    assert (jp.label, jp.function, jp.line, jp.lang) == ("seed-do_fork", "do_fork", newuser, "ja")
    assert "Do some preliminary" not in jp.text      # the kernel's own comment lines are not notes
    newns = next(d for d in comments if "CLONE_NEWNS" in d.text)
    assert newns.line == line_with(mod612, "copy_process", "(CLONE_NEWNS|CLONE_FS)) == (CLONE_NEWNS|CLONE_FS)")


def test_tie_between_versions_is_reported(mod61, mod612):
    result = import_note(parse_note(seed_note_text(), path=str(SEED_NOTE)), modules=[mod61, mod612])
    b = blocks_by_index(result)[5]   # one line, identical in both
    assert b["status"] == "anchored" and b["score"] == 1.0
    assert {b["label"], *b["tied_with"]} == {"debian-6.1", "debian-6.12"}
    assert {v["label"] for v in b["versions"]} == {"debian-6.1", "debian-6.12"}
    # the long copy_process block is closer to one of them: no tie there
    assert blocks_by_index(result)[6]["tied_with"] == []
    # its comment line that only 6.1 has is the kernel's, not the author's
    assert any("CLONE_THREAD is blocked" in ln for ln in mod61.lines)
    assert not any("CLONE_THREAD is blocked" in ln for ln in mod612.lines)
    comments = [d for d in result.drafts if d.role == "comment"]
    assert not any("CLONE_THREAD is blocked" in d.text for d in comments)
    assert any("CLONE_NEWNS" in d.text and d.lang == "ja" for d in comments)


# -- tolerance, on excerpts cut from the real file -------------------------------------

def _note(code: str, prose: str = "A check worth reading.") -> str:
    return f"# test\n\n{prose}\n\n```c\n{code}\n```\n"


TRANSFORMS = {
    "reindent": lambda ls: ["    " + ln.strip() for ln in ls],
    "joined": lambda ls: [" ".join(ln.strip() for ln in ls)],
    "split": lambda ls: [piece for ln in ls for piece in re.split(r"(?<=&&)\s*", ln)],
    "blank_lines_dropped_and_added": lambda ls: [x for ln in ls if ln.strip() for x in (ln, "")],
    "merged_with_next": lambda ls: _merge_statement(ls),
    "author_comment": lambda ls: ls[:4] + ["\t/* スレッドグループはシグナルハンドラを共有する */"] + ls[4:],
    "english_author_comment": lambda ls: ls[:4] + ["\t// our remark: the thread group check"] + ls[4:],
    "truncated": lambda ls: ls[:5],
}


def _merge_statement(lines):
    """Glue a statement to the next line, losing its ';' (as in the seed's freezer_count())."""
    out = list(lines)
    for i, ln in enumerate(out[:-1]):
        if ln.rstrip().endswith(";"):
            out[i] = ln.rstrip()[:-1] + "            " + out[i + 1].strip()
            del out[i + 1]
            break
    return out


@pytest.mark.parametrize("how", sorted(TRANSFORMS))
def test_block_location_tolerates_copy_damage(mod612, how):
    # the comment above the CLONE_THREAD/CLONE_SIGHAND guard, the guard, and the next guard
    start = line_with(mod612, "copy_process", "Thread groups must share signals") - 1
    sighand = line_with(mod612, "copy_process", "(clone_flags & CLONE_SIGHAND) && !(clone_flags & CLONE_VM)")
    end = sighand + 1
    lines = mod612.lines[start - 1:end]
    code = "\n".join(TRANSFORMS[how](lines))
    result = import_note(parse_note(_note(code)), modules=[mod612])
    b = result.as_dict()["blocks"][0]
    assert (b["status"], b["function"], b["line"]) == ("anchored", "copy_process", start), (how, b)
    assert b["end_line"] == (start + 4 if how == "truncated" else end)
    assert b["score"] >= (0.95 if how != "merged_with_next" else 0.9)
    comments = [d for d in result.drafts if d.role == "comment"]
    if how in ("author_comment", "english_author_comment"):
        assert len(comments) == 1
        thread = line_with(mod612, "copy_process", "(clone_flags & CLONE_THREAD) && !(clone_flags & CLONE_SIGHAND)")
        assert comments[0].line == thread
        assert comments[0].lang == ("ja" if how == "author_comment" else "en")
    else:
        assert comments == []


def test_unrelated_code_is_orphaned_not_guessed(mod612):
    code = "static int invented(int x)\n{\n\tif (x > 3)\n\t\treturn frobnicate(x, NOT_A_FLAG);\n\treturn 0;\n}\n"
    result = import_note(parse_note(_note(code, "Our own sketch.")), modules=[mod612])
    b = result.as_dict()["blocks"][0]
    assert b["status"] == "orphaned" and b["label"] is None and b["line"] is None
    (d,) = result.drafts
    assert d.status == "orphaned" and d.code.strip() == code.strip() and d.text == "# test\n\nOur own sketch."


# -- our own notes in other styles ---------------------------------------------------

def test_english_heading_style_note_over_several_functions(modern):
    text, expected = expand((FIXTURES / "notes_headings.en.md").read_text(encoding="utf-8"), modern)
    note = parse_note(text, path="notes_headings.en.md")
    assert note.lang == "en"
    result = import_note(note, modules=[modern])
    blocks = blocks_by_index(result)
    # the shell block is counted in the index but is prose, not code to locate
    assert sorted(blocks) == [0, 1, 2, 3, 4]
    assert note.blocks[5].info == "sh"
    for idx, (fn, line, end) in expected.items():
        b = blocks[idx]
        assert (b["status"], b["function"], b["line"], b["end_line"]) == ("anchored", fn, line, end), b
        assert b["lang"] == "en"
    assert blocks[4]["status"] == "orphaned"
    drafts = result.drafts
    # a heading followed by one paragraph introduces its block together with it
    intro0 = next(d for d in drafts if d.block == 0 and d.role == "intro")
    assert intro0.text.startswith("### The pidfd and parent-tid conflict") and "legacy clone()" in intro0.text
    pidfd = line_with(modern, "kernel_clone", "CLONE_PIDFD) &&")
    assert (intro0.function, intro0.line) == ("kernel_clone", pidfd)
    # the author's // remark sits on the guard that follows it
    remark = next(d for d in drafts if d.role == "comment")
    assert "our remark" in remark.text and remark.function == "copy_process"
    assert remark.line == expected[2][1]
    # shell block and closing sentence are kept
    assert any("fork-explorer sources list" in d.text for d in drafts)
    assert any("next time: the bad_fork labels" in d.text for d in drafts)
    # the orphan keeps its code
    sketch = next(d for d in drafts if d.block == 4 and d.role == "intro")
    assert "whiteboard_sketch" in sketch.code and sketch.status == "orphaned"


def test_japanese_paragraph_note_reindented_and_joined(modern):
    text, expected = expand((FIXTURES / "notes_paragraphs.ja.md").read_text(encoding="utf-8"), modern)
    note = parse_note(text)
    assert note.lang == "ja"
    result = import_note(note, modules=[modern])
    blocks = blocks_by_index(result)
    for idx, (fn, line, end) in expected.items():
        assert (blocks[idx]["status"], blocks[idx]["function"], blocks[idx]["line"],
                blocks[idx]["end_line"]) == ("anchored", fn, line, end)
    intro = next(d for d in result.drafts if d.block == 0 and d.role == "intro")
    assert intro.lang == "ja" and "task_struct" in intro.text
    assert intro.line == expected[0][1]


# -- writing: --into, --out, twice, never overwriting ------------------------------------

def test_into_store_twice_writes_once_and_never_overwrites(mod612, ann_dir):
    note = parse_note(seed_note_text(), path=str(SEED_NOTE))
    store = Store(ann_dir, known_versions=["debian-6.12"])
    first = write_into(import_note(note, modules=[mod612]), store)
    assert len(first.written) == len(first.drafts) >= 9
    anns = {a.id: a for a in Store(ann_dir, known_versions=["debian-6.12"]).list()}
    assert set(anns) == set(first.written)
    assert not Store(ann_dir, known_versions=["debian-6.12"]).problems()
    orphan = next(a for a in anns.values() if "orphaned" in a.tags and "wake_up_new_task" in a.text["ja"])
    assert orphan.function == "do_fork"
    # a hand edit survives a second import, which adds nothing
    path = orphan.path
    edited = path.read_text(encoding="utf-8").replace("走らせる", "走らせる（手で直した）")
    path.write_text(edited, encoding="utf-8")
    before = {p.name: p.read_bytes() for p in ann_dir.glob("*.yaml")}
    second = write_into(import_note(note, modules=[mod612]), Store(ann_dir, known_versions=["debian-6.12"]))
    assert second.written == [] and sorted(second.skipped) == sorted(first.written)
    assert {p.name: p.read_bytes() for p in ann_dir.glob("*.yaml")} == before
    # the orphan's record keeps the note's code
    raw = path.read_text(encoding="utf-8")
    assert "tracehook_prepare_clone(clone_flags);" in raw


def test_out_file_keeps_existing_records(mod612, tmp_path):
    note = parse_note(seed_note_text(), path=str(SEED_NOTE))
    out = tmp_path / "seed.yaml"
    r1 = write_file(import_note(note, modules=[mod612]), out, known_versions=["debian-6.12"])
    data1 = out.read_bytes()
    assert len(r1.written) == len(r1.drafts)
    # a second note, written into the same file, adds to it
    text, _ = expand((FIXTURES / "notes_paragraphs.ja.md").read_text(encoding="utf-8"), mod612)
    r2 = write_file(import_note(parse_note(text), modules=[mod612]), out, known_versions=["debian-6.12"])
    assert r2.written and out.read_bytes().startswith(data1.rstrip(b"\n")[:200])
    ids = re.findall(r"^  - id: (\S+)$", out.read_text(encoding="utf-8"), re.M)
    assert len(ids) == len(set(ids)) == len(r1.written) + len(r2.written)
    # the same note again: nothing written, file unchanged
    data2 = out.read_bytes()
    r3 = write_file(import_note(note, modules=[mod612]), out, known_versions=["debian-6.12"])
    assert r3.written == [] and out.read_bytes() == data2
    # the file validates as an annotation file
    d = tmp_path / "as_store"
    d.mkdir()
    shutil.copy(out, d / "seed.yaml")
    st = Store(d, known_versions=["debian-6.12"])
    assert not st.problems() and len(st.list()) == len(ids)


def test_out_refuses_to_overwrite_a_file_that_is_not_annotations(mod612, tmp_path):
    out = tmp_path / "precious.yaml"
    out.write_text("just: some\nother: data\n", encoding="utf-8")
    note = parse_note(seed_note_text(), path=str(SEED_NOTE))
    with pytest.raises(NoteError):
        write_file(import_note(note, modules=[mod612]), out, known_versions=["debian-6.12"])
    assert out.read_text(encoding="utf-8") == "just: some\nother: data\n"


# -- CLI ------------------------------------------------------------------------------------

@pytest.fixture
def home_with_seed(tmp_path, monkeypatch, mod612):
    """A FORK_EXPLORER_HOME holding Debian 6.12 and the seed's do_fork as version seed-2.6."""
    real = cache.entry_dir("debian-6.12")
    home = tmp_path / "home"
    shutil.copytree(real, home / "sources" / "debian-6.12")
    monkeypatch.setenv("FORK_EXPLORER_HOME", str(home))
    src = tmp_path / "seed_fork.c"
    src.write_bytes(seed_do_fork_bytes())
    explorer.cparse.add_source(SEED_LABEL, str(src))
    return home


def test_cli_import_json_with_seed_registered_as_a_version(home_with_seed, ann_dir, capsys, mod612):
    rc = cli_main(["notes", "import", str(SEED_NOTE), "--versions", SEED_LABEL, "debian-6.12", "--into", "--json"])
    out = json.loads(capsys.readouterr().out)
    assert rc == 0
    assert [b["index"] for b in out["blocks"]] == list(range(7))
    for b in out["blocks"]:
        assert set(b) >= {"index", "lang", "status", "label", "function", "line", "end_line", "score"}
        assert b["status"] == "anchored" and b["lang"] == "ja"
    assert [b["label"] for b in out["blocks"][:4]] == [SEED_LABEL] * 4
    assert out["annotations_written"] > 0
    rc = cli_main(["notes", "import", str(SEED_NOTE), "--into", "--json"])
    again = json.loads(capsys.readouterr().out)
    assert rc == 0 and again["annotations_written"] == 0
    # the store validates and nothing is orphaned in the version it was written against
    assert cli_main(["annotations", "check", "--json"]) == 0


def test_cli_bad_inputs_exit_2_with_one_line(tmp_path, capsys, mod612):
    assert cli_main(["notes", "import", str(tmp_path / "missing.md")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no such note" in err
    binary = tmp_path / "bin.md"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    assert cli_main(["notes", "import", str(binary)]) == 2
    assert cli_main(["notes", "import", str(SEED_NOTE), "--versions", "no-such-version"]) == 2
    assert cli_main(["notes", "import", str(SEED_NOTE), "--out", str(tmp_path / "a.yaml"), "--into"]) == 2


def test_lines_pasted_twice_inside_a_block_do_not_sink_the_score(mod612):
    start = line_with(mod612, "copy_process", "(clone_flags & CLONE_SIGHAND) && !(clone_flags & CLONE_VM)")
    lines = mod612.lines[start - 1:start + 1]
    once = import_note(parse_note(_note("\n".join(lines))), modules=[mod612]).as_dict()["blocks"][0]
    twice = import_note(parse_note(_note("\n".join(lines + lines))), modules=[mod612]).as_dict()["blocks"][0]
    assert (once["line"], once["end_line"], once["score"]) == (start, start + 1, 1.0)
    assert (twice["status"], twice["line"], twice["end_line"]) == ("anchored", start, start + 1)
    assert twice["score"] == 1.0


# -- property: any clean cut of copy_process, re-spaced, is found where it was cut ----------

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from explorer.cparse.ctokens import CODE, COMMENT  # noqa: E402


def _clean_cuts(mod):
    """(first, last) 1-based line pairs of copy_process that start and end on code
    (not inside a comment) and hold at least 25 code tokens.  Read from the
    parsed tree, not line by line: the continuation lines of a /* ... */
    comment look like code to a line-by-line reading."""
    fn = mod.function("copy_process")
    first_kind, last_kind, ncode = {}, {}, {}
    stack = [fn.node]
    while stack:                               # every leaf of the function, comments included
        node = stack.pop()
        if node.child_count and node.type != "comment":
            stack.extend(node.children)
            continue
        kind = COMMENT if node.type == "comment" else CODE
        first, last = node.start_point[0] + 1, node.end_point[0] + 1
        for n in range(first, last + 1):
            col = node.start_point[1] if n == first else 0
            end = node.end_point[1] if n == last else 1 << 30
            if n not in first_kind or col < first_kind[n][0]:
                first_kind[n] = (col, kind)
            if n not in last_kind or end > last_kind[n][0]:
                last_kind[n] = (end, kind)
        if kind == CODE and node.end_byte > node.start_byte:
            ncode[first] = ncode.get(first, 0) + 1
    starts = sorted(n for n, (_, k) in first_kind.items() if k == CODE)
    return starts, {n: k for n, (_, k) in last_kind.items()}, ncode


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_clean_cut_is_found_where_it_was_cut(mod612, data):
    starts, last_kind, ncode = _clean_cuts(mod612)
    first = data.draw(st.sampled_from(starts))
    ends = [n for n in range(first, first + 30) if last_kind.get(n) == CODE
            and sum(ncode.get(k, 0) for k in range(first, n + 1)) >= 25]
    if not ends:
        return
    last = data.draw(st.sampled_from(ends))
    lines = mod612.lines[first - 1:last]
    indent = data.draw(st.sampled_from(["", "  ", "    ", "\t\t"]))
    out = []
    for ln in lines:
        if not ln.strip():
            if data.draw(st.booleans()):
                continue                     # blank line dropped
        if out and data.draw(st.integers(0, 5)) == 0 and out[-1].strip() and \
                not out[-1].lstrip().startswith(("#", "//")) and "/*" not in out[-1] and "*/" not in out[-1] \
                and not ln.lstrip().startswith(("#", "*", "/*")):
            out[-1] = out[-1] + " " + ln.strip()   # joined with the previous line
            continue
        out.append(indent + ln.strip())
    b = import_note(parse_note(_note("\n".join(out))), modules=[mod612]).as_dict()["blocks"][0]
    assert (b["status"], b["function"]) == ("anchored", "copy_process"), (first, last, b)
    assert (b["line"], b["end_line"]) == (first, last), (first, last, b)
    assert b["score"] == 1.0


def test_a_lone_unmatched_block_and_a_note_without_code_are_kept(mod612, tmp_path):
    code = "int sketch(void)\n{\n\treturn whiteboard(1, 2, 3) + chalk;\n}\n"
    text = f"# only code\n\n```c\n{code}```\n\n```c\n{code}```\n"   # the second one has no prose at all
    st = Store(tmp_path, known_versions=["debian-6.12"])
    r = write_into(import_note(parse_note(text, path="lone.md"), modules=[mod612]), st)
    anns = Store(tmp_path, known_versions=["debian-6.12"]).list()
    assert len(anns) == len(r.written) == 1          # both blocks are one excerpt: one orphan, no duplicate
    assert "orphaned" in anns[0].tags and "# only code" in anns[0].text["en"]
    raw = anns[0].path.read_text(encoding="utf-8")
    assert "whiteboard(1, 2, 3)" in raw
    solo = "```c\nint other_sketch(int a)\n{\n\treturn a * 7 + doodle;\n}\n```\n"
    r2 = write_into(import_note(parse_note(solo, path="solo.md"), modules=[mod612]), st)
    (d,) = r2.drafts
    assert d.status == "orphaned" and "no prose" in d.text and "solo.md" in d.text
    prose_only = "# Just words\n\nNo code in this note, only a thought about fork.\n"
    r3 = write_into(import_note(parse_note(prose_only, path="words.md"), modules=[mod612]), st)
    (d,) = r3.drafts
    assert d.role == "trailing" and "only a thought about fork" in d.text and r3.written == [d.id]


def test_into_refuses_before_writing_when_a_target_file_is_broken(mod612, tmp_path):
    (tmp_path / "copy_process.yaml").write_text("function: copy_process\nannotations: [\n", encoding="utf-8")
    note = parse_note(seed_note_text(), path=str(SEED_NOTE))
    with pytest.raises(NoteError):
        write_into(import_note(note, modules=[mod612]), Store(tmp_path, known_versions=["debian-6.12"]))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["copy_process.yaml"]   # do_fork.yaml not written either
