"""What an annotation record is: its vocabulary (languages, ids, the store's
own keys), the plain snapshot a reader gets (Annotation), a validation
failure (Problem), and how record values are held in the YAML file (prose as
literal blocks, claims as flow maps)."""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import LiteralScalarString

from ..anchors.selectors import Anchor
from ..errors import AnnotationError
from ..i18n import Message, tell
from .claims import claim_problem

# A BCP 47 language tag (well-formed, not checked against the registry): a 2-3
# letter language, then script (Hant), region (TW, 419) and variant subtags;
# "_" is accepted too, as gettext's locale names write it (pt_BR).
LANG_RE = re.compile(r"^[a-z]{2,3}(?:[-_](?:[A-Za-z]{4}|[A-Za-z]{2}|[0-9]{3}|[A-Za-z0-9]{5,8}|[0-9][A-Za-z0-9]{3}))*$")
ID_RE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.\-]*$")
# Keys the store itself manages; everything else on a record is an extra field
# (where a note came from, what a translation was made from) set via update().
RECORD_KEYS = frozenset({"id", "anchor", "written_against", "source_lang", "tags", "text", "provenance",
                         "archived", "claims", "author"})


def valid_lang(lang) -> bool:
    """Is `lang` a well-formed BCP 47 language tag (ja, en, zh, zh-Hant, pt_BR)?"""
    return isinstance(lang, str) and bool(LANG_RE.match(lang))


_LINE_BREAKS = re.compile("\r\n|[\r\x85\u2028\u2029]")


# Characters YAML cannot hold in a file (C0/C1 controls, surrogates, U+FFFE/F).
_NOT_YAML = re.compile("[^\t\n\x20-\x7e\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def clean_text(text: str) -> str:
    """A note's text as stored: every kind of line break made a plain newline
    (YAML would otherwise rewrite NEL or U+2028 and break the byte-exact round
    trip), control characters YAML cannot store dropped, trailing blanks and
    the blank lines around the text dropped."""
    lines = _NOT_YAML.sub("", _LINE_BREAKS.sub("\n", text)).split("\n")
    return "\n".join(line.rstrip() for line in lines).strip("\n")


def text_hash(text: str) -> str:
    """Hash of a note's text as provenance records it (of its clean_text form,
    so line endings and surrounding blank lines do not count)."""
    return hashlib.sha256(clean_text(text).encode("utf-8")).hexdigest()[:16]


@dataclass
class Annotation:
    """One note, as a plain snapshot (editing it changes nothing: use the Store)."""
    id: str
    anchor: Anchor
    text: dict[str, str]
    source_lang: str
    written_against: str
    tags: list[str] = field(default_factory=list)
    provenance: dict[str, dict[str, str]] = field(default_factory=dict)
    claims: list[dict] = field(default_factory=list)   # history claims (explorer.annotations.claims)
    author: str | None = None        # the reading-group member who wrote it (explorer.members)
    path: Path | None = None
    line: int | None = None          # 1-based line of the record in its file

    @property
    def function(self) -> str:
        return self.anchor.function

    def as_dict(self) -> dict:
        d = {"id": self.id, "function": self.function, "kind": self.anchor.kind,
             "code": self.anchor.head, "written_against": self.written_against,
             "tags": list(self.tags), "source_lang": self.source_lang,
             "text": dict(self.text), "provenance": {k: dict(v) for k, v in self.provenance.items()},
             "anchor": self.anchor.as_dict(), "claims": [dict(c) for c in self.claims],
             "path": str(self.path) if self.path else None, "line": self.line}
        if self.author:      # only notes written in a named room carry one
            d["author"] = self.author
        return d


@dataclass(frozen=True)
class Problem:
    """A validation failure, located in its file.  Made with a Message, `message`
    is its English and `said` the Message, to be said in a reader's language."""
    path: Path
    line: int
    message: str
    id: str | None = None
    said: Message | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        if isinstance(self.message, Message):
            object.__setattr__(self, "said", self.message)
            object.__setattr__(self, "message", str(self.message))

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"

    def say(self, _) -> str:
        """The problem in the language of a translator `_` (the file and line as they are)."""
        return f"{self.path}:{self.line}: {tell(self.said or self.message, _)}"

    def as_dict(self) -> dict:
        return {"path": str(self.path), "line": self.line, "message": self.message, "id": self.id}


def _line_of(node, key=None, default: int = 1) -> int:
    try:
        if key is not None and isinstance(node, CommentedMap):
            return node.lc.key(key)[0] + 1
        return node.lc.line + 1
    except Exception:
        return default


def _record_to_annotation(rec: CommentedMap, path: Path) -> Annotation:
    text = {str(k): str(v) for k, v in (rec.get("text") or {}).items() if v is not None}
    prov = {str(k): {str(a): str(b) for a, b in (v or {}).items()}
            for k, v in (rec.get("provenance") or {}).items()}
    return Annotation(id=str(rec["id"]), anchor=Anchor.from_dict(rec["anchor"]), text=text,
                      source_lang=str(rec.get("source_lang") or ""),
                      written_against=str(rec.get("written_against") or ""),
                      tags=[str(t) for t in (rec.get("tags") or [])], provenance=prov,
                      claims=[{str(k): str(v) for k, v in c.items()} for c in (rec.get("claims") or [])],
                      author=str(rec["author"]) if rec.get("author") else None, path=path,
                      line=_line_of(rec, default=None))


def _block(text: str):
    """Multi-line or long prose reads best as a literal block in the file."""
    text = clean_text(text)
    return LiteralScalarString(text) if ("\n" in text or len(text) > 60) else text


def _flow(items):
    seq = CommentedSeq(items)
    seq.fa.set_flow_style()
    return seq


def _flow_map(d: dict):
    m = CommentedMap(d)
    m.fa.set_flow_style()
    return m


def _plain(value):
    """An extra field's value as the file holds it (multi-line strings as blocks)."""
    if isinstance(value, dict):
        m = CommentedMap()
        for k, v in value.items():
            if v is not None:
                m[str(k)] = _plain(v)
        return m
    if isinstance(value, (list, tuple)):
        return CommentedSeq(_plain(v) for v in value)
    if isinstance(value, str) and "\n" in value:
        return LiteralScalarString(value.rstrip("\n"))
    return value


def _to_python(val):
    if isinstance(val, dict):
        return {str(k): _to_python(v) for k, v in val.items()}
    if isinstance(val, list):
        return [_to_python(v) for v in val]
    if isinstance(val, str):
        return str(val)
    return val


def _claims_seq(claims) -> CommentedSeq:
    """History claims ({kind, version, what[, code]}, see explorer.annotations.claims),
    checked, as the file holds them (one flow map each)."""
    claims = [dict(c) for c in claims]
    for c in claims:
        why = claim_problem(c)
        if why:
            raise AnnotationError(why)
    return CommentedSeq(_flow_map(c) for c in claims)


def _extra_fields(fields: dict | None) -> dict:
    fields = dict(fields or {})
    for key in fields:
        if not isinstance(key, str) or not ID_RE.match(key):
            raise AnnotationError("malformed field name {key!r}", key=key)
        if key in RECORD_KEYS:
            raise AnnotationError("{key!r} is the store's own key; use add/update's own arguments", key=key)
    return fields
