"""The expression compiler: a C expression node -> (closure(frame) -> value,
static C type or None).  Dispatch is the table EXPRESSIONS (node type ->
method) at the end of the module."""
from __future__ import annotations

from typing import TYPE_CHECKING

from tree_sitter import Node

from . import cvalues
from .assignments import Assignments
from .builtins import BUILTINS
from .callsites import CallSite
from .constants import SIZEOF
from ..i18n import Message
from .control import Unsupported
from .cvalues import FuncRef, Obj, Ref, Sym, Symbolic, Unknown, c_equal, truth, utext, wrap

if TYPE_CHECKING:
    from .program import Program
    from .statements import FunctionCompiler


class ExprCompiler(Assignments):
    def __init__(self, program: Program, module, fname: str, scope: dict, fc: "FunctionCompiler | None" = None):
        self.program = program
        self.module = module
        self.fname = fname
        self.scope = scope          # compile-time: local name -> C type (None for non-integers)
        self.fc = fc

    def text(self, node):
        return self.module.node_text(node)

    def meta(self, node):
        return (self.fname, self.fc.nid(node) if self.fc else "", node.start_point[0] + 1, node.end_point[0] + 1)

    def unsupported(self, node, reason):
        meta = self.meta(node)

        def ev(fr):
            raise Unsupported(reason, meta)
        return ev, None

    def expr(self, node: Node):
        m = EXPRESSIONS.get(node.type)
        if m is None:
            return self.unsupported(node, Message("unsupported expression {type}: {text!r}", type=node.type,
                                                  text=self.text(node)[:60]))
        return m(self, node)

    # -- leaves --------------------------------------------------------------
    def x_number_literal(self, node):
        text = self.text(node)
        value, t = cvalues.type_of_literal(text)
        if value is None:
            return self.unsupported(node, Message("number {text!r}", text=text))
        return (lambda fr: value), t

    def x_char_literal(self, node):
        text = self.text(node)
        body = text[1:-1]
        try:
            value = ord(body.encode().decode("unicode_escape")) if body else 0
        except Exception:
            return self.unsupported(node, Message("character {text!r}", text=text))
        return (lambda fr: value), cvalues.INT

    def x_string_literal(self, node):
        s = self.text(node)
        return (lambda fr: s), None

    def x_concatenated_string(self, node):
        s = self.text(node)
        return (lambda fr: s), None

    def x_true(self, node):
        return (lambda fr: 1), cvalues.INT

    def x_false(self, node):
        return (lambda fr: 0), cvalues.INT

    def x_null(self, node):
        return (lambda fr: 0), None

    def x_identifier(self, node):
        name = self.text(node)
        prog = self.program
        if name in self.scope:
            t = self.scope[name]

            def ev(fr):
                try:
                    return fr.vars[name]
                except KeyError:
                    return fr.fn.interp.global_value(name)
            return ev, t
        if name == "current":
            return (lambda fr: fr.fn.interp.world_current), None
        const = prog.constant(name)
        if const is not None:
            value, t = const
            return (lambda fr: value), t
        if prog.module is not None and name in getattr(prog.module, "functions", {}):
            ref = FuncRef(name)
            return (lambda fr: ref), None
        t = prog.global_types.get(name)
        return (lambda fr: fr.fn.interp.global_value(name)), t

    def x_parenthesized_expression(self, node):
        inner = [c for c in node.named_children if c.type != "comment"]
        if len(inner) != 1:
            return self.unsupported(node, Message("parenthesised expression"))
        return self.expr(inner[0])

    # -- operators -----------------------------------------------------------
    def x_binary_expression(self, node):
        op = node.child_by_field_name("operator").type
        a, ta = self.expr(node.child_by_field_name("left"))
        b, tb = self.expr(node.child_by_field_name("right"))
        interp_truth = truth
        if op == "&&":
            def ev(fr):
                x = a(fr)
                tx = interp_truth(x, fr, node)
                if tx is False:
                    return 0
                y = b(fr)
                ty = interp_truth(y, fr, node)
                if tx is True and ty is not None:
                    return 1 if ty else 0
                if ty is False:
                    return 0
                return Unknown(f"{utext(x)} && {utext(y)}")
            return ev, cvalues.INT
        if op == "||":
            def ev(fr):
                x = a(fr)
                tx = interp_truth(x, fr, node)
                if tx is True:
                    return 1
                y = b(fr)
                ty = interp_truth(y, fr, node)
                if ty is True:
                    return 1
                if tx is False and ty is not None:
                    return 0
                return Unknown(f"{utext(x)} || {utext(y)}")
            return ev, cvalues.INT
        ct = cvalues.common_type(ta, tb)
        if op in ("==", "!="):
            neg = op == "!="
            conv_t = ct

            def ev(fr):
                x = a(fr)
                y = b(fr)
                r = Symbolic.equal(x, y) if isinstance(x, Symbolic) or isinstance(y, Symbolic) \
                    else c_equal(x, y, conv_t)
                if r is None:
                    return Unknown(f"{utext(x)} {op} {utext(y)}")
                return (0 if r else 1) if neg else (1 if r else 0)
            return ev, cvalues.INT
        if op in ("<", ">", "<=", ">="):
            cmp = {"<": lambda x, y: x < y, ">": lambda x, y: x > y,
                   "<=": lambda x, y: x <= y, ">=": lambda x, y: x >= y}[op]
            conv_t = ct

            def ev(fr):
                x = a(fr)
                y = b(fr)
                if x.__class__ is int and y.__class__ is int:
                    if conv_t is not None:
                        x = wrap(x, conv_t)
                        y = wrap(y, conv_t)
                    return 1 if cmp(x, y) else 0
                if isinstance(x, Symbolic) or isinstance(y, Symbolic):
                    x, y = Symbolic.settle(x), Symbolic.settle(y)
                    if x.__class__ is int and y.__class__ is int:
                        return 1 if cmp(wrap(x, conv_t), wrap(y, conv_t)) else 0
                return Unknown(f"{utext(x)} {op} {utext(y)}")
            return ev, cvalues.INT
        if op in ("<<", ">>"):
            rt = cvalues.promote(ta)
            left_shift = op == "<<"

            def ev(fr):
                x = a(fr)
                y = b(fr)
                if x.__class__ is int and y.__class__ is int:
                    if y < 0 or y >= 64:
                        raise Unsupported(Message("shift by {count}", count=y), self.meta(node))
                    r = x << y if left_shift else x >> y
                    return wrap(r, rt)
                if isinstance(x, Symbolic) or isinstance(y, Symbolic):
                    x, y = Symbolic.settle(x), Symbolic.settle(y)
                    if x.__class__ is int and y.__class__ is int and 0 <= y < 64:
                        return wrap(x << y if left_shift else x >> y, rt)
                return Unknown(f"{utext(x)} {op} {utext(y)}")
            return ev, rt
        fn = {"+": lambda x, y: x + y, "-": lambda x, y: x - y, "*": lambda x, y: x * y,
              "&": lambda x, y: x & y, "|": lambda x, y: x | y, "^": lambda x, y: x ^ y}.get(op)
        if op in ("/", "%"):
            is_div = op == "/"

            def ev(fr):
                x = a(fr)
                y = b(fr)
                if x.__class__ is int and y.__class__ is int:
                    if y == 0:
                        raise Unsupported(Message("division by zero"), self.meta(node))
                    if ct is not None:
                        x, y = wrap(x, ct), wrap(y, ct)
                    q = abs(x) // abs(y) * (1 if (x >= 0) == (y >= 0) else -1)   # C truncates
                    return wrap(q if is_div else x - q * y, ct)
                return Unknown(f"{utext(x)} {op} {utext(y)}")
            return ev, ct
        if fn is None:
            return self.unsupported(node, Message("operator {op}", op=op))

        def ev(fr):
            x = a(fr)
            y = b(fr)
            if x.__class__ is int and y.__class__ is int:
                return wrap(fn(x, y), ct)
            if isinstance(x, Symbolic) or isinstance(y, Symbolic):
                return Symbolic.binary(op, x, y, ct)
            if op == "&" and (x == 0 or y == 0) and (x.__class__ is int or y.__class__ is int):
                return 0
            return Unknown(f"{utext(x)} {op} {utext(y)}")
        return ev, ct

    def x_unary_expression(self, node):
        op = node.child_by_field_name("operator").type
        a, ta = self.expr(node.child_by_field_name("argument"))
        if op == "!":
            def ev(fr):
                x = a(fr)
                tx = truth(x, fr, node)
                if tx is None:
                    return Unknown(f"!{utext(x)}")
                return 0 if tx else 1
            return ev, cvalues.INT
        rt = cvalues.promote(ta)
        if op == "~":
            def ev(fr):
                x = a(fr)
                if isinstance(x, Symbolic):
                    x = x.concrete()
                return wrap(~x, rt) if x.__class__ is int else Unknown(f"~{utext(x)}")
            return ev, rt
        if op == "-":
            def ev(fr):
                x = a(fr)
                if isinstance(x, Symbolic):
                    x = x.concrete()
                return wrap(-x, rt) if x.__class__ is int else Unknown(f"-{utext(x)}")
            return ev, rt
        if op == "+":
            return a, rt
        return self.unsupported(node, Message("unary operator {op}", op=op))

    def x_pointer_expression(self, node):
        op = node.child_by_field_name("operator").type
        arg = node.child_by_field_name("argument")
        if op == "&":
            return self.address_of(arg), None
        a, _ = self.expr(arg)

        def ev(fr):
            x = a(fr)
            if isinstance(x, Ref):
                return x.get()
            if isinstance(x, Obj):
                return x
            return Unknown(f"*{utext(x)}")
        return ev, None

    def address_of(self, arg):
        t = arg.type
        if t == "identifier":
            name = self.text(arg)
            if name in self.scope:
                def ev(fr):
                    v = fr.vars.get(name)
                    if isinstance(v, Obj):
                        return v
                    return Ref(fr.vars, name)
                return ev
            sym = Sym(name)
            return lambda fr: sym
        if t == "field_expression":
            obj_ev, _ = self.expr(arg.child_by_field_name("argument"))
            field = self.text(arg.child_by_field_name("field"))
            text = self.text(arg)

            def ev(fr):
                o = obj_ev(fr)
                if isinstance(o, Obj):
                    v = o.get(field)
                    if isinstance(v, Obj):
                        return v
                    return Ref(o.fields, field)
                return Sym(text)
            return ev
        if t == "subscript_expression":
            ev_arr, _ = self.expr(arg.child_by_field_name("argument"))
            ev_idx, _ = self.expr(arg.child_by_field_name("index"))

            def ev(fr):
                arr = ev_arr(fr)
                i = ev_idx(fr)
                if isinstance(arr, Obj):
                    return Ref(arr.fields, i)
                return Unknown(f"&{utext(arr)}[{i}]")
            return ev
        if t == "parenthesized_expression":
            inner = [c for c in arg.named_children if c.type != "comment"]
            if len(inner) == 1:
                return self.address_of(inner[0])
        if t == "pointer_expression":   # &*x
            a, _ = self.expr(arg.child_by_field_name("argument"))
            return a
        ev, _ = self.unsupported(arg, Message("address of {type}", type=t))
        return ev

    def x_field_expression(self, node):
        obj_ev, _ = self.expr(node.child_by_field_name("argument"))
        field = self.text(node.child_by_field_name("field"))
        text = self.text(node)

        def ev(fr):
            o = obj_ev(fr)
            if o.__class__ is Obj:
                return o.get(field)
            if isinstance(o, Ref):
                inner = o.get()
                if isinstance(inner, Obj):
                    return inner.get(field)
            return Unknown(text)
        return ev, None

    def x_subscript_expression(self, node):
        ev_arr, _ = self.expr(node.child_by_field_name("argument"))
        ev_idx, _ = self.expr(node.child_by_field_name("index"))
        text = self.text(node)

        def ev(fr):
            arr = ev_arr(fr)
            i = ev_idx(fr)
            if isinstance(arr, Obj) and not isinstance(i, Unknown):
                return arr.get(i)
            return Unknown(text)
        return ev, None

    def x_conditional_expression(self, node):
        c, _ = self.expr(node.child_by_field_name("condition"))
        cons = node.child_by_field_name("consequence")
        a, ta = self.expr(cons) if cons is not None else (None, None)
        b, tb = self.expr(node.child_by_field_name("alternative"))
        rt = cvalues.common_type(ta, tb) if (ta and tb) else None

        def ev(fr):
            x = c(fr)
            tx = fr.fn.interp.decide(x, fr, node, "condition")
            if tx:
                return wrap(a(fr), rt) if a is not None else x
            return wrap(b(fr), rt)
        return ev, rt

    def x_comma_expression(self, node):
        a, _ = self.expr(node.child_by_field_name("left"))
        b, tb = self.expr(node.child_by_field_name("right"))

        def ev(fr):
            a(fr)
            return b(fr)
        return ev, tb

    def x_cast_expression(self, node):
        tnode = node.child_by_field_name("type")
        a, _ = self.expr(node.child_by_field_name("value"))
        ttext = " ".join(self.text(tnode).split())
        if "*" in ttext:
            return a, None
        t = self.program._type_of(tnode.child_by_field_name("type") or tnode)
        if ttext == "void":
            return a, None
        if t is None:
            return a, None

        def ev(fr):
            return wrap(a(fr), t)
        return ev, t

    def x_sizeof_expression(self, node):
        inner = node.child_by_field_name("value") or node.child_by_field_name("type")
        text = " ".join(self.text(inner).strip("() ").split()) if inner is not None else ""
        size = SIZEOF.get(text)
        if size is None:
            t = self.scope.get(text)
            size = (t[0] // 8 or 1) if t else 8
        return (lambda fr: size), cvalues.ULONG

    def x_alignof_expression(self, node):
        return (lambda fr: 8), cvalues.ULONG

    def x_offsetof_expression(self, node):
        return (lambda fr: Unknown("offsetof")), cvalues.ULONG

    def x_compound_literal_expression(self, node):
        kind = " ".join(self.text(node.child_by_field_name("type")).split())
        return self.initializer(node.child_by_field_name("value"), kind), None

    def x_initializer_list(self, node):
        return self.initializer(node, "struct"), None

    def initializer(self, node, kind):
        """{ .a = x, .b = y } or { x, y } -> a zero-filled Obj."""
        parts = []
        pos = 0
        for child in node.named_children:
            if child.type == "comment":
                continue
            if child.type == "initializer_pair":
                designators = child.children_by_field_name("designator")
                value = child.child_by_field_name("value")
                if len(designators) != 1 or designators[0].type != "field_designator":
                    ev, _ = self.unsupported(child, Message("nested designator"))
                    return ev
                name = self.text(designators[0]).lstrip(".").strip()
                vnode = value
            else:
                name, vnode = pos, child
                pos += 1
            if vnode.type == "initializer_list":
                vev = self.initializer(vnode, "struct")
            else:
                vev, _ = self.expr(vnode)
            parts.append((name, vev))

        def ev(fr):
            return Obj(kind, {name: vev(fr) for name, vev in parts}, zero=True)
        return ev

    # -- assignment ----------------------------------------------------------
    def x_call_expression(self, node):
        fnode = node.child_by_field_name("function")
        args_node = node.child_by_field_name("arguments")
        arg_nodes = [c for c in args_node.named_children if c.type != "comment"] if args_node else []
        meta = self.meta(node)
        if fnode.type != "identifier":
            # a call through a function pointer: the World answers
            arg_evs = [self.expr(a)[0] for a in arg_nodes]
            callee = self.text(fnode)
            site = CallSite(self, node, callee, meta)

            def ev(fr):
                args = [a(fr) for a in arg_evs]
                return fr.fn.interp.world_call(callee, args, site, fr)
            return ev, None
        name = self.text(fnode)
        builtin = BUILTINS.get(name)
        if builtin is not None:
            special = builtin(self, node, arg_nodes, meta)
            if special is not None:
                return special
        arg_evs = [self.expr(a)[0] for a in arg_nodes]
        site = CallSite(self, node, name, meta)
        module_fns = getattr(self.program.module, "functions", {})
        if name in module_fns and name not in self.program.fn_macros:
            def ev(fr):
                args = [a(fr) for a in arg_evs]
                interp = fr.fn.interp
                if name in interp.world.failures:
                    return interp.world_call(name, args, site, fr)
                return interp.call(name, args, site, fr)
            return ev, None

        # by arity: most calls the World answers take one to three arguments
        if len(arg_evs) == 1:
            a0, = arg_evs

            def ev(fr):
                return fr.fn.interp.world_call(name, [a0(fr)], site, fr)
        elif len(arg_evs) == 2:
            a0, a1 = arg_evs

            def ev(fr):
                return fr.fn.interp.world_call(name, [a0(fr), a1(fr)], site, fr)
        elif len(arg_evs) == 3:
            a0, a1, a2 = arg_evs

            def ev(fr):
                return fr.fn.interp.world_call(name, [a0(fr), a1(fr), a2(fr)], site, fr)
        else:
            def ev(fr):
                return fr.fn.interp.world_call(name, [a(fr) for a in arg_evs], site, fr)
        return ev, None

    _PURE_LEAVES = frozenset({"identifier", "number_literal", "string_literal", "char_literal",
                              "concatenated_string", "true", "false", "null"})

    # operators that never raise on any value (a non-number gives Unknown)
    _PURE_OPERATORS = frozenset({"&&", "||", "&", "|", "^", "==", "!="})

    def _pure(self, node) -> bool:
        """Evaluating node changes nothing and cannot fail (names, constants, fields, & and *,
        and the logical, bitwise and equality operators over those)."""
        t = node.type
        if t in self._PURE_LEAVES:
            return True
        if t == "binary_expression":   # ptrace_init_task(p, (clone_flags & CLONE_PTRACE) || trace);
            return node.child_by_field_name("operator").type in self._PURE_OPERATORS \
                and self._pure(node.child_by_field_name("left")) and self._pure(node.child_by_field_name("right"))
        if t == "unary_expression" and node.child_by_field_name("operator").type == "!":
            return self._pure(node.child_by_field_name("argument"))
        if t == "parenthesized_expression":
            inner = [c for c in node.named_children if c.type != "comment"]
            return len(inner) == 1 and self._pure(inner[0])
        if t == "field_expression":
            return self._pure(node.child_by_field_name("argument"))
        if t == "pointer_expression":
            arg = node.child_by_field_name("argument")
            if node.child_by_field_name("operator").type == "&":
                return arg.type in ("identifier", "field_expression") and self._pure(arg)
            return self._pure(arg)
        return False

    def answered_by_world(self, node) -> bool:
        """A call the World answers (not one the file defines, not a builtin) whose
        arguments are pure: when its value is thrown away and nothing is being
        recorded, running it changes nothing."""
        fnode = node.child_by_field_name("function")
        if node.type != "call_expression" or fnode is None or fnode.type != "identifier":
            return False
        name = self.text(fnode)
        if name in BUILTINS or (name in self.program.module.functions and name not in self.program.fn_macros):
            return False
        args = node.child_by_field_name("arguments")
        return all(self._pure(a) for a in (args.named_children if args is not None else [])
                   if a.type != "comment")

    def x_gnu_asm_expression(self, node):
        return self.unsupported(node, Message("inline assembly"))


# node type -> compiler method (a type missing here is 'unsupported expression')
EXPRESSIONS = {
    "number_literal": ExprCompiler.x_number_literal, "char_literal": ExprCompiler.x_char_literal,
    "string_literal": ExprCompiler.x_string_literal,
    "concatenated_string": ExprCompiler.x_concatenated_string, "true": ExprCompiler.x_true,
    "false": ExprCompiler.x_false, "null": ExprCompiler.x_null, "identifier": ExprCompiler.x_identifier,
    "parenthesized_expression": ExprCompiler.x_parenthesized_expression,
    "binary_expression": ExprCompiler.x_binary_expression,
    "unary_expression": ExprCompiler.x_unary_expression,
    "pointer_expression": ExprCompiler.x_pointer_expression,
    "field_expression": ExprCompiler.x_field_expression,
    "subscript_expression": ExprCompiler.x_subscript_expression,
    "conditional_expression": ExprCompiler.x_conditional_expression,
    "comma_expression": ExprCompiler.x_comma_expression, "cast_expression": ExprCompiler.x_cast_expression,
    "sizeof_expression": ExprCompiler.x_sizeof_expression,
    "alignof_expression": ExprCompiler.x_alignof_expression,
    "offsetof_expression": ExprCompiler.x_offsetof_expression,
    "compound_literal_expression": ExprCompiler.x_compound_literal_expression,
    "initializer_list": ExprCompiler.x_initializer_list,
    "assignment_expression": ExprCompiler.x_assignment_expression,
    "update_expression": ExprCompiler.x_update_expression, "call_expression": ExprCompiler.x_call_expression,
    "gnu_asm_expression": ExprCompiler.x_gnu_asm_expression,
}
