"""Then and now: an old fork path beside a new one.

Two SourceViews side by side on a matched pair of functions (do_fork beside
kernel_clone, copy_process beside itself), the guards of that pair aligned
in a table, each version's commentary in its own pane, and a flag
playground that runs the same flag bits through both versions at once
(both_playground.py).

Everything shown comes from elsewhere: the matching and the aligned guards
from `explorer.pair`, the runs from `explorer.executor`, the commentary from
the annotation store.  This module lays them out and keeps the two panes in
step (a guard clicked in one pane is shown in the other).
"""
from __future__ import annotations

from pathlib import Path

import anywidget
import ipywidgets as w
import traitlets as t

from .. import load, pair, sources
from ..anchors import STATUS_WORDS
from ..annotations import Store
from ..errors import ExplorerError
from ..executor.rules import ALWAYS, compare_doc
from ..i18n import N_, tell, translator
from ..pairing import Choice, choose_then_and_now
from ..render import esc
from ..render.notes import notes_for
from .both_playground import BothPlayground
from .said import Said, telling
from .source_view import SourceView

# Layout for this tab only: each pane is half the width, so its commentary goes under the code.
CSS = """
.fx-tn .fx-tn-panes { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 10px; width: 100%; }
.fx-tn .fx-tn-panes > * { min-width: 0; width: auto; }
.fx-tn .fx-view .fx-bar { flex-wrap: wrap; gap: 2px 12px; }
.fx-tn .fx-view .fx-langs { white-space: nowrap; }
.fx-tn .fx-view .fx-body { grid-template-columns: minmax(0, 1fr); }
.fx-tn .fx-view .fx-scroll { max-height: 46vh; }
.fx-tn .fx-view .fx-panel { max-height: 22vh; }
.fx-tn .fx-view .fx-src td.ln { width: 3.6em; } .fx-tn .fx-view .fx-src td.gut { width: 1.6em; }
.fx-tn .fx-tn-say { background: #fff4e5; border-left: 4px solid #d08a00; padding: 6px 10px; margin: 2px 0 6px; }
.fx-tn .fx-tn-summary { color: #444; margin: 2px 0 4px; }
.fx-tn .fx-tn-counterpart { min-height: 1.4em; margin: 4px 0; }
.fx-tn-guards-box { max-height: 34vh; overflow: auto; border: 1px solid #ddd; }
.fx-tn-table { border-collapse: collapse; font-size: 12px; width: 100%; }
.fx-tn-table th, .fx-tn-table td { border-bottom: 1px solid #eee; padding: 2px 6px; vertical-align: top; }
.fx-tn-table th { background: #f6f6f6; text-align: left; position: sticky; top: 0; }
.fx-tn-table td.fx-tn-cond { font-family: "DejaVu Sans Mono", monospace; word-break: break-word; width: 50%; }
.fx-tn-table .fx-tn-fn { font-family: sans-serif; color: #3a6df0; margin-right: 6px; }
.fx-tn-table td.fx-tn-ln { text-align: right; color: #666; }
.fx-tn-table td.fx-tn-errno { white-space: nowrap; }
.fx-tn-table td.fx-tn-errno, .fx-tn-table td.fx-tn-ln, .fx-tn-table td.fx-tn-status { width: 1%; }  /* shrink to fit: the conditions get the room */
.fx-tn-table td.fx-tn-status { text-align: center; white-space: nowrap; font-weight: bold; }
.fx-tn-table td.fx-tn-none { color: #aaa; text-align: center; }
.fx-tn-table tr.fx-tn-row { cursor: pointer; }
.fx-tn-table tr.fx-tn-row:hover td { background: #eef3ff; }
.fx-tn-table tr.fx-tn-changed td.fx-tn-status { background: #fff0b3; }
.fx-tn-table tr.fx-tn-only_a td.fx-tn-status, .fx-tn-table tr.fx-tn-only_b td.fx-tn-status { background: #eee; color: #666; }
.fx-tn-table tr.fx-tn-same td.fx-tn-status { background: #e3f6e3; }
.fx-tn-table tr.fx-tn-on td { background: #fff3b0 !important; }
.fx-tn .fx-tn-outcome .fx-tn-sides { display: grid; grid-template-columns: minmax(0, 1fr) auto minmax(0, 1fr); gap: 10px;
  align-items: start; }
.fx-tn .fx-tn-outcome .fx-tn-side { border: 1px solid #ddd; padding: 4px 8px; }
.fx-tn .fx-tn-outcome .fx-tn-mark { font-weight: bold; padding: 4px 8px; align-self: center; }
.fx-tn .fx-tn-outcome .fx-tn-differ { background: #ffd6d6; color: #900; border: 2px solid #c00; }
.fx-tn .fx-tn-outcome .fx-tn-agree { background: #e3f6e3; color: #225522; }
.fx-tn .fx-tn-outcome .fx-tn-bitnote { color: #8a5a00; font-size: 12px; }
.fx-tn .fx-tn-flag { height: 24px; font-size: 12.5px; }
.fx-tn .fx-tn-legend { color: #666; font-size: 12px; }
.fx-tn .fx-tn-parting { margin: 4px 0; padding: 2px 8px; border-left: 3px solid #3a6df0; }
.fx-tn .fx-out-ok { color: #1b6e2a; font-weight: bold; } .fx-tn .fx-out-err { color: #b00020; font-weight: bold; }
.fx-tn .fx-tn-sweep table { border-collapse: collapse; font-size: 12px; }
.fx-tn .fx-tn-sweep td, .fx-tn .fx-tn-sweep th { border: 1px solid #ddd; padding: 1px 6px; }
.fx-tn .fx-tn-sweep tr.fx-tn-differ td { background: #ffd6d6; }
.fx-tn .fx-tn-notes .fx-tn-at { color: #777; }
.fx-tn-rules-box { max-height: 30vh; overflow: auto; border: 1px solid #ddd; }
.fx-tn-rules-table td.fx-tn-where { font-family: "DejaVu Sans Mono", monospace; white-space: nowrap; color: #444; width: 1%; }
.fx-tn-rules-table .fx-tn-own { font-family: sans-serif; font-size: 11px; color: #777; white-space: normal; min-width: 12em; }
.fx-tn-rules-table td.fx-tn-word { white-space: nowrap; width: 1%; }
.fx-tn-rules-table td.fx-tn-n, .fx-tn-rules-table th.fx-tn-n { text-align: right; width: 1%; color: #666; white-space: nowrap; }
.fx-tn .fx-tn-rules-summary { color: #444; margin: 2px 0 4px; }
.fx-tn .fx-tn-notes td, .fx-tn .fx-tn-notes th { padding: 1px 8px; text-align: left; font-size: 12px; }
"""


def function_pairs(pair: dict) -> list[tuple[str, str, str]]:
    """(name in A, name in B, role) for functions both versions have: the fork
    entry and copy_process first, then those with guards, then the rest."""
    with_guards = {(g["function_a"], g["function_b"]) for g in pair["guards"]}
    both = [f for f in pair["functions"] if f.get("a") and f.get("b")]
    rank = {"fork_entry": 0, "copy_process": 1}
    ordered = sorted(both, key=lambda f: (rank.get(f.get("role"), 2), (f["a"], f["b"]) not in with_guards))
    return [(f["a"], f["b"], f.get("role") or "") for f in ordered]


# -- the guards table -------------------------------------------------------------
# The words the two tables' scripts show, by key: translated here, never in JS.
GUARD_WORDS = {"changed": N_("≠ changed"), "only_a": N_("only then"), "only_b": N_("only now"),
               "none": N_("No error checks in these two functions.")}
RULE_WORDS = {"when": N_("when the flags are"), "combinations": N_("combinations"), "ok": N_("ok"),
              "unknown": N_("unknown"), "its_rule": N_("its rule: {rule}"),
              "click": N_("click: tick a combination of this rule and run it in both versions")}


def words(table: dict, _) -> dict:
    return {k: _(v) for k, v in table.items()}


class PickedRows(anywidget.AnyWidget):
    """A table of the tab whose rows a reader picks (then_and_now_tables.js draws
    both kinds); a click reports the row in `picked`."""
    _esm = Path(__file__).with_name("then_and_now_tables.js")
    _css = CSS
    kind = t.Unicode().tag(sync=True)       # "guards" or "rules": which table the script draws
    rows = t.List().tag(sync=True)
    labels = t.List(t.Unicode()).tag(sync=True)
    words = t.Dict().tag(sync=True)         # the interface's words, in the reader's language
    selected = t.Int(-1).tag(sync=True)
    picked = t.Dict().tag(sync=True)


class GuardPairs(PickedRows):
    """The guards of one function pair, aligned (rows: pair["guards"] entries; words: GUARD_WORDS)."""
    kind = t.Unicode("guards").tag(sync=True)
    functions = t.List(t.Unicode()).tag(sync=True)   # the two panes' functions: others are named in the rows


# -- the rules that changed -------------------------------------------------------------
# The oracle's twelve flags (tests/oracle): the changed rules are listed over these;
# a name only one version defines goes to the other by value (rules --compare does).
RULE_FLAGS = ["CLONE_VM", "CLONE_FS", "CLONE_SIGHAND", "CLONE_THREAD", "CLONE_NEWNS", "CLONE_NEWUSER",
              "CLONE_NEWPID", "CLONE_PARENT", "CLONE_PIDFD", "CLONE_DETACHED", "CLONE_VFORK", "CLONE_PARENT_SETTID"]


class ChangedRules(PickedRows):
    """The `changed` entries of `rules A --compare B` (rows: compare_doc()["changed"]; words: RULE_WORDS)."""
    kind = t.Unicode("rules").tag(sync=True)
    empty = t.Unicode("").tag(sync=True)    # said instead of a table when no rule changed


# -- the tab ----------------------------------------------------------------------------
class ThenAndNow(w.VBox):
    """The "Then and now" tab.  Nothing is loaded until compute() (the tab is
    opened): two more source views in the page would cost every reader who
    never opens it."""

    def __init__(self, lang: str | None = None):
        self._ui_lang, self._ = lang, translator(lang)
        self.a = w.Dropdown(layout=w.Layout(width="240px"))
        self.b = w.Dropdown(layout=w.Layout(width="240px"))
        self.function = w.Dropdown(layout=w.Layout(width="420px"))
        for d, cls in ((self.a, "fx-tn-a"), (self.b, "fx-tn-b"), (self.function, "fx-tn-function")):
            d.add_class(cls)
        self.say = w.HTML()
        self.said = Said(self.say, '<div class="fx-tn-say">{}</div>', lang=lang)   # what is said at the top
        self.summary = w.HTML()
        self.summary.add_class("fx-tn-summary")
        self.counterpart = w.HTML()
        self.counterpart.add_class("fx-tn-counterpart")
        self.notes_table = w.HTML()
        self.notes_table.add_class("fx-tn-notes")
        self.view_a = self.view_b = self.guards = self.playground = None
        self.modules = (None, None)
        self.pair: dict | None = None
        self.choice: Choice | None = None
        self._busy = False
        self._syncing = False
        self.computed = False
        self._shown_row: dict | None = None    # the guard row the counterpart line is about
        self._opening = w.HTML()
        self.guards_heading, self.rules_heading = w.HTML(), w.HTML()
        self.notes_box = w.Accordion([self.notes_table], selected_index=None)
        super().__init__([self._opening])
        self.add_class("fx-tn")
        self._label()

    def _label(self) -> None:
        """The fixed words in the current language."""
        _ = self._
        self._opening.value = "<i>" + esc(_("Opening…")) + "</i>"
        self.a.description, self.b.description, self.function.description = _("Then"), _("Now"), _("Function")
        self.guards_heading.value = _("<b>The checks, aligned</b> (click a row, or a guard in either pane)")
        self.rules_heading.value = _("<b>The rules of clone() that changed</b> (click one: a combination of it "
                                     "is ticked above and runs in both versions)")
        self.notes_box.titles = (_("Commentary in both versions"),)

    def set_lang(self, lang: str | None) -> None:
        """Relabel the tab in another interface language: every text is said again
        from what was computed (the pair, the runs, the rules), nothing is recomputed."""
        self._ui_lang, self._ = lang, translator(lang)
        self._label()
        self.said.again(self._)
        for view in (self.view_a, self.view_b):
            if view is not None:
                view.set_lang(lang)
        if self.playground is None:
            return
        self.playground.set_lang(lang)
        self.guards.words = words(GUARD_WORDS, self._)
        self.rules.words = words(RULE_WORDS, self._)
        self.rules_empty.again(self._)
        if self.pair is not None:
            self._summarise()
            self._notes_table()
            self._say_rules()
            if self._shown_row is not None:
                self._say_counterpart(self._shown_row)

    # -- building ---------------------------------------------------------------
    def _build(self) -> None:
        # built in the language the reader chose before opening the tab
        self.view_a, self.view_b = SourceView(lang=self._ui_lang), SourceView(lang=self._ui_lang)
        self.view_a.add_class("fx-tn-then")
        self.view_b.add_class("fx-tn-now")
        self.guards = GuardPairs(words=words(GUARD_WORDS, self._))
        self.playground = BothPlayground(self.view_a, self.view_b, self._ui_lang)
        self.playground.on_parting = self._reveal
        panes = w.Box([self.view_a, self.view_b])
        panes.add_class("fx-tn-panes")
        self.view_a.observe(lambda c: self._pane_clicked(0, c), names="selected_line")
        self.view_b.observe(lambda c: self._pane_clicked(1, c), names="selected_line")
        self.guards.observe(self._row_picked, names="picked")
        self.rules = ChangedRules(words=words(RULE_WORDS, self._))
        self.rules_empty = Said(self.rules, trait="empty", plain=True, lang=self._ui_lang)   # said instead of the table
        self.rules_summary = w.HTML()
        self.rules_summary.add_class("fx-tn-rules-summary")
        self.rules.observe(self._rule_picked, names="picked")
        for box in self.playground.world_boxes.values():     # the rules depend on the caller too
            box.observe(lambda _c: self._list_changed_rules(), names="value")
        self.a.observe(self._versions_changed, names="value")
        self.b.observe(self._versions_changed, names="value")
        self.function.observe(lambda _c: self._show_function(), names="value")
        self.children = [w.HBox([self.a, self.b, self.function]), self.say, self.summary, self.playground,
                         panes, self.counterpart, self.guards_heading, self.guards,
                         self.rules_heading, self.rules_summary, self.rules, self.notes_box]

    def compute(self, a: str | None = None, b: str | None = None) -> None:
        """Open on the given versions, or on the oldest do_fork-form beside the newest kernel_clone."""
        if self.computed and a is None and b is None:
            self._refresh_labels()      # a version fetched meanwhile (the picker) becomes choosable
            self._store = None          # and notes written meanwhile (the editor) are read on the next pick
            return
        if self.view_a is None:
            self._build()
        self.computed = True
        labels = sources.available()
        self.choice = choose_then_and_now(labels) if a is None or b is None else Choice(a, b, True)
        self._busy = True
        try:
            self.a.options = self.b.options = labels
            self.a.value = self.choice.a if self.choice.a in labels else None
            self.b.value = self.choice.b if self.choice.b in labels else None
        finally:
            self._busy = False
        self._versions_changed(None)

    _store = None

    def _annotations(self):
        """One read of the annotation files for the pair and both panes, kept while the tab
        stays open (reading them is most of the wait); reopening the tab reads them afresh."""
        if self._store is None:
            self._store = Store()
        return self._store

    def _refresh_labels(self) -> None:
        labels = sources.available()
        if list(self.a.options) == labels:
            return
        self._busy = True
        try:
            keep = self.a.value, self.b.value
            self.a.options = self.b.options = labels
            self.a.value, self.b.value = (v if v in labels else None for v in keep)
        finally:
            self._busy = False

    def _versions_changed(self, _change) -> None:
        if self._busy:
            return
        choice = self.choice
        if choice is None or (choice.a, choice.b) != (self.a.value, self.b.value):
            choice = None
        told = (lambda _: choice.message_in(self._ui_lang)) if choice is not None and choice.said else None
        if not self.a.value or not self.b.value or self.a.value == self.b.value:
            self.said.say(told or (lambda _: _("Pick two different versions.")))
            return
        try:
            ma, mb = load(self.a.value), load(self.b.value)
            store = self._annotations()
            self.pair = pair(ma, mb, store=store)
        except ExplorerError as e:
            a, b = self.a.value, self.b.value
            self.said.say(lambda _, e=e: _("{a} and {b}: {error}").format(a=a, b=b, error=tell(e, _)))
            return
        self.said.say(told)
        self.modules = (ma, mb)
        self._notes = (notes_for(ma, store), notes_for(mb, store))
        options = [(fa if fa == fb else f"{fa}  ↔  {fb}", (fa, fb)) for fa, fb, _ in function_pairs(self.pair)]
        self._busy = True
        try:
            self.function.options = options
            self.function.value = options[0][1] if options else None
        finally:
            self._busy = False
        self._summarise()
        self._notes_table()
        self.playground.set_modules(ma, mb)
        self._show_function()
        self._list_changed_rules()

    def _summarise(self) -> None:
        p = self.pair
        count = {s: sum(1 for g in p["guards"] if g["status"] == s) for s in ("same", "changed", "only_a", "only_b")}
        only_a = [f["a"] for f in p["functions"] if f.get("a") and not f.get("b")]
        only_b = [f["b"] for f in p["functions"] if f.get("b") and not f.get("a")]
        matched = sum(1 for f in p["functions"] if f.get("a") and f.get("b"))
        _ = self._
        where = {}
        for f in p["functions"]:
            said = f.get("where_message") or f.get("where") or {}     # the record's message, else its text
            for side, message in said.items():
                where.setdefault(tell(message, _), []).append(f.get("b" if side == "a" else "a") or "")
        elsewhere = "".join(f"<div>{esc(', '.join(n for n in names if n))}: {esc(text)}</div>"
                            for text, names in where.items())
        said = _("{matched} functions matched; {only_a} only in {a}, {only_b} only in {b}. "
                 "Checks: {same} the same, {changed} changed, {then} only then, {now} only now.").format(
            matched=matched, only_a=len(only_a), a=p["a"], only_b=len(only_b), b=p["b"], same=count["same"],
            changed=count["changed"], then=count["only_a"], now=count["only_b"])
        self.summary.value = elsewhere + esc(said)

    def _notes_table(self) -> None:
        p, _ = self.pair, self._
        def where(n, side):
            fn, line = n.get("function_" + side), n.get("line_" + side)
            status = _(STATUS_WORDS.get(n[side], n[side])) if n[side] else ""
            return esc(status) + (f" <span class='fx-tn-at'>{esc(fn)}:{line}</span>" if fn and line else "")
        rows = "".join(f"<tr><td>{esc(n['id'])}</td><td>{where(n, 'a')}</td><td>{where(n, 'b')}</td></tr>"
                       for n in p.get("notes", []))
        self.notes_table.value = (f"<table><tr><th>{esc(_('note'))}</th><th>{esc(p['a'])}</th><th>{esc(p['b'])}</th>"
                                  f"</tr>{rows}</table>" if rows
                                  else "<i>" + esc(_("No commentary places in either version.")) + "</i>")

    def _show_function(self) -> None:
        if self._busy or self.pair is None or not self.function.value:
            return
        fa, fb = self.function.value
        self._show_in(0, fa)
        self._show_in(1, fb)
        # The checks of this pair, and those that moved to or from another function
        # (2.6.32 refuses CLONE_NEWUSER|CLONE_THREAD in do_fork, 6.12 in copy_process).
        rows = [g for g in self.pair["guards"] if g["function_a"] == fa or g["function_b"] == fb]
        with self.guards.hold_sync():
            self.guards.labels = [f"{self.modules[0].label} · {fa}()", f"{self.modules[1].label} · {fb}()"]
            self.guards.functions = [fa, fb]
            self.guards.rows = rows
            self.guards.selected = -1
        self._shown_row = None
        self.counterpart.value = ""

    def _show_in(self, side: int, function: str) -> None:
        """Show `function` in one pane (with its notes and the current trace), unless it is there."""
        view, mod, notes = (self.view_a, self.view_b)[side], self.modules[side], self._notes[side]
        if view.module is mod and view.function == function:
            return
        view.show(mod, function, [n for n in notes if self._in(mod, function, n.line)])
        self.playground.show_trace(side)
        # The picker names what the panes show (blank when they show two unmatched functions),
        # so picking a pair again always brings it back.
        shown = (self.view_a.function, self.view_b.function)
        if self.function.value != shown:
            self._busy = True
            try:
                self.function.value = shown if shown in [v for _, v in self.function.options] else None
            finally:
                self._busy = False

    # -- the rules that changed ---------------------------------------------------------
    rules_doc: dict | None = None

    def _list_changed_rules(self) -> None:
        """`rules A --compare B` over the oracle's twelve flags for the playground's
        caller: each combination whose outcome differs, as conditions, with the
        deciding line on both sides (explorer.executor.rules.compare_doc)."""
        ma, mb = self.modules
        if ma is None or mb is None:
            return
        known = set(self.playground.tables[0].values) | set(self.playground.tables[1].values)
        names = [n for n in RULE_FLAGS if n in known]
        world = self.playground.world()
        try:
            doc = compare_doc(ma, mb, names, world=world)
        except ExplorerError as e:
            self.rules_doc = None
            with self.rules.hold_sync():
                self.rules.rows, self.rules.selected = [], -1
                self.rules_empty.say(telling(e))
            self.rules_summary.value = ""
            return
        self.rules_doc = doc
        self._rules_over = (names, world.capable)
        with self.rules.hold_sync():
            self.rules.labels = [ma.label, mb.label]
            self._say_rules()
            self.rules.selected = -1

    def _say_rules(self) -> None:
        """The summary above the changed rules and what the table says when there are none."""
        doc, _ = self.rules_doc, self._
        if doc is None:
            return
        (ma, mb), (names, capable) = self.modules, self._rules_over
        changed = doc["changed"]
        covered = sum(c["combinations"] for c in changed)
        who = _("as root") if capable else _("unprivileged (no CAP_SYS_ADMIN)")
        said = (_("Over {n} flags ({names}), called {who}: {changed} rule changed, covering {covered} of {total} "
                  "combinations.") if len(changed) == 1 else
                _("Over {n} flags ({names}), called {who}: {changed} rules changed, covering {covered} of {total} "
                  "combinations.")).format(n=len(names), names=", ".join(names), who=who, changed=len(changed),
                                           covered=covered, total=doc["total"])
        incomplete = "" if doc["complete"] else tell(doc.get("incomplete_message") or doc["incomplete"], _)
        self.rules_summary.value = esc(said) + (f" {esc(incomplete)}." if incomplete else "")
        self.rules_empty.say(lambda _: _("Every combination of these flags has the same outcome in {a} and {b}.")
                             .format(a=ma.label, b=mb.label))
        self.rules.rows = [self._said_rule(r) for r in changed]

    def _said_rule(self, row: dict) -> dict:
        """A changed rule as the table shows it: a condition that always holds said as a word."""
        def said(text):
            return self._(ALWAYS) if text == ALWAYS else text
        return {**row, "text": said(row["text"]), "a": {**row["a"], "rule": said(row["a"].get("rule"))},
                "b": {**row["b"], "rule": said(row["b"].get("rule"))}}

    def _rule_picked(self, change) -> None:
        i = change["new"].get("i", -1)
        if 0 <= i < len(self.rules.rows):
            self.pick_rule(i)

    def pick_rule(self, i: int) -> None:
        """Tick a combination of changed rule i (its first conjunction's set flags),
        run it in both versions, and show each side's deciding line."""
        row = self.rules.rows[i]
        self.rules.selected = i
        self.playground.set_flags(*[lit["name"] for lit in (row["when"] or [[]])[0] if lit["set"]])
        self._syncing = True
        try:
            for side, (key, view) in enumerate((("a", self.view_a), ("b", self.view_b))):
                fn, line = row[key]["function"], row[key]["line"]
                if fn and fn in self.modules[side].functions:
                    self._show_in(side, fn)
                    if line:
                        view.select(line)
        finally:
            self._syncing = False

    @staticmethod
    def _in(mod, name, line) -> bool:
        fn = mod.functions[name]
        return fn.start_line <= line <= fn.end_line

    # -- keeping the panes in step ------------------------------------------------------
    def _statement_line(self, side: int, line: int) -> int:
        """The first line of the statement a click on `line` selected."""
        view, mod = (self.view_a, self.view_b)[side], self.modules[side]
        node = view.line_statement(line)
        try:
            return mod.node_by_id(node).start_point[0] + 1 if node else line
        except ExplorerError:
            return line

    def _pane_clicked(self, side: int, change) -> None:
        if self._syncing or not change["new"]:
            return
        key, function = "ab"[side], (self.view_a, self.view_b)[side].function
        line = self._statement_line(side, change["new"])
        # a click anywhere in the guard's `if` (its condition, its goto) is a click on the guard
        i = next((i for i, g in enumerate(self.guards.rows) if g[key] and g["function_" + key] == function
                  and g[key]["line"] <= line <= g[key].get("end_line", g[key]["line"])), -1)
        self.guards.selected = i
        if i < 0:
            self._shown_row = None
            self.counterpart.value = ""
            return
        self._show_counterpart(i, from_side=side)

    def _row_picked(self, change) -> None:
        i = change["new"].get("i", -1)
        if 0 <= i < len(self.guards.rows):
            self.guards.selected = i
            self._show_counterpart(i, from_side=None)

    def _reveal(self, row: dict) -> None:
        """A guard row of the pair (e.g. where two runs part) shown in both panes."""
        i = next((i for i, g in enumerate(self.guards.rows)
                  if all(g[k] == row.get(k) for k in ("function_a", "function_b", "a", "b"))), -1)
        self.guards.selected = i
        self._show_counterpart(row, from_side=None)

    def _show_counterpart(self, g, from_side: int | None) -> None:
        g = self.guards.rows[g] if isinstance(g, int) else g
        self._syncing = True
        try:
            for side, (key, view) in enumerate((("a", self.view_a), ("b", self.view_b))):
                fn = g["function_" + key]
                if side == from_side or not fn or fn not in self.modules[side].functions:
                    continue
                self._show_in(side, fn)     # the check may live in another function there
                if g[key]:
                    view.select(g[key]["line"])
        finally:
            self._syncing = False
        self._shown_row = g
        self._say_counterpart(g)

    def _say_counterpart(self, g: dict) -> None:
        """The line under the panes: how the two checks of a guard row compare, each with its place."""
        _, (la, lb) = self._, (self.pair["a"], self.pair["b"])
        word = {"same": _("the same check"), "changed": _("changed"),
                "only_a": _("only in {label}").format(label=la),
                "only_b": _("only in {label}").format(label=lb)}[g["status"]]

        def side(label, fn, x):
            if not x:
                return f"<span class='fx-tn-none'>{esc(_('no counterpart in {label}').format(label=label))}</span>"
            at = esc(_("{label} {function}() line {line}")).format(label=esc(label), function=esc(fn), line=x["line"])
            return f"{at}: <code>{esc(x['condition'])}</code> → -{esc(x['errno'])}"
        self.counterpart.value = (f'<div data-status="{esc(g["status"])}"><b>{esc(word)}</b>: '
                                  f'{side(la, g["function_a"], g["a"])} ↔ {side(lb, g["function_b"], g["b"])}</div>')
