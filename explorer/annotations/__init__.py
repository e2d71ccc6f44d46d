"""Bilingual commentary pinned to syntax-tree nodes.

Store API (for the widgets, notes import and translation)::

    from explorer.annotations import Store, resolve_annotation, anchored_code_hash, text_hash
    store = Store()                      # kernel-src/annotations (FORK_EXPLORER_ANNOTATIONS overrides)
    store.list(function=None, tag=None)  # -> [Annotation]  (valid ones; problems() has the rest)
    store.get(id)                        # -> Annotation, LookupFailure if unknown
    store.problems()                     # -> [Problem(path, line, message, id)]
    store.add(module, node, {"ja": ..., "en": ...}, source_lang="ja", tags=[...], id=None)
    store.add_many([{...add's arguments...}, ...])  # one atomic save per file
    store.update(id, text={"en": ...}, code=None, tags=None, fields={"note": {...}})
                                         # several fields, ONE atomic conflict-checked save
    store.field(id, "note")              # an extra field as plain data
    store.edit_text(id, "en", text, code=None)   # = update(id, text={"en": text}, code=code)
    store.set_tags(id, tags)
    Store(file=path, header={"note": "x.md"})  # one file anywhere (notes import --out)
    store.set_claims(id, [{"kind": "since", "version": "6.9", "what": ..., "code": ...}])
    store.delete(id, reason="")          # moves to archive/<function>.yaml, returns that path
    store.archived()                     # deleted notes, still with text
    store.reload()                       # after ConflictError (file changed on disk)

Languages are BCP 47 tags (ja, en, zh, zh-Hant...); ja and en are the shipped pair.

Annotation fields: id, anchor (explorer.anchors.Anchor), function, text {lang: str},
source_lang, written_against, tags, provenance {lang: {"source": text_hash of the
source-language text when lang was written/translated, "code": code hash of the
anchored node then}}, author (the hub member who wrote it, or None), path, line.

Translation status (issue 6) is derived, not stored: for a language L,
missing if L not in text; stale if provenance[L].source != text_hash(text[source_lang])
or provenance[L].code != anchored_code_hash(ann, module); current otherwise.
"""
from .placement import anchored_code_hash, resolve_annotation
from .store import Annotation, Problem, Store, atomic_write, clean_text, text_hash

__all__ = ["Store", "Annotation", "Problem", "text_hash", "clean_text", "atomic_write", "resolve_annotation",
           "anchored_code_hash"]
