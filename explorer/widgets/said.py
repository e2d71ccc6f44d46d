"""What a widget has said on screen -- an error, a notice, a status line -- kept
as what to say rather than as finished words, so that a language switch says it
again in the reader's new language instead of leaving the old one there until
the reader's next action.

A *saying* is a function of a translator ``_`` that returns the text.  It is
built from data already there (the exception or its Message, a label, a file
path), so saying it again never reruns an analysis:

    self.said = Said(self.message, "<span class='fx-err'>{}</span>")
    self.said.say(telling(e))               # shown now, in the widget's language
    self.said.again(translator("ja"))       # set_lang: the same error, in Japanese
    self.said.clear()                       # nothing said

The widget writes its target only through its Said: a direct write would be
overwritten by the next ``again`` with an older saying.
"""
from __future__ import annotations

from typing import Callable

from ..i18n import tell, translator
from ..render import esc

Saying = Callable[[Callable[..., str]], str]


class Said:
    """The sayings shown in one widget's trait (an HTML widget's ``value`` by default).

    markup: the wrapper around an escaped text ("{}" is the text); a part may have its own.
    plain:  the trait shows text, not HTML (a front end that sets textContent): no
            escaping and no markup.
    """

    def __init__(self, widget, markup: str = "{}", *, trait: str = "value", plain: bool = False,
                 lang: str | None = None):
        self.widget, self.markup, self.trait, self.plain = widget, markup, trait, plain
        self._ = translator(lang)
        self.parts: list[tuple[Saying, str | None, bool]] = []   # (saying, its own markup, it gives HTML)

    def say(self, saying: Saying | None, markup: str | None = None, *, html: bool = False) -> None:
        """Say `saying` instead of what was said (None: say nothing).  html: the saying
        gives markup itself (it escapes what it puts in), wrapped only in a markup given here."""
        self.parts = []
        if saying is not None:
            self.add(saying, markup, html=html)
        else:
            self._show()

    def add(self, saying: Saying, markup: str | None = None, *, html: bool = False) -> None:
        """Say `saying` after what is already said (another line of the same message box)."""
        self.parts.append((saying, markup, html))
        self._show()

    def again(self, _: Callable[..., str]) -> None:
        """Say everything again in the language of `_` (the widget's set_lang)."""
        self._ = _
        self._show()

    def clear(self) -> None:
        self.say(None)

    def _show(self) -> None:
        out = []
        for saying, markup, html in self.parts:
            said = saying(self._)
            if not said:
                continue
            if self.plain:
                out.append(said)
                continue
            wrap = markup if markup is not None else (None if html else self.markup)
            body = said if html else esc(said)
            out.append(wrap.replace("{}", body) if wrap else body)
        setattr(self.widget, self.trait, "".join(out))


def telling(thing) -> Saying:
    """The saying of an error, a Message or a plain sentence (explorer.i18n.tell).  Kept
    as a value: a lambda in an ``except E as e`` block would lose ``e`` when the block ends."""
    return lambda _: tell(thing, _)
