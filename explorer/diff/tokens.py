"""Normalised tokens of a syntax node: what the diff compares.

A token is a tree-sitter leaf of the normalised text (so `__user`, attributes
and SYSCALL_DEFINE spellings are already out of the way).  Comments are never
tokens, and joining tokens with single spaces removes every whitespace
difference, so neither counts as a change.
"""
from __future__ import annotations

from tree_sitter import Node

SKIP = frozenset({"comment"})


def token_spans(node: Node) -> list[tuple[int, int]]:
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


def token_texts(text: bytes, spans) -> list[str]:
    return [text[s:e].decode("utf-8", "replace") for s, e in spans]


def token_string(text: bytes, node: Node) -> str:
    """The node's tokens joined by single spaces: equal strings mean equal code."""
    return " ".join(token_texts(text, token_spans(node)))
