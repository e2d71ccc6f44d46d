"""Two versions matched as a reader needs them: "then and now".

`pair(a, b)` puts together what lineage, the guard history and the anchors
already know about two versions, in one plain record:

- functions: every function of A beside its counterpart in B, by role first
  (the fork entry: do_fork <-> _do_fork <-> kernel_clone; copy_process with
  itself across signature changes), then name, known rename and body
  similarity (lineage.match_functions).  The syscall entries fork, vfork and
  clone live in arch code before 3.9 and in fork.c after; a version that has
  them elsewhere gets an explicit row saying so rather than a silent gap.
- guards: within each matched function the checks are aligned as the
  history does it between two neighbouring versions (same test; the `if`
  the statement diff keeps in place; same errno and a similar condition).
  What is left over is then looked for across functions, because checks
  move (2.6.32 refuses CLONE_NEWUSER|CLONE_THREAD in do_fork, 6.12 in
  copy_process): same errno and the CLONE_* flags of one condition all
  tested by the other.
- notes: every annotation with its anchor status in each version.

The record is the JSON of `fork-explorer pair A B --json`; the app's "Then
and now" tab and notebook 01 draw it, they do not recompute it.
"""
from __future__ import annotations

import re
import weakref
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from . import sources
from .annotations import Store, resolve_annotation
from .cparse import Module, load, open_version
from .diff.guards import Guard, find_guards
from .diff.history import MIN_CONDITION_SIMILARITY, align_guards
from .diff.lineage import _body_strings, match_functions, roles
from .diff.treediff import statement_tree
from .errors import ExplorerError, LabelError, LookupFailure
from .i18n import N_, Message
from .sources.versions import kernel_version_in

# The clone family's syscall entries moved from arch/*/kernel/process*.c into
# kernel/fork.c in 3.9 (SYSCALL_DEFINEn(clone, ...) and friends).
ARCH_SYSCALLS = ("fork", "vfork", "clone")
SYSCALLS_IN_FORK_C = (3, 9)
# Said of such a syscall (the record's English; the tab says it in the reader's language).
IN_ARCH_CODE = N_("arch code (arch/*/kernel/process*.c) in {label}: the clone syscalls moved into kernel/fork.c in 3.9")

_FLAG = re.compile(r"\bCLONE_\w+|\bCSIGNAL\b")


def _kernel_version(mod: Module) -> tuple[int, ...] | None:
    """The release of a version (recorded by sources, else in its label), None if unknown."""
    known = getattr(mod, "kernel_version", None) or kernel_version_in(mod.label)
    return tuple(int(x) for x in known.split(".")) if known else None


def _open(word) -> Module:
    if isinstance(word, Module):
        return word
    return open_version(word)


def _role(mod: Module, name: str) -> str:
    r = _roles(mod)
    if name == r.fork_entry:
        return "fork_entry"
    if name == r.copy_process:
        return "copy_process"
    if name in r.syscalls.values():
        return "syscall"
    return "helper"


def _function_rows(a: Module, b: Module, matching) -> list[dict]:
    rows = []
    for p in matching.pairs:
        ra, rb = _role(a, p.a), _role(b, p.b)
        rows.append({"a": p.a, "b": p.b, "role": ra if ra != "helper" else rb,
                     "score": round(p.score, 3), "how": p.how})
    rows += [{"a": n, "b": None, "role": _role(a, n), "score": 0.0, "how": "only_a"} for n in matching.removed]
    rows += [{"a": None, "b": n, "role": _role(b, n), "score": 0.0, "how": "only_b"} for n in matching.added]
    # fork/vfork/clone: in arch code before 3.9, so "absent from fork.c" is not "absent from the kernel"
    for side, mod, other in (("a", a, b), ("b", b, a)):
        release = _kernel_version(mod)
        if release is None or release >= SYSCALLS_IN_FORK_C:
            continue
        for row in rows:
            name = row["b" if side == "a" else "a"]
            if row[side] is None and name and name.removeprefix("sys_") in ARCH_SYSCALLS \
                    and row["role"] == "syscall":
                row["how"] = "arch"
                said = Message(IN_ARCH_CODE, label=mod.label)
                row["where"] = {side: str(said)}                    # the English line (CLI, --json)
                row["where_message"] = {side: said.to_json()}       # the same, for a reader's language
    order = {"fork_entry": 0, "copy_process": 1, "syscall": 2, "helper": 3}
    rows.sort(key=lambda r: (order[r["role"]], _position(a, b, r)))
    return rows


def _position(a: Module, b: Module, row: dict) -> tuple:
    if row["a"] is not None:
        return (0, a.functions[row["a"]].start_byte)
    return (1, b.functions[row["b"]].start_byte)


def _guard_side(g: Guard | None) -> dict | None:
    if g is None:
        return None
    return {"line": g.line, "end_line": g.end_line, "condition": g.condition, "errno": g.errno,
            "exit": g.exit, "node_id": g.node_id}


def _status(ga: Guard | None, gb: Guard | None) -> str:
    if gb is None:
        return "only_a"
    if ga is None:
        return "only_b"
    return "same" if ga.key == gb.key and ga.errno == gb.errno else "changed"


def _flags_of(g: Guard) -> frozenset:
    return frozenset(_FLAG.findall(g.condition))


def _across_functions(only_a: list[Guard], only_b: list[Guard]) -> list[tuple[Guard, Guard]]:
    """Checks that moved to another function: same errno, and the CLONE_*
    flags of one condition all tested by the other (conditions without
    flags: a similar text).  Most shared flags first, then the closer text."""
    cands = []
    for i, ga in enumerate(only_a):
        fa = _flags_of(ga)
        for j, gb in enumerate(only_b):
            if ga.function == gb.function or ga.errno != gb.errno:
                continue
            fb = _flags_of(gb)
            sim = fuzz.ratio(ga.condition, gb.condition) / 100.0
            if fa and fb:
                if not (fa <= fb or fb <= fa):
                    continue   # they test different flags: different checks
            elif fa or fb or sim < MIN_CONDITION_SIMILARITY:
                continue
            cands.append((len(fa & fb), sim, i, j))
    out, used_a, used_b = [], set(), set()
    for _shared, _sim, i, j in sorted(cands, reverse=True):
        if i in used_a or j in used_b:
            continue
        used_a.add(i)
        used_b.add(j)
        out.append((only_a[i], only_b[j]))
    return out


_GUARDS: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()
_PLACED: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def guards_of(mod: Module) -> dict[str, list[Guard]]:
    """Every function's guards, once per version (shared by every pair it is in)."""
    got = _GUARDS.get(mod)
    if got is None:
        got = _GUARDS[mod] = {name: find_guards(mod, name) for name in mod.functions}
    return got


def _placement(ann, mod: Module):
    """Where a note sits in a version, once per version and anchor."""
    per = _PLACED.setdefault(mod, {})
    key = (ann.id, ann.written_against, ann.anchor)
    got = per.get(key)
    if got is None:
        got = per[key] = resolve_annotation(ann, mod)
    return got


def prepare(mod: Module, store=None) -> None:
    """The per-version half of a pair: roles, function bodies, every guard and
    every note's place.  Loading a version for the reading room does this once;
    pair() then only matches, aligns and assembles."""
    _roles(mod)
    _body_strings(mod)
    for name, guards in guards_of(mod).items():
        if guards:   # the guards' `if`s are aligned through the statement diff
            for node in statement_tree(mod, name).walk():
                node.text()
    for ann in (store if store is not None else _default_store()).list():
        _placement(ann, mod)


def _guard_rows(a: Module, b: Module, matching) -> list[dict]:
    aligned: list[tuple[Guard | None, Guard | None]] = []
    ga, gb = guards_of(a), guards_of(b)
    for p in matching.pairs:
        aligned += align_guards(a, p.a, ga[p.a], b, p.b, gb[p.b])
    for n in matching.removed:
        aligned += [(g, None) for g in ga[n]]
    for n in matching.added:
        aligned += [(None, g) for g in gb[n]]
    only_a = [ga for ga, gb in aligned if gb is None]
    only_b = [gb for ga, gb in aligned if ga is None]
    moved = _across_functions(only_a, only_b)
    gone_a = {id(x) for x, _ in moved}
    gone_b = {id(y) for _, y in moved}
    aligned = [(ga, gb) for ga, gb in aligned if not (ga is not None and id(ga) in gone_a)
               and not (gb is not None and id(gb) in gone_b)] + moved
    counterpart = {fa: fb for fa, fb in ((p.a, p.b) for p in matching.pairs)}
    back = {v: k for k, v in counterpart.items()}
    rows = []
    for ga, gb in aligned:
        fa = ga.function if ga is not None else back.get(gb.function)
        fb = gb.function if gb is not None else counterpart.get(ga.function)
        rows.append({"function_a": fa, "function_b": fb, "a": _guard_side(ga), "b": _guard_side(gb),
                     "status": _status(ga, gb)})
    rows.sort(key=lambda r: (r["a"] is None, (r["a"] or r["b"])["line"]))
    return rows


def _note_rows(a: Module, b: Module, store) -> list[dict]:
    store = store if store is not None else _default_store()
    rows = []
    for ann in store.list():
        ra, rb = _placement(ann, a), _placement(ann, b)
        rows.append({"id": ann.id, "a": ra.status, "b": rb.status, "function": ann.function,
                     "function_a": ra.function, "line_a": ra.line,
                     "function_b": rb.function, "line_b": rb.line})
    return rows


def _default_store():
    return Store()


def _check(a: Module, b: Module) -> None:
    if a.label is not None and a.label == b.label:
        raise LabelError("pair needs two different versions, got {label} twice", label=a.label)
    for mod in (a, b):
        if _roles(mod).fork_entry is None:
            raise LookupFailure("{label} has no fork entry "
                                "(do_fork, _do_fork or kernel_clone) to pair", 
                                label=mod.label or Message("this source"))


_CACHE: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()
_ROLES: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def _roles(mod: Module):
    got = _ROLES.get(mod)
    if got is None:
        got = _ROLES[mod] = roles(mod)
    return got


def _code(a: Module, b: Module) -> dict:
    """Functions and guards of the pair (what depends on the code only), once per pair of Modules."""
    _check(a, b)
    per_a = _CACHE.setdefault(a, weakref.WeakKeyDictionary())
    code = per_a.get(b)
    if code is None:
        matching = match_functions(a, b)
        code = {"functions": _function_rows(a, b, matching), "guards": _guard_rows(a, b, matching)}
        per_a[b] = code
    return code


def pair(a, b, *, store=None) -> dict:
    """Two versions (labels, paths or parsed Modules) matched function by
    function, guard by guard, note by note.  Returns
    {"a", "b", "functions": [{"a", "b", "role", "score", ...}],
     "guards": [{"function_a", "function_b", "a": {"line", "condition", "errno", ...}|None,
                 "b": ...|None, "status": same|changed|only_a|only_b}],
     "notes": [{"id", "a": status, "b": status, ...}]}.
    `store` is an annotations Store (default: the project's notes)."""
    a, b = _open(a), _open(b)
    code = _code(a, b)
    return {"a": a.label, "b": b.label,
            "functions": [dict(r) for r in code["functions"]],
            "guards": [dict(r) for r in code["guards"]],
            "notes": _note_rows(a, b, store)}


def pair_guards(a, b) -> list[dict]:
    """Only the aligned guards of pair(a, b) (no notes: the executor's view)."""
    a, b = _open(a), _open(b)
    return [dict(r) for r in _code(a, b)["guards"]]


THEN_FORM = "do_fork"        # the 2.6 form a reader wants to see "then"
NOW_FORM = "kernel_clone"    # the form of 5.10 and later

HOW_TO_GET_ONE = N_(
    "To add one: `fork-explorer sources add v2.6.32 path/to/kernel/fork.c` (a file you have), "
    "put a kernel tarball or unpacked tree in a folder named by FORK_EXPLORER_SOURCE_DIRS, "
    "point FORK_EXPLORER_LINUX_GIT at a linux git clone, or, online, "
    "`fork-explorer sources sync v2.6.32`.")
# What the tab and notebook 01 tell the reader, as msgids of the interface catalogues
# (explorer.i18n): the record keeps the id and its values, the reader's language is chosen later.
ONLY_ONE_WITH_ENTRY = N_("Only {a} has a fork entry: there is nothing to put beside it.")
NO_THEN_FORM = N_("No do_fork-form (2.6-era) version is available here, so this shows the oldest "
                  "({a}, {form_a}) beside the newest ({b}, {form_b}). {how}")
ONLY_ONE_FETCHED = N_("Then and now needs two versions; only {a} is fetched. {how}")
NOTHING_FETCHED = N_("No version of kernel/fork.c is fetched yet: run "
                     "'fork-explorer sources sync debian-6.12' (./dev.sh does it for you). {how}")


@dataclass
class Choice:
    """The two versions to put side by side, and what the reader must be told."""
    a: str | None
    b: str | None
    has_then: bool                     # a is a do_fork-form version
    said: str = ""                     # msgid said at the top when has_then is False (or nothing to pair)
    values: dict = field(default_factory=dict)          # its {placeholders}
    skipped: list[str] = field(default_factory=list)   # do_fork-form versions passed over, with why

    def message_in(self, lang: str | None) -> str:
        """What the reader must be told, in an interface language ("" when nothing)."""
        if not self.said:
            return ""
        return Message(self.said, **self.values, how=Message(HOW_TO_GET_ONE)).in_lang(lang)

    @property
    def message(self) -> str:
        """The message in English (the CLI's and the tests' words)."""
        return self.message_in(None)


def _form(label: str) -> str | None:
    """The fork-entry form a fetched version was recorded with (parsed only when
    the cache does not say), None when it does not load."""
    try:
        form = sources.get(label).meta.get("form")
        return form or load(label).form
    except ExplorerError:
        return None


def _has_copy_process(label: str) -> bool:
    try:
        return "copy_process" in load(label).functions
    except ExplorerError:
        return False


def choose_then_and_now(labels: list[str] | None = None) -> Choice:
    """The oldest do_fork-form version beside the newest kernel_clone one.

    A do_fork-form file without copy_process (an excerpt someone registered)
    is only taken when no complete one exists.  Without any do_fork-form
    version: the oldest and the newest that have a fork entry, said so.
    Only the do_fork-form candidates are parsed here; the rest is read from
    the cache's record of each file."""
    forms = {lb: _form(lb) for lb in (labels if labels is not None else sources.available())}
    with_entry = [lb for lb, f in forms.items() if f and f != "unknown"]
    then = [lb for lb in with_entry if forms[lb] == THEN_FORM]
    now = [lb for lb in with_entry if forms[lb] == NOW_FORM] or \
        [lb for lb in with_entry if forms[lb] != THEN_FORM]
    if then:
        a = next((lb for lb in then if _has_copy_process(lb)), then[0])
        skipped = [f"{lb} (no copy_process in that file)" for lb in then[:then.index(a)]]
        b = now[-1] if now else next((lb for lb in reversed(with_entry) if lb != a), None)
        return Choice(a, b, True, "" if b else ONLY_ONE_WITH_ENTRY, {"a": a}, skipped)
    if len(with_entry) >= 2:
        a, b = with_entry[0], (now[-1] if now and now[-1] != with_entry[0] else with_entry[-1])
        return Choice(a, b, False, NO_THEN_FORM, {"a": a, "form_a": forms[a], "b": b, "form_b": forms[b]})
    if with_entry:
        return Choice(with_entry[0], None, False, ONLY_ONE_FETCHED, {"a": with_entry[0]})
    return Choice(None, None, False, NOTHING_FETCHED)


def guard_counterpart(doc: dict, side: str, function: str, line: int) -> dict | None:
    """The row of a pair record holding the guard of `side` ("a"/"b") at
    function:line, or None: what "clicking a guard shows its counterpart" reads."""
    key = "function_a" if side == "a" else "function_b"
    for row in doc["guards"]:
        g = row[side]
        if g is not None and row[key] == function and g["line"] == line:
            return row
    return None


__all__ = ["pair", "pair_guards", "guard_counterpart", "guards_of", "prepare", "choose_then_and_now", "Choice"]
