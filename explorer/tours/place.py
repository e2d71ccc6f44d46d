"""Where a tour's stops land in a version: the annotation resolver, stop by stop.

A stop is never re-attached to look-alike code: explorer.anchors.resolve gives
exact, moved, fuzzy (never without the head's flags, labels and callees),
absent, or orphaned (when the version is the one the stop was written against
and it cannot be placed there)."""
from __future__ import annotations

from dataclasses import dataclass

from ..anchors import resolve, target_functions
from ..errors import TourError
from .model import Stop, Tour


@dataclass(frozen=True)
class StopPlace:
    index: int
    status: str                 # exact | moved | fuzzy | absent | orphaned
    label: str | None           # the version placed in
    function: str | None        # where it landed (None when not placed)
    line: int | None
    end_line: int | None
    score: float
    has_function: bool = True   # the version has the stop's function (or a renamed form of it)

    @property
    def placed(self) -> bool:
        return self.line is not None

    def as_dict(self) -> dict:
        return {"index": self.index, "status": self.status, "label": self.label, "function": self.function,
                "line": self.line, "end_line": self.end_line, "score": round(self.score, 3)}


def place_stop(stop: Stop, module) -> StopPlace:
    res = resolve(stop.anchor, module, written_against=stop.written_against)
    return StopPlace(stop.index, res.status, module.label, res.function if res.placed else None,
                     res.line, res.end_line, res.score, bool(target_functions(module, stop.function)))


def place(tour: Tour, module) -> list[StopPlace]:
    """Every stop of `tour` in `module`, in the tour's order."""
    return [place_stop(stop, module) for stop in tour.stops]


def check_functions(tour: Tour, modules) -> None:
    """TourError (bad input) for a stop whose function no version read has,
    even under its later or earlier names (do_fork -> _do_fork -> kernel_clone):
    such a stop names code that is nowhere, a typo rather than an orphan.  A
    stop kept from a note block that matched nothing is exempt: it carries the
    note's own code and says it is orphaned."""
    modules = list(modules)
    if not modules:
        return
    for stop in tour.stops:
        if stop.kept_orphan:
            continue
        if not any(target_functions(m, stop.function) for m in modules):
            where = f"{tour.path}:{stop.line}: " if tour.path and stop.line else ""
            raise TourError("{where}tour {id!r} stop {index}: function {function!r} is in no "
                            "version read ({versions})", where=where, id=tour.id, index=stop.index,
                            function=stop.function,
                            versions=", ".join(m.label for m in modules))
