"""The version picker: every known version in release order, and for one not
fetched yet a button that fetches it (through explorer.sources.sync) with a
progress bar.  "Add a version" registers one the reader has (a group that is
offline): a fork.c or kernel tarball uploaded from their machine, or a path on
the server's, through the same checks as `fork-explorer sources add`
(explorer.cparse.add_source / add_upload)."""
from __future__ import annotations

import re
import threading

import ipywidgets as w
from tqdm import tqdm

from .. import paths, sources
from ..cparse import add_source, add_upload
from ..errors import ExplorerError
from ..i18n import tell, translator
from ..render import esc as _esc
from .said import Said


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
        self.said = Said(self.status, lang=lang)     # the version's state, a fetch's progress or failure
        self._callbacks = []
        self._rows: dict[str, dict] = {}
        self._fetching = False
        self._quiet = False
        self.add_toggle = w.ToggleButton(description=self._("Add a version…"), value=False,
                                         tooltip=self._("a fork.c or kernel tarball you have (no network needed)"),
                                         layout=w.Layout(width="auto"))
        self.add_toggle.add_class("fx-add-toggle")
        self.adder = VersionAdder(self._added)
        self.adder.set_lang(lang)
        self.adder.layout.display = "none"
        self.add_toggle.observe(lambda c: setattr(self.adder.layout, "display", "" if c["new"] else "none"),
                                names="value")
        super().__init__([w.HBox([self.dropdown, self.fetch_button, self.progress, self.add_toggle]), self.status,
                          self.adder])
        self.add_class("fx-version-picker")
        self.refresh(value)
        self.dropdown.observe(self._changed, names="value")
        self.fetch_button.on_click(lambda _b: self.fetch(self.dropdown.value))

    def set_lang(self, lang: str | None) -> None:
        self._ = translator(lang)
        self.said.again(self._)
        self.dropdown.description, self.fetch_button.description = self._("Version"), self._("Fetch")
        self.add_toggle.description = self._("Add a version…")
        self.adder.set_lang(lang)
        self.add_toggle.tooltip = self._("a fork.c or kernel tarball you have (no network needed)")
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
            self.said.say(lambda _: _("{label} is not fetched yet ({status}). Press Fetch to get it.").format(
                label=lb, status=row.get("status", "?")), "<i>{}</i>")
        elif fetched:
            self.said.clear()

    def _changed(self, change) -> None:
        if self._quiet:
            return
        self._show_state()
        lb = change["new"]
        if lb and self._rows.get(lb, {}).get("status") == "cached":
            for cb in self._callbacks:
                cb(lb)

    def _added(self, label: str) -> None:
        """A version the adder registered: listed, chosen and loaded."""
        self.refresh(label)
        for cb in self._callbacks:
            cb(label)

    # -- fetching -----------------------------------------------------------
    def fetch(self, label: str, wait: bool = False) -> threading.Thread:
        """Fetch `label` in a thread (the page stays responsive), then pick it."""
        self._fetching = True
        self.fetch_button.layout.display = "none"
        self.progress.layout.display = ""
        self.progress.bar_style = "info"
        self.said.say(lambda _: _("fetching {label}…").format(label=label))

        def note(msg):
            # the step is the fetcher's own line (a URL, a byte count): put in as it is
            self.said.say(lambda _: _("fetching {label}: {step}").format(label=label, step=msg))

        def run():
            try:
                bar = lambda total, desc: _WidgetBar(total=total, desc=desc, unit="B",  # noqa: E731
                                                     widget=self.progress, note=note)
                report = sources.sync([label], log=note, progress=bar)[0]
            except ExplorerError as e:
                report = {"status": "failed", "tried": [str(e)], "tried_messages": [e]}
            self._fetching = False
            if report["status"] in ("fetched", "cached"):
                self.progress.max, self.progress.value = 1, 1
                self.progress.bar_style = "success"
                self.refresh(label)
                self.said.say(lambda _: _("{label} fetched from {origin}").format(label=label,
                                                                                   origin=report.get("origin")))
                for cb in self._callbacks:
                    cb(label)
            else:
                self.progress.bar_style = "danger"
                self._show_state()   # offers Fetch again
                tried = report.get("tried_messages") or report.get("tried", [])
                self.said.say(lambda _: "<b>" + _esc(_("could not fetch {label}").format(label=label)) + "</b>: "
                              + "<br>".join(_esc(tell(t, _)) for t in tried), html=True)

        th = threading.Thread(target=run, daemon=True)
        th.start()
        if wait:
            th.join()
        return th


class VersionAdder(w.VBox):
    """A label, an optional kernel version, and a file: uploaded here, or a path
    on the machine that runs the explorer.  Whatever goes wrong is said in one
    line under the form (the checks are those of `sources add`)."""

    ACCEPT = ",".join((".c",) + sources.TARBALL_SUFFIXES + (".gz", ".xz", ".bz2"))

    def __init__(self, on_added):
        self._on_added = on_added
        self.label = w.Text(description="Label", placeholder="v2.6.32", layout=w.Layout(width="300px"))
        self.kernel_version = w.Text(description="Release", placeholder="2.6.32 (else read from the label)",
                                     layout=w.Layout(width="340px"))
        self.upload = w.FileUpload(accept=self.ACCEPT, multiple=False, description="Upload fork.c or tarball",
                                   layout=w.Layout(width="auto"))
        self.path = w.Text(description="or path", placeholder="/path/to/kernel/fork.c, linux-2.6.32.tar.xz or a tree",
                           layout=w.Layout(width="520px"))
        self.add_button = w.Button(description="Add", button_style="primary", layout=w.Layout(width="90px"))
        self.message = w.HTML()
        self.said = Said(self.message)      # what the form says under it, again in another language
        for widget, cls in ((self.label, "fx-add-label"), (self.kernel_version, "fx-add-release"),
                            (self.upload, "fx-add-upload"), (self.path, "fx-add-path"),
                            (self.add_button, "fx-add-button"), (self.message, "fx-add-message")):
            widget.add_class(cls)
        self.add_button.on_click(lambda _b: self.add())
        self.upload.observe(self._chosen, names="value")
        super().__init__([w.HBox([self.label, self.kernel_version], layout=w.Layout(flex_flow="row wrap")),
                          w.HBox([self.upload, self.path, self.add_button], layout=w.Layout(flex_flow="row wrap")),
                          self.message])
        self.add_class("fx-version-adder")

    _ = staticmethod(translator(None))

    def set_lang(self, lang: str | None) -> None:
        """The form's labels and messages in the interface language (why sources refused a
        file stays as sources says it)."""
        _ = self._ = translator(lang)
        self.said.again(_)
        self.label.description = _("Label")
        self.kernel_version.description = _("Release")
        self.kernel_version.placeholder = _("2.6.32 (else read from the label)")
        self.upload.description = _("Upload fork.c or tarball")
        self.path.description = _("or path")
        self.path.placeholder = _("/path/to/kernel/fork.c, linux-2.6.32.tar.xz or a tree")
        self.add_button.description = _("Add")

    def _chosen(self, change) -> None:
        files = change["new"]
        if files:
            name, size = files[0]["name"], f"{files[0]['size']:,}"
            self.said.say(lambda _: _("{name} ({size} bytes) will be added. Press Add.").format(name=name, size=size))

    def add(self) -> dict | None:
        """Register the uploaded file (or else the path) under the label; the
        report of cparse.add_source, or None after saying what is wrong."""
        label = self.label.value.strip()
        release = self.kernel_version.value.strip() or None
        files = self.upload.value
        path = self.path.value.strip()
        if not label:
            self._not_added(lambda _: _("give the version a label first (for example v2.6.32)"))
            return None
        if not files and not path:
            self._not_added(lambda _: _("choose a fork.c or kernel tarball to upload, or type a path"))
            return None
        try:
            if files:
                f = files[0]
                report = add_upload(label, f["name"], bytes(f["content"]), kernel_version=release)
            else:
                report = add_source(label, path, kernel_version=release)
        except (ExplorerError, ValueError, OSError) as e:
            self._not_added(lambda _, e=e: _uploaded(_one_line(e, _)))
            return None
        except Exception as e:   # noqa: BLE001 - the reader gets one line, never a traceback
            self._not_added(lambda _, e=e: f"{type(e).__name__}: {_one_line(e)}")
            return None
        self.upload.value = ()
        self.path.value = self.label.value = self.kernel_version.value = ""     # ready for the next one
        self.said.say(lambda _: (_("Added {label} ({form} form, kernel {release}) from {origin}.")
                                 if report.get("kernel_version") else _("Added {label} ({form} form) from {origin}.")
                                 ).format(label=label, form=report["form"], release=report.get("kernel_version"),
                                          origin=report["origin"]),
                      '<span class="fx-add-ok" style="color:#1b6e2a">{}</span>')
        self._on_added(label)
        return report

    def _not_added(self, why) -> None:
        """Say why the file was not added: `why(_)` is the reason in the language of `_`."""
        self.said.say(lambda _: f'<span class="fx-add-error" style="color:#b00020"><b>{_esc(_("Not added"))}</b>: '
                                f'{_esc(why(_))}</span>', html=True)


def _uploaded(text: str) -> str:
    """add_upload checks the bytes in a temporary folder: name the file as the reader knows it."""
    return re.sub(re.escape(str(paths.home() / "downloads")) + r"/tmp[^/]*/", "uploaded ", text)


def _one_line(e: Exception, _=None) -> str:
    """The error on one line, in the language of `_` when it is one of ours."""
    text = " ".join((tell(e, _) if _ is not None and isinstance(e, ExplorerError) else str(e)).split())
    return text or type(e).__name__
