"""Drawing: highlighted source lines, node spans, commentary beside the code,
trace classes (source), diff rows and pages (diff_rows, diff_html), the
guard matrix (matrix).  Pure functions from data
produced elsewhere (Module, annotations, Trace, diff) to escaped HTML."""
from .source import (LineNote, NodeSpan, Rendered, esc, marker_html, note_html, pygments_css, render_lines,
                     source_table, spans_data, statement_spans)
from .langs import lang_name, languages_present, switch_choices
from .style import BASE_CSS, CJK_FONTS, page_css

__all__ = ["LineNote", "NodeSpan", "Rendered", "esc", "marker_html", "note_html", "pygments_css",
           "render_lines", "source_table", "spans_data", "statement_spans", "BASE_CSS", "CJK_FONTS",
           "page_css", "lang_name", "languages_present", "switch_choices"]
