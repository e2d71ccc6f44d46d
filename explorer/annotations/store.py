"""The annotation store: one human-edited YAML file per function.

Layout (``explorer.paths.annotations_dir()``, i.e. ``kernel-src/annotations/``)::

    copy_process.yaml          live notes on copy_process
    kernel_clone.yaml          ...
    archive/copy_process.yaml  deleted notes (moved here, never destroyed)

One file looks like::

    function: copy_process
    annotations:
      - id: copy_process.guard.thread-needs-sighand
        anchor:                      # selectors, see explorer.anchors
          function: copy_process
          kind: if_statement
          head: (clone_flags & CLONE_THREAD) && !(clone_flags & CLONE_SIGHAND)
          before: 1f0c2a9e           # hashes of the neighbouring statements
          after: 77b0d3c1
          position: 0.012
        written_against: debian-6.12 # version label the anchor was taken from
        source_lang: en              # the language the note was written in
        tags: [flag-check]
        text:
          ja: |-
            ...
          en: |-
            ...
        provenance:                  # per language, at writing/translation time
          ja: {source: <text_hash of text[source_lang]>, code: <code hash of the anchored node>}
          en: {source: ..., code: ...}

Files are read and written with ruamel.yaml's round-trip mode, so loading
and saving a file changes no byte, and hand edits (comments, key order,
quoting) survive API edits.  Every write is atomic (temporary file, fsync,
rename, fsync of the directory) and guarded twice: an exclusive flock on the
directory serialises writers, and the file's SHA-256 seen at load time must
still be the file's hash at save time, otherwise ConflictError (optimistic
concurrency: a widget never overwrites an edit it has not seen).

The file I/O and that guarded save are explorer.annotations.yamlfile; what a
record holds and how its values look in the file, explorer.annotations.records.
"""
from __future__ import annotations

import datetime as _dt
from dataclasses import replace
from pathlib import Path

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from .. import paths
from ..anchors.selectors import ANCHOR_KINDS, Anchor, anchorable, code_hash, make_anchor
from ..errors import AnnotationError, ConflictError, LookupFailure
from ..i18n import Message
from ..fsutil import atomic_write  # noqa: F401 (re-exported: explorer.annotations.atomic_write)
from .claims import claim_problem
from .records import (ID_RE, Annotation, Problem, _block, _claims_seq, _extra_fields, _flow, _flow_map, _line_of,
                      _plain, _record_to_annotation, _to_python, clean_text, text_hash)
# Re-exported: callers import the record vocabulary from the store (translate, notes, cli).
from .records import LANG_RE, RECORD_KEYS, valid_lang  # noqa: F401
from .records import _NOT_YAML
from .yamlfile import YamlFolder, _digest, dump_bytes, load_bytes, save_checked

ARCHIVE = "archive"
_MISSING = object()


# -- the store --------------------------------------------------------------------

class Store(YamlFolder):
    """The annotation files under one directory.

    Reading:  ``list(function=None, tag=None)``, ``get(id)``, ``problems()``
              (validation failures, each with file and line), ``files()``.
    Writing:  ``add(module, node, text, source_lang=..., fields=..., claims=...)``,
              ``add_many([...])`` (one save per file),
              ``update(id, text=..., code=..., tags=..., fields=..., claims=...)``
              (several fields, one save), ``edit_text``/``set_tags``/``set_claims``
              (shorthands),
              ``delete(id, reason=...)`` (moves the record to archive/).
    Every write is atomic and raises ConflictError if the file changed on disk
    since this Store read it; call ``reload()`` and retry.
    """

    def __init__(self, root: Path | str | None = None, known_versions=None, *, file: Path | str | None = None,
                 header: dict | None = None):
        """The annotation files under `root` (default: the kernel's annotations), or with
        `file`, one annotation file anywhere (`notes import --out FILE`): every note added
        goes into it, whatever its function; a new file starts with `header` (e.g.
        {"note": "seed.md"}) instead of {"function": ...}."""
        self._header: dict = dict(header or {})
        super().__init__(root if root is not None or file is not None else paths.annotations_dir(), known_versions,
                         file=file)

    # -- loading and validation ---------------------------------------------------
    def reload(self) -> None:
        """Read every file again; one bad file never hides the others."""
        self._docs: dict[Path, object] = {}        # path -> round-trip document (None if unreadable)
        self._digests: dict[Path, str | None] = {}
        self._records: dict[str, tuple[Path, CommentedMap]] = {}
        self._problems: list[Problem] = []
        self._snapshots: dict[str, tuple] = {}     # id -> (its _records entry, Annotation): see _snapshot
        for path in self.files():
            self._load_file(path)

    def _load_file(self, path: Path) -> None:
        if not self._read(path):
            return
        doc = self._docs[path]
        if not isinstance(doc, CommentedMap) or not isinstance(doc.get("annotations"), list):
            self._problems.append(Problem(path, 1, Message("not an annotation file: needs a mapping with an "
                                                           "'annotations' list")))
            return
        for rec in doc["annotations"]:
            self._check_record(path, doc["annotations"], rec)

    def _check_record(self, path: Path, seq, rec) -> None:
        if not isinstance(rec, CommentedMap):
            idx = next(i for i, r in enumerate(seq) if r is rec)
            line = seq.lc.item(idx)[0] + 1 if hasattr(seq, "lc") else 1
            self._problems.append(Problem(path, line, Message("an annotation must be a mapping")))
            return
        line = _line_of(rec)
        rid = rec.get("id")
        if not isinstance(rid, str) or not ID_RE.match(rid):
            self._problems.append(Problem(path, line, Message("missing or malformed id {rid!r}", rid=rid)))
            return
        errs: list[tuple[int, Message]] = []
        if rid in self._records:
            first_path, first = self._records[rid]
            errs.append((_line_of(rec, "id", line),
                         Message("duplicate id {rid!r} (first at {first_path}:{first_line})", rid=rid,
                                 first_path=first_path, first_line=_line_of(first))))
        anchor = rec.get("anchor")
        if not isinstance(anchor, CommentedMap):
            errs.append((line, Message("{rid}: missing anchor", rid=rid)))
        else:
            for key in ("function", "kind", "head"):
                if not isinstance(anchor.get(key), str) or not anchor.get(key).strip():
                    errs.append((_line_of(anchor, key, _line_of(anchor)), Message("{rid}: missing anchor {key}",
                                                                                  rid=rid, key=key)))
            kind = anchor.get("kind")
            if isinstance(kind, str) and kind and kind not in ANCHOR_KINDS:
                errs.append((_line_of(anchor, "kind", line), Message("{rid}: anchor kind {kind!r} is not a statement "
                                                            "or function kind", rid=rid, kind=kind)))
            pos = anchor.get("position", 0.0)
            if not isinstance(pos, (int, float)) or not 0.0 <= float(pos) <= 1.0:
                errs.append((_line_of(anchor, "position", line), Message("{rid}: anchor position must be 0..1",
                                                                         rid=rid)))
        wa = rec.get("written_against")
        if not isinstance(wa, str) or not wa:
            errs.append((line, Message("{rid}: missing written_against", rid=rid)))
        elif wa not in self.known_versions:
            errs.append((_line_of(rec, "written_against", line), Message("{rid}: unknown version {wa!r}",
                                                                         rid=rid, wa=wa)))
        text = rec.get("text")
        src = rec.get("source_lang")
        if not isinstance(text, CommentedMap) or not text:
            errs.append((line, Message("{rid}: missing text", rid=rid)))
        else:
            for lang, val in text.items():
                if not valid_lang(lang):
                    errs.append((_line_of(text, lang, line), Message("{rid}: bad language code {lang!r}",
                                                                     rid=rid, lang=lang)))
                elif not isinstance(val, str):
                    errs.append((_line_of(text, lang, line), Message("{rid}: text.{lang} must be a string",
                                                                     rid=rid, lang=lang)))
            if not isinstance(src, str) or src not in text:
                errs.append((_line_of(rec, "source_lang", line) if "source_lang" in rec else line,
                             Message("{rid}: source_lang {src!r} has no text", rid=rid, src=src)))
        prov = rec.get("provenance")
        if prov is not None and not isinstance(prov, CommentedMap):
            errs.append((_line_of(rec, "provenance", line), Message("{rid}: provenance must be a mapping", rid=rid)))
        tags = rec.get("tags")
        if tags is not None and not (isinstance(tags, list) and all(isinstance(t, str) for t in tags)):
            errs.append((_line_of(rec, "tags", line), Message("{rid}: tags must be a list of words", rid=rid)))
        author = rec.get("author")
        if author is not None and not (isinstance(author, str) and author.strip()):
            errs.append((_line_of(rec, "author", line), Message("{rid}: author must be a name", rid=rid)))
        claims = rec.get("claims")
        if claims is not None:
            if not isinstance(claims, list):
                errs.append((_line_of(rec, "claims", line), Message("{rid}: claims must be a list", rid=rid)))
            else:
                for i, c in enumerate(claims):
                    why = claim_problem(dict(c) if isinstance(c, CommentedMap) else c)
                    if why:
                        errs.append((claims.lc.item(i)[0] + 1 if hasattr(claims, "lc") else line,
                                     Message("{rid}: {why}", rid=rid, why=why)))
        for ln, msg in errs:
            self._problems.append(Problem(path, ln, msg, rid))
        if not errs:
            self._records[rid] = (path, rec)
        elif rid not in self._records:
            # keep the first holder of an id; a broken record is reported, not listed
            pass

    def problems(self) -> list[Problem]:
        return list(self._problems)

    def require_valid(self, consequence: str, error: type = AnnotationError) -> "Store":
        """Refuse (naming the first problem's file and line) while a file does not
        validate: a verb that reads every note would silently leave its notes out."""
        if self._problems:
            first = self._problems[0]
            more = Message(" (and {n} more)", n=len(self._problems) - 1) if len(self._problems) > 1 else ""
            raise error("{problem}{more}; {consequence}; fix it first "
                        "('fork-explorer annotations check' lists every problem)",
                        problem=first.said or first.message, more=more, consequence=consequence,
                        path=str(first.path), line=first.line)
        return self

    # -- reading ----------------------------------------------------------------------
    def list(self, function: str | None = None, tag: str | None = None) -> list[Annotation]:
        """Valid annotations, file by file in file order (invalid ones are in problems())."""
        out = []
        for rid, entry in self._records.items():
            ann = self._snapshot(rid, entry)
            if function is not None and ann.function != function:
                continue
            if tag is not None and tag not in ann.tags:
                continue
            out.append(ann)
        order = {p: i for i, p in enumerate(self.files())}
        out.sort(key=lambda a: (order.get(a.path, 0), a.line or 0))
        return out

    def _snapshot(self, rid: str, entry: tuple) -> Annotation:
        """A fresh copy of the record's Annotation.  Reading a ruamel record is
        slow and every view lists all notes, so the converted record is kept while
        its entry is the same object: a save puts a new entry in _records, and a
        failed update() restores the record it had changed."""
        got = self._snapshots.get(rid)
        if got is None or got[0] is not entry:
            got = self._snapshots[rid] = (entry, _record_to_annotation(entry[1], entry[0]))
        ann = got[1]
        return replace(ann, text=dict(ann.text), tags=list(ann.tags),
                       provenance={k: dict(v) for k, v in ann.provenance.items()},
                       claims=[dict(c) for c in ann.claims])

    def get(self, annotation_id: str) -> Annotation:
        try:
            path, rec = self._records[annotation_id]
        except KeyError:
            raise LookupFailure("no annotation {annotation_id!r} in {root}",
                                annotation_id=annotation_id, root=self.root) from None
        return _record_to_annotation(rec, path)

    def path_for(self, function: str) -> Path:
        """The file a new note on `function` goes to."""
        if self._target is not None:
            return self._target
        if not ID_RE.match(function):
            raise AnnotationError("cannot name a file after function {function!r}", function=function)
        return self.root / f"{function}.yaml"

    # -- writing ----------------------------------------------------------------------
    def _save(self, path: Path, doc, new_ids=frozenset()) -> None:
        """Write doc to path if nobody changed path since we read it.  The store
        then holds the document as read back from those bytes (so records know
        their line numbers); `new_ids` are records added by this save."""
        data, reread = save_checked(path, doc, self._digests.get(path))
        self._digests[path] = _digest(data)
        self._docs[path] = reread
        if path.parent == self.root or path == self._target:
            for rec in reread.get("annotations") or []:
                rid = rec.get("id") if isinstance(rec, CommentedMap) else None
                if rid is not None and (rid in new_ids or self._records.get(rid, (None,))[0] == path):
                    self._records[rid] = (path, rec)

    def _doc_for_write(self, path: Path, function: str):
        if path in self._docs:
            doc = self._docs[path]
            if doc is None or not isinstance(doc, CommentedMap) or not isinstance(doc.get("annotations"), list):
                raise AnnotationError("the file does not validate; fix it before adding to it", path=str(path))
            return doc
        if path.exists():
            raise ConflictError("{file} appeared on disk since the store was read; reload and retry", file=path,
                                path=str(path))
        doc = CommentedMap(self._header) if self._target is not None else CommentedMap([("function", function)])
        doc["annotations"] = CommentedSeq()
        self._docs[path] = doc
        self._digests[path] = None
        return doc

    def add(self, module, node, text: dict[str, str], *, source_lang: str, tags=(), id: str | None = None,
            written_against: str | None = None, fields: dict | None = None, claims=(),
            author: str | None = None) -> Annotation:
        """Pin a new note to `node` of `module` (a click inside a statement lands
        on the statement).  text maps language -> text and must include
        source_lang; every language given is recorded as current against the
        source text and the node's code hash now.  `fields` are extra keys of
        the record (see update), written in the same save; `author` is the
        member who wrote it (explorer.members.current_member())."""
        return self.add_many([dict(module=module, node=node, text=text, source_lang=source_lang, tags=tags,
                                   id=id, written_against=written_against, fields=fields, claims=claims,
                                   author=author)])[0]

    def add_many(self, notes) -> list[Annotation]:
        """Add several notes (each a dict of add()'s arguments) with one atomic,
        conflict-checked save per file: a refusal or a conflict in any of them
        adds none of that file's notes."""
        planned: list[tuple[Path, CommentedMap]] = []
        ids: set[str] = set()
        for spec in notes:
            path, rec = self._new_record(**spec)
            if rec["id"] in ids:
                raise AnnotationError("id {id!r} given twice", id=rec['id'])
            ids.add(rec["id"])
            planned.append((path, rec))
        by_path: dict[Path, list[CommentedMap]] = {}
        for path, rec in planned:
            by_path.setdefault(path, []).append(rec)
        for path, recs in by_path.items():
            doc = self._doc_for_write(path, recs[0]["anchor"]["function"])
            seq = doc["annotations"]
            n = len(seq)
            seq.extend(recs)
            try:
                self._save(path, doc, new_ids={r["id"] for r in recs})
            except BaseException:
                del seq[n:]
                raise
        return [self.get(rec["id"]) for _, rec in planned]

    def _new_record(self, module, node, text: dict[str, str], *, source_lang: str, tags=(),
                    id: str | None = None, written_against: str | None = None,
                    fields: dict | None = None, claims=(), author: str | None = None) -> tuple[Path, CommentedMap]:
        claims_seq = _claims_seq(claims)
        text = {lang: clean_text(str(t)) for lang, t in text.items()}
        if source_lang not in text or not text[source_lang].strip():
            raise AnnotationError("text has no {source_lang!r} entry (the source language)", source_lang=source_lang)
        for lang in text:
            if not valid_lang(lang):
                raise AnnotationError("bad language code {lang!r} (a BCP 47 tag such as ja, en, zh-Hant)", lang=lang)
        label = written_against or module.label
        if not label:
            raise AnnotationError("the module has no version label; pass written_against")
        node = anchorable(module, node)
        anchor = make_anchor(module, node)
        chash = code_hash(module, node)
        rid = id or self._new_id(anchor)
        if not ID_RE.match(rid):
            raise AnnotationError("malformed id {rid!r}", rid=rid)
        if rid in self._records:
            raise AnnotationError("id {rid!r} already exists ({file})", rid=rid, file=self._records[rid][0])
        src_hash = text_hash(text[source_lang])
        rec = CommentedMap()
        rec["id"] = rid
        rec["anchor"] = CommentedMap(anchor.as_dict())
        rec["written_against"] = label
        rec["source_lang"] = source_lang
        rec["tags"] = _flow([str(t) for t in tags])
        rec["text"] = CommentedMap((lang, _block(str(t))) for lang, t in text.items())
        rec["provenance"] = CommentedMap(
            (lang, _flow_map({"source": src_hash, "code": chash})) for lang in text)
        if claims_seq:
            rec["claims"] = claims_seq
        if author is not None:
            if not isinstance(author, str) or not author.strip() or _NOT_YAML.search(author) or "\n" in author:
                raise AnnotationError("author {author!r} is not a name", author=author)
            rec["author"] = author.strip()
        for key, value in _extra_fields(fields).items():
            if value is not None:
                rec[key] = _plain(value)
        return self.path_for(anchor.function), rec

    def _new_id(self, anchor: Anchor) -> str:
        base = f"{anchor.function}.{anchor.kind.replace('_statement', '')}"
        n = 1
        while f"{base}-{n}" in self._records:
            n += 1
        return f"{base}-{n}"

    def field(self, annotation_id: str, key: str):
        """An extra key of a record as plain Python data (None when absent)."""
        _path, rec = self._require(annotation_id)
        return _to_python(rec.get(key))

    def update(self, annotation_id: str, *, text: dict[str, str] | None = None, code: str | None = None,
               tags=None, fields: dict | None = None, claims=None) -> Annotation:
        """Change several things of one note in ONE atomic, conflict-checked save:
        nothing is written, and the store is as before, unless all of it is.

        text:   {lang: text}.  Editing the source language records the new
                source hash for it (other languages then read as stale); another
                language is recorded as a translation of the (new) source text.
                Replaced words go to the archive first: an edit never loses them.
        code:   the code hash to record for the edited languages
                (explorer.annotations.anchored_code_hash); by default the
                source language's recorded code hash is kept.
        tags:   the new list of tags.
        fields: {key: value} extra keys (not the store's own keys); a value of
                None removes the key.
        claims: the note's history claims, replacing its old ones (an empty
                list removes them)."""
        text = {lang: clean_text(str(t)) for lang, t in (text or {}).items()}
        for lang, t in text.items():
            if not valid_lang(lang):
                raise AnnotationError("bad language code {lang!r} (a BCP 47 tag such as ja, en, zh-Hant)", lang=lang)
            if not t.strip():
                raise AnnotationError("empty text; delete the annotation instead")
        extra = _extra_fields(fields)
        claims_seq = None if claims is None else _claims_seq(claims)
        path, rec = self._require(annotation_id)
        doc = self._docs[path]
        replaced = [lang for lang, t in text.items()
                    if rec["text"].get(lang) is not None and clean_text(str(rec["text"][lang])) != t]
        if replaced:
            # The words being replaced go to the archive first: an edit never loses commentary.
            self._archive_copy(path, doc, rec, ", ".join(f"text.{lang}" for lang in replaced) + " replaced",
                               Message("nothing was edited"))
        undo: list[tuple[object, str, object]] = []

        def put(mapping, key, value):
            undo.append((mapping, key, mapping.get(key, _MISSING)))
            if value is _MISSING:
                del mapping[key]
            else:
                mapping[key] = value

        try:
            for lang, t in text.items():
                put(rec["text"], lang, _block(t))
            if text:
                if "provenance" not in rec:
                    put(rec, "provenance", CommentedMap())
                src_lang = str(rec["source_lang"])
                src_prov = rec["provenance"].get(src_lang) or {}
                chash = code or (src_prov.get("code") if src_prov else None) or ""
                src_hash = text_hash(str(rec["text"][src_lang]))
                for lang in text:
                    put(rec["provenance"], lang, _flow_map({"source": src_hash, "code": chash}))
            if tags is not None:
                put(rec, "tags", _flow([str(t) for t in tags]))
            for key, value in extra.items():
                if value is None:
                    if key in rec:
                        put(rec, key, _MISSING)
                else:
                    put(rec, key, _plain(value))
            if claims_seq is not None:
                if claims_seq:
                    put(rec, "claims", claims_seq)
                elif "claims" in rec:
                    put(rec, "claims", _MISSING)
            self._save(path, doc)
        except BaseException:
            for mapping, key, old in reversed(undo):
                if old is _MISSING:
                    mapping.pop(key, None)
                else:
                    mapping[key] = old
            raise
        return self.get(annotation_id)

    def edit_text(self, annotation_id: str, lang: str, text: str, *, code: str | None = None) -> Annotation:
        """Set one language's text (update(id, text={lang: text}, code=code))."""
        return self.update(annotation_id, text={lang: text}, code=code)

    def set_tags(self, annotation_id: str, tags) -> Annotation:
        return self.update(annotation_id, tags=tags)

    def set_claims(self, annotation_id: str, claims) -> Annotation:
        """Replace a note's history claims (update(id, claims=claims))."""
        return self.update(annotation_id, claims=claims)

    def _archive_copy(self, path: Path, doc, rec, reason: str, unchanged: str) -> Path:
        """Append a copy of `rec` as it is now to archive/<file> (with when and why)."""
        arch_dir = self.root / ARCHIVE
        arch_path = arch_dir / path.name
        try:
            arch_dir.mkdir(exist_ok=True)
            arch_data = arch_path.read_bytes() if arch_path.exists() else None
        except OSError as e:
            raise AnnotationError("cannot use the archive ({reason}); {unchanged}", reason=e.strerror or e,
                                  unchanged=unchanged,
                                  path=str(arch_path)) from None
        if arch_data is not None:
            arch_doc = load_bytes(arch_data)
        else:
            arch_doc = CommentedMap()
            arch_doc["function"] = doc.get("function", path.stem)
            arch_doc["annotations"] = CommentedSeq()
        self._digests[arch_path] = _digest(arch_data)   # just read; the lock in _save guards the rest
        archived = load_bytes(dump_bytes(CommentedMap([("x", rec)])))["x"]   # a deep copy with styles
        archived["archived"] = _flow_map({
            "at": _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "reason": reason})
        arch_doc["annotations"].append(archived)
        self._save(arch_path, arch_doc)
        return arch_path

    def delete(self, annotation_id: str, reason: str = "") -> Path:
        """Move a note to archive/<function>.yaml (with when and why) and drop it
        from the live file.  The archive is written first, so a crash between the
        two writes leaves the note in both places, never in neither."""
        path, rec = self._require(annotation_id)
        doc = self._docs[path]
        arch_path = self._archive_copy(path, doc, rec, reason or "deleted", Message("nothing was deleted"))
        seq = doc["annotations"]
        idx = next(i for i, r in enumerate(seq) if r is rec)
        del seq[idx]
        try:
            self._save(path, doc)
        except BaseException:
            seq.insert(idx, rec)
            raise
        del self._records[annotation_id]
        return arch_path

    def archived(self) -> list[Annotation]:
        """Deleted notes and replaced texts, kept with their text and anchor
        (record["archived"]["reason"] says which: "deleted" or "text.<lang> replaced")."""
        out = []
        arch_dir = self.root / ARCHIVE
        for path in sorted(arch_dir.glob("*.yaml")) if arch_dir.is_dir() else []:
            doc = load_bytes(path.read_bytes())
            for rec in (doc or {}).get("annotations") or []:
                try:
                    out.append(_record_to_annotation(rec, path))
                except (KeyError, TypeError, ValueError):
                    continue
        return out

    def _require(self, annotation_id: str):
        try:
            return self._records[annotation_id]
        except KeyError:
            raise LookupFailure("no annotation {annotation_id!r} in {root}",
                                annotation_id=annotation_id, root=self.root) from None
