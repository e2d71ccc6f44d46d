"""The flag playground: one checkbox per CLONE_* flag the chosen version has,
World toggles, config toggles for the #ifdefs the code holds.  Every change
re-runs explorer.executor and hands the Trace to the SourceView (executed
lines, the deciding line); step controls replay the trace one step at a
time, as Python Tutor does.  No kernel logic lives here."""
from __future__ import annotations

import re
from dataclasses import fields
from pathlib import Path

import anywidget
import ipywidgets as w
import traitlets as t
from ipywidgets.widgets.widget_bool import CheckboxStyle

from ..cparse.config import DEFAULT_CONFIG, eval_condition
from ..errors import ExplorerError
from ..executor import FlagTable, World, entry_names, run
from ..i18n import N_, tell, translator
from ..render import esc
from ..render.outcome import outcome_html
from ..render.verification import badge_html
from ..verify import cached_result
from .rule_panel import RulePanel
from .said import Said

# Knobs of the World shown as toggles (the rest keep their defaults).
WORLD_TOGGLES = (("capable", N_("caller has the capability (CAP_SYS_ADMIN…)")), ("current_is_init", N_("caller is the init process")),
                 ("signal_pending", N_("signal pending")), ("nproc_over_limit", N_("RLIMIT_NPROC resource limit reached")),
                 ("threads_at_max", N_("nr_threads at max")), ("ptraced", N_("caller is ptraced (has a tracer)")))
# How a failed callee's errno reaches its caller (the executor's call-site conventions), in C.
FAILS_AS = {"int": "-errno", "null": "NULL", "errptr": "ERR_PTR(-errno)", "object": "ERR_PTR(-errno)"}
ERRNOS = ("ENOMEM", "EINVAL", "EPERM", "EAGAIN", "EFAULT", "EBUSY", "EINTR", "ENOSPC", "EEXIST")
# A step's highlight covers at most this many lines (a multi-line condition, not a whole block).
MAX_STEP_LINES = 6
# What a step did, as the step line says it; return, goto and label are C's own words.
STEP_EVENTS = {"enter": N_("enter"), "eval": N_("evaluate"), "branch": N_("branch"), "call": N_("call"),
               "assume": N_("assume"), "assign": N_("assign"), "exec": N_("execute"), "unknown": N_("unknown")}
# Grid columns: auto-fill keeps every name whole at any output width (no sideways scroll).
FLAG_COLUMNS = "repeat(auto-fill, minmax(215px, 1fr))"
CONFIG_COLUMNS = "repeat(auto-fill, minmax(260px, 1fr))"
_CONFIG = re.compile(r"\bCONFIG_\w+")


def single_bit_flags(table) -> list[tuple[str, int]]:
    """The version's CLONE_* flags that are one bit each, in bit order."""
    return sorted(((n, v) for n, v in table.values.items()
                   if n.startswith("CLONE_") and v and not v & (v - 1) and not n.startswith("CLONE_ARGS")),
                  key=lambda kv: kv[1])


def config_names(module, functions) -> list[str]:
    """CONFIG_* names the #if/#ifdef groups inside these functions test."""
    names: list[str] = []
    for fname in functions:
        fn = module.functions.get(fname)
        if fn is None:
            continue
        stack = [fn.node]
        while stack:
            node = stack.pop()
            if node.type in ("preproc_ifdef", "preproc_if", "preproc_elif"):
                head = node.child_by_field_name("name") or node.child_by_field_name("condition")
                if head is not None:
                    for name in _CONFIG.findall(module.node_text(head)):
                        if name not in names:
                            names.append(name)
            stack.extend(node.children)
    return sorted(names)


class StepControl(anywidget.AnyWidget):
    """The replay slider.  Every trace gets a new `run` number; the page asks for a
    step together with the run it was showing, and an ask for an older run is
    dropped.  An IntSlider cannot say which run its value belongs to: after two
    runs in a row (notebook 04 under Run All) a value the page still held for the
    first run reached Python as if the reader had stepped back in the second."""
    _esm = Path(__file__).with_name("step_control.js")
    _css = """
.fx-step-control { display: inline-flex; align-items: center; gap: 8px; width: 420px; }
.fx-step-control .fx-step-range { flex: 1 1 auto; min-width: 120px; }
.fx-step-control .fx-step-readout { font-variant-numeric: tabular-nums; min-width: 7em; }
"""
    run = t.Int(0).tag(sync=True)      # which trace the slider belongs to (Python's count)
    max = t.Int(0).tag(sync=True)
    value = t.Int(0).tag(sync=True)    # written by Python only; the page sends asks
    labels = t.Dict(default_value={"step": "Step", "aria": "trace step"}).tag(sync=True)   # the interface's words

    def __init__(self, **kw):
        super().__init__(**kw)
        self.on_msg(self._ask)

    def start(self, steps: int) -> None:
        """A new trace of `steps` steps: a new run, positioned on its last step."""
        with self.hold_sync():
            self.run += 1
            self.max = max(steps - 1, 0)
            self.value = self.max

    def _ask(self, _widget, content, _buffers) -> None:
        if not isinstance(content, dict) or content.get("run") != self.run:
            return          # meant for a trace that has since been replaced
        try:
            step = int(content.get("step"))
        except (TypeError, ValueError):
            return
        self.value = max(0, min(step, self.max))


class FlagPlayground(w.VBox):
    def __init__(self, view, lang: str | None = None):
        self.view = view
        self.lang = lang
        self._ = translator(lang)
        self._callee_labels: dict[str, tuple[bool, str]] = {}   # name -> (in fork.c, convention), last seen
        self.module = None
        self.table = None
        self.trace = None
        # One Layout and one style shared by all the checkboxes: each would otherwise be two
        # more models for the page to create (about a hundred), slowing the first render.
        self._box_layout = w.Layout(width="auto")
        self._box_style = CheckboxStyle()
        self._config_layout = w.Layout(width="auto")
        self._world_layout = w.Layout(width="max-content", margin="0 18px 0 0")
        self.flag_boxes: dict[str, w.Checkbox] = {}
        self.config_boxes: dict[str, w.Checkbox] = {}
        self.entry = w.Dropdown(layout=w.Layout(width="260px"))
        # As many columns as fit: JupyterLab's output area is about 1,000 px wide at 1440x900
        # and narrower at 1024x768, and the longest name (CLONE_CHILD_CLEARTID) must stay whole.
        self.flags_grid = w.GridBox(layout=w.Layout(grid_template_columns=FLAG_COLUMNS, width="100%"))
        self.world_boxes = {k: w.Checkbox(value=(k == "capable"), indent=False,
                                          layout=self._world_layout, style=self._box_style)
                            for k, t in WORLD_TOGGLES}
        # Every callee the current trace reached, fork.c's own first (Trace.failable()).
        self.fail_callee = w.Dropdown(options=[("—", "")], layout=w.Layout(width="auto", min_width="420px"),
                                      style={"description_width": "initial"})   # the label whole in either language
        self.fail_callee.add_class("fx-fail-callee")
        self.fail_errno = w.Dropdown(options=ERRNOS, layout=w.Layout(width="110px"))
        self.config_grid = w.GridBox(layout=w.Layout(grid_template_columns=CONFIG_COLUMNS, width="100%"))
        self.outcome = w.HTML()
        self.outcome.add_class("fx-outcome")
        self.outcome_said = Said(self.outcome, lang=lang)      # the run's outcome, or the error that stopped it
        self.verified = w.HTML()     # 'checked against Linux X.Y.Z: n/n' where `fork-explorer verify` ran
        # Text glyphs, not icon fonts: Voila would fetch those from a CDN, and the app works offline
        # (and glyphs every common font has: ⏮/⏭ are missing from DejaVu and Noto CJK).
        self.first = w.Button(description="|◀", layout=w.Layout(width="44px"))
        self.back = w.Button(description="◀", layout=w.Layout(width="44px"))
        self.forward = w.Button(description="▶", layout=w.Layout(width="44px"))
        self.last = w.Button(description="▶|", layout=w.Layout(width="44px"))
        self.slider = StepControl()
        self.step_info = w.HTML()
        self.step_info.add_class("fx-step-info")
        for b, fn in ((self.first, lambda: 0), (self.back, lambda: self.slider.value - 1),
                      (self.forward, lambda: self.slider.value + 1), (self.last, lambda: self.slider.max)):
            b.on_click(lambda _b, fn=fn: self._goto(fn()))
        self.slider.observe(lambda c: self._show_step(c["new"]), names="value")
        self._stepping = False   # slider at the end = whole trace; moved = replay
        world_row = w.HBox(list(self.world_boxes.values()), layout=w.Layout(flex_flow="row wrap"))
        fail_row = w.HBox([self.fail_callee, self.fail_errno])
        steps = w.HBox([self.first, self.back, self.slider, self.forward, self.last])
        self.rules = RulePanel(self)
        self.rules_box = w.Accordion([self.rules], selected_index=None)
        self.rules_box.observe(self._rules_opened, names="selected_index")
        self.heading = w.HTML()
        self.world_heading = w.HTML()
        self.config_box = w.Accordion([self.config_grid], selected_index=None)
        super().__init__([self.heading,
                          w.HBox([self.entry]), self.flags_grid,
                          self.world_heading, world_row, fail_row,
                          self.config_box,
                          self.verified, self.outcome, steps, self.step_info, self.rules_box])
        self._label()
        self.add_class("fx-playground")
        for box in self.world_boxes.values():
            box.observe(self._changed, names="value")
        self.fail_callee.observe(self._changed, names="value")
        self.fail_errno.observe(self._changed, names="value")
        self.entry.observe(self._changed, names="value")

    # -- language -----------------------------------------------------------
    def _label(self) -> None:
        """The fixed words in the current language."""
        _ = self._
        self.heading.value = _("<b>Flag playground</b> — tick flags to run the real code")
        self.world_heading.value = "<b>" + esc(_("World")) + "</b>"
        self.entry.description = _("Entry")
        self.fail_callee.description = _("Fail callee")
        for key, text in WORLD_TOGGLES:
            self.world_boxes[key].description = _(text)
        for button, tip in ((self.first, N_("first step")), (self.back, N_("back one step")),
                            (self.forward, N_("forward one step")), (self.last, N_("last step"))):
            button.tooltip = _(tip)
        self.rules_box.titles = (_("Rules of this version"),)
        self.config_box.titles = (_("Config (#ifdef)"),)
        self.slider.labels = {"step": _("Step"), "aria": _("trace step")}

    def set_lang(self, lang: str | None) -> None:
        """Relabel in another interface language; the trace is kept, not re-run."""
        self.lang, self._ = lang, translator(lang)
        self._label()
        self.outcome_said.again(self._)
        if self.module is not None and self.module.label:
            self.verified.value = badge_html(cached_result(self.module.label), lang)
        if hasattr(self.rules, "set_lang"):
            self.rules.set_lang(lang)
        if self.trace is not None:
            self._set_callee_options(self._reached_without_failure(self.trace), force=True)
            if self.trace.steps:
                self.step_info.value = self._step_html(max(0, min(self.slider.value, len(self.trace.steps) - 1)))

    # -- version ------------------------------------------------------------
    def set_module(self, module) -> None:

        self.module = module
        self.table = FlagTable.for_module(module)
        self.verified.value = badge_html(cached_result(module.label), self.lang) if module.label else ""
        self._quiet = True
        try:
            names = entry_names(module)
            self.entry.options = names
            self.entry.value = names[0] if names else None
            boxes = {}
            for name, value in single_bit_flags(self.table):
                # A flag the last version had keeps its checkbox (cleared): a version switch
                # then creates no new widgets in the page for the flags both versions share.
                box = self.flag_boxes.get(name)
                if box is None:
                    box = w.Checkbox(description=name, value=False, indent=False, layout=self._box_layout,
                                     style=self._box_style)
                    box.add_class("fx-flag")
                    box.observe(self._changed, names="value")
                box.value = False
                box.tooltip = f"{name} = {value:#x}"
                boxes[name] = box
            self.flag_boxes = boxes
            self.flags_grid.children = list(boxes.values())
            cboxes = {}
            for name in config_names(module, names):
                box = w.Checkbox(description=name, value=bool(eval_condition(name, DEFAULT_CONFIG)), indent=False,
                                 layout=self._config_layout, style=self._box_style)
                box.observe(self._changed, names="value")
                cboxes[name] = box
            self.config_boxes = cboxes
            self.config_grid.children = list(cboxes.values())
            self._callee_labels = {}
            self.fail_callee.options = [(self._("(none)"), "")]
        finally:
            self._quiet = False
        self.run()

    # -- running ------------------------------------------------------------
    _quiet = False

    def _changed(self, _change) -> None:
        if not self._quiet and self.module is not None:
            self.run()

    @property
    def flags(self) -> int:
        return sum(self.table.values[n] for n, b in self.flag_boxes.items() if b.value) if self.table else 0

    def set_flags(self, *names: str) -> None:
        """Tick exactly these flags (one run)."""
        self._quiet = True
        try:
            for n, b in self.flag_boxes.items():
                b.value = n in names
        finally:
            self._quiet = False
        self.run()

    def world(self):

        known = {f.name for f in fields(World)}
        world = World(**{k: b.value for k, b in self.world_boxes.items() if k in known})
        if self.fail_callee.value:
            world.fail(self.fail_callee.value, self.fail_errno.value)
        return world

    def config(self) -> dict:
        config = dict(DEFAULT_CONFIG)
        config.update({n: b.value for n, b in self.config_boxes.items()})
        return config

    def run(self):
        """Run the executor on the current settings and show the trace."""

        try:
            trace = run(self.module, flags=self.flags, entry=self.entry.value or None, world=self.world(),
                        config=self.config())
        except ExplorerError as e:
            self.trace = None
            self.slider.start(0)
            self.step_info.value = ""
            table = self.table
            self.outcome_said.say(lambda _, e=e: outcome_html(e, table, _), html=True)
            self.view.set_trace([], None)
            return None
        self.trace = trace
        self._set_callee_options(self._reached_without_failure(trace))
        self.outcome_said.say(lambda _: self._outcome_html(trace, _), html=True)
        self.rules.refresh()
        n = len(trace.steps)
        self._stepping = False
        try:
            self.slider.start(n)
        finally:
            self._stepping = True
        self._show_step(self.slider.value)
        return trace

    def _rules_opened(self, change) -> None:
        self.rules.opened = change["new"] is not None
        self.rules.refresh()

    @staticmethod
    def executed_lines(trace, upto: int | None = None) -> list[int]:
        steps = trace.steps if upto is None else trace.steps[:upto + 1]
        lines = set()
        for s in steps:
            end = s.end_line if s.end_line - s.line < MAX_STEP_LINES else s.line
            lines.update(range(s.line, end + 1))
        return sorted(lines)

    def _outcome_html(self, trace, _) -> str:
        return outcome_html(trace, self.table, _, module=self.module, counts=True)

    def _reached_without_failure(self, trace):
        """The trace whose callees the list offers: this one, or with a callee failed
        (the run then stops early), the same settings' run without the failure, so the
        reader can move from one failure to another.  Kept until the settings change."""
        if not self.fail_callee.value:
            return trace

        world = self.world()
        world.failures.clear()
        key = (self.flags, self.entry.value, repr(world), tuple(sorted(self.config().items())))
        if self._unfailed is None or self._unfailed[0] != key:
            try:
                self._unfailed = (key, run(self.module, flags=self.flags, entry=self.entry.value or None,
                                           world=world, config=self.config()))
            except ExplorerError:
                return trace
        return self._unfailed[1]

    _unfailed = None     # (settings, trace) of the run without the injected failure

    def callee_label(self, name: str) -> str:
        """How the list names a callee: fork.c's own say so, each says how it fails."""
        in_file, convention = self._callee_labels.get(name, (False, "int"))
        how = FAILS_AS.get(convention, "-errno")
        text = (self._("{name} — fork.c, fails as {how}") if in_file
                else self._("{name} — fails as {how}"))
        return text.format(name=name, how=how)

    def _set_callee_options(self, trace, force: bool = False) -> None:
        """Every callee the trace reached (Trace.failable(): the file's own first, each
        with its call-site convention); the one failed now stays listed even when the
        failure cut the run short before other callees."""
        reached = trace.failable()
        for c in reached:
            self._callee_labels[c.name] = (c.in_file, c.convention)
        names = [c.name for c in reached]
        keep = self.fail_callee.value
        if keep and keep not in names:
            names.insert(0, keep)
        options = [(self._("(none)"), "")] + [(self.callee_label(n), n) for n in names]
        if force or list(self.fail_callee.options) != options:
            self._quiet = True
            try:
                self.fail_callee.options = options
                self.fail_callee.value = keep
            finally:
                self._quiet = False

    def fail(self, callee: str, errno: str = "ENOMEM") -> None:
        """Make one reached callee fail (the CLI's --fail CALLEE=ERRNO), one run."""
        values = [v for _, v in self.fail_callee.options]
        if callee and callee not in values:
            raise ExplorerError("{callee} is not reached by the current trace", callee=callee)
        self._quiet = True
        try:
            self.fail_errno.value = errno
            self.fail_callee.value = callee
        finally:
            self._quiet = False
        self.run()

    # -- stepping -----------------------------------------------------------
    def _goto(self, i: int) -> None:
        self.slider.value = max(0, min(i, self.slider.max))

    def _step_html(self, i: int) -> str:
        s = self.trace.steps[i]
        head = self._("step {i}/{n}: {function} line {line}").format(
            i=i + 1, n=len(self.trace.steps), function=f"<code>{esc(s.function)}</code>", line=s.line)
        event = self._(STEP_EVENTS[s.event]) if s.event in STEP_EVENTS else s.event
        return f"{head} <b>{esc(event)}</b> {esc(tell(s.said, self._) if s.said else s.detail)}"

    def _show_step(self, i: int) -> None:
        """Show step i of the current trace; the last step is the whole trace (every line it
        ran, the deciding line and its cause), exactly what a new run shows."""
        if not self._stepping or self.trace is None:
            return
        if not self.trace.steps:
            self.step_info.value = ""
            self.view.set_trace([], self.trace.outcome.line)
            return
        i = max(0, min(i, len(self.trace.steps) - 1))
        self.step_info.value = self._step_html(i)
        if i == len(self.trace.steps) - 1:
            cause = self.trace.cause()
            self.view.set_trace(self.executed_lines(self.trace), self.trace.outcome.line,
                                cause=cause.line if cause else None)
        else:
            self.view.set_trace(self.executed_lines(self.trace, i), None, step_line=self.trace.steps[i].line)
