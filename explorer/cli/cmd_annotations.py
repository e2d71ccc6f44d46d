"""annotations list | check | show"""
from __future__ import annotations

import textwrap
import unicodedata

from ..annotations import Store, resolve_annotation
from ..annotations.claims import check_claims
from ..annotations.store import valid_lang
from ..errors import AnnotationError
from ..anchors import target_functions
from ..cparse import load
from . import emit, version_labels

LANGS = ("ja", "en")


def register(sub) -> None:
    p = sub.add_parser("annotations", help="our ja/en commentary: list, check placement, show")
    verbs = p.add_subparsers(dest="annotations_verb", metavar="VERB")

    q = verbs.add_parser("list", help="every annotation with its anchor and text")
    q.add_argument("--function", help="only notes anchored in this function")
    q.add_argument("--tag", help="only notes with this tag")
    q.add_argument("--json", action="store_true")
    q.set_defaults(func=cmd_list)

    q = verbs.add_parser("check", help="validate the files, place every note in every version, check history claims")
    q.add_argument("--versions", nargs="+", metavar="L", help="labels (default: every available version)")
    q.add_argument("--json", action="store_true")
    q.set_defaults(func=cmd_check)

    q = verbs.add_parser("show", help="a function with its commentary interleaved")
    q.add_argument("label")
    q.add_argument("function")
    q.add_argument("--lang", default="both", metavar="TAG",
                   help="one language (ja, en, zh...), or 'both': ja, en and any other language a note has")
    q.set_defaults(func=cmd_show)


def _problems_text(problems) -> str:
    return "\n".join(f"invalid: {p}" for p in problems)


def cmd_list(args) -> int:
    store = Store()
    rows = []
    for ann in store.list(function=args.function, tag=args.tag):
        d = ann.as_dict()
        rows.append({k: d[k] for k in ("id", "function", "kind", "code", "written_against", "tags")}
                    | {"text": {lang: ann.text.get(lang) for lang in LANGS}
                       | {k: v for k, v in ann.text.items() if k not in LANGS},
                       "source_lang": ann.source_lang, "path": d["path"], "line": d["line"]}
                    | ({"author": ann.author} if ann.author else {}))   # a note from a hub room
    problems = store.problems()

    def text(obj):
        out = [f"{r['id']:<48} {r['function']}:{r['kind']}  [{', '.join(r['tags'])}]  "
               f"({r['written_against']})" + (f" by {r['author']}" if r.get("author") else "")
               for r in obj["annotations"]]
        out.append(f"{len(obj['annotations'])} annotations")
        if problems:
            out.append(_problems_text(problems))
        return "\n".join(out)
    emit({"annotations": rows, "problems": [p.as_dict() for p in problems]}, args.json, text)
    return 1 if problems else 0


def cmd_check(args) -> int:
    store = Store()
    labels = version_labels(args.versions)
    modules = [load(label) for label in labels]
    results = []
    for ann in store.list():
        for mod in modules:
            res = resolve_annotation(ann, mod)
            results.append({"id": ann.id, "label": mod.label, "status": res.status, "line": res.line,
                            "end_line": res.end_line, "score": round(res.score, 3),
                            "function": res.function, "written_against": ann.written_against})
    problems = store.problems()
    orphans = [r for r in results if r["status"] == "orphaned"]
    summary = {label: {} for label in labels}
    for r in results:
        summary[r["label"]][r["status"]] = summary[r["label"]].get(r["status"], 0) + 1
    claims = [c.as_dict() for c in check_claims(store.list(), modules)]
    contradicted = [c for c in claims if c["status"] == "contradicted"]
    ok = not orphans and not problems and not contradicted

    def text(obj):
        out = []
        for label, counts in obj["summary"].items():
            out.append(f"{label:<16} " + "  ".join(f"{k} {v}" for k, v in sorted(counts.items())))
        for r in obj["results"]:
            if r["status"] not in ("exact",):
                where = f"{r['function']}:{r['line']}-{r['end_line']}" if r["line"] else "-"
                out.append(f"  {r['status']:<8} {r['score']:.2f}  {r['label']:<14} {r['id']}  {where}")
        counts = {st: sum(c["status"] == st for c in obj["claims"]) for st in ("ok", "unverifiable", "contradicted")}
        out.append("claims           " + "  ".join(f"{k} {v}" for k, v in counts.items()))
        for c in obj["claims"]:
            if c["status"] != "ok":
                out.append(f"  {c['status']:<12} {c['kind']} {c['version']:<8} {c['id']}: {c['evidence']}")
        if problems:
            out.append(_problems_text(problems))
        out.append("ok" if ok else f"FAILED: {len(orphans)} orphaned, {len(problems)} invalid, "
                                   f"{len(contradicted)} contradicted claim(s)")
        return "\n".join(out)
    emit({"results": results, "problems": [p.as_dict() for p in problems], "summary": summary,
          "claims": claims, "ok": ok}, args.json, text)
    return 0 if ok else 1


def _wrap(text: str, columns: int) -> list[str]:
    """Wrap by display columns: words for alphabetic text, any character for
    Japanese (wide characters take two columns, and have no spaces to break at)."""
    if not any(unicodedata.east_asian_width(ch) in "WF" for ch in text):
        return textwrap.wrap(text, width=columns) or [""]
    lines, cur, width = [], "", 0
    for ch in text:
        w = 2 if unicodedata.east_asian_width(ch) in "WF" else 1
        if width + w > columns:
            lines.append(cur.rstrip())
            cur, width = "", 0
            if ch == " ":
                continue
        cur += ch
        width += w
    lines.append(cur.rstrip())
    return lines


def _note_block(ann, res, langs, indent: str) -> list[str]:
    tag = res.status if res.status in ("exact", "moved") else f"{res.status} {res.score:.2f}"
    out = [f"{indent}┌─ {ann.id} [{tag}]"]
    # 'both' (langs None): the shipped pair, then whatever other language the note is in
    for lang in langs or list(dict.fromkeys(LANGS + tuple(ann.text))):
        body = ann.text.get(lang)
        if not body:
            out.append(f"{indent}│ {lang}: (no {lang} text yet)")
            continue
        first = True
        for para in body.split("\n"):
            for w in _wrap(para, 88):
                out.append(f"{indent}│ {(lang + ':') if first else '   '} {w}")
                first = False
    out.append(f"{indent}└─")
    return out


def cmd_show(args) -> int:
    mod = load(args.label)
    fn = mod.function(args.function)
    if args.lang != "both" and not valid_lang(args.lang):
        raise AnnotationError("--lang {lang!r} is not a language tag (ja, en, zh, zh-Hant...) or 'both'",
                              lang=args.lang)
    langs = None if args.lang == "both" else (args.lang,)
    # without the notes of a broken file, silence would pass for "no commentary here"
    store = Store().require_valid("showing the function would leave its notes out")
    at_line: dict[int, list] = {}
    unplaced = []
    for ann in store.list():
        res = resolve_annotation(ann, mod)
        if res.placed and res.function == fn.name:
            at_line.setdefault(res.line, []).append((ann, res))
        elif not res.placed and any(name == fn.name for name, _ in target_functions(mod, ann.function)):
            unplaced.append((ann, res))
    width = len(str(fn.end_line))
    out = [f"{mod.label} {fn.name} (lines {fn.start_line}-{fn.end_line})"]
    for n in range(fn.start_line, fn.end_line + 1):
        line = mod.lines[n - 1]
        for ann, res in at_line.get(n, []):
            indent = " " * (width + 3) + line[:len(line) - len(line.lstrip())].replace("\t", "    ")
            out.extend(_note_block(ann, res, langs, indent))
        out.append(f"{n:>{width}} │ {line.expandtabs(8)}")
    if unplaced:
        out.append("")
        out.append(f"not placed in {mod.label} (kept with their text):")
        for ann, res in unplaced:
            out.append(f"  {ann.id} [{res.status}] written against {ann.written_against}: {ann.anchor.head}")
            out.extend(_note_block(ann, res, langs, "    "))
    if not at_line and not unplaced and fn.name not in {a.function for a in store.list()}:
        out.append("(no commentary on this function yet)")
    print("\n".join(out))
    return 0

