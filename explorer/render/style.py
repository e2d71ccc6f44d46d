"""The CSS shared by the widgets and the static page (no web fonts: the
reader's installed fonts, with Noto CJK named first for Japanese)."""
from __future__ import annotations

from .langs import SHIPPED, css_class
from .source import pygments_css

CJK_FONTS = '"Noto Sans CJK JP", "Noto Sans JP", "Hiragino Sans", "Yu Gothic", "IPAexGothic", sans-serif'
# Chinese text in Chinese glyph forms (the same code points draw differently in a JP font)
CJK_FONTS_ZH = '"Noto Sans CJK SC", "Noto Sans SC", "PingFang SC", "Microsoft YaHei", sans-serif'

BASE_CSS = """
.fx-src { border-collapse: collapse; font-family: "DejaVu Sans Mono", "Noto Sans Mono CJK JP", monospace;
  font-size: 12.5px; line-height: 1.45; tab-size: 8; -moz-tab-size: 8; width: 100%;
  table-layout: fixed; }  /* fixed: column widths from the first row, not from measuring 3000+ rows */
.fx-src td.ln { width: 4.2em; } .fx-src td.gut { width: 2.2em; }
.fx-src td { padding: 0 6px; vertical-align: top; }
.fx-src td.ln { text-align: right; color: #888; user-select: none; white-space: nowrap; }
.fx-src td.ln a { color: inherit; text-decoration: none; }
.fx-src td.gut { white-space: nowrap; color: #d08a00; cursor: pointer; overflow: hidden; }
/* a long line wraps inside its pane (a continuation stays in its row): never cut,
   no sideways scroll */
.fx-src td.code { white-space: pre-wrap; overflow-wrap: anywhere; }
.fx-src tr:target td, .fx-src tr.fx-sel td { background: #fff3b0; }
.fx-src tr.fx-x td.code { background: #e3f6e3; }
.fx-src tr.fx-x td.ln { color: #227722; font-weight: bold; }
.fx-src tr.fx-decide td { background: #ffd6d6 !important; }
.fx-src tr.fx-decide td.ln::before { content: "\\25B6 "; color: #c00; }
.fx-src tr.fx-cause td { background: #ffe3c2 !important; }
.fx-src tr.fx-cause td.ln::before { content: "? "; color: #c60; }
.fx-src tr.fx-step td { outline: 2px solid #3a6df0; outline-offset: -2px; }
.fx-src tr.fx-jump td.ln { background: #3a6df0; color: #fff; }  /* where a jump landed */
.fx-src tr.fx-seln td.code { box-shadow: inset 3px 0 0 #d08a00; }
.fx-src tr.fx-seln-top td.code { border-top: 2px solid #d08a00; }
.fx-src tr.fx-seln-bot td.code { border-bottom: 2px solid #d08a00; }
.fx-src tr.fx-hov-top td.code { border-top: 1px solid #3a6df0; }
.fx-src tr.fx-hov-bot td.code { border-bottom: 1px solid #3a6df0; }
.fx-src tr.fx-hov td.code { box-shadow: inset 2px 0 0 #3a6df0; }
.fx-mark.fx-exact { color: #2b8a3e; } .fx-mark.fx-moved { color: #d08a00; }
.fx-mark.fx-fuzzy { color: #c2410c; } .fx-mark.fx-absent, .fx-mark.fx-orphaned { color: #999; }
.fx-note { font-family: __CJK__; white-space: pre-wrap; font-size: 13px; border-left: 3px solid #d08a00;
  padding: 2px 8px; margin: 2px 0; background: #fffaf0; }
.fx-note .fx-status { font-size: 11px; color: #a33; }
.fx-ja { font-family: __CJK__; }
.fx-tx:lang(zh), .fx-note-view :lang(zh), .fx-edit-src :lang(zh) { font-family: __CJK_ZH__; }
.fx-missing { color: #999; font-style: italic; }
.fx-both .fx-tx { display: block; }
.fx-both .fx-tx.fx-extra { display: none; }
.fx-side { display: grid; grid-template-columns: repeat(auto-fit, minmax(12em, 1fr)); gap: 8px; }
.fx-matrix { border-collapse: collapse; font-size: 12px; }
.fx-matrix td, .fx-matrix th { border: 1px solid #ccc; padding: 2px 6px; }
.fx-matrix td.same { background: #e3f6e3; } .fx-matrix td.changed { background: #fff0b3; }
.fx-matrix td.absent { background: #eee; color: #999; }
""".replace("__CJK_ZH__", CJK_FONTS_ZH).replace("__CJK__", CJK_FONTS)


def lang_switch_css(langs) -> str:
    """Rules that show one language at a time (body class fx-lang-<tag>), for
    the languages a page offers; class fx-both shows them all."""
    return "".join(f".fx-lang-{css_class(lang)[3:]} .fx-tx:not(.{css_class(lang)}) {{ display: none; }}\n"
                   for lang in langs)


def page_css(langs=SHIPPED) -> str:
    return BASE_CSS + lang_switch_css(langs) + pygments_css()


# The app's page (Voila): one screen, no page scroll.  The source pane takes what the
# header, the tab bars and the tools panel leave; each part scrolls inside itself.
APP_CSS = """
body[data-voila] { padding: 0 !important; margin: 0; overflow-x: hidden; }
body[data-voila] #rendered_cells .jp-Cell, body[data-voila] #rendered_cells .jp-OutputArea-child,
body[data-voila] #rendered_cells .jp-OutputArea-output { padding: 0; margin: 0; }
body[data-voila] #rendered_cells .jp-OutputPrompt { display: none; }
body[data-voila] .jp-LabShell .lm-BoxPanel-child { padding: 0; }
body[data-voila] #rendered_cells .jp-Cell-outputWrapper { margin: 0; }
.fx-app { --fx-tools-h: 33vh; --fx-chrome-h: 186px; box-sizing: border-box; width: 100%; max-width: 100vw;
  padding: 2px 8px 0; overflow-x: hidden; }
.fx-app .fx-header { align-items: center; flex-wrap: wrap; gap: 0 14px; min-height: 34px; }
.fx-app .fx-header .fx-brand { font-weight: bold; font-size: 15px; white-space: nowrap; }
.fx-app .fx-header .fx-version-picker .widget-html { margin: 0; }
.fx-app { position: relative; }
/* The ready marker ends the header line, in the flow: fixed in a corner it covered the last flag
   of the playground at 1440x900, and placed over the header it covered Go to at 1024 px.  In the
   flow it covers nothing; at 1024 px it ends the header's second line, beside the language switch. */
.fx-app .fx-ready-box { font-size: 11px; color: #777; margin: 0 0 0 auto; white-space: nowrap; height: auto;
  align-self: center; }
.fx-app .fx-ready-box .widget-html-content { height: auto; line-height: 14px; }   /* no taller than the switch beside it */
.fx-app .fx-app-msg:empty, .fx-app .fx-app-msg .widget-html-content:empty { display: none; }
.fx-app .fx-tabs, .fx-app .fx-tools { width: 100%; min-width: 0; }
.fx-app .fx-tabs > .widget-tab-contents, .fx-app .fx-tabs > .lm-TabPanel-stackedPanel { padding: 4px 0;
  overflow-x: hidden; position: relative; }
/* The Read tab, when another tab is in front, stays laid out (hidden, not display: none):
   coming back to it (a matrix cell, a guard) then costs no new layout of 3,000+ rows, and
   the pane keeps its scroll position and can be scrolled to a line while hidden. */
.fx-app .fx-tabs > .widget-tab-contents > .fx-read.lm-mod-hidden {
  display: flex !important; visibility: hidden; position: absolute; top: 4px; left: 0; right: 0;
  height: 0; overflow: hidden; pointer-events: none; }
.fx-app .fx-read, .fx-app .fx-diffview, .fx-app .fx-tn { padding: 0 6px; box-sizing: border-box; }
.fx-app .fx-read { width: 100%; min-width: 0; }
.fx-app .fx-read .fx-view { width: 100%; }
.fx-app .fx-read .fx-view .fx-body { grid-template-columns: minmax(0, 2.3fr) minmax(200px, 1fr); }
.fx-app .fx-read .fx-view .fx-scroll, .fx-app .fx-read .fx-view .fx-panel {
  height: calc(100vh - var(--fx-tools-h) - var(--fx-chrome-h)); max-height: none; min-height: 240px; }
.fx-app .fx-tools > .widget-tab-contents, .fx-app .fx-tools > .lm-TabPanel-stackedPanel {
  height: var(--fx-tools-h); overflow: auto !important; padding: 2px 6px; box-sizing: border-box; }
.fx-app .fx-diffview, .fx-app .fx-tn { max-width: 100%; min-width: 0; }
/* what the run decided, first in the panel: in sight while flags are ticked below it */
.fx-app .fx-tools .fx-playground > .fx-outcome { order: -2; }
.fx-app .fx-tools .fx-playground > .fx-step-info { order: -1; }
"""
