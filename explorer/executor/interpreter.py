"""A small C interpreter over the tree-sitter AST of the real fork.c.

Each function is compiled once (per Module and config) into Python closures:
`#ifdef` branches are chosen at that point, node ids and lines are computed
once, label tables built once.  Running a trace then only calls closures, so
one sys_clone -> copy_process trace costs about a millisecond.

Control flow inside statements is signalled by return values, not
exceptions: None (fall through) or a tuple ("r", value) | ("g", label) |
BREAK | CONTINUE.  Exceptions are kept for the two ways a run ends early:
Unsupported (C this interpreter does not handle: the outcome is "unknown"
at that line) and the step budget.
"""
from __future__ import annotations

import re
import weakref

from tree_sitter import Node

from ..cparse.config import DEFAULT_CONFIG, eval_condition
from ..cparse.module import Module, new_parser
from . import values as V
from .builtins import BUILTINS
from .constants import HEADER_CONSTANT_TYPES, HEADER_CONSTANTS, HEADER_SYMBOLS, SIZEOF
from .core import (BREAK, CONTINUE, BudgetExceeded, CallSite, Unsupported, c_equal, declared_name as _declared_name,
                   truth, utext as _utext)
from .flags import ERRNO, FlagTable
from .trace import Assumption, Step
from .values import ErrPtr, FuncRef, Obj, Ref, Sym, Unknown, wrap
from .world import NAMESPACE_FLAG_NAMES, World

LOOP_LIMIT = 10_000           # iterations of one loop before the run is called unknown
MAX_DEPTH = 64                # nested calls of same-file functions

GUARD_MACROS = ("scoped_guard", "scoped_cond_guard")


# ----------------------------------------------------------------------------
class CompiledFunction:
    __slots__ = ("name", "params", "ret_type", "ret_bool", "body", "meta", "labels", "returns_pointer")

    def __init__(self, name):
        self.name = name


class Frame:
    __slots__ = ("fn", "vars", "types", "last_goto")

    def __init__(self, fn):
        self.fn = fn
        self.vars: dict = {}
        self.types: dict = {}
        self.last_goto = None


class Program:
    """Compiled functions, macros and globals of one Module under one config.
    Shared by every run (cached per Module; see program_for)."""

    def __init__(self, module: Module, config: dict[str, bool]):
        self.module = module
        self.config = config
        self.flags = FlagTable.for_module(module)
        self.functions: dict[str, CompiledFunction] = {}
        self.iterators = {r.start for r in module.rewrites if r.kind == "iterator"}
        self.iterator_names = {r.start: r.detail for r in module.rewrites if r.kind == "iterator"}
        self.macros: dict[str, str] = {}          # object-like #defines of the file
        self.fn_macros: set[str] = set()          # function-like #defines (treated as callees)
        self.global_types: dict[str, tuple | None] = {}
        self.constants: dict[str, tuple] = {}     # name -> (value, type), resolved lazily
        self._collect_file_scope(module.tree.root_node)

    # -- file scope ----------------------------------------------------------
    def _collect_file_scope(self, node: Node) -> None:
        for child in node.named_children:
            t = child.type
            if t == "preproc_def":
                name = child.child_by_field_name("name")
                value = child.child_by_field_name("value")
                if name is not None:
                    self.macros[self.module.node_text(name)] = \
                        self.module.node_text(value).strip() if value is not None else ""
            elif t == "preproc_function_def":
                name = child.child_by_field_name("name")
                if name is not None:
                    self.fn_macros.add(self.module.node_text(name))
            elif t == "declaration":
                ctype = self._type_of(child.child_by_field_name("type"))
                for d in child.children_by_field_name("declarator"):
                    ident, is_ptr = _declared_name(d)
                    if ident is not None:
                        self.global_types[self.module.node_text(ident)] = None if is_ptr else ctype
            elif t in ("preproc_ifdef", "preproc_if", "preproc_else", "preproc_elif"):
                for kid in self._chosen_items(child):
                    if kid.type in ("preproc_def", "preproc_function_def", "declaration") or \
                            kid.type.startswith("preproc_"):
                        self._collect_file_scope_one(kid)

    def _collect_file_scope_one(self, node: Node) -> None:
        wrapper = _Wrapper(node)
        self._collect_file_scope(wrapper)  # type: ignore[arg-type]

    def _chosen_items(self, node: Node) -> list[Node]:
        """The items of the branch of a #if group the config selects."""
        t = node.type
        if t == "preproc_else":
            return [c for c in node.named_children]
        if t == "preproc_ifdef":
            name = node.child_by_field_name("name")
            neg = node.children[0].type == "#ifndef"
            on = bool(self.config.get(self.module.node_text(name), False)) if name is not None else False
            take = on != neg
        else:  # preproc_if / preproc_elif
            cond = node.child_by_field_name("condition")
            take = self.pp_condition(self.module.node_text(cond)) if cond is not None else False
        alt = node.child_by_field_name("alternative")
        if take:
            skip = {c.id for c in (node.child_by_field_name("name"), node.child_by_field_name("condition"), alt)
                    if c is not None}
            return [c for c in node.named_children if c.id not in skip]
        if alt is not None:
            return self._chosen_items(alt)
        return []

    def pp_condition(self, text: str) -> bool:
        """An #if condition under the config.  The foundation's eval_condition
        decides most; one that also compares header constants
        (THREAD_SIZE >= PAGE_SIZE || defined(CONFIG_VMAP_STACK)) is evaluated
        as a C expression over the config, the file's macros and known
        header constants.  Undecidable counts as false."""
        val = eval_condition(text, self.config, defined=self.macros.keys())
        if val is not None:
            return val
        text = re.sub(r"/\*.*?\*/|//.*", " ", text, flags=re.S)

        def defined(m):
            name = m.group(1) or m.group(2)
            return "1" if (self.config.get(name, False) or name in self.macros) else "0"
        text = re.sub(r"\bdefined\s*\(\s*(\w+)\s*\)|\bdefined\s+(\w+)", defined, text)
        text = re.sub(r"\b(?:IS_ENABLED|IS_BUILTIN|IS_REACHABLE)\s*\(\s*(\w+)\s*\)",
                      lambda m: "1" if self.config.get(m.group(1)) else "0", text)
        text = re.sub(r"\bCONFIG_\w+\b", lambda m: "1" if self.config.get(m.group(0)) else "0", text)
        value, _ = self._macro_value("#if", text)
        return value.__class__ is int and value != 0

    def _type_of(self, type_node: Node | None):
        if type_node is None:
            return None
        text = " ".join(self.module.node_text(type_node).split())
        text = re.sub(r"\b(const|volatile|static|register|signed(?= )|__\w+)\b", "", text).strip()
        text = " ".join(text.split())
        return V.INT_TYPES.get(text)

    def constant(self, name: str):
        """(value, type) of a macro or header constant, or None."""
        hit = self.constants.get(name)
        if hit is not None:
            return hit
        result = None
        if name in self.flags.values:
            v = self.flags.values[name]
            result = (v, V.ULONG if v >= 2**31 else V.INT)
        elif name in self.macros:
            self.constants[name] = (Unknown(name), None)    # guards against self-reference
            result = self._macro_value(name, self.macros[name])
        elif name in ERRNO:
            result = (ERRNO[name], V.INT)
        elif name in HEADER_CONSTANTS:
            result = (HEADER_CONSTANTS[name], HEADER_CONSTANT_TYPES.get(name, V.INT))
        elif name in HEADER_SYMBOLS:
            result = (Sym(HEADER_SYMBOLS[name]), None)
        if result is not None:
            self.constants[name] = result
        else:
            self.constants.pop(name, None)
        return result

    def _macro_value(self, name: str, text: str):
        text = re.sub(r"/\*.*?\*/|//.*", " ", text, flags=re.S).strip()
        if not text:
            return (1, V.INT)
        tree = new_parser().parse(f"long __v = ({text});".encode())
        decl = tree.root_node.named_children[0] if tree.root_node.named_children else None
        init = None
        if decl is not None and not tree.root_node.has_error:
            d = decl.child_by_field_name("declarator")
            if d is not None and d.type == "init_declarator":
                init = d.child_by_field_name("value")
        if init is None:
            return (Unknown(name), None)
        sub = _MacroModule(tree, text)
        ev, t = ExprCompiler(self, sub, "#define " + name, {}).expr(init)
        try:
            return (ev(None), t)
        except Exception:   # a macro whose value needs run-time state
            return (Unknown(name), None)

    # -- functions -----------------------------------------------------------
    def function(self, name: str) -> CompiledFunction:
        fn = self.functions.get(name)
        if fn is None:
            fn = FunctionCompiler(self, self.module.function(name)).compile()
            self.functions[name] = fn
        return fn


class _Wrapper:
    """Lets _collect_file_scope treat one node as a list of one."""

    def __init__(self, node):
        self.named_children = [node]


class _MacroModule:
    """Just enough of a Module to compile a macro's expression."""

    def __init__(self, tree, text):
        self.tree = tree
        self._bytes = tree.root_node.text if hasattr(tree.root_node, "text") else b""

    def node_text(self, node):
        return node.text.decode("utf-8", "replace")


# ----------------------------------------------------------------------------
# Expressions.  Each compiles to (closure(frame) -> value, static C type or None).

class ExprCompiler:
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
        t = node.type
        m = getattr(self, "x_" + t, None)
        if m is None:
            return self.unsupported(node, f"unsupported expression {t}: {self.text(node)[:60]!r}")
        return m(node)

    # -- leaves --------------------------------------------------------------
    def x_number_literal(self, node):
        text = self.text(node)
        value, t = V.type_of_literal(text)
        if value is None:
            return self.unsupported(node, f"number {text!r}")
        return (lambda fr: value), t

    def x_char_literal(self, node):
        text = self.text(node)
        body = text[1:-1]
        try:
            value = ord(body.encode().decode("unicode_escape")) if body else 0
        except Exception:
            return self.unsupported(node, f"character {text!r}")
        return (lambda fr: value), V.INT

    def x_string_literal(self, node):
        s = self.text(node)
        return (lambda fr: s), None

    def x_concatenated_string(self, node):
        s = self.text(node)
        return (lambda fr: s), None

    def x_true(self, node):
        return (lambda fr: 1), V.INT

    def x_false(self, node):
        return (lambda fr: 0), V.INT

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
            return self.unsupported(node, "parenthesised expression")
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
                return Unknown(f"{_utext(x)} && {_utext(y)}")
            return ev, V.INT
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
                return Unknown(f"{_utext(x)} || {_utext(y)}")
            return ev, V.INT
        ct = V.common_type(ta, tb)
        if op in ("==", "!="):
            neg = op == "!="
            conv_t = ct

            def ev(fr):
                x = a(fr)
                y = b(fr)
                r = c_equal(x, y, conv_t)
                if r is None:
                    return Unknown(f"{_utext(x)} {op} {_utext(y)}")
                return (0 if r else 1) if neg else (1 if r else 0)
            return ev, V.INT
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
                return Unknown(f"{_utext(x)} {op} {_utext(y)}")
            return ev, V.INT
        if op in ("<<", ">>"):
            rt = V.promote(ta)
            left_shift = op == "<<"

            def ev(fr):
                x = a(fr)
                y = b(fr)
                if x.__class__ is int and y.__class__ is int:
                    if y < 0 or y >= 64:
                        raise Unsupported(f"shift by {y}", self.meta(node))
                    r = x << y if left_shift else x >> y
                    return wrap(r, rt)
                return Unknown(f"{_utext(x)} {op} {_utext(y)}")
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
                        raise Unsupported("division by zero", self.meta(node))
                    if ct is not None:
                        x, y = wrap(x, ct), wrap(y, ct)
                    q = abs(x) // abs(y) * (1 if (x >= 0) == (y >= 0) else -1)   # C truncates
                    return wrap(q if is_div else x - q * y, ct)
                return Unknown(f"{_utext(x)} {op} {_utext(y)}")
            return ev, ct
        if fn is None:
            return self.unsupported(node, f"operator {op}")

        def ev(fr):
            x = a(fr)
            y = b(fr)
            if x.__class__ is int and y.__class__ is int:
                return wrap(fn(x, y), ct)
            if op == "&" and (x == 0 or y == 0) and (x.__class__ is int or y.__class__ is int):
                return 0
            return Unknown(f"{_utext(x)} {op} {_utext(y)}")
        return ev, ct

    def x_unary_expression(self, node):
        op = node.child_by_field_name("operator").type
        a, ta = self.expr(node.child_by_field_name("argument"))
        if op == "!":
            def ev(fr):
                x = a(fr)
                tx = truth(x, fr, node)
                if tx is None:
                    return Unknown(f"!{_utext(x)}")
                return 0 if tx else 1
            return ev, V.INT
        rt = V.promote(ta)
        if op == "~":
            def ev(fr):
                x = a(fr)
                return wrap(~x, rt) if x.__class__ is int else Unknown(f"~{_utext(x)}")
            return ev, rt
        if op == "-":
            def ev(fr):
                x = a(fr)
                return wrap(-x, rt) if x.__class__ is int else Unknown(f"-{_utext(x)}")
            return ev, rt
        if op == "+":
            return a, rt
        return self.unsupported(node, f"unary operator {op}")

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
            return Unknown(f"*{_utext(x)}")
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
                return Unknown(f"&{_utext(arr)}[{i}]")
            return ev
        if t == "parenthesized_expression":
            inner = [c for c in arg.named_children if c.type != "comment"]
            if len(inner) == 1:
                return self.address_of(inner[0])
        if t == "pointer_expression":   # &*x
            a, _ = self.expr(arg.child_by_field_name("argument"))
            return a
        ev, _ = self.unsupported(arg, f"address of {t}")
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
        rt = V.common_type(ta, tb) if (ta and tb) else None

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
        return (lambda fr: size), V.ULONG

    def x_alignof_expression(self, node):
        return (lambda fr: 8), V.ULONG

    def x_offsetof_expression(self, node):
        return (lambda fr: Unknown("offsetof")), V.ULONG

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
                    ev, _ = self.unsupported(child, "nested designator")
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
    def lvalue(self, node):
        """A setter closure(frame, value) and the static type of the target."""
        t = node.type
        if t == "identifier":
            name = self.text(node)
            if name in self.scope:
                ctype = self.scope[name]

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
        ev, _ = self.unsupported(node, f"assignment to {t}")
        return (lambda fr, v: ev(fr)), None

    def x_assignment_expression(self, node):
        left = node.child_by_field_name("left")
        op = node.child_by_field_name("operator").type
        set_, lt = self.lvalue(left)
        if op == "=":
            right, _ = self.expr(node.child_by_field_name("right"))

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
            new = wrap(old + delta, t) if old.__class__ is int else Unknown(f"{_utext(old)}{op}")
            set_(fr, new)
            return new if prefix else old
        return ev, t

    # -- calls ---------------------------------------------------------------
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

        def ev(fr):
            return fr.fn.interp.world_call(name, [a(fr) for a in arg_evs], site, fr)
        return ev, None

    def x_gnu_asm_expression(self, node):
        return self.unsupported(node, "inline assembly")


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


# ----------------------------------------------------------------------------
# Statements

class FunctionCompiler:
    def __init__(self, program: Program, fn):
        self.program = program
        self.module = program.module
        self.fn = fn
        self.scope: dict = {}
        self.ec = ExprCompiler(program, self.module, fn.name, self.scope, self)
        self._ids: dict[int, str] = {}

    def nid(self, node) -> str:
        """Stable node id (Module.node_id format), cached per compile."""
        if not hasattr(node, "id"):
            return self.fn.name + "/?"
        hit = self._ids.get(node.id)
        if hit is None:
            hit = self.module.node_id(node)
            self._ids[node.id] = hit
        return hit

    def set_id(self, node, nid):
        self._ids[node.id] = nid

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
                ident, is_ptr = _declared_name(p.child_by_field_name("declarator"))
                if ident is None:
                    continue
                name = self.module.node_text(ident)
                ctype = None if is_ptr else self.program._type_of(p.child_by_field_name("type"))
                params.append((name, ctype, " ".join(self.module.source_text(p).split())))
                self.scope[name] = ctype
        cf.params = params
        cf.meta = self.meta(node)
        body = fn.body
        # ids of the body's descendants are built from the body's own id downwards
        body_id = self.module.node_id(body)
        self.set_id(body, body_id)
        cf.body, cf.labels = self.block(body, body_id)
        return cf

    # -- helpers -------------------------------------------------------------
    def _kids(self, node, base_id):
        """Named children with their node ids."""
        out = []
        sep = "" if base_id.endswith("/") else "."
        for i, c in enumerate(node.named_children):
            nid = f"{base_id}{sep}{i}"
            self._ids[c.id] = nid
            out.append(c)
        return out

    def child_id(self, parent, child):
        pid = self.nid(parent)
        for i, c in enumerate(parent.named_children):
            if c.id == child.id:
                nid = f"{pid}.{i}" if not pid.endswith("/") else f"{pid}{i}"
                self._ids[c.id] = nid
                return nid
        return self.nid(child)

    def flatten(self, node, base_id):
        """Statements of a block, with the chosen #if branches spliced in."""
        return self._flatten_list(self._kids(node, base_id))

    def _flatten_list(self, items):
        out = []
        for c in items:
            if c.type in ("preproc_ifdef", "preproc_if"):
                out.append(("ifdef", c))
                for item in self._chosen_with_ids(c):
                    out.extend(self._flatten_list([item]) if item.type in ("preproc_ifdef", "preproc_if")
                               else ([] if item.type == "comment" else [("stmt", item)]))
            elif c.type not in ("comment", "preproc_call", "preproc_def", "preproc_function_def"):
                out.append(("stmt", c))
        return out

    def _chosen_with_ids(self, node):
        items = self.program._chosen_items(node)
        for it in items:
            self.child_id(it.parent, it)
        return items

    def block(self, node, base_id=None):
        """Compile a compound statement: (closure, {label: index})."""
        if base_id is None:
            base_id = self.nid(node)
        items = self.flatten(node, base_id)
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
        chosen_detail = f"{head}: {'kept' if kept else 'skipped'}"
        alt = node.child_by_field_name("alternative")
        if alt is not None and not kept:
            chosen_detail = f"{head}: took the #else/#elif branch"
        elif alt is not None and kept:
            chosen_detail = f"{head}: kept (not the #else branch)"

        def ex(fr):
            fr.fn.interp.step(fr, meta, "branch", chosen_detail)
            return None
        return ex

    def stmt(self, node):
        t = node.type
        m = getattr(self, "s_" + t, None)
        if m is None:
            return self.s_unsupported(node, f"unsupported statement {t}")
        return m(node)

    def s_unsupported(self, node, reason):
        meta = self.meta(node)
        if node.type == "ERROR" or node.has_error:
            reason = f"the parser could not read this code ({reason})"

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
            return self.s_unsupported(node, "syntax error")
        if not kids:
            return lambda fr: None
        e = kids[0]
        ev, _ = self.ec.expr(e)
        if e.type == "assignment_expression":
            target = " ".join(self.module.node_text(e.child_by_field_name("left")).split())

            def ex(fr):
                interp = fr.fn.interp
                interp.tick(meta)
                v = ev(fr)
                if interp.record:
                    interp.step(fr, meta, "assign", f"{target} = {V.show(v)}")
                return None
            return ex
        def ex(fr):
            interp = fr.fn.interp
            interp.tick(meta)
            if interp.record:
                interp.step(fr, meta, "exec", "")
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
            ident, is_ptr = _declared_name(decl)
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
            interp.tick(meta)
            details = []
            for name, vtype, vev, init in parts:
                v = vev(fr) if vev is not None else 0
                v = wrap(v, vtype)
                fr.vars[name] = v
                if init:
                    details.append(f"{name} = {V.show(v)}")
            if interp.record and shown:
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
                    self.child_id(alt_node, inner[0])
                    alt = self.stmt(inner[0])
            else:
                alt = self.stmt(alt_node)
        meta = (self.fn.name, self.nid(node), node.start_point[0] + 1, cond.end_point[0] + 1)

        def ex(fr):
            interp = fr.fn.interp
            interp.tick(meta)
            v = cond_ev(fr)
            taken = interp.decide(v, fr, node, "if", meta)
            if interp.record:
                interp.step(fr, meta, "eval", f"{'true' if taken else 'false'} ({V.show(v)})"
                            if not isinstance(v, Unknown) else f"{'true' if taken else 'false'} (assumed)")
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

        def ex(fr):
            interp = fr.fn.interp
            interp.tick(meta)
            v = ev(fr)
            interp.note_return(fr, v, meta)
            if interp.record:
                interp.step(fr, meta, "return", V.show(v) if v is not None else "")
            return ("r", v)
        return ex

    def s_goto_statement(self, node):
        label = self.module.node_text(node.child_by_field_name("label"))
        meta = self.meta(node)
        sig = ("g", label)

        def ex(fr):
            interp = fr.fn.interp
            interp.tick(meta)
            fr.last_goto = meta
            if interp.record:
                interp.step(fr, meta, "goto", label)
            return sig
        return ex

    def s_labeled_statement(self, node):
        label = self.module.node_text(node.child_by_field_name("label"))
        kids = [c for c in node.named_children if c.type not in ("statement_identifier", "comment")]
        meta = (self.fn.name, self.nid(node), node.start_point[0] + 1, node.start_point[0] + 1)
        inner = None
        if kids:
            self.child_id(node, kids[0])
            inner = self.stmt(kids[0])

        def ex(fr):
            interp = fr.fn.interp
            if interp.record:
                interp.step(fr, meta, "label", label)
            return inner(fr) if inner is not None else None
        return ex

    def s_break_statement(self, node):
        meta = self.meta(node)

        def ex(fr):
            fr.fn.interp.tick(meta)
            return BREAK
        return ex

    def s_continue_statement(self, node):
        meta = self.meta(node)

        def ex(fr):
            fr.fn.interp.tick(meta)
            return CONTINUE
        return ex

    def _loop(self, node, cond_ev, body, update, check_first, meta):
        iterator = node.start_byte in self.program.iterators
        it_name = self.program.iterator_names.get(node.start_byte, "")
        site = CallSite(self.ec, node, it_name or "loop", meta) if iterator else None
        if site is not None:
            site.text = it_name

        def ex(fr):
            interp = fr.fn.interp
            passes = 0
            if iterator:
                limit = interp.world.iterations
                if interp.record:
                    interp.assume(site, fr, f"{limit} iteration(s) of {it_name}")
            while True:
                interp.tick(meta)
                if iterator:
                    go = passes < limit
                    if interp.record:
                        interp.step(fr, meta, "eval", f"{it_name}: {'another pass' if go else 'done'} (assumed)")
                elif check_first or passes:
                    v = cond_ev(fr)
                    go = interp.decide(v, fr, node, "loop", meta)
                    if interp.record:
                        interp.step(fr, meta, "eval", f"{'true' if go else 'false'} ({V.show(v)})")
                else:
                    go = True
                if not go:
                    return None
                passes += 1
                if passes > LOOP_LIMIT:
                    raise Unsupported(f"loop did not end within {LOOP_LIMIT} iterations", meta)
                r = body(fr)
                if r is not None:
                    if r is BREAK:
                        return None
                    if r is not CONTINUE:
                        return r
                if update is not None:
                    update(fr)
        return ex

    def s_while_statement(self, node):
        cond_ev, cond = self._cond(node)
        body = self.stmt(node.child_by_field_name("body"))
        meta = (self.fn.name, self.nid(node), node.start_point[0] + 1, cond.end_point[0] + 1)
        return self._loop(node, cond_ev, body, None, True, meta)

    def s_do_statement(self, node):
        cond_ev, cond = self._cond(node)
        body = self.stmt(node.child_by_field_name("body"))
        meta = (self.fn.name, self.nid(node), cond.start_point[0] + 1, cond.end_point[0] + 1)
        return self._loop(node, cond_ev, body, None, False, meta)

    def s_for_statement(self, node):
        init = node.child_by_field_name("initializer")
        init_ex = None
        if init is not None:
            if init.type == "declaration":
                init_ex = self.s_declaration(init)
            else:
                iev, _ = self.ec.expr(init)
                init_ex = lambda fr: iev(fr)   # noqa: E731
        cond = node.child_by_field_name("condition")
        cond_ev = self.ec.expr(cond)[0] if cond is not None else (lambda fr: 1)
        upd = node.child_by_field_name("update")
        upd_ev = self.ec.expr(upd)[0] if upd is not None else None
        body = self.stmt(node.child_by_field_name("body"))
        end = (cond or node).end_point[0] + 1
        meta = (self.fn.name, self.nid(node), node.start_point[0] + 1, end)
        loop = self._loop(node, cond_ev, body, upd_ev, True, meta)

        def ex(fr):
            if init_ex is not None:
                init_ex(fr)
            return loop(fr)
        return ex

    def s_switch_statement(self, node):
        cond_ev, cond = self._cond(node)
        body = node.child_by_field_name("body")
        meta = (self.fn.name, self.nid(node), node.start_point[0] + 1, cond.end_point[0] + 1)
        cases = []       # (value closure or None for default, [stmt closures], meta)
        for c in body.named_children:
            self.child_id(body, c)
            if c.type != "case_statement":
                continue
            vnode = c.child_by_field_name("value")
            vev = self.ec.expr(vnode)[0] if vnode is not None else None
            stmts = []
            for s in c.named_children:
                if vnode is not None and s.id == vnode.id:
                    continue
                if s.type == "comment":
                    continue
                self.child_id(c, s)
                stmts.append(self.stmt(s))
            cases.append((vev, stmts, self.meta(c)))

        def ex(fr):
            interp = fr.fn.interp
            interp.tick(meta)
            v = cond_ev(fr)
            start = None
            if isinstance(v, Unknown):
                raise Unsupported(f"switch on an unknown value ({v.text})", meta)
            for i, (vev, _, _) in enumerate(cases):
                if vev is not None and c_equal(vev(fr), v):
                    start = i
                    break
            if start is None:
                start = next((i for i, c in enumerate(cases) if c[0] is None), None)
            if interp.record:
                interp.step(fr, meta, "branch",
                            f"switch ({V.show(v)}): " + ("no case" if start is None else
                                                         f"case at line {cases[start][2][2]}"))
            if start is None:
                return None
            for _, stmts, _ in cases[start:]:
                for s in stmts:
                    r = s(fr)
                    if r is not None:
                        if r is BREAK:
                            return None
                        return r
            return None
        return ex

    def s_attributed_statement(self, node):
        kids = [c for c in node.named_children if c.type not in ("attribute_declaration", "comment")]
        if not kids:
            return lambda fr: None
        self.child_id(node, kids[0])
        return self.stmt(kids[0])

    def guarded(self, head, body):
        meta = (self.fn.name, self.nid(head), head.start_point[0] + 1, head.end_point[0] + 1)
        return self._guard_block(meta, " ".join(self.module.node_text(head).split()), self.stmt(body))

    @staticmethod
    def _guard_block(meta, guard: str, inner):
        """A scoped guard: one pass through its block, a break leaves it."""
        def ex(fr):
            interp = fr.fn.interp
            interp.tick(meta)
            if interp.record:
                interp.step(fr, meta, "exec", guard)
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
            return self.s_unsupported(node, "unsupported statement function_definition")
        self.child_id(node, body)
        inner = self.stmt(body)
        meta = (self.fn.name, self.nid(node), node.start_point[0] + 1, node.start_point[0] + 1)
        return self._guard_block(meta, head.split("{", 1)[0].strip(), inner)

    def s_empty_statement(self, node):
        return lambda fr: None

    def s_comment(self, node):
        return lambda fr: None

    def s_preproc_call(self, node):
        return lambda fr: None


# ----------------------------------------------------------------------------
_PROGRAMS: "weakref.WeakKeyDictionary[Module, dict]" = weakref.WeakKeyDictionary()


def program_for(module: Module, config: dict[str, bool] | None = None) -> Program:
    """The compiled Program of a Module under a config (cached with the Module)."""
    config = DEFAULT_CONFIG if config is None else config
    key = tuple(sorted(config.items()))
    per_module = _PROGRAMS.setdefault(module, {})
    prog = per_module.get(key)
    if prog is None:
        prog = Program(module, dict(config))
        per_module[key] = prog
    return prog


class Interpreter:
    """One run: the World's answers, the steps, the outcome bookkeeping."""

    def __init__(self, program: Program, world: World, record: bool = True, budget: int = 200_000):
        self.program = program
        self.world = world
        self.record = record
        self.budget = budget
        self.count = 0
        self.steps: list[Step] = []
        self.assumptions: list[Assumption] = []
        self.globals: dict = {}
        self.depth = 0
        self.error_origin = None          # (value, function, line) of the deepest error return
        self.last_return = None           # meta of the latest return: where an ok outcome was decided
        self.last_meta = None
        self.user_clone_args: dict = {}
        flags = program.flags.values
        # The caller (current) and the objects it reaches, built from the knobs.
        self.pid_ns = Obj("pid_namespace")
        init_user = Sym("init_user")
        user = init_user if world.is_init_user else Obj("user_struct")
        cred = Obj("cred", {"user": user})
        signal = Obj("signal_struct", {"flags": HEADER_CONSTANTS["SIGNAL_UNKILLABLE"] if world.current_is_init else 0})
        nsproxy = Obj("nsproxy", {"pid_ns_for_children": self.pid_ns, "pid_ns": self.pid_ns})
        self.world_current = Obj("current", {"signal": signal, "nsproxy": nsproxy, "real_cred": cred,
                                             "cred": cred, "flags": 0, "mm": Obj("mm_struct")})
        self.ns_mask = 0
        for name in NAMESPACE_FLAG_NAMES:
            self.ns_mask |= flags.get(name, 0)
        self.newuser = flags.get("CLONE_NEWUSER", 0)

    # -- bookkeeping -----------------------------------------------------------
    def tick(self, meta):
        self.count += 1
        if self.count > self.budget:
            raise BudgetExceeded(meta)

    def step(self, fr, meta, event, detail):
        self.steps.append(Step(meta[0], meta[1], meta[2], meta[3], event, detail))

    def assume(self, site: CallSite, fr, answer: str):
        if self.record:
            m = site.meta
            self.assumptions.append(Assumption(m[0], m[2], site.call_text(), answer))
            self.steps.append(Step(m[0], m[1], m[2], m[3], "assume", f"{site.call_text()} -> {answer}"))

    def decide(self, v, fr, node, what, meta=None):
        """The truth of a branch condition; the World settles unknown ones (false)."""
        if v.__class__ is int:
            return v != 0
        if isinstance(v, Unknown):
            if self.record:
                m = meta or (fr.fn.name, "", node.start_point[0] + 1, node.end_point[0] + 1)
                self.assumptions.append(Assumption(m[0], m[2], v.text, "false (unknown to the executor)"))
            return False
        return True

    def global_value(self, name):
        if name in self.globals:
            return self.globals[name]
        w = self.world
        if name == "nr_threads":
            return 100
        if name == "max_threads":
            return 100 if w.threads_at_max else 10_000
        if name == "unprivileged_userns_clone":
            return 1 if w.unprivileged_userns_clone else 0
        if name in ("total_forks", "nr_processes"):
            return 0
        if name in ("init_struct_pid", "init_task", "init_user", "tasklist_lock"):
            return Sym(name)
        return Unknown(name)

    def note_return(self, fr, v, meta):
        """Remember where an error was decided: the goto that led to the
        cleanup path, or the return itself."""
        self.last_return = meta
        err = None
        if isinstance(v, ErrPtr):
            err = v.value
        elif v.__class__ is int and -4095 <= v < 0 and fr.fn.cf.ret_type is not None \
                and fr.fn.cf.ret_type[1] and fr.fn.cf.ret_type[0] > 1:
            err = v
        if err is None:
            self.error_origin = None     # a success: earlier errors were handled
            return
        where = fr.last_goto or meta
        if self.error_origin is None or self.error_origin[0] != err:
            self.error_origin = (err, where[0], where[2])

    # -- calls -------------------------------------------------------------------
    def call(self, name, args, site, caller_fr):
        cf = self.program.function(name)
        if self.depth >= MAX_DEPTH:
            raise Unsupported(f"calls nested deeper than {MAX_DEPTH}", site.meta)
        if self.record:
            m = site.meta
            self.steps.append(Step(m[0], m[1], m[2], m[3], "call", name))
        return self.invoke(cf, args)

    def invoke(self, cf: CompiledFunction, args):
        fr = Frame(_FnCtx(cf, self))
        for (pname, ptype, _), v in zip(cf.params, args):
            fr.vars[pname] = wrap(v, ptype)
        if self.record:
            m = cf.meta
            self.steps.append(Step(m[0], m[1], m[2], m[2], "enter",
                                   ", ".join(f"{p[0]}={V.show(v)}" for p, v in zip(cf.params, args))))
        self.depth += 1
        try:
            r = cf.body(fr)
        finally:
            self.depth -= 1
        if r is None:
            return None
        if r[0] == "g":
            raise Unsupported(f"goto {r[1]}: the label is not in a block around the goto "
                              "(jumps into nested blocks are not supported)", fr.last_goto or cf.meta)
        if r[0] != "r":
            return None
        v = r[1]
        if cf.ret_bool:
            return V.to_bool_type(v)
        return wrap(v, cf.ret_type)

    def world_call(self, name, args, site: CallSite, fr):
        """Answer a call to a function fork.c does not define."""
        w = self.world
        conv = site.convention
        errno = w.failures.get(name)
        if errno is not None:
            value = {"int": -errno, "null": 0, "errptr": ErrPtr(-errno), "object": ErrPtr(-errno)}[conv]
            how = {"int": f"-{errno}", "null": "NULL", "errptr": f"ERR_PTR(-{errno})",
                   "object": f"ERR_PTR(-{errno})"}[conv]
            self.assume(site, fr, f"{how} (injected failure: {_errno_name(errno)})")
            return value
        if name == "copy_namespaces" and w.namespace_model and args and args[0].__class__ is int:
            flags = args[0]
            if flags & self.ns_mask and not flags & self.newuser and not w.capable:
                self.assume(site, fr, "-EPERM (model: new namespaces need CAP_SYS_ADMIN)")
                return -ERRNO["EPERM"]
        if conv == "int":
            value = 0
            answer = "0"
        else:
            proto = self.world_current if name in ("dup_task_struct", "alloc_task_struct_node",
                                                   "alloc_task_struct") else None
            value = Obj(name + "()", proto=proto)
            if name == "alloc_pid":      # 2.6 reads the number straight from the struct pid
                value.fields["nr"] = w.child_pid
            answer = "a valid object"
        if self.record:
            self.assume(site, fr, answer)
        return value


class _FnCtx:
    """What a frame needs to reach: the compiled function and the run."""
    __slots__ = ("cf", "interp", "name")

    def __init__(self, cf, interp):
        self.cf = cf
        self.interp = interp
        self.name = cf.name


def _errno_name(n):
    from .flags import errno_name
    return errno_name(n)
