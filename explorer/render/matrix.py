"""The history of a function's guards as a matrix: versions across in release
order, guards down, each cell coloured same / changed / absent and linking to
its line.  Input is explorer.diff.History.as_dict(); output is escaped HTML.

Over every release tag (100+ versions) one column per version is a wall of
identical cells, so beyond FOLD_ABOVE versions they are folded: a column holds a run of neighbouring
versions in which no guard appears, goes or changes and the function keeps
its name, and is labelled with its first and last release.  A column
therefore starts exactly where something happened, and each guard's row also
says in words where it is present and the releases where it changed.  The
table scrolls inside its own box (the guard column stays put), never the page.
"""
from __future__ import annotations

from .source import esc

STATUS_MARK = {"same": "=", "changed": "~", "absent": "·"}
# Up to this many versions each keeps its own column (each cell opens its own
# version's line); beyond it, a row of columns no longer reads at a glance.
FOLD_ABOVE = 16


def fold_columns(doc: dict) -> list[list[str]]:
    """The versions folded into columns: a new column starts where any guard
    appears, disappears or changes, or the function changes its name; the
    versions in between (often many tags of one file) share one column."""
    labels = doc["versions"]
    cols: list[list[str]] = []
    for i, lb in enumerate(labels):
        if i == 0:
            cols.append([lb])
            continue
        prev = labels[i - 1]
        moved = doc["names"].get(lb) != doc["names"].get(prev) or any(
            g["present"][lb]["status"] == "changed"
            or (g["present"][lb]["status"] == "absent") != (g["present"][prev]["status"] == "absent")
            for g in doc["guards"])
        if moved:
            cols.append([lb])
        else:
            cols[-1].append(lb)
    return cols


def span_text(labels: list[str]) -> str:
    """'v5.4.1 – v5.4.13' for a run, the label itself for one version."""
    return labels[0] if len(labels) == 1 else f"{labels[0]} – {labels[-1]}"


def _listed(labels: list[str], most: int = 12) -> str:
    """The versions of a column for a tooltip, shortened in the middle when long."""
    if len(labels) <= most:
        return ", ".join(labels)
    return ", ".join(labels[:most // 2]) + f", … ({len(labels) - most} more) …, " + ", ".join(labels[-most // 2:])


def _head(col: list[str], names: dict) -> str:
    name = names.get(col[0]) or "—"
    if len(col) == 1:
        return (f'<th data-first="{esc(col[0])}" title="{esc(name)} in {esc(col[0])}">{esc(col[0])}<br>'
                f'<small>{esc(name)}</small></th>')
    return (f'<th class="run" data-first="{esc(col[0])}" data-last="{esc(col[-1])}" data-count="{len(col)}" '
            f'title="{esc(name)} in {len(col)} versions: {esc(_listed(col))}">{esc(col[0])}<br>'
            f'<span class="to">– {esc(col[-1])}</span><br><small>{len(col)} versions · {esc(name)}</small></th>')


def _cell(g: dict, col: list[str]) -> str:
    lb = col[0]                      # within a column nothing changes: its first version speaks for it
    c = g["present"][lb]
    st = c["status"]
    where = span_text(col)
    if st == "absent":
        return f'<td class="absent" title="absent in {esc(where)}">{STATUS_MARK[st]}</td>'
    title = f'{c.get("function")} line {c["line"]} in {lb}: if {c["condition"]} -> {c.get("exit")}'
    if len(col) > 1:
        lines = {g["present"][x]["line"] for x in col}
        title += f' (same check in {where}' + (f', lines {min(lines)}–{max(lines)})' if len(lines) > 1 else ")")
    release = ""
    if st == "changed":
        title += f'; changed in {lb}, was: {c.get("previous_condition")}'
        title += f', {c["previous_errno"]}' if c.get("previous_errno") else ""
        release = f'<span class="when">~ {esc(lb)}</span>'
    elif c.get("new"):
        title += f"; first in {lb}"
        release = f'<span class="when">+ {esc(lb)}</span>'
    new = " new" if c.get("new") else ""
    return (f'<td class="{st}{new}" title="{esc(title)}"><a href="#L{c["line"]}" data-label="{esc(lb)}" '
            f'data-line="{c["line"]}">{c["line"]}{release}</a></td>')


def _row_head(g: dict, labels: list[str]) -> str:
    last = next((g["present"][lb] for lb in reversed(labels) if g["present"][lb]["status"] != "absent"), {})
    when = esc(g["first"]) if g["first"] == g["last"] else f'{esc(g["first"])} – {esc(g["last"])}'
    if g["changes"]:
        when += " · changed in " + ", ".join(f'<b>{esc(ch["label"])}</b>' for ch in g["changes"])
    return (f'<th class="cond"><code>{esc(last.get("condition", ""))}</code> '
            f'<span class="errno">-{esc(g["errno"])}</span><br><small class="span">{when}</small></th>')


def matrix_html(hist: dict, fold: bool | None = None) -> str:
    """The matrix; fold=False gives one column per version, True folds, None
    (the default) folds only beyond FOLD_ABOVE versions."""
    labels = hist["versions"]
    names = hist.get("names", {})
    if fold is None:
        fold = len(labels) > FOLD_ABOVE
    cols = fold_columns(hist) if fold else [[lb] for lb in labels]
    head = "".join(_head(col, names) for col in cols)
    rows = []
    for g in hist["guards"]:
        cells = "".join(_cell(g, col) for col in cols)
        rows.append(f'<tr data-guard="{esc(g["id"])}">{_row_head(g, labels)}{cells}</tr>')
    folded = len(cols) < len(labels)
    summary = (f'{len(labels)} versions in {len(cols)} columns: a column holds the versions in which no check '
               f'changed, labelled with its first and last release.' if folded else f"{len(labels)} versions.")
    legend = ('<p class="legend"><span class="same">= same</span> <span class="changed">~ changed (in the '
              'release shown)</span> <span class="absent">· absent</span> '
              f'<span class="summary">{esc(summary)}</span></p>')
    return (f'<table class="fx-matrix" data-function="{esc(hist["function"])}" data-versions="{len(labels)}" '
            f'data-columns="{len(cols)}"><thead><tr><th class="cond">guard ({esc(hist["function"])})</th>{head}'
            f'</tr></thead><tbody>{"".join(rows)}</tbody></table>{legend}')
