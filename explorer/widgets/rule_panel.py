"""The rules beside the flag playground: the rule behind the current outcome
("EINVAL because CLONE_THREAD && !CLONE_SIGHAND, copy_process line 2198")
and the version's rule table; a click on a rule ticks a combination that
satisfies it and runs it.  The rules come from explorer.executor.rules over
the reading flags (the twelve `verify` sweeps), computed when the panel is
first opened and kept per version, entry and World; nothing is derived here."""
from __future__ import annotations

import ipywidgets as w

from ..errors import ExplorerError
from ..executor.rules import rule_for, rules_doc
from ..executor.symbolic import explore
from ..render import esc
from ..verify import DEFAULT_FLAGS
from .said import Said, telling

MAX_TEXT = 160       # a rule's text on its button, beyond which the table cell shows it whole


class RulePanel(w.VBox):
    def __init__(self, playground):
        self.playground = playground
        self.doc: dict | None = None
        self._cache: dict[tuple, dict] = {}
        self.because = w.HTML()
        self.because.add_class("fx-rule-because")
        self.table = w.VBox()
        self.table.add_class("fx-rule-table")
        self.head = w.HTML()
        self.head_said = Said(self.head, '<span class="fx-out fx-out-bad">{}</span>', lang=playground.lang)
        self.opened = False
        super().__init__([self.because, self.head, self.table])
        self.add_class("fx-rules")

    # -- the rules of the playground's version, entry and World --------------
    def _key(self):
        pg = self.playground
        world = pg.world()
        return (pg.module.label, id(pg.module), pg.entry.value, repr(world), tuple(sorted(pg.config().items())))

    def refresh(self) -> None:
        """(Re)compute the rule table for the playground's settings, if open."""
        pg = self.playground
        if not self.opened or pg.module is None:
            return

        key = self._key()
        doc = self._cache.get(key)
        if doc is None:
            names = [n for n in DEFAULT_FLAGS if n in pg.table.values]
            try:
                doc = rules_doc(explore(pg.module, names, pg.entry.value or None, pg.world(), config=pg.config()))
            except ExplorerError as e:
                self.doc = None
                self.head_said.say(telling(e))
                self.table.children = []
                return
            self._cache[key] = doc
        if doc is not self.doc:
            self.doc = doc
            self._show_table(doc)
        self.show(pg.flags)

    def set_lang(self, _lang) -> None:
        """Relabel in the playground's interface language (its translator)."""
        self.head_said.again(self.playground._)
        if self.doc is not None:
            self._show_table(self.doc)
            self.show(self.playground.flags)

    def _show_table(self, doc: dict) -> None:
        self.head_said.say(lambda _: _head_html(doc, _), html=True)
        rows = []
        for i, rule in enumerate(doc["rules"]):
            where = f"{rule['function']}:{rule['line']}" if rule["line"] else rule["function"] or "?"
            text = rule["first_match"]
            text = text if len(text) <= MAX_TEXT else text[:MAX_TEXT] + " …"
            b = w.Button(description=f"{rule['outcome']} · {where} · {rule['combinations']}",
                         tooltip=rule["text"], layout=w.Layout(width="300px", flex="0 0 300px"))
            b.add_class("fx-rule")
            b.on_click(lambda _b, i=i: self.pick(i))
            rows.append(w.HBox([b, w.HTML(f"<code>{esc(text)}</code>")]))
        self.table.children = rows

    # -- the rule behind the current outcome ---------------------------------
    def show(self, flags: int) -> None:

        doc = self.doc
        if doc is None:
            self.because.value = ""
            return
        outside = flags & ~sum(doc["values"].values())
        rule = rule_for(doc, flags)
        _ = self.playground._
        if rule is None:
            self.because.value = ""
        elif outside:
            self.because.value = ("<div class='fx-why'>" + esc(_(
                "{n}-flag rules: other ticked flags ({names}) are not in the table").format(
                n=len(self.doc["flags"]), names=self.playground.table.names(outside))) + "</div>")
        else:
            where = (", " + esc(_("{function} line {line}").format(function=rule["function"], line=rule["line"]))
                     if rule["line"] else "")
            earlier = " " + esc(_("(and no rule above it matched)")) if rule["order"] else ""
            self.because.value = (f"<div class='fx-why'><b>{esc(rule['outcome'])}</b> {esc(_('because'))} "
                                  f"<code>{esc(rule['first_match'])}</code>{earlier}{where}</div>")

    def pick(self, i: int) -> None:
        """Tick a combination satisfying rule i (its first conjunction, others clear) and run it."""
        rule = self.doc["rules"][i]
        names = [lit["name"] for lit in rule["when"][0] if lit["set"]] if rule["when"] else []
        self.playground.set_flags(*names)


def _head_html(doc: dict, _) -> str:
    """The line above the rule table, in the language of `_` (the interface's words, explorer.i18n)."""
    done = "" if doc["complete"] else " — " + esc(_("incomplete (path budget reached)"))
    return ("<div><b>" + esc(_("Rules of {label} {entry}").format(label=doc["label"], entry=doc["entry"]))
            + "</b> " + esc(_("over {n} flags ({total} combinations, {paths} paths)").format(
                n=len(doc["flags"]), total=doc["total"], paths=doc["paths"])) + done + ". "
            + esc(_("Read top to bottom: the first rule that matches decides. "
                    "Click a rule to run a combination that satisfies it.")) + "</div>")
