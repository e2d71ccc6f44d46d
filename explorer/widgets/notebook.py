"""Small helpers the reading-group notebooks share: pick a version that is
fetched, and say clearly (not with a traceback) when none is.  What they say
is in the notebook's interface language (explorer.i18n.environment_language:
FORK_EXPLORER_LANG, else the locale); the notebooks' prose stays English."""
from __future__ import annotations

from IPython.display import HTML, display

from .. import load, sources
from ..errors import ExplorerError
from ..i18n import Message, environment_language, translator
from ..render import esc


def language() -> str:
    """The interface language this notebook's kernel runs in."""
    return environment_language()


def say_html(text: str, kind: str = "note", lang: str | None = None, **values) -> str:
    """The HTML of say(): `text` is an English msgid of the interface catalogues,
    translated into `lang` (default: the notebook's), then its {placeholders} filled
    from `values` (an ExplorerError or a Message among them said in the same language).
    A text that is no msgid (already translated) is said as is."""
    said = Message(text, **values).say(translator(language() if lang is None else lang))
    colour = {"note": "#f3f7ff", "missing": "#fff4e5"}.get(kind, "#f6f6f6")
    return (f'<div class="fx-say fx-say-{esc(kind)}" style="background:{colour};padding:6px 10px;'
            f'border-left:4px solid #999">{esc(said)}</div>')


def say(text: str, kind: str = "note", **values) -> None:
    """A visible message in the notebook, in its language (escaped); see say_html."""
    display(HTML(say_html(text, kind, **values)))


def runnable(mod) -> bool:
    """A version the reading path can run: a fork entry and its copy_process
    (a user's do_fork-only excerpt has the entry but nothing behind it)."""
    return mod.fork_entry is not None and "copy_process" in mod.functions


def runnable_modules(quiet: bool = False) -> list:
    """The fetched versions with a fork entry and copy_process, in release
    order; the others are named with the reason, once, unless quiet."""
    mods, left = [], []
    for mod in available_modules():
        (mods if runnable(mod) else left).append(mod)
    if left and not quiet:
        _ = translator(language())
        say("Left out here: {versions}", versions="; ".join(
            (_("{label} (no fork entry)") if m.fork_entry is None else _("{label} (no copy_process in this file)"))
            .format(label=m.label) for m in left))
    return mods


def first_available(*labels: str, fallback: bool = True):
    """The Module of the first of `labels` that is fetched.  Otherwise, with
    fallback, the newest fetched version that can run the reading path
    (said so); None when nothing is fetched."""
    have = sources.available()
    for label in labels:
        if label in have:
            try:
                return load(label)
            except ExplorerError as e:
                say("{label}: {error}", "missing", label=label, error=e)
    if labels:
        say("{wanted} not fetched: run 'fork-explorer sources sync {first}' "
            "(it needs a local linux git clone or network access).", "missing", wanted=", ".join(labels),
            first=labels[0])
    usable = runnable_modules(quiet=True) if fallback else []
    if usable:
        say("Using {label} instead.", label=usable[-1].label)
        return usable[-1]
    if not have:
        say("No version of kernel/fork.c is fetched yet: run 'fork-explorer sources sync debian-6.12' "
            "(./dev.sh does it for you). The cells below skip their work until then.", "missing")
    return None


def available_modules(limit: int | None = None) -> list:
    """Every fetched version's Module, in release order."""
    labels = sources.available()
    if limit:
        labels = labels[-limit:]
    return [load(lb) for lb in labels]
