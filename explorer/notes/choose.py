"""Choose the version a reading note was written against, and place each block.

A note is read against one kernel.  Placing each block on its own best match
scatters a note: a short block whose lines occur unchanged in a dozen versions
ties everywhere and used to land on the newest, so one note jumped between
kernels twelve years apart.  Instead the whole note votes:

- A block is *present* in a version when it anchors there about as well as
  it anchors anywhere (within PRESENT_MARGIN of its best score).  A short
  block that recurs in many versions is present in all of them.
- The note's version is the one in which the most blocks are present; ties
  go to the fewest fuzzy placements (present blocks that do not match
  exactly), then to the versions the note's own prose names (a number such
  as "4.4" or "2.6.32", then a fork-entry name such as `_do_fork` that is the
  version's form), then to the oldest.  `--version LABEL` forces it.
- Every block present in the note's version is anchored there.  The others
  (the author quoted another kernel for them, or they are mangled) are
  placed by the same vote among the remaining blocks, so they too gather in
  as few versions as possible instead of each going its own way.

How a note that honestly spans two generations differs from scattering: the
blocks placed outside the note's version are exactly those whose code is
*absent* there (no anchored match at all: the seed's do_fork blocks have no
place in a kernel_clone-era file) or clearly closer to another version's code.
They are reported with why, and the versions they go to with their form; when
those forms differ from the note version's form (do_fork vs kernel_clone) the
note spans generations.  A block that fits the note's version is never sent
elsewhere, so the recurring short blocks that used to scatter stay put.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..sources.versions import release_key
from .locate import Location, Match

PRESENT_MARGIN = 0.05   # a block anchored this close to its best score is present in that version
EXACT = 0.995           # a placement scoring below this is fuzzy
FORMS = ("kernel_clone", "_do_fork", "do_fork")

# "4.4", "v2.6.32", "linux-4.19", "Linux 3.10.0", "内核4.4版本": a kernel version named in prose
_VERSION_IN_PROSE = re.compile(r"(?<![\w.])(?:v|linux[-_ ]?|kernel[-_ ]?)?([2-9]\.\d{1,2}(?:\.\d{1,3})*)(?![\w.]*\d)",
                               re.I)
_FORM_IN_PROSE = re.compile(r"(?<![A-Za-z0-9_])(kernel_clone|_do_fork|do_fork)(?![A-Za-z0-9_])")


@dataclass
class Placement:
    """Where one block went."""
    match: Match | None          # None: orphaned (matches nowhere)
    in_note_version: bool
    why_elsewhere: str | None    # absent | closer (only for a block placed outside the note's version)


@dataclass
class Choice:
    version: str | None          # None: no block anchors anywhere (reported as "none")
    forced: bool
    placements: list[Placement]
    forms: dict[str, str] = field(default_factory=dict)     # label -> fork-entry form
    hinted: list[str] = field(default_factory=list)         # labels the note's prose names

    def used(self) -> list[dict]:
        """The versions blocks were placed in, note's version first, with their blocks."""
        groups: dict[str, list[int]] = {}
        if self.version is not None:
            groups[self.version] = []
        for n, p in enumerate(self.placements):
            if p.match is not None:
                groups.setdefault(p.match.label, []).append(n)
        return [{"label": lb, "form": self.forms.get(lb), "blocks": blocks, "note_version": lb == self.version}
                for lb, blocks in groups.items() if blocks or lb == self.version]

    @property
    def spans_generations(self) -> bool:
        """Blocks outside the note's version went to a version of another form."""
        mine = self.forms.get(self.version) if self.version else None
        return any(u["form"] != mine for u in self.used() if not u["note_version"])


def version_hints(prose: str, labels: list[str], forms: dict[str, str]) -> dict[str, tuple[int, int]]:
    """Per label: (times the prose names its version number, times it names its form)."""
    named = [tuple(int(x) for x in m.group(1).split(".")) for m in _VERSION_IN_PROSE.finditer(prose)]
    form_names = [m.group(1) for m in _FORM_IN_PROSE.finditer(prose)]
    out = {}
    for lb in labels:
        nums = release_key(lb)[0]
        by_number = sum(1 for h in named if nums[:len(h)] == h or h[:len(nums)] == nums)
        by_form = sum(1 for f in form_names if f == forms.get(lb))
        out[lb] = (by_number, by_form)
    return out


def _placeable(m: Match) -> bool:
    """Anchored inside a function the module resolves anchors in.  An annotation
    is pinned to a function's node: a match at file scope, or in the second
    copy of a function defined twice under #ifdef alternatives, cannot carry one."""
    if not m.anchored or m.function is None or m.module is None:
        return m.anchored and m.function is not None and m.module is None
    fn = m.module.functions.get(m.function)
    return fn is not None and m.start_byte < fn.end_byte and m.end_byte > fn.start_byte


def _present(loc: Location) -> dict[str, Match]:
    anchored = [m for m in loc.per_version if _placeable(m)]
    if not anchored:
        return {}
    top = max(m.score for m in anchored)
    return {m.label: m for m in anchored if m.score >= top - PRESENT_MARGIN}


def choose(locations: list[Location], labels: list[str], prose: str = "", forms: dict[str, str] | None = None,
           forced: str | None = None) -> Choice:
    """Pick the note's version and place every block (see the module doc)."""
    forms = dict(forms or {})
    order = {lb: i for i, lb in enumerate(labels)}
    hints = version_hints(prose, labels, forms)
    present = [_present(loc) for loc in locations]

    def rank(candidates: list[int]):
        """Best version for the blocks `candidates` (indices), or None."""
        best, best_key = None, None
        for lb in labels:
            here = [present[b][lb] for b in candidates if lb in present[b]]
            if not here:
                continue
            fuzzy = sum(1 for m in here if m.score < EXACT)
            key = (-len(here), fuzzy, (-hints[lb][0], -hints[lb][1]), order[lb])
            if best_key is None or key < best_key:
                best, best_key = lb, key
        return best

    everything = list(range(len(locations)))
    version = forced if forced is not None else rank(everything)
    placements: list[Placement | None] = [None] * len(locations)
    remaining = []
    for b in everything:
        if version is not None and version in present[b]:
            placements[b] = Placement(present[b][version], True, None)
        elif present[b]:
            remaining.append(b)
        else:
            placements[b] = Placement(None, False, None)
    while remaining:
        lb = rank(remaining)
        for b in [b for b in remaining if lb in present[b]]:
            in_version = next((m for m in locations[b].per_version if m.label == version), None)
            why = "closer" if in_version is not None and _placeable(in_version) else "absent"
            placements[b] = Placement(present[b][lb], False, why)
            remaining.remove(b)
    return Choice(version=version, forced=forced is not None, placements=placements, forms=forms,
                  hinted=[lb for lb in labels if hints[lb][0]])
