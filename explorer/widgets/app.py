"""The reading room as one widget: version picker, source view with commentary,
flag playground, annotation editor, diff view and guard history.  The Voila
app notebook (notebooks/app.ipynb) displays `App()` and nothing else."""
from __future__ import annotations

import asyncio
import time
import traceback

import ipywidgets as w
from IPython import get_ipython

from .. import load, sources
from ..errors import ExplorerError
from ..executor import entry_names
from ..i18n import N_, translator
from ..render import esc
from .annotation_editor import AnnotationEditor
from .diff_view import DiffView
from .language import LanguageSwitch
from .playground import FlagPlayground
from .position_link import hub_link, shared_position
from .source_view import SourceView
from .then_and_now import ThenAndNow
from .tour_panel import TourPanel
from .version_picker import VersionPicker

PREFERRED = ("debian-6.12", "debian-6.1")


def default_label(labels: list[str]) -> str | None:
    for lb in PREFERRED:
        if lb in labels:
            return lb
    return labels[-1] if labels else None


TAB_TITLES = (N_("Read & run"), N_("Diff & history"), N_("Then and now"))


class App(w.VBox):
    def __init__(self, label: str | None = None, lang: str | None = None, *, line: int | None = None):
        t0 = time.perf_counter()
        # The interface language: `lang`, else the browser's (LanguageSwitch asks the page).
        self.language = LanguageSwitch(lang)
        lang = self.language.value
        self._ = translator(lang)
        available = sources.available()
        bad_link = ""
        if label is None and line is None:
            label, line, bad_link = shared_position()
            if label is not None and label not in available:
                bad_link = f"{label} (named by the link) is not fetched here; showing the default version"
                label, line = None, None
        self._start_line = line
        label = label or default_label(available)
        self.picker = VersionPicker(label, lang=lang)
        self.view = SourceView(lang=lang)
        self.goto = w.Dropdown(description=self._("Go to"), options=[], layout=w.Layout(width="320px"))
        self.goto.add_class("fx-goto")
        self.goto.observe(self._goto, names="value")
        self.message = w.HTML()
        self.message.add_class("fx-app-msg")
        self.ready = w.HTML()       # carries the readiness signal for tests: <span class="fx-ready" data-label=...>
        self.module = None
        # Every part is imported at the top: a broken executor or diff fails loudly
        # here instead of leaving the reader a room with a part silently missing.
        self.editor = AnnotationEditor(self.view, lang=lang)
        self.playground = FlagPlayground(self.view, lang=lang)
        self.diff = DiffView(lang=lang)
        # issue 16 (tours): the tour panel sits above the source it scrolls; it reads the page's
        # ?tour=ID&stop=N itself and asks the app only to scroll (on_stop) or open a version (on_version).
        self.tour = TourPanel(on_stop=self._tour_stop, on_version=self._tour_version, lang=lang)
        pages = [("Read & run", w.VBox([self.playground, self.tour, self.view, self.editor])),
                 ("Diff & history", self.diff)]
        self.then_now = ThenAndNow()
        self.then_now.set_lang(lang)
        pages.append(("Then and now", self.then_now))
        self.tabs = w.Tab(children=[p for _, p in pages], titles=[self._(t) for t in TAB_TITLES])
        self.tabs.add_class("fx-tabs")
        self.heading = w.HTML(self._heading())
        super().__init__([self.heading,
                          w.HBox([self.picker, self.goto, self.language]), self.message, self.tabs, self.ready])
        self.language.on_change(self.set_lang)
        self.add_class("fx-app")
        self.picker.on_pick(self.load)
        self.tabs.observe(self._tab_changed, names="selected_index")
        self.diff.history.observe(self._open_cell, names="picked")
        if label is None:
            self.message.value = ("<b>" + esc(self._("No version of kernel/fork.c is fetched yet.")) + "</b> "
                                  + esc(self._("Pick one above and press Fetch, or run {command}.")).format(
                                      command="<code>fork-explorer sources sync debian-6.12</code>"))
        elif label in available:
            self.load(label)
        else:
            self.message.value = "<b>" + esc(self._("{label} is not fetched yet.").format(label=label)) + "</b> " \
                + esc(self._("Press Fetch to get it."))
        if bad_link:
            self.message.value += f"<div>{esc(bad_link)}</div>"
        self.first_render = time.perf_counter() - t0

    def _heading(self) -> str:
        return "<h2 style='margin:4px 0'>" + esc(self._("fork-explorer — kernel/fork.c reading room")) + "</h2>"

    def set_lang(self, lang: str) -> None:
        """Relabel every part in another interface language, without reloading the source."""
        self._ = translator(lang)
        self.heading.value = self._heading()
        self.goto.description = self._("Go to")
        self.tabs.titles = tuple(self._(t) for t in TAB_TITLES)
        for part in (self.picker, self.view, self.playground, self.tour, self.editor, self.diff, self.then_now):
            if hasattr(part, "set_lang"):
                part.set_lang(lang)
        if self.module is not None and self.ready.value:     # already ready: say it in the new language
            self._finish_ready(self.module)

    def load(self, label: str) -> None:
        """Show a fetched version everywhere.  The source and the playground come
        first; the commentary (reading and placing every annotation file) and the
        diff follow right after the page is up, so the browser's own start-up
        overlaps with that work instead of waiting for it."""
        try:
            mod = load(label)
        except ExplorerError as e:
            self.message.value = f"<b>{esc(label)}</b>: {esc(e)}"
            return
        self.module = mod
        self.message.value = ""
        self.ready.value = ""
        self.view.show(mod)
        # in a hub room the commentary panel offers a link to the selected line for every member
        self.view.link_base = hub_link({"version": mod.label}) or ""
        self._fill_goto(mod)
        self._set(self.playground, mod)
        # issue 16: re-place the tour's stops in this version; after the playground, so that the
        # stop's line, not the trace's deciding line, is where the source is scrolled
        self.tour.set_module(mod)
        _after_display(lambda: self._finish(mod))

    def _finish(self, mod) -> None:
        if self.module is not mod:
            return          # another version was picked meanwhile
        self._set(self.editor, mod)
        self.diff.set_module(mod, compute=self.tabs.selected_index == 1)
        line, self._start_line = self._start_line, None
        if line is not None:
            if line <= len(mod.lines):
                self.view.select(line)      # after display: the view scrolls to it
            else:
                self.message.value += (f"<div>line {line} (named by the link) is past the end of "
                                       f"{esc(mod.label)} ({len(mod.lines)} lines)</div>")
        self._finish_ready(mod)

    def _finish_ready(self, mod) -> None:
        label = mod.label or ""
        self.ready.value = (f'<span class="fx-ready" data-label="{esc(label)}">'
                            f'{esc(self._("{label} ready").format(label=label))}</span>')

    def _set(self, part, mod) -> None:
        try:
            part.set_module(mod)
        except ExplorerError as e:
            self.message.value += f"<div>{esc(type(part).__name__)}: {esc(e)}</div>"

    def _fill_goto(self, mod) -> None:
        """The functions a reader starts from, then every other, in file order."""
        first = [n for n in entry_names(mod) if n in mod.functions]
        rest = [f.name for f in sorted(mod.functions.values(), key=lambda f: f.start_byte) if f.name not in first]
        self._goto_quiet = True
        try:
            self.goto.options = [("—", "")] + [(f"{n}()  L{mod.functions[n].start_line}", n) for n in first + rest]
            self.goto.value = ""
        finally:
            self._goto_quiet = False

    _goto_quiet = False

    def _goto(self, change) -> None:
        name = change["new"]
        if self._goto_quiet or not name or self.module is None or name not in self.module.functions:
            return
        self.view.select(self.module.functions[name].start_line)

    # -- issue 16: the tour panel's two requests --------------------------------------
    def _tour_stop(self, line: int) -> None:
        self.tabs.selected_index = 0
        self.view.select(int(line))

    def _tour_version(self, label: str) -> None:
        if self.module is None or self.module.label != label:
            self.picker.dropdown.value = label      # loads it (on_pick), which calls tour.set_module

    def _open_cell(self, change) -> None:
        """A guard-matrix cell was clicked: open that version at that line."""
        label, line = change["new"].get("label"), change["new"].get("line")
        if not label or not line:
            return
        if self.module is None or self.module.label != label:
            self.picker.dropdown.value = label      # loads it (on_pick)
        if self.module is not None and self.module.label == label:
            self.view.select(int(line))
            self.tabs.selected_index = 0

    def _tab_changed(self, change) -> None:
        if change["new"] == 1:
            self.diff.compute()
        if change["new"] is not None \
                and self.tabs.children[change["new"]] is self.then_now:
            self.then_now.compute()     # built on first opening: two more source views cost the rest nothing


def _after_display(fn) -> None:
    """Run fn once the current cell has finished (in a kernel), else now."""

    def guarded():
        try:
            fn()
        except Exception as e:  # a bug must show in the page, not vanish in a callback
            traceback.print_exc()
            raise e

    shell = get_ipython()
    if shell is None or getattr(shell, "kernel", None) is None:
        fn()
        return
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        fn()
        return
    loop.call_soon(guarded)
