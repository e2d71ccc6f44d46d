"""History claims: what a note says about when its code appeared, changed or
went away, checked against the versions at hand.

A note may carry, beside its text::

    claims:
      - {kind: since, version: "6.9", what: "pidfs files for pidfds", code: pidfs_alloc_file}
      - {kind: until, version: "6.1", what: "the arch stack allocator variant"}
      - {kind: changed_in, version: "6.12", what: "copy_fs failure routing"}

- ``kind``: ``since`` (it appeared in ``version``: absent in every version
  before it, present in the first version at hand from it on), ``until``
  (it went away after ``version``: present in the last version at hand up
  to it, absent in every later one), ``changed_in`` (present on both sides,
  and the code of the last version before ``version`` differs from that of
  the first version from it on).  A thing that came and went carries both
  a ``since`` and an ``until`` (with the same ``code``), and each is then
  checked within the other's bound;
- ``version``: a kernel version, quoted ("6.10" is not the float 6.1); a
  label belongs to a version's series by its numbers (v2.6.32.69 and
  debian-6.12 are in 2.6.32 and 6.12);
- ``what``: what the claim is about, in words;
- ``code`` (optional): an identifier or short token sequence that must occur
  in the anchored code for the thing to count as present (for a function
  note, anywhere in the function).  Without it, "present" is the anchor
  placing (exact, moved or fuzzy).

Checking places the note's anchor (explorer.anchors) in each version, in
kernel version order.  A guard note (an ``if`` that returns an errno) is also
followed through the guard history (explorer.diff.history), which pairs a
condition edited in place with its older self: for ``changed_in`` a guard
the history marks changed at the boundary counts as changed.  Each claim
comes out ``ok``, ``contradicted`` (``label`` names the version that
contradicts it) or ``unverifiable`` (no version on one side of the
boundary, or the note cannot be placed there).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..anchors import canonical
from ..diff.history import history
from ..errors import LookupFailure
from ..i18n import Message
from ..sources.versions import release_key
from .placement import resolve_annotation

KINDS = ("since", "until", "changed_in")
VERSION_RE = re.compile(r"^\d+(?:\.\d+){1,3}$")


def claim_problem(claim) -> Message | None:
    """Why a claim record is malformed, or None."""
    if not isinstance(claim, dict):
        return Message("a claim must be a mapping {kind, version, what}")
    if claim.get("kind") not in KINDS:
        return Message("claim kind must be one of {kinds} (got {kind!r})",
                       kinds=", ".join(KINDS), kind=claim.get("kind"))
    v = claim.get("version")
    if not isinstance(v, str):
        return Message("claim version {v!r} must be a quoted string (\"6.10\" is not the number 6.1)", v=v)
    if not VERSION_RE.match(v):
        return Message("claim version {v!r} is not a kernel version like \"6.1\" or \"2.6.32\"", v=v)
    if not isinstance(claim.get("what"), str) or not claim["what"].strip():
        return Message("a claim needs 'what': what it is about, in words")
    code = claim.get("code")
    if code is not None and (not isinstance(code, str) or not code.strip() or "\n" in code or len(code) > 80):
        return Message("claim 'code' is one identifier or a short token sequence on one line")
    return None


def _numbers(text: str) -> tuple[int, ...]:
    return release_key(text)[0]


def side(label: str, version: str) -> int:
    """-1 when `label` is a release before `version`'s series, 0 inside it, 1 after it."""
    lab, ver = _numbers(label), _numbers(version)
    head = lab[:len(ver)]
    return (head > ver) - (head < ver)


@dataclass
class _Seen:
    label: str
    state: str            # present | absent | unknown
    why: str
    code: str | None = None   # comparison form of the anchored code, when placed
    placed: bool = False      # the anchor places here (whether or not `code` occurs)


@dataclass
class ClaimResult:
    id: str
    kind: str
    version: str
    what: str
    status: str           # ok | contradicted | unverifiable
    label: str | None     # the version that decided it
    evidence: str

    def as_dict(self) -> dict:
        return {"id": self.id, "kind": self.kind, "version": self.version, "what": self.what,
                "status": self.status, "label": self.label, "evidence": self.evidence}


def _observe(ann, claim: dict, mod) -> _Seen:
    res = resolve_annotation(ann, mod)
    if res.status == "orphaned":
        return _Seen(mod.label, "unknown", f"the note cannot be placed in {mod.label}")
    if not res.placed:
        return _Seen(mod.label, "absent", f"absent in {mod.label}")
    text = canonical(mod.node_text(res.node))
    where = f"{res.status} at {res.function}:{res.line}"
    code = claim.get("code")
    if code:
        if f" {canonical(code)} " not in f" {text} ":
            return _Seen(mod.label, "absent", f"{code} not in the anchored code in {mod.label} ({where})",
                         text, True)
        return _Seen(mod.label, "present", f"{code} in {mod.label} ({where})", text, True)
    return _Seen(mod.label, "present", f"present in {mod.label} ({where})", text, True)


def _guard_changed(ann, before: str, after: str, by_label: dict) -> bool | None:
    """For a guard note: did the guard history mark it changed between the two
    versions?  None when the note is not on a guard the history follows."""
    if ann.anchor.kind != "if_statement":
        return None
    res = resolve_annotation(ann, by_label[after])
    if not res.placed:
        return None
    try:
        hist = history(ann.function, [by_label[before], by_label[after]]).as_dict()
    except LookupFailure:
        return None
    head = canonical(by_label[after].node_text(res.node.child_by_field_name("condition") or res.node))
    for g in hist["guards"]:
        cell = g["present"].get(after) or {}
        if cell.get("line") == res.line or (cell.get("condition") and canonical(cell["condition"]) in head):
            prev = g["present"].get(before) or {}
            if prev.get("status") == "absent":
                return None
            return cell.get("status") == "changed"
    return None


def _partner(ann, claim: dict, kind: str) -> str | None:
    """The version of the same note's opposite claim (since <-> until) about the
    same code: together they bound the thing's lifetime."""
    return next((c["version"] for c in ann.claims
                 if c["kind"] == kind and c.get("code") == claim.get("code")), None)


def check_claim(ann, claim: dict, seen: list[_Seen], by_label: dict) -> ClaimResult:
    kind, version = claim["kind"], claim["version"]

    def result(status, label, evidence):
        return ClaimResult(ann.id, kind, version, claim["what"], status, label, evidence)

    known = [s for s in seen if s.state != "unknown"]
    before = [s for s in known if side(s.label, version) < 0]
    if kind == "until":
        born = _partner(ann, claim, "since")      # before it was born is not "up to" its end
        upto = [s for s in known if side(s.label, version) <= 0 and (born is None or side(s.label, born) >= 0)]
        later = [s for s in known if side(s.label, version) > 0]
        bad = next((s for s in later if s.state == "present"), None) or \
            (upto[-1] if upto and upto[-1].state == "absent" else None)
        if bad is not None:
            return result("contradicted", bad.label, bad.why)
        if not upto or not later:
            return result("unverifiable", None, _no_side(seen, version, "up to", "after", upto, later))
        return result("ok", later[0].label, f"{upto[-1].why}; {later[0].why}")
    after = [s for s in known if side(s.label, version) >= 0]
    if kind == "since":
        gone = _partner(ann, claim, "until")      # after it went away is not "from" its start
        after = [s for s in after if gone is None or side(s.label, gone) <= 0]
        bad = next((s for s in before if s.state == "present"), None) or \
            (after[0] if after and after[0].state == "absent" else None)
        if bad is not None:
            return result("contradicted", bad.label, bad.why)
        if not before or not after:
            return result("unverifiable", None, _no_side(seen, version, "before", "from", before, after))
        return result("ok", before[-1].label, f"{before[-1].why}; {after[0].why}")
    # changed_in
    if not before or not after:
        return result("unverifiable", None, _no_side(seen, version, "before", "from", before, after))
    old, new = before[-1], after[0]
    if not new.placed:
        return result("contradicted", new.label, f"{new.why}: nothing there to have changed")
    if not old.placed:
        return result("contradicted", old.label, f"{old.why}: that is an appearance, not a change")
    if claim.get("code"):
        if old.state == "present":
            return result("contradicted", old.label, f"{old.why}: it was already there")
        if new.state == "absent":
            return result("contradicted", new.label, new.why)
        return result("ok", old.label, f"{old.why}; {new.why}")
    guard = _guard_changed(ann, old.label, new.label, by_label)
    if old.code == new.code and not guard:
        return result("contradicted", old.label, f"the same code in {old.label} and {new.label}")
    how = "the guard history marks it changed" if guard else "the anchored code differs"
    return result("ok", old.label, f"{how} between {old.label} and {new.label}")


def _no_side(seen, version, lo, hi, below, above) -> str:
    unplaced = [s.label for s in seen if s.state == "unknown"]
    missing = lo if not below else hi
    out = f"no version {missing} {version} among {', '.join(s.label for s in seen) or 'none'}"
    return out + (f" (cannot place the note in {', '.join(unplaced)})" if unplaced else "")


def check_claims(annotations, modules) -> list[ClaimResult]:
    """Every claim of every note against `modules` (any order; kernel order is used)."""
    mods = sorted(modules, key=lambda m: release_key(m.label))
    by_label = {m.label: m for m in mods}
    out = []
    for ann in annotations:
        for claim in ann.claims:
            seen = [_observe(ann, claim, m) for m in mods]
            out.append(check_claim(ann, claim, seen, by_label))
    return out
