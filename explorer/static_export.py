"""`fork-explorer html LABEL -o DIR`: one self-contained page of a version.

Highlighted source with real line numbers and an anchor per line (#L123),
commentary in Japanese and English (and any other language a note is in)
beside the lines it belongs to (as Docco puts prose beside code), a language
toggle offering the languages present, and an index of functions.  No
network and no Jupyter: CSS and the few lines of toggle script are inline,
fonts are the reader's own.

The page's own words are in Japanese and English (explorer.i18n): each such
element carries both (data-fx-ui-ja, data-fx-ui-en); the script picks the
browser's language (navigator.languages) and a small toggle switches them.
"""
from __future__ import annotations

import os
from pathlib import Path

from .cparse import FORK_ENTRIES
from .errors import ExplorerError
from .i18n import UI_LANGS, translator
from .render import LineNote, esc, lang_name, languages_present, page_css, render_lines, source_table, switch_choices

PAGE_CSS_EXTRA = """
body { margin: 0; font-family: sans-serif; }
header { position: sticky; top: 0; background: #fafafa; border-bottom: 1px solid #ddd; padding: 6px 12px;
  z-index: 2; display: flex; gap: 16px; align-items: center; flex-wrap: wrap; }
header h1 { font-size: 16px; margin: 0; }
nav.fx-index { font-size: 12px; max-width: 100%; }
nav.fx-index a { margin-right: 8px; }
.fx-src td.notes { width: 38%; white-space: normal; font-family: sans-serif; }
.fx-src td.code { width: 60%; }
.fx-src tr[id] { scroll-margin-top: 120px; }  /* an #L123 target is not hidden under the sticky header */
/* A note's box is as tall as the code lines it spans and scrolls inside; hovered or
   focused it shows whole, over what follows.  Rows keep the code's own height. */
.fx-src td.notes { position: relative; padding: 0; }
.fx-src td.notes > .fx-notes-in { position: absolute; inset: 0 0 1px 6px; overflow: auto; }
.fx-src td.notes > .fx-notes-in:hover, .fx-src td.notes > .fx-notes-in:focus {
  bottom: auto; min-height: 100%; overflow: visible; z-index: 3; background: #fff;
  box-shadow: 0 2px 10px rgba(0, 0, 0, .25); outline: none; }
/* the #L123 line is marked, not the notes beside it (they span many lines: a band) */
.fx-src tr:target td.notes { background: none; }
.fx-ui-toggle button { border: 1px solid #bbb; background: #f6f6f6; padding: 1px 6px; cursor: pointer; }
.fx-ui-toggle button.fx-on { background: #dbe7ff; border-color: #3a6df0; font-weight: bold; }
"""

TOGGLE_JS = """
(function () {
  var body = document.body;
  function set(lang) {
    Array.prototype.slice.call(body.classList).forEach(function (c) {
      if (c === 'fx-both' || c.indexOf('fx-lang-') === 0) { body.classList.remove(c); }
    });
    body.classList.add(lang === 'both' ? 'fx-both' : 'fx-lang-' + lang.replace(/[^A-Za-z0-9-]/g, '-'));
    try { localStorage.setItem('fx-lang', lang); } catch (e) {}
  }
  var saved = null, offered = false;
  try { saved = localStorage.getItem('fx-lang'); } catch (e) {}
  document.querySelectorAll('input[name=fx-lang]').forEach(function (r) {
    if (saved && r.value === saved) { r.checked = true; offered = true; }
    r.addEventListener('change', function () { set(r.value); });
  });
  if (offered) { set(saved); }   // a language this page does not have is not restored
})();
(function () {
  // The interface's words: the reader's pick, else the browser's first language we have (as the app does).
  var langs = ['ja', 'en'], chosen = null;
  try { chosen = localStorage.getItem('fx-ui-lang'); } catch (e) {}
  if (langs.indexOf(chosen) < 0) {
    chosen = 'en';
    var wanted = navigator.languages || [navigator.language || ''];
    for (var i = 0; i < wanted.length; i++) {
      var primary = String(wanted[i]).toLowerCase().split(/[-_]/)[0];
      if (langs.indexOf(primary) >= 0) { chosen = primary; break; }
    }
  }
  function ui(lang) {
    document.documentElement.lang = lang;
    document.querySelectorAll('[data-fx-ui-' + lang + ']').forEach(function (e) {
      e.textContent = e.getAttribute('data-fx-ui-' + lang);
    });
    document.querySelectorAll('.fx-ui-toggle button').forEach(function (b) {
      b.classList.toggle('fx-on', b.getAttribute('data-lang') === lang);
    });
  }
  document.querySelectorAll('.fx-ui-toggle button').forEach(function (b) {
    b.addEventListener('click', function () {
      var lang = b.getAttribute('data-lang');
      try { localStorage.setItem('fx-ui-lang', lang); } catch (e) {}
      ui(lang);
    });
  });
  ui(chosen);
})();
"""


def ui_text(msgid: str, **fields) -> tuple[str, str]:
    """An element's content in English, with every interface language's text as
    data-fx-ui-LANG attributes for the page's script (escaped)."""
    texts = {lang: translator(lang)(msgid).format(**fields) for lang in UI_LANGS}
    attrs = "".join(f' data-fx-ui-{lang}="{esc(text)}"' for lang, text in texts.items())
    return attrs, esc(texts["en"])


def ui_toggle() -> str:
    """The ja/en buttons of the interface language (each language by its own name)."""
    buttons = "".join(f'<button type="button" data-lang="{code}" lang="{code}">{esc(lang_name(code))}</button>'
                      for code in ("ja", "en"))
    attrs, text = ui_text("Interface:")
    return f'<span class="fx-ui-toggle"><span{attrs}>{text}</span> {buttons}</span>'



def page_scope(module, notes: list[LineNote] | None, function: str | None = None):
    """The rendered lines of the page (the file or one function) and the notes
    that fall on them."""
    rendered = render_lines(module, function)
    return rendered, [n for n in (notes or []) if rendered.first_line <= n.line <= rendered.last_line]


def page_html(module, notes: list[LineNote] | None = None, *, function: str | None = None,
              title: str | None = None) -> str:
    """The whole page as one string (escaped throughout)."""
    rendered, notes = page_scope(module, notes, function)
    line_count = rendered.last_line - rendered.first_line + 1
    label = module.label or "source"
    title = title or f"kernel/fork.c — {label}"
    index = " ".join(
        f'<a href="#L{fn.start_line}">{esc(fn.name)}</a>'
        for fn in sorted(module.functions.values(), key=lambda f: f.start_byte)
        if rendered.first_line <= fn.start_line <= rendered.last_line and (
            fn.kind == "syscall" or fn.name in ("copy_process",) + FORK_ENTRIES
            or function))
    langs = languages_present(notes)     # ja, en, and the languages of the notes on this page
    toggle = "".join(
        f'<label><input type="radio" name="fx-lang" value="{esc(v)}"{" checked" if v == "both" else ""}> '
        + (f'<span{ui_text(t)[0]}>{esc(t)}</span>' if v == "both" and len(langs) > 3 else esc(t))
        + '</label> '
        for v, t in switch_choices(langs))
    commentary = ui_text("Commentary:")
    counts_attrs, counts = ui_text("{notes} notes · {lines} lines · form {form}", notes=len(notes),
                                   lines=line_count, form=module.form)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'">
<title>{esc(title)}</title>
<style>{page_css(langs)}{PAGE_CSS_EXTRA}</style></head>
<body class="fx-both">
<header><h1>{esc(title)}</h1>
<span class="fx-toggle"><span{commentary[0]}>{commentary[1]}</span> {toggle}</span>
<span class="fx-counts"{counts_attrs}>{counts}</span>
{ui_toggle()}
<nav class="fx-index">{index}</nav></header>
<main>
{source_table(rendered, notes, note_column=True, langs=langs)}
</main>
<script>{TOGGLE_JS}</script>
</body></html>
"""


def export(module, out_dir: str | os.PathLike, notes: list[LineNote] | None = None, *,
           function: str | None = None) -> Path:
    """Write DIR/index.html (creating DIR); returns the page's path."""
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise ExplorerError("{out} exists and is not a directory", out=out)
    try:
        out.mkdir(parents=True, exist_ok=True)
        page = out / "index.html"
        page.write_text(page_html(module, notes, function=function), encoding="utf-8")
    except OSError as e:
        raise ExplorerError("cannot write {out}: {strerror}", out=out, strerror=e.strerror) from None
    return page
