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


def first_available(*labels: str, fallback: bool = True):
    """The Module of the first of `labels` that is fetched.  Otherwise, with
    fallback, the oldest fetched version (said so); None when nothing is fetched."""
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
    if fallback and have:
        say(f"Using {have[0]} instead.")
        return load(have[0])
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
