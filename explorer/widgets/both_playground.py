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
from ..render import esc
from .playground import WORLD_TOGGLES, FlagPlayground, single_bit_flags
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

    def __init__(self, view_a: SourceView, view_b: SourceView):
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
        self.world_boxes = {k: w.Checkbox(description=text, value=(k == "capable"), indent=False,
                                          layout=w.Layout(width="max-content", margin="0 18px 0 0"),
                                          style=self._box_style)
                            for k, text in WORLD_TOGGLES}
        self.outcome = w.HTML()
        self.outcome.add_class("fx-tn-outcome")
        self.sweep_button = w.Button(description="Sweep every combination of the ticked flags",
                                     layout=w.Layout(width="auto"))
        self.sweep_button.add_class("fx-tn-sweep-btn")
        self.sweep_out = w.HTML()
        self.sweep_out.add_class("fx-tn-sweep")
        self.sweep_button.on_click(lambda _b: self.sweep())
        self.legend = w.HTML()
        self.legend.add_class("fx-tn-legend")
        self.part_button = w.Button(description="Show where their paths part", layout=w.Layout(width="auto",
                                                                                              display="none"))
        self.part_button.add_class("fx-tn-part-btn")
        self.on_parting = None      # set by the tab: shows a guard row in both panes
        super().__init__([w.HTML("<b>Both at once</b> — tick flags: the same bits run through both versions"),
                          self.flags_grid, self.legend,
                          w.HBox(list(self.world_boxes.values()), layout=w.Layout(flex_flow="row wrap")), self.outcome,
                          w.HBox([self.part_button, self.sweep_button]), self.sweep_out])
        self.part_button.on_click(lambda _b: self.on_parting and self.comparison and self.comparison.parting
                                  and self.on_parting(self.comparison.parting))
        self.add_class("fx-tn-playground")
        for box in self.world_boxes.values():
            box.observe(self._changed, names="value")

    _quiet = False

    def set_modules(self, ma, mb) -> None:
        self.modules = (ma, mb)
        self.tables = (FlagTable.for_module(ma), FlagTable.for_module(mb))
        self.bits = flag_bits(*self.tables)
        boxes = {}
        for bit in self.bits:
            tip = [f"{bit.value:#x}"]
            for label, name in ((ma.label, bit.name_a), (mb.label, bit.name_b)):
                tip.append(f"{label}: {name}" if name else f"{label}: not defined (passed as the bare bit)")
            box = w.Checkbox(description=bit.label() + ("" if bit.name_a and bit.name_b else " *"),
                             value=False, indent=False, layout=self._box_layout, style=self._box_style,
                             tooltip=" · ".join(tip))
            box.add_class("fx-tn-flag")
            box.observe(self._changed, names="value")
            boxes[bit.value] = box
        self.flag_boxes = boxes
        self.flags_grid.children = list(boxes.values())
        one_sided = [b for b in self.bits if not (b.name_a and b.name_b)]
        self.legend.value = (f"<span>* defined in only one of the two versions: the other receives the bare bit, "
                             f"which means nothing there ({len(one_sided)} such).</span>" if one_sided else "")
        self.sweep_out.value = ""
        self.run()

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

    def _side_html(self, mod, table, trace) -> str:
        flags = table.names(self.flags) if self.flags else "0"
        head = f"<div><b>{esc(mod.label)}</b></div>"
        if isinstance(trace, ExplorerError):
            return head + f'<div class="fx-out fx-out-err">{esc(trace)}</div>'
        o = trace.outcome
        if o.result == "ok":
            word = f'<span class="fx-out fx-out-ok">success: pid {esc(o.value)}</span>'
        elif o.result == "error":
            word = f'<span class="fx-out fx-out-err">-{esc(o.errno)}</span>'
        else:
            word = f'<span class="fx-out">unknown: {esc(o.reason)}</span>'
        where = f" — decided in <code>{esc(o.function)}</code> line {o.line}" if o.line else ""
        return head + f"<div>{esc(trace.entry)}({esc(flags)}) → {word}{where}</div>"

    def _outcome_html(self) -> str:
        (ma, mb), (ta, tb), (xa, xb) = self.modules, self.tables, self.traces
        wa, wb = self.words()
        if wa != wb:
            mark = f'<div class="fx-tn-mark fx-tn-differ" title="the outcomes differ">≠ {esc(wa)} vs {esc(wb)}</div>'
        else:
            mark = '<div class="fx-tn-mark fx-tn-agree" title="the same outcome">= same</div>'
        cmp = self.comparison
        notes = "".join(f'<div class="fx-tn-bitnote">{esc(n)}</div>' for n in (cmp.notes if cmp else []))
        part = ""
        if cmp is not None and cmp.parting:
            p = cmp.parting

            def at(side, label):
                g = p[side]
                if g is None:
                    return f"{esc(label)} has no such check"
                taken = p["taken_" + side]
                how = "refuses" if taken else "passes" if taken is False else "never reaches it"
                return f"{esc(label)} <code>{esc(p['function_' + side])}</code> line {g['line']} {how}"
            part = (f'<div class="fx-tn-parting">Their paths part at a check: {at("a", ma.label)}; '
                    f'{at("b", mb.label)}.</div>')
        return (f'<div class="fx-tn-sides" data-differ="{int(wa != wb)}">'
                f'<div class="fx-tn-side fx-tn-out-a">{self._side_html(ma, ta, xa)}</div>{mark}'
                f'<div class="fx-tn-side fx-tn-out-b">{self._side_html(mb, tb, xb)}</div></div>{part}{notes}')

    def sweep(self) -> dict | None:
        """Every combination of the ticked flags through both versions (explorer's
        compare sweep); rows whose outcomes differ are marked."""
        ticked = self.ticked()
        if not ticked:
            self.sweep_out.value = "<i>Tick at least one flag to sweep.</i>"
            return None
        ma, mb = self.modules
        names = [b.name_a or b.name_b for b in ticked]
        try:
            data = sweep_compare(ma, mb, names, world=self.world())
        except ExplorerError as e:
            self.sweep_out.value = f"<b>{esc(e)}</b>"
            return None
        ta = self.tables[0]
        rows = []
        for r in data["results"]:
            a, b = r["a"], r["b"]
            diff = a["outcome"] != b["outcome"]
            rows.append(f'<tr class="{"fx-tn-differ" if diff else ""}"><td>{esc(ta.names(r["flags"]))}</td>'
                        f'<td>{esc(a["outcome"])}</td><td>{esc(a.get("function") or "")} {esc(a.get("line") or "")}</td>'
                        f'<td>{"≠" if diff else "="}</td>'
                        f'<td>{esc(b["outcome"])}</td><td>{esc(b.get("function") or "")} {esc(b.get("line") or "")}</td></tr>')
        self.sweep_out.value = (
            f"<div>{data['differ']} of {len(data['results'])} combinations differ</div>"
            f"<table><tr><th>flags</th><th colspan=2>{esc(ma.label)}</th><th></th>"
            f"<th colspan=2>{esc(mb.label)}</th></tr>{''.join(rows)}</table>")
        return data
