"""The annotation editor: on the node selected in a SourceView, add, edit or
delete its Japanese and English commentary.  Every write goes through the
annotation store's API (explorer.annotations.Store): a delete moves the note
to archive/, an edit archives the words it replaces, and a save refused
because someone else saved the note first (ConflictError) is shown with both
texts, theirs and the reader's, neither written over.  Placement and anchor
status come from explorer.anchors.  Nothing here writes the YAML files itself."""
from __future__ import annotations

import ipywidgets as w

from ..anchors import STATUS_WORDS, STATUSES
from ..annotations import Store, anchored_code_hash
from ..errors import ConflictError, ExplorerError, LookupFailure
from ..i18n import translator
from ..members import current_member
from ..render import esc, lang_name
from ..render.notes import Placed, note_of, place_all
from .said import Said, telling

EDITED = ("ja", "en")


class AnnotationEditor(w.VBox):
    def __init__(self, view, store=None, lang: str | None = None):
        self.view = view
        self._store = store
        self.lang = lang
        self._ = translator(lang)
        self.base: dict[str, str] = {}           # the edited note's texts as loaded: what "someone else" changed
        self.conflict: dict[str, str] | None = None   # their texts, while a conflict is shown
        self.module = None
        self.placed: list[Placed] = []
        self.editing: str | None = None          # id of the annotation being edited, None = new
        self.where = w.HTML()
        self.ja = w.Textarea(layout=w.Layout(width="100%", height="70px"))
        self.en = w.Textarea(layout=w.Layout(width="100%", height="70px"))
        self.ja.add_class("fx-edit-ja")
        self.en.add_class("fx-edit-en")
        self.save_button = w.Button(button_style="success", disabled=True)
        self.save_button.add_class("fx-save")
        self.delete_button = w.Button(button_style="danger", disabled=True)
        self.delete_button.add_class("fx-delete")
        self.message = w.HTML()
        self.message.add_class("fx-edit-msg")
        self.said = Said(self.message, "<span class='fx-err'>{}</span>", lang=lang)   # errors; notices give their HTML
        self.conflict_box = w.HTML()
        self.conflict_box.add_class("fx-edit-conflict")
        self.theirs_button = w.Button(layout=w.Layout(display="none", width="auto"))
        self.theirs_button.add_class("fx-take-theirs")
        self.summary = w.HTML()
        self.summary.add_class("fx-anchor-status")
        self.heading = w.HTML()
        super().__init__([self.heading, self.where, w.HBox([
            w.VBox([w.HTML(lang_name("ja")), self.ja], layout=w.Layout(width="50%")),
            w.VBox([w.HTML(lang_name("en")), self.en], layout=w.Layout(width="50%"))]),
            w.HBox([self.save_button, self.delete_button, self.message]), self.conflict_box, self.theirs_button,
            self.summary])
        self.add_class("fx-editor")
        self._label()
        self.save_button.on_click(lambda _b: self.save())
        self.delete_button.on_click(lambda _b: self.delete())
        self.theirs_button.on_click(lambda _b: self.take_theirs())
        view.observe(self._selection_changed, names=["selected_line", "selected_node"])

    @property
    def store(self):
        """The annotation store, read on first use (reading every file takes a while)."""
        if self._store is None:
            self._store = Store()
        return self._store

    # -- language -----------------------------------------------------------
    def _label(self) -> None:
        _ = self._
        self.heading.value = "<b>" + esc(_("Annotation editor")) + "</b>"
        self.ja.placeholder = "日本語の解説"          # each box asks in its own language
        self.en.placeholder = "English commentary"
        self.save_button.description = _("Save annotation")
        self.delete_button.description = _("Delete")
        self.delete_button.tooltip = _("Move this note to the archive (nothing is lost)")
        self.theirs_button.description = _("Take their text")

    def set_lang(self, lang: str | None) -> None:
        """Relabel in another interface language (the texts being edited stay)."""
        self.lang, self._ = lang, translator(lang)
        self._label()
        self.said.again(self._)
        if self.module is not None:
            self._summarise()
            self._describe_selection()
        if self.conflict is not None:
            self._show_conflict()

    # -- version ------------------------------------------------------------
    def set_module(self, module) -> None:
        """A new version: place every annotation on it and show their statuses."""
        self.module = module
        self.refresh()

    def refresh(self) -> None:
        if self.module is None:
            return
        self.placed = place_all(self.module, self.store)
        notes = [n for n in (note_of(self.module, p) for p in self.placed) if n is not None]
        self.view.set_notes(sorted(notes, key=lambda n: (n.line, n.key)))
        self._summarise()
        self._selection_changed(None)

    def _summarise(self) -> None:
        _ = self._
        counts = {s: 0 for s in STATUSES}
        for p in self.placed:
            counts[p.resolution.status] = counts.get(p.resolution.status, 0) + 1
        cells = " · ".join(f'<span class="fx-st-{s}">{esc(_(STATUS_WORDS[s]))} {counts[s]}</span>'
                           for s in STATUSES)
        unplaced = [p for p in self.placed if p.resolution.node is None]
        rows = "".join(f"<li>{esc(p.annotation.id)}: {esc(_(STATUS_WORDS.get(p.resolution.status, p.resolution.status)))} — "
                       f"{esc((p.annotation.text.get('ja') or p.annotation.text.get('en') or p.annotation.text.get(p.annotation.source_lang, ''))[:80])}</li>"
                       for p in unplaced[:20])
        problems = self.store.problems()
        broken = "".join(f"<li>{esc(pr.say(_))}</li>" for pr in problems[:10])
        anchors = esc(_("Anchors in {label}:").format(label=self.module.label))
        trouble = esc(_("{n} problem(s) in the annotation files").format(n=len(problems)))
        hidden = esc(_("(their notes are not shown)"))
        self.summary.value = (f"<div>{anchors} {cells}</div>"
                              + (f"<ul>{rows}</ul>" if rows else "")
                              + (f'<div class="fx-err"><b>{trouble}</b> {hidden}:<ul>{broken}</ul></div>'
                                 if problems else ""))

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
            self.save_button.disabled = self.delete_button.disabled = True
            self._describe_selection()
            return
        here = self._at_selection()
        self.save_button.disabled = False
        self.said.clear()
        self._clear_conflict()
        if here:
            p = here[0]
            self.editing = p.annotation.id
            self.base = {lang: p.annotation.text.get(lang, "") for lang in EDITED}
            self.ja.value, self.en.value = self.base["ja"], self.base["en"]
        else:
            self.editing = None
            self.base = {}
            self.ja.value = self.en.value = ""
        self.delete_button.disabled = self.editing is None
        self._describe_selection()

    def _describe_selection(self) -> None:
        _ = self._
        line = self.view.selected_line
        if not line or self.module is None:
            self.where.value = "<i>" + esc(_("Select a line in the source to annotate it.")) + "</i>"
            return
        p = next((p for p in self.placed if p.annotation.id == self.editing), None) if self.editing else None
        if p is None:
            node = self.view.selected_node
            self.where.value = esc(_("New annotation on line {line}").format(line=line)) + (
                f" (<code>{esc(node)}</code>)" if node else "")
            return
        src = p.annotation.source_lang
        # a note written in another language (zh...): its text, to translate from
        original = "" if src in EDITED else (
            f'<div class="fx-edit-src">{esc(lang_name(src))} ({esc(src)}): '
            f'<span lang="{esc(src)}">{esc(p.annotation.text.get(src, ""))}</span></div>')
        status = _(STATUS_WORDS.get(p.resolution.status, p.resolution.status))
        self.where.value = _("Editing {id} on line {line} (anchor {status}, written against {version})").format(
            id=f"<code>{esc(p.annotation.id)}</code>", line=line, status=f"<b>{esc(status)}</b>",
            version=esc(p.annotation.written_against)) + (
            " " + esc(_("by {author}").format(author=p.annotation.author)) if p.annotation.author else "") + original

    # -- conflicts ----------------------------------------------------------
    def _clear_conflict(self) -> None:
        self.conflict = None
        self.conflict_box.value = ""
        self.theirs_button.layout.display = "none"

    def take_theirs(self) -> None:
        """Drop the reader's unsaved text for the one saved by someone else."""
        if self.conflict is None:
            return
        self.refresh()          # their version of every note, and this note's boxes filled from it

    def _show_conflict(self) -> None:
        """Their saved text beside the reader's (kept in the boxes, unsaved)."""
        _ = self._
        theirs = "".join(f'<div class="fx-theirs-{lang}"><b>{esc(lang_name(lang))}</b>: '
                         f'<span lang="{lang}">{esc(self.conflict.get(lang, ""))}</span></div>' for lang in EDITED)
        self.conflict_box.value = (
            '<div class="fx-err">' + esc(_("Someone else saved this note after you opened it.")) + " "
            + esc(_("Their text is below; yours is still in the boxes, not saved. "
                    "Save again to keep yours (theirs goes to the archive), or take theirs."))
            + f'<div class="fx-theirs">{theirs}</div></div>')
        self.theirs_button.layout.display = ""

    def _their_change(self) -> dict[str, str] | None:
        """After a refused write: reread the store; the note's texts as someone else
        saved them when they differ from what this editor loaded, else None (they
        changed another note of the same file, or the same words)."""
        self.store.reload()
        try:
            ann = self.store.get(self.editing)
        except ExplorerError:
            return {lang: "" for lang in EDITED}     # they deleted it (it is in the archive)
        now = {lang: ann.text.get(lang, "") for lang in EDITED}
        return now if now != self.base else None

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
        """Write the text through the store; returns the annotation id (None on error
        or conflict).  The message names the file written."""
        texts = {lang: box.value.strip() for lang, box in (("ja", self.ja), ("en", self.en))}
        if not any(texts.values()):
            self.said.say(lambda _: _("Write some text first."))
            return None
        if self.editing and self.conflict is None:
            # The store may have been reread since this note was opened (another
            # save in the room): then no ConflictError would come, but the words
            # the reader started from are no longer the note's.  Same answer.
            try:
                ann = self.store.get(self.editing)
            except LookupFailure:
                ann = None
            now = {lang: ann.text.get(lang, "") for lang in EDITED} if ann else {lang: "" for lang in EDITED}
            if now != self.base:
                self.conflict, self.base = now, dict(now)
                self._show_conflict()
                self.said.say(lambda _: _("Not saved: conflict."))
                return None
        try:
            # Another member's save can land between our reread and our write (a
            # room saving at once), so a refused write is reread and judged again,
            # a few times, before the refusal is shown as an error.
            for attempt in range(4):
                try:
                    rid = self._write(texts, anchored_code_hash)
                    break
                except ConflictError:
                    if attempt == 3:
                        raise
                    if self.editing and self.conflict is None:
                        theirs = self._their_change()
                        if theirs is not None:        # the same note: show both, write nothing
                            self.conflict = theirs
                            self.base = dict(theirs)  # the next save is made knowing their text
                            self._show_conflict()
                            self.said.say(lambda _: _("Not saved: conflict."))
                            return None
                    else:
                        self.store.reload()   # another note of the file changed: reread and apply on top
        except ExplorerError as e:
            self.said.say(telling(e))
            return None
        self._clear_conflict()
        path = self.store.get(rid).path
        self.refresh()
        self.said.say(lambda _: esc(_("saved {id} to {path}")).format(id=f"<code>{esc(rid)}</code>",
                                                                      path=f"<code>{esc(path)}</code>"), html=True)
        return rid

    def _write(self, texts: dict, anchored_code_hash) -> str:
        if self.editing:
            try:
                ann = self.store.get(self.editing)
            except LookupFailure:
                self.editing = None      # deleted meanwhile (it is in the archive): save as a new note
            else:
                changed = {lang: text for lang, text in texts.items() if text and text != ann.text.get(lang, "")}
                if changed:   # both languages in one save: never half of an edit on disk
                    self.store.update(self.editing, text=changed, code=anchored_code_hash(ann, self.module))
                return self.editing
        source_lang = "ja" if texts["ja"] else "en"
        given = {lang: t for lang, t in texts.items() if t}
        # in a shared room the note records who wrote it (the hub's member name)
        return self.store.add(self.module, self._node(), given, source_lang=source_lang,
                              author=current_member()).id

    def delete(self) -> str | None:
        """Move the selected note to the archive (Store.delete); returns the archive
        file's path (None when nothing was deleted)."""
        if not self.editing:
            return None
        rid = self.editing
        try:
            try:
                arch = self.store.delete(rid, reason="deleted in the editor")
            except ConflictError:
                theirs = self._their_change()
                if theirs is not None and self.conflict is None:
                    self.conflict = theirs
                    self.base = dict(theirs)
                    self._show_conflict()
                    self.said.say(lambda _: _("Not deleted: conflict."))
                    return None
                arch = self.store.delete(rid, reason="deleted in the editor")
        except ExplorerError as e:
            self.said.say(telling(e))
            return None
        self._clear_conflict()
        self.refresh()
        self.said.say(lambda _: esc(_("deleted {id}; kept in {path}")).format(id=f"<code>{esc(rid)}</code>",
                                                                              path=f"<code>{esc(arch)}</code>"),
                      html=True)
        return str(arch)
