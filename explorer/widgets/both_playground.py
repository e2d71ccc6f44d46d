"""Both versions at once: tick flags once and the same bits run through the
two versions of the Then and now tab, each pane showing its own trace, the
outcomes side by side with a mark where they differ, and a sweep of every
combination of the ticked flags (`explorer.executor.compare`).  Split out of
then_and_now.py, which lays the tab out."""
from __future__ import annotations

from dataclasses import dataclass, fields

import ipywidgets as w
from ipywidgets.widgets.widget_bool import CheckboxStyle

from ..errors import ExplorerError
from ..executor import FlagTable, World, outcome_word
from ..executor.compare import sweep_compare, trace_compare
from ..i18n import N_, tell, translator
from ..render import esc
from ..render.outcome import outcome_html
from .playground import WORLD_TOGGLES, FlagPlayground, single_bit_flags
from .said import Said, telling
from .source_view import SourceView


@dataclass
class Bit:
    """One flag bit and what each version calls it (None: it means nothing there)."""
    value: int
    name_a: str | None
    name_b: str | None

    def label(self) -> str:
        if self.name_a == self.name_b or not self.name_b:
            return self.name_a or self.name_b or hex(self.value)
        if not self.name_a:
            return self.name_b
        return f"{self.name_a} / {self.name_b}"


def flag_bits(table_a, table_b) -> list[Bit]:
    """Every single-bit flag either version names, by value (bits are passed by value)."""
    a = {v: n for n, v in single_bit_flags(table_a)}
    b = {v: n for n, v in single_bit_flags(table_b)}
    return [Bit(v, a.get(v), b.get(v)) for v in sorted(set(a) | set(b))]


class BothPlayground(w.VBox):
    """Tick flags once; both versions run them, each pane shows its trace,
    and the outcomes are set side by side with a mark where they differ."""

    def __init__(self, view_a: SourceView, view_b: SourceView, lang: str | None = None):
        self.lang, self._ = lang, translator(lang)
        self.views = (view_a, view_b)
        self.modules = (None, None)
        self.tables = (None, None)
        self.traces = (None, None)
        self.bits: list[Bit] = []
        self.flag_boxes: dict[int, w.Checkbox] = {}
        self._box_layout = w.Layout(width="auto")
        self._box_style = CheckboxStyle()
        self.flags_grid = w.GridBox(layout=w.Layout(grid_template_columns="repeat(auto-fill, minmax(230px, 1fr))",
                                                    width="100%"))
        self.world_boxes = {k: w.Checkbox(value=(k == "capable"), indent=False,
                                          layout=w.Layout(width="max-content", margin="0 18px 0 0"),
                                          style=self._box_style)
                            for k, text in WORLD_TOGGLES}
        self.outcome = w.HTML()
        self.outcome.add_class("fx-tn-outcome")
        self.sweep_button = w.Button(layout=w.Layout(width="auto"))
        self.sweep_button.add_class("fx-tn-sweep-btn")
        self.sweep_out = w.HTML()
        self.sweep_out.add_class("fx-tn-sweep")
        self.swept = Said(self.sweep_out, "<b>{}</b>", lang=lang)     # the sweep's table, or why there is none
        self.sweep_button.on_click(lambda _b: self.sweep())
        self.legend = w.HTML()
        self.legend.add_class("fx-tn-legend")
        self.part_button = w.Button(layout=w.Layout(width="auto", display="none"))
        self.part_button.add_class("fx-tn-part-btn")
        self.on_parting = None      # set by the tab: shows a guard row in both panes
        self.heading = w.HTML()
        super().__init__([self.heading, self.flags_grid, self.legend,
                          w.HBox(list(self.world_boxes.values()), layout=w.Layout(flex_flow="row wrap")), self.outcome,
                          w.HBox([self.part_button, self.sweep_button]), self.sweep_out])
        self.part_button.on_click(lambda _b: self.on_parting and self.comparison and self.comparison.parting
                                  and self.on_parting(self.comparison.parting))
        self.add_class("fx-tn-playground")
        for box in self.world_boxes.values():
            box.observe(self._changed, names="value")
        self._label()

    # -- language -----------------------------------------------------------
    def _label(self) -> None:
        """The fixed words in the current language."""
        _ = self._
        self.heading.value = _("<b>Both at once</b> — tick flags: the same bits run through both versions")
        for key, text in WORLD_TOGGLES:
            self.world_boxes[key].description = _(text)
        self.sweep_button.description = _("Sweep every combination of the ticked flags")
        self.part_button.description = _("Show where their paths part")

    def set_lang(self, lang: str | None) -> None:
        """Relabel in another interface language: the runs and the sweep are kept, not redone."""
        self.lang, self._ = lang, translator(lang)
        self._label()
        self.swept.again(self._)
        if self.modules[0] is not None:
            self._tip_boxes()
            self.outcome.value = self._outcome_html()

    _quiet = False

    def set_modules(self, ma, mb) -> None:
        self.modules = (ma, mb)
        self.tables = (FlagTable.for_module(ma), FlagTable.for_module(mb))
        self.bits = flag_bits(*self.tables)
        boxes = {}
        for bit in self.bits:
            box = w.Checkbox(description=bit.label() + ("" if bit.name_a and bit.name_b else " *"),
                             value=False, indent=False, layout=self._box_layout, style=self._box_style)
            box.add_class("fx-tn-flag")
            box.observe(self._changed, names="value")
            boxes[bit.value] = box
        self.flag_boxes = boxes
        self.flags_grid.children = list(boxes.values())
        self._tip_boxes()
        self.swept.clear()
        self.run()

    def _tip_boxes(self) -> None:
        """Each box's tooltip (the bit, its name in each version) and the legend of the one-sided ones."""
        _ = self._
        (ma, mb) = self.modules
        for bit in self.bits:
            tip = [f"{bit.value:#x}"]
            for label, name in ((ma.label, bit.name_a), (mb.label, bit.name_b)):
                tip.append(f"{label}: {name}" if name else _("{label}: not defined (passed as the bare bit)").format(label=label))
            self.flag_boxes[bit.value].tooltip = " · ".join(tip)
        one_sided = [b for b in self.bits if not (b.name_a and b.name_b)]
        self.legend.value = ("<span>" + esc(_("* defined in only one of the two versions: the other receives the "
                                              "bare bit, which means nothing there ({n} such).").format(n=len(one_sided)))
                             + "</span>" if one_sided else "")

    def _changed(self, _change) -> None:
        if not self._quiet and self.modules[0] is not None:
            self.run()

    @property
    def flags(self) -> int:
        return sum(v for v, b in self.flag_boxes.items() if b.value)

    def ticked(self) -> list[Bit]:
        return [bit for bit in self.bits if self.flag_boxes[bit.value].value]

    def set_flags(self, *names: str) -> None:
        """Tick exactly the bits these names (in either version) stand for; one run."""
        self._quiet = True
        try:
            for bit in self.bits:
                self.flag_boxes[bit.value].value = bit.name_a in names or bit.name_b in names
        finally:
            self._quiet = False
        self.run()

    def world(self):
        known = {f.name for f in fields(World)}
        return World(**{k: b.value for k, b in self.world_boxes.items() if k in known})

    def run(self):
        """Run both versions on the ticked bits (explorer's trace_compare); show
        both traces, both outcomes, the notes on bits, and where the paths part."""
        try:
            self.comparison = trace_compare(*self.modules, self.flags, world=self.world())
        except ExplorerError as e:
            self.comparison = None
            self.traces = (e, e)
        else:
            self.traces = (self.comparison.trace_a, self.comparison.trace_b)
        self.show_trace(0)
        self.show_trace(1)
        self.outcome.value = self._outcome_html()
        parting = self.comparison.parting if self.comparison is not None else None
        self.part_button.layout.display = "" if parting else "none"
        return self.traces

    comparison = None

    def show_trace(self, side: int) -> None:
        """Mark one pane with its version's trace (after a run, or when the pane changed function)."""
        trace, view = self.traces[side], self.views[side]
        if trace is None:
            return
        if isinstance(trace, ExplorerError):
            view.set_trace([], None)
            return
        cause = trace.cause()
        view.set_trace(FlagPlayground.executed_lines(trace), trace.outcome.line, cause=cause.line if cause else None)

    def words(self) -> tuple[str, str]:
        return tuple("error" if isinstance(tr, ExplorerError) else outcome_word(tr) for tr in self.traces)

    def differ(self) -> bool:
        return self.words()[0] != self.words()[1]

    def _notes_html(self) -> str:
        """What the flag word means in each version: a bit the two call by different
        names (spelled here from the comparison's bits), then the executor's other notes."""
        cmp, _ = self.comparison, self._
        if cmp is None:
            return ""
        (la, lb), said = (cmp.a, cmp.b), []
        for bit in cmp.flags.bits:
            if bit["a"] and bit["b"] and bit["a"] != bit["b"]:
                said.append(_("{value} is {name_a} in {label_a} and {name_b} in {label_b}").format(
                    value=f"{bit['value']:#x}", name_a=bit["a"], label_a=la, name_b=bit["b"], label_b=lb))
        said += [tell(m, _) for m in cmp.messages if m not in cmp.flags.messages]
        return "".join(f'<div class="fx-tn-bitnote">{esc(n)}</div>' for n in said)

    def _parting_html(self) -> str:
        """Where the two runs stop agreeing: the first check one refuses and the other does not."""
        cmp, _ = self.comparison, self._
        if cmp is None or not cmp.parting:
            return ""
        p = cmp.parting
        says = {True: N_("{label} {function} line {line} refuses"), False: N_("{label} {function} line {line} passes"),
                None: N_("{label} {function} line {line} never reaches it")}

        def at(side, label):
            g = p[side]
            if g is None:
                return esc(_("{label} has no such check").format(label=label))
            taken = p["taken_" + side]
            return esc(_(says[bool(taken) if taken is not None else None])).format(
                label=esc(label), function=f"<code>{esc(p['function_' + side])}</code>", line=g["line"])
        return ('<div class="fx-tn-parting">' + esc(_("Their paths part at a check: {a}; {b}.")).format(
            a=at("a", self.modules[0].label), b=at("b", self.modules[1].label)) + "</div>")

    def _word(self, word: str) -> str:
        """An outcome word of the executor ("ok", "unknown" or an errno name) as the reader reads it:
        the words translated, an errno name kept as the kernel spells it."""
        return self._(word) if word in ("ok", "unknown") else word

    def _outcome_html(self) -> str:
        (ma, mb), (ta, tb), (xa, xb), _ = self.modules, self.tables, self.traces, self._
        wa, wb = self.words()
        if wa != wb:
            said = [self._word(x) for x in (wa, wb)]
            mark = (f'<div class="fx-tn-mark fx-tn-differ" title="{esc(_("the outcomes differ"))}">'
                    f'≠ {esc(_("{a} vs {b}").format(a=said[0], b=said[1]))}</div>')
        else:
            mark = f'<div class="fx-tn-mark fx-tn-agree" title="{esc(_("the same outcome"))}">= {esc(_("same"))}</div>'
        side_a = outcome_html(xa, ta, _, label=ma.label)
        side_b = outcome_html(xb, tb, _, label=mb.label)
        return (f'<div class="fx-tn-sides" data-differ="{int(wa != wb)}">'
                f'<div class="fx-tn-side fx-tn-out-a">{side_a}</div>{mark}'
                f'<div class="fx-tn-side fx-tn-out-b">{side_b}</div></div>{self._parting_html()}{self._notes_html()}')

    def sweep(self) -> dict | None:
        """Every combination of the ticked flags through both versions (explorer's
        compare sweep); rows whose outcomes differ are marked."""
        ticked = self.ticked()
        if not ticked:
            self.swept.say(lambda _: _("Tick at least one flag to sweep."), "<i>{}</i>")
            return None
        ma, mb = self.modules
        names = [b.name_a or b.name_b for b in ticked]
        try:
            data = sweep_compare(ma, mb, names, world=self.world())
        except ExplorerError as e:
            self.swept.say(telling(e))
            return None
        self.swept.say(lambda _: self._sweep_html(data, _), html=True)
        return data

    def _sweep_html(self, data: dict, _) -> str:
        (ma, mb), ta = self.modules, self.tables[0]
        rows = []
        for r in data["results"]:
            a, b = r["a"], r["b"]
            diff = a["outcome"] != b["outcome"]
            rows.append(f'<tr class="{"fx-tn-differ" if diff else ""}"><td>{esc(ta.names(r["flags"]))}</td>'
                        f'<td>{esc(self._word(a["outcome"]))}</td><td>{esc(a.get("function") or "")} {esc(a.get("line") or "")}</td>'
                        f'<td>{"≠" if diff else "="}</td>'
                        f'<td>{esc(self._word(b["outcome"]))}</td><td>{esc(b.get("function") or "")} {esc(b.get("line") or "")}</td></tr>')
        said = _("{differ} of {total} combinations differ").format(differ=data["differ"], total=len(data["results"]))
        return (f"<div>{esc(said)}</div>"
                f"<table><tr><th>{esc(_('flags'))}</th><th colspan=2>{esc(ma.label)}</th><th></th>"
                f"<th colspan=2>{esc(mb.label)}</th></tr>{''.join(rows)}</table>")
