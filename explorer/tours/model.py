"""A tour: an ordered reading path through fork.c.

Each stop is anchored exactly like an annotation (explorer.anchors selectors:
function, kind, head, neighbours, position), so it follows the code into any
version and says honestly where it could not be placed (exact, moved, fuzzy,
absent, orphaned).  Stops are numbered from 1, as a reader counts them and as
the shared URL (`?tour=ID&stop=N`) names them."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..anchors.selectors import Anchor
from ..errors import TourError


@dataclass(frozen=True)
class Stop:
    index: int                         # 1-based place in the tour
    anchor: Anchor
    text: dict[str, str]               # {lang: short note}
    written_against: str | None        # the stop's own version, else the tour's
    code: str | None = None            # a note's own code, kept for a stop orphaned at import
    line: int | None = None            # line of the stop's record in its file

    @property
    def function(self) -> str:
        return self.anchor.function

    @property
    def kept_orphan(self) -> bool:
        """Imported from a note block that matched no version: placed nowhere by
        construction, kept for its words (and its code)."""
        return self.code is not None

    def as_dict(self) -> dict:
        d = {"index": self.index, "function": self.function, "kind": self.anchor.kind,
             "head": self.anchor.head, "written_against": self.written_against, "text": dict(self.text)}
        if self.code is not None:
            d["code"] = self.code
        return d


@dataclass(frozen=True)
class Tour:
    id: str
    title: dict[str, str]              # {lang: title}
    written_against: str | None
    stops: tuple[Stop, ...]
    path: Path | None = None
    line: int | None = None

    def stop(self, index: int) -> Stop:
        """Stop number `index` (1-based); TourError if the tour has none such."""
        if not 1 <= index <= len(self.stops):
            raise TourError("tour {tour!r} has no stop {index} (it has stops 1-{n})", tour=self.id, index=index,
                            n=len(self.stops))
        return self.stops[index - 1]

    def title_in(self, lang: str) -> str:
        return self.title.get(lang) or self.title.get("en") or next(iter(self.title.values()), self.id)

    def summary(self) -> dict:
        return {"id": self.id, "title": {"ja": self.title.get("ja"), "en": self.title.get("en")},
                "stops": len(self.stops), "written_against": self.written_against}

    def as_dict(self) -> dict:
        return self.summary() | {"title": dict(self.title), "path": str(self.path) if self.path else None,
                                 "stops": [s.as_dict() for s in self.stops]}
