"""A reading position as a link, and back: `?version=LABEL&line=N`.

In a shared room on JupyterHub the leader's link goes through the hub's
user-redirect (/hub/user-redirect/voila/render/app.ipynb?...), which sends
each member to their own server; Voila hands the query string to the kernel it
starts for the page (QUERY_STRING), where App opens that version on that line.
`fork-explorer serve` starts its kernels before any page asks (pre-heated), so
there the link is not offered."""
from __future__ import annotations

import os
from urllib.parse import parse_qs, quote, urlencode

APP_PATH = "voila/render/app.ipynb"      # the app notebook under a member's server (deploy/jupyterhub_config.py)


def shared_position(query: str | None = None, _=lambda msgid: msgid) -> tuple[str | None, int | None, str]:
    """The position a link names: label, line and, for words that do not make
    a position, a one-line reason to show the reader (in the language of `_`)."""
    q = parse_qs(os.environ.get("QUERY_STRING", "") if query is None else query)
    label = (q.get("version") or [None])[0] or None
    raw = (q.get("line") or [None])[0]
    if raw is None:
        return label, None, ""
    if not raw.isdigit() or int(raw) < 1:
        return label, None, _("line={raw} in the link is not a line number").format(raw=repr(raw))
    return label, int(raw), ""


def hub_app_path(env=None) -> str | None:
    """The app's path for any member of the hub room this kernel runs in (on
    the hub's host, through /hub/user-redirect/ to the opener's own server; a
    page's own /user/NAME/ path would lead others to a server not theirs);
    None outside a hub."""
    env = os.environ if env is None else env
    if not env.get("JUPYTERHUB_USER"):
        return None
    base = env.get("JUPYTERHUB_BASE_URL") or "/"
    if not base.endswith("/"):
        base += "/"
    return f"{quote(base)}hub/user-redirect/{APP_PATH}"


def hub_link(params: dict, env=None) -> str | None:
    """hub_app_path with `params` as the query ({"version", "line"}; the tour
    panel's links use the same path for {"tour", "stop"})."""
    path = hub_app_path(env)
    return None if path is None else f"{path}?{urlencode(params)}"
