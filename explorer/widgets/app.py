"""The reading room as one widget, laid out for a group at a projector: the
source is the main pane (code, with the notes beside it) and starts near the
top of the first screen; the flag playground and the annotation editor are
tabs under it, the diff with the guard history and then-and-now are tabs
beside it.  The Voila app notebook (notebooks/app.ipynb) displays `App()` and
nothing else."""
from __future__ import annotations

import asyncio
import os
import time
import traceback

import ipywidgets as w
from IPython import get_ipython

from .. import load, sources
from ..errors import ExplorerError
from ..executor import entry_names
from ..i18n import N_, tell, translator
from ..render import esc
from ..render.style import APP_CSS
from .annotation_editor import AnnotationEditor
from .diff_view import DiffView
from .language import LanguageSwitch
from .page_title import PageTitle
from .playground import FlagPlayground
from .position_link import hub_link, shared_position
from .said import Said
from .source_view import SourceView, plain_table
from .then_and_now import ThenAndNow
from .tour_panel import TourPanel
from .version_picker import VersionPicker

PREFERRED = ("debian-6.12", "debian-6.1")


def default_label(labels: list[str]) -> str | None:
    for lb in PREFERRED:
        if lb in labels:
            return lb
    return labels[-1] if labels else None


def page_title(label: str | None, lang: str | None) -> str:
    """The browser tab's title: "fork-explorer — LABEL", in the interface language."""
    _ = translator(lang)
    return _("fork-explorer — {label}", "page title").format(label=label) if label else "fork-explorer"


def preheated() -> bool:
    """Whether this kernel ran the app before any reader came (Voila's pool):
    work done now costs the reader nothing."""
    return os.environ.get("VOILA_PREHEAT") == "True"


def entry_line(mod) -> int:
    """The first line of the version's fork entry (kernel_clone, _do_fork, do_fork):
    where the reader starts, every time."""
    for name in entry_names(mod):
        if name in mod.functions:
            return mod.functions[name].start_line
    return 1


TAB_TITLES = (N_("Read & run"), N_("Diff & history"), N_("Then and now"))


class App(w.VBox):
    READ, DIFF, THEN_NOW = 0, 1, 2          # the tabs

    def __init__(self, label: str | None = None, lang: str | None = None, *, line: int | None = None):
        t0 = time.perf_counter()
        # The interface language: `lang`, else the browser's (LanguageSwitch asks the page).
        self.language = LanguageSwitch(lang)
        lang = self.language.value
        self._ = translator(lang)
        available = sources.available()
        bad_link = None         # _ -> why the link's position is not shown
        if label is None and line is None:
            label, line, said = shared_position(_=self._)
            if said:
                bad_link = lambda _: shared_position(_=_)[2]     # noqa: E731 - the link's words, said again
            if label is not None and label not in available:
                missing = label
                bad_link = lambda _: _("{label} (named by the link) is not fetched here; "   # noqa: E731
                                       "showing the default version").format(label=missing)
                label, line = None, None
        self._start_line = line
        label = label or default_label(available)
        self.picker = VersionPicker(label, lang=lang)
        self.view = SourceView(lang=lang)
        self.goto = w.Dropdown(description=self._("Go to"), options=[], layout=w.Layout(width="260px"))
        self.goto.add_class("fx-goto")
        self.goto.observe(self._goto, names="value")
        self.message = w.HTML()
        self.message.add_class("fx-app-msg")
        self.said = Said(self.message, "<div>{}</div>", lang=lang)     # said again on a language switch
        self.ready = w.HTML()       # carries the readiness signal for tests: <span class="fx-ready" data-label=...>
        self.ready.add_class("fx-ready-box")
        self.lang = lang
        self.title = PageTitle(title=page_title(label, lang))
        self.module = None
        # Every part is imported at the top: a broken executor or diff fails loudly
        # here instead of leaving the reader a room with a part silently missing.
        self.editor = AnnotationEditor(self.view, lang=lang)
        self.playground = FlagPlayground(self.view, lang=lang)
        self.diff = DiffView(lang=lang)
        # issue 16 (tours): the tour panel reads the page's ?tour=ID&stop=N itself and asks the
        # app only to scroll (on_stop) or open a version (on_version).  It sits under the source
        # (its stop's note below the code it is about), above the tools.
        self.tour = TourPanel(on_stop=self._tour_stop, on_version=self._tour_version, lang=lang)
        self.then_now = ThenAndNow()
        self.then_now.set_lang(lang)
        # Under the source: the parts a reader uses while looking at the code.  Their
        # panel has a fixed height and scrolls inside, so they never push the code down.
        # The page draws the code first: the tools' ~170 widgets (a grid of flags, the
        # editor's form) take their place once the page says it has drawn the source,
        # in empty panels already laid out, so nothing moves when they come.
        self.tools = w.Tab(children=[w.VBox(), w.VBox()], titles=self._tool_titles())
        self.tools.add_class("fx-tools")
        read = w.VBox([self.view, self.tour, self.tools])
        read.add_class("fx-read")
        self.tabs = w.Tab(children=[read, self.diff, self.then_now], titles=[self._(t) for t in TAB_TITLES])
        self.tabs.add_class("fx-tabs")
        # one line: the name, the version, Go to, the interface language (two headings stacked before)
        self.heading = w.HTML('<span class="fx-brand">fork-explorer</span>')
        header = w.HBox([self.heading, self.picker, self.goto, self.language, self.ready])
        header.add_class("fx-header")
        super().__init__([w.HTML(f"<style>{APP_CSS}</style>"), header, self.message, self.tabs, self.title])
        self.language.on_change(self.set_lang)
        self.add_class("fx-app")
        self.picker.on_pick(self.load)
        self.view.on_page_ready(self._show_tools)
        self.view.on_page_ready(self._send_ahead)
        self.tabs.observe(self._tab_changed, names="selected_index")
        self.diff.history.observe(self._open_cell, names="picked")
        if label is None:
            self.said.say(lambda _: "<b>" + esc(_("No version of kernel/fork.c is fetched yet.")) + "</b> "
                          + esc(_("Pick one above and press Fetch, or run {command}.")).format(
                              command="<code>fork-explorer sources sync debian-6.12</code>"), html=True)
        elif label in available:
            self.load(label)
            if preheated():
                _after_display(self._warm_neighbours)
        else:
            self.said.say(lambda _: "<b>" + esc(_("{label} is not fetched yet.").format(label=label)) + "</b> "
                          + esc(_("Press Fetch to get it.")), html=True)
        if bad_link:
            self.said.add(bad_link)
        self.first_render = time.perf_counter() - t0

    def _show_tools(self) -> None:
        # as many panels as before: the Tab keeps its titles and its selected tab
        if self.tools.children[0] is not self.playground:
            self.tools.children = [self.playground, self.editor]

    def _tool_titles(self) -> list[str]:
        return [self._("Flag playground", "tab"), self._("Annotation editor", "tab")]

    def set_lang(self, lang: str) -> None:
        """Relabel every part in another interface language, without reloading the source."""
        self._ = translator(lang)
        self.lang = lang
        self.said.again(self._)
        self.goto.description = self._("Go to")
        self.tabs.titles = tuple(self._(t) for t in TAB_TITLES)
        self.tools.titles = tuple(self._tool_titles())
        self.title.title = page_title(self.module.label if self.module else None, lang)
        for part in (self.picker, self.view, self.playground, self.tour, self.editor, self.diff, self.then_now):
            if hasattr(part, "set_lang"):
                part.set_lang(lang)
        if self.module is not None and self.ready.value:     # already ready: say it in the new language
            self._finish_ready(self.module)

    def load(self, label: str, line: int | None = None) -> None:
        """Show a fetched version everywhere, opened at `line` (default: its fork
        entry).  The source and the playground come first; the commentary (reading
        and placing every annotation file) and the diff follow right after the page
        is up, so the browser's own start-up overlaps with that work instead of
        waiting for it."""
        try:
            mod = load(label)
        except ExplorerError as e:
            self.said.say(lambda _, e=e: f"<b>{esc(label)}</b>: {esc(tell(e, _))}", html=True)
            return
        self.module = mod
        self.said.clear()
        self.ready.value = ""
        self.title.title = page_title(label, self.lang)
        # The first view is the fork entry, or the line a jump asked for: one message
        # with the table, and the trace that follows marks its lines without scrolling
        # away (it decides far down the entry).
        with self.view.hold_sync():
            self.view.show(mod)
            self.view.jump(line or self._open_at or entry_line(mod))
        # in a hub room the commentary panel offers a link to the selected line for every member
        self.view.link_base = hub_link({"version": mod.label}) or ""
        self._fill_goto(mod)
        with self.view.still():
            self._set(self.playground, mod)
        # issue 16: re-place the tour's stops in this version; after the first view, so that
        # a tour's stop, when one is on, is where the source is scrolled
        self.tour.set_module(mod)
        _after_display(lambda: self._finish(mod))

    def jump(self, label: str, line: int) -> None:
        """Open `label` at `line` in the source pane (a matrix cell, a guard, a rule):
        the Read tab comes to the front first, so no other tab recomputes on the way."""
        if self.tabs.selected_index != self.READ:
            self.tabs.selected_index = self.READ
        if self.module is None or self.module.label != label:
            self._open_at = int(line)
            try:
                self.picker.dropdown.value = label      # fires on_pick -> load(label), opened at the line
            finally:
                self._open_at = None
            return
        self.view.jump(int(line))

    _open_at: int | None = None      # the line the next load opens at (a jump into another version)

    def _finish(self, mod) -> None:
        if self.module is not mod:
            return          # another version was picked meanwhile
        self._set(self.editor, mod)
        self.diff.set_module(mod, compute=self.tabs.selected_index == self.DIFF)
        line, self._start_line = self._start_line, None
        if line is not None:
            if line <= len(mod.lines):
                self.view.jump(line)        # a shared link's line: scrolled to and marked
            else:
                self.said.add(lambda _: _("line {line} (named by the link) is past the end of {label} ({n} lines)")
                              .format(line=line, label=mod.label, n=len(mod.lines)))
        self._finish_ready(mod)

    def _finish_ready(self, mod) -> None:
        label = mod.label or ""
        self.ready.value = (f'<span class="fx-ready" data-label="{esc(label)}">'
                            f'{esc(self._("{label} ready").format(label=label))}</span>')

    PREFETCH_MAX = 3     # versions whose tables are sent ahead (the nearest in release order; the page keeps 4)

    def _neighbours(self) -> list[str]:
        """The other fetched versions nearest this one in release order."""
        labels = sources.available()
        here = labels.index(self.module.label) if self.module is not None and self.module.label in labels else 0
        return sorted((lb for lb in labels if self.module is None or lb != self.module.label),
                      key=lambda lb: abs(labels.index(lb) - here))[:self.PREFETCH_MAX]

    def _one_per_turn(self, labels: list[str], fn) -> None:
        """fn(module) for each label, one per turn of the kernel's loop: a reader's
        click is never queued behind all of them."""
        todo = list(labels)

        def one():
            if not todo:
                return
            try:
                fn(load(todo.pop(0)))
            except ExplorerError:
                pass            # the picker says what is wrong with a version when it is chosen
            _after_display(one)
        _after_display(one)

    def _warm_neighbours(self) -> None:
        """Parse the nearest versions and build their tables now, while no reader waits:
        Voila runs the app in a kernel before anyone opens the page (preheat)."""
        self._one_per_turn(self._neighbours(), lambda mod: plain_table(mod, None))

    def _send_ahead(self) -> None:
        """Once the page is drawn and idle: the nearest versions' tables, for jumps.
        Only from a kernel Voila ran before its reader came (it has them ready): a
        kernel started for a reader of a crowded room does no extra work."""
        if not preheated():
            return
        self._one_per_turn(self._neighbours(), lambda mod: self.view.prefetch([mod]))

    def _set(self, part, mod) -> None:
        try:
            part.set_module(mod)
        except ExplorerError as e:
            self.said.add(lambda _, e=e: f"{type(part).__name__}: {tell(e, _)}")

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
        self.view.jump(self.module.functions[name].start_line)

    # -- issue 16: the tour panel's two requests --------------------------------------
    def _tour_stop(self, line: int) -> None:
        self.tabs.selected_index = self.READ
        self.view.jump(int(line))

    def _tour_version(self, label: str) -> None:
        if self.module is None or self.module.label != label:
            self.picker.dropdown.value = label      # loads it (on_pick), which calls tour.set_module

    def _open_cell(self, change) -> None:
        """A guard-matrix cell was clicked: open that version at that line."""
        label, line = change["new"].get("label"), change["new"].get("line")
        if label and line:
            self.jump(label, int(line))

    def _tab_changed(self, change) -> None:
        if change["new"] == self.DIFF:
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
