"""The writing half of the expression compiler: places an expression can
store to (variables, fields, array slots, *pointers) and the expressions that
store (`=`, `|=` and the other compound assignments, `++`/`--`).
ExprCompiler inherits it; the reading half is in expressions.py."""
from __future__ import annotations

from ..i18n import Message
from .cvalues import Obj, Ref, Unknown, utext, wrap


class Assignments:
    def lvalue(self, node):
        """A setter closure(frame, value) and the static type of the target."""
        t = node.type
        if t == "identifier":
            name = self.text(node)
            if name in self.scope:
                ctype = self.scope[name]

                if ctype is None:
                    def set_(fr, v):
                        fr.vars[name] = v
                else:
                    def set_(fr, v):
                        fr.vars[name] = wrap(v, ctype)
                return set_, ctype
            gtype = self.program.global_types.get(name)

            def set_(fr, v):
                fr.fn.interp.globals[name] = wrap(v, gtype)
            return set_, gtype
        if t == "field_expression":
            obj_ev, _ = self.expr(node.child_by_field_name("argument"))
            field = self.text(node.child_by_field_name("field"))

            def set_(fr, v):
                o = obj_ev(fr)
                if o.__class__ is Obj:
                    o.fields[field] = v
                elif isinstance(o, Ref) and isinstance(o.get(), Obj):
                    o.get().fields[field] = v
                # writes into objects the executor does not know are dropped
            return set_, None
        if t == "pointer_expression" and node.child_by_field_name("operator").type == "*":
            ptr_ev, _ = self.expr(node.child_by_field_name("argument"))

            def set_(fr, v):
                p = ptr_ev(fr)
                if isinstance(p, Ref):
                    p.set(v)
                elif isinstance(p, Obj) and isinstance(v, Obj):
                    p.fields = dict(v.fields)      # struct assignment: *kargs = (struct ...){...}
                    p.zero = v.zero
                    p.proto = v.proto
            return set_, None
        if t == "subscript_expression":
            arr_ev, _ = self.expr(node.child_by_field_name("argument"))
            idx_ev, _ = self.expr(node.child_by_field_name("index"))

            def set_(fr, v):
                arr = arr_ev(fr)
                if isinstance(arr, Obj):
                    arr.fields[idx_ev(fr)] = v
            return set_, None
        if t == "parenthesized_expression":
            inner = [c for c in node.named_children if c.type != "comment"]
            if len(inner) == 1:
                return self.lvalue(inner[0])
        if t == "call_expression":
            # a macro used as an lvalue (__get_cpu_var(process_counts)++): the
            # storage is outside the file, so the write is dropped
            call_ev, _ = self.expr(node)
            return (lambda fr, v: call_ev(fr)), None
        ev, _ = self.unsupported(node, Message("assignment to {type}", type=t))
        return (lambda fr, v: ev(fr)), None

    def x_assignment_expression(self, node):
        left = node.child_by_field_name("left")
        op = node.child_by_field_name("operator").type
        set_, lt = self.lvalue(left)
        if op == "=":
            right, _ = self.expr(node.child_by_field_name("right"))

            if lt is None:
                def ev(fr):
                    v = right(fr)
                    set_(fr, v)
                    return v
            else:
                def ev(fr):
                    v = right(fr)
                    set_(fr, v)
                    return wrap(v, lt)
            return ev, lt
        binop = op[:-1]
        fake = _BinaryOf(left, node.child_by_field_name("right"), binop)
        comb, _ = self.x_binary_expression(fake)

        def ev(fr):
            v = comb(fr)
            set_(fr, v)
            return wrap(v, lt)
        return ev, lt

    def x_update_expression(self, node):
        arg = node.child_by_field_name("argument")
        op = node.child_by_field_name("operator").type
        get, t = self.expr(arg)
        set_, _ = self.lvalue(arg)
        delta = 1 if op == "++" else -1
        prefix = node.children[0].type in ("++", "--")

        def ev(fr):
            old = get(fr)
            new = wrap(old + delta, t) if old.__class__ is int else Unknown(f"{utext(old)}{op}")
            set_(fr, new)
            return new if prefix else old
        return ev, t

    # -- calls ---------------------------------------------------------------


class _BinaryOf:
    """A stand-in binary_expression node for compound assignment (a |= b)."""

    class _Op:
        def __init__(self, op):
            self.type = op

    def __init__(self, left, right, op):
        self._f = {"left": left, "right": right, "operator": _BinaryOf._Op(op)}
        self.start_point = left.start_point
        self.end_point = right.end_point
        self.type = "binary_expression"

    def child_by_field_name(self, name):
        return self._f[name]
