"""Differential execution: the same clone() flag bits through two versions.

Bits are passed by value, as the real kernels would receive them.  A name is
looked up in each version's flag table; a name only one version defines is
passed by its value there too (the other kernel gets the same bit, whatever
it calls it), with a note.  A bit two versions name differently is shown
under both names: 0x02000000 is CLONE_STOPPED in 2.6.32 and CLONE_NEWCGROUP
from 4.6.  A bit a version does not define means nothing to it: legacy
clone() has never rejected unknown bits, and `unknown_bit_checks()` shows
where a file does mask unknown bits (unshare, and clone3 from 5.3), which is
never on the legacy fork path.

    from explorer.executor.compare import sweep_compare, trace_compare
    doc = sweep_compare(load("v2.6.32.69"), load("debian-6.12"), ["CLONE_THREAD", "CLONE_NEWUSER"])
    cmp = trace_compare(a, b, "CLONE_NEWUSER|CLONE_THREAD")   # .trace_a, .trace_b, .parting, .to_dict()
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..cparse.module import Module
from ..diff.guards import find_guards
from ..diff.lineage import resolve_in
from ..errors import ExecutionError, LabelError, LookupFailure
from ..i18n import Message
from ..pairing import pair_guards
from . import program_for, resolve_entry, run, subsets
from .entries import DEFAULT_BUDGET
from .flags import FlagTable
from .symbolic import explore
from .trace import Trace
from .world import World

MAX_SWEEP_FLAGS = 16

# `flags & ~(CLONE_...` possibly across lines: a check that rejects bits it does not know.
_MASK = re.compile(rb"\b\w*flags\s*&\s*~\s*\(\s*(?:\(\s*\w+\s*\)\s*)?CLONE_")


@dataclass
class FlagWord:
    """One flag word as both versions see it."""
    value: int
    bits: list[dict]              # [{"value", "a": name|None, "b": name|None}] for every set bit
    messages: list[Message] = field(default_factory=list)   # what it means, said in a reader's language

    @property
    def notes(self) -> list[str]:
        """The messages in English (the CLI's and --json's words)."""
        return [str(m) for m in self.messages]


def _check_pair(a: Module, b: Module) -> None:
    if a.label is not None and a.label == b.label:
        raise LabelError("compare needs two different versions, got {label} twice", label=a.label)


def _bit_name(table: FlagTable, bit: int) -> str | None:
    return next((n for n, v in table.values.items() if v == bit and n != "CSIGNAL"), None)


def spell_bits(value: int, table_a: FlagTable, table_b: FlagTable) -> list[dict]:
    """Every set bit of value with its name in each version (None: undefined there)."""
    out = []
    bit = 1
    while bit <= value:
        if value & bit:
            out.append({"value": bit, "a": _bit_name(table_a, bit), "b": _bit_name(table_b, bit)})
        bit <<= 1
    return out


def _name_value(name: str, tables: dict[str, FlagTable]) -> tuple[int, list[Message]]:
    """A flag name's value in whichever version defines it, and the notes."""
    found = {lb: t.values[name] for lb, t in tables.items() if name in t.values}
    a_label, b_label = (list(tables) * 2)[:2]     # the two versions (compare refuses one twice)
    if not found:
        raise ExecutionError("neither {a} nor {b} defines a clone flag {name!r}", a=a_label, b=b_label, name=name)
    values = set(found.values())
    if len(values) > 1:   # never seen in real headers, but a vendor tree could do it
        raise ExecutionError("{name} has different values in {a} ({value_a:#x}) and {b} ({value_b:#x}); "
                             "pass the bit by value", name=name, a=a_label, b=b_label,
                             value_a=found[a_label], value_b=found[b_label])
    value = values.pop()
    notes = []
    for lb, t in tables.items():
        if lb in found:
            continue
        other = _bit_name(t, value)
        if other:
            what = Message("which {label} calls {name}", label=lb, name=other)
        elif value & t.values.get("CSIGNAL", 0xff) == value:
            what = Message("inside CSIGNAL in {label}: part of the exit signal number, not a flag", label=lb)
        else:
            what = Message("a bit that means nothing to {label}", label=lb)
        notes.append(Message("{name} is not defined in {label}; passed by value {value:#x}, {what}", name=name,
                             label=lb, value=value, what=what))
    return value, notes


def parse_flags(expr, a: Module, b: Module, config: dict | None = None) -> FlagWord:
    """'CLONE_VM|CLONE_STOPPED|0x10' for two versions: names from either, numbers as they are."""
    ta, tb = program_for(a, config).flags, program_for(b, config).flags
    tables = {a.label or "A": ta, b.label or "B": tb}
    if isinstance(expr, int):
        total, notes = expr, []
    else:
        if expr is None or not str(expr).strip():
            raise ExecutionError("empty flags expression")
        total, notes = 0, []
        for part in str(expr).replace(",", "|").split("|"):
            part = part.strip()
            if re.fullmatch(r"0[xX][0-9a-fA-F]+|\d+", part):
                total |= int(part, 0)
            elif re.fullmatch(r"[A-Za-z_]\w*", part):
                v, n = _name_value(part, tables)
                total |= v
                notes += n
            else:
                raise ExecutionError("bad flags expression {expr!r}", expr=expr)
    if total < 0 or total >= 1 << 64:
        raise ExecutionError("flags must be an unsigned 64-bit number, not {total!r}", total=total)
    bits = spell_bits(total, ta, tb)
    for bit in bits:
        if bit["a"] and bit["b"] and bit["a"] != bit["b"]:
            notes.append(Message("{value} is {name_a} in {label_a} and {name_b} in {label_b}",
                                 value=f"{bit['value']:#x}", name_a=bit["a"], label_a=a.label, name_b=bit["b"],
                                 label_b=b.label))
    return FlagWord(total, bits, _dedupe(notes))


def _dedupe(items: list[Message]) -> list[Message]:
    return list(dict.fromkeys(items))


def unknown_bit_checks(mod: Module) -> list[dict]:
    """Where the file rejects flag bits it does not know: [{"function", "line"}].
    A version whose fork entry path has none passes unknown bits straight on."""
    out = []
    for m in _MASK.finditer(mod.source):
        line = mod.source.count(b"\n", 0, m.start()) + 1
        fn = next((f.name for f in mod.functions.values() if f.start_byte <= m.start() < f.end_byte), None)
        out.append({"function": fn, "line": line})
    return out


def _reachable(mod: Module, entry: str) -> set[str]:
    """The functions of the file that `entry` may call, directly or not (by name in the text)."""
    seen, todo = {entry}, [entry]
    call = re.compile(rb"\b([A-Za-z_]\w*)\s*\(")
    while todo:
        fn = mod.functions[todo.pop()]
        for m in call.finditer(mod.source, fn.start_byte, fn.end_byte):
            name = m.group(1).decode()
            if name in mod.functions and name not in seen:
                seen.add(name)
                todo.append(name)
    return seen


def _inert_bits(mod: Module, table: FlagTable, value: int, entry: str) -> int:
    """The bits of value this version does not define (above CSIGNAL) when
    nothing reachable from entry checks for unknown bits; else 0."""
    unknown = 0
    for b in spell_bits(value, table, table):
        if b["a"] is None and b["value"] > table.values.get("CSIGNAL", 0xff):
            unknown |= b["value"]
    if not unknown:
        return 0
    reach = _reachable(mod, entry)
    if any(w["function"] in reach for w in unknown_bit_checks(mod)):
        return 0
    return unknown


def unknown_bits_note(mod: Module, table: FlagTable, value: int, entry: str) -> Message | None:
    """Why a bit this version does not define is simply carried along from `entry`
    (str() of it is the English sentence)."""
    unknown = [b["value"] for b in spell_bits(value, table, table) if b["a"] is None and b["value"] > 0xff]
    if not unknown:
        return None
    where = unknown_bit_checks(mod)
    reach = _reachable(mod, entry)
    on_path = [w for w in where if w["function"] in reach]
    places = ", ".join(f"{w['function']}:{w['line']}" for w in where) or Message("nowhere")
    bits = "|".join(f"{u:#x}" for u in unknown)
    if on_path:
        return Message("{bits} is undefined in {label}; {entry} reaches a check for unknown flag bits at {places}",
                       bits=bits, label=mod.label, entry=entry,
                       places=", ".join(f"{w['function']}:{w['line']}" for w in on_path))
    return Message("{bits} means nothing to {label}: legacy clone() never rejects unknown bits; "
                   "the only checks for unknown flag bits in its fork.c are at {places}, "
                   "none of them reachable from {entry}", bits=bits, label=mod.label, places=places, entry=entry)


def resolve_entries(a: Module, b: Module, entry: str | None) -> tuple[str, str]:
    """Each version's function for --entry (default: the fork entry); do_fork
    names the fork entry of either version through the lineage."""
    if entry is None:
        return resolve_entry(a, None), resolve_entry(b, None)
    names = []
    for mod in (a, b):
        name = entry if entry in mod.functions else resolve_in(mod, entry)
        if name is None or name not in mod.functions:
            hint = Message(" (before 3.9 the clone syscalls live in arch code, not in fork.c)") \
                if entry.removeprefix("sys_") in ("fork", "vfork", "clone") else ""
            raise LookupFailure("{label} defines no {entry!r}{hint}; --entry must name a function both have",
                                label=mod.label, entry=entry, hint=hint)
        names.append(resolve_entry(mod, name))
    return names[0], names[1]


def _side(trace: Trace) -> dict:
    o = trace.outcome
    word = "ok" if o.result == "ok" else o.errno if o.result == "error" else "unknown"
    return {"outcome": word, "function": o.function, "line": o.line}


def sweep_compare(a: Module, b: Module, names: list[str], entry: str | None = None, world: World | None = None,
                  config: dict | None = None, budget: int = DEFAULT_BUDGET, symbolic: bool = True) -> dict:
    """Every subset of the named flags through both versions.
    {"a", "b", "entry_a", "entry_b", "flags": names, "results": [{"flags": int,
     "a": {"outcome", "function", "line"}, "b": {...}}], "differ": int, "notes", "bits"}
    symbolic=False runs every subset on its own (the same answers, ten times the runs)."""
    _check_pair(a, b)
    if not names:
        raise ExecutionError("sweep needs at least one flag name")
    if len(names) > MAX_SWEEP_FLAGS:
        raise ExecutionError("sweep takes at most {most} flags, got {n}", most=MAX_SWEEP_FLAGS, n=len(names))
    if len(set(names)) != len(names):
        raise ExecutionError("a flag is named twice")
    entry_a, entry_b = resolve_entries(a, b, entry)
    words = [parse_flags(n, a, b, config) for n in names]
    world = World() if world is None else world
    every = 0
    for w in words:
        every |= w.value
    values = [w.value for w in words]
    if symbolic and _one_bit_each(values):
        # The symbolic exploration (symbolic.py) answers every subset with one run
        # per path: some 600 runs for both versions instead of 6,144 for twelve flags.
        # It is exact (each path is a real run whose literals pin every bit the code
        # looked at); what its path budget leaves open is run concretely.
        by_value = {n: w.value for n, w in zip(names, words)}
        side_a = _answers(a, names, by_value, entry_a, world, config, budget)
        side_b = _answers(b, names, by_value, entry_b, world, config, budget)
    else:                      # a multi-bit word, or two names for one bit: one run per subset
        side_a = _concrete_answers(a, program_for(a, config).flags, values, entry_a, world, config, budget)
        side_b = _concrete_answers(b, program_for(b, config).flags, values, entry_b, world, config, budget)
    results, differ = [], 0
    for value, ra, rb in zip(subsets(values), side_a, side_b):
        differ += ra["outcome"] != rb["outcome"]
        results.append({"flags": value, "a": dict(ra), "b": dict(rb)})
    notes = [n for w in words for n in w.messages]
    for mod in (a, b):
        notes.append(unknown_bits_note(mod, program_for(mod, config).flags, every,
                                       entry_a if mod is a else entry_b))
    notes = _dedupe([n for n in notes if n])
    return {"a": a.label, "b": b.label, "entry_a": entry_a, "entry_b": entry_b, "flags": list(names),
            "results": results, "differ": differ, "notes": [str(n) for n in notes],
            "note_messages": [n.to_json() for n in notes],     # the same, to be said in a reader's language
            "bits": [bit for w in words for bit in w.bits]}


def _one_bit_each(values: list[int]) -> bool:
    seen = 0
    for v in values:
        if v <= 0 or v & (v - 1) or v & seen:
            return False
        seen |= v
    return True


def _answers(mod: Module, names: list[str], by_value: dict[str, int], entry: str, world: World,
             config: dict | None, budget: int) -> list[dict]:
    """Each subset's {"outcome", "function", "line"}, in subsets() order (bit i of
    the index is names[i]), read off the paths of a symbolic exploration: a path's
    literals fix some bits, every value of the others gets its answer."""
    ex = explore(mod, names, entry, world, config=config, budget=budget, values=by_value, depends=False)
    full = (1 << len(names)) - 1
    out: list = [None] * (full + 1)
    for p in ex.paths:
        mask = val = 0
        for i, v in p.assign.items():
            mask |= 1 << i
            val |= v << i
        answer = {"outcome": p.outcome, "function": p.function, "line": p.line}
        free = full & ~mask
        sub = free
        while True:                # every subset of the free bits
            out[val | sub] = answer
            if not sub:
                break
            sub = (sub - 1) & free
    missing = [i for i, x in enumerate(out) if x is None]
    if missing:                    # the path budget left these open: run them one by one
        values = [by_value[n] for n in names]
        for i in missing:
            word = 0
            for k, v in enumerate(values):
                if i >> k & 1:
                    word |= v
            out[i] = _side(run(mod, word, entry, world, config, budget, record=False))
    return out


def _concrete_answers(mod: Module, table: FlagTable, values: list[int], entry: str, world: World,
                      config: dict | None, budget: int) -> list[dict]:
    """Each subset's answer from its own run.  A bit this version does not
    define, that no unknown-bit check reachable from its entry looks at,
    cannot change its answer: the version runs without it (once per word)."""
    every = 0
    for v in values:
        every |= v
    inert = _inert_bits(mod, table, every, entry)
    memo: dict[int, dict] = {}
    out = []
    for value in subsets(values):
        value &= ~inert
        got = memo.get(value)
        if got is None:
            got = memo[value] = _side(run(mod, value, entry, world, config, budget, record=False))
        out.append(got)
    return out


# -- one flag word, both traces, and where they part --------------------------

def _guard_results(mod: Module, trace: Trace) -> list[tuple[str, int, bool]]:
    """(function, line, taken) for each guard the trace evaluated, in order."""
    by_node = {}
    for fn in dict.fromkeys(s.function for s in trace.steps):
        if fn in mod.functions:
            for g in find_guards(mod, fn):
                by_node[g.node_id] = g
    out, done = [], set()
    for s in trace.steps:
        g = by_node.get(s.node_id) if s.event == "eval" else None
        if g is not None and g.node_id not in done:
            done.add(g.node_id)
            out.append((g.function, g.line, s.detail.startswith("true")))
    return out


def _parting(guards: list[dict], res_a, res_b) -> dict | None:
    """The first guard (in A's order, then B's) that one version takes and the
    other passes, skips or lacks, with its counterpart from the pair."""
    got = {"a": {(f, ln): t for f, ln, t in res_a}, "b": {(f, ln): t for f, ln, t in res_b}}
    for side, other, results in (("a", "b", res_a), ("b", "a", res_b)):
        for fn, line, taken in results:
            row = next((r for r in guards if r[side] is not None
                        and r["function_" + side] == fn and r[side]["line"] == line), None)
            if row is None:
                continue
            there = row[other]
            theirs = got[other].get((row["function_" + other], there["line"])) if there else None
            if taken != theirs and (taken or theirs):
                return {"side": side, "function_a": row["function_a"], "function_b": row["function_b"],
                        "a": row["a"], "b": row["b"], "status": row["status"],
                        "taken_a": taken if side == "a" else theirs, "taken_b": taken if side == "b" else theirs}
    return None


@dataclass
class Comparison:
    a: str
    b: str
    flags: FlagWord
    trace_a: Trace
    trace_b: Trace
    parting: dict | None
    messages: list[Message]       # the notes on bits, said in a reader's language (explorer.i18n.tell)

    @property
    def notes(self) -> list[str]:
        """The notes in English (the CLI's and --json's words)."""
        return [str(m) for m in self.messages]

    @property
    def same(self) -> bool:
        return _side(self.trace_a)["outcome"] == _side(self.trace_b)["outcome"]

    def to_dict(self) -> dict:
        return {"a": self.a, "b": self.b, "flags": self.flags.value, "bits": self.flags.bits,
                "notes": self.notes, "note_messages": [m.to_json() for m in self.messages], "same": self.same,
                "outcome_a": _side(self.trace_a), "outcome_b": _side(self.trace_b),
                "parting": self.parting,
                "trace_a": self.trace_a.to_dict(), "trace_b": self.trace_b.to_dict()}


def trace_compare(a: Module, b: Module, flags, entry: str | None = None, world: World | None = None,
                  config: dict | None = None, budget: int = DEFAULT_BUDGET) -> Comparison:
    """One flag word (an int or 'CLONE_X|...') through both versions."""
    _check_pair(a, b)
    entry_a, entry_b = resolve_entries(a, b, entry)
    word = parse_flags(flags, a, b, config)
    world = World() if world is None else world
    ta = run(a, word.value, entry_a, world, config, budget)
    tb = run(b, word.value, entry_b, world, config, budget)
    notes = list(word.messages)
    for mod, name in ((a, entry_a), (b, entry_b)):
        note = unknown_bits_note(mod, program_for(mod, config).flags, word.value, name)
        if note:
            notes.append(note)
    parting = _parting(pair_guards(a, b), _guard_results(a, ta), _guard_results(b, tb))
    return Comparison(a.label, b.label, word, ta, tb, parting, notes)


__all__ = ["sweep_compare", "trace_compare", "Comparison", "FlagWord", "parse_flags", "spell_bits",
           "unknown_bit_checks", "resolve_entries"]
