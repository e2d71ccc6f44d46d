"""The source view: a version's fork.c (or one function) highlighted, with real
line numbers, the statement under the pointer outlined, annotation markers,
and trace classes.  Python decides what to show; the ES module
(source_view.js) only toggles classes, so a new trace never re-renders the file."""
from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

import anywidget
import traitlets as t

from ..anchors import STATUS_WORDS
from ..cparse.memo import per_module
from ..i18n import translator
from ..render import LineNote, languages_present, page_css, render_lines, source_table, spans_data, switch_choices
from ..render.langs import SHIPPED

# Lines per chunk of the page's table: a chunk out of sight is not laid out
# (content-visibility: auto), so drawing a version lays out a few hundred rows
# instead of 3,000+, and a kept version's pane costs no layout while hidden.
CHUNK_LINES = 200
ROW_PX = 18.2          # a row of one line (12.5 px text, line-height 1.45): the size a chunk is guessed at

VIEW_CSS = """
.fx-view { font-family: sans-serif; }
.fx-view .fx-bar { display: flex; gap: 12px; align-items: center; margin: 2px 0 4px; }
.fx-view .fx-title { font-weight: bold; }
.fx-view .fx-langlabel { color: #555; font-size: 13px; margin-right: -8px; }
.fx-view .fx-langbtn { margin-right: 2px; border: 1px solid #bbb; background: #f6f6f6; padding: 1px 6px; cursor: pointer; }
.fx-view .fx-langbtn.fx-on { background: #dbe7ff; border-color: #3a6df0; }
.fx-view .fx-body { display: grid; grid-template-columns: minmax(0, 3fr) minmax(220px, 2fr); gap: 10px; }
.fx-view .fx-scroll { max-height: 62vh; overflow: auto; border: 1px solid #ddd; }
/* one pane per version kept, stacked in one cell; the kept ones invisible (laid out still) */
.fx-view .fx-body > .fx-scroll, .fx-view .fx-body > .fx-kept { grid-row: 1; grid-column: 1; }
.fx-view .fx-body > .fx-kept { visibility: hidden; pointer-events: none; overflow: auto; align-self: start;
  border: 1px solid transparent; }
.fx-view .fx-src tr { cursor: pointer; }
/* a chunk out of sight is skipped by layout; until first drawn it counts as CHUNK_LINES rows */
.fx-view .fx-chunk { content-visibility: auto; contain-intrinsic-block-size: auto CHUNK_PXpx; }
.fx-view .fx-panel { max-height: 62vh; overflow: auto; font-size: 13px; }
.fx-view .fx-note-view { border-left: 3px solid #d08a00; background: #fffaf0; padding: 4px 8px; margin-bottom: 6px;
  white-space: pre-wrap; }
.fx-view .fx-where { color: #555; font-size: 12px; margin-bottom: 4px; }
.fx-view .fx-hint { color: #777; font-style: italic; }
.fx-view .fx-author { color: #555; font-size: 12px; text-align: right; }
.fx-view .fx-share-link { margin-left: 8px; color: #1a5fb4; text-decoration: underline; }
""".replace("CHUNK_PX", str(round(CHUNK_LINES * ROW_PX)))


class SourceView(anywidget.AnyWidget):
    _esm = Path(__file__).with_name("source_view.js")
    _css = page_css() + VIEW_CSS

    title = t.Unicode("").tag(sync=True)
    table = t.Unicode("").tag(sync=True)
    # Which version's table this is: the page keeps the tables it has parsed (and the
    # ones sent ahead by prefetch) under this key, so coming back to a version, or
    # jumping into one sent ahead, costs no HTML parse of 3,000+ rows.
    table_key = t.Unicode("").tag(sync=True)
    spans = t.List().tag(sync=True)
    notes = t.List().tag(sync=True)
    executed = t.List(t.Int()).tag(sync=True)
    decided = t.Int(0).tag(sync=True)
    step_line = t.Int(0).tag(sync=True)
    cause = t.Int(0).tag(sync=True)        # the condition that led to the deciding line
    trace_rev = t.Int(0).tag(sync=True)
    selected_line = t.Int(0).tag(sync=True)
    selected_node = t.Unicode("").tag(sync=True)
    # A jump (matrix cell, rule, counterpart, Go to, the first view): the page scrolls
    # the line into the upper part of the pane and marks it; every jump has a new rev.
    jump_line = t.Int(0).tag(sync=True)
    jump_rev = t.Int(0).tag(sync=True)
    follow = t.Bool(True).tag(sync=True)      # a new trace scrolls to where it decided (not while still())
    lang = t.Unicode("both").tag(sync=True)
    link_base = t.Unicode("").tag(sync=True)   # in a hub room: the app's URL for this version; "&line=N" is added
    langs = t.List(default_value=[list(c) for c in switch_choices(list(SHIPPED))]).tag(sync=True)  # [value, label]
    ui = t.Dict().tag(sync=True)           # the interface's words for the page (set_lang)

    def __init__(self, module=None, function: str | None = None, notes: list[LineNote] | None = None,
                 lang: str | None = None, **kw):
        super().__init__(**kw)
        self.ui_lang = lang
        self._ = translator(lang)
        self._langs_present = list(SHIPPED)
        self.ui = self._words()
        self.module = None
        self.function = None
        self._rendered = None
        self._prefetched: set[str] = set()
        self._still = False
        self.on_msg(self._page_msg)
        self._page_ready_callbacks = []
        if module is not None:
            self.show(module, function, notes)

    def show(self, module, function: str | None = None, notes: list[LineNote] | None = None) -> None:
        """Render a version (or one of its functions); clears the trace and selection."""
        rendered = render_lines(module, function)
        self.module, self.function, self._rendered = module, function, rendered
        with self.hold_sync():
            self.executed, self.decided, self.step_line, self.cause = [], 0, 0, 0
            self.selected_line, self.selected_node = 0, ""
            self.jump_line = 0
            self.set_notes(notes or [])
            self.spans = spans_data(rendered)["spans"]
            self.title = self._title()
            self.table = plain_table(module, function)
            self.table_key = table_key(module, function)
            self.trace_rev += 1

    def set_notes(self, notes: list[LineNote]) -> None:
        """The commentary to show; the language switch offers the languages it has."""
        langs = self._langs_present = languages_present(notes)
        with self.hold_sync():
            self.notes = [n.as_dict() for n in notes]
            self.langs = [list(c) for c in switch_choices(langs, self._)]
            if self.lang != "both" and self.lang not in langs:
                self.lang = "both"

    # -- the interface language -----------------------------------------------
    def _words(self) -> dict:
        _ = self._
        return {"click": _("Click a line to read its commentary."), "none": _("No commentary on this line yet."),
                "line": _("line {line}"), "notes": _("Commentary:"), "link": _("link to this line"),
                "link_title": _("members who open this link land on this line"),
                "status": {k: _(v) for k, v in STATUS_WORDS.items()}}    # how a note sits on this version

    def _title(self) -> str:
        if self.module is None or self._rendered is None:
            return ""
        where = f"{self.function}()" if self.function else "kernel/fork.c"
        lines = self._("lines {first}-{last}").format(first=self._rendered.first_line, last=self._rendered.last_line)
        return f"{self.module.label} · {where} · {lines}"

    def set_lang(self, lang: str | None) -> None:
        """Relabel (the source is not rendered again)."""
        self.ui_lang, self._ = lang, translator(lang)
        with self.hold_sync():
            self.ui = self._words()
            self.title = self._title()
            self.langs = [list(c) for c in switch_choices(self._langs_present, self._)]

    def set_trace(self, executed, decided: int | None = None, step_line: int | None = None,
                  cause: int | None = None) -> None:
        """Mark executed lines, the deciding line, its cause and the current step (0 = none)."""
        with self.hold_sync():
            self.executed = sorted(set(int(x) for x in executed))
            self.decided = int(decided or 0)
            self.cause = int(cause or 0)
            self.step_line = int(step_line or 0)
            self.follow = not self._still
            self.trace_rev += 1

    def line_statement(self, line: int) -> str:
        """Id of the statement a click on `line` selects first ("" if none)."""
        if self._rendered is None:
            return ""
        idx = self._rendered.line_node.get(line)
        return self._rendered.spans[idx].node_id if idx is not None else ""

    def select(self, line: int, node: str | None = None) -> None:
        """Select a line as a click would (the statement starting there, or `node`)."""
        node = self.line_statement(line) if node is None else node
        with self.hold_sync():
            self.selected_node = node
            self.selected_line = line

    def jump(self, line: int, node: str | None = None) -> None:
        """Select `line` and scroll the pane to it (near the top, marked), even when
        it is already selected or the pane is not laid out yet."""
        node = self.line_statement(line) if node is None else node
        with self.hold_sync():
            self.selected_node = node
            self.selected_line = line
            self.jump_line = line
            self.jump_rev += 1

    @contextmanager
    def still(self):
        """Traces set inside do not scroll the pane (a version being opened at a line)."""
        self._still = True
        try:
            yield
        finally:
            self._still = False

    def prefetch(self, modules) -> None:
        """Send the tables of these versions ahead; the page parses them while the
        reader reads, so a jump into one of them only swaps the table in."""
        for mod in modules:
            key = table_key(mod, None)
            if key in self._prefetched or key == self.table_key:
                continue
            self._prefetched.add(key)
            self.send({"prefetch": key, "table": plain_table(mod, None)})

    def on_page_ready(self, callback) -> None:
        """Call `callback()` once the page has drawn this view (it says so)."""
        self._page_ready_callbacks.append(callback)

    def _page_msg(self, _widget, content, _buffers) -> None:
        if isinstance(content, dict) and content.get("drawn"):
            for cb in self._page_ready_callbacks:
                cb()


@per_module
def plain_table(module, function: str | None) -> str:
    """The version's table without notes or trace (the page adds those): one string per
    module and function, so switching back and forth builds it once."""
    return source_table(render_lines(module, function), chunk=CHUNK_LINES)


def table_key(module, function: str | None) -> str:
    return f"{module.label}|{function or ''}|{module.line_count}|{len(module.source)}"
