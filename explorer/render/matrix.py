"""The history of a function's guards as a matrix: versions across in release
order, guards down, each cell coloured same / changed / absent and linking to
its line.  Input is explorer.diff.History.as_dict(); output is escaped HTML."""
from __future__ import annotations

from .source import esc

STATUS_MARK = {"same": "=", "changed": "~", "absent": "·"}


def matrix_html(hist: dict) -> str:
    labels = hist["versions"]
    names = hist.get("names", {})
    head = "".join(f'<th title="{esc(names.get(lb) or "absent")}">{esc(lb)}<br>'
                   f'<small>{esc(names.get(lb) or "—")}</small></th>' for lb in labels)
    rows = []
    for g in hist["guards"]:
        last_lb = next((lb for lb in reversed(labels) if g["present"][lb]["status"] != "absent"), None)
        last = g["present"][last_lb] if last_lb else {}
        cells = []
        for lb in labels:
            c = g["present"][lb]
            st = c["status"]
            if st == "absent":
                cells.append(f'<td class="absent" title="absent in {esc(lb)}">{STATUS_MARK[st]}</td>')
                continue
            title = f'{c.get("function")} line {c["line"]}: if {c["condition"]} -> {c.get("exit")}'
            if st == "changed":
                title += f' (was: {c.get("previous_condition")}'
                title += f', {c["previous_errno"]})' if c.get("previous_errno") else ")"
            new = " new" if c.get("new") else ""
            cells.append(f'<td class="{st}{new}" title="{esc(title)}"><a href="#L{c["line"]}" '
                         f'data-label="{esc(lb)}" data-line="{c["line"]}">{c["line"]}</a></td>')
        # the guard itself opens where it is last seen (the newest version that has it)
        cond = f'<code>{esc(last.get("condition", ""))}</code>'
        if last_lb and last.get("line"):
            cond = (f'<a href="#L{last["line"]}" data-label="{esc(last_lb)}" data-line="{last["line"]}" '
                    f'title="{esc(last_lb)} line {last["line"]}">{cond}</a>')
        rows.append(f'<tr data-guard="{esc(g["id"])}"><th class="cond">{cond}'
                    f' <span class="errno">-{esc(g["errno"])}</span></th>{"".join(cells)}</tr>')
    legend = ('<p class="legend"><span class="same">= same</span> <span class="changed">~ changed</span> '
              '<span class="absent">· absent</span></p>')
    return (f'<table class="fx-matrix" data-function="{esc(hist["function"])}"><thead><tr><th>guard '
            f'({esc(hist["function"])})</th>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>{legend}')
