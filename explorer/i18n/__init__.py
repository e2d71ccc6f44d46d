"""The interface's own words, in Japanese and English, through gettext catalogues.

The notes have their own languages (explorer.notes.languages); this module is
for the labels, buttons and messages of the app, the notebooks' widgets and the
static page.  Source strings are English msgids; each interface language has a
PO catalogue beside this file (``ja.po``, ``en.po``), read at run time with
polib so that a translator's edit shows on the next load without a build step.
``msgfmt --check`` keeps the catalogues honest in the tests.

    _ = translator("ja")
    _("Clone flags")            -> the Japanese label, or the msgid if untranslated

Mark strings that are translated later (module constants) with ``N_``.
"""
from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Callable, Iterable, Mapping

import polib

CATALOGUE_DIR = Path(__file__).parent
UI_LANGS = ("en", "ja")          # the first is the fallback
DEFAULT_LANG = UI_LANGS[0]


def N_(msgid: str) -> str:
    """Mark a string for the catalogue without translating it yet."""
    return msgid


def catalogue_path(lang: str) -> Path:
    return CATALOGUE_DIR / f"{lang}.po"


@lru_cache(maxsize=None)
def _messages(lang: str) -> dict[tuple[str, str], str]:
    path = catalogue_path(lang)
    if not path.exists():
        return {}
    out: dict[tuple[str, str], str] = {}
    for entry in polib.pofile(str(path)):
        if entry.msgstr and not entry.obsolete and "fuzzy" not in entry.flags:
            out[(entry.msgctxt or "", entry.msgid)] = entry.msgstr
    return out


def ui_language(preferred: str | Iterable[str] | None) -> str:
    """The interface language for a browser's preferences.

    ``preferred`` is ``navigator.languages`` (a list), one tag, or an
    Accept-Language header ("ja-JP,ja;q=0.9,en;q=0.8").  The first tag whose
    primary subtag we have wins; anything else gets English.
    """
    if preferred is None:
        return DEFAULT_LANG
    if isinstance(preferred, str):
        preferred = [part.split(";")[0] for part in preferred.split(",")]
    for tag in preferred:
        primary = str(tag).strip().lower().replace("_", "-").split("-")[0]
        if primary in UI_LANGS:
            return primary
    return DEFAULT_LANG


# Where a process that has no browser (a notebook's kernel, the CLI) reads its
# interface language: our own variable first, then the locale as gettext reads it.
LANG_VARIABLES = ("FORK_EXPLORER_LANG", "LC_ALL", "LC_MESSAGES", "LANG")


def environment_language(environ: Mapping[str, str] | None = None) -> str:
    """The interface language of this process: the first of FORK_EXPLORER_LANG,
    LC_ALL, LC_MESSAGES, LANG that is set ("ja", "ja_JP.UTF-8", "en-GB"), read as
    ui_language reads a browser's tag; English when none is set or none is ours
    ("C.UTF-8", "de_DE")."""
    env = os.environ if environ is None else environ
    for name in LANG_VARIABLES:
        value = (env.get(name) or "").strip()
        if value:
            return ui_language(value.split(".")[0].split("@")[0])
    return DEFAULT_LANG


def translator(lang: str | None) -> Callable[..., str]:
    """``_(msgid, context="")`` for one interface language; unknown languages get English."""
    lang = lang if lang in UI_LANGS else DEFAULT_LANG
    messages = _messages(lang)

    def _(msgid: str, context: str = "") -> str:
        return messages.get((context, msgid), msgid)

    return _


def reload_catalogues() -> None:
    """Forget the loaded catalogues (after a translator edits a PO file)."""
    _messages.cache_clear()
