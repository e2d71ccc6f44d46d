"""The history of a function's guards as a matrix: versions across in release
order, guards down, each cell coloured same / changed / absent and linking to
its line.  Input is explorer.diff.History.as_dict(); output is escaped HTML."""
from __future__ import annotations

from ..i18n import translator
from .source import esc

STATUS_MARK = {"same": "=", "changed": "~", "absent": "·"}


def matrix_html(hist: dict, lang: str | None = None) -> str:
    """The matrix, its titles and legend in the interface language `lang`."""
    _ = translator(lang)
    labels = hist["versions"]
    names = hist.get("names", {})
    head = "".join(f'<th title="{esc(names.get(lb) or _("absent"))}">{esc(lb)}<br>'
                   f'<small>{esc(names.get(lb) or "—")}</small></th>' for lb in labels)
    rows = []
    for g in hist["guards"]:
        last = next((g["present"][lb] for lb in reversed(labels) if g["present"][lb]["status"] != "absent"), {})
        cells = []
        for lb in labels:
            c = g["present"][lb]
            st = c["status"]
            if st == "absent":
                cells.append(f'<td class="absent" title="{esc(_("absent in {version}").format(version=lb))}">{STATUS_MARK[st]}</td>')
                continue
            title = _("{function} line {line}").format(function=c.get("function"), line=c["line"]) \
                + f': if {c["condition"]} -> {c.get("exit")}'
            if st == "changed":
                title += " (" + _("was:") + f' {c.get("previous_condition")}'
                title += f', {c["previous_errno"]})' if c.get("previous_errno") else ")"
            new = " new" if c.get("new") else ""
            cells.append(f'<td class="{st}{new}" title="{esc(title)}"><a href="#L{c["line"]}" '
                         f'data-label="{esc(lb)}" data-line="{c["line"]}">{c["line"]}</a></td>')
        rows.append(f'<tr data-guard="{esc(g["id"])}"><th class="cond"><code>{esc(last.get("condition", ""))}'
                    f'</code> <span class="errno">-{esc(g["errno"])}</span></th>{"".join(cells)}</tr>')
    legend = (f'<p class="legend"><span class="same">= {esc(_("same"))}</span> '
              f'<span class="changed">~ {esc(_("changed"))}</span> '
              f'<span class="absent">· {esc(_("absent"))}</span></p>')
    return (f'<table class="fx-matrix" data-function="{esc(hist["function"])}"><thead><tr><th>{esc(_("guard"))} '
            f'({esc(hist["function"])})</th>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>{legend}')
