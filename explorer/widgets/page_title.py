"""The browser tab's title, set from Python (the app's chosen version and the
interface language); Voila would otherwise title every tab after the notebook
file ("app")."""
from __future__ import annotations

import anywidget
import traitlets as t

_ESM = """
function render({ model, el }) {
  el.className = "fx-page-title";
  el.style.display = "none";
  const apply = () => { if (model.get("title")) document.title = model.get("title"); };
  model.on("change:title", apply);
  apply();
}
export default { render };
"""


class PageTitle(anywidget.AnyWidget):
    _esm = _ESM
    title = t.Unicode("").tag(sync=True)
