"""The statement tree of one function: what the structural diff compares.

A leaf is a statement (its label is all its tokens), a container (if, else,
for, while, do, switch, case, block, #ifdef) has a head (`if (cond)`) and
child statements.  Block braces are flattened away, so `if (x) f();` and
`if (x) { f(); }` are the same tree; comments and whitespace are never
tokens, so they never count as changes.  Built once per version and
function (kept weakly, with the Module).
"""
from __future__ import annotations

import weakref
from dataclasses import dataclass, field

from tree_sitter import Node

from ..cparse import Module
from ..errors import ParseError
from .tokens import TokenIndex

# Containers whose body is a block: the braces are flattened into the container.
_BODY_FIELD = {"if_statement": "consequence", "for_statement": "body", "while_statement": "body",
               "do_statement": "body", "switch_statement": "body", "else_clause": None,
               "for_range_loop": "body"}
_PREPROC = {"preproc_if", "preproc_ifdef", "preproc_elif", "preproc_else", "preproc_elifdef"}


@dataclass(eq=False)
class SNode:
    """A statement (leaf) or a container statement with a head and children."""
    kind: str
    label_spans: list             # byte spans of the head's tokens (all tokens for a leaf)
    label_tokens: list            # their text
    label: str
    start_byte: int
    end_byte: int
    head_end_byte: int
    start_line: int               # 1-based, reader's file
    end_line: int
    head_end_line: int
    children: list = field(default_factory=list)
    parent: "SNode | None" = None
    hash: int = 0
    size: int = 1

    @property
    def is_leaf(self) -> bool:
        return not self.children and self.kind not in _BODY_FIELD and self.kind not in _PREPROC \
            and self.kind not in ("compound_statement", "case_statement", "function_definition")

    @property
    def head_lines(self) -> tuple[int, int]:
        return (self.start_line, self.head_end_line)

    @property
    def lines(self) -> tuple[int, int]:
        return (self.start_line, self.end_line)

    def walk(self):
        """Preorder."""
        stack = [self]
        while stack:
            n = stack.pop()
            yield n
            stack.extend(reversed(n.children))

    def text(self) -> str:
        """All tokens of the subtree (for similarity)."""
        t = getattr(self, "_text", None)
        if t is None:
            t = " ".join([self.label] + [c.text() for c in self.children])
            self._text = t
        return t


class _Builder:
    def __init__(self, mod: Module):
        self.mod = mod
        self.index: TokenIndex | None = None

    def make(self, kind: str, node: Node, head: list[Node], body: list["SNode"],
             end_node: Node | None = None, toks: list | None = None) -> SNode:
        if toks is None:
            toks = []
            for h in head:
                toks.extend(self.index.of(h))
        spans = [(s, e) for s, e, _ in toks]
        words = [t for _, _, t in toks]
        first_body = min((c.start_byte for c in body), default=None)
        before = [h for h in head if first_body is None or h.start_byte < first_body]
        head_end = max((h.end_byte for h in before), default=node.start_byte)
        head_end_line = max((h.end_point[0] for h in before), default=node.start_point[0]) + 1
        end = end_node or node
        sn = SNode(kind=kind, label_spans=spans, label_tokens=words, label=" ".join(words),
                   start_byte=node.start_byte,
                   end_byte=end.end_byte, head_end_byte=head_end, start_line=node.start_point[0] + 1,
                   end_line=end.end_point[0] + 1, head_end_line=head_end_line, children=body)
        for c in body:
            c.parent = sn
        sn.hash = hash((kind, sn.label, tuple(c.hash for c in body)))
        sn.size = 1 + sum(c.size for c in body)
        return sn

    def leaf(self, node: Node, kind: str | None = None) -> SNode:
        return self.make(kind or node.type, node, [node], [])

    def statements(self, block: Node) -> list[SNode]:
        """The statements of a block, comments dropped, labels split off."""
        out: list[SNode] = []
        for c in block.named_children:
            if c.type != "comment":
                out.extend(self.expand(c))
        return out

    def body(self, node: Node | None) -> list[SNode]:
        if node is None:
            return []
        if node.type == "compound_statement":
            return self.statements(node)
        return self.expand(node)

    def expand(self, node: Node) -> list[SNode]:
        t = node.type
        if t == "labeled_statement":
            lab = node.child_by_field_name("label")
            colon = next((c for c in node.children if c.type == ":"), lab)
            label_node = self.make("label", node, [lab, colon], [], end_node=colon)
            inner = [c for c in node.named_children if c.id != lab.id and c.type != "comment"]
            out = [label_node]
            for c in inner:
                out.extend(self.expand(c))
            return out
        if t == "compound_statement":
            brace = node.children[0] if node.children else node
            return [self.make(t, node, [brace], self.statements(node))]
        if t in _BODY_FIELD:
            fname = _BODY_FIELD[t]
            if t == "else_clause":
                body_node = next((c for c in node.named_children if c.type != "comment"), None)
            else:
                body_node = node.child_by_field_name(fname)
            alt = node.child_by_field_name("alternative") if t == "if_statement" else None
            skip = {x.id for x in (body_node, alt) if x is not None}
            head = [c for c in node.children if c.id not in skip and c.type != "comment"]
            kids = self.body(body_node)
            if alt is not None:
                kids = kids + self.expand(alt)
            return [self.make(t, node, head, kids)]
        if t == "case_statement":
            colon_seen = False
            head, kids = [], []
            for c in node.children:
                if c.type == "comment":
                    continue
                if not colon_seen:
                    head.append(c)
                    colon_seen = c.type == ":"
                elif c.is_named:
                    kids.extend(self.expand(c))
            return [self.make(t, node, head, kids)]
        if t in _PREPROC:
            head, kids = [], []
            name_ids = {x.id for x in (node.child_by_field_name("name"), node.child_by_field_name("condition"))
                        if x is not None}
            for c in node.children:
                if c.type == "comment":
                    continue
                if not c.is_named or c.id in name_ids:
                    head.append(c)
                else:
                    kids.extend(self.expand(c))
            return [self.make(t, node, head, kids)]
        return [self.leaf(node)]

    def function(self, fn) -> SNode:
        # Annotations before the node on its first line (`__latent_entropy`)
        # belong to the signature, so the index starts at the line.
        line_start = self.mod.source.rfind(b"\n", 0, fn.node.start_byte) + 1
        self.index = TokenIndex(self.mod, fn.node, attrs_from=line_start)
        body = fn.body
        head_nodes = [c for c in fn.node.children if body is None or c.id != body.id]
        kids = self.statements(body) if body is not None else []
        # The signature is every token before the body, annotations between
        # type and name (`__init`) included.
        limit = body.start_byte if body is not None else fn.node.end_byte
        toks = self.index.within(line_start, limit)
        return self.make("function_definition", fn.node, head_nodes, kids, toks=toks)


def too_deep(mod: Module, name: str) -> ParseError:
    # Real fork.c nests a dozen levels; thousands of braces are hostile input
    # and must be a message, not a RecursionError escaping the CLI.
    return ParseError("{name} in {label} nests its statements too deeply to diff", name=name, label=mod.label)


_TREES: "weakref.WeakKeyDictionary[Module, dict]" = weakref.WeakKeyDictionary()


def statement_tree(mod: Module, name: str) -> SNode:
    """The statement tree of one function, built once per version (matching
    never changes a tree: its pairings live in the Matcher)."""
    per = _TREES.setdefault(mod, {})
    tree = per.get(name)
    if tree is None:
        fn = mod.function(name)
        try:
            tree = per[name] = _Builder(mod).function(fn)
        except RecursionError:
            raise too_deep(mod, name) from None
    return tree
