"""The statement compiler: a function's body -> closures, compiled once per
Program.  `#ifdef` branches are chosen at compile time, node ids (cparse's
own, Module.node_id) and lines are computed once, label tables built once.
Running a trace then only calls closures.

Control flow inside statements is signalled by return values, not
exceptions: None (fall through) or a tuple ("r", value) | ("g", label) |
BREAK | CONTINUE.  Exceptions are kept for the two ways a run ends early:
Unsupported (C this interpreter does not handle: the outcome is "unknown"
at that line) and the step budget.  Dispatch is the table STATEMENTS (node
type -> method) at the end of the module.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from . import cvalues
from .callsites import declared_name
from ..i18n import Message
from .control import BREAK, BudgetExceeded, Unsupported
from .cvalues import Obj, Unknown, wrap
from .expressions import ExprCompiler
from .loops import LoopsAndSwitch
from .trace import Step

if TYPE_CHECKING:
    from .program import Program

GUARD_MACROS = ("scoped_guard", "scoped_cond_guard")

# A recorded step is an immutable record, so a statement hands out the same Step
# each time it runs with the same value (most statements see a handful of
# values over all runs) instead of formatting and building a new one.
MEMO_LIMIT = 64               # values remembered per statement


class CompiledFunction:
    __slots__ = ("name", "params", "ret_type", "ret_bool", "body", "meta", "labels", "returns_pointer")

    def __init__(self, name):
        self.name = name


class FunctionCompiler(LoopsAndSwitch):
    def __init__(self, program: Program, fn):
        self.program = program
        self.module = program.module
        self.fn = fn
        self.scope: dict = {}
        self.ec = ExprCompiler(program, self.module, fn.name, self.scope, self)

    def nid(self, node) -> str:
        """The node's id as cparse gives it (Module.node_id: "copy_process/3.12.0")."""
        return self.module.node_id(node) if hasattr(node, "id") else self.fn.name + "/?"

    def meta(self, node):
        return (self.fn.name, self.nid(node), node.start_point[0] + 1, node.end_point[0] + 1)

    @property
    def returns_pointer(self) -> bool:
        decl = self.fn.node.child_by_field_name("declarator")
        return decl is not None and decl.type == "pointer_declarator"

    def compile(self) -> CompiledFunction:
        fn = self.fn
        cf = CompiledFunction(fn.name)
        node = fn.node
        cf.ret_type = self.program._type_of(node.child_by_field_name("type"))
        decl = node.child_by_field_name("declarator")
        cf.returns_pointer = decl is not None and decl.type == "pointer_declarator"
        if cf.returns_pointer:
            cf.ret_type = None
        cf.ret_bool = cf.ret_type == (1, False)
        # parameters
        fdecl = decl
        while fdecl is not None and fdecl.type != "function_declarator":
            fdecl = fdecl.child_by_field_name("declarator")
        params = []
        if fdecl is not None:
            plist = fdecl.child_by_field_name("parameters")
            for p in (plist.named_children if plist is not None else []):
                if p.type != "parameter_declaration":
                    continue
                ident, is_ptr = declared_name(p.child_by_field_name("declarator"))
                if ident is None:
                    continue
                name = self.module.node_text(ident)
                ctype = None if is_ptr else self.program._type_of(p.child_by_field_name("type"))
                params.append((name, ctype, " ".join(self.module.source_text(p).split())))
                self.scope[name] = ctype
        cf.params = params
        cf.meta = self.meta(node)
        cf.body, cf.labels = self.block(fn.body)
        return cf

    # -- helpers -------------------------------------------------------------
    def flatten(self, node):
        """Statements of a block, with the chosen #if branches spliced in."""
        return self._flatten_list(node.named_children)

    def _flatten_list(self, items):
        out = []
        for c in items:
            if c.type in ("preproc_ifdef", "preproc_if"):
                out.append(("ifdef", c))
                for item in self.program._chosen_items(c):
                    out.extend(self._flatten_list([item]) if item.type in ("preproc_ifdef", "preproc_if")
                               else ([] if item.type == "comment" else [("stmt", item)]))
            elif c.type not in ("comment", "preproc_call", "preproc_def", "preproc_function_def"):
                out.append(("stmt", c))
        return out

    def block(self, node):
        """Compile a compound statement: (closure, {label: index})."""
        items = self.flatten(node)
        stmts = []
        labels = {}
        guard_blocks = set()
        for k, (kind, c) in enumerate(items):
            if kind == "stmt" and c.type == "expression_statement" and c.has_error \
                    and self.module.node_text(c).lstrip().startswith(GUARD_MACROS) \
                    and k + 1 < len(items) and items[k + 1][1].type == "compound_statement":
                # `scoped_guard(lock) { ... }` after a declaration: tree-sitter reads a call
                # missing its ';' and then a block.  Run them as one guarded block.
                stmts.append(self.guarded(c, items[k + 1][1]))
                guard_blocks.add(items[k + 1][1].id)
                continue
            if c.id in guard_blocks:
                continue
            if kind == "ifdef":
                stmts.append(self.ifdef_marker(c))
                continue
            # a label (or a chain of labels) in front of this statement
            inner = c
            while inner.type == "labeled_statement":
                labels[self.module.node_text(inner.child_by_field_name("label"))] = len(stmts)
                kids = [k for k in inner.named_children if k.type not in ("statement_identifier", "comment")]
                if not kids:
                    break
                inner = kids[0]
            stmts.append(self.stmt(c))
        stmts = tuple(stmts)
        n = len(stmts)

        def run(fr, start=0):
            i = start
            while i < n:
                r = stmts[i](fr)
                i += 1
                if r is not None:
                    if r[0] == "g":
                        j = labels.get(r[1])
                        if j is not None:
                            i = j
                            continue
                    return r
            return None

        def ex(fr):
            return run(fr)
        ex.labels = labels
        ex.run = run
        return ex, labels

    def ifdef_marker(self, node):
        """A step that shows which #if branch the config kept (no effect)."""
        meta = self.meta(node)
        head = self.module.node_text(node).split("\n", 1)[0].strip()
        kept = bool(self.program._chosen_items(node))
        chosen_detail = Message("{head}: kept", head=head) if kept else Message("{head}: skipped", head=head)
        alt = node.child_by_field_name("alternative")
        if alt is not None and not kept:
            chosen_detail = Message("{head}: took the #else/#elif branch", head=head)
        elif alt is not None and kept:
            chosen_detail = Message("{head}: kept (not the #else branch)", head=head)

        step = Step.at(meta, "branch", chosen_detail)

        def ex(fr):
            fr.fn.interp.steps.append(step)
            return None
        return ex

    def stmt(self, node):
        m = STATEMENTS.get(node.type)
        if m is None:
            return self.s_unsupported(node, Message("unsupported statement {type}", type=node.type))
        return m(self, node)

    def s_unsupported(self, node, reason):
        meta = self.meta(node)
        if node.type == "ERROR" or node.has_error:
            reason = Message("the parser could not read this code ({reason})", reason=reason)

        def ex(fr):
            raise Unsupported(reason, meta)
        return ex

    def s_compound_statement(self, node):
        ex, labels = self.block(node)
        return ex

    def s_expression_statement(self, node):
        kids = [c for c in node.named_children if c.type != "comment"]
        meta = self.meta(node)
        if node.has_error:
            return self.s_unsupported(node, Message("syntax error"))
        if not kids:
            return lambda fr: None
        e = kids[0]
        ev, _ = self.ec.expr(e)
        if e.type == "assignment_expression":
            target = " ".join(self.module.node_text(e.child_by_field_name("left")).split())
            memo = {}

            def ex(fr):
                interp = fr.fn.interp
                interp.count += 1
                if interp.count > interp.budget:
                    raise BudgetExceeded(meta)
                v = ev(fr)
                if interp.record:
                    step = memo.get(v) if v.__class__ is int else None
                    if step is None:
                        step = Step.at(meta, "assign", f"{target} = {cvalues.show(v)}")
                        if v.__class__ is int and len(memo) < MEMO_LIMIT:
                            memo[v] = step
                    interp.steps.append(step)
                return None
            return ex
        step = Step.at(meta, "exec", "")
        # spin_lock(&p->alloc_lock); and the like: a World call whose value is
        # dropped only matters for what it records (sweeps record nothing)
        silent = self.ec.answered_by_world(e)

        def ex(fr):
            interp = fr.fn.interp
            interp.count += 1
            if interp.count > interp.budget:
                raise BudgetExceeded(meta)
            if interp.record:
                interp.steps.append(step)
            elif silent:
                return None
            ev(fr)
            return None
        return ex

    def s_declaration(self, node):
        meta = self.meta(node)
        ctype = self.program._type_of(node.child_by_field_name("type"))
        type_text = " ".join(self.module.node_text(node.child_by_field_name("type")).split())
        is_struct = node.child_by_field_name("type").type in ("struct_specifier", "union_specifier")
        parts = []
        for d in node.children_by_field_name("declarator"):
            value = None
            decl = d
            if d.type == "init_declarator":
                decl = d.child_by_field_name("declarator")
                value = d.child_by_field_name("value")
            if decl.type == "function_declarator":
                continue     # a prototype inside a body
            ident, is_ptr = declared_name(decl)
            if ident is None:
                continue
            name = self.module.node_text(ident)
            is_array = decl.type == "array_declarator"
            vtype = None if (is_ptr or is_array) else ctype
            self.scope[name] = vtype
            if value is not None:
                if value.type == "initializer_list":
                    vev = self.ec.initializer(value, type_text)
                else:
                    vev, _ = self.ec.expr(value)
            elif is_array:
                vev = (lambda k: lambda fr: Obj(k, zero=True))(f"{type_text}[]")
            elif is_struct and not is_ptr:
                vev = (lambda k: lambda fr: Obj(k, zero=True))(type_text)
            else:
                vev = None       # uninitialised scalar: reading it before a write gives 0
            parts.append((name, vtype, vev, value is not None))
        if not parts:
            return lambda fr: None
        shown = any(p[3] for p in parts)

        def ex(fr):
            interp = fr.fn.interp
            interp.count += 1
            if interp.count > interp.budget:
                raise BudgetExceeded(meta)
            details = [] if interp.record and shown else None
            for name, vtype, vev, init in parts:
                v = vev(fr) if vev is not None else 0
                v = wrap(v, vtype)
                fr.vars[name] = v
                if init and details is not None:
                    details.append(f"{name} = {cvalues.show(v)}")
            if details is not None:
                interp.step(fr, meta, "assign", ", ".join(details))
            return None
        return ex

    def _cond(self, node):
        """(closure, head meta) of an if/while/switch condition."""
        cond = node.child_by_field_name("condition")
        ev, _ = self.ec.expr(cond)
        return ev, cond

    def s_if_statement(self, node):
        cond_ev, cond = self._cond(node)
        cons = self.stmt(node.child_by_field_name("consequence"))
        alt_node = node.child_by_field_name("alternative")
        alt = None
        if alt_node is not None:
            if alt_node.type == "else_clause":
                inner = [c for c in alt_node.named_children if c.type != "comment"]
                if inner:
                    alt = self.stmt(inner[0])
            else:
                alt = self.stmt(alt_node)
        meta = (self.fn.name, self.nid(node), node.start_point[0] + 1, cond.end_point[0] + 1)

        memo = {}

        def ex(fr):
            interp = fr.fn.interp
            interp.count += 1
            if interp.count > interp.budget:
                raise BudgetExceeded(meta)
            v = cond_ev(fr)
            taken = v != 0 if v.__class__ is int else interp.decide(v, fr, node, "if", meta)
            if interp.record:
                step = memo.get(v) if v.__class__ is int else None
                if step is None:
                    step = Step.at(meta, "eval", f"{'true' if taken else 'false'} ({cvalues.show(v)})"
                                      if not isinstance(v, Unknown) else
                                      f"{'true' if taken else 'false'} (assumed)")
                    if v.__class__ is int and len(memo) < MEMO_LIMIT:
                        memo[v] = step
                interp.steps.append(step)
            if taken:
                return cons(fr)
            if alt is not None:
                return alt(fr)
            return None
        return ex

    def s_return_statement(self, node):
        kids = [c for c in node.named_children if c.type != "comment"]
        meta = self.meta(node)
        ev = self.ec.expr(kids[0])[0] if kids else (lambda fr: None)

        memo = {}

        def ex(fr):
            interp = fr.fn.interp
            interp.count += 1
            if interp.count > interp.budget:
                raise BudgetExceeded(meta)
            v = ev(fr)
            interp.note_return(fr, v, meta)
            if interp.record:
                keep = v is None or v.__class__ is int
                step = memo.get(v) if keep else None
                if step is None:
                    step = Step.at(meta, "return", cvalues.show(v) if v is not None else "")
                    if keep and len(memo) < MEMO_LIMIT:
                        memo[v] = step
                interp.steps.append(step)
            return ("r", v)
        return ex

    def s_goto_statement(self, node):
        label = self.module.node_text(node.child_by_field_name("label"))
        meta = self.meta(node)
        sig = ("g", label)
        step = Step.at(meta, "goto", label)

        def ex(fr):
            interp = fr.fn.interp
            interp.count += 1
            if interp.count > interp.budget:
                raise BudgetExceeded(meta)
            fr.last_goto = meta
            if interp.record:
                interp.steps.append(step)
            return sig
        return ex

    def s_labeled_statement(self, node):
        label = self.module.node_text(node.child_by_field_name("label"))
        kids = [c for c in node.named_children if c.type not in ("statement_identifier", "comment")]
        meta = (self.fn.name, self.nid(node), node.start_point[0] + 1, node.start_point[0] + 1)
        inner = None
        if kids:
            inner = self.stmt(kids[0])

        step = Step.at(meta, "label", label)

        def ex(fr):
            interp = fr.fn.interp
            if interp.record:
                interp.steps.append(step)
            return inner(fr) if inner is not None else None
        return ex

    def s_attributed_statement(self, node):
        kids = [c for c in node.named_children if c.type not in ("attribute_declaration", "comment")]
        if not kids:
            return lambda fr: None
        return self.stmt(kids[0])

    def guarded(self, head, body):
        meta = (self.fn.name, self.nid(head), head.start_point[0] + 1, head.end_point[0] + 1)
        return self._guard_block(meta, " ".join(self.module.node_text(head).split()), self.stmt(body))

    @staticmethod
    def _guard_block(meta, guard: str, inner):
        """A scoped guard: one pass through its block, a break leaves it."""
        step = Step.at(meta, "exec", guard)

        def ex(fr):
            interp = fr.fn.interp
            interp.count += 1
            if interp.count > interp.budget:
                raise BudgetExceeded(meta)
            if interp.record:
                interp.steps.append(step)
            r = inner(fr)
            return None if r is BREAK else r
        return ex

    def s_function_definition(self, node):
        """`scoped_guard(lock) { ... }` reads as a K&R function definition to
        tree-sitter.  The guard is a one-pass for loop around its block (so a
        break leaves it); the lock itself is nothing the executor models."""
        head = self.module.node_text(node).lstrip()
        body = node.child_by_field_name("body")
        if not head.startswith(GUARD_MACROS) or body is None:
            return self.s_unsupported(node, Message("unsupported statement {type}", type="function_definition"))
        inner = self.stmt(body)
        meta = (self.fn.name, self.nid(node), node.start_point[0] + 1, node.start_point[0] + 1)
        return self._guard_block(meta, head.split("{", 1)[0].strip(), inner)

    def s_empty_statement(self, node):
        return lambda fr: None

    def s_comment(self, node):
        return lambda fr: None

    def s_preproc_call(self, node):
        return lambda fr: None


# node type -> compiler method (a type missing here is 'unsupported statement')
STATEMENTS = {
    "compound_statement": FunctionCompiler.s_compound_statement,
    "expression_statement": FunctionCompiler.s_expression_statement,
    "declaration": FunctionCompiler.s_declaration,
    "if_statement": FunctionCompiler.s_if_statement,
    "return_statement": FunctionCompiler.s_return_statement,
    "goto_statement": FunctionCompiler.s_goto_statement,
    "labeled_statement": FunctionCompiler.s_labeled_statement,
    "break_statement": FunctionCompiler.s_break_statement,
    "continue_statement": FunctionCompiler.s_continue_statement,
    "while_statement": FunctionCompiler.s_while_statement,
    "do_statement": FunctionCompiler.s_do_statement,
    "for_statement": FunctionCompiler.s_for_statement,
    "switch_statement": FunctionCompiler.s_switch_statement,
    "attributed_statement": FunctionCompiler.s_attributed_statement,
    "function_definition": FunctionCompiler.s_function_definition,
    "empty_statement": FunctionCompiler.s_empty_statement,
    "comment": FunctionCompiler.s_comment,
    "preproc_call": FunctionCompiler.s_preproc_call,
}
