"""The languages commentary is shown in: Japanese and English, the shipped
pair, always (a missing one reads "untranslated"), then any other language a
note is written in (zh for a Chinese reading note, ko, pt-BR...), shown only
where a note has it.  The language switches of the app and the static page
offer exactly these."""
from __future__ import annotations

import re

from ..i18n import N_

SHIPPED = ("ja", "en")
_NAMES = {"ja": "日本語", "en": "English", "zh": "中文", "zh-Hans": "简体中文", "zh-Hant": "繁體中文",
          "ko": "한국어", "de": "Deutsch", "fr": "Français", "es": "Español", "ru": "Русский",
          "pt": "Português", "pt-BR": "Português (Brasil)", "it": "Italiano"}
_MISSING = {"ja": "(未翻訳)", "zh": "(未翻译)"}


def missing_text(tag: str) -> str:
    """What stands where a note has no text in a language."""
    return _MISSING.get(re.split(r"[-_]", tag)[0], "(untranslated)")


def lang_name(tag: str) -> str:
    """The language's own name for a switch button (the tag itself when unknown)."""
    norm = tag.replace("_", "-")
    return _NAMES.get(norm) or _NAMES.get(re.split(r"[-_]", norm)[0]) or tag


def languages_present(notes) -> list[str]:
    """ja, en, then the other languages of `notes` (render.Note) in first-seen order."""
    out = list(SHIPPED)
    for n in notes:
        for lang in n.other:
            if lang not in out:
                out.append(lang)
    return out


def switch_choices(langs: list[str], _=None) -> list[tuple[str, str]]:
    """(value, label) of the language switch: all at once, then each language.
    `_` translates the interface's words (explorer.i18n.translator)."""
    both = " + ".join(lang_name(lang) for lang in langs) if len(langs) <= 3 else (
        _ or (lambda s: s))(N_("All languages"))
    return [("both", both)] + [(lang, lang_name(lang)) for lang in langs]


def css_class(lang: str) -> str:
    """A CSS class for a language's text (fx-ja, fx-zh-Hant)."""
    return "fx-" + re.sub(r"[^A-Za-z0-9-]", "-", lang)
