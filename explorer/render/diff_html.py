"""HTML for diffs: aligned two-column rows, self-contained (inline CSS, no
scripts, no external assets).  The widgets embed `fragment()`; the CLI
writes `page()`.  Every piece of text goes through html.escape.
"""
from __future__ import annotations

import html

from ..cparse.memo import per_module
from ..diff.filediff import FileDiff
from ..diff.treediff import FunctionDiff
from ..i18n import N_, translator
from .diff_rows import Row, rows
from .highlight import token_lines

STYLE = """
.fx-diff { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12.5px; }
.fx-diff table { border-collapse: collapse; width: 100%; table-layout: fixed; }
/* what one compares (a guard's condition, a signature) is never cut: long lines wrap in their column;
   line-height set here, not inherited (a widget's HTML box would make every row 28 px) */
.fx-diff td { padding: 0 6px; vertical-align: top; white-space: pre-wrap; overflow-wrap: anywhere;
  line-height: 1.4; tab-size: 8; -moz-tab-size: 8; }
.fx-diff td.ln { width: 4.5em; text-align: right; color: #888; user-select: none; border-right: 1px solid #ddd; }
.fx-diff td.sign { width: 1.2em; color: #666; user-select: none; }
.fx-diff td.note { width: 11em; color: #555; font-style: italic; font-size: 11px; }
.fx-diff td.code.gap { background: #fafafa; }
.fx-diff .context { color: #777; }
.fx-diff .delete { background: #ffebe9; }
.fx-diff .insert { background: #e6ffec; }
.fx-diff .update { background: #fff8c5; }
.fx-diff .move { background: #ddf4ff; }
.fx-diff .moved-away { background: #f3eefc; color: #8250df; }
.fx-diff mark { background: #f2cc60; color: inherit; border-radius: 2px; }
.fx-diff .delete mark { background: #ffc1ba; }
.fx-diff .insert mark { background: #abf2bc; }
.fx-diff caption { text-align: left; font-weight: 600; padding: 4px 0; }
.fx-diff .legend span { margin-right: 1em; padding: 0 4px; }
.fx-files td { white-space: nowrap; }
.fx-diff .hk { color: #cf222e; } .fx-diff .ht { color: #8250df; } .fx-diff .hc { color: #6e7781; font-style: italic; }
.fx-diff .hs { color: #0a3069; } .fx-diff .hm { color: #0550ae; } .fx-diff .hp { color: #953800; }
"""

# pygments token families -> our few colour classes (keywords, types, comments, strings, numbers, preprocessor)
_FAMILY = (("Comment.Preproc", "hp"), ("Comment", "hc"), ("Keyword.Type", "ht"), ("Keyword", "hk"),
           ("Literal.String", "hs"), ("Literal.Number", "hm"))


def _family(tok) -> str | None:
    name = str(tok)[len("Token."):]
    for prefix, cls in _FAMILY:
        if name == prefix or name.startswith(prefix + "."):
            return cls
    return None


@per_module
def _colours(mod, first: int, last: int) -> dict[int, list[tuple[int, int, str]]]:
    """{line: [(start_col, end_col, class)]} for lines first..last, from the one
    pygments pass over the file (highlight.py)."""
    out: dict[int, list] = {}
    for line, tokens in enumerate(token_lines(mod.source)[first - 1:last], first):
        marks = [(c0, c1, cls) for c0, c1, ttype, _ in tokens if (cls := _family(ttype))]
        if marks:
            out[line] = marks
    return out


_SIGN = {"delete": "-", "insert": "+", "update": "~", "move": "&gt;", "moved-away": "&lt;"}


def _code(text: str, marks, colours=()) -> str:
    """Escaped line: syntax colours as spans, changed tokens in <mark> (columns are
    characters of the reader's line)."""
    cuts = {0, len(text)}
    for c0, c1 in marks:
        cuts.update((max(0, min(c0, len(text))), max(0, min(c1, len(text)))))
    for c0, c1, _ in colours:
        cuts.update((min(c0, len(text)), min(c1, len(text))))
    cuts = sorted(cuts)
    out = []
    for a, b in zip(cuts, cuts[1:]):
        piece = html.escape(text[a:b])
        cls = next((c for c0, c1, c in colours if c0 <= a and b <= c1), None)
        if cls:
            piece = f'<span class="{cls}">{piece}</span>'
        if any(c0 <= a and b <= c1 for c0, c1 in marks):
            piece = f"<mark>{piece}</mark>"
        out.append(piece)
    return "".join(out)


def _side(no, op, marks, lines, colours) -> str:
    if no is None:
        return '<td class="ln"></td><td class="sign"></td><td class="code gap"></td>'
    cls = html.escape(op or "keep")
    return (f'<td class="ln">{no}</td><td class="sign {cls}">{_SIGN.get(op, "")}</td>'
            f'<td class="code {cls}">{_code(lines[no - 1], marks, colours.get(no, ()))}</td>')


def _row(r: Row, la, lb, ca, cb) -> str:
    return (f'<tr class="{html.escape(r.op)}">' + _side(r.a_no, r.a_op, r.a_marks, la, ca)
            + _side(r.b_no, r.b_op, r.b_marks, lb, cb) + f'<td class="note">{html.escape(r.note)}</td></tr>')


# The edit kinds as a reader's words (explorer.i18n; the widget passes its language).
EDIT_WORDS = {"keep": N_("keep"), "update": N_("update"), "insert": N_("insert"), "delete": N_("delete"),
              "move": N_("move")}


def fragment(d: FunctionDiff, lang: str | None = None) -> str:
    """A <div class="fx-diff"> with the aligned table (include STYLE once per page);
    its counts in the interface language `lang`."""
    _ = translator(lang)
    la, lb = d.a.lines, d.b.lines
    cap = (f"{d.a.label}: {d.function_a} ({d.tree_a.start_line}-{d.tree_a.end_line}) &rarr; "
           f"{d.b.label}: {d.function_b} ({d.tree_b.start_line}-{d.tree_b.end_line})")
    cap = html.escape(cap).replace("&amp;rarr;", "&rarr;")
    counts = ", ".join(f"{v} {_(EDIT_WORDS.get(k, k))}" for k, v in d.counts().items())
    ca = _colours(d.a, d.tree_a.start_line, d.tree_a.end_line)
    cb = _colours(d.b, d.tree_b.start_line, d.tree_b.end_line)
    body = "\n".join(_row(r, la, lb, ca, cb) for r in rows(d))
    return (f'<div class="fx-diff"><table><caption>{cap}<br><small>{html.escape(counts)}</small></caption>'
            '<colgroup><col style="width:4.5em"><col style="width:1.2em"><col>'
            '<col style="width:4.5em"><col style="width:1.2em"><col><col style="width:11em"></colgroup>'
            f"\n{body}\n</table></div>")


def _document(title: str, body: str) -> str:
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{html.escape(title)}</title><style>{STYLE}</style></head><body>\n"
            '<p class="fx-diff legend"><span class="delete">- deleted</span><span class="insert">+ inserted</span>'
            '<span class="update">~ updated</span><span class="move">&gt; moved here</span>'
            '<span class="moved-away">&lt; moved away</span><span class="context">context</span></p>\n'
            f"{body}\n</body></html>\n")


def page(d: FunctionDiff) -> str:
    return _document(f"{d.function_a} {d.a.label} -> {d.function_b} {d.b.label}", fragment(d))


def file_page(fd: FileDiff, *, diffs: bool = True) -> str:
    """The whole-file diff: a table of functions, then each changed pair's diff."""
    s = fd.summary()
    head = [f"<h2>{html.escape(str(fd.a.label))} &rarr; {html.escape(str(fd.b.label))}</h2>",
            "<p>" + html.escape(", ".join(f"{v} {k}" for k, v in s.items())) + "</p>",
            '<table class="fx-diff fx-files"><tr><th>status</th><th>A</th><th>B</th><th>edits</th></tr>']
    parts = []
    for f in fd.functions:
        a = f"{f.function_a} {f.a_lines[0]}-{f.a_lines[1]}" if f.function_a else ""
        b = f"{f.function_b} {f.b_lines[0]}-{f.b_lines[1]}" if f.function_b else ""
        edits = " ".join(f"{k} {v}" for k, v in (f.counts or {}).items() if k != "keep" and v)
        name = f.function_b or f.function_a
        link = f'<a href="#fn-{html.escape(name)}">{html.escape(b)}</a>' \
            if diffs and f.status in ("changed", "renamed") and f.counts and edits else html.escape(b)
        cls = {"removed": "delete", "added": "insert", "changed": "update", "renamed": "move"}.get(f.status, "context")
        head.append(f'<tr class="{cls}"><td>{html.escape(f.status)}</td><td>{html.escape(a)}</td>'
                    f"<td>{link}</td><td>{html.escape(edits)}</td></tr>")
        if diffs and link != html.escape(b):
            parts.append(f'<section id="fn-{html.escape(name)}">'
                         + fragment(fd.function_diff(name)) + "</section>")
    head.append("</table>")
    return _document(f"{fd.a.label} -> {fd.b.label}", "\n".join(head + parts))
