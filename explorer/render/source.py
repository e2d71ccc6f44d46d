"""Highlighted source as HTML: pygments tokens, real line numbers, per-line
anchors, node spans, commentary markers and trace classes.

Rendering never parses C itself: tokens come from pygments, node spans from
the Module's tree-sitter tree, commentary and traces from the stages that
produce them.  Every piece of text that reaches the HTML goes through
`html.escape` (kernel source, annotation text, file names alike).
"""
from __future__ import annotations

import html
from dataclasses import dataclass, field
from functools import lru_cache

from pygments.formatters import HtmlFormatter
from pygments.token import STANDARD_TYPES, Token

from ..computed import remember
from ..cparse.kinds import OUTLINE_KINDS
from ..cparse.memo import per_module
from ..errors import LookupFailure
from .highlight import token_lines
from .langs import SHIPPED, css_class, missing_text

# Statement-level nodes a reader can point at: what the hover outline and a
# click select.  Expressions are too fine to click on a line basis.
STATEMENT_TYPES = OUTLINE_KINDS


def esc(text) -> str:
    """Escape for element content and double-quoted attributes."""
    return html.escape("" if text is None else str(text), quote=True)


@dataclass
class LineNote:
    """Commentary placed on the reader's lines (what the renderer needs of an annotation)."""
    line: int                 # 1-based first line it belongs to
    ja: str = ""
    en: str = ""
    end_line: int | None = None
    status: str = "exact"     # exact | moved | fuzzy | absent | orphaned
    key: str = ""             # the annotation's id in its store
    node_id: str = ""
    other: dict[str, str] = field(default_factory=dict)   # languages beyond ja/en (zh, ko...): text
    author: str = ""          # the member who wrote it, in a shared room ("" when unknown)

    def text(self, lang: str) -> str:
        return {"ja": self.ja, "en": self.en}.get(lang) if lang in SHIPPED else self.other.get(lang, "")

    def as_dict(self) -> dict:
        return {"line": self.line, "end_line": self.end_line or self.line, "ja": self.ja, "en": self.en,
                "other": dict(self.other), "status": self.status, "key": self.key, "node_id": self.node_id, "author": self.author}


@dataclass
class NodeSpan:
    """A statement node's extent in the reader's lines (1-based, inclusive)."""
    node_id: str
    kind: str
    start_line: int
    end_line: int


@dataclass
class Rendered:
    """Per-line highlighted HTML plus the node spans of the rendered range."""
    label: str
    first_line: int
    last_line: int
    lines: list[str]                               # HTML of each line's code, escaped
    spans: list[NodeSpan] = field(default_factory=list)
    line_node: dict[int, int] = field(default_factory=dict)   # line -> index into spans


def _token_class(ttype) -> str:
    while ttype is not None:
        cls = STANDARD_TYPES.get(ttype)
        if cls is not None:
            return cls
        ttype = ttype.parent
    return ""


@lru_cache(maxsize=16)
def _highlighted(source: bytes) -> tuple[str, ...]:
    """HTML of every line of a file, from the one pygments pass (highlight.py),
    computed once for every kernel of a room (explorer.computed keeps it on disk)."""
    return remember("highlighted", source, lambda: _highlight(source),
                    modules=(__name__, "explorer.render.highlight"), libraries=("pygments",))


def _inked_classes(style: str = "default") -> frozenset[str]:
    """The token classes whose colour or weight a reader can see: only these get a
    span.  Names, punctuation and whitespace are drawn as plain text; leaving out
    their spans (about 14,000 in a 3,500-line fork.c) makes the page's table about a
    fifth smaller and a third fewer elements to parse and lay out, for the same look."""
    return frozenset(cls for cls, (css, ttype, _level) in HtmlFormatter(style=style).class2style.items()
                     if css and ttype not in Token.Text.Whitespace)


def _highlight(source: bytes) -> tuple[str, ...]:
    inked = _inked_classes()
    return tuple("".join(f'<span class="{cls}">{esc(text)}</span>' if (cls := _token_class(ttype)) in inked
                         else esc(text) for _, _, ttype, text in line) for line in token_lines(source))


def statement_spans(module, start_byte: int = 0, end_byte: int | None = None) -> list[NodeSpan]:
    """Statement nodes inside [start_byte, end_byte), outermost first."""
    end_byte = len(module.source) if end_byte is None else end_byte
    spans: list[NodeSpan] = []
    stack = [module.tree.root_node]
    while stack:
        node = stack.pop()
        if node.end_byte <= start_byte or node.start_byte >= end_byte:
            continue
        if node.type in STATEMENT_TYPES and module.function_at(node) is not None:
            spans.append(NodeSpan(module.node_id(node), node.type,
                                  node.start_point[0] + 1, node.end_point[0] + 1))
        stack.extend(reversed(node.named_children))
    return spans


def _line_nodes(spans: list[NodeSpan]) -> dict[int, int]:
    """For each line, the innermost statement starting there (else the innermost
    one covering it): what a pointer on that line means."""
    starting: dict[int, int] = {}
    covering: dict[int, tuple[int, int]] = {}
    for i, sp in enumerate(spans):
        width = sp.end_line - sp.start_line
        prev = starting.get(sp.start_line)
        if prev is None or (spans[prev].end_line - spans[prev].start_line) >= width:
            starting[sp.start_line] = i
        for ln in range(sp.start_line, sp.end_line + 1):
            cur = covering.get(ln)
            if cur is None or cur[0] >= width:
                covering[ln] = (width, i)
    out = {ln: i for ln, (_, i) in covering.items()}
    out.update(starting)
    return out


def render_lines(module, function: str | None = None) -> Rendered:
    """Highlight a whole file, or one function of it (real line numbers kept).
    Kept for the life of the module: a version switch or a jump back into a version
    redraws it without walking its tree again (read-only: callers never mutate it)."""
    return _render_lines(module, function)


@per_module
def _render_lines(module, function: str | None) -> Rendered:
    all_lines = _highlighted(module.source)
    if function:
        fn = module.function(function)
        first, last = fn.start_line, fn.end_line
        spans = statement_spans(module, fn.start_byte, fn.end_byte)
    else:
        first, last = 1, module.line_count
        spans = statement_spans(module)
    if last > len(all_lines):
        raise LookupFailure("line {last} is beyond the end of {label}", last=last, label=module.label)
    return Rendered(label=module.label or "", first_line=first, last_line=last,
                    lines=list(all_lines[first - 1:last]), spans=spans, line_node=_line_nodes(spans))


def pygments_css(scope: str = ".fx-src .code", style: str = "default") -> str:
    return HtmlFormatter(style=style).get_style_defs(scope)


def marker_html(note: LineNote) -> str:
    return (f'<span class="fx-mark fx-{esc(note.status)}" title="{esc(note.status)}" '
            f'data-key="{esc(note.key)}">&#9679;</span>')


def note_html(note: LineNote, langs=()) -> str:
    """One note's commentary: ja, en and any other language it has, each tagged
    with lang (and class fx-tx) for the language switch and the fonts.  `langs`:
    every language the page offers."""
    parts = [f'<div class="fx-note fx-{esc(note.status)}" data-key="{esc(note.key)}" '
             f'data-line="{note.line}">']
    if note.status not in ("exact", ""):
        parts.append(f'<span class="fx-status">{esc(note.status)}</span>')
    # ja, en, the note's own other languages, and the page's other languages
    # (so choosing 中文 shows "(未翻译)" on a note without it, not an empty box)
    for lang in dict.fromkeys(SHIPPED + tuple(note.other) + tuple(langs)):
        text = note.text(lang)
        cls = f"fx-tx {css_class(lang)}"
        if text:
            parts.append(f'<div class="{cls}" lang="{esc(lang)}">{esc(text)}</div>')
        else:
            extra = "" if lang in SHIPPED else " fx-extra"     # shown only when its language is chosen
            parts.append(f'<div class="{cls} fx-missing{extra}" lang="{esc(lang)}">{missing_text(lang)}</div>')
    parts.append("</div>")
    return "".join(parts)


def source_table(rendered: Rendered, notes: list[LineNote] | None = None, *, executed=(), decided: int | None = None,
                 note_column: bool = False, langs=(), chunk: int = 0) -> str:
    """The rendered lines as an HTML table: one row per reader's line, id="L<n>",
    a gutter with annotation markers, the executed/deciding classes of a trace,
    and (note_column) the commentary beside the lines it belongs to.

    chunk > 0 (not with note_column, whose cells span rows): one table per
    `chunk` lines, each in a <div class="fx-chunk">, all in one <div
    class="fx-chunks">.  The page lays out only the chunks in sight
    (content-visibility), not 3,000+ rows at once."""
    by_line: dict[int, list[LineNote]] = {}
    for n in notes or ():
        by_line.setdefault(n.line, []).append(n)
    executed = set(executed)
    spans: dict[int, int] = {}
    if note_column:
        starts = sorted({ln for ln in by_line if rendered.first_line <= ln <= rendered.last_line}
                        | {rendered.first_line})
        ends = starts[1:] + [rendered.last_line + 1]
        spans = {a: b - a for a, b in zip(starts, ends)}
    head = f'<table class="fx-src" data-label="{esc(rendered.label)}">'
    chunk = chunk if chunk > 0 and not note_column else 0
    rows = ['<div class="fx-chunks"><div class="fx-chunk">' + head] if chunk else [head]
    for offset, code in enumerate(rendered.lines):
        if chunk and offset and offset % chunk == 0:
            rows.append('</table></div><div class="fx-chunk">' + head)
        ln = rendered.first_line + offset
        classes = []
        if ln in executed:
            classes.append("fx-x")
        if ln == decided:
            classes.append("fx-decide")
        here = by_line.get(ln, [])
        if here:
            classes.append("fx-noted")
        cls = f' class="{" ".join(classes)}"' if classes else ""
        node = rendered.line_node.get(ln)
        node_attr = f' data-node="{node}"' if node is not None else ""
        gutter = "".join(marker_html(n) for n in here)
        row = (f'<tr id="L{ln}" data-line="{ln}"{node_attr}{cls}>'
               f'<td class="ln"><a href="#L{ln}">{ln}</a></td><td class="gut">{gutter}</td>'
               f'<td class="code">{code}</td>')
        if note_column and ln in spans:
            # Docco-style: a note's cell spans the lines up to the next note, so the code
            # beside it stays one block instead of being pulled apart line by line.
            # The notes sit in a box as tall as the lines they span (scrolling inside, whole on
            # hover or focus): a long note never pulls the code beside it apart.
            body = "".join(note_html(n, langs) for n in here)
            if body:
                body = f'<div class="fx-notes-in" tabindex="0">{body}</div>'
            row += f'<td class="notes" rowspan="{spans[ln]}">{body}</td>'
        rows.append(row + "</tr>")
    rows.append("</table></div></div>" if chunk else "</table>")
    return "\n".join(rows)


def spans_data(rendered: Rendered) -> dict:
    """Node spans in a compact JSON-able shape for the front end."""
    return {"spans": [[s.node_id, s.kind, s.start_line, s.end_line] for s in rendered.spans],
            "line_node": {str(k): v for k, v in rendered.line_node.items()}}
