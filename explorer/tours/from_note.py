"""A reading note as a tour: one stop per C block, in the note's order.

The stops come from the note import's own results (explorer.notes.importer):
a block anchored in a version becomes a stop on the statement its prose
introduces, written against that version; a block that matched nothing stays
an orphaned stop holding its words and the note's code, exactly as its
orphaned annotation does.  Nothing is located twice."""
from __future__ import annotations

from pathlib import Path

from ..anchors import make_anchor
from ..annotations.store import ID_RE
from ..errors import NoteError
from ..notes.importer import _bare_block_text, _excerpt_node, _first_statement
from .store import ORIGIN_KEY, TourStore


def _stop_words(block) -> str:
    intro, context = block.split_lead()
    return "\n\n".join(p.text for p in context + intro).strip()


def _unworded(name: str, block, lang: str) -> str:
    """The note of a stop whose block has no prose of its own: where it came from."""
    if lang == "ja":
        return f"{name} のブロック {block.index}（{block.line} 行目）。説明文はない。"
    return f"Block {block.index} of {name} (line {block.line}), with no prose of its own."


def _title(result) -> dict[str, str]:
    name = Path(result.note.path).name if result.note.path else "note"
    heading = next((b.heading.text.lstrip("#").strip() for b in result.note.c_blocks if b.heading is not None), "")
    title = {"ja": f"読書ノート {name} の道筋", "en": f"The reading path of the note {name}"}
    if heading:
        title[result.lang] = heading
    return title


def stops_from_import(result) -> list[dict]:
    """The stop specs (TourStore.create's) of an ImportResult, one per C block."""
    drafts_by_block: dict[int, list] = {}
    for d in result.drafts:
        if d.block is not None:
            drafts_by_block.setdefault(d.block, []).append(d)
    file = Path(result.note.path).name if result.note.path else None
    stops = []
    for rep in result.blocks:
        block = rep.block
        origin = {"file": file, "block": block.index, "line": block.line}
        m = rep.match
        words = _stop_words(block) or (_unworded(file or "note", block, rep.lang) if m is not None
                                       else _bare_block_text(block, result.note, rep.lang))
        if m is not None:
            anchor = make_anchor(m.module, _first_statement(m, block))
            stops.append({"anchor": anchor, "written_against": m.label, "text": {rep.lang: words},
                          ORIGIN_KEY: origin})
            continue
        # an orphan: the anchor its orphaned annotation has (the note's own code)
        own = drafts_by_block.get(block.index) or drafts_by_block.get(rep.duplicate_of) or []
        draft = next((d for d in own if d.status == "orphaned"), None)
        if draft is None:
            raise NoteError("block {index} matched nothing and has no draft to keep it",
                            index=block.index, path=result.note.path)
        mod, node = _excerpt_node(draft)
        stops.append({"anchor": make_anchor(mod, node), "written_against": draft.label,
                      "text": {rep.lang: words}, ORIGIN_KEY: origin | {"code": block.code}})
    return stops


def check_tour_file(path: str | Path, known_versions=None) -> TourStore:
    """Refuse a --tour FILE that cannot be written, before anything else of the
    import is: a store of that one file."""
    out = Path(path)
    if out.suffix != ".yaml":
        raise NoteError("--tour names a .yaml file (the tour's id is its name)", path=str(out))
    if not ID_RE.match(out.stem):
        raise NoteError("--tour's file name is the tour's id: letters, digits, '_', '.', '-'", path=str(out))
    if out.is_dir():
        raise NoteError("--tour names a directory; name a file", path=str(out))
    if not out.parent.is_dir():
        raise NoteError("the directory to write the tour into does not exist", path=str(out.parent))
    store = TourStore(file=out, known_versions=known_versions)
    if store.problems() and out.exists():
        raise NoteError("exists and is not a valid tour file ({problem}); "
                        "refusing to overwrite it", problem=store.problems()[0].said or store.problems()[0].message,
                        path=str(out))
    return store


def write_tour(result, path: str | Path, known_versions=None):
    """Write the note as the tour file `path` (its id is the file's name
    without .yaml), through the tour store's checked writer."""
    store = check_tour_file(path, known_versions)
    if not result.blocks:
        raise NoteError("the note has no C block: a tour needs at least one stop", path=result.note.path)
    stops = stops_from_import(result)
    labels = {s["written_against"] for s in stops}
    version = result.choice.version if result.choice and result.choice.version else None
    wa = version if version in labels else None
    return store.create(Path(path).stem, _title(result), stops, written_against=wa)
