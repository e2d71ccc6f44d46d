"""A parsed kernel/fork.c: the tree, its functions and stable node ids."""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import tree_sitter_c
from tree_sitter import Language, Node, Parser, Tree

from ..errors import LookupFailure, ParseError
from ..i18n import Message
from ..fork_names import FORK_ENTRIES, SYSCALL_ENTRIES  # noqa: F401 - re-exported
from .normalize import Rewrite, normalize

C_LANGUAGE = Language(tree_sitter_c.language())


def new_parser() -> Parser:
    return Parser(C_LANGUAGE)


@dataclass
class Function:
    name: str
    kind: str            # "function" or "syscall"
    start_byte: int
    end_byte: int
    start_line: int      # 1-based, inclusive, of the reader's file
    end_line: int
    signature: str
    errors: int
    node: Node = field(repr=False)

    @property
    def body(self) -> Node | None:
        return self.node.child_by_field_name("body")

    def as_dict(self) -> dict:
        return {"name": self.name, "kind": self.kind, "start_line": self.start_line,
                "end_line": self.end_line, "errors": self.errors}


def count_errors(node: Node) -> int:
    """ERROR and MISSING nodes at or below node."""
    if not node.has_error:
        return 0
    n = 0
    stack = [node]
    while stack:
        cur = stack.pop()
        if cur.type == "ERROR" or cur.is_missing:
            n += 1
            continue
        if cur.has_error:
            stack.extend(cur.children)
    return n


def error_lines(node: Node) -> set[int]:
    """0-based lines covered by ERROR or MISSING nodes."""
    lines: set[int] = set()
    if not node.has_error:
        return lines
    stack = [node]
    while stack:
        cur = stack.pop()
        if cur.type == "ERROR" or cur.is_missing:
            lines.update(range(cur.start_point[0], cur.end_point[0] + 1))
            continue
        if cur.has_error:
            stack.extend(cur.children)
    return lines


def _declarator_name(decl: Node | None) -> Node | None:
    """The identifier a function declarator declares (through pointers, parens)."""
    while decl is not None:
        if decl.type == "identifier":
            return decl
        if decl.type == "function_declarator":
            inner = decl.child_by_field_name("declarator")
            if inner is not None and inner.type in ("identifier", "parenthesized_declarator", "pointer_declarator"):
                decl = inner
                continue
            return None
        nxt = decl.child_by_field_name("declarator")
        if nxt is None:
            named = [c for c in decl.named_children if c.type not in ("type_qualifier", "ms_pointer_modifier")]
            nxt = named[0] if named else None
        decl = nxt
    return None


class Module:
    """One version's fork.c, parsed.  `source` holds the reader's bytes;
    `text` the normalised bytes the tree was parsed from (same length, same
    newlines), so every node's offsets and points are the reader's."""

    def __init__(self, label: str | None, source: bytes, text: bytes, tree: Tree, rewrites: list[Rewrite]):
        self.label = label
        self.source = source
        self.text = text
        self.tree = tree
        self.rewrites = rewrites
        self.functions: dict[str, Function] = {}
        self.duplicates: list[Function] = []  # same name defined again (other #ifdef branch)
        self._index()

    # -- indexing -----------------------------------------------------------
    def _head_start(self, start: int) -> int:
        """Extend a definition's start over annotations the normaliser blanked just
        before it (`__latent_entropy struct task_struct *copy_process(`)."""
        ends = self._attribute_ends
        while True:
            q = start - 1
            while q >= 0 and self.source[q] in b" \t\r\n":
                q -= 1
            if q + 1 in ends and ends[q + 1] < start:
                start = ends[q + 1]
                continue
            return start

    def _index(self) -> None:
        # rewrite end -> start, for annotations blanked away (the tree starts after them)
        self._attribute_ends = {}
        for r in self.rewrites:
            if r.kind == "attribute":
                self._attribute_ends[r.end] = r.start
        stack = [self.tree.root_node]
        found = []
        while stack:
            node = stack.pop()
            for child in node.children:
                if child.type == "function_definition":
                    found.append(child)
                elif child.type in ("preproc_if", "preproc_ifdef", "preproc_else", "preproc_elif",
                                    "preproc_elifdef", "linkage_specification", "declaration_list", "ERROR"):
                    stack.append(child)
        found.sort(key=lambda n: n.start_byte)
        for node in found:
            ident = _declarator_name(node.child_by_field_name("declarator"))
            if ident is None:
                continue
            name = self.node_text(ident)
            if not name:
                continue
            kind = "syscall" if name.startswith(("sys_", "compat_sys_")) and self._is_syscall_macro(node) \
                else "function"
            body = node.child_by_field_name("body")
            head_end = body.start_byte if body is not None else node.end_byte
            start = self._head_start(node.start_byte)
            sig = " ".join(self.source[start:head_end].decode("utf-8", "replace").split())
            fn = Function(name=name, kind=kind, start_byte=start, end_byte=node.end_byte,
                          start_line=node.start_point[0] + 1 - self.source.count(b"\n", start, node.start_byte), end_line=node.end_point[0] + 1,
                          signature=sig, errors=count_errors(node), node=node)
            if name in self.functions:
                self.duplicates.append(fn)
            else:
                self.functions[name] = fn

    def _is_syscall_macro(self, node: Node) -> bool:
        return any(r.kind == "syscall" and node.start_byte <= r.start < node.end_byte for r in self.rewrites) \
            or self.source[node.start_byte:node.start_byte + 80].lstrip().startswith((b"asmlinkage", b"long sys_"))

    # -- lookups ------------------------------------------------------------
    @cached_property
    def form(self) -> str:
        """The newest fork entry the file defines.  Newest first matters: 5.4
        keeps a compat do_fork() wrapper beside its real entry, _do_fork."""
        for name in FORK_ENTRIES:
            if name in self.functions:
                return name
        return "unknown"

    @property
    def fork_entry(self) -> Function | None:
        return self.functions.get(self.form)

    @property
    def syscalls(self) -> dict[str, Function]:
        return {n: f for n, f in self.functions.items() if f.kind == "syscall"}

    def function(self, name: str) -> Function:
        try:
            return self.functions[name]
        except KeyError:
            raise LookupFailure("{label} defines no function {name!r}",
                                label=self.label or Message("this source"), name=name) from None

    def function_at(self, node: Node) -> Function | None:
        for fn in self.functions.values():
            if fn.start_byte <= node.start_byte and node.end_byte <= fn.end_byte:
                return fn
        return None

    def node_text(self, node: Node) -> str:
        """Text of a node as parsed (normalised: `sys_clone`, not `SYSCALL_DEFINE5(clone`)."""
        return self.text[node.start_byte:node.end_byte].decode("utf-8", "replace")

    def source_text(self, node_or_start, end: int | None = None) -> str:
        """The reader's own text of a node or byte range."""
        if end is None:
            node_or_start, end = node_or_start.start_byte, node_or_start.end_byte
        return self.source[node_or_start:end].decode("utf-8", "replace")

    @cached_property
    def lines(self) -> list[str]:
        """The reader's lines (decoded leniently; invalid bytes never shift a line)."""
        return self.source.decode("utf-8", "replace").split("\n")

    @property
    def line_count(self) -> int:
        return self.source.count(b"\n") + (0 if self.source.endswith(b"\n") else 1)

    # -- stable node ids ----------------------------------------------------
    # An id is the function name and the path of named-child indices from the
    # function node down: "copy_process/3.12.0".  It survives edits outside the
    # function; anchors (not ids) carry notes across versions.
    def node_id(self, node: Node) -> str:
        fn = self.function_at(node)
        if fn is None:
            return f"@{node.start_byte}-{node.end_byte}"
        cache = self._ids_of(fn)
        known = cache.get(node.id)
        if known is not None:
            return known
        # An anonymous node (a keyword, a brace): walk up to a named ancestor.
        path = []
        cur = node
        prefix = fn.name + "/"
        while cur is not None and cur.id != fn.node.id:
            known = cache.get(cur.id)
            if known is not None:
                prefix = known + ("." if path and not known.endswith("/") else "")
                break
            parent = cur.parent
            if parent is None:
                break
            idx = next(i for i, c in enumerate(parent.named_children) if c.id == cur.id) \
                if cur.is_named else -1
            path.append(str(idx))
            cur = parent
        return prefix + ".".join(reversed(path))

    def _ids_of(self, fn) -> dict[int, str]:
        """Ids of every named node of `fn`, from one walk down the function.
        Walking up from each node instead costs depth x siblings per node
        (tree-sitter's parent() searches down from the root), which is minutes
        on a function nested or #ifdef'd thousands deep."""
        cache = self.__dict__.setdefault("_node_ids", {})
        done = self.__dict__.setdefault("_node_ids_done", set())
        if fn.node.id in done:
            return cache
        stack = [(fn.node, fn.name + "/")]
        while stack:
            cur, nid = stack.pop()
            cache[cur.id] = nid
            sep = "" if nid.endswith("/") else "."
            for i, c in enumerate(cur.named_children):
                stack.append((c, f"{nid}{sep}{i}"))
        done.add(fn.node.id)
        return cache

    def node_by_id(self, node_id: str) -> Node:
        if node_id.startswith("@"):
            a, b = node_id[1:].split("-")
            node = self.tree.root_node.descendant_for_byte_range(int(a), int(b))
            if node is None:
                raise LookupFailure("no node {node_id}", node_id=node_id)
            return node
        name, _, path = node_id.partition("/")
        node = self.function(name).node
        for part in filter(None, path.split(".")):
            kids = node.named_children
            i = int(part)
            if not 0 <= i < len(kids):
                raise LookupFailure("no node {node_id} in {label}", node_id=node_id, label=self.label)
            node = kids[i]
        return node

    def __repr__(self) -> str:
        return f"<Module {self.label} {len(self.source)} bytes, {len(self.functions)} functions, form {self.form}>"


def parse_source(data: bytes, label: str | None = None, config: dict | None = None) -> Module:
    """Normalise, parse and index bytes (no cache)."""
    if not isinstance(data, (bytes, bytearray)):
        raise ParseError("source must be bytes")
    data = bytes(data)
    text, rewrites = normalize(data, config)
    tree = new_parser().parse(text)
    return Module(label, data, text, tree, rewrites)


def parse_raw(data: bytes) -> Tree:
    """Plain tree-sitter-c, for comparison."""
    return new_parser().parse(data)
