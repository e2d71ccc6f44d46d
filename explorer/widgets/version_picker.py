"""The version picker: every known version in release order, and for one not
fetched yet a button that fetches it (through explorer.sources.sync) with a
progress bar."""
from __future__ import annotations

import threading

import ipywidgets as w
from tqdm import tqdm

from .. import sources
from ..errors import ExplorerError
from ..i18n import translator
from ..render import esc as _esc


class _WidgetBar(tqdm):
    """A tqdm that mirrors its counts into an ipywidgets progress bar."""

    def __init__(self, *a, widget=None, note=None, **kw):
        self._widget, self._note = widget, note
        kw["disable"] = False
        kw["file"] = _NullFile()
        super().__init__(*a, **kw)
        if self._widget is not None:
            self._widget.max = max(int(self.total or 0), 1)
            self._widget.value = 0
            self._widget.bar_style = "info"
        if self._note is not None:
            self._note(self.desc or "")

    def update(self, n=1):
        r = super().update(n)
        if self._widget is not None:
            if self.total:
                self._widget.value = min(int(self.n), self._widget.max)
            else:  # size unknown: show motion, not a fake percentage
                self._widget.max = 100
                self._widget.value = (self._widget.value + 7) % 100
        return r


class _NullFile:
    def write(self, s):
        pass

    def flush(self):
        pass


class VersionPicker(w.VBox):
    """Dropdown of versions; `on_pick(callback)` fires with a label that is fetched."""

    def __init__(self, value: str | None = None, lang: str | None = None):
        self._ = translator(lang)
        self.dropdown = w.Dropdown(description=self._("Version"), layout=w.Layout(width="340px"))
        self.fetch_button = w.Button(description=self._("Fetch"), button_style="primary",
                                     layout=w.Layout(display="none", width="110px"))
        self.progress = w.IntProgress(value=0, min=0, max=1, layout=w.Layout(display="none", width="220px"))
        self.status = w.HTML()
        self._callbacks = []
        self._rows: dict[str, dict] = {}
        self._fetching = False
        self._quiet = False
        super().__init__([w.HBox([self.dropdown, self.fetch_button, self.progress]), self.status])
        self.add_class("fx-version-picker")
        self.refresh(value)
        self.dropdown.observe(self._changed, names="value")
        self.fetch_button.on_click(lambda _b: self.fetch(self.dropdown.value))

    def set_lang(self, lang: str | None) -> None:
        self._ = translator(lang)
        self.dropdown.description, self.fetch_button.description = self._("Version"), self._("Fetch")
        self._show_state()

    # -- state --------------------------------------------------------------
    def refresh(self, value: str | None = None) -> None:
        self._rows = {r["label"]: r for r in sources.list_versions()}
        options = [(f"{lb}  ({r['form']})" + ("" if r["status"] == "cached" else f" — {r['status']}"), lb)
                   for lb, r in self._rows.items()]
        cached = [lb for lb, r in self._rows.items() if r["status"] == "cached"]
        value = value if value in self._rows else (cached[-1] if cached else (options[0][1] if options else None))
        self._quiet = True        # options and value change together: no pick yet
        try:
            self.dropdown.options = options
            self.dropdown.value = value
        finally:
            self._quiet = False
        self._show_state()

    @property
    def value(self) -> str | None:
        return self.dropdown.value

    @property
    def available(self) -> list[str]:
        return [lb for lb, r in self._rows.items() if r["status"] == "cached"]

    def on_pick(self, callback) -> None:
        self._callbacks.append(callback)

    def _show_state(self) -> None:
        lb = self.dropdown.value
        row = self._rows.get(lb, {})
        fetched = row.get("status") == "cached"
        self.fetch_button.layout.display = "none" if fetched or self._fetching else ""
        if not fetched and not self._fetching and lb:
            self.status.value = "<i>" + _esc(self._("{label} is not fetched yet ({status}). Press Fetch to get it.").format(
                label=lb, status=row.get("status", "?"))) + "</i>"
        elif fetched:
            self.status.value = ""

    def _changed(self, change) -> None:
        if self._quiet:
            return
        self._show_state()
        lb = change["new"]
        if lb and self._rows.get(lb, {}).get("status") == "cached":
            for cb in self._callbacks:
                cb(lb)

    # -- fetching -----------------------------------------------------------
    def fetch(self, label: str, wait: bool = False) -> threading.Thread:
        """Fetch `label` in a thread (the page stays responsive), then pick it."""
        self._fetching = True
        self.fetch_button.layout.display = "none"
        self.progress.layout.display = ""
        self.progress.bar_style = "info"
        self.status.value = _esc(self._("fetching {label}…").format(label=label))

        def note(msg):
            self.status.value = _esc(self._("fetching {label}: {step}").format(label=label, step=msg))

        def run():
            try:
                bar = lambda total, desc: _WidgetBar(total=total, desc=desc, unit="B",  # noqa: E731
                                                     widget=self.progress, note=note)
                report = sources.sync([label], log=note, progress=bar)[0]
            except ExplorerError as e:
                report = {"status": "failed", "tried": [str(e)]}
            self._fetching = False
            if report["status"] in ("fetched", "cached"):
                self.progress.max, self.progress.value = 1, 1
                self.progress.bar_style = "success"
                self.refresh(label)
                self.status.value = _esc(self._("{label} fetched from {origin}").format(label=label, origin=report.get("origin")))
                for cb in self._callbacks:
                    cb(label)
            else:
                self.progress.bar_style = "danger"
                self._show_state()   # offers Fetch again
                self.status.value = ("<b>" + _esc(self._("could not fetch {label}").format(label=label)) + "</b>: "
                                     + "<br>".join(_esc(t) for t in report.get("tried", [])))

        th = threading.Thread(target=run, daemon=True)
        th.start()
        if wait:
            th.join()
        return th
