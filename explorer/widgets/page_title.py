"""The browser tab's title, set from Python (the app's chosen version and the
interface language); Voila would otherwise title every tab after the notebook
file ("app").  It also tells Python the browser's languages (navigator.languages),
for an app not given a language."""
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
  const langs = [...(navigator.languages || [navigator.language || ""])];
  if (JSON.stringify(langs) !== JSON.stringify(model.get("languages"))) {
    model.set("languages", langs);
    model.save_changes();
  }
}
export default { render };
"""


class PageTitle(anywidget.AnyWidget):
    _esm = _ESM
    title = t.Unicode("").tag(sync=True)
    languages = t.List(t.Unicode()).tag(sync=True)     # the browser's, most preferred first
