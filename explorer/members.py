"""Who is reading: the name a note's author is recorded under.

In a shared room on JupyterHub (`fork-explorer hub`), each member's
single-user server runs with JUPYTERHUB_USER set to the name the member logged
in with, and every kernel it starts inherits it; that name is the author.
Outside a hub a reader may name themselves with FORK_EXPLORER_AUTHOR; else
notes carry no author (a note written alone needs none).
"""
from __future__ import annotations

import os

HUB_USER_ENV = "JUPYTERHUB_USER"
AUTHOR_ENV = "FORK_EXPLORER_AUTHOR"


def current_member(env=None) -> str | None:
    """The hub's member name, else FORK_EXPLORER_AUTHOR, else None."""
    env = os.environ if env is None else env
    for key in (HUB_USER_ENV, AUTHOR_ENV):
        name = (env.get(key) or "").strip()
        if name and "\n" not in name:
            return name
    return None
