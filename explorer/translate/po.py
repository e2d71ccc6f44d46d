"""gettext PO export and import, for translators' own tools (Poedit, Weblate, OmegaT).

One entry per annotation:

    #. debian-6.12:2184 copy_process (exact)           <- version:line of the anchored code
    #. | if ((clone_flags & ...                         <- the code itself (first lines)
    #. translation-base: 3f2a...                        <- hash of the translation exported
    #: kernel-src/annotations/copy_process.yaml:12     <- where the note lives
    #, fuzzy                                            <- stale (as msgmerge marks it)
    #| msgid "the previous source text"               <- what the translator translated before
    msgctxt "copy_process.guard.thread-needs-sighand"  <- the annotation id
    msgid "source-language text"
    msgstr "translation"

Import applies translated, non-fuzzy entries whose source text is still the
store's, and reports unknown ids, conflicts and fuzzy entries.  The whole
file is parsed and checked before anything is written: a file that does not
parse changes nothing.
"""
from __future__ import annotations

import dataclasses
import datetime as _dt
import re
import subprocess
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

import polib

from .. import paths
from ..annotations import Annotation, text_hash
from ..annotations.store import LANG_RE, load_bytes
from ..errors import ExplorerError, TranslationError
from ..fsutil import atomic_write
from .glossary import check, load_glossary
from .status import Reader, lang_state

TRANSLATED_KEY = "translated"     # record key: per language, what a translation was made from
BASE_RE = re.compile(r"^translation-base: (\S+)$", re.M)
CODE_LINES = 8
MAX_PO_BYTES = 20_000_000


def _now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M+0000")


def _base(text: str | None) -> str:
    return text_hash(text) if text else "none"


def _rel(path: Path | None) -> str:
    if path is None:
        return "annotations"
    try:
        return str(Path(path).resolve().relative_to(paths.REPO_ROOT))
    except ValueError:
        return str(path)


def previous_source(store, ann: Annotation, lang: str) -> str | None:
    """The source text a stale translation was made from, when known: what
    `translate import` recorded, else the file's git history."""
    want = (ann.provenance.get(lang) or {}).get("source")
    if not want:
        return None
    rec = store.field(ann.id, TRANSLATED_KEY) or {}
    entry = rec.get(lang) if isinstance(rec, dict) else None
    if isinstance(entry, dict) and isinstance(entry.get("from"), str) and text_hash(entry["from"]) == want:
        return entry["from"]
    return _from_git(ann, want)


def _from_git(ann: Annotation, want: str) -> str | None:
    if ann.path is None:
        return None
    path = Path(ann.path).resolve()
    try:
        top = subprocess.run(["git", "-C", str(path.parent), "rev-parse", "--show-toplevel"],
                             capture_output=True, text=True, timeout=10)
        if top.returncode != 0:
            return None
        rel = path.relative_to(Path(top.stdout.strip()).resolve())
        revs = subprocess.run(["git", "-C", str(path.parent), "log", "--format=%H", "-n", "40", "--", str(rel)],
                              capture_output=True, text=True, timeout=10).stdout.split()
        for rev in revs:
            show = subprocess.run(["git", "-C", str(path.parent), "show", f"{rev}:{rel}"],
                                  capture_output=True, timeout=10)
            if show.returncode != 0:
                continue
            try:
                doc = load_bytes(show.stdout)
            except Exception:   # noqa: BLE001 - an old broken revision is just skipped
                continue
            for rec in (doc or {}).get("annotations") or []:
                if str(rec.get("id")) == ann.id:
                    src = (rec.get("text") or {}).get(ann.source_lang)
                    if isinstance(src, str) and text_hash(src) == want:
                        return str(src)
    except (OSError, ValueError, subprocess.SubprocessError):
        return None
    return None


def _code_comment(label, res, module) -> list[str]:
    if res is None or res.node is None:
        status = res.status if res is not None else "not loaded"
        return [f"{label}: not placed ({status})"]
    lines = [f"{label}:{res.line} {res.function} ({res.status})"]
    node = res.node
    end_row = node.end_point[0]
    if node.type == "function_definition":
        body = node.child_by_field_name("body")
        end_row = body.start_point[0] if body is not None else end_row
    # whole lines of the reader's file, dedented, so the code reads as in the file
    code_lines = textwrap.dedent("\n".join(
        ln.expandtabs(8) for ln in module.lines[node.start_point[0]:end_row + 1])).rstrip().split("\n")
    shown = code_lines[:CODE_LINES]
    lines += ["| " + ln.rstrip() for ln in shown]
    if len(code_lines) > CODE_LINES:
        lines.append(f"| ... ({len(code_lines) - CODE_LINES} more lines)")
    return lines


@dataclass
class ExportReport:
    path: str
    to: str
    entries: int = 0
    translated: int = 0
    untranslated: int = 0
    fuzzy: int = 0
    skipped: list[str] = field(default_factory=list)   # ids without text in the source language

    def as_dict(self) -> dict:
        return {"file": self.path, "to": self.to, "entries": self.entries, "translated": self.translated,
                "untranslated": self.untranslated, "fuzzy": self.fuzzy, "skipped": self.skipped}


def build_po(store, to: str, from_lang: str | None = None, version: str | None = None) -> tuple[polib.POFile, ExportReport]:
    po = polib.POFile(wrapwidth=0)   # never re-wrap the code lines of a comment
    now = _now()
    po.metadata = {
        "Project-Id-Version": "fork-explorer annotations",
        "Report-Msgid-Bugs-To": "",
        "POT-Creation-Date": now,
        "PO-Revision-Date": now,
        "Last-Translator": "fork-explorer export <translators@fork-explorer.invalid>",
        "Language-Team": f"{to} <translators@fork-explorer.invalid>",
        "Language": to,
        "MIME-Version": "1.0",
        "Content-Type": "text/plain; charset=UTF-8",
        "Content-Transfer-Encoding": "8bit",
        "X-Source-Language": from_lang or "(each annotation's source_lang)",
        "X-Fork-Explorer-Version-Read": version or "(each annotation's written_against)",
    }
    report = ExportReport(path="", to=to)
    reader = Reader(version)
    for ann in store.list():
        src_lang = from_lang or ann.source_lang
        if src_lang == to or ann.source_lang == to:
            continue   # nothing to translate: the target is this note's own language
        source = ann.text.get(src_lang)
        if not source or not source.strip():
            report.skipped.append(ann.id)
            continue
        label, res, code_now = reader.resolve(ann)
        _, module = reader.module_for(ann)
        st = lang_state(ann, to, label, res, code_now)
        translation = ann.text.get(to) or ""
        comment = _code_comment(label, res, module)
        comment.append(f"translation-base: {_base(translation or None)}")
        flags, previous = [], None
        if st.status == "stale" and translation:
            flags.append("fuzzy")
            if "code-changed" in st.reasons:
                comment.append("stale: the code under this note changed since the translation")
            if "source-changed" in st.reasons:
                previous = previous_source(store, ann, to) if src_lang == ann.source_lang else None
                if previous is None:
                    comment.append("stale: the source text changed since the translation "
                                   "(previous text not recorded)")
        entry = polib.POEntry(msgctxt=ann.id, msgid=source, msgstr=translation,
                              comment="\n".join(comment),
                              occurrences=[(_rel(ann.path), str(ann.line or 1))],
                              flags=flags)
        if previous is not None and previous != source:
            entry.previous_msgctxt = ann.id
            entry.previous_msgid = previous
        po.append(entry)
        report.entries += 1
        if "fuzzy" in flags:
            report.fuzzy += 1
        elif translation:
            report.translated += 1
        else:
            report.untranslated += 1
    return po, report


def export_po(store, path: str | Path, to: str, from_lang: str | None = None,
              version: str | None = None) -> ExportReport:
    _check_lang(to)
    if from_lang is not None:
        _check_lang(from_lang)
        if from_lang == to:
            raise TranslationError("--from and --to are both {to!r}", to=to)
    out = Path(path)
    if out.is_dir():
        raise TranslationError("names a directory; name the .po file to write", path=str(out))
    if not out.parent.is_dir():
        raise TranslationError("the directory to write into does not exist", path=str(out.parent))
    po, report = build_po(store, to, from_lang, version)
    atomic_write(out, str(po).encode("utf-8") + b"\n")
    report.path = str(out)
    return report


def _check_lang(lang: str) -> None:
    if not isinstance(lang, str) or not LANG_RE.match(lang):
        raise TranslationError("bad language code {lang!r} (use e.g. ja, en, pt_BR)", lang=lang)


# -- import ------------------------------------------------------------------------

@dataclass
class ImportReport:
    path: str
    lang: str
    applied: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    untranslated: list[str] = field(default_factory=list)
    fuzzy: list[str] = field(default_factory=list)
    unknown_ids: list[str] = field(default_factory=list)
    conflicts: list[dict] = field(default_factory=list)
    glossary: list[dict] = field(default_factory=list)   # terms the new translations miss
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.unknown_ids and not self.conflicts

    def as_dict(self) -> dict:
        return {"file": self.path, "lang": self.lang, "dry_run": self.dry_run,
                "applied": self.applied, "unchanged": len(self.unchanged),
                "untranslated": len(self.untranslated), "fuzzy": self.fuzzy,
                "unknown_ids": self.unknown_ids, "conflicts": self.conflicts, "glossary": self.glossary}


def read_po(path: str | Path) -> polib.POFile:
    p = Path(path)
    try:
        size = p.stat().st_size
    except FileNotFoundError:
        raise TranslationError("no such PO file", path=str(p)) from None
    except OSError as e:
        raise TranslationError("cannot read: {strerror}", strerror=e.strerror, path=str(p)) from None
    if not p.is_file():
        raise TranslationError("not a regular file", path=str(p))
    if size > MAX_PO_BYTES:
        raise TranslationError("{size:,} bytes; the limit is {limit:,}", size=size, limit=MAX_PO_BYTES, path=str(p))
    try:
        po = polib.pofile(str(p), encoding="utf-8", check_for_duplicates=True)
    except UnicodeDecodeError as e:
        raise TranslationError("not UTF-8 ({reason})", reason=e.reason, path=str(p)) from None
    except (OSError, ValueError) as e:
        msg = str(e).replace(str(p), "").strip() or type(e).__name__
        m = re.search(r"\s*\(line (\d+)\)\s*$", msg)     # polib says where; put it in path:line form
        line = int(m.group(1)) if m else None
        msg = msg[:m.start()] if m else msg
        raise TranslationError("does not parse as a PO file: {detail}", detail=msg, path=str(p), line=line) from None
    if not po.metadata.get("Language"):
        raise TranslationError("the PO header names no Language; cannot tell which language it "
                               "translates into", path=str(p))
    return po


def _glossary_findings(plan, lang: str) -> list[dict]:
    """Glossary terms the incoming translations use without their partner
    (a warning for the translator, not a reason to refuse the entry)."""

    try:
        terms = load_glossary()
    except TranslationError:
        return []          # no glossary in this checkout: nothing to check against
    incoming = [dataclasses.replace(ann, text={**ann.text, lang: entry.msgstr}) for ann, entry in plan]
    return [f for f in check(incoming, terms) if f["missing_in"] == lang]


def import_po(store, path: str | Path, *, dry_run: bool = False) -> ImportReport:
    po = read_po(path)
    lang = po.metadata["Language"].strip()
    _check_lang(lang)
    translator = po.metadata.get("Last-Translator", "").strip()
    report = ImportReport(path=str(path), lang=lang, dry_run=dry_run)
    known = {a.id: a for a in store.list()}
    plan: list[tuple[Annotation, polib.POEntry]] = []
    for entry in po:
        if entry.obsolete:
            continue
        rid = entry.msgctxt
        if rid is None or rid not in known:
            report.unknown_ids.append(rid if rid is not None else f"(no msgctxt) {entry.msgid[:40]}")
            continue
        if entry.fuzzy:
            report.fuzzy.append(rid)
            continue
        if not entry.msgstr.strip():
            report.untranslated.append(rid)
            continue
        ann = known[rid]
        if lang == ann.source_lang:
            report.conflicts.append({"id": rid, "reason": f"{lang} is this note's source language"})
            continue
        source = ann.text.get(ann.source_lang, "")
        if text_hash(entry.msgid) != text_hash(source):
            report.conflicts.append({"id": rid, "reason": "the source text changed since this file "
                                     "was exported; export again"})
            continue
        current = ann.text.get(lang)
        if current is not None and text_hash(current) == text_hash(entry.msgstr):
            prov = (ann.provenance.get(lang) or {}).get("source")
            if prov == text_hash(source):
                report.unchanged.append(rid)
                continue
        m = BASE_RE.search(entry.comment or "")
        base = m.group(1) if m else None
        if current is not None and base is not None and base != _base(current) \
                and text_hash(current) != text_hash(entry.msgstr):
            report.conflicts.append({"id": rid, "reason": f"the {lang} text was changed in the store since "
                                     "this file was exported"})
            continue
        plan.append((ann, entry))
    report.glossary = _glossary_findings(plan, lang)
    if dry_run:
        report.applied = [a.id for a, _ in plan]
        return report
    when = _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    for ann, entry in plan:
        code = (ann.provenance.get(ann.source_lang) or {}).get("code")
        try:
            # the translation and the record of what it was made from: one save, both or neither
            made_from = store.field(ann.id, TRANSLATED_KEY)
            made_from = dict(made_from) if isinstance(made_from, dict) else {}
            made_from[lang] = {"from": entry.msgid, "via": f"po:{Path(path).name}", "at": when,
                               "by": translator or None}
            store.update(ann.id, text={lang: entry.msgstr}, code=code or None,
                         fields={TRANSLATED_KEY: made_from})
        except ExplorerError as e:
            report.conflicts.append({"id": ann.id, "reason": str(e)})
            continue
        report.applied.append(ann.id)
    return report
