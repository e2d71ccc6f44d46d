"""Small helpers the reading-group notebooks share: pick a version that is
fetched, and say clearly (not with a traceback) when none is."""
from __future__ import annotations

from IPython.display import HTML, display

from .. import load, sources
from ..errors import ExplorerError
from ..render import esc


def say(text: str, kind: str = "note") -> None:
    """A visible message in the notebook (escaped)."""
    colour = {"note": "#f3f7ff", "missing": "#fff4e5"}.get(kind, "#f6f6f6")
    display(HTML(f'<div class="fx-say fx-say-{esc(kind)}" style="background:{colour};padding:6px 10px;'
                 f'border-left:4px solid #999">{esc(text)}</div>'))


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
        say("Left out here: " + "; ".join(
            f"{m.label} ({'no fork entry' if m.fork_entry is None else 'no copy_process in this file'})"
            for m in left))
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
                say(f"{label}: {e}", "missing")
    wanted = ", ".join(labels) or "any version"
    if labels:
        say(f"{wanted} not fetched: run 'fork-explorer sources sync {labels[0]}' "
            "(it needs a local linux git clone or network access).", "missing")
    usable = runnable_modules(quiet=True) if fallback else []
    if usable:
        say(f"Using {usable[-1].label} instead.")
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
