"""The checks of a function: every `if` whose body leaves with an error.

A guard is an `if` whose body (directly, not in a nested `if`) does one of
- `return -EFOO;` or `return ERR_PTR(-EFOO);`
- `return V;` or `goto label;` where V (or the function's error variable)
  was last set to a constant `-EFOO` on the straight path before the jump:
  in the body itself (`{ retval = -EINVAL; goto bad; }`) or before the `if`
  (`retval = -ENOMEM; p = alloc(); if (!p) goto fork_out;`).
A jump whose error came from a call (`retval = copy_creds(...); if (retval)
goto ...`) is not a guard: it checks the callee, not the caller's input.

Its condition is the conjunction of every enclosing `if` on the way down
(`!(...)` for an `else` branch), outermost first.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from tree_sitter import Node

from ..cparse import Module
from ..errors import ParseError
from .tokens import tokens

_ERRNO = re.compile(r"E[A-Z0-9]+\Z")
_CONTAINERS = {"for_statement", "while_statement", "do_statement", "switch_statement", "case_statement",
               "preproc_if", "preproc_ifdef", "preproc_elif", "preproc_else", "preproc_elifdef"}


@dataclass
class Part:
    text: str                 # `(clone_flags & CLONE_PIDFD)` as the reader wrote it, comments out
    key: tuple                # its tokens: equal keys mean the same test
    negated: bool = False     # this guard sits in the else branch of the test

    @property
    def display(self) -> str:
        return f"!{self.text}" if self.negated else self.text


@dataclass
class Guard:
    function: str
    line: int                 # the innermost `if`, 1-based
    end_line: int
    start_byte: int           # of the innermost `if`: ties the guard to the statement diff
    parts: list[Part]
    errno: str                # "EINVAL"
    exit: str                 # "return ERR_PTR(-EINVAL)", "goto fork_out"
    exit_line: int
    node_id: str = field(default="")

    @property
    def condition(self) -> str:
        return " && ".join(p.display for p in self.parts)

    @property
    def key(self) -> tuple:
        return tuple((p.negated, p.key) for p in self.parts)

    def as_dict(self) -> dict:
        return {"line": self.line, "condition": self.condition, "errno": self.errno, "exit": self.exit,
                "exit_line": self.exit_line, "node_id": self.node_id}


def _spelled(mod: Module, node: Node) -> tuple[str, tuple]:
    """The reader's text with comments out and runs of whitespace as one space."""
    toks = tokens(mod, node)
    out = []
    prev_end = None
    for s, e, t in toks:
        if prev_end is not None and s > prev_end:
            gap = mod.source[prev_end:s]
            # keep a space where the reader had blank space (or a comment) between tokens
            if gap.strip() != b"" or any(c in gap for c in b" \t\n"):
                out.append(" ")
        out.append(t)
        prev_end = e
    return "".join(out), tuple(t for _, _, t in toks)


def _flatten(stmt: Node | None) -> list[Node]:
    if stmt is None:
        return []
    if stmt.type == "compound_statement":
        return [c for c in stmt.named_children if c.type != "comment"]
    return [stmt]


def _errno_of(mod: Module, expr: Node | None) -> str | None:
    """EFOO for `-EFOO`, `ERR_PTR(-EFOO)`, `(-EFOO)`."""
    while expr is not None and expr.type == "parenthesized_expression":
        expr = expr.named_children[0] if expr.named_children else None
    if expr is None:
        return None
    if expr.type == "unary_expression" and mod.node_text(expr.child_by_field_name("operator") or expr) == "-":
        arg = expr.child_by_field_name("argument")
        if arg is not None and arg.type == "identifier" and _ERRNO.match(mod.node_text(arg)):
            return mod.node_text(arg)
        return None
    if expr.type == "call_expression":
        fn = expr.child_by_field_name("function")
        args = expr.child_by_field_name("arguments")
        if fn is not None and mod.node_text(fn) == "ERR_PTR" and args is not None and len(args.named_children) == 1:
            return _errno_of(mod, args.named_children[0])
    return None


def _assignment(mod: Module, stmt: Node) -> tuple[str, Node] | None:
    """(variable, value) for `v = value;` or `int v = value;`."""
    if stmt.type == "expression_statement" and stmt.named_children:
        e = stmt.named_children[0]
        if e.type == "assignment_expression" and mod.node_text(e.child_by_field_name("operator")) == "=":
            left = e.child_by_field_name("left")
            if left is not None and left.type == "identifier":
                return mod.node_text(left), e.child_by_field_name("right")
    if stmt.type == "declaration":
        for d in stmt.children_by_field_name("declarator"):
            if d.type == "init_declarator":
                name = d.child_by_field_name("declarator")
                if name is not None and name.type == "identifier":
                    return mod.node_text(name), d.child_by_field_name("value")
    return None


class _Finder:
    def __init__(self, mod: Module, fn_name: str):
        self.mod = mod
        self.fn = mod.function(fn_name)
        self.guards: list[Guard] = []
        # Variables this function ever sets to -EFOO: its error variables.
        self.err_vars = set()
        stack = [self.fn.body] if self.fn.body is not None else []
        while stack:
            n = stack.pop()
            if n.type in ("expression_statement", "declaration"):
                a = _assignment(mod, n)
                if a and _errno_of(mod, a[1]):
                    self.err_vars.add(a[0])
            stack.extend(n.named_children)

    def run(self) -> list[Guard]:
        if self.fn.body is not None:
            self.walk(_flatten(self.fn.body), [], [])
        return self.guards

    def walk(self, stmts: list[Node], conds: list[Part], prevs: list[list[Node]]) -> None:
        for i, st in enumerate(stmts):
            self.visit(st, conds, prevs + [stmts[:i]])

    def visit(self, st: Node, conds: list[Part], prevs: list[list[Node]]) -> None:
        t = st.type
        if t == "if_statement":
            cond = st.child_by_field_name("condition")
            text, key = _spelled(self.mod, cond)
            part = Part(text, key)
            body = _flatten(st.child_by_field_name("consequence"))
            self.check(st, body, conds + [part], prevs)
            self.walk(body, conds + [part], prevs)
            alt = st.child_by_field_name("alternative")
            if alt is not None:
                inner = next((c for c in alt.named_children if c.type != "comment"), None)
                neg = Part(text, key, negated=True)
                self.walk(_flatten(inner), conds + [neg], prevs)
        elif t == "labeled_statement":
            inner = [c for c in st.named_children if c.type not in ("statement_identifier", "comment")]
            self.walk(inner, conds, prevs + [[st]])
        elif t == "compound_statement":
            self.walk(_flatten(st), conds, prevs)
        elif t in _CONTAINERS:
            body = st.child_by_field_name("body")
            kids = _flatten(body) if body is not None else \
                [c for c in st.named_children if c.type not in ("comment", "identifier", "number_literal",
                                                                "parenthesized_expression", "preproc_defined",
                                                                "binary_expression", "unary_expression",
                                                                "call_expression")]
            self.walk(kids, conds, prevs)

    def check(self, if_node: Node, body: list[Node], conds: list[Part], prevs: list[list[Node]]) -> None:
        for i, st in enumerate(body):
            if st.type == "return_statement":
                expr = next((c for c in st.named_children if c.type != "comment"), None)
                errno = _errno_of(self.mod, expr)
                if errno is None and expr is not None and expr.type == "identifier":
                    errno = self.errno_in_effect({self.mod.node_text(expr)}, prevs + [body[:i]])
                exit_text = "return " + (_spelled(self.mod, expr)[0] if expr is not None else "")
            elif st.type == "goto_statement":
                cond = if_node.child_by_field_name("condition")
                # `if ((retval = copy_files(...))) goto ...`: the error comes from the call
                errno = None if self.assigns(cond, self.err_vars) else \
                    self.errno_in_effect(self.err_vars, prevs + [body[:i]])
                exit_text = "goto " + self.mod.node_text(st.child_by_field_name("label"))
            else:
                continue
            if errno:
                mod = self.mod
                self.guards.append(Guard(
                    function=self.fn.name, line=if_node.start_point[0] + 1, end_line=if_node.end_point[0] + 1,
                    start_byte=if_node.start_byte, parts=list(conds), errno=errno, exit=exit_text,
                    exit_line=st.start_point[0] + 1, node_id=mod.node_id(if_node)))
            return  # the first exit decides

    def errno_in_effect(self, variables: set, prevs: list[list[Node]]) -> str | None:
        """The constant error the variables hold on the straight path here, if any."""
        if not variables:
            return None
        for level in reversed(prevs):
            for st in reversed(level):
                if st.type == "labeled_statement":
                    return None  # another path joins here: the value is not known
                a = _assignment(self.mod, st)
                if a and a[0] in variables:
                    return _errno_of(self.mod, a[1])
                if st.type == "if_statement" and self.assigns(st.child_by_field_name("condition"), variables):
                    return None
        return None

    def assigns(self, node: Node | None, variables: set) -> bool:
        """Does an expression assign one of the variables (`(retval = f())`)?"""
        stack = [node] if node is not None else []
        while stack:
            n = stack.pop()
            if n.type == "assignment_expression":
                left = n.child_by_field_name("left")
                if left is not None and self.mod.node_text(left) in variables:
                    return True
            stack.extend(n.named_children)
        return False


def find_guards(mod: Module, function: str) -> list[Guard]:
    """Every guard of the function, in the order of the file."""
    finder = _Finder(mod, function)
    try:
        return finder.run()
    except RecursionError:
        # thousands of nested blocks: hostile input, a message instead of a traceback
        raise ParseError("{function} in {label} nests its statements too deeply to find its guards",
                         function=function, label=mod.label) from None
