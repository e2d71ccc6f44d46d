"""Call sites: where a call is in the source and how its caller tells
failure from success (the convention the World answers in); and the
declarator walk both the program and the compilers use."""
from __future__ import annotations

import re

from tree_sitter import Node


def declared_name(decl: Node | None):
    """(identifier node, is_pointer) of a declarator."""
    is_ptr = False
    while decl is not None:
        t = decl.type
        if t in ("identifier", "field_identifier"):
            return decl, is_ptr
        if t in ("pointer_declarator", "array_declarator"):
            is_ptr = True
        if t == "function_declarator":
            return None, False
        nxt = decl.child_by_field_name("declarator")
        if nxt is None:
            named = [c for c in decl.named_children if c.type not in ("type_qualifier", "ms_pointer_modifier")]
            nxt = named[0] if named else None
        decl = nxt
    return None, is_ptr


class CallSite:
    """One call in the source: where it is and how its caller checks it."""
    __slots__ = ("ec", "node", "callee", "meta", "_convention", "text", "recorded")

    def __init__(self, ec, node, callee, meta):
        self.ec = ec
        self.node = node
        self.callee = callee
        self.meta = meta
        self._convention = None
        self.text = None
        self.recorded: dict = {}     # answer -> (Assumption, Step), shared by every run

    @property
    def convention(self) -> str:
        if self._convention is None:
            self._convention = infer_convention(self.ec, self.node)
        return self._convention

    @property
    def called_function(self) -> str | None:
        """The name of the function this site calls; None for an iterator loop
        or a call through a function pointer (nothing a reader could fail)."""
        if self.node.type == "call_expression" and self.callee.isidentifier():
            return self.callee
        return None

    def call_text(self) -> str:
        if self.text is None:
            t = " ".join(self.ec.text(self.node).split())
            self.text = t if len(t) <= 80 else t[:77] + "..."
        return self.text


def infer_convention(ec, call: Node) -> str:
    """How this call site tells failure from success, from where its value goes:
    "errptr" (a pointer the caller tests with IS_ERR), "null" (a pointer, NULL
    on failure), "object" (dereferenced at once) or "int" (negative errno).
    A pointer destination gets a valid object on success, an int one 0."""
    parent = call.parent
    child = call
    while parent is not None and parent.type in ("parenthesized_expression", "cast_expression",
                                                 "conditional_expression"):
        if parent.type == "conditional_expression" and parent.child_by_field_name("condition") == child:
            return "int"
        child, parent = parent, parent.parent
    if parent is None:
        return "int"
    ptype = parent.type
    if ptype == "field_expression":
        return "object"
    if ptype == "argument_list":
        outer = parent.parent
        fname = outer.child_by_field_name("function") if outer is not None else None
        ftext = ec.text(fname) if fname is not None else ""
        if ftext in ("IS_ERR", "IS_ERR_OR_NULL", "PTR_ERR_OR_ZERO"):
            return "errptr"
        if ftext in ("likely", "unlikely"):
            return infer_convention(ec, outer)
        return "int"
    if ptype == "unary_expression" and ec.text(parent.child_by_field_name("operator")) == "!":
        return "null"
    if ptype == "return_statement":
        return "null" if (ec.fc is not None and ec.fc.returns_pointer) else "int"
    target = None
    pointer = False
    if ptype == "assignment_expression" and parent.child_by_field_name("right") == child:
        left = parent.child_by_field_name("left")
        target = " ".join(ec.text(left).split())
        if left.type == "identifier":
            pointer = ec.scope.get(target, 0) is None and target in ec.scope
            if target in ec.scope and not pointer:
                return "int"
        else:
            pointer = True          # a field: almost always a pointer in fork.c
    elif ptype == "init_declarator":
        decl = parent.child_by_field_name("declarator")
        ident, is_ptr = declared_name(decl)
        target = ec.text(ident) if ident is not None else None
        pointer = is_ptr
        if not is_ptr:
            return "int"
    if not target:
        return "int"
    if not pointer:
        return "int"
    # a pointer: ERR_PTR if the function later tests it with IS_ERR, NULL otherwise
    fn = ec.fc.fn if ec.fc else None
    rest = ec.module.text[call.end_byte:fn.end_byte if fn else call.end_byte + 2000].decode("utf-8", "replace")
    if re.search(r"IS_ERR(?:_OR_NULL)?\s*\(\s*" + re.escape(target) + r"\s*\)", rest):
        return "errptr"
    return "null"
