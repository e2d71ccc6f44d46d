"""The interface language of the page: follows the browser (navigator.languages,
read by language.js and handed to explorer.i18n.ui_language) until the reader
picks one with the small ja/en toggle.  Widgets take `lang` and relabel
themselves in `set_lang`; nothing is reloaded (explorer.i18n holds the words)."""
from __future__ import annotations

from pathlib import Path

import anywidget
import traitlets as t

from ..i18n import UI_LANGS, translator, ui_language
from ..render.langs import lang_name


class LanguageSwitch(anywidget.AnyWidget):
    _esm = Path(__file__).with_name("language.js")
    _css = """
.fx-lang-switch { display: inline-flex; gap: 0; align-items: center; font-size: 13px; }
.fx-lang-switch .fx-lang-label { margin-right: 4px; color: #555; }
.fx-lang-switch button { border: 1px solid #bbb; background: #f6f6f6; padding: 2px 8px; cursor: pointer; }
.fx-lang-switch button.fx-on { background: #dbe7ff; border-color: #3a6df0; font-weight: bold; }
"""
    lang = t.Unicode("").tag(sync=True)            # "" until the browser (or the reader) says
    browser = t.List(t.Unicode()).tag(sync=True)   # navigator.languages, as the page reported it
    label = t.Unicode("Interface:").tag(sync=True)  # says it is the interface's language, not the notes' 
    # each language by its own name: readable by someone who cannot read the other
    choices = t.List(default_value=[[code, lang_name(code)] for code in ("ja", "en")]).tag(sync=True)

    def __init__(self, lang: str | None = None, **kw):
        super().__init__(lang=lang if lang in UI_LANGS else "", **kw)
        self.label = translator(self.value)("Interface:")
        self._callbacks = []
        self.observe(self._on_browser, names="browser")
        self.observe(self._on_lang, names="lang")

    @property
    def value(self) -> str:
        """The language in force (English until anything is known)."""
        return self.lang or ui_language(None)

    def on_change(self, callback) -> None:
        """callback(lang) whenever the language in force changes."""
        self._callbacks.append(callback)

    def _on_browser(self, change) -> None:
        if not self.lang:          # a choice made in Python or by the reader wins over the browser
            self.lang = ui_language(change["new"])

    def _on_lang(self, change) -> None:
        if change["new"] not in UI_LANGS:
            self.lang = change["old"] if change["old"] in UI_LANGS else ""
            return
        self.label = translator(change["new"])("Interface:")
        for cb in self._callbacks:
            cb(change["new"])


def follow_browser(*parts, lang: str | None = None) -> LanguageSwitch:
    """A language switch for a notebook: the widgets `parts` (anything with
    set_lang) take the browser's interface language, and the reader's pick;
    display it above them."""
    switch = LanguageSwitch(lang)

    def relabel(new: str) -> None:
        for part in parts:
            part.set_lang(new)

    switch.on_change(relabel)
    if switch.lang:
        relabel(switch.lang)
    return switch
