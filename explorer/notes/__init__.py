"""Reading notes in: Markdown notes (prose + fenced C excerpts) imported as
anchored annotations.

    from explorer.notes import import_note, write_into, write_file
    result = import_note("note.md", versions=["debian-6.12"])   # locate, choose, draft; writes nothing
    result.as_dict()["version"]       # the version the note was written against (choose.py)
    result.as_dict()["blocks"]        # per fenced block: status, label, in_note_version, lines, score
    write_into(result, Store())       # add to kernel-src/annotations (never overwrites)
    write_file(result, "out.yaml")    # or one file in the store's format
"""
from .importer import (BlockReport, Draft, ImportResult, import_note, load_modules, read_note,
                       write_file, write_into)
from .locate import ANCHOR_THRESHOLD, Location, Match
from .locate import locate as locate_excerpt   # the submodule keeps the name `locate`
from .markdown import CodeBlock, Note, Prose, parse_note

__all__ = ["import_note", "write_into", "write_file", "read_note", "parse_note", "load_modules",
           "locate_excerpt", "Location", "Match", "Note", "CodeBlock", "Prose", "Draft", "BlockReport",
           "ImportResult", "ANCHOR_THRESHOLD"]
