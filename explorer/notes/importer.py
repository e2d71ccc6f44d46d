"""Turn a reading note into anchored annotations.

For each C block of the note (see markdown.py) the excerpt is located in every
version asked for (locate.py).  Then, nothing in the note is dropped:

- the prose that introduces a block  -> an annotation on the block's first
  statement (or on the function when the block starts with the function);
- the section prose before it (a heading and the section's opening
  paragraphs) and prose after the last block -> an annotation on the function;
- comment lines the author inserted into the code (a translation of the
  kernel's comment, a remark) -> an annotation on the statement that follows;
- a block that matches nothing -> its prose becomes an *orphaned* annotation
  that keeps the prose and the note's code (tags: note, orphaned).

Ids are derived from content (role, text, where it is anchored), so importing
the same note twice writes nothing the second time, and an annotation that
already exists is never overwritten.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from .. import cparse, sources
from ..anchors import anchorable, make_anchor
from ..anchors.selectors import statements
from ..annotations import Store
from ..annotations.store import valid_lang
from ..cparse.ctokens import CODE, tokenize
from ..errors import ExplorerError, NoteError
from .choose import Choice, Placement, choose
from .languages import language_of, note_language
from .locate import TIE_EPSILON, Location, Match, index_module, locate
from .markdown import CodeBlock, Note, Prose, identifiers_in, parse_note

MAX_NOTE_BYTES = 2_000_000
ORIGIN_KEY = "note"          # extra key on a written record: where it came from


@dataclass
class Draft:
    """One annotation to write."""
    id: str
    role: str                 # intro | context | comment | trailing
    lang: str
    text: str
    block: int | None         # index of the fenced block it belongs to
    note_line: int            # 1-based line in the note
    status: str               # anchored | orphaned
    label: str | None         # version anchored in, or closest version for an orphan
    function: str | None
    line: int | None = None
    end_line: int | None = None
    score: float = 0.0
    module: object = field(default=None, repr=False)
    node: object = field(default=None, repr=False)
    code: str | None = None   # the note's code, kept for orphans

    @property
    def tags(self) -> list[str]:
        tags = ["note", f"note-{self.role}"]
        if self.status == "orphaned":
            tags.append("orphaned")
        return tags

    def as_dict(self) -> dict:
        return {"id": self.id, "role": self.role, "lang": self.lang, "status": self.status,
                "block": self.block, "label": self.label, "function": self.function,
                "line": self.line, "end_line": self.end_line, "text": self.text}


@dataclass
class BlockReport:
    block: CodeBlock
    lang: str
    location: Location
    placement: Placement | None = None   # set by the choice of the note's version
    duplicate_of: int | None = None
    inserted_comments: list[tuple[int, str]] = field(default_factory=list)  # (block line, text)

    @property
    def match(self) -> Match | None:
        """Where the block is anchored (None: orphaned)."""
        return self.placement.match if self.placement is not None else None

    @property
    def status(self) -> str:
        return "anchored" if self.match is not None else "orphaned"

    def as_dict(self) -> dict:
        m = self.match
        best = self.location.best
        tied = [o.label for o in self.location.per_version
                if m is not None and o.label != m.label and o.anchored and abs(o.score - m.score) < TIE_EPSILON]
        d = {"index": self.block.index, "lang": self.lang, "status": self.status,
             "label": m.label if m else None,
             "function": m.function if m else None,
             "line": m.line if m else None,
             "end_line": m.end_line if m else None,
             "score": round(m.score, 3) if m else (round(best.score, 3) if best else 0.0),
             "in_note_version": bool(self.placement and self.placement.in_note_version),
             "why_elsewhere": self.placement.why_elsewhere if self.placement else None,
             "tied_with": tied,
             "duplicate_of": self.duplicate_of,
             "note_line": self.block.line,
             "versions": [m.as_dict() for m in self.location.per_version]}
        return d


@dataclass
class ImportResult:
    note: Note
    labels: list[str]
    blocks: list[BlockReport]
    drafts: list[Draft]
    written: list[str] = field(default_factory=list)   # ids written
    skipped: list[str] = field(default_factory=list)   # ids already present
    choice: Choice | None = None
    lang: str = "en"                                   # the note's prose language (detected or forced)
    lang_forced: bool = False

    def as_dict(self) -> dict:
        choice = self.choice
        return {"note": self.note.path, "lang": self.lang, "lang_forced": self.lang_forced,
                "version": (choice.version or "none") if choice else "none",
                "version_forced": bool(choice and choice.forced),
                "version_form": choice.forms.get(choice.version) if choice and choice.version else None,
                "versions_used": choice.used() if choice else [],
                "spans_generations": bool(choice and choice.spans_generations),
                "versions": self.labels,
                "blocks": [b.as_dict() for b in self.blocks],
                "annotations": [d.as_dict() for d in self.drafts],
                "annotations_written": len(self.written),
                "annotations_existing": len(self.skipped)}


# -- reading ---------------------------------------------------------------------

def read_note(path: str | Path) -> Note:
    p = Path(path)
    try:
        data = p.read_bytes()
    except FileNotFoundError:
        raise NoteError("no such note", path=str(p)) from None
    except IsADirectoryError:
        raise NoteError("is a directory, not a note", path=str(p)) from None
    except OSError as e:
        raise NoteError("cannot read: {strerror}", strerror=e.strerror, path=str(p)) from None
    if len(data) > MAX_NOTE_BYTES:
        raise NoteError("note is {size:,} bytes; the limit is {limit:,}", size=len(data), limit=MAX_NOTE_BYTES,
                        path=str(p))
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data[:e.start].count(b"\n") + 1
        raise NoteError("not UTF-8 text", path=str(p), line=line) from None
    return parse_note(text, path=str(p))


def load_modules(versions: list[str] | None, forced: str | None = None):
    """Parsed modules of the versions named (and the forced note version), or
    of every available version."""
    if forced is not None and forced not in sources.available():
        raise NoteError("version {forced!r} is not available here ('fork-explorer sources list' shows "
                        "what is; nothing was written)", forced=forced)
    if versions:
        labels = sources.sort_labels(dict.fromkeys(list(versions) + ([forced] if forced else [])))
    else:
        labels = sources.available()
    if not labels:
        raise NoteError("no kernel version is available to locate the note's code in; "
                        "run 'fork-explorer sources sync' first")
    return [cparse.load(lb) for lb in labels]


# -- the import ------------------------------------------------------------------

def import_note(note: Note | str | Path, modules=None, versions: list[str] | None = None,
                version: str | None = None, lang: str | None = None) -> ImportResult:
    """Locate every C block of `note`, choose the version the note was written
    against (`version` forces it), and draft its annotations (writes nothing).
    `lang` forces the language of all the note's prose; otherwise it is
    detected per note and per piece of prose (see languages.py)."""
    if not isinstance(note, Note):
        note = read_note(note)
    forced_lang = lang
    if lang is not None and not valid_lang(lang):
        raise NoteError("--lang {lang!r} is not a language tag (BCP 47: ja, en, zh, zh-Hant...)", lang=lang)
    if modules is None:
        modules = load_modules(versions, version)
    modules = list(modules)
    labels = [m.label for m in modules]
    if version is not None and version not in labels:
        raise NoteError("version {version!r} is not among the versions read ({versions}); "
                        "nothing was written", version=version, versions=", ".join(labels))
    note_lang = forced_lang or note_language(note.prose_text, path=note.path)
    detect = (lambda text, default: forced_lang) if forced_lang else language_of
    fn_names = set()
    for m in modules:
        fn_names.update(m.functions)

    blocks = note.c_blocks
    locations = [locate(block.code, modules) for block in blocks]
    choice = choose(locations, labels, prose=note.prose_text, forms={m.label: m.form for m in modules},
                    forced=version)
    fallback_label = choice.version or labels[-1]

    reports: list[BlockReport] = []
    drafts: list[Draft] = []
    seen_code: dict[tuple, int] = {}
    last_fn: tuple | None = None   # (status, module, function, label) of the last block, for trailing prose
    for block, loc, placed in zip(blocks, locations, choice.placements):
        intro, context = block.split_lead()
        intro_text = _join(intro)
        lang = detect(intro_text, note_lang)
        rep = BlockReport(block, lang, loc, placed)
        key = tuple(tokenize(block.code.encode()).keys)
        if key in seen_code:
            rep.duplicate_of = seen_code[key]
        else:
            seen_code[key] = block.index
        reports.append(rep)

        guess = _guess_function(block, modules, fn_names)
        if rep.match is not None:
            m = rep.match
            first = _first_statement(m, block)
            fn_node = m.module.function(m.function).node if m.function else None
            if intro_text:
                drafts.append(_anchored("intro", intro_text, lang, block, intro[0].line, m, first))
            if context:
                target = fn_node if fn_node is not None else first
                drafts.append(_anchored("context", _join(context), detect(_join(context), note_lang),
                                        block, context[0].line, m, target))
            for line_no, text, node in _inserted_comments(block, m, modules):
                rep.inserted_comments.append((line_no, text))
                drafts.append(_anchored("comment", text, detect(text, note_lang), block,
                                        block.line + 1 + line_no, m, node))
            last_fn = ("anchored", m, fn_node if fn_node is not None else first)
        else:
            # an orphan is written against the note's version (else the closest one)
            closest = choice.version or (loc.best.label if loc.best else labels[-1])
            if not intro_text and not context and rep.duplicate_of is not None:
                pass   # the same code with no words of its own: the first copy already keeps it
            elif intro_text or not context:
                # a block with no prose at all is still kept, under a line that says what it is
                text = intro_text or _bare_block_text(block, note, lang)
                drafts.append(_orphan("intro", text, lang, block,
                                      intro[0].line if intro else block.line, closest, guess))
            if context:
                drafts.append(_orphan("context", _join(context), detect(_join(context), note_lang), block,
                                      context[0].line, closest, guess))
            last_fn = ("orphaned", block, closest, guess)

    if note.trailing:
        text = _join(note.trailing)
        lang = detect(text, note_lang)
        line = note.trailing[0].line
        if last_fn is None:
            drafts.append(_orphan("trailing", text, lang, None, line, fallback_label, None))
        elif last_fn[0] == "anchored":
            drafts.append(_anchored("trailing", text, lang, None, line, last_fn[1], last_fn[2]))
        else:
            _, block, closest, guess = last_fn
            drafts.append(_orphan("trailing", text, lang, block, line, closest, guess))
            drafts[-1].block = None

    # identical drafts (the same inserted comment in two blocks) are one annotation
    unique: dict[str, Draft] = {}
    for d in drafts:
        unique.setdefault(d.id, d)
    return ImportResult(note=note, labels=labels, blocks=reports, drafts=list(unique.values()),
                        choice=choice, lang=note_lang, lang_forced=forced_lang is not None)


def _bare_block_text(block: CodeBlock, note: Note, lang: str) -> str:
    name = Path(note.path).name if note.path else "note"
    if lang == "ja":
        return f"{name} のコード抜粋（ブロック {block.index}、{block.line} 行目）。説明文はなく、読んだどの版にも見つからなかった。"
    if lang.split("-")[0].split("_")[0] == "zh":
        return f"{name} 的代码摘录（第 {block.index} 块，第 {block.line} 行），没有说明文字，在读取的任何版本中都找不到。"
    return (f"Code excerpt from {name} (block {block.index}, line {block.line}) with no prose; "
            "it was not found in any version read.")


def _join(prose: list[Prose]) -> str:
    return "\n\n".join(p.text for p in prose).strip()


def _stable_id(role: str, function: str | None, *parts: str) -> str:
    h = hashlib.sha256("\x1f".join((role,) + parts).encode("utf-8")).hexdigest()[:12]
    fn = re.sub(r"[^A-Za-z0-9_]", "_", function or "note")
    return f"note.{fn}.{role}.{h}"


def _anchored(role, text, lang, block, note_line, m: Match, node) -> Draft:
    node = anchorable(m.module, node)
    anchor = make_anchor(m.module, node)
    rid = _stable_id(role, anchor.function, lang, text.strip(), anchor.function, anchor.kind, anchor.head)
    return Draft(id=rid, role=role, lang=lang, text=text, block=block.index if block else None,
                 note_line=note_line, status="anchored", label=m.label, function=anchor.function,
                 line=node.start_point[0] + 1, end_line=node.end_point[0] + 1, score=m.score,
                 module=m.module, node=node)


def _orphan(role, text, lang, block, note_line, closest, guess) -> Draft:
    code = block.code if block is not None else ""
    canon = " ".join(str(k) for k in tokenize(code.encode()).keys)
    rid = _stable_id(role, guess, lang, text.strip(), canon)
    return Draft(id=rid, role=role, lang=lang, text=text, block=block.index if block else None,
                 note_line=note_line, status="orphaned", label=closest, function=guess, code=code)


def _guess_function(block: CodeBlock, modules, fn_names: set) -> str | None:
    """The function an unmatched block is about: one it defines itself, else a
    name in the heading above it (`do_fork関数について`)."""
    m = re.search(r"\b([A-Za-z_]\w*)\s*\([^;{}]*\)\s*\{", block.code)
    if m and m.group(1) not in ("if", "while", "for", "switch"):
        return m.group(1)
    if block.heading is not None:
        words = identifiers_in(block.heading.text)
        for w in words:
            if w in fn_names:
                return w
        for w in words:
            if "_" in w:
                return w
    return None


def _leaf(module, byte: int):
    return module.tree.root_node.descendant_for_byte_range(byte, byte + 1)


def _first_statement(m: Match, block: CodeBlock):
    """The node the block's introduction belongs on: the statement holding the
    first matched code token (the function when the block starts with it)."""
    src = index_module(m.module).tokens
    ex = tokenize(block.code.encode())
    for i, j in m.pairs:
        if ex.kinds[i] != CODE or src.keys[j].startswith(b"#"):
            continue
        node = _leaf(m.module, src.starts[j])
        try:
            stmt = anchorable(m.module, node)
        except ExplorerError:
            continue
        if stmt.type == "function_definition":
            body = stmt.child_by_field_name("body")
            if body is not None and src.starts[j] >= body.start_byte:
                continue   # a token in a preprocessor line or between statements
        return stmt
    fn = m.module.function(m.function) if m.function else None
    if fn is None:
        raise NoteError("block matched outside every function in {label}", label=m.label)
    return fn.node


_DECOR = re.compile(r"^\s*(?:/\*+|\*+/|\*+|//+)?\s*|\s*\*+/\s*$")


def _inserted_comments(block: CodeBlock, m: Match, modules=()):
    """Comment lines of the block the kernel does not have, grouped, each with
    the statement that follows it: [(block line 0-based, text, node)]."""
    ex = tokenize(block.code.encode())
    src = index_module(m.module).tokens
    matched = {i: j for i, j in m.pairs}
    by_line: dict[int, list[int]] = {}
    for i, ln in enumerate(ex.lines):
        by_line.setdefault(ln, []).append(i)
    code_lines = block.code.split("\n")
    groups: list[list[int]] = []
    for ln, idxs in sorted(by_line.items()):
        if any(ex.kinds[i] == CODE for i in idxs):
            continue
        words = [i for i in idxs if ex.keys[i] not in (b"/*", b"*/", b"//")]
        if not words:
            continue
        line_words = tuple(ex.keys[i] for i in words)
        if not any(b"\x80" <= k[1:2] for k in line_words):
            # Kana or kanji are never the kernel's: such a line is the author's
            # even where the "source" is a note's own copy (the seed's do_fork).
            # Other lines are the author's only when they match poorly here and
            # are no comment line of any version loaded.
            hit = sum(1 for i in words if i in matched)
            if hit * 2 >= len(words):
                continue
            if any(line_words in index_module(mod).comment_lines for mod in (m.module, *modules)):
                continue
        if groups and groups[-1][-1] == ln - 1:
            groups[-1].append(ln)
        else:
            groups.append([ln])
    out = []
    for g in groups:
        text = "\n".join(_DECOR.sub("", code_lines[ln]).strip() for ln in g).strip()
        if not text:
            continue
        last_tok = max(by_line[g[-1]])
        nxt = next((matched[i] for i in range(last_tok + 1, len(ex)) if ex.kinds[i] == CODE and i in matched),
                   None)
        if nxt is None:
            nxt = next((matched[i] for i in range(last_tok, -1, -1) if ex.kinds[i] == CODE and i in matched),
                       None)
        if nxt is None:
            continue
        try:
            node = anchorable(m.module, _leaf(m.module, src.starts[nxt]))
        except ExplorerError:
            continue
        out.append((g[0], text, node))
    return out


# -- writing ---------------------------------------------------------------------

def _excerpt_node(draft: Draft):
    """An orphan has no place in any version: anchor it on the note's own code
    (parsed as C, wrapped in a function named after the guess), so its head and
    function are still the block's."""
    fname = draft.function or "note_excerpt"
    code = draft.code or ""
    mod = cparse.parse_source(code.encode("utf-8"), label=None) if code.strip() else None
    fn = None
    if mod is not None and mod.functions:
        fn = next(iter(mod.functions.values()))
    if fn is None:
        wrapped = f"void {fname}()\n{{\n{code}\n}}\n"
        mod = cparse.parse_source(wrapped.encode("utf-8"), label=None)
        fn = mod.functions.get(fname) or next(iter(mod.functions.values()))
    if draft.role in ("context", "trailing") or _starts_with_function(code, fn):
        return mod, fn.node
    stmts = statements(fn.node)
    return mod, (stmts[0] if stmts else fn.node)


def _starts_with_function(code: str, fn) -> bool:
    """Does the excerpt begin with the function's own head (the whole function quoted)?"""
    toks = tokenize(code.encode("utf-8"))
    first = next((s for s, k in zip(toks.starts, toks.kinds) if k == CODE), None)
    return first is not None and first <= fn.start_byte + 1 and fn.node.start_byte <= len(code.encode())


def _origin(draft: Draft, note: Note) -> dict:
    d = {"file": Path(note.path).name if note.path else None, "line": draft.note_line,
         "block": draft.block, "role": draft.role}
    if draft.status == "orphaned":
        d["code"] = draft.code or ""
    else:
        d["score"] = round(draft.score, 3)
    return d


def write_into(result: ImportResult, store) -> ImportResult:
    """Add every draft whose id is not in the store yet (live or archived)."""
    existing = {a.id for a in store.list()} | {a.id for a in store.archived()}
    existing |= {p.id for p in store.problems() if p.id}
    # Refuse before the first write if a file we would add to does not validate,
    # rather than stopping halfway through the note.
    broken = {p.path for p in store.problems()}
    targets = {store.path_for(d.function) for d in result.drafts
               if d.id not in existing and d.function and re.match(r"^[A-Za-z_]\w*$", d.function)}
    bad = sorted(str(p) for p in broken & targets)
    if bad:
        raise NoteError("{file} does not validate; fix it before importing into it "
                        "('fork-explorer annotations check' shows where)", file=bad[0])
    todo = []
    for d in result.drafts:
        if d.id in existing:
            result.skipped.append(d.id)
            continue
        module, node = (d.module, d.node) if d.status == "anchored" else _excerpt_node(d)
        # the note and where it came from (an orphan's code too) in the same save
        todo.append(dict(module=module, node=node, text={d.lang: d.text}, source_lang=d.lang, tags=d.tags,
                         id=d.id, written_against=d.label, fields={ORIGIN_KEY: _origin(d, result.note)}))
        existing.add(d.id)
    store.add_many(todo)
    result.written.extend(spec["id"] for spec in todo)
    return result


def write_file(result: ImportResult, path: str | Path, known_versions=None) -> ImportResult:
    """Write the drafts as one annotation file (the store's format), keeping
    every record already in it; ids already there are not written again."""
    out = Path(path)
    if out.is_dir():
        raise NoteError("--out names a directory; name a file (or use --into)", path=str(out))
    if not out.exists() and not out.parent.is_dir():
        raise NoteError("the directory to write into does not exist", path=str(out.parent))
    store = Store(file=out, known_versions=known_versions,
                  header={"note": Path(result.note.path).name if result.note.path else "note"})
    if any(p.message.startswith(("bad YAML", "not an annotation file", "cannot read")) for p in store.problems()):
        raise NoteError("exists and is not an annotation file; refusing to overwrite it", path=str(out))
    return write_into(result, store)
