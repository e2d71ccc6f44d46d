"""Normalised tokens of a syntax node: what the diff compares.

A token is a tree-sitter leaf, spelled as the reader's file spells it, so a
`struct T` that the normaliser turned into `struct_T` reads `struct T` again.
The normaliser's same-length rewrites leave traces we put back: a blanked
annotation (`__init`, `__user`) is a token of its own (adding `__init` is a
change), and a loop parsed as `while` is spelled with its iterator macro
(`list_for_each_entry`).  Only SYSCALL_DEFINEn heads keep their parsed
spelling (`long sys_clone (...)`), which is what lineage matches on.

Comments are never tokens, and joining tokens with single spaces removes
every whitespace difference, so neither counts as a change.
"""
from __future__ import annotations

import bisect

from tree_sitter import Node

from ..cparse.ctokens import code_spans
from ..cparse.memo import per_module

SKIP = frozenset({"comment"})


def leaf_spans(node: Node) -> list[tuple[int, int]]:
    """(start_byte, end_byte) of every leaf under node, comments excluded, in order."""
    out: list[tuple[int, int]] = []
    cursor = node.walk()
    while True:
        n = cursor.node
        if n.type in SKIP:
            pass
        elif n.child_count == 0:
            if n.end_byte > n.start_byte:
                out.append((n.start_byte, n.end_byte))
        elif cursor.goto_first_child():
            continue
        while not cursor.goto_next_sibling():
            if not cursor.goto_parent() or cursor.node == node:
                return out
        if cursor.node == node:
            return out


class _Rewrites:
    """The module's rewrites, indexed for span lookups."""

    def __init__(self, mod):
        self.attrs = sorted((r.start, r.end) for r in mod.rewrites if r.kind == "attribute")
        self.attr_starts = [s for s, _ in self.attrs]
        self.iterators = {r.start: r.end for r in mod.rewrites if r.kind == "iterator"}
        self.syscalls = sorted((r.start, r.end) for r in mod.rewrites if r.kind == "syscall")
        self.sys_starts = [s for s, _ in self.syscalls]

    def in_syscall(self, s: int, e: int) -> bool:
        """Does [s, e) overlap a SYSCALL_DEFINE rewrite?"""
        i = bisect.bisect_right(self.sys_starts, s) - 1
        if i >= 0 and self.syscalls[i][1] > s:
            return True
        return i + 1 < len(self.syscalls) and self.syscalls[i + 1][0] < e

    def attributes_within(self, s: int, e: int) -> list[tuple[int, int]]:
        i = bisect.bisect_left(self.attr_starts, s)
        out = []
        while i < len(self.attrs) and self.attrs[i][0] < e:
            out.append(self.attrs[i])
            i += 1
        return out


@per_module
def _rewrites(mod) -> _Rewrites:
    return _Rewrites(mod)


def tokens(mod, node: Node, attrs_from: int | None = None) -> list[tuple[int, int, str]]:
    """(start_byte, end_byte, text) of the node's tokens in the reader's spelling.

    attrs_from: also take blanked annotations from this byte on (a function's
    `__latent_entropy` may stand before the node tree-sitter starts at)."""
    rw = _rewrites(mod)
    spans = leaf_spans(node)
    if rw.iterators:
        spans = [(s, rw.iterators[s]) if s in rw.iterators else (s, e) for s, e in spans]
    if rw.attrs:
        lo = node.start_byte if attrs_from is None else min(attrs_from, node.start_byte)
        extra = rw.attributes_within(lo, node.end_byte)
        if extra:
            spans = sorted(set(spans + extra))
    src, text = mod.source, mod.text
    syscall = bool(rw.syscalls) and rw.in_syscall(node.start_byte, node.end_byte)
    out = []
    for s, e in spans:
        raw = text[s:e] if syscall and rw.in_syscall(s, e) else src[s:e]
        t = raw.decode("utf-8", "replace")
        if b" " in raw or b"\n" in raw or b"\t" in raw:
            t = " ".join(t.split())
        out.append((s, e, t))
    return out


def token_string(mod, node: Node) -> str:
    """The node's tokens joined by single spaces: equal strings mean equal code."""
    return " ".join(t for _, _, t in TokenIndex(mod, node).toks)


class TokenIndex:
    """All tokens of one subtree (a function), read once; any node inside it
    then gets its tokens by two binary searches."""

    def __init__(self, mod, node: Node, attrs_from: int | None = None):
        rw = _rewrites(mod)
        lo, hi = node.start_byte, node.end_byte
        text, src = mod.text, mod.source
        # The C lexer on the normalised text gives the same tokens as tree-sitter's
        # leaves for everything the diff compares (a string literal is one token
        # here, which is fine as both versions are read the same way), at a tenth
        # of the cost of walking the tree.
        spans = code_spans(text, lo, hi)
        if rw.iterators:
            spans = [(s, rw.iterators[s]) if s in rw.iterators else (s, e) for s, e in spans]
        if rw.attrs:
            extra = rw.attributes_within(lo if attrs_from is None else min(attrs_from, lo), hi)
            if extra:
                spans = sorted(set(spans + extra))
        syscall = bool(rw.syscalls) and rw.in_syscall(lo, hi)
        piece = src[lo:hi]
        ascii_only = piece.isascii() and not syscall
        whole = piece.decode("ascii") if ascii_only else None
        toks = []
        for s, e in spans:
            if ascii_only and s >= lo:
                t = whole[s - lo:e - lo]
                raw = None
            else:
                raw = text[s:e] if syscall and rw.in_syscall(s, e) else src[s:e]
                t = raw.decode("utf-8", "replace")
            if " " in t or "\n" in t or "\t" in t:
                t = " ".join(t.split()) if not t.startswith("#") else "#" + t[1:].strip()
            toks.append((s, e, t))
        self.toks = toks
        self.starts = [s for s, _, _ in toks]

    def within(self, start: int, end: int) -> list[tuple[int, int, str]]:
        i = bisect.bisect_left(self.starts, start)
        j = bisect.bisect_left(self.starts, end, i)
        return self.toks[i:j]

    def of(self, node: Node) -> list[tuple[int, int, str]]:
        return self.within(node.start_byte, node.end_byte)
