"""The diff view: two versions side by side, rows aligned and edit kinds
coloured (explorer.render.diff_html), a function picker driven by the lineage
(explorer.diff.lineage), and the history of a function's guards as a matrix
(explorer.diff.history, when present).  This module only lays them out."""
from __future__ import annotations

import ipywidgets as w

from .. import load, sources
from ..diff import match_functions
from ..diff.treediff import diff_functions
from ..errors import ExplorerError
from ..fork_names import COPY_PROCESS, FORK_ENTRIES
from ..i18n import translator
from ..render import esc
from ..render.diff_html import STYLE, fragment
from .guard_matrix import GuardMatrix
from .said import Said, telling

# Functions a reader of fork.c compares first (their lineage role names them in each version).
FIRST = (COPY_PROCESS, *FORK_ENTRIES, "sys_clone", "sys_clone3", "sys_fork", "sys_vfork",
         "copy_signal", "copy_sighand", "copy_mm", "dup_task_struct")


class DiffView(w.VBox):
    def __init__(self, lang: str | None = None):
        self.lang = lang
        self._ = translator(lang)
        labels = sources.available()
        self.a = w.Dropdown(options=labels, layout=w.Layout(width="240px"))
        self.b = w.Dropdown(options=labels, layout=w.Layout(width="240px"))
        self.function = w.Dropdown(layout=w.Layout(width="420px"))
        self.output = w.HTML(layout=w.Layout(max_height="62vh", overflow="auto"))
        self.output.add_class("fx-diff-out")
        self.shown = Said(self.output, "<b>{}</b>", lang=lang)        # the diff, or why there is none
        self.history = GuardMatrix(lang=lang)
        self.history.add_class("fx-history-out")
        self.history_note = w.HTML()
        self.history_said = Said(self.history_note, "<i>{}</i>", lang=lang)
        self._matching = None
        self._pending = None
        self._busy = False
        self.history_heading = w.HTML()
        super().__init__([w.HBox([self.a, self.b, self.function]), self.output,
                          self.history_heading, self.history_note, self.history])
        self.add_class("fx-diffview")
        self._label()
        self.a.observe(self._versions_changed, names="value")
        self.b.observe(self._versions_changed, names="value")
        self.function.observe(lambda _c: self._show(), names="value")

    def _label(self) -> None:
        _ = self._
        self.a.description, self.b.description = _("From"), _("To")
        self.function.description = _("Function")
        self.history_heading.value = ("<b>" + esc(_("History of the function's checks")) + "</b> ("
                                      + esc(_("versions across, guards down; click a cell to open that line"))
                                      + ")")

    def set_lang(self, lang: str | None) -> None:
        """Relabel; the matrix is drawn again from its data (nothing recomputed)."""
        self.lang, self._ = lang, translator(lang)
        self._label()
        self.history.set_lang(lang)
        self.shown.again(self._)
        self.history_said.again(self._)

    def set_module(self, module, compute: bool = True) -> None:
        """Compare the app's version (To) with the one before it (From), the oldest
        with the one after it; with
        compute=False the work waits until compute() (the tab is opened)."""
        self._pending = module
        if compute:
            self.compute()

    def compute(self) -> None:
        module, self._pending = self._pending, None
        if module is None:
            return
        labels = sources.available()
        self._busy = True
        try:
            self.a.options = self.b.options = labels
            if module.label in labels:
                i = labels.index(module.label)
                if i == 0 and len(labels) > 1:    # the oldest: compare it with the next one
                    self.a.value, self.b.value = module.label, labels[1]
                else:
                    self.a.value, self.b.value = labels[max(i - 1, 0)], module.label
        finally:
            self._busy = False
        self._versions_changed(None)

    def _versions_changed(self, _change) -> None:
        if self._busy or not self.a.value or not self.b.value:
            return
        try:
            ma, mb = load(self.a.value), load(self.b.value)
        except ExplorerError as e:
            self.shown.say(telling(e))
            return
        m = match_functions(ma, mb)
        self._matching = (ma, mb, m)
        pairs = sorted(m.pairs, key=lambda p: (next((i for i, n in enumerate(FIRST) if n == p.b), len(FIRST)),
                                               mb.functions[p.b].start_byte))
        options = [(p.b if p.a == p.b else f"{p.b}  ←  {p.a} ({p.how})", (p.a, p.b)) for p in pairs]
        keep = self.function.value
        self._busy = True
        try:
            self.function.options = options
            values = [v for _, v in options]
            self.function.value = keep if keep in values else (values[0] if values else None)
        finally:
            self._busy = False
        self._show()

    def _show(self) -> None:
        if self._busy or self._matching is None or not self.function.value:
            return
        ma, mb, _ = self._matching
        name_a, name_b = self.function.value
        try:
            d = diff_functions(ma, name_a, mb, name_b)
            # drawn again from the same diff in another language (self.lang is set first)
            self.shown.say(lambda _: f"<style>{STYLE}</style>" + fragment(d, self.lang), html=True)
        except ExplorerError as e:
            self.shown.say(telling(e))
        self._history(name_b)

    def _history(self, name: str) -> None:
        try:
            data = self.history.show(name)
            self.history_said.say(None if data["guards"] else
                                  (lambda _: _("{function} has no error checks.").format(function=name)))
        except ExplorerError as e:
            self.history.html = ""
            self.history_said.say(telling(e))
