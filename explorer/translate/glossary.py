"""Glossary check: a term used in one language of an annotation should appear
with its partner in the other (kernel-src/glossary.yaml).

The glossary lists terms as {en: ..., ja: ...} (either side may be a list of
accepted spellings).  English is matched case-insensitively on word
boundaries, plurals allowed; Japanese is matched ignoring spaces (`PID 名前空間`
and `PID名前空間` are the same term).  A longer term that contains a shorter
one (user namespace / namespace) satisfies the shorter one too.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from .. import paths
from ..errors import TranslationError


@dataclass(frozen=True)
class Term:
    en: tuple[str, ...]
    ja: tuple[str, ...]

    def spellings(self, lang: str) -> tuple[str, ...]:
        return self.en if lang == "en" else self.ja


def glossary_path() -> Path:
    return paths.KERNEL_SRC / "glossary.yaml"


def load_glossary(path: str | Path | None = None) -> list[Term]:
    p = Path(path) if path is not None else glossary_path()
    try:
        data = YAML(typ="safe").load(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise TranslationError("no glossary file", path=str(p)) from None
    except (YAMLError, UnicodeDecodeError) as e:
        raise TranslationError(f"glossary does not parse: {e}".split("\n")[0], path=str(p)) from None
    rows = data.get("terms") if isinstance(data, dict) else data
    if not isinstance(rows, list):
        raise TranslationError("glossary needs a 'terms' list of {en, ja} entries", path=str(p))
    terms = []
    for n, row in enumerate(rows, 1):
        if not isinstance(row, dict) or "en" not in row or "ja" not in row:
            raise TranslationError(f"glossary term {n} needs both 'en' and 'ja'", path=str(p))
        en = tuple(str(x) for x in (row["en"] if isinstance(row["en"], list) else [row["en"]]))
        ja = tuple(str(x) for x in (row["ja"] if isinstance(row["ja"], list) else [row["ja"]]))
        terms.append(Term(en, ja))
    return terms


def _en_pattern(term: str) -> re.Pattern:
    words = [re.escape(w) for w in term.split()]
    body = r"[\s\-]+".join(words)
    return re.compile(r"(?<![A-Za-z0-9_])" + body + r"(?:s|es)?(?![A-Za-z0-9_])", re.I)


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def uses(term: Term, lang: str, text: str) -> bool:
    if lang == "en":
        return any(_en_pattern(t).search(text) for t in term.en)
    flat = _squash(text)
    return any(_squash(t) in flat for t in term.ja)


def check(annotations, terms: list[Term], langs=("ja", "en")) -> list[dict]:
    """One finding per (annotation, term) used in one language without its
    partner in the other; only annotations that have both languages."""
    a, b = langs
    out = []
    for ann in annotations:
        ta, tb = ann.text.get(a), ann.text.get(b)
        if not ta or not tb:
            continue
        for term in terms:
            ua, ub = uses(term, a, ta), uses(term, b, tb)
            if ua == ub:
                continue
            used, missing = (a, b) if ua else (b, a)
            out.append({"id": ann.id, "term": {"en": term.en[0], "ja": term.ja[0]},
                        "used_in": used, "missing_in": missing,
                        "expected": list(term.spellings(missing)),
                        "path": str(ann.path) if ann.path else None, "line": ann.line})
    return out
