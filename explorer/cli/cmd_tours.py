"""tours list | show | check: the reading paths under kernel-src/tours/."""
from __future__ import annotations

from ..errors import TourError
from . import emit, version_labels

LANGS = ("ja", "en")


def register(sub) -> None:
    p = sub.add_parser("tours", help="reading tours: ordered stops that follow the code across versions")
    verbs = p.add_subparsers(dest="tours_verb", metavar="VERB")

    q = verbs.add_parser("list", help="every tour: id, title, number of stops, version written against")
    q.add_argument("--json", action="store_true")
    q.set_defaults(func=cmd_list)

    q = verbs.add_parser("show", help="a tour stop by stop, placed in one version")
    q.add_argument("id")
    q.add_argument("label", nargs="?", help="the version to place it in (default: the one it was written "
                                            "against, if fetched, else the newest)")
    q.add_argument("--lang", default="both", choices=("ja", "en", "both"))
    q.add_argument("--json", action="store_true")
    q.set_defaults(func=cmd_show)

    q = verbs.add_parser("check", help="place every stop of every tour in every version "
                                       "(exit 1 on an orphan in the version a stop was written against)")
    q.add_argument("--versions", nargs="+", metavar="L", help="labels (default: every available version)")
    q.add_argument("--json", action="store_true")
    q.set_defaults(func=cmd_check)
    p.set_defaults(func=lambda args: p.print_help() or 2)


def _store():
    from ..tours import TourStore
    return TourStore().require_valid("fix the tour file first")


def cmd_list(args) -> int:
    tours = [t.summary() for t in _store().list()]

    def text(obj):
        out = [f"{t['id']:<24} {t['stops']:>3} stops  {t['written_against'] or '-':<14} "
               f"{t['title']['en'] or ''} / {t['title']['ja'] or ''}" for t in obj["tours"]]
        out.append(f"{len(obj['tours'])} tours")
        return "\n".join(out)
    emit({"tours": tours}, args.json, text)
    return 0


def default_version(tour, available: list[str]) -> str:
    """The version a tour opens in: the one it was written against when fetched,
    else the newest fetched."""
    if tour.written_against in available:
        return tour.written_against
    if not available:
        raise TourError("no version is fetched yet; run 'fork-explorer sources sync'")
    return available[-1]


def cmd_show(args) -> int:
    from .. import load, sources
    from ..tours import place
    tour = _store().get(args.id)
    label = args.label or default_version(tour, sources.available())
    mod = load(label)
    places = place(tour, mod)
    langs = LANGS if args.lang == "both" else (args.lang,)
    stops = []
    for stop, at in zip(tour.stops, places):
        stops.append(at.as_dict() | {"head": stop.anchor.head, "anchor_function": stop.function,
                                     "written_against": stop.written_against,
                                     "text": {lg: stop.text.get(lg) for lg in langs}})
    doc = {"id": tour.id, "title": tour.title, "label": mod.label, "stops": stops}

    def text(obj):
        out = [f"{obj['title'].get('en') or ''} / {obj['title'].get('ja') or ''}  ({tour.id}, in {mod.label})"]
        for s in obj["stops"]:
            where = f"{s['function']}:{s['line']}" if s["line"] else f"{s['anchor_function']} (not placed)"
            out.append("")
            out.append(f"[{s['index']}/{len(obj['stops'])}] {s['status']:<8} {where}")
            if s["line"]:
                out.append(f"    {s['line']:>5} │ {mod.lines[s['line'] - 1].expandtabs(8)}")
            else:
                out.append(f"    written against {s['written_against'] or '-'}: {s['head']}")
            for lg in langs:
                words = s["text"].get(lg)
                body = words if words else f"(no {lg} text yet)"
                for i, para in enumerate(body.split("\n")):
                    out.append(f"    {(lg + ':') if i == 0 else '   '} {para}")
        return "\n".join(out)
    emit(doc, args.json, text)
    return 0


def cmd_check(args) -> int:
    from .. import load
    from ..tours import check_functions, place
    store = _store()
    modules = [load(label) for label in version_labels(args.versions)]
    results = []
    for tour in store.list():
        check_functions(tour, modules)
        for mod in modules:
            for stop, at in zip(tour.stops, place(tour, mod)):
                results.append({"tour": tour.id, "stop": stop.index, "label": mod.label, "status": at.status,
                                "line": at.line, "function": at.function, "score": round(at.score, 3),
                                "written_against": stop.written_against})
    orphans = [r for r in results if r["status"] == "orphaned"]
    ok = not orphans

    def text(obj):
        out = []
        for tour in store.list():
            mine = [r for r in obj["results"] if r["tour"] == tour.id]
            for mod in modules:
                counts: dict[str, int] = {}
                for r in mine:
                    if r["label"] == mod.label:
                        counts[r["status"]] = counts.get(r["status"], 0) + 1
                out.append(f"{tour.id:<24} {mod.label:<14} " + "  ".join(f"{k} {v}" for k, v in sorted(counts.items())))
        for r in orphans:
            out.append(f"  orphaned: {r['tour']} stop {r['stop']} in {r['label']} (the version it was written against)")
        out.append("ok" if ok else f"FAILED: {len(orphans)} orphaned stop(s)")
        return "\n".join(out)
    emit({"results": results, "ok": ok}, args.json, text)
    return 0 if ok else 1
