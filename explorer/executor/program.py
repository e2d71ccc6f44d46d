"""The program: one Module compiled under one kernel configuration.

It holds what is decided once per (Module, config) and shared by every run:
which `#if` branches are kept (cparse's one `#if` evaluator decides, with the
file's macros and the header constants as values), the file's macros and
globals, and the compiled functions (statements.py compiles them lazily).
"""
from __future__ import annotations

import re
import weakref

from tree_sitter import Node

from ..cparse.config import DEFAULT_CONFIG, eval_condition
from ..cparse.module import Module, new_parser
from . import cvalues
from .callsites import declared_name
from .constants import HEADER_CONSTANT_TYPES, HEADER_CONSTANTS, HEADER_SYMBOLS
from .cvalues import Sym, Unknown
from .expressions import ExprCompiler
from .flags import ERRNO, FlagTable
from .statements import CompiledFunction, FunctionCompiler


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
                    ident, is_ptr = declared_name(d)
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
        """An #if condition under the config, by cparse's one evaluator.  A
        name that is neither a config option nor CONFIG_* (THREAD_SIZE >=
        PAGE_SIZE) is valued as the C expression of the file's macro or a
        known header constant.  Undecidable counts as false."""
        return bool(eval_condition(text, self.config, defined=self.macros.keys(), value_of=self._int_constant))

    def _int_constant(self, name: str) -> int | None:
        hit = self.constant(name)
        return hit[0] if hit is not None and hit[0].__class__ is int else None

    def _type_of(self, type_node: Node | None):
        if type_node is None:
            return None
        text = " ".join(self.module.node_text(type_node).split())
        text = re.sub(r"\b(const|volatile|static|register|signed(?= )|__\w+)\b", "", text).strip()
        text = " ".join(text.split())
        return cvalues.INT_TYPES.get(text)

    def constant(self, name: str):
        """(value, type) of a macro or header constant, or None."""
        hit = self.constants.get(name)
        if hit is not None:
            return hit
        result = None
        if name in self.flags.values:
            v = self.flags.values[name]
            result = (v, cvalues.ULONG if v >= 2**31 else cvalues.INT)
        elif name in self.macros:
            self.constants[name] = (Unknown(name), None)    # guards against self-reference
            result = self._macro_value(name, self.macros[name])
        elif name in ERRNO:
            result = (ERRNO[name], cvalues.INT)
        elif name in HEADER_CONSTANTS:
            result = (HEADER_CONSTANTS[name], HEADER_CONSTANT_TYPES.get(name, cvalues.INT))
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
            return (1, cvalues.INT)
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
_DEFAULT_KEY = tuple(sorted(DEFAULT_CONFIG.items()))
_PROGRAMS: "weakref.WeakKeyDictionary[Module, dict]" = weakref.WeakKeyDictionary()


def program_for(module: Module, config: dict[str, bool] | None = None) -> Program:
    """The compiled Program of a Module under a config (cached with the Module)."""
    config = DEFAULT_CONFIG if config is None else config
    key = _DEFAULT_KEY if config is DEFAULT_CONFIG else tuple(sorted(config.items()))
    per_module = _PROGRAMS.setdefault(module, {})
    prog = per_module.get(key)
    if prog is None:
        prog = Program(module, dict(config))
        per_module[key] = prog
    return prog
