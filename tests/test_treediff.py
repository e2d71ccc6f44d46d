"""Statement-level diff: edits, line ranges, moves, whole-file mode, outputs."""
from __future__ import annotations

import html as htmlmod
import json
import re

import gc
import weakref

import explorer
import explorer.diff.filediff
from conftest import FIXTURES, fixture_bytes
from explorer.cli import main
from explorer.diff.filediff import diff_file
from explorer.diff.lineage import counterpart
from explorer.diff.treediff import diff_functions
from explorer.render.diff_html import file_page, page
from explorer.render.diff_rows import rows, terminal


def parse_fixture(name):
    return explorer.parse_source(fixture_bytes(name), label=name)


def line_of(mod, needle, start=1):
    """1-based number of the first line at or after start that contains needle."""
    return next(i for i, text in enumerate(mod.lines[start - 1:], start) if needle in text)


def edits(d, op=None):
    return [e for e in d.edits if op is None or e.op == op]


def test_identical_function_is_one_keep(mod612):
    d = diff_functions(mod612, "copy_process", mod612, "copy_process")
    assert [(e.op, e.part) for e in d.edits] == [("keep", "whole")]
    fn = mod612.function("copy_process")
    assert d.edits[0].a_lines == (fn.start_line, fn.end_line)


def test_fixture_update_move_insert_and_no_whitespace_or_comment_changes():
    a, b = parse_fixture("diff_old.c"), parse_fixture("diff_new.c")
    d = diff_functions(a, "copy_process", b, "copy_process")
    # the relaxed guard: an update of the `if` head whose changed tokens drop W_THREAD
    upd = [e for e in edits(d, "update") if e.kind == "if_statement" and "W_DETACHED" in e.a_text]
    assert len(upd) == 1
    assert upd[0].a_lines == (line_of(a, "W_DETACHED | W_THREAD"),) * 2
    assert upd[0].b_lines == (line_of(b, "if (flags & W_DETACHED)"),) * 2
    assert any("W_THREAD" in c["a"] and "W_THREAD" not in c["b"] for c in upd[0].changes)
    # a changed constant is an update with exactly that token
    lim = next(e for e in edits(d, "update") if "limit" in e.a_text)
    assert lim.changes == [{"a": "16", "b": "32"}]
    # the assignment that went down two lines is a move, with both real lines
    mv = edits(d, "move")
    assert [(e.a_lines, e.b_lines) for e in mv] == [((line_of(a, "w->flags = flags;"),) * 2,
                                                      (line_of(b, "w->flags = flags;"),) * 2)]
    ins = edits(d, "insert")
    assert [e.b_text for e in ins] == ["const unsigned long flags = args->flags;"]
    assert not edits(d, "delete")
    # `W_NEWNS | W_FS` respaced and its comment rewritten: still kept
    guard = next(e for e in d.edits if e.a_text and "W_NEWNS" in e.a_text)
    assert guard.op == "keep" and guard.part == "whole"


def test_moves_across_nesting_and_braces_are_not_changes():
    a, b = parse_fixture("diff_moves_a.c"), parse_fixture("diff_moves_b.c")
    d = diff_functions(a, "setup_gadget", b, "setup_gadget")
    moved = {e.a_text.split("\n")[0]: (e.a_lines, e.b_lines) for e in edits(d, "move")}
    # a whole block moved below another statement
    assert moved["if (mode & G_LOUD) {"] == ((line_of(a, "G_LOUD"), line_of(a, "}")),
                                              (line_of(b, "G_LOUD"), line_of(b, "}", line_of(b, "G_LOUD"))))
    # a statement moved out of the block it was in
    assert moved["release_gadget(g);"] == ((line_of(a, "release_gadget"),) * 2, (line_of(b, "release_gadget"),) * 2)
    # braces added around one statement: the same code
    fast = next(e for e in d.edits if e.a_text and "G_FAST" in e.a_text)
    assert fast.op == "keep"
    assert {e.op for e in d.edits} == {"keep", "move"}


def test_copy_process_6_1_to_6_12(mod61, mod612):
    d = diff_functions(mod61, "copy_process", mod612, "copy_process")
    fa, fb = mod61.function("copy_process"), mod612.function("copy_process")
    for e in d.edits:
        if e.a_lines:
            assert fa.start_line <= e.a_lines[0] <= e.a_lines[1] <= fa.end_line
        if e.b_lines:
            assert fb.start_line <= e.b_lines[0] <= e.b_lines[1] <= fb.end_line
        assert (e.a_lines is None) == (e.op == "insert") and (e.b_lines is None) == (e.op == "delete")
    # 6.12 no longer rejects CLONE_THREAD with CLONE_PIDFD (read in both files)
    a_line = line_of(mod61, "clone_flags & (CLONE_DETACHED | CLONE_THREAD)", fa.start_line)
    b_line = line_of(mod612, "if (clone_flags & CLONE_DETACHED)", fb.start_line)
    pidfd = next(e for e in d.edits if e.a_lines == (a_line, a_line))
    assert pidfd.op == "update" and pidfd.b_lines == (b_line, b_line)
    assert any("CLONE_THREAD" in c["a"] for c in pidfd.changes)
    # the time-namespace guard left copy_process
    tns = line_of(mod61, "time_ns_for_children", fa.start_line)
    assert any(e.op == "delete" and e.a_lines[0] <= tns <= e.a_lines[1] for e in d.edits)
    assert not any("time_ns_for_children" in mod612.lines[i - 1] for i in range(fb.start_line, fb.end_line + 1))
    # copy_files grew an argument: an update that names it
    cf = next(e for e in edits(d, "update") if "copy_files" in e.a_text)
    assert "no_files" in cf.b_text and any("no_files" in c["b"] for c in cf.changes)
    # the signal-blocking statement moved from the io_thread block to the user_worker block
    assert edits(d, "move")
    sig = next(e for e in edits(d, "move") if "siginitsetinv" in e.a_text)
    assert "user_worker" in mod612.lines[line_of(mod612, "args->user_worker", fb.start_line) - 1]
    assert line_of(mod612, "args->user_worker", fb.start_line) < sig.b_lines[0] \
        < line_of(mod612, "args->io_thread", fb.start_line)


def test_rows_show_every_line_once(mod61, mod612):
    d = diff_functions(mod61, "copy_process", mod612, "copy_process")
    rs = rows(d)
    fa, fb = mod61.function("copy_process"), mod612.function("copy_process")
    b_nos = [r.b_no for r in rs if r.b_no]
    assert b_nos == list(range(fb.start_line, fb.end_line + 1))
    # A's lines appear once in order, plus once more where a moved statement lands
    a_in_order = [r.a_no for r in rs if r.a_no and r.a_op != "move"]
    assert a_in_order == list(range(fa.start_line, fa.end_line + 1))


def test_terminal_two_columns_with_real_line_numbers(mod61, mod612):
    d = diff_functions(mod61, "copy_process", mod612, "copy_process")
    out = terminal(d, color=False, width=200)
    a_line = line_of(mod61, "CLONE_DETACHED | CLONE_THREAD")
    b_line = line_of(mod612, "if (clone_flags & CLONE_DETACHED)")
    row = next(ln for ln in out.splitlines() if ln.lstrip().startswith(f"{a_line} ~"))
    left, right = row.split("│")
    assert "CLONE_THREAD" in left and right.lstrip().startswith(f"{b_line} ~")
    assert "CLONE_THREAD" not in right
    colored = terminal(d, color=True, width=200)
    assert "\x1b[7m" in colored and "\x1b[31m" in colored  # changed tokens, deleted lines


def test_html_page_is_self_contained_and_escaped(mod61, mod612, tmp_path):
    d = diff_functions(mod61, "copy_process", mod612, "copy_process")
    text = page(d)
    assert text.startswith("<!DOCTYPE html>") and "<script" not in text
    assert not re.search(r"""(src|href)=["']?https?:""", text)
    assert text.count("<tr ") == len(rows(d))
    # C's `&` and `->` arrive escaped, and the changed token is marked on its row
    assert "current-&gt;nsproxy" in text and "clone_flags &amp;" in text
    a_line = line_of(mod61, "clone_flags & (CLONE_DETACHED | CLONE_THREAD)")
    row = re.search(rf'<tr class="[^"]*"><td class="ln">{a_line}</td>.*?</tr>', text).group(0)
    assert "<mark>CLONE_THREAD</mark>" in row and 'class="code update"' in row
    # every code cell's text, tags stripped and unescaped, is the real line
    cells = re.findall(r'<td class="ln">(\d+)</td><td class="sign [^"]*">[^<]*</td>'
                       r'<td class="code ([^"]*)">(.*?)</td>', text)
    assert len(cells) >= len(rows(d))
    for no, cls, cell in cells:
        lines = mod61.lines if cls in ("delete", "moved-away") else None
        plain = htmlmod.unescape(re.sub(r"<[^>]+>", "", cell))
        if lines is not None:
            assert plain == lines[int(no) - 1]
        else:
            assert plain in (mod61.lines[int(no) - 1], mod612.lines[int(no) - 1])
    # syntax colours: a keyword span
    assert '<span class="hk">if</span>' in text


def test_seed_do_fork_against_modern_kernel_clone(seed_module, mod612):
    a_name, b_name = counterpart(seed_module, mod612, "do_fork")
    d = diff_functions(seed_module, a_name, mod612, b_name)
    head = d.edits[0]
    assert head.kind == "function_definition" and head.op == "update"
    assert "do_fork" in head.a_text and "kernel_clone" in head.b_text
    # the vfork completion block survives, hoisted out of `if (!IS_ERR(p))`
    vf = next(e for e in d.edits if e.op == "move" and e.a_text.startswith("if (clone_flags & CLONE_VFORK)"))
    assert seed_module.lines[vf.a_lines[0] - 1].strip().startswith("if (clone_flags & CLONE_VFORK)")
    assert mod612.lines[vf.b_lines[0] - 1].strip().startswith("if (clone_flags & CLONE_VFORK)")
    # the 2.6 CLONE_STOPPED handling is gone
    assert any(e.op == "delete" and "CLONE_STOPPED" in e.a_text for e in d.edits)
    assert d.edits[-1].op == "keep" and d.edits[-1].a_text == "return nr;"


def test_whole_file_fixture_statuses():
    a, b = parse_fixture("diff_old.c"), parse_fixture("diff_new.c")
    fd = diff_file(a, b)
    st = {(f.function_a, f.function_b): f for f in fd.functions}
    assert st[("widget_free", "widget_free")].status == "unchanged"
    assert st[("copy_process", "copy_process")].status == "changed"
    assert st[("copy_process", "copy_process")].counts["move"] == 1
    ren = st[("widget_alloc", "widget_alloc_node")]
    assert ren.status == "renamed" and ren.body_changed and ren.how == "similar"
    entry = st[("do_fork", "kernel_clone")]
    assert entry.status == "renamed" and entry.how == "role"
    assert st[(None, "widget_trace")].status == "added"
    assert fd.function_diff("kernel_clone").function_a == "do_fork"


def test_whole_file_6_1_to_6_12(mod61, mod612):
    fd = diff_file(mod61, mod612)
    names_a = [f.function_a for f in fd.functions if f.function_a]
    names_b = [f.function_b for f in fd.functions if f.function_b]
    assert sorted(names_a) == sorted(mod61.functions) and sorted(names_b) == sorted(mod612.functions)
    by_b = {f.function_b: f for f in fd.functions if f.function_b}
    assert by_b["copy_process"].status == "changed" and by_b["copy_process"].counts["update"] >= 1
    for f in fd.functions:
        if f.status == "removed":
            assert f.function_a not in mod612.functions
        if f.status == "added":
            assert f.function_b not in mod61.functions
        if f.status == "unchanged":
            fa, fb = mod61.functions[f.function_a], mod612.functions[f.function_b]
            ta = re.sub(r"\s+", "", re.sub(r"/\*.*?\*/", "", mod61.source_text(fa.node), flags=re.S))
            tb = re.sub(r"\s+", "", re.sub(r"/\*.*?\*/", "", mod612.source_text(fb.node), flags=re.S))
            assert ta == tb, f.function_a


def test_cli_diff_json_shape(capsys, mod61, mod612):
    assert main(["diff", "debian-6.1", "debian-6.12", "--function", "copy_process", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert {"a", "b", "function_a", "function_b", "edits"} <= set(doc)
    assert doc["a"] == "debian-6.1" and doc["function_b"] == "copy_process"
    for e in doc["edits"]:
        assert {"op", "kind", "a_lines", "b_lines", "a_text", "b_text"} <= set(e)
        assert e["op"] in {"keep", "insert", "delete", "update", "move"}
        for side in ("a_lines", "b_lines"):
            assert e[side] is None or (len(e[side]) == 2 and e[side][0] <= e[side][1])
    assert {"update", "move", "insert", "delete"} <= {e["op"] for e in doc["edits"]}


def test_cli_diff_function_found_through_lineage(capsys):
    # files named by path work like labels; --function do_fork finds the renamed entry
    assert main(["diff", str(FIXTURES / "diff_old.c"), str(FIXTURES / "diff_new.c"),
                 "--function", "do_fork", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert (doc["a"], doc["b"]) == ("diff_old.c", "diff_new.c")
    assert (doc["function_a"], doc["function_b"]) == ("do_fork", "kernel_clone")
    assert doc["match"]["how"] == "role"
    line = doc["edits"][0]["b_lines"][0]
    assert (FIXTURES / "diff_new.c").read_text().splitlines()[line - 1].startswith("long kernel_clone(")


def test_cli_diff_html_and_whole_file(capsys, tmp_path, mod61, mod612):
    out = tmp_path / "cp.html"
    assert main(["diff", "debian-6.1", "debian-6.12", "--function", "copy_process", "--html", str(out)]) == 0
    assert out.read_text().startswith("<!DOCTYPE html>")
    capsys.readouterr()
    assert main(["diff", "debian-6.1", "debian-6.12", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["summary"]["changed"] >= 1 and len(doc["functions"]) == sum(doc["summary"].values())


def test_cli_diff_bad_input(capsys, mod61, mod612):
    assert main(["diff", "debian-6.1", "debian-6.12", "--function", "no_such_fn"]) == 2
    assert "no_such_fn" in capsys.readouterr().err
    assert main(["diff", "debian-6.1", "nope-9.9"]) == 2
    assert main(["diff", "debian-6.1", "debian-6.12", "--json", "--html", "x.html"]) == 2


def test_whole_file_page_computes_each_function_diff_once(mod61, mod612, monkeypatch):
    calls = []
    real = explorer.diff.filediff.diff_functions

    def counting(a, na, b, nb):
        calls.append((na, nb))
        return real(a, na, b, nb)
    monkeypatch.setattr(explorer.diff.filediff, "diff_functions", counting)
    fd = diff_file(mod61, mod612)
    out = file_page(fd)
    changed = [f for f in fd.functions if f.status in ("changed", "renamed")]
    assert changed and len(calls) == len(set(calls)) == len(changed)
    assert all(f'id="fn-{f.function_b}"' in out for f in changed if f.counts and any(
        v for k, v in f.counts.items() if k != "keep"))


def test_diff_caches_do_not_keep_modules_alive(mod61, mod612):
    """Every cache keyed on a Module (tokens, lineage, rows, page colours) lets it go."""
    a = explorer.parse_source(mod61.source, label="copy-of-6.1")
    b = explorer.parse_source(mod612.source, label="copy-of-6.12")
    file_page(diff_file(a, b))
    refs = [weakref.ref(a), weakref.ref(b)]
    del a, b
    gc.collect()
    assert [r() for r in refs] == [None, None]
