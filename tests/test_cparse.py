"""Kernel-aware parsing: clean trees, real lines, on real Debian files and our fixtures."""
from __future__ import annotations

import re

import pytest

from conftest import fixture_bytes
from explorer import parse_source
from explorer.cparse import error_lines, parse_raw
from explorer.cparse.check import key_function_names, parse_report


def _line_of(source: bytes, byte: int) -> int:
    return source.count(b"\n", 0, byte) + 1


def _definition_line(source: bytes, name: str) -> int:
    """1-based line where `name(` is defined at file scope (the first such line not ending in ';')."""
    for i, line in enumerate(source.split(b"\n"), 1):
        if re.match(rb"^[A-Za-z_].*\b" + re.escape(name.encode()) + rb"\(", line) and not line.rstrip().endswith(b";"):
            return i
    raise AssertionError(f"{name} not found")


def test_fixture_parses_clean_where_raw_tree_sitter_fails():
    src = fixture_bytes("kernel_style.c")
    mod = parse_source(src, label="fixture")
    assert len(mod.text) == len(src)
    assert [i for i, b in enumerate(mod.text) if b == 10] == [i for i, b in enumerate(src) if b == 10]
    assert error_lines(mod.tree.root_node) == set()
    assert len(error_lines(parse_raw(src).root_node)) > 10
    for name in ("demo_copy", "demo_fork", "demo_owner", "demo_setup", "demo_arch_hook"):
        fn = mod.function(name)
        assert fn.errors == 0
        assert fn.start_line == _definition_line(src, name)


def test_syscall_macros_become_named_syscalls():
    src = fixture_bytes("kernel_style.c")
    mod = parse_source(src)
    fork = mod.function("sys_demofork")
    assert fork.kind == "syscall"
    assert src.split(b"\n")[fork.start_line - 1].startswith(b"SYSCALL_DEFINE0(demofork)")
    clone = mod.function("sys_democlone")
    assert clone.kind == "syscall" and clone.errors == 0
    # the x86_64 default (no CONFIG_DEMO_BACKWARDS) keeps the #else header, flags first
    params = clone.node.child_by_field_name("declarator").child_by_field_name("parameters")
    names = [mod.node_text(p.child_by_field_name("declarator")).lstrip("* ") for p in params.named_children]
    assert names == ["flags", "newsp", "parent_tid", "child_tid", "tls"]
    assert "demo_fork" in mod.node_text(clone.body)


def test_brace_splitting_ifdef_keeps_the_rest_of_the_file():
    mod = parse_source(fixture_bytes("kernel_style.c"))
    body = mod.function("demo_copy").body
    labels = [mod.node_text(n.child_by_field_name("label")) for n in _walk(body) if n.type == "labeled_statement"]
    assert labels == ["bad_demo_cleanup", "bad_demo_numa", "bad_demo_free"]
    assert any(r.kind == "ifdef" and "unbalanced" in r.detail for r in mod.rewrites)
    assert any(r.kind == "iterator" and r.detail == "demo_for_each_child" for r in mod.rewrites)


def test_declaration_split_by_ifdef_parses():
    # `static` alone inside #ifdef before the rest of the declaration (vendor RT trees)
    src = fixture_bytes("kernel_style.c")
    mod = parse_source(src)
    fn = mod.function("demo_put")
    assert fn.errors == 0 and fn.start_line == _definition_line(src, "demo_put")
    assert any(r.kind == "ifdef" and r.detail.startswith("fragment") for r in mod.rewrites)


def test_non_utf8_bytes_do_not_shift_lines():
    src = fixture_bytes("kernel_style.c")
    assert b"\xe9" in src
    mod = parse_source(src)
    fn = mod.function("demo_setup")
    assert fn.node.start_point[0] + 1 == _line_of(src, src.index(b"static int __init demo_setup"))
    assert mod.lines[fn.start_line - 1].startswith("static int __init demo_setup")
    assert mod.line_count == src.count(b"\n")


def _walk(node):
    stack = [node]
    while stack:
        n = stack.pop()
        yield n
        stack.extend(reversed(n.children))


def test_every_node_keeps_the_readers_line_and_column(modern):
    src = modern.source
    for n in _walk(modern.function("copy_process").node):
        line = _line_of(src, n.start_byte) - 1
        col = n.start_byte - (src.rfind(b"\n", 0, n.start_byte) + 1)
        assert n.start_point == (line, col)


def test_real_debian_files_parse_clean(modern):
    report = parse_report(modern)
    assert report["ok"], report
    assert report["error_lines"] < report["raw_error_lines"]
    assert modern.form == "kernel_clone"
    for name in ("kernel_clone", "copy_process", "dup_task_struct", "copy_mm", "copy_files",
                 "sys_fork", "sys_vfork", "sys_clone", "sys_clone3"):
        assert name in key_function_names(modern)
        assert modern.function(name).errors == 0
    cp = modern.function("copy_process")
    assert cp.start_line == _definition_line(modern.source, "copy_process")
    assert modern.lines[cp.end_line - 1] == "}"
    assert modern.function("sys_clone").kind == "syscall"
    assert modern.lines[modern.function("sys_clone3").start_line - 1].startswith("SYSCALL_DEFINE2(clone3")
    assert "__latent_entropy" in modern.function("copy_process").signature


def test_node_ids_round_trip(mod612):
    cp = mod612.function("copy_process")
    ifs = [n for n in _walk(cp.body) if n.type == "if_statement"]
    assert len(ifs) > 20
    for n in ifs:
        nid = mod612.node_id(n)
        assert nid.startswith("copy_process/")
        back = mod612.node_by_id(nid)
        assert (back.start_byte, back.end_byte, back.type) == (n.start_byte, n.end_byte, n.type)


def test_seed_do_fork_is_a_26_do_fork(seed_module):
    fn = seed_module.function("do_fork")
    assert seed_module.form == "do_fork"
    # The note glued `freezer_count()` to the next statement: that one missing ';'
    # is the only error, and it stays on its own line.
    assert fn.errors == 1
    (bad,) = error_lines(fn.node)
    assert "freezer_count()" in seed_module.lines[bad]
    assert "int __user *parent_tidptr" in fn.signature


@pytest.mark.parametrize("text", [b"", b"\n\n", b"}}}{{{", b"#ifdef A\n#else\n", b"int f(" * 1000])
def test_garbage_never_raises(text):
    mod = parse_source(text)
    assert mod.form == "unknown"


# -------------------------------------------------------------- hostile input
from hypothesis import given, settings, strategies as st  # noqa: E402

from explorer.cparse import normalize  # noqa: E402

HOSTILE = {
    "deep braces": b"void f(void)\n" + b"{\n" * 10000 + b"x();\n" + b"}\n" * 10000,
    "10k flat ifdefs": b"void f(void)\n{\n" + b"#ifdef CONFIG_A\n\tx();\n#endif\n" * 10000 + b"}\n",
    "10k nested ifdefs": b"void f(void)\n{\n" + b"#ifdef CONFIG_A\n" * 10000 + b"x();\n" + b"#endif\n" * 10000 + b"}\n",
    "unbalanced ifdefs": b"void f(void)\n{\n" + b"#ifdef CONFIG_A\n\tif (a) {\n#else\n\tif (b) {\n#endif\n\tx();\n\t}\n" * 3000 + b"}\n",
    "deep parens": b"int x = " + b"(" * 20000 + b"1" + b")" * 20000 + b";\n",
    "unterminated comment": b"void f(void)\n{\n/* never closed\n" * 100,
    "unterminated string": b'void f(void) { char *s = "abc\n}\n' * 100,
    "stray endifs": b"#endif\n#else\n#elif X\n" * 1000,
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_sources_finish_without_recursion_errors(name):
    src = HOSTILE[name]
    mod = parse_source(src)
    assert len(mod.text) == len(src)
    if name != "deep parens" and b"void f" in src and "unterminated" not in name:
        assert mod.function("f").errors == 0


C_PIECES = st.sampled_from([
    b"int", b" ", b"\n", b"\t", b"x", b"(", b")", b"{", b"}", b";", b",", b"*", b"__user", b"__init",
    b"SYSCALL_DEFINE2(", b"SYSCALL_DEFINE0(fork)", b"DEFINE_PER_CPU(", b"struct ", b"list_for_each_entry(",
    b"container_of(", b"#ifdef CONFIG_X\n", b"#else\n", b"#endif\n", b"#if 0\n", b"/*", b"*/", b"//", b'"',
    b"'", b"\\\n", b"label:", b"goto label;", b"return -EINVAL;", b"\xff", b"\xe9", b"\0", b"=", b"{.a = 1,",
])


@settings(max_examples=300, deadline=None)
@given(st.lists(C_PIECES, max_size=80))
def test_normaliser_keeps_every_byte_offset(pieces):
    src = b"".join(pieces)
    out, rewrites = normalize(src)
    assert len(out) == len(src)
    assert [i for i, b in enumerate(out) if b in (10, 13)] == [i for i, b in enumerate(src) if b in (10, 13)]
    for r in rewrites:
        assert 0 <= r.start <= r.end <= len(src)
    parse_source(src)  # never raises
