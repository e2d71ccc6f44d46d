"""`fork-explorer notes import NOTE.md [--versions L ...] [--version L] [--lang TAG] [--out FILE | --into] [--json]`."""
from __future__ import annotations

from ..annotations import Store
from ..errors import NoteError
from ..i18n import Message
from ..cparse import load
from ..notes import import_note, write_file, write_into
from ..tours import place_stop
from ..tours.from_note import check_tour_file, write_tour
from . import emit


def register(sub) -> None:
    p = sub.add_parser("notes", help="import Markdown reading notes as annotations")
    nsub = p.add_subparsers(dest="notes_command", metavar="ACTION")
    imp = nsub.add_parser("import", help="locate a note's code blocks and turn its prose into annotations")
    imp.add_argument("note", metavar="NOTE.md")
    imp.add_argument("--versions", nargs="+", metavar="LABEL",
                     help="versions to locate the code in (default: every available version)")
    imp.add_argument("--version", metavar="LABEL",
                     help="the version the note was written against (default: inferred from the whole note)")
    imp.add_argument("--lang", metavar="TAG",
                     help="the language of the note's prose, a BCP 47 tag (default: detected: ja, zh or en)")
    where = imp.add_mutually_exclusive_group()
    where.add_argument("--out", metavar="FILE", help="write the annotations to FILE (store format)")
    where.add_argument("--into", action="store_true",
                       help="add the annotations to kernel-src/annotations/ (FORK_EXPLORER_ANNOTATIONS)")
    imp.add_argument("--tour", metavar="FILE",
                     help="also write the note as a tour FILE.yaml, one stop per C block (its id is the file name)")
    imp.add_argument("--json", action="store_true", help="print one JSON document")
    imp.set_defaults(func=_import)
    p.set_defaults(func=lambda args: p.print_help() or 2)


def _import(args) -> int:
    if args.tour:
        check_tour_file(args.tour)     # a tour that cannot be written stops the import before any write
    result = import_note(args.note, versions=args.versions, version=args.version, lang=args.lang)
    if not result.drafts and (args.into or args.out or not result.blocks):
        # Nothing would be written: an empty note, or code with no prose around it.
        what = (Message("has {n} code block(s) but no prose around them", n=len(result.blocks))
                if result.blocks else Message("is empty"))
        raise NoteError("the note {what}: nothing to turn into annotations", what=what, path=args.note)
    if args.into:
        write_into(result, Store())
    elif args.out:
        write_file(result, args.out)
    out = result.as_dict()
    if args.tour:
        out["tour"] = _write_tour(result, args.tour)
    if not args.json:
        out.pop("annotations")
    emit(out, args.json, lambda d: _text(d, args))
    return 0


def _write_tour(result, path) -> dict:
    """The note as a tour file, and each stop's place in the version it was written against."""
    tour = write_tour(result, path)
    modules = {b.match.label: b.match.module for b in result.blocks if b.match is not None}
    stops = []
    for stop in tour.stops:
        mod = modules.get(stop.written_against)
        if mod is None:   # an orphan's version, which no block of the note matched
            mod = modules[stop.written_against] = load(stop.written_against)
        where = place_stop(stop, mod)
        stops.append({"index": stop.index, "status": where.status, "label": where.label,
                      "function": where.function or stop.function, "line": where.line})
    return {"id": tour.id, "path": str(tour.path), "stops": stops}


def _text(d: dict, args) -> str:
    how = "forced" if d["version_forced"] else "inferred"
    if d["version"] == "none":
        rows = ["note version: none (no block matches any version read)"]
    else:
        mine = next(u for u in d["versions_used"] if u["note_version"])
        rows = [f"note version: {d['version']} ({how}; {d['version_form']} form; "
                f"{len(mine['blocks'])} of {len(d['blocks'])} block(s))"]
        for u in d["versions_used"]:
            if not u["note_version"]:
                kind = "another generation" if u["form"] != d["version_form"] else "another version"
                rows.append(f"  block(s) {', '.join(map(str, u['blocks']))} are not in {d['version']}: "
                            f"placed in {u['label']} ({u['form']} form, {kind})")
    rows.append(f"language: {d['lang']}" + (" (forced)" if d["lang_forced"] else " (detected)"))
    for b in d["blocks"]:
        if b["status"] == "anchored":
            where = f"{b['label']} {b['function']} {b['line']}-{b['end_line']}"
            if b["tied_with"]:
                where += f" (tied with {', '.join(b['tied_with'])})"
        else:
            where = "no match" + (f" (closest score {b['score']:.3f})" if b["score"] else "")
        if b["status"] == "anchored" and not b["in_note_version"]:
            where += " [absent from the note's version]" if b["why_elsewhere"] == "absent" \
                else " [closer to this version's code]"
        dup = f" duplicate of block {b['duplicate_of']}" if b["duplicate_of"] is not None else ""
        rows.append(f"block {b['index']:>2} [{b['lang']}] line {b['note_line']:>4}  {b['status']:<8} "
                    f"score {b['score']:.3f}  {where}{dup}")
    target = args.out or ("annotations store" if args.into else None)
    if target:
        rows.append(f"{d['annotations_written']} annotation(s) written to {target}, "
                    f"{d['annotations_existing']} already there")
    else:
        rows.append("dry run: pass --out FILE or --into to write the annotations")
    if d.get("tour"):
        t = d["tour"]
        rows.append(f"tour {t['id']} written to {t['path']}: {len(t['stops'])} stop(s)")
        for s in t["stops"]:
            rows.append(f"  stop {s['index']:>2}  {s['status']:<8} {s['label'] or '-'} {s['function'] or '-'}"
                        + (f":{s['line']}" if s["line"] else ""))
    return "\n".join(rows)
