"""The 'checked against Linux X.Y.Z' badge of a version (from explorer.verify's result)."""
from __future__ import annotations

from . import esc


def badge_text(result: dict | None) -> str:
    """One line for people, or '' when the version was never verified."""
    if not result:
        return ""
    modes = result["modes"]
    agree = sum(m["agree"] for m in modes.values())
    total = sum(m["total"] for m in modes.values())
    per = ", ".join(f"{name} {m['agree']}/{m['total']}" for name, m in modes.items())
    k = result["kernel"]
    upstream = k["version"].split("-")[0]     # 6.1.192-3 -> 6.1.192
    return f"checked against Linux {upstream} ({k['package']} {k['version']}): {agree}/{total} agree ({per})"


def badge_html(result: dict | None) -> str:
    if not result:
        return ""
    ok = all(not m["disagree"] for m in result["modes"].values())
    rows = "".join(f"<li>{esc(d['names'])}: kernel {esc(d['kernel'])}, executor {esc(d['executor'])} "
                   f"({esc(d['function'])} line {esc(d['line'])})</li>"
                   for m in result["modes"].values() for d in m["disagree"][:10])
    colour = "#e6f4ea" if ok else "#fdecea"
    return (f'<div class="fx-verified" data-ok="{str(ok).lower()}" style="background:{colour};'
            f'padding:2px 8px;display:inline-block;border-radius:4px">{esc(badge_text(result))}'
            + (f"<ul>{rows}</ul>" if rows else "") + "</div>")
