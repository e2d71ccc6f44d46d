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

Sentences the library makes (an error, a note of the executor, a reason in a
record) are ``Message``s: the msgid and its values, said in a language only
when a reader reads them.  ``tell(thing, _)`` says a Message, an ExplorerError
or plain text in the language of ``_``.
"""
from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping

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


def _as_is(msgid: str, context: str = "") -> str:
    return msgid


class Message:
    """A sentence kept as its msgid (English, with ``{name}`` placeholders, the
    catalogues' key) and the values to put in it, so that it can be said in any
    interface language after it was made.

        m = Message("{label} defines no {entry!r}", label="v2.6.32.69", entry="kernel_clone")
        str(m)            -> the English sentence, exactly as an f-string made it before
        m.in_lang("ja")   -> the Japanese of ja.po, filled with the same values

    Values that are code (function names, labels, hex bits, paths) are put in as
    they are; a value that is itself words is a Message (or an ExplorerError) and
    is said in the same language.  With no values the msgid is the text (braces
    in it are literal), as gettext callers expect.
    """
    __slots__ = ("msgid", "values")

    def __init__(self, msgid: str, /, **values: Any):
        self.msgid = msgid
        self.values = values

    def say(self, _: Callable[..., str]) -> str:
        """The sentence in the language of a translator ``_``."""
        text = _(self.msgid)
        if not self.values:
            return text
        return text.format(**{k: tell(v, _) if hasattr(v, "say") else v for k, v in self.values.items()})

    def english(self) -> str:
        """The msgid filled in: the library's own words (not en.po's), what str() gives."""
        return self.say(_as_is)

    def in_lang(self, lang: str | None) -> str:
        return self.say(translator(lang))

    def to_json(self) -> dict:
        """{"id": msgid, "values": {...}} (a value that is a Message nests the same way)."""
        return {"id": self.msgid, "values": {k: _json_value(v) for k, v in self.values.items()}}

    @classmethod
    def from_json(cls, doc: Mapping) -> "Message":
        return cls(doc["id"], **{k: cls.from_json(v) if _is_message_json(v) else v
                                 for k, v in (doc.get("values") or {}).items()})

    def __str__(self) -> str:
        return self.english()

    def __repr__(self) -> str:
        return f"Message({self.msgid!r}, **{self.values!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Message) and (self.msgid, self.values) == (other.msgid, other.values)

    def __hash__(self) -> int:
        return hash((self.msgid, self.english()))


def _json_value(value: Any) -> Any:
    if isinstance(value, Message):
        return value.to_json()
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)          # a path, an OS error: said as they print


def _is_message_json(value: Any) -> bool:
    return isinstance(value, Mapping) and set(value) == {"id", "values"}


def tell(thing: Any, _: Callable[..., str]) -> str:
    """What a reader is told of ``thing`` in the language of ``_``: a Message or an
    ExplorerError said there, a record's {"id", "values"} likewise, plain text looked
    up in the catalogue (an unconverted sentence is its own English)."""
    if hasattr(thing, "say"):
        return thing.say(_)
    if _is_message_json(thing):
        return Message.from_json(thing).say(_)
    return _(str(thing))
