"""Glossary check: a term used in one language of an annotation should appear
with its partner in the others (kernel-src/glossary.yaml).

The glossary lists terms as {en: ..., ja: ..., zh: ...}: every key that is a
language tag is a language of the term (either side may be a list of accepted
spellings); other keys (`code`) are notes for translators.  A term needs at
least two languages.  The check applies to the languages an annotation and a
term both have.  Latin-script languages are matched case-insensitively on
word boundaries, plurals allowed; Chinese, Japanese and Korean are matched
ignoring spaces (`PID 名前空間` and `PID名前空間` are the same term).  A
longer term that contains a shorter one (user namespace / namespace)
satisfies the shorter one too.

The glossary may also list wording to avoid (`avoid:` entries {ja|en: the
spelling, use: what to write instead, why}): a spelling a kernel reader of
that language would change wherever it appears (欄 for a struct field).
`check_wording` reports each one found in a note.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from .. import paths
from ..annotations.store import valid_lang
from ..errors import TranslationError


@dataclass(frozen=True)
class Term:
    forms: tuple[tuple[str, tuple[str, ...]], ...]     # (language, accepted spellings), file order

    @property
    def langs(self) -> tuple[str, ...]:
        return tuple(lang for lang, _ in self.forms)

    def spellings(self, lang: str) -> tuple[str, ...]:
        return dict(self.forms).get(lang, ())

    @property
    def en(self) -> tuple[str, ...]:
        return self.spellings("en")

    @property
    def ja(self) -> tuple[str, ...]:
        return self.spellings("ja")


@dataclass(frozen=True)
class Avoid:
    """A spelling not to use in one language, and what to write instead."""
    lang: str
    text: str
    use: tuple[str, ...]
    why: str = ""


def glossary_path() -> Path:
    return paths.KERNEL_SRC / "glossary.yaml"


def _read(path: str | Path | None):
    p = Path(path) if path is not None else glossary_path()
    try:
        data = YAML(typ="safe").load(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise TranslationError("no glossary file", path=str(p)) from None
    except (YAMLError, UnicodeDecodeError) as e:
        raise TranslationError("glossary does not parse: {error}", error=str(e).split("\n")[0], path=str(p)) from None
    return p, data


def load_glossary(path: str | Path | None = None) -> list[Term]:
    p, data = _read(path)
    rows = data.get("terms") if isinstance(data, dict) else data
    if not isinstance(rows, list):
        raise TranslationError("glossary needs a 'terms' list of {en, ja, ...} entries", path=str(p))
    terms = []
    for n, row in enumerate(rows, 1):
        if not isinstance(row, dict):
            raise TranslationError("glossary term {n} must be a mapping of language -> term", n=n, path=str(p))
        forms = tuple((str(k), tuple(str(x) for x in (v if isinstance(v, list) else [v])))
                      for k, v in row.items() if valid_lang(k) and v is not None)
        if len(forms) < 2:
            raise TranslationError("glossary term {n} needs at least two languages (e.g. 'en' and 'ja')", n=n,
                                   path=str(p))
        terms.append(Term(forms))
    return terms


_SPACELESS = {"ja", "zh", "ko"}   # scripts written without spaces between words


def _spaceless(lang: str) -> bool:
    return re.split(r"[-_]", lang)[0] in _SPACELESS


def load_avoid(path: str | Path | None = None) -> list[Avoid]:
    """The glossary's `avoid:` list (empty when it has none)."""
    p, data = _read(path)
    rows = data.get("avoid") if isinstance(data, dict) else None
    if rows is None:
        return []
    if not isinstance(rows, list):
        raise TranslationError("glossary 'avoid' must be a list of {ja|en, use, why} entries", path=str(p))
    out = []
    for n, row in enumerate(rows, 1):
        langs = [k for k in ("ja", "en") if isinstance(row, dict) and k in row]
        if len(langs) != 1 or not row.get("use"):
            raise TranslationError("glossary avoid entry {n} needs one of 'ja'/'en' and a 'use'", n=n, path=str(p))
        use = row["use"] if isinstance(row["use"], list) else [row["use"]]
        out.append(Avoid(langs[0], str(row[langs[0]]), tuple(str(u) for u in use), str(row.get("why") or "")))
    return out


def _en_pattern(term: str) -> re.Pattern:
    words = [re.escape(w) for w in term.split()]
    body = r"[\s\-]+".join(words)
    return re.compile(r"(?<![A-Za-z0-9_])" + body + r"(?:s|es)?(?![A-Za-z0-9_])", re.I)


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def uses(term: Term, lang: str, text: str) -> bool:
    if not _spaceless(lang):
        return any(_en_pattern(t).search(text) for t in term.spellings(lang))
    flat = _squash(text)
    return any(_squash(t) in flat for t in term.spellings(lang))


def check(annotations, terms: list[Term], langs=None) -> list[dict]:
    """One finding per (annotation, term, language) where the term is used in
    some language of the annotation and its partner is missing in another;
    only the languages both have (and, if given, those in `langs`) count."""
    out = []
    for ann in annotations:
        for term in terms:
            present = [lang for lang in term.langs if ann.text.get(lang) and (langs is None or lang in langs)]
            if len(present) < 2:
                continue
            used = [lang for lang in present if uses(term, lang, ann.text[lang])]
            if not used:
                continue
            for missing in (lang for lang in present if lang not in used):
                out.append({"id": ann.id, "term": {lang: sp[0] for lang, sp in term.forms},
                            "used_in": used[0], "missing_in": missing,
                            "expected": list(term.spellings(missing)),
                            "path": str(ann.path) if ann.path else None, "line": ann.line})
    return out


def _avoid_found(item: Avoid, text: str) -> bool:
    if not _spaceless(item.lang):
        return bool(_en_pattern(item.text).search(text))
    return _squash(item.text) in _squash(text)


def check_wording(annotations, avoid: list[Avoid]) -> list[dict]:
    """One finding per (annotation, spelling to avoid) found in its text."""
    out = []
    for ann in annotations:
        for item in avoid:
            text = ann.text.get(item.lang)
            if text and _avoid_found(item, text):
                out.append({"id": ann.id, "lang": item.lang, "found": item.text, "use": list(item.use),
                            "why": item.why, "path": str(ann.path) if ann.path else None, "line": ann.line})
    return out
