"""Which language a note's prose is in: Japanese, Chinese or English.

Han characters alone do not say Japanese: Chinese reading notes are written
in them too.  What tells the two apart is kana: Japanese prose always has
hiragana or katakana, Chinese never does.  So, by the letters of the text:

- kana present                          -> ja
- Han characters, no kana               -> zh
- Latin letters only                    -> en
- none of these (Hangul, Cyrillic...)   -> undecidable: the caller falls back
  to --lang, or refuses with one line saying so.

A note's language is decided on all its prose together (kana anywhere is
Japanese; a few Han words in English prose do not make it Chinese).  Each
piece (a block's introduction, a comment the author put inside the code) is
decided on its own, with the note's language for what has no letters, and
for a short Han-only phrase in a Japanese note ("引数確認" is good Japanese
too) unless it uses characters only Chinese writes.
"""
from __future__ import annotations

import re

from ..errors import NoteError

_KANA = re.compile("[\u3040-\u309f\u30a0-\u30ff\u31f0-\u31ff\uff66-\uff9f]")
_HAN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN = re.compile("[A-Za-z\u00c0-\u024f]")
_OTHER_LETTER = re.compile(r"[^\W\d_A-Za-z\u00c0-\u024f\u3040-\u30ff\u31f0-\u31ff\uff66-\uff9f"
                           "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
# Simplified characters (and particles) Japanese does not use: a Han-only
# phrase holding one of them is Chinese even inside a Japanese note.
_ONLY_CHINESE = set("这们进过个为没说对时么吗呢还让给从应该调创释块检查则复资线标")
SHORT_HAN = 8            # a Han-only phrase this short inside a Japanese note stays Japanese
# code words in prose (`copy_process`, CLONE_VM, do_fork()) are no language's words
_CODE_WORD = re.compile(r"`[^`\n]*`|\b\w*_\w*\b|\b[A-Z][A-Z0-9]+\b|\b\w+\(\)")


def _counts(text: str) -> tuple[int, int, int, int]:
    return (len(_KANA.findall(text)), len(_HAN.findall(text)), len(_LATIN.findall(text)),
            len(_OTHER_LETTER.findall(text)))


def detect(text: str) -> str | None:
    """ja, zh, en or None (no letters this module can tell) for one text."""
    kana, han, _latin, other = _counts(text)
    if kana:
        return "ja"
    # Code words (`copy_process`, CLONE_VM) in Chinese or Korean prose are no
    # English: only the Latin letters of the prose itself count
    prose_latin = len(_LATIN.findall(_CODE_WORD.sub(" ", text)))
    if han:
        return "zh" if han * 3 >= prose_latin or prose_latin < 20 else "en"
    if prose_latin and prose_latin >= other:
        return "en"
    return None


def note_language(prose: str, path: str | None = None) -> str:
    """The language of a note's prose as a whole; NoteError when it cannot be told.
    A note with no prose at all is English (the only words written for it are ours)."""
    if not prose.strip() or not any(ch.isalpha() for ch in prose):
        return "en"
    lang = detect(prose)
    if lang is None:
        raise NoteError("cannot tell the language of this note's prose (it has no kana, Han or Latin "
                        "letters); pass --lang with its language tag, e.g. --lang ko", path=path)
    return lang


def language_of(text: str, default: str = "en") -> str:
    """The language of one piece of a note; `default` (the note's language)
    for text with no letters to go by, and for a short Han-only phrase in a
    Japanese note."""
    lang = detect(text)
    if lang is None:
        return default
    if lang == "zh" and default == "ja":
        han = _HAN.findall(text)
        if len(han) <= SHORT_HAN and not any(ch in _ONLY_CHINESE for ch in han):
            return "ja"
    return lang
