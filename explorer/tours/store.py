"""The tour store: one human-edited YAML file per tour.

Layout (``explorer.paths.tours_dir()``: ``kernel-src/tours/``, or ``tours/``
inside a store moved by FORK_EXPLORER_ANNOTATIONS)::

    kernel-clone.yaml

One file looks like::

    id: kernel-clone                 # unique among the tours; the URL names it
    title: {ja: ..., en: ...}
    written_against: debian-6.12     # optional: the version the stops were taken from
    stops:
      - anchor:                      # the selectors of an annotation (explorer.anchors)
          function: kernel_clone
          kind: if_statement         # a statement or function kind: the stop's kind
          head: ...                  # one-line statement head, nothing more
          before: 1f0c2a9e
          after: 77b0d3c1
          position: 0.2
        written_against: ...         # optional, a stop's own version (a note spanning two generations)
        text:
          ja: ...
          en: ...
        note: {file: x.md, block: 3, code: ...}   # imported stops: where they came from

Files are read and written exactly as annotation files are (ruamel.yaml round
trip, so an unedited file is written back byte for byte; every write goes
through explorer.annotations.store.save_checked: atomic, under the directory
lock, refused with ConflictError when the file changed since it was read).
"""
from __future__ import annotations

import difflib
from pathlib import Path

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from .. import paths
from ..anchors.selectors import ANCHOR_KINDS, Anchor
from ..annotations.store import (
    ID_RE,
    Problem,
    _block,
    _digest,
    _flow_map,
    _line_of,
    clean_text,
    dump_bytes,
    save_checked,
    valid_lang,
)
from ..annotations.yamlfile import YamlFolder
from ..errors import TourError
from ..i18n import Message
from .model import Stop, Tour

ORIGIN_KEY = "note"
STOP_KEYS = frozenset({"anchor", "written_against", "text", ORIGIN_KEY})
TOUR_KEYS = frozenset({"id", "title", "written_against", "stops"})


class TourStore(YamlFolder):
    """The tour files under one directory (or one file anywhere: ``file=``).

    Reading:  ``list()``, ``get(id)``, ``problems()`` (each with file and line),
              ``require_valid(consequence)``.
    Writing:  ``create(tour_doc, path=None)`` (a new file), ``set_stop_text(id,
              index, lang, text)``.  Every write raises ConflictError if the
              file changed on disk since this store read it."""

    def __init__(self, root: Path | str | None = None, known_versions=None, *, file: Path | str | None = None):
        super().__init__(root if root is not None or file is not None else paths.tours_dir(), known_versions,
                         file=file)

    # -- loading and validation ---------------------------------------------------
    def reload(self) -> None:
        self._docs: dict[Path, object] = {}
        self._digests: dict[Path, str | None] = {}
        self._tours: dict[str, Tour] = {}
        self._problems: list[Problem] = []
        for path in self.files():
            self._load_file(path)

    def _problem(self, path: Path, line: int | None, message: Message, tid: str | None = None) -> None:
        self._problems.append(Problem(path, line or 1, message, tid))

    def _load_file(self, path: Path) -> None:
        if not self._read(path):
            return
        doc = self._docs[path]
        if not isinstance(doc, CommentedMap) or not isinstance(doc.get("stops"), list):
            self._problem(path, 1, Message("not a tour file: needs a mapping with an id, a title and a 'stops' list"))
            return
        tour = self._check_tour(path, doc)
        if tour is not None:
            self._tours[tour.id] = tour

    def _check_tour(self, path: Path, doc: CommentedMap) -> Tour | None:
        before = len(self._problems)
        tid = doc.get("id")
        if not isinstance(tid, str) or not ID_RE.match(tid):
            self._problem(path, _line_of(doc, "id", 1) if "id" in doc else 1,
                          Message("missing or malformed tour id {tid!r}", tid=tid))
            return None
        if tid in self._tours:
            first = self._tours[tid]
            self._problem(path, _line_of(doc, "id", 1),
                          Message("duplicate tour id {tid!r} (first in {file}:{lineno})",
                                  tid=tid, file=first.path, lineno=first.line), tid)
            return None
        for key in doc:
            if key not in TOUR_KEYS:
                self._problem(path, _line_of(doc, key, 1), Message("{tid}: unknown key {key!r} "
                                                            "(a tour has {keys})", tid=tid, key=key,
                                                            keys=", ".join(sorted(TOUR_KEYS))), tid)
        title = self._lang_map(path, doc, "title", tid, Message("{tid}: title", tid=tid))
        wa = self._version(path, doc, tid, f"{tid}")
        stops = []
        if not doc["stops"]:
            self._problem(path, _line_of(doc, "stops", 1), Message("{tid}: a tour needs at least one stop",
                                                                   tid=tid), tid)
        for i, rec in enumerate(doc["stops"], start=1):
            stop = self._check_stop(path, doc["stops"], i, rec, tid, wa)
            if stop is not None:
                stops.append(stop)
        if len(self._problems) > before:
            return None
        return Tour(id=tid, title=title, written_against=wa, stops=tuple(stops), path=path,
                    line=_line_of(doc, "id", 1))

    def _lang_map(self, path, rec, key, tid, what) -> dict[str, str]:
        val = rec.get(key)
        line = _line_of(rec, key, _line_of(rec)) if key in rec else _line_of(rec)
        if not isinstance(val, CommentedMap) or not val:
            self._problem(path, line, Message("{what}: needs {key} with at least one language ({key}: {{ja: ..., en: ...}})",
                                              what=what, key=key),
                          tid)
            return {}
        out = {}
        for lang, v in val.items():
            if not valid_lang(lang):
                self._problem(path, _line_of(val, lang, line), Message("{what}: bad language code {lang!r}",
                                                                       what=what, lang=lang), tid)
            elif not isinstance(v, str) or not v.strip():
                self._problem(path, _line_of(val, lang, line), Message("{what}: {key}.{lang} must be words",
                                                                       what=what, key=key, lang=lang), tid)
            else:
                out[str(lang)] = str(v)
        return out

    def _version(self, path, rec, tid, what) -> str | None:
        wa = rec.get("written_against")
        if wa is None:
            return None
        if not isinstance(wa, str) or wa not in self.known_versions:
            self._problem(path, _line_of(rec, "written_against", _line_of(rec)),
                          Message("{what}: unknown version {wa!r} in written_against", what=what, wa=wa), tid)
            return None
        return wa

    def _check_stop(self, path, seq, i, rec, tid, tour_wa) -> Stop | None:
        line = seq.lc.item(i - 1)[0] + 1 if hasattr(seq, "lc") else 1
        what = Message("{tid} stop {i}", tid=tid, i=i)
        if not isinstance(rec, CommentedMap):
            self._problem(path, line, Message("{what}: a stop must be a mapping (anchor, text)", what=what), tid)
            return None
        line = _line_of(rec, default=line)
        before = len(self._problems)
        for key in rec:
            if key not in STOP_KEYS:
                self._problem(path, _line_of(rec, key, line),
                              Message("{what}: unknown key {key!r} (a stop has {keys})", what=what, key=key,
                                      keys=", ".join(sorted(STOP_KEYS))), tid)
        anchor = rec.get("anchor")
        if not isinstance(anchor, CommentedMap):
            self._problem(path, line, Message("{what}: missing anchor", what=what), tid)
        else:
            for key in ("function", "kind", "head"):
                if not isinstance(anchor.get(key), str) or not anchor.get(key).strip():
                    self._problem(path, _line_of(anchor, key, line), Message("{what}: missing anchor {key}",
                                                                             what=what, key=key), tid)
            kind = anchor.get("kind")
            if isinstance(kind, str) and kind.strip() and kind not in ANCHOR_KINDS:
                close = difflib.get_close_matches(kind, sorted(ANCHOR_KINDS), n=1)
                hint = Message("; did you mean {kind!r}?",
                               kind=close[0]) if close else Message(" (a statement or function kind)")
                self._problem(path, _line_of(anchor, "kind", line), Message("{what}: unknown stop kind {kind!r}{hint}",
                                                                            what=what, kind=kind, hint=hint), tid)
            pos = anchor.get("position", 0.0)
            if not isinstance(pos, (int, float)) or not 0.0 <= float(pos) <= 1.0:
                self._problem(path, _line_of(anchor, "position", line), Message("{what}: anchor position must be 0..1",
                                                                                what=what), tid)
        text = self._lang_map(path, rec, "text", tid, what)
        wa = self._version(path, rec, tid, what) if "written_against" in rec else tour_wa
        origin = rec.get(ORIGIN_KEY)
        if origin is not None and not isinstance(origin, CommentedMap):
            self._problem(path, _line_of(rec, ORIGIN_KEY, line), Message("{what}: {key} must be a mapping",
                                                                         what=what, key=ORIGIN_KEY), tid)
        if len(self._problems) > before:
            return None
        code = origin.get("code") if isinstance(origin, CommentedMap) else None
        return Stop(index=i, anchor=Anchor.from_dict(anchor), text=text, written_against=wa,
                    code=str(code) if code is not None else None, line=line)

    def problems(self) -> list[Problem]:
        return list(self._problems)

    def require_valid(self, consequence: str) -> "TourStore":
        """Refuse, naming the first problem's file and line, while a tour file does
        not validate (a verb reading every tour would silently leave one out)."""
        if self._problems:
            first = self._problems[0]
            more = Message(" (and {n} more)", n=len(self._problems) - 1) if len(self._problems) > 1 else ""
            raise TourError("{problem}{more}; {consequence}",
                            problem=first.said or first.message, more=more, consequence=consequence,
                            path=str(first.path), line=first.line)
        return self

    # -- reading ----------------------------------------------------------------------
    def list(self) -> list[Tour]:
        return sorted(self._tours.values(), key=lambda t: t.id)

    def get(self, tour_id: str) -> Tour:
        try:
            return self._tours[tour_id]
        except KeyError:
            known = ", ".join(sorted(self._tours)) or "none"
            raise TourError("no tour {tour_id!r} (tours: {known})", tour_id=tour_id, known=known) from None

    def path_for(self, tour_id: str) -> Path:
        if self._target is not None:
            return self._target
        if not ID_RE.match(tour_id):
            raise TourError("malformed tour id {tour_id!r}", tour_id=tour_id)
        return self.root / f"{tour_id}.yaml"

    # -- writing ----------------------------------------------------------------------
    def _save(self, path: Path, doc) -> None:
        data, reread = save_checked(path, doc, self._digests.get(path))
        self._digests[path] = _digest(data)
        self._docs[path] = reread
        self.reload()

    def create(self, tour_id: str, title: dict[str, str], stops: list[dict], *,
               written_against: str | None = None) -> Tour:
        """Write a new tour file.  `stops`: dicts with anchor (an Anchor), text
        {lang: words}, and optionally written_against and note (where it came
        from).  A file already there with the very same content is left as it
        is (importing a note twice writes nothing); one with other content is
        refused: a tour is edited by hand or through set_stop_text, never
        overwritten wholesale."""
        path = self.path_for(tour_id)
        if tour_id in self._tours and self._tours[tour_id].path != path:
            raise TourError("tour id {tour_id!r} is already used by {file}", tour_id=tour_id,
                            file=self._tours[tour_id].path)
        doc = build_doc(tour_id, title, stops, written_against)
        if path.exists():
            if path.read_bytes() == dump_bytes(doc):
                return self.get(tour_id)
            raise TourError("exists with other stops or words; refusing to overwrite a tour "
                            "(edit it, delete it, or name another file)", path=str(path))
        self._digests[path] = None
        self._save(path, doc)
        problems = [p for p in self._problems if p.path == path]
        if problems:
            raise TourError("written, but does not validate: {problem}",
                            problem=problems[0].said or problems[0].message, path=str(path),
                            line=problems[0].line)
        return self.get(tour_id)

    def set_stop_text(self, tour_id: str, index: int, lang: str, text: str) -> Tour:
        """Set one language of one stop's note (one atomic, conflict-checked save;
        the rest of the file keeps its bytes)."""
        tour = self.get(tour_id)
        tour.stop(index)
        if not valid_lang(lang):
            raise TourError("bad language code {lang!r} (a BCP 47 tag such as ja, en, zh-Hant)", lang=lang)
        text = clean_text(text)
        if not text.strip():
            raise TourError("empty text; a stop keeps at least its words")
        doc = self._docs[tour.path]
        rec = doc["stops"][index - 1]
        old = rec["text"].get(lang, None)
        rec["text"][lang] = _block(text)
        try:
            self._save(tour.path, doc)
        except BaseException:
            if old is None:
                del rec["text"][lang]
            else:
                rec["text"][lang] = old
            raise
        return self.get(tour_id)


def build_doc(tour_id: str, title: dict[str, str], stops: list[dict], written_against: str | None):
    """A tour as the file holds it (anchors as block maps, notes as literal blocks)."""
    doc = CommentedMap()
    doc["id"] = tour_id
    doc["title"] = CommentedMap((k, clean_text(v)) for k, v in title.items() if v)
    if written_against:
        doc["written_against"] = written_against
    seq = CommentedSeq()
    for spec in stops:
        rec = CommentedMap()
        anchor = spec["anchor"]
        rec["anchor"] = CommentedMap((anchor.as_dict() if isinstance(anchor, Anchor) else dict(anchor)).items())
        if spec.get("written_against") and spec["written_against"] != written_against:
            rec["written_against"] = spec["written_against"]
        rec["text"] = CommentedMap((lang, _block(t)) for lang, t in spec["text"].items() if t)
        if spec.get(ORIGIN_KEY):
            origin = {k: v for k, v in spec[ORIGIN_KEY].items() if v is not None}
            code = origin.pop("code", None)
            m = _flow_map(origin)
            if code is not None:
                m = CommentedMap(origin)
                m["code"] = _block(code) if "\n" in code else code
            rec[ORIGIN_KEY] = m
        seq.append(rec)
    doc["stops"] = seq
    return doc
