"""The tour panel: pick a reading tour, step through its stops with next and
previous, read each stop's note, see every stop's status in the version on
screen, and share the current stop as a link (``?tour=ID&stop=N``).

The panel renders what explorer.tours computes (the stops placed by the
annotation resolver); it never places code itself.  It is self-contained: the
app gives it two callbacks, ``on_stop(line)`` (scroll the source there) and
``on_version(label)`` (open the version a tour was written against), and calls
``set_module(mod)`` when the version changes."""
from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlencode

import anywidget
import ipywidgets as w
import traitlets as t

from .. import sources
from ..anchors import STATUS_WORDS
from ..errors import ExplorerError, TourError
from ..i18n import translator
from ..render import esc
from ..tours import TourStore, place
from .position_link import hub_app_path
from .said import Said, telling

LANG_CHOICES = (("日本語", "ja"), ("English", "en"), ("ja + en", "both"))
STATUS_COLOURS = {"exact": "#2e7d32", "moved": "#1565c0", "fuzzy": "#b26a00", "absent": "#777", "orphaned": "#c62828"}

TOUR_CSS = """<style>
.fx-tour .fx-tour-note { border-left: 3px solid #3a6df0; background: #f4f7ff; padding: 4px 8px; white-space: pre-wrap;
  font-size: 13px; line-height: 1.45; max-width: 980px; }
.fx-tour .fx-tour-words + .fx-tour-words { margin-top: 6px; padding-top: 6px; border-top: 1px dashed #c5d3f5; }
.fx-tour .fx-tour-where { color: #555; font-size: 12px; margin-bottom: 3px; }
.fx-tour .fx-tour-status { font-weight: bold; }
.fx-tour .fx-tour-msg { color: #a00; }
.fx-tour-link { font-size: 12px; display: flex; gap: 6px; align-items: center; }
.fx-tour-link a { word-break: break-all; }
</style>"""


class TourLink(anywidget.AnyWidget):
    """The page address: what it was opened with, and the current stop's link."""
    _esm = Path(__file__).with_name("tour_link.js")
    query = t.Unicode("").tag(sync=True)        # the page's ?query, reported once by the browser
    share = t.Unicode("").tag(sync=True)        # ?tour=ID&stop=N of the stop on screen ("" none)
    label_text = t.Unicode("Link to this stop:").tag(sync=True)
    copy_text = t.Unicode("Copy").tag(sync=True)
    attention = t.Int(0).tag(sync=True)         # bumped to bring the panel into view (a bad link's message)
    # in a JupyterHub room: the app's path for every member (explorer.widgets.position_link.hub_app_path);
    # "" = this page's own address
    base = t.Unicode("").tag(sync=True)


def parse_query(query: str) -> tuple[str | None, str | None]:
    """(tour id, stop number as written) from ?tour=ID&stop=N; (None, None) without a tour."""
    q = parse_qs(query.lstrip("?"), keep_blank_values=True)
    tour = q.get("tour", [None])[0]
    stop = q.get("stop", [None])[0]
    return (tour if tour is not None else None), stop


def share_query(tour_id: str, index: int) -> str:
    return "?" + urlencode({"tour": tour_id, "stop": index})


class TourPanel(w.VBox):
    def __init__(self, on_stop=None, on_version=None, lang: str = "en", store=None):
        self._ = _ = translator(lang)
        self.ui_lang = lang
        self.on_stop = on_stop or (lambda line: None)
        self.on_version = on_version or (lambda label: None)
        self._store = store
        self.store = None
        self.module = None
        self.tour = None
        self.index = 0                 # 1-based stop on screen (0: none)
        self.places = []
        self._pending: tuple[str, str | None] | None = None   # a URL's tour and stop, until a version is loaded
        self._quiet = False
        self.picker = w.Dropdown(description=_("Tour"), options=[("—", "")], layout=w.Layout(width="620px"))
        self.picker.add_class("fx-tour-picker")
        self.prev = w.Button(description=_("◀ Previous"), layout=w.Layout(width="110px"))
        self.prev.add_class("fx-tour-prev")
        self.next = w.Button(description=_("Next ▶"), layout=w.Layout(width="110px"))
        self.next.add_class("fx-tour-next")
        self.position = w.HTML()
        self.position.add_class("fx-tour-pos")
        self.lang = w.ToggleButtons(options=LANG_CHOICES, value="both", style={"button_width": "80px"})
        self.lang.add_class("fx-tour-lang")
        self.note = w.HTML()
        self.note.add_class("fx-tour-note-box")
        self.stops = w.Select(options=[], rows=6, layout=w.Layout(width="460px"))
        self.stops.add_class("fx-tour-stops")
        self.link = TourLink(label_text=_("Link to this stop:"), copy_text=_("Copy"), base=hub_app_path() or "")
        self.message = w.HTML()
        self.message.add_class("fx-tour-msg-box")
        self.said = Said(self.message, '<div class="fx-tour-msg">{}</div>', lang=lang)
        self.body = w.VBox([w.HBox([self.prev, self.next, self.position, self.lang]),
                            w.HBox([self.stops, self.note]), self.link])
        self.body.layout.display = "none"
        super().__init__([w.HTML(TOUR_CSS), w.HBox([self.picker]), self.message, self.body])
        self.add_class("fx-tour")
        self.picker.observe(self._picked, names="value")
        self.prev.on_click(lambda _b: self.go(self.index - 1))
        self.next.on_click(lambda _b: self.go(self.index + 1))
        self.stops.observe(self._stop_clicked, names="value")
        self.lang.observe(lambda _c: self._show_note(), names="value")
        self.link.observe(self._query, names="query")
        self.reload()

    def set_lang(self, lang: str) -> None:
        """Relabel in another interface language (the app's switch); the stop on
        screen stays, the source is not scrolled."""
        self._ = _ = translator(lang)
        self.ui_lang = lang
        self.said.again(_)
        self.picker.description = _("Tour")
        self.prev.description, self.next.description = _("◀ Previous"), _("Next ▶")
        self.link.label_text, self.link.copy_text = _("Link to this stop:"), _("Copy")
        if self.store is not None:
            keep = self.picker.value
            self._quiet = True
            try:
                self.picker.options = [("—", "")] + [(f"{tour.title_in(lang)}  ({len(tour.stops)})", tour.id)
                                                    for tour in self.store.list()]
                self.picker.value = keep
            finally:
                self._quiet = False
        if self.tour is not None and self.index:
            self.position.value = (f'<span class="fx-tour-position" data-stop="{self.index}">'
                                   + esc(_("Stop {n} of {total}").format(n=self.index, total=len(self.tour.stops)))
                                   + "</span>")
            self._show_note()

    # -- the tours ----------------------------------------------------------------
    def reload(self) -> None:
        """(Re)read the tour files; a broken file is named, the others stay usable."""
        try:
            if self._store is None:
                self._store = TourStore()            # reads the files
            elif self.store is not None:
                self._store.reload()                 # read before: read again
            store = self._store
        except ExplorerError as e:
            self.said.say(telling(e))
            return
        self.store = store
        problems = store.problems()
        if problems:
            problem = problems[0]
            self.said.say(lambda _: _("A tour file does not validate: {problem}").format(problem=problem.say(_)))
        lang = self.ui_lang
        self._quiet = True
        try:
            self.picker.options = [("—", "")] + [(f"{tour.title_in(lang)}  ({len(tour.stops)})", tour.id)
                                                for tour in store.list()]
        finally:
            self._quiet = False

    def set_module(self, module) -> None:
        """The version on screen changed: place the stops there and show the current one."""
        self.module = module
        if self._pending is not None:
            tour_id, stop = self._pending
            self._pending = None
            self.open_query(tour_id, stop)
            return
        if self.tour is not None:
            self._place()
            self.go(self.index or 1)

    def open_tour(self, tour_id: str, index: int = 1) -> None:
        """Show stop `index` of tour `tour_id`; TourError if either is missing."""
        tour = self.store.get(tour_id)
        tour.stop(index)
        self.tour = tour
        self._quiet = True
        try:
            self.picker.value = tour_id
        finally:
            self._quiet = False
        self.said.clear()
        self.body.layout.display = ""
        wanted = tour.written_against
        if self.module is not None and wanted and wanted != self.module.label:
            if wanted in sources.available():
                self.index = index
                self.on_version(wanted)          # comes back through set_module
                if self.module.label == wanted:
                    return
        if self.module is None:
            self.index = index
            return
        self._place()
        self.go(index)

    def open_query(self, tour_id: str | None, stop: str | None) -> None:
        """Open what a shared link names; anything missing is said in one line."""
        if tour_id is None or self.store is None:     # no tours could be read: reload() said why
            return
        if self.module is None:
            self._pending = (tour_id, stop)
            return
        try:
            if stop is None or stop == "":
                index = 1
            else:
                try:
                    index = int(stop)
                except ValueError:
                    raise TourError("The link names stop {stop!r}, which is not a number.", stop=stop) from None
            if tour_id not in {tr.id for tr in self.store.list()}:
                raise TourError("The link names the tour {tour!r}, which is not here (tours: {known}).", tour=tour_id,
                                known=", ".join(tr.id for tr in self.store.list()) or "—")
            tour = self.store.get(tour_id)
            if not 1 <= index <= len(tour.stops):
                raise TourError("The link names stop {stop} of the tour {tour!r}, which has stops 1-{n}.", stop=index,
                                tour=tour_id, n=len(tour.stops))
            self.open_tour(tour_id, index)
        except TourError as e:
            self.said.say(telling(e.said))     # the words, not the file's location
            self.link.attention += 1       # the reader followed a link: show them why it led nowhere

    # -- moving ------------------------------------------------------------------
    def _place(self) -> None:
        self.places = place(self.tour, self.module) if self.tour is not None and self.module is not None else []
        opts = []
        for stop, at in zip(self.tour.stops, self.places):
            where = f"{at.function}:{at.line}" if at.placed else f"{stop.function} —"
            opts.append((f"{stop.index:>2}. {at.status:<8} {where}", stop.index))
        self._quiet = True
        try:
            self.stops.options = opts
        finally:
            self._quiet = False

    def go(self, index: int) -> None:
        """Show stop `index` (clamped to the tour) and scroll the source to it."""
        if self.tour is None or not self.places:
            return
        index = max(1, min(len(self.tour.stops), index))
        self.index = index
        self._quiet = True
        try:
            self.stops.value = index
        finally:
            self._quiet = False
        self.prev.disabled = index <= 1
        self.next.disabled = index >= len(self.tour.stops)
        self.position.value = (f'<span class="fx-tour-position" data-stop="{index}">'
                               + esc(self._("Stop {n} of {total}").format(n=index, total=len(self.tour.stops)))
                               + "</span>")
        self.link.share = share_query(self.tour.id, index)
        self._show_note()
        at = self.places[index - 1]
        if at.placed:
            self.on_stop(at.line)

    def _show_note(self) -> None:
        if self.tour is None or not self.index or not self.places:
            self.note.value = ""
            return
        stop, at = self.tour.stop(self.index), self.places[self.index - 1]
        _ = self._
        colour = STATUS_COLOURS.get(at.status, "#333")
        if at.placed:
            where = _("{function}, line {line} in {label}").format(function=at.function, line=at.line,
                                                                  label=at.label)
        elif not at.has_function and not stop.kept_orphan:
            where = _("{label} has no function {function} (nor a renamed form of it)").format(
                label=at.label, function=stop.function)
        else:
            where = _("not placed in {label}; written against {version}: {head}").format(
                label=at.label, version=stop.written_against or "—", head=stop.anchor.head)
        langs = ("ja", "en") if self.lang.value == "both" else (self.lang.value,)
        words = "".join(f'<div class="fx-tour-words" lang="{lg}">{esc(stop.text[lg])}</div>'
                        for lg in langs if stop.text.get(lg)) \
            or f'<div class="fx-tour-words">{esc(_("(no text in this language yet)"))}</div>'
        self.note.value = (f'<div class="fx-tour-note" data-stop="{stop.index}" data-status="{esc(at.status)}" '
                           f'data-line="{at.line or 0}">'
                           f'<div class="fx-tour-where"><span class="fx-tour-status" style="color:{colour}">'
                           f'{esc(_(STATUS_WORDS.get(at.status, at.status)))}</span> · {esc(where)}</div>{words}</div>')

    # -- events ------------------------------------------------------------------
    def _picked(self, change) -> None:
        if self._quiet:
            return
        if not change["new"]:
            self.tour, self.index, self.places = None, 0, []
            self.body.layout.display = "none"
            self.link.share = ""
            return
        try:
            self.open_tour(change["new"], 1)
        except TourError as e:
            self.said.say(telling(e.said))

    def _stop_clicked(self, change) -> None:
        if not self._quiet and change["new"]:
            self.go(int(change["new"]))

    def _query(self, change) -> None:
        tour_id, stop = parse_query(change["new"] or "")
        self.open_query(tour_id, stop)
