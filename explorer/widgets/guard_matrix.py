"""The guard-history matrix as a widget: explorer.diff.history over every
fetched version (read through explorer.diff.history_store, so a room over
100 release tags parses only files no earlier run has read), drawn by
explorer.render.matrix (over many versions, neighbours where nothing
changed folded into one column); clicking a cell reports the version and line (the
App opens them in the source view)."""
from __future__ import annotations

from pathlib import Path

import anywidget
import traitlets as t

from .. import sources
from ..diff.history_store import history_of_labels
from ..i18n import translator
from ..render.matrix import matrix_html
from ..render.style import BASE_CSS


class GuardMatrix(anywidget.AnyWidget):
    _esm = Path(__file__).with_name("guard_matrix.js")
    _css = BASE_CSS + """
.fx-matrix-view { display: block; min-width: 0; max-width: 100%; overflow: hidden; }
.fx-matrix th.cond { text-align: left; font-weight: normal; min-width: 220px; max-width: min(520px, 36vw);
  white-space: normal; position: sticky; left: 0; z-index: 1; background: #fff; box-shadow: 1px 0 0 #ccc; }
.fx-matrix thead th { position: sticky; top: 0; z-index: 2; background: #f6f6f6; white-space: nowrap; }
.fx-matrix thead th.cond { z-index: 3; background: #f6f6f6; }
.fx-matrix thead th.run { background: #eef2f8; }
.fx-matrix thead th .to { font-weight: normal; }
.fx-matrix th.cond .span { color: #555; }
.fx-matrix td { white-space: nowrap; text-align: center; }
.fx-matrix td a { color: inherit; text-decoration: none; display: block; }
.fx-matrix th.cond a { color: inherit; text-decoration: none; } .fx-matrix th.cond a:hover code { text-decoration: underline; }
.fx-matrix td .when { display: block; font-size: 10px; font-weight: bold; color: #7a5b00; }
.fx-matrix td.new .when { color: #2b8a3e; }
.fx-matrix td.new { box-shadow: inset 3px 0 0 #2b8a3e; }
.fx-matrix-view .legend span { padding: 0 4px; margin-right: 6px; }
.fx-matrix-view .legend .same { background: #e3f6e3; } .fx-matrix-view .legend .changed { background: #fff0b3; }
.fx-matrix-view .legend .absent { background: #eee; }
.fx-matrix-view .legend .summary { background: none; color: #555; }
.fx-matrix-view .fx-matrix-fold { font-size: 12px; color: #333; margin: 2px 0; display: block; }
.fx-matrix-box { max-height: 50vh; max-width: 100%; overflow: auto; overscroll-behavior-x: contain; }
"""
    html = t.Unicode("").tag(sync=True)
    picked = t.Dict().tag(sync=True)
    # Beyond render.matrix.FOLD_ABOVE versions, neighbours where no check changed
    # share a column; the reader's "one column per version" sets this.
    unfold = t.Bool(False).tag(sync=True)
    unfold_label = t.Unicode("one column per version").tag(sync=True)

    def __init__(self, lang: str | None = None, **kw):
        super().__init__(**kw)
        self.lang = lang
        self.data: dict = {}
        self.unfold_label = translator(lang)("one column per version")
        self.observe(lambda _c: self._draw(), names="unfold")

    def set_lang(self, lang: str | None) -> None:
        """Draw the same history again in another interface language."""
        self.lang = lang
        self.unfold_label = translator(lang)("one column per version")
        self._draw()

    def show(self, function: str, labels: list[str] | None = None) -> dict:
        """Compute and draw the history of `function` over `labels` (default: every fetched version)."""

        labels = labels or sources.available()
        self.data = history_of_labels(function, labels).as_dict()
        self._draw()
        return self.data

    def _draw(self) -> None:
        if self.data:
            self.html = matrix_html(self.data, self.lang, fold=False if self.unfold else None)
