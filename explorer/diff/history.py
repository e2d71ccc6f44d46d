"""The history of every check of a function across versions.

Each guard also says where it is first and last present (in kernel-version
order) and the versions where its condition changed, so a history over
every release tag reads as a timeline.

For each version in release order the function is found through the
lineage (do_fork in 2.6 continues as kernel_clone), its guards are listed
(guards.py), and each guard is followed from the version before:
1. the same condition and errno: the same guard;
2. else the statement diff pairs the two `if`s (the condition was edited
   in place): changed;
3. else a guard with the same errno and a similar condition: changed;
otherwise the old one is absent and the new one starts a track of its own.

History reads each version through a small interface (VersionFacts): its
function names, the guards of one function, the `if`s the statement diff
pairs with the next file.  A parsed Module answers it directly
(ModuleFacts); explorer.diff.history_store answers it from what an earlier
run kept on disk, per distinct file, so a history over 100 tags parses
nothing the second time.
"""
from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Protocol

from rapidfuzz import fuzz

from ..cparse import Module
from ..errors import LookupFailure
from ..sources import sort_labels
from .guards import Guard, find_guards
from .lineage import resolve_among
from .treediff import match_trees, statement_tree

# Below this the conditions of two guards with one errno are different checks.
MIN_CONDITION_SIMILARITY = 0.75


@dataclass
class Track:
    """One guard through the versions: label -> Guard (missing key: absent)."""
    seen: dict = field(default_factory=dict)
    first: str = ""

    def last(self) -> Guard:
        return self.seen[next(reversed(self.seen))]

    @property
    def id(self) -> str:
        g = self.seen[self.first]
        return f"{g.errno}@{self.first}:{g.line}"


@dataclass
class History:
    function: str
    labels: list[str]
    names: dict                 # label -> the function's name there, or None
    tracks: list[Track]

    def as_dict(self) -> dict:
        guards = []
        for t in self.tracks:
            present = {}
            prev: Guard | None = None
            for label in self.labels:
                g = t.seen.get(label)
                if g is None:
                    present[label] = {"status": "absent", "condition": None, "line": None}
                    continue
                entry = {"status": "same", "condition": g.condition, "line": g.line, "errno": g.errno,
                         "exit": g.exit, "function": g.function}
                if prev is None:
                    entry["new"] = label != self.labels[0] and self.names.get(label) is not None
                elif prev.key != g.key or prev.errno != g.errno:
                    entry["status"] = "changed"
                    entry["previous_condition"] = prev.condition
                    if prev.errno != g.errno:
                        entry["previous_errno"] = prev.errno
                present[label] = entry
                prev = g
            changes = [{"label": lb, "from": e["previous_condition"], "to": e["condition"]}
                       | ({"from_errno": e["previous_errno"], "to_errno": e["errno"]} if "previous_errno" in e else {})
                       for lb, e in present.items() if e["status"] == "changed"]
            guards.append({"id": t.id, "errno": t.last().errno, "present": present,
                           "first": t.first, "last": next(reversed(t.seen)), "changes": changes})
        return {"function": self.function, "versions": list(self.labels), "names": dict(self.names),
                "guards": guards}


class VersionFacts(Protocol):
    """What history reads of one version."""
    label: str
    identity: object            # equal for versions with the same file (aliases)

    def functions(self) -> Collection[str]: ...

    def guards(self, name: str) -> list[Guard]: ...

    def if_pairs(self, name: str, newer: "VersionFacts", newer_name: str) -> dict[int, int]: ...


class ModuleFacts:
    """VersionFacts of a parsed Module."""

    def __init__(self, mod: Module):
        self.mod = mod
        self.label = mod.label
        self.identity = mod.source

    def functions(self) -> Collection[str]:
        return self.mod.functions

    def guards(self, name: str) -> list[Guard]:
        return find_guards(self.mod, name)

    def if_pairs(self, name: str, newer: "VersionFacts", newer_name: str) -> dict[int, int]:
        return pair_ifs(self.mod, name, newer.mod, newer_name)


def pair_ifs(a: Module, name_a: str, b: Module, name_b: str) -> dict[int, int]:
    """start_byte of an `if` in A -> start_byte of the `if` the statement diff pairs it with in B."""
    m = match_trees(statement_tree(a, name_a), statement_tree(b, name_b))
    return {x.start_byte: y.start_byte for x, y in m.ab.items()
            if x.kind == "if_statement" and y.kind == "if_statement"}


def _follow(prev_ver: VersionFacts, prev_name: str, prev: list[tuple[Track, Guard]],
            ver: VersionFacts, name: str, cur: list[Guard]) -> list[tuple[Track, Guard]]:
    """Pairs (track, guard of this version); guards left over start no track here."""
    out = []
    free_prev = list(prev)
    free_cur = list(cur)
    # 1. same condition, same errno (in order, so twin guards pair up in order)
    for g in list(free_cur):
        hit = next((p for p in free_prev if p[1].key == g.key and p[1].errno == g.errno), None)
        if hit is not None:
            out.append((hit[0], g))
            free_prev.remove(hit)
            free_cur.remove(g)
    # 2. the statement diff kept the `if` in place with an edited condition
    if free_prev and free_cur:
        live = [p for p in free_prev if p[0].seen.get(prev_ver.label) is p[1]]
        if live:
            pairs = prev_ver.if_pairs(prev_name, ver, name)
            for p in live:
                target = pairs.get(p[1].start_byte)
                g = next((c for c in free_cur if c.start_byte == target), None)
                if g is not None:
                    out.append((p[0], g))
                    free_prev.remove(p)
                    free_cur.remove(g)
    # 3. same errno, similar condition
    cands = sorted(((fuzz.ratio(p[1].condition, g.condition) / 100.0, i, j)
                    for i, p in enumerate(free_prev) for j, g in enumerate(free_cur)
                    if p[1].errno == g.errno), reverse=True)
    used_p, used_c = set(), set()
    for score, i, j in cands:
        if score < MIN_CONDITION_SIMILARITY:
            break
        if i in used_p or j in used_c:
            continue
        used_p.add(i)
        used_c.add(j)
        out.append((free_prev[i][0], free_cur[j]))
    for j, g in enumerate(free_cur):
        if j not in used_c:
            out.append((Track(), g))
    return out


def history(function: str, mods: list[Module]) -> History:
    """The guards of `function` (any of its names) through the versions given, in release order."""
    return history_of(function, [ModuleFacts(m) for m in mods])


def history_of(function: str, versions: list[VersionFacts]) -> History:
    """history() over versions read through VersionFacts (parsed or kept on disk)."""
    order = sort_labels([v.label for v in versions])
    by_label = {v.label: v for v in versions}
    names = {lb: resolve_among(lb, by_label[lb].functions(), function) for lb in order}
    if not any(names.values()):
        raise LookupFailure("no version among {versions} defines {function!r} "
                            "(or a function it became)", versions=", ".join(order), function=function)
    tracks: list[Track] = []
    last: tuple[VersionFacts, str] | None = None
    found: dict[tuple[object, str], list[Guard]] = {}    # one file read once, however many tags share it
    for lb in order:
        ver, name = by_label[lb], names[lb]
        if name is None:
            continue
        if last is not None and last[1] == name and last[0].identity == ver.identity:
            # The same file as the version before (an alias): every guard simply continues.
            for t in tracks:
                if last[0].label in t.seen:
                    t.seen[lb] = t.seen[last[0].label]
            last = (ver, name)
            continue
        guards = found.get((ver.identity, name))
        if guards is None:
            guards = found[(ver.identity, name)] = ver.guards(name)
        if last is None:
            pairs = [(Track(), g) for g in guards]
        else:
            known = [(t, t.last()) for t in tracks]
            pairs = _follow(last[0], last[1], known, ver, name, guards)
        for t, g in pairs:
            if not t.seen:
                t.first = lb
                tracks.append(t)
            t.seen[lb] = g
        last = (ver, name)
    tracks.sort(key=lambda t: (order.index(t.first), t.seen[t.first].line))
    return History(function, order, names, tracks)


def align_guards(a: Module, name_a: str, guards_a: list[Guard],
                 b: Module, name_b: str, guards_b: list[Guard]) -> list[tuple[Guard | None, Guard | None]]:
    """The guards of one function in two versions, aligned by the same rules
    as one step of the history: (a, b), (a, None) or (None, b), A's order first."""
    tracks = [(Track(seen={a.label: g}, first=a.label), g) for g in guards_a]
    pairs = _follow(ModuleFacts(a), name_a, tracks, ModuleFacts(b), name_b, guards_b)
    back = {id(t): g for t, g in pairs if t.seen}
    out = [(g, back.get(id(t))) for t, g in tracks]
    out += [(None, g) for t, g in pairs if not t.seen]
    return out
