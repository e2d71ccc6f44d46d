"""The annotation editor: on the node selected in a SourceView, add or edit
its Japanese and English commentary.  Saving goes through the annotation
store's API (explorer.annotations.Store); placement and anchor status come
from explorer.anchors.  Nothing here writes the YAML files itself."""
from __future__ import annotations

import ipywidgets as w

from ..annotations import Store, anchored_code_hash
from ..errors import ConflictError, ExplorerError
from ..members import current_member
from ..render import esc, lang_name
from ..render.notes import Placed, note_of, place_all

STATUS_ORDER = ("exact", "moved", "fuzzy", "absent", "orphaned")


class AnnotationEditor(w.VBox):
    def __init__(self, view, store=None):
        self.view = view
        self._store = store
        self.module = None
        self.placed: list[Placed] = []
        self.editing: str | None = None          # id of the annotation being edited, None = new
        self._seen: dict[str, str] = {}          # its text when this reader began editing it
        self.where = w.HTML("<i>Select a line in the source to annotate it.</i>")
        self.ja = w.Textarea(placeholder="日本語の解説", layout=w.Layout(width="100%", height="70px"))
        self.en = w.Textarea(placeholder="English commentary", layout=w.Layout(width="100%", height="70px"))
        self.ja.add_class("fx-edit-ja")
        self.en.add_class("fx-edit-en")
        self.save_button = w.Button(description="Save annotation", button_style="success",
                                    disabled=True)
        self.save_button.add_class("fx-save")
        self.message = w.HTML()
        self.message.add_class("fx-edit-msg")
        self.summary = w.HTML()
        self.summary.add_class("fx-anchor-status")
        super().__init__([w.HTML("<b>Annotation editor</b>"), self.where, w.HBox([
            w.VBox([w.HTML("日本語"), self.ja], layout=w.Layout(width="50%")),
            w.VBox([w.HTML("English"), self.en], layout=w.Layout(width="50%"))]),
            w.HBox([self.save_button, self.message]), self.summary])
        self.add_class("fx-editor")
        self.save_button.on_click(lambda _b: self.save())
        view.observe(self._selection_changed, names=["selected_line", "selected_node"])

    @property
    def store(self):
        """The annotation store, read on first use (reading every file takes a while)."""
        if self._store is None:
            self._store = Store()
        return self._store

    # -- version ------------------------------------------------------------
    def set_module(self, module) -> None:
        """A new version: place every annotation on it and show their statuses."""
        self.module = module
        self.refresh()

    def refresh(self) -> None:
        if self.module is None:
            return
        self._place()
        counts = {s: 0 for s in STATUS_ORDER}
        for p in self.placed:
            counts[p.resolution.status] = counts.get(p.resolution.status, 0) + 1
        cells = " · ".join(f'<span class="fx-st-{s}">{s} {counts[s]}</span>' for s in STATUS_ORDER)
        unplaced = [p for p in self.placed if p.resolution.node is None]
        rows = "".join(f"<li>{esc(p.annotation.id)}: {esc(p.resolution.status)} — "
                       f"{esc((p.annotation.text.get('ja') or p.annotation.text.get('en') or p.annotation.text.get(p.annotation.source_lang, ''))[:80])}</li>"
                       for p in unplaced[:20])
        problems = self.store.problems()
        broken = "".join(f"<li>{esc(pr)}</li>" for pr in problems[:10])
        self.summary.value = (f"<div>Anchors in {esc(self.module.label)}: {cells}</div>"
                              + (f"<ul>{rows}</ul>" if rows else "")
                              + (f'<div class="fx-err"><b>{len(problems)} problem(s) in the annotation files'
                                 f"</b> (their notes are not shown):<ul>{broken}</ul></div>" if problems else ""))
        self._selection_changed(None)

    def _place(self) -> None:
        """Place every note of the store and hand them to the view (the boxes are left alone)."""
        self.placed = place_all(self.module, self.store)
        notes = [n for n in (note_of(self.module, p) for p in self.placed) if n is not None]
        self.view.set_notes(sorted(notes, key=lambda n: (n.line, n.key)))

    # -- selection ----------------------------------------------------------
    def _at_selection(self) -> list[Placed]:
        """Notes on the selected node; for a line's own statement, any note on that line.
        (After climbing to an enclosing statement, its notes, not the line's.)"""
        line, node = self.view.selected_line, self.view.selected_node
        placed = [p for p in self.placed if p.resolution.node is not None]
        if node:
            on_node = [p for p in placed if self.module.node_id(p.resolution.node) == node]
            if on_node or node != self.view.line_statement(line):
                return on_node
        return [p for p in placed if p.resolution.line == line]

    def _selection_changed(self, _change) -> None:
        line = self.view.selected_line
        if not line or self.module is None:
            self.save_button.disabled = True
            return
        here = self._at_selection()
        node = self.view.selected_node
        self.save_button.disabled = False
        self.message.value = ""
        if here:
            p = here[0]
            self.editing = p.annotation.id
            self._seen = dict(p.annotation.text)
            self.ja.value = p.annotation.text.get("ja", "")
            self.en.value = p.annotation.text.get("en", "")
            src = p.annotation.source_lang
            # a note written in another language (zh...): its text, to translate from
            original = "" if src in ("ja", "en") else (
                f'<div class="fx-edit-src">{esc(lang_name(src))} ({esc(src)}): '
                f'<span lang="{esc(src)}">{esc(p.annotation.text.get(src, ""))}</span></div>')
            self.where.value = (f"Editing <code>{esc(p.annotation.id)}</code> on line {line} "
                                f"(anchor <b>{esc(p.resolution.status)}</b>"
                                f", written against {esc(p.annotation.written_against)}"
                                + (f", by {esc(p.annotation.author)}" if p.annotation.author else "")
                                + ")" + original)
        else:
            self.editing = None
            self.ja.value = self.en.value = ""
            self.where.value = f"New annotation on line {line}" + (f" (<code>{esc(node)}</code>)" if node else "")

    # -- saving -------------------------------------------------------------
    def _node(self):
        mod = self.module
        if self.view.selected_node:
            return mod.node_by_id(self.view.selected_node)
        row = self.view.selected_line - 1
        text = mod.lines[row]
        col = len(text) - len(text.lstrip())
        return mod.tree.root_node.descendant_for_point_range((row, col), (row, max(col, len(text) - 1)))

    def save(self) -> str | None:
        """Write the text through the store; returns the annotation id (None on error)."""

        texts = {lang: box.value.strip() for lang, box in (("ja", self.ja), ("en", self.en))}
        if not any(texts.values()):
            self.message.value = "<span class='fx-err'>Write some text first.</span>"
            return None
        try:
            try:
                if self._edited_meanwhile():
                    return None
                rid = self._write(texts, anchored_code_hash)
            except ConflictError:
                self.store.reload()   # someone else saved the file: reread and apply on top
                if self._edited_meanwhile():
                    return None       # said in the message; the reader's words stay in the boxes
                rid = self._write(texts, anchored_code_hash)
        except ExplorerError as e:
            self.message.value = f"<span class='fx-err'>{esc(e)}</span>"
            return None
        self.refresh()
        self.message.value = f"saved <code>{esc(rid)}</code>"
        return rid

    def _edited_meanwhile(self) -> bool:
        """Did another member change the note being edited since this reader
        opened it?  Then the reader sees their words and the note's new ones, and
        a second Save replaces them on purpose (the replaced words go to the
        archive, as every edit's do)."""
        if not self.editing:
            return False
        now = self.store.get(self.editing).text
        if now == self._seen:
            return False
        theirs = "".join(f'<div lang="{esc(lang)}">{esc(lang)}: {esc(t)}</div>' for lang, t in now.items())
        self.message.value = ("<span class='fx-err fx-conflict'>Someone else changed this note while you were "
                              "editing it. Their text now:</span>" + theirs +
                              "<span>Your text is still in the boxes: Save again to replace theirs.</span>")
        self._seen = dict(now)
        self._place()             # the view shows their text too
        return True

    def _write(self, texts: dict, anchored_code_hash) -> str:
        if self.editing:
            ann = self.store.get(self.editing)
            changed = {lang: text for lang, text in texts.items() if text and text != ann.text.get(lang, "")}
            if changed:   # both languages in one save: never half of an edit on disk
                self.store.update(self.editing, text=changed, code=anchored_code_hash(ann, self.module))
            return self.editing
        source_lang = "ja" if texts["ja"] else "en"
        given = {lang: t for lang, t in texts.items() if t}
        # in a shared room the note records who wrote it (the hub's member name)
        return self.store.add(self.module, self._node(), given, source_lang=source_lang,
                              author=current_member()).id
