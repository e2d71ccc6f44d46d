"""The rules of clone(): the paths of a symbolic exploration (symbolic.py)
simplified into one readable rule per outcome and deciding line, and the
rules that changed between two versions.

A path's condition is a cube: a conjunction of literals over the symbols,
kept as two bit masks (which symbols it mentions, which of those are set).
The paths' cubes are disjoint and cover the space, so merging two cubes of
the same rule that differ in exactly one literal keeps them disjoint, and a
rule's `combinations` is a sum of powers of two: computed, never enumerated.

    doc = rules_doc(explore(load("debian-6.12"), entry="sys_clone"))
    doc["rules"][0]["text"]        # 'CLONE_THREAD && !CLONE_SIGHAND'
"""
from __future__ import annotations

from ..cparse.module import Module
from ..errors import ExecutionError
from ..i18n import N_, Message
from .compare import _check_pair, parse_flags, resolve_entries
from .symbolic import Exploration, default_flags, explore

Cube = tuple[int, int]          # (mask of mentioned symbols, mask of those set)


def cube_of(assign: dict[int, bool]) -> Cube:
    mask = val = 0
    for i, v in assign.items():
        mask |= 1 << i
        if v:
            val |= 1 << i
    return mask, val


def merge(cubes: list[Cube]) -> list[Cube]:
    """Merge disjoint cubes that differ in one literal until none do
    (the union stays exactly the same set of combinations)."""
    by_mask: dict[int, set[int]] = {}
    for m, v in cubes:
        by_mask.setdefault(m, set()).add(v)
    changed = True
    while changed:
        changed = False
        for m in sorted(by_mask, key=lambda k: -bin(k).count("1")):
            vals = by_mask.get(m)
            if not vals:
                continue
            bit = m
            while bit:
                low = bit & -bit
                bit ^= low
                for v in sorted(vals):
                    if v & low or v not in vals:
                        continue
                    partner = v | low
                    if partner in vals:
                        vals.discard(v)
                        vals.discard(partner)
                        by_mask.setdefault(m ^ low, set()).add(v)
                        changed = True
            if not vals:
                del by_mask[m]
    out = [(m, v) for m, vals in by_mask.items() for v in vals]
    return sorted(out, key=lambda c: (bin(c[0]).count("1"), c[0], c[1]))


def _meets(a: Cube, b: Cube) -> bool:
    return not (a[1] ^ b[1]) & a[0] & b[0]


def _within(a: Cube, b: Cube) -> bool:
    """Every combination of a satisfies b."""
    return a[0] & b[0] == b[0] and a[1] & b[0] == b[1]


def simplify(groups: dict) -> dict:
    """Readable covers: each group's merged cubes, each literal dropped where
    the larger cube still meets no other group's cube (so the cover stays
    exact), then only the cubes needed to cover the group's own."""
    merged = {k: merge(v) for k, v in groups.items()}
    return {key: _cover(own, [c for k, cs in merged.items() if k != key for c in cs])
            for key, own in merged.items()}


def first_match(groups: dict, order: list) -> dict:
    """Covers to read top to bottom: group order[i]'s cubes may grow into the
    combinations of the groups above it (the first rule that matches wins),
    never into those below."""
    merged = {k: merge(v) for k, v in groups.items()}
    out = {}
    for i, key in enumerate(order):
        own = merged[key]
        later = [c for k in order[i + 1:] for c in merged[k]] + \
            [c for k, cs in merged.items() if k not in order for c in cs]
        out[key] = _cover(own, later)
    return out


def _cover(own: list[Cube], others: list[Cube]) -> list[Cube]:
    grown = []
    for m, v in own:
        bit = m
        while bit:
            low = bit & -bit
            bit ^= low
            cand = (m ^ low, v & ~low)
            if not any(_meets(cand, o) for o in others):
                m, v = cand
        grown.append((m, v))
    chosen: list[Cube] = []
    for c in sorted(set(grown), key=lambda c: (bin(c[0]).count("1"), c)):
        if any(_within(o, c) and not any(_within(o, d) for d in chosen) for o in own):
            chosen.append(c)
    return chosen


def count(cube: Cube, n: int) -> int:
    return 1 << (n - bin(cube[0]).count("1"))


def literals(cube: Cube, names: list[str]) -> list[dict]:
    m, v = cube
    return [{"name": names[i], "set": bool(v >> i & 1)} for i in range(len(names)) if m >> i & 1]


# The condition of a rule that every combination meets (a cube with no literal): the
# one word among the flag names of a rule's text, said in the reader's language by a page.
ALWAYS = N_("always")


def cube_text(cube: Cube, names: list[str]) -> str:
    lits = literals(cube, names)
    return " && ".join(("" if lit["set"] else "!") + lit["name"] for lit in lits) or ALWAYS


def when_text(cubes: list[Cube], names: list[str]) -> str:
    parts = [cube_text(c, names) for c in cubes]
    if len(parts) == 1:
        return parts[0]
    return " || ".join(f"({p})" if "&&" in p else p for p in parts)


def rules_doc(ex: Exploration) -> dict:
    """The JSON document of `fork-explorer rules`."""
    names = ex.symbols
    n = len(names)
    groups: dict[tuple, list[Cube]] = {}
    reasons: dict[tuple, list[str]] = {}
    for p in ex.paths:
        key = (p.outcome, p.function, p.line)
        groups.setdefault(key, []).append(cube_of(p.assign))
        seen = reasons.setdefault(key, [])
        for why in ((p.reason,) if p.reason else ()) + p.unknowns:
            if why not in seen:
                seen.append(why)
    rules = []
    if not ex.complete:        # unexplored space is nobody's: no rule may grow into it
        groups[("?", None, None)] = [cube_of(a) for a in ex.open]
    readable = simplify(groups)
    # reading order: the order the code reaches its decisions (fewest statements run first),
    # success last ("otherwise")
    reached: dict[tuple, int] = {}
    for p in ex.paths:
        key = (p.outcome, p.function, p.line)
        reached[key] = min(reached.get(key, p.steps), p.steps)
    order = sorted((k for k in groups if k[0] != "?"),
                   key=lambda k: (k[0] == "ok", reached[k], k[1] or "", k[2] or 0))
    ordered = first_match(groups, order)
    for (outcome, function, line), cubes in groups.items():
        if outcome == "?":
            continue
        shown = readable[(outcome, function, line)]
        rules.append({"outcome": outcome, "function": function, "line": line,
                      "when": [literals(c, names) for c in shown], "text": when_text(shown, names),
                      "order": order.index((outcome, function, line)),
                      "first_match": when_text(ordered[(outcome, function, line)], names),
                      "first_when": [literals(c, names) for c in ordered[(outcome, function, line)]],
                      "combinations": sum(count(c, n) for c in cubes),
                      "depends_on": reasons.get((outcome, function, line), [])})
    rules.sort(key=lambda r: r["order"])
    doc = {"label": ex.label, "entry": ex.entry, "flags": list(ex.flags), "values": dict(ex.values),
           "knobs": list(ex.knobs), "rules": rules, "paths": len(ex.paths), "total": 1 << n,
           "complete": ex.complete}
    if not ex.complete:
        cubes = merge([cube_of(a) for a in ex.open])
        reason = Message("path budget reached: these combinations were not explored")
        doc["incomplete"] = {"reason": str(reason), "message": reason.to_json(),
                             "when": [literals(c, names) for c in cubes], "text": when_text(cubes, names),
                             "combinations": sum(count(c, n) for c in cubes)}
    return doc


def rule_for(doc: dict, flags: int, knobs: dict[str, bool] | None = None) -> dict | None:
    """The rule a concrete flag word (and knob values) falls under."""
    knobs = knobs or {}
    for rule in doc["rules"]:
        for conj in rule["when"]:
            if all((bool(flags & doc["values"][lit["name"]]) if lit["name"] in doc["values"]
                    else bool(knobs.get(lit["name"]))) == lit["set"] for lit in conj):
                return rule
    return None


def compare_doc(a: Module, b: Module, flags: list[str] | None = None, entry: str | None = None, world=None,
                knobs: list[str] | None = None, config: dict | None = None, **budgets) -> dict:
    """`rules A --compare B`: exactly the combinations whose outcome differs,
    as conditions, with the deciding lines on both sides.  Bits go by value
    to both versions (compare.parse_flags: a name only one defines is passed
    by its value to the other, as the sweep compare does)."""
    _check_pair(a, b)
    entry_a, entry_b = resolve_entries(a, b, entry)
    if flags is None:
        fa = default_flags(a, config)
        fb = set(default_flags(b, config))
        flags = [f for f in fa if f in fb]
    values = {f: parse_flags(f, a, b, config).value for f in flags}
    ea = explore(a, flags, entry_a, world, knobs, config, values=values, **budgets)
    eb = explore(b, flags, entry_b, world, knobs, config, values=values, **budgets)
    names = ea.symbols
    n = len(names)
    pa = [(cube_of(p.assign), p) for p in ea.paths]
    pb = [(cube_of(p.assign), p) for p in eb.paths]
    groups: dict[tuple, list[Cube]] = {}
    for (ma, va), x in pa:
        for (mb, vb), y in pb:
            if (va ^ vb) & ma & mb:
                continue
            key = ((x.outcome, x.function, x.line), (y.outcome, y.function, y.line)) \
                if x.outcome != y.outcome else "same"
            groups.setdefault(key, []).append((ma | mb, va | vb))
    for i, c in enumerate([cube_of(o) for e in (ea, eb) for o in e.open]):
        groups.setdefault("open", []).append(c)
    readable = simplify(groups)
    # each side's rule, read top to bottom in its own table: a change is exactly A's rule and B's rule
    side_rules = [{(r["outcome"], r["function"], r["line"]): r for r in rules_doc(e)["rules"]} for e in (ea, eb)]
    changed = []
    for key, cubes in groups.items():
        if key in ("same", "open"):
            continue
        sa, sb = key
        shown = readable[key]
        changed.append({"when": [literals(c, names) for c in shown], "text": when_text(shown, names),
                        "a": {"outcome": sa[0], "function": sa[1], "line": sa[2],
                              "rule": side_rules[0][sa]["first_match"], "order": side_rules[0][sa]["order"]},
                        "b": {"outcome": sb[0], "function": sb[1], "line": sb[2],
                              "rule": side_rules[1][sb]["first_match"], "order": side_rules[1][sb]["order"]},
                        "combinations": sum(count(c, n) for c in cubes)})
    changed.sort(key=lambda c: (-c["combinations"], c["text"]))
    doc = {"a": a.label, "b": b.label, "entry_a": entry_a, "entry_b": entry_b, "flags": list(flags),
           "values": values, "knobs": list(ea.knobs), "changed": changed,
           "total": 1 << n, "complete": ea.complete and eb.complete}
    if not doc["complete"]:
        short = [e.label or "?" for e in (ea, eb) if not e.complete]
        said = (Message("path budget reached in {a} and {b}: the changes listed are real, others may be missing",
                        a=short[0], b=short[1]) if len(short) == 2 else
                Message("path budget reached in {label}: the changes listed are real, others may be missing",
                        label=short[0]))
        doc["incomplete"] = str(said)                       # the English line (CLI, --json)
        doc["incomplete_message"] = said.to_json()          # the same, to be said in a reader's language
    return doc


MAX_SYMBOLS = 40


def check_symbols(flags: list[str] | None, knobs: list[str] | None) -> None:
    total = len(flags or []) + len(knobs or [])
    if total > MAX_SYMBOLS:
        raise ExecutionError("{total} symbols is more than the {most} rules takes", total=total, most=MAX_SYMBOLS)


__all__ = ["rules_doc", "compare_doc", "rule_for", "merge", "cube_text", "check_symbols"]
