"""Translation status per annotation and language: current, missing, stale.

A language's text is *stale* when
- it is a translation and the source-language text changed since it was made
  (provenance[lang].source is not the hash of today's source text), or
- the code under the note changed between the version the text was written
  against and the version being read (provenance[lang].code is not the code
  hash of the node the anchor resolves to there).

The version being read is the annotation's own written_against unless one is
named; an annotation that does not place in that version is judged on its
text alone (`placed: false` says so).
"""
from __future__ import annotations

from dataclasses import dataclass

from .. import cparse
from ..anchors import code_hash
from ..annotations import Annotation, resolve_annotation, text_hash
from ..errors import ExplorerError

DEFAULT_LANGS = ("ja", "en")
STATUSES = ("current", "missing", "stale")


@dataclass
class LangState:
    id: str
    lang: str
    status: str               # current | missing | stale
    reasons: list[str]        # why stale: "source-changed", "code-changed"
    source_lang: str
    label: str | None         # version read
    placed: bool
    line: int | None = None
    code_now: str | None = None

    def as_dict(self) -> dict:
        return {"id": self.id, "lang": self.lang, "status": self.status, "reasons": self.reasons,
                "source_lang": self.source_lang, "label": self.label, "placed": self.placed,
                "line": self.line}


class Reader:
    """Resolves annotations in the version being read, loading each version once."""

    def __init__(self, version: str | None = None):
        self.version = version
        self._modules: dict[str, object] = {}

    def module_for(self, ann: Annotation):
        label = self.version or ann.written_against
        if label not in self._modules:
            try:
                self._modules[label] = cparse.load(label)
            except ExplorerError:
                if self.version:       # a version the user named must exist
                    raise
                self._modules[label] = None
        return label, self._modules[label]

    def resolve(self, ann: Annotation):
        """(label, Resolution or None, code hash or None)."""
        label, mod = self.module_for(ann)
        if mod is None:
            return label, None, None
        res = resolve_annotation(ann, mod)
        return label, res, (code_hash(mod, res.node) if res.node is not None else None)


def lang_state(ann: Annotation, lang: str, label: str | None, res, code_now: str | None) -> LangState:
    placed = res is not None and res.node is not None
    line = res.line if placed else None
    text = ann.text.get(lang)
    if text is None or not text.strip():
        return LangState(ann.id, lang, "missing", [], ann.source_lang, label, placed, line, code_now)
    prov = ann.provenance.get(lang) or {}
    reasons = []
    if lang != ann.source_lang:
        src = ann.text.get(ann.source_lang, "")
        if prov.get("source") != text_hash(src):
            reasons.append("source-changed")
    if code_now is not None and prov.get("code") and prov.get("code") != code_now:
        reasons.append("code-changed")
    return LangState(ann.id, lang, "stale" if reasons else "current", reasons, ann.source_lang, label,
                     placed, line, code_now)


def states(annotations, version: str | None = None, langs=None) -> list[LangState]:
    """Every (annotation, language) state; langs defaults to ja, en and any
    language an annotation has."""
    reader = Reader(version)
    out = []
    for ann in annotations:
        label, res, code_now = reader.resolve(ann)
        wanted = list(langs) if langs else list(dict.fromkeys(list(DEFAULT_LANGS) + list(ann.text)))
        for lang in wanted:
            out.append(lang_state(ann, lang, label, res, code_now))
    return out


def summary(annotations, version: str | None = None, langs=None) -> dict:
    """`translate status` JSON: {"annotations": n, "by_lang": {lang: {current, missing, stale}},
    "source_langs": {lang: notes written in it}, ...}."""
    annotations = list(annotations)
    all_states = states(annotations, version, langs)
    by_lang: dict[str, dict[str, int]] = {}
    for st in all_states:
        counts = by_lang.setdefault(st.lang, {s: 0 for s in STATUSES})
        counts[st.status] += 1
    sources: dict[str, int] = {}
    for ann in annotations:       # the languages notes were written in: what translators translate from
        sources[ann.source_lang] = sources.get(ann.source_lang, 0) + 1
    return {"annotations": len(annotations), "version": version, "by_lang": by_lang, "source_langs": sources,
            "not_current": [s.as_dict() for s in all_states if s.status != "current"]}
