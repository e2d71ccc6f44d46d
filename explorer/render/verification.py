"""The 'checked against Linux X.Y.Z' badge of a version (from explorer.verify's result)."""
from __future__ import annotations

from ..i18n import translator
from . import esc


def badge_text(result: dict | None, lang: str | None = None) -> str:
    """One line for people, or '' when the version was never verified."""
    if not result:
        return ""
    modes = result["modes"]
    agree = sum(m["agree"] for m in modes.values())
    total = sum(m["total"] for m in modes.values())
    per = ", ".join(f"{name} {m['agree']}/{m['total']}" for name, m in modes.items())
    k = result["kernel"]
    upstream = k["version"].split("-")[0]     # 6.1.192-3 -> 6.1.192
    return translator(lang)("checked against Linux {upstream} ({package} {version}): {agree}/{total} agree ({per})").format(
        upstream=upstream, package=k["package"], version=k["version"], agree=agree, total=total, per=per)


def badge_html(result: dict | None, lang: str | None = None) -> str:
    if not result:
        return ""
    ok = all(not m["disagree"] for m in result["modes"].values())
    _ = translator(lang)
    rows = "".join("<li>" + esc(_("{names}: kernel {kernel}, executor {executor} ({function} line {line})").format(
                   names=d["names"], kernel=d["kernel"], executor=d["executor"], function=d["function"],
                   line=d["line"])) + "</li>"
                   for m in result["modes"].values() for d in m["disagree"][:10])
    colour = "#e6f4ea" if ok else "#fdecea"
    return (f'<div class="fx-verified" data-ok="{str(ok).lower()}" style="background:{colour};'
            f'padding:2px 8px;display:inline-block;border-radius:4px">{esc(badge_text(result, lang))}'
            + (f"<ul>{rows}</ul>" if rows else "") + "</div>")
