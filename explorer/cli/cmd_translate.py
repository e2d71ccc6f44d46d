"""`fork-explorer translate status|export|import|glossary`."""
from __future__ import annotations

from .. import cparse
from ..annotations import Store
from ..errors import TranslationError
from ..translate import check_glossary, check_wording, export_po, import_po, load_avoid, load_glossary, summary
from ..translate.po import _check_lang
from . import emit


def register(sub) -> None:
    p = sub.add_parser("translate", help="translation status, PO export/import, glossary check")
    tsub = p.add_subparsers(dest="translate_command", metavar="ACTION")

    st = tsub.add_parser("status", help="current / missing / stale per language")
    st.add_argument("--version", metavar="LABEL",
                    help="version being read (default: each annotation's written_against)")
    st.add_argument("--langs", nargs="+", metavar="LANG", help="languages to report (default: ja, en and every language a note has, e.g. zh)")
    st.add_argument("--json", action="store_true")
    st.set_defaults(func=_status)

    ex = tsub.add_parser("export", help="write a gettext PO file for translators")
    ex.add_argument("--to", required=True, metavar="LANG", help="target language")
    ex.add_argument("--from", dest="from_lang", metavar="LANG",
                    help="source language (default: each annotation's own)")
    ex.add_argument("-o", "--output", required=True, metavar="FILE.po")
    ex.add_argument("--version", metavar="LABEL", help="version whose code the comments show")
    ex.add_argument("--json", action="store_true")
    ex.set_defaults(func=_export)

    im = tsub.add_parser("import", help="apply a translated PO file")
    im.add_argument("po", metavar="FILE.po")
    im.add_argument("--dry-run", action="store_true", help="report what would change, write nothing")
    im.add_argument("--json", action="store_true")
    im.set_defaults(func=_import)

    gl = tsub.add_parser("glossary", help="glossary terms used in one language without their partner; wording to avoid")
    gl.add_argument("--glossary", metavar="FILE", help="default: kernel-src/glossary.yaml")
    gl.add_argument("--json", action="store_true")
    gl.set_defaults(func=_glossary)
    p.set_defaults(func=lambda args: p.print_help() or 2)


def _store():
    """The store, refused while a file in it does not validate: its notes would
    silently be missing from the status, the PO file or the import."""
    return Store().require_valid("its notes would be left out", TranslationError)


def _status(args) -> int:
    if args.version:
        cparse.load(args.version)      # an unknown or unfetched version is bad input
    if args.langs:
        for lang in args.langs:
            _check_lang(lang)
    out = summary(_store().list(), version=args.version, langs=args.langs)

    def text(d):
        rows = [f"{d['annotations']} annotations" + (f", read against {d['version']}" if d["version"] else "")
                + (" (written in " + ", ".join(f"{k} {v}" for k, v in d["source_langs"].items()) + ")"
                   if d["source_langs"] else "")]
        for lang, c in d["by_lang"].items():
            rows.append(f"  {lang}: current {c['current']:>4}  missing {c['missing']:>4}  stale {c['stale']:>4}")
        for s in d["not_current"][:40]:
            why = ", ".join(s["reasons"]) if s["reasons"] else ""
            rows.append(f"  {s['status']:<8} {s['lang']}  {s['id']}  {why}")
        if len(d["not_current"]) > 40:
            rows.append(f"  ... {len(d['not_current']) - 40} more (--json lists all)")
        return "\n".join(rows)
    emit(out, args.json, text)
    return 0


def _export(args) -> int:
    if args.version:
        cparse.load(args.version)
    rep = export_po(_store(), args.output, to=args.to, from_lang=args.from_lang, version=args.version)
    emit(rep.as_dict(), args.json,
         lambda d: f"wrote {d['entries']} entries to {d['file']}: {d['translated']} translated, "
                   f"{d['fuzzy']} fuzzy (stale), {d['untranslated']} untranslated")
    return 0


def _import(args) -> int:
    rep = import_po(_store(), args.po, dry_run=args.dry_run)

    def text(d):
        verb = "would apply" if d["dry_run"] else "applied"
        rows = [f"{verb} {len(d['applied'])} translation(s) into {d['lang']}; {d['unchanged']} unchanged, "
                f"{d['untranslated']} untranslated, {len(d['fuzzy'])} fuzzy (not applied)"]
        rows += [f"  unknown id: {i}" for i in d["unknown_ids"]]
        rows += [f"  conflict: {c['id']}: {c['reason']}" for c in d["conflicts"]]
        rows += [f"  glossary: {g['id']}: '{g['term'][g['used_in']]}' in {g['used_in']} but no "
                 f"'{g['term'][g['missing_in']]}' in {g['missing_in']}" for g in d["glossary"]]
        return "\n".join(rows)
    emit(rep.as_dict(), args.json, text)
    return 0 if rep.ok else 1


def _glossary(args) -> int:
    terms = load_glossary(args.glossary)
    avoid = load_avoid(args.glossary)
    store = _store()
    findings = check_glossary(store.list(), terms)
    wording = check_wording(store.list(), avoid)
    out = {"terms": len(terms), "annotations": len(store.list()), "findings": findings,
           "wording": wording}

    def text(d):
        rows = [f"{d['terms']} terms, {d['annotations']} annotations, {len(d['findings'])} finding(s), "
                f"{len(d['wording'])} wording finding(s)"]
        for f in d["findings"]:
            rows.append(f"  {f['id']}: '{f['term'][f['used_in']]}' in {f['used_in']} but no "
                        f"'{f['term'][f['missing_in']]}' in {f['missing_in']}")
        for f in d["wording"]:
            rows.append(f"  {f['id']}: '{f['found']}' in {f['lang']}; write {' or '.join(f['use'])}")
        return "\n".join(rows)
    emit(out, args.json, text)
    return 1 if findings or wording else 0
