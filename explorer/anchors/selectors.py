"""Selectors: what an anchor remembers about the node a note is pinned to.

An anchor never stores a node id or a line number alone, because both move
between versions.  It stores several independent selectors (after the
Hypothesis web-annotation model) so the resolver can cross-check them:

- ``function``: the function the node lives in (followed through renames);
- ``kind``: the tree-sitter node type (``if_statement``, ``labeled_statement``...);
- ``head``: the node's head code, whitespace- and comment-insensitive: the
  condition of an ``if``/``while``/``switch``, the statement itself, a label's
  name, a function's declarator.  This is the only code text an anchor keeps,
  and it is short by construction;
- ``before`` / ``after``: short hashes of the heads of the neighbouring
  statements (for the first statement of a block, ``before`` is its
  enclosing statement's head) (hashes, not text, so the annotation files never carry more
  kernel code than the head);
- ``position``: where the node sits in the function's statement list, 0..1.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import asdict, dataclass

from tree_sitter import Node

from ..cparse.ctokens import without_comments, words
from ..cparse.kinds import STATEMENT_KINDS
from ..errors import LookupFailure

# Node types a note can be pinned to (cparse.kinds).  Compound statements and
# preprocessor groups are containers: a click inside them climbs to the
# enclosing statement.
ANCHOR_KINDS = STATEMENT_KINDS | {"function_definition"}
# Kinds whose head is their controlling condition rather than their whole text.
CONDITION_KINDS = ("if_statement", "while_statement", "switch_statement", "do_statement")

# Identifiers a placement must keep: constants and flag names in capitals
# (CLONE_NEWUSER, EINVAL, CAP_SYS_ADMIN, SIGNAL_UNKILLABLE, PF_KTHREAD...).
_KEY_IDENT = re.compile(r"^[A-Z][A-Z0-9_]{2,}$")
# C keywords and type words are never key identifiers of a call statement.
_C_WORDS = frozenset("""if else while for do switch case default return goto break continue
    sizeof struct union enum const volatile static inline unsigned signed int long short char
    void bool u64 u32 unlikely likely""".split())


def canonical(code: str) -> str:
    """The comparison form of code: tokens joined by one space, so that
    whitespace, line breaks and comments never make two heads differ."""
    return " ".join(words(code))


def readable(code: str) -> str:
    """Code on one line, comments dropped, runs of blanks collapsed: what an
    anchor's head looks like in an annotation file."""
    return " ".join(without_comments(code).split())


def short_hash(text: str, n: int = 16) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:n]


def key_identifiers(head: str) -> frozenset[str]:
    """The identifiers that make a head what it is: capitalised constants
    (CLONE_* flags, errno names, capabilities) and the functions it calls;
    for a label or a goto, the label's name.
    A fuzzy placement must contain every one of them, so a note on a
    CLONE_NEWUSER guard can never slide onto a look-alike CLONE_NEWNS guard."""
    toks = words(head)
    if len(toks) == 2 and toks[1] == ":":
        return frozenset(toks[:1])   # a label is its name: bad_fork_cleanup_fs is not bad_fork_cleanup_files
    keys = {t for t in toks if _KEY_IDENT.match(t)}
    if toks and toks[0] == "goto" and len(toks) > 1:
        keys.add(toks[1])            # where a goto jumps is what it means
    for i, t in enumerate(toks[:-1]):
        if toks[i + 1] == "(" and re.match(r"^[a-z_]\w*$", t) and t not in _C_WORDS:
            keys.add(t)
    return frozenset(keys)


def field_names(head: str) -> frozenset[str]:
    """Struct fields a head reads or writes (`p->proc_lock` -> proc_lock).  A
    fuzzy placement may add or drop fields (an argument appended to a call) but
    never swap them: `&p->proc_lock` is not `&p->alloc_lock`."""
    toks = words(head)
    return frozenset(toks[i + 1] for i, t in enumerate(toks[:-1])
                     if t in ("->", ".") and re.match(r"^[A-Za-z_]\w*$", toks[i + 1]))


@dataclass(frozen=True)
class Anchor:
    function: str
    kind: str
    head: str
    before: str = ""      # short hash of the previous sibling statement's head ("" at a block start)
    after: str = ""       # short hash of the next sibling statement's head ("" at a block end)
    position: float = 0.0

    def as_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d) -> "Anchor":
        return cls(function=str(d["function"]), kind=str(d["kind"]), head=str(d["head"]),
                   before=str(d.get("before") or ""), after=str(d.get("after") or ""),
                   position=float(d.get("position") or 0.0))


# -- reading a Module ---------------------------------------------------------

def head_code(module, node: Node) -> str:
    """The head of a node as the module parsed it (normalised text)."""
    kind = node.type
    if kind == "function_definition":
        decl = node.child_by_field_name("declarator")
        return module.node_text(decl) if decl is not None else module.node_text(node)
    if kind in CONDITION_KINDS:
        cond = node.child_by_field_name("condition")
        if cond is not None:
            text = module.node_text(cond).strip()
            if cond.type == "parenthesized_expression" and text.startswith("(") and text.endswith(")"):
                text = text[1:-1]
            return text
    if kind == "labeled_statement":
        label = node.child_by_field_name("label")
        return (module.node_text(label) if label is not None else module.node_text(node).split(":")[0]) + ":"
    if kind == "case_statement":
        value = node.child_by_field_name("value")
        return ("case " + module.node_text(value) + ":") if value is not None else "default:"
    if kind in ("for_statement", "while_statement"):
        body = node.child_by_field_name("body")
        end = body.start_byte if body is not None else node.end_byte
        return module.text[node.start_byte:end].decode("utf-8", "replace")
    return module.node_text(node)


def statements(fn_node: Node) -> list[Node]:
    """Anchorable statements of a function, in source order (preorder), looking
    through #ifdef groups the parser kept in the tree."""
    out: list[Node] = []
    body = fn_node.child_by_field_name("body")
    if body is None:
        return out
    stack = [body]
    while stack:
        node = stack.pop()
        if node.type in STATEMENT_KINDS:
            out.append(node)
        stack.extend(reversed(node.named_children))
    return out


def anchorable(module, node: Node) -> Node:
    """The node itself if a note can sit on it, else the nearest enclosing
    statement (a click on an identifier lands on its statement)."""
    cur = node
    while cur is not None:
        if cur.type in STATEMENT_KINDS:
            return cur
        if cur.type == "function_definition":
            return cur
        cur = cur.parent
    raise LookupFailure("no statement or function around byte {start_byte} in {label}",
                        start_byte=node.start_byte, label=module.label)


def _sibling_statement(node: Node, step: int) -> Node | None:
    sib = node.prev_named_sibling if step < 0 else node.next_named_sibling
    while sib is not None and sib.type not in STATEMENT_KINDS:
        if sib.type == "comment" or sib.type.startswith("preproc"):
            sib = sib.prev_named_sibling if step < 0 else sib.next_named_sibling
            continue
        return None
    return sib


def _enclosing_statement(node: Node) -> Node | None:
    cur = node.parent
    while cur is not None and cur.type not in ANCHOR_KINDS:
        cur = cur.parent
    return cur


def neighbour_hashes(module, node: Node) -> tuple[str, str]:
    """Hashes of the previous and next statements.  A statement that opens its
    block (the `goto` under an `if`, the first line of a body) takes its
    enclosing statement's head as its `before`, so that the many identical
    `goto out;` of a function still differ by what guards them."""
    if node.type == "function_definition":
        return "", ""
    prev = _sibling_statement(node, -1)
    nxt = _sibling_statement(node, +1)
    if prev is not None:
        before = short_hash(canonical(head_code(module, prev)), 8)
    else:
        outer = _enclosing_statement(node)
        before = short_hash("^" + canonical(head_code(module, outer)), 8) if outer is not None else ""
    return before, short_hash(canonical(head_code(module, nxt)), 8) if nxt is not None else ""


def position_in(fn_node: Node, node: Node, stmts: list[Node] | None = None) -> float:
    if node.type == "function_definition":
        return 0.0
    stmts = statements(fn_node) if stmts is None else stmts
    for i, s in enumerate(stmts):
        if s.id == node.id:
            return round(i / max(1, len(stmts) - 1), 3)
    return 0.0


def make_anchor(module, node: Node) -> Anchor:
    """Selectors for a node of a Module (climbing to its statement first)."""
    node = anchorable(module, node)
    fn = module.function_at(node)
    if fn is None:
        raise LookupFailure("byte {start_byte} of {label} is outside every function",
                            start_byte=node.start_byte, label=module.label)
    before, after = neighbour_hashes(module, node)
    return Anchor(function=fn.name, kind=node.type, head=readable(head_code(module, node)),
                  before=before, after=after, position=position_in(fn.node, node))


def code_hash(module, node: Node) -> str:
    """Hash of the code a note is about, comment- and whitespace-insensitive:
    the whole statement (an `if` with its body), or a function's declarator.
    The translation status compares it with the hash recorded at writing time."""
    if node.type == "function_definition":
        return short_hash(canonical(head_code(module, node)))
    return short_hash(canonical(module.node_text(node)))
