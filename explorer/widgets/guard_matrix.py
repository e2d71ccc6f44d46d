"""The guard-history matrix as a widget: explorer.diff.history over every
fetched version, drawn by explorer.render.matrix; clicking a cell reports the
version and line (the App opens them in the source view)."""
from __future__ import annotations

from pathlib import Path

import anywidget
import traitlets as t

from .. import load, sources
from ..render.style import BASE_CSS


class GuardMatrix(anywidget.AnyWidget):
    _esm = Path(__file__).with_name("guard_matrix.js")
    _css = BASE_CSS + """
.fx-matrix th.cond { text-align: left; font-weight: normal; max-width: 520px; white-space: normal; }
.fx-matrix td a { color: inherit; text-decoration: none; display: block; }
.fx-matrix th.cond a { color: inherit; text-decoration: none; } .fx-matrix th.cond a:hover code { text-decoration: underline; }
.fx-matrix td.new { box-shadow: inset 3px 0 0 #2b8a3e; }
.fx-matrix-view .legend span { padding: 0 4px; margin-right: 6px; }
.fx-matrix-view .legend .same { background: #e3f6e3; } .fx-matrix-view .legend .changed { background: #fff0b3; }
.fx-matrix-view .legend .absent { background: #eee; }
.fx-matrix-box { max-height: 50vh; overflow: auto; }
"""
    html = t.Unicode("").tag(sync=True)
    picked = t.Dict().tag(sync=True)

    def show(self, function: str, labels: list[str] | None = None) -> dict:
        """Compute and draw the history of `function` over `labels` (default: every fetched version)."""
        from ..diff import history
        from ..render.matrix import matrix_html

        labels = labels or sources.available()
        data = history(function, [load(lb) for lb in labels]).as_dict()
        self.html = matrix_html(data)
        return data
