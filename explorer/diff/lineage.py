"""Function lineage: which function plays which role in a version, and which
function of version A became which function of version B.

The fork entry changed its name twice (do_fork in 2.6-4.1, _do_fork in
4.2-5.9, kernel_clone from 5.10) and 5.4 also keeps a compat do_fork() that
only wraps _do_fork, so a name alone does not say which function is the
entry: the manifest does, and where a version is not in the manifest we infer
it (kernel_clone > _do_fork > do_fork).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from ..cparse import FORK_ENTRIES, Module
from ..cparse.memo import per_module
from ..errors import LabelError, LookupFailure
from ..i18n import Message
from ..fork_names import FORK_ENTRY_LINEAGE
from ..sources import manifest
from .tokens import token_string

# Renames recorded from the history of kernel/fork.c (facts about versions,
# oldest name first).  A function may skip links: 2.6 do_fork -> 6.x kernel_clone.
KNOWN_RENAMES: tuple[tuple[str, ...], ...] = (
    FORK_ENTRY_LINEAGE,
    ("alloc_thread_info", "alloc_thread_info_node", "alloc_thread_stack_node"),
    ("free_thread_info", "free_thread_stack"),
    ("alloc_task_struct", "alloc_task_struct_node"),
)

# Below this body similarity two unrelated-looking functions are not paired.
SIMILARITY_THRESHOLD = 0.6


def rename_chain(name: str) -> tuple[str, ...]:
    for chain in KNOWN_RENAMES:
        if name in chain:
            return chain
    return (name,)


@dataclass(frozen=True)
class Roles:
    fork_entry: str | None
    copy_process: str | None
    syscalls: dict            # syscall name ("clone") -> function name ("sys_clone")
    entry_source: str         # "manifest" or "inferred"

    def as_dict(self) -> dict:
        return {"fork_entry": self.fork_entry, "copy_process": self.copy_process,
                "syscalls": dict(self.syscalls)}


def _manifest_entry(label: str | None) -> str | None:
    if not label:
        return None
    try:
        v = manifest.get(label)
    except LabelError:
        return None  # a free-form label of a parsed file is simply not in the manifest
    return v.entry if v is not None and v.entry else None


def roles(mod: Module) -> Roles:
    """The role each function plays in one version."""
    entry = _manifest_entry(mod.label)
    source = "manifest"
    if entry is None or entry not in mod.functions:
        source = "inferred"
        entry = next((n for n in FORK_ENTRIES if n in mod.functions), None)
    syscalls = {name[len("sys_"):]: name for name, fn in mod.functions.items()
                if fn.kind == "syscall" and name.startswith("sys_")}
    return Roles(fork_entry=entry,
                 copy_process="copy_process" if "copy_process" in mod.functions else None,
                 syscalls=syscalls, entry_source=source)


def role_of(mod: Module, name: str) -> str | None:
    """'fork_entry' / 'copy_process' if name plays that role in mod."""
    r = roles(mod)
    if name == r.fork_entry:
        return "fork_entry"
    if name == r.copy_process:
        return "copy_process"
    return None


@per_module
def _body_strings(mod: Module) -> dict[str, str]:
    # Bodies only: the name and signature change exactly when a function is renamed.
    out = {}
    for name, fn in mod.functions.items():
        body = fn.body
        out[name] = token_string(mod, body if body is not None else fn.node)
    return out


def body_similarity(a: Module, a_name: str, b: Module, b_name: str) -> float:
    """0..1: how alike the two bodies' normalised tokens are."""
    return fuzz.ratio(_body_strings(a)[a_name], _body_strings(b)[b_name]) / 100.0


@dataclass
class Pair:
    a: str
    b: str
    how: str        # "same" (same name), "role", "renamed" (known rename), "similar" (bodies)
    score: float    # body similarity 0..1

    def as_dict(self) -> dict:
        return {"function_a": self.a, "function_b": self.b, "how": self.how, "score": round(self.score, 3)}


@dataclass
class Matching:
    a_label: str | None
    b_label: str | None
    pairs: list[Pair] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)   # in A only
    added: list[str] = field(default_factory=list)     # in B only

    def b_for(self, a_name: str) -> str | None:
        return next((p.b for p in self.pairs if p.a == a_name), None)

    def a_for(self, b_name: str) -> str | None:
        return next((p.a for p in self.pairs if p.b == b_name), None)


def match_functions(a: Module, b: Module, threshold: float = SIMILARITY_THRESHOLD) -> Matching:
    """Pair every function of A with its counterpart in B.

    Order of evidence: the roles (fork entry, copy_process), then the same
    name, then a known rename, then body similarity above threshold.  The
    roles go first because a 5.4 file has a do_fork that is not 2.6's do_fork.
    """
    m = Matching(a.label, b.label)
    left = [n for n in a.functions]
    right = set(b.functions)
    used_a: set[str] = set()

    def take(an: str, bn: str, how: str, score: float | None = None) -> None:
        if score is None:
            score = body_similarity(a, an, b, bn)
        m.pairs.append(Pair(an, bn, how, score))
        used_a.add(an)
        right.discard(bn)

    ra, rb = roles(a), roles(b)
    for x, y in ((ra.fork_entry, rb.fork_entry), (ra.copy_process, rb.copy_process)):
        if x and y:
            take(x, y, "same" if x == y else "role")
    for n in left:
        if n not in used_a and n in right:
            take(n, n, "same")
    for n in left:
        if n in used_a:
            continue
        for cand in rename_chain(n):
            if cand != n and cand in right:
                take(n, cand, "renamed")
                break
    rest_a = [n for n in left if n not in used_a]
    rest_b = sorted(right, key=lambda n: b.functions[n].start_byte)
    if rest_a and rest_b:
        sa, sb = _body_strings(a), _body_strings(b)
        choices = [sb[n] for n in rest_b]
        cands = sorted(((score / 100.0, i, j) for i, n in enumerate(rest_a)
                        for _, score, j in process.extract(sa[n], choices, scorer=fuzz.ratio, limit=None,
                                                           score_cutoff=threshold * 100)), reverse=True)
        for score, i, j in cands:
            an, bn = rest_a[i], rest_b[j]
            if an in used_a or bn not in right:
                continue
            take(an, bn, "similar", score)
    m.removed = [n for n in left if n not in used_a]
    m.added = sorted(right, key=lambda n: b.functions[n].start_byte)
    m.pairs.sort(key=lambda p: a.functions[p.a].start_byte)
    return m


def counterpart(a: Module, b: Module, name: str) -> tuple[str, str]:
    """(name in A, name in B) for a function named in either version.

    `--function do_fork` between 2.6.32 and 6.12 gives (do_fork, kernel_clone);
    `--function kernel_clone` there gives the same pair.
    """
    if name in a.functions:
        return name, _other_side(a, b, name, a_to_b=True)
    if name in b.functions:
        return _other_side(b, a, name, a_to_b=False), name
    # Neither defines it: a role word, or an earlier/later name of the function.
    x, y = resolve_in(a, name), resolve_in(b, name)
    if x and y:
        return x, y
    raise LookupFailure("neither {a} nor {b} defines a function {name!r}", a=a.label, b=b.label, name=name)


def _other_side(have: Module, other: Module, name: str, a_to_b: bool) -> str:
    """The function of `other` that continues `have`'s `name`: by role first (so
    5.4's compat do_fork is not taken for the entry), then by matching."""
    role = role_of(have, name)
    if role is not None:
        got = getattr(roles(other), role)
        if got:
            return got
    got = match_functions(have, other).b_for(name) if a_to_b else match_functions(other, have).a_for(name)
    if got:
        return got
    raise LookupFailure("{name!r} of {label} has no counterpart in {other}{hint}", name=name, label=have.label,
                        other=other.label, hint=_entry_hint(have, name))


def _entry_hint(mod: Module, name: str) -> Message | str:
    entry = roles(mod).fork_entry
    if name in FORK_ENTRIES and entry and entry != name:
        return Message(" ({name} is a compat wrapper there; the fork entry of {label} is {entry})", name=name,
                       label=mod.label, entry=entry)
    return ""


def resolve_in(mod: Module, name: str) -> str | None:
    """The function of mod that continues `name` (by role, then name, then rename), or None."""
    return resolve_among(mod.label, mod.functions, name)


def resolve_among(label: str | None, functions, name: str) -> str | None:
    """resolve_in for a version known only by its label and the names of its
    functions (what a history kept on disk remembers of a file)."""
    if name in FORK_ENTRIES or name == "fork_entry":
        entry = _manifest_entry(label)      # the same choice as roles()
        if entry is not None and entry in functions:
            return entry
        return next((n for n in FORK_ENTRIES if n in functions), None)
    if name in functions:
        return name
    return next((n for n in rename_chain(name) if n in functions), None)


def lineage(mods: list[Module]) -> dict:
    """{"versions": [{"label", "form", "entry_source", "roles", "lines"}]} in the order given."""
    out = []
    for mod in mods:
        r = roles(mod)
        names = [r.fork_entry, r.copy_process, *r.syscalls.values()]
        lines = {n: [mod.functions[n].start_line, mod.functions[n].end_line] for n in names if n}
        out.append({"label": mod.label, "form": r.fork_entry or "unknown", "entry_source": r.entry_source,
                    "roles": r.as_dict(), "lines": lines})
    return {"versions": out, "renames": renames(out)}


def renames(versions: list[dict]) -> list[dict]:
    """Each rename once, with the version where it happened: a role (fork_entry,
    copy_process, syscall X) held by one function in a version and by another
    in the next.  A role that appears or goes away is not a rename."""
    out = []
    for prev, cur in zip(versions, versions[1:]):
        a, b = prev["roles"], cur["roles"]
        pairs = [(role, a[role], b[role]) for role in ("fork_entry", "copy_process")]
        pairs += [(f"syscall {sc}", a["syscalls"].get(sc), b["syscalls"].get(sc)) for sc in sorted(b["syscalls"])]
        for role, x, y in pairs:
            if x and y and x != y:
                out.append({"role": role, "from": x, "to": y, "label": cur["label"], "after": prev["label"]})
    return out
