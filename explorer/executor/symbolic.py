"""Symbolic evaluation over chosen clone flag bits, with the same interpreter.

The entry receives a `FlagBits` value instead of a number: some plain bits
(`base`) and, for each chosen flag, a symbol that stands for "this bit is
set".  The interpreter computes with it where that stays exact (`& mask`,
`| mask`) and asks it for its truth at a branch.  A truth question that
depends on a symbol not yet decided on this path splits the path: this run
takes the "clear" side and the "set" side is queued as a new path with the
same decisions so far.  Anything else the code does with the bits (compare,
shift, add, hand to the namespace model) first decides every symbol the
value still carries, one literal at a time, so it is exact too.

Each path is therefore one deterministic run whose condition is the
conjunction of the literals it decided (a cube); sibling paths differ in
their last literal, so the cubes partition the space exactly.  Runs are
re-executions from the start (no state is forked), which keeps the
interpreter unchanged: it only learned to hand a `Symbolic` value here
(cvalues.Symbolic, a few hooks in expressions.py and runtime.py).

Boolean World knobs (`capable`, ...) are symbols too, decided up front: the
exploration runs once per knob assignment and the knob literals join each
path's condition.
"""
from __future__ import annotations

import gc
import itertools
from dataclasses import dataclass, field, fields

from ..cparse.module import Module
from ..errors import ExecutionError
from .cvalues import Symbolic, Unknown, utext, wrap
from .entries import DEFAULT_BUDGET, _check_failures, _interpret, resolve_entry
from .expressions import ExprCompiler
from .program import program_for
from .runtime import Interpreter
from .trace import Assumption
from .world import World

DEFAULT_PATH_BUDGET = 20_000         # runs per exploration; then the result is marked incomplete
BOOL_KNOBS = tuple(f.name for f in fields(World) if f.type in ("bool", bool) or str(f.type) == "bool")


class PathState:
    """The literals decided on the path being run (symbol index -> bool)."""
    __slots__ = ("assign", "queued", "order")

    def __init__(self, assign: dict[int, bool]):
        self.assign = dict(assign)
        self.queued: list[dict[int, bool]] = []
        self.order: list[int] = []

    def decide(self, i: int) -> bool:
        v = self.assign.get(i)
        if v is None:
            sibling = dict(self.assign)
            sibling[i] = True
            self.queued.append(sibling)
            self.assign[i] = v = False
            self.order.append(i)
        return v


class FlagBits(Symbolic):
    """A flag word: plain bits `base` | the bits of symbols that are set.
    `syms` holds (symbol index, bit) for symbols whose bit is not in base."""
    __slots__ = ("base", "syms", "state")

    def __init__(self, base: int, syms: tuple, state: PathState):
        self.base = base
        self.syms = syms
        self.state = state

    def _live(self):
        """Drop symbols this path has decided (folding set ones into base)."""
        base, live, assign = self.base, [], self.state.assign
        for i, bit in self.syms:
            v = assign.get(i)
            if v is None:
                live.append((i, bit))
            elif v:
                base |= bit
        return base, live

    def concrete(self) -> int:
        base, live = self._live()
        for i, bit in live:
            if self.state.decide(i):
                base |= bit
        return base

    def truth(self) -> bool:
        base, live = self._live()
        if base:
            return True
        for i, _ in live:          # "any of these set": one literal at a time
            if self.state.decide(i):
                return True
        return False

    def truth_if_known(self) -> bool:
        """The truth where the decided literals fix it, else False, deciding nothing."""
        base, live = self._live()
        return bool(base)

    def any_of(self, mask: int) -> bool:
        base, live = self._live()
        if base & mask:
            return True
        for i, bit in live:
            if bit & mask and self.state.decide(i):
                return True
        return False

    def equals(self, other: int) -> bool:
        """self == other, deciding symbols only until the answer is known."""
        base, live = self._live()
        bits = 0
        for _, bit in live:
            bits |= bit
        if base & ~other or (other & ~base & ~bits):
            return False
        for i, bit in live:
            if self.state.decide(i) != bool(other & bit):
                return False
        return True

    def _make(self, base, live, t):
        if not live:
            return wrap(base, t)
        return FlagBits(base, tuple(live), self.state)

    def combine(self, op, x, y, t):
        if op in ("&", "|") and (x.__class__ is int or y.__class__ is int):
            mask = x if x.__class__ is int else y
            base, live = self._live()
            if op == "&":
                return self._make(base & mask, [(i, b) for i, b in live if b & mask], t)
            base |= mask
            return self._make(base, [(i, b) for i, b in live if not b & base], t)
        x, y = Symbolic.settle(x), Symbolic.settle(y)
        if x.__class__ is not int or y.__class__ is not int:
            return x if y == 0 and op in ("|", "^", "+", "-") else 0 if op == "&" else _unknown(op, x, y)
        fn = {"+": int.__add__, "-": int.__sub__, "*": int.__mul__, "&": int.__and__, "|": int.__or__,
              "^": int.__xor__}[op]
        return wrap(fn(x, y), t)

    def __repr__(self) -> str:
        return f"flags({self.base:#x} | {len(self.syms)} symbols)"


def _unknown(op, x, y):
    return Unknown(f"{utext(x)} {op} {utext(y)}")


# -- runs of an exploration ---------------------------------------------------

def silent_ifs(program, module: Module) -> frozenset:
    """Start bytes of the `if`s whose branches only hold World calls with pure
    arguments and a dropped value (`if (clone_flags & CLONE_PARENT_SETTID)
    put_user(nr, args->parent_tid);`): the statements a run that records
    nothing skips anyway (statements.py, ExprCompiler.answered_by_world), so
    which branch runs changes nothing and the path need not split there.
    Each such flag used to double every path that reached it."""
    ec = ExprCompiler(program, module, "", {})

    def silent(stmt) -> bool:
        if stmt is None or stmt.type == "comment":
            return True
        if stmt.type == "else_clause":
            return all(silent(c) for c in stmt.named_children)
        if stmt.type == "compound_statement":
            return all(silent(c) for c in stmt.named_children)
        if stmt.type != "expression_statement":
            return False
        kids = [c for c in stmt.named_children if c.type != "comment"]
        return not kids or (len(kids) == 1 and ec.answered_by_world(kids[0]))

    found = set()
    for fn in module.functions.values():
        stack = [fn.node]
        while stack:
            node = stack.pop()
            if node.type == "if_statement" and silent(node.child_by_field_name("consequence")) \
                    and silent(node.child_by_field_name("alternative")):
                found.add(node.start_byte)
            stack.extend(node.named_children)
    return frozenset(found)


class _PathRun(Interpreter):
    """One run of an exploration.  It records no steps (a path needs only its
    outcome); with `depends` it still notes the branches on values the World
    does not pin, and a flag test of a silent `if` is answered without a split."""
    silent: frozenset = frozenset()
    depends = False

    def decide(self, v, fr, node, what, meta=None):
        if v.__class__ is FlagBits:
            if what == "if" and node.start_byte in self.silent:
                return v.truth_if_known()
            return v.truth()
        if self.depends and isinstance(v, Unknown):
            m = meta or (fr.fn.name, "", node.start_point[0] + 1, node.end_point[0] + 1)
            self.assumptions.append(Assumption(m[0], m[2], v.text, "false (unknown to the executor)"))
            return False
        return super().decide(v, fr, node, what, meta)


def _path_runs(silent: frozenset, depends: bool):
    def make(program, world, record=False, budget=DEFAULT_BUDGET):
        interp = _PathRun(program, world, record=False, budget=budget)
        interp.silent = silent
        interp.depends = depends
        return interp
    return make


@dataclass
class Path:
    assign: dict[int, bool]          # symbol index -> set?  (flags first, then knobs)
    outcome: str                     # "ok", "EINVAL", ..., "unknown"
    function: str | None
    line: int | None
    reason: str | None = None        # why unknown: what the outcome depends on
    unknowns: tuple = ()             # conditions on values the World does not pin, taken as false
    steps: int = 0                   # statements run: how far into the code the outcome was decided


@dataclass
class Exploration:
    label: str | None
    entry: str
    flags: list[str]
    values: dict[str, int]
    knobs: list[str]
    paths: list[Path] = field(default_factory=list)
    open: list[dict[int, bool]] = field(default_factory=list)   # cubes not explored (budget hit)

    @property
    def symbols(self) -> list[str]:
        return self.flags + self.knobs

    @property
    def complete(self) -> bool:
        return not self.open


def explore(module: Module, flags: list[str] | None = None, entry: str | None = None,
            world: World | None = None, knobs: list[str] | None = None, config: dict | None = None,
            budget: int = DEFAULT_BUDGET, path_budget: int = DEFAULT_PATH_BUDGET,
            values: dict[str, int] | None = None, depends: bool = True) -> Exploration:
    """Every path of `entry` over the named flag bits (default: every CLONE_*
    flag of the version) and boolean World knobs.  `values` overrides a name's
    bit (compare passes a name only one version defines by value).  With
    `depends`, runs record their steps so that each path lists the branch
    conditions on values the World does not pin (decided false), which the
    outcome may depend on (about twice the time)."""
    program = program_for(module, config)
    table = program.flags
    name = resolve_entry(module, entry)
    world = World() if world is None else world
    _check_failures(module, world)
    if budget <= 0 or path_budget <= 0:
        raise ExecutionError("the step and path budgets must be positive")
    if flags is None:
        flags = default_flags(module, config)
    if len(set(flags)) != len(flags):
        raise ExecutionError("a flag is named twice")
    vals = {}
    for f in flags:
        vals[f] = values[f] if values and f in values else table.value(f)
        if vals[f] <= 0 or vals[f] & (vals[f] - 1):
            raise ExecutionError("{name} is not a single bit ({value:#x}); rules take one-bit flags",
                                 name=f, value=vals[f])
    knobs = list(knobs or [])
    for k in knobs:
        if k not in BOOL_KNOBS:
            raise ExecutionError("unknown knob {knob!r}; boolean knobs: {knobs}", knob=k, knobs=", ".join(BOOL_KNOBS))
    if len(set(knobs)) != len(knobs):
        raise ExecutionError("a knob is named twice")
    result = Exploration(module.label, name, list(flags), vals, knobs)
    n = len(flags)
    syms = tuple((i, vals[f]) for i, f in enumerate(flags))
    runs = 0
    make = _path_runs(silent_ifs(program, module), depends)
    paused = gc.isenabled()
    gc.disable()
    try:
        knob_sets = list(itertools.product((False, True), repeat=len(knobs)))
        for done, knob_values in enumerate(knob_sets):
            w = world
            fixed = {}
            if result.open:     # budget spent: the knob assignments not started stay open
                result.open.extend({n + j: v for j, v in enumerate(kv)} for kv in knob_sets[done:])
                break
            if knobs:
                w = World(**{f.name: getattr(world, f.name) for f in fields(World)})
                for j, (k, v) in enumerate(zip(knobs, knob_values)):
                    setattr(w, k, v)
                    fixed[n + j] = v
            work = [dict(fixed)]
            while work:
                if runs >= path_budget:
                    result.open.extend(work)
                    break
                assign = work.pop()
                state = PathState(assign)
                word = FlagBits(0, syms, state)
                trace = _interpret(program, module, name, word, w, budget, False, make)
                runs += 1
                work.extend(reversed(state.queued))
                o = trace.outcome
                out = "ok" if o.result == "ok" else o.errno if o.result == "error" else "unknown"
                unknowns = tuple(dict.fromkeys(f"{a.what} ({a.function}:{a.line})" for a in trace.assumptions
                                               if a.answer.startswith("false (unknown")))
                result.paths.append(Path(state.assign, out, o.function, o.line,
                                         o.reason if out == "unknown" else None, unknowns, trace.step_count))
    finally:
        if paused:
            gc.enable()
    return result


def default_flags(module: Module, config: dict | None = None) -> list[str]:
    """Every one-bit CLONE_* flag the version defines, by bit."""
    table = program_for(module, config).flags
    return [k for k, v in sorted(table.values.items(), key=lambda kv: (kv[1], kv[0]))
            if k.startswith("CLONE_") and v > 0 and not v & (v - 1)]


__all__ = ["explore", "Exploration", "Path", "FlagBits", "default_flags", "BOOL_KNOBS", "DEFAULT_PATH_BUDGET"]
