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

from ..i18n import translator
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


def _head(col: list[str], names: dict, _) -> str:
    name = names.get(col[0]) or "—"
    if len(col) == 1:
        title = _("{function} in {version}").format(function=name, version=col[0])
        return (f'<th data-first="{esc(col[0])}" title="{esc(title)}">{esc(col[0])}<br>'
                f'<small>{esc(name)}</small></th>')
    title = _("{function} in {count} versions: {versions}").format(function=name, count=len(col),
                                                                     versions=_listed(col))
    return (f'<th class="run" data-first="{esc(col[0])}" data-last="{esc(col[-1])}" data-count="{len(col)}" '
            f'title="{esc(title)}">{esc(col[0])}<br><span class="to">– {esc(col[-1])}</span><br>'
            f'<small>{esc(_("{count} versions").format(count=len(col)))} · {esc(name)}</small></th>')


def _cell(g: dict, col: list[str], _) -> str:
    lb = col[0]                      # within a column nothing changes: its first version speaks for it
    c = g["present"][lb]
    st = c["status"]
    where = span_text(col)
    if st == "absent":
        title = _("absent in {version}").format(version=where)
        return f'<td class="absent" title="{esc(title)}">{STATUS_MARK[st]}</td>'
    title = _("{function} line {line}").format(function=c.get("function"), line=c["line"]) \
        + f' ({lb}): if {c["condition"]} -> {c.get("exit")}'
    if len(col) > 1:
        lines = {g["present"][x]["line"] for x in col}
        title += "; " + _("same check in {versions}").format(versions=where)
        if len(lines) > 1:
            title += ", " + _("lines {first}–{last}").format(first=min(lines), last=max(lines))
    release = ""
    if st == "changed":
        title += "; " + _("changed in {version}").format(version=lb) + ", " + _("was:") \
            + f' {c.get("previous_condition")}' + (f', {c["previous_errno"]}' if c.get("previous_errno") else "")
        release = f'<span class="when">~ {esc(lb)}</span>'
    elif c.get("new"):
        title += "; " + _("first in {version}").format(version=lb)
        release = f'<span class="when">+ {esc(lb)}</span>'
    new = " new" if c.get("new") else ""
    return (f'<td class="{st}{new}" title="{esc(title)}"><a href="#L{c["line"]}" data-label="{esc(lb)}" '
            f'data-line="{c["line"]}">{c["line"]}{release}</a></td>')


def _row_head(g: dict, labels: list[str], _) -> str:
    last_lb = next((lb for lb in reversed(labels) if g["present"][lb]["status"] != "absent"), None)
    last = g["present"][last_lb] if last_lb else {}
    cond = f'<code>{esc(last.get("condition", ""))}</code>'
    if last_lb and last.get("line"):
        # the guard itself opens where it is last seen (the newest version that has it)
        cond = (f'<a href="#L{last["line"]}" data-label="{esc(last_lb)}" data-line="{last["line"]}" '
                f'title="{esc(last_lb)} line {last["line"]}">{cond}</a>')
    when = esc(g["first"]) if g["first"] == g["last"] else f'{esc(g["first"])} – {esc(g["last"])}'
    if g["changes"]:
        releases = ", ".join(f'<b>{esc(ch["label"])}</b>' for ch in g["changes"])
        when += " · " + esc(_("changed in {version}")).replace("{version}", releases)
    return (f'<th class="cond">{cond} <span class="errno">-{esc(g["errno"])}</span><br>'
            f'<small class="span">{when}</small></th>')


def matrix_html(hist: dict, lang: str | None = None, fold: bool | None = None) -> str:
    """The matrix, its titles and legend in the interface language `lang`;
    fold=False gives one column per version, True folds, None (the default)
    folds only beyond FOLD_ABOVE versions."""
    _ = translator(lang)
    labels = hist["versions"]
    names = hist.get("names", {})
    if fold is None:
        fold = len(labels) > FOLD_ABOVE
    cols = fold_columns(hist) if fold else [[lb] for lb in labels]
    head = "".join(_head(col, names, _) for col in cols)
    rows = []
    for g in hist["guards"]:
        cells = "".join(_cell(g, col, _) for col in cols)
        rows.append(f'<tr data-guard="{esc(g["id"])}">{_row_head(g, labels, _)}{cells}</tr>')
    folded = len(cols) < len(labels)
    summary = (_("{versions} versions in {columns} columns: a column holds the versions in which no check "
                 "changed, labelled with its first and last release.") if folded else
               _("{versions} versions.")).format(versions=len(labels), columns=len(cols))
    legend = (f'<p class="legend"><span class="same">= {esc(_("same"))}</span> '
              f'<span class="changed">~ {esc(_("changed"))}</span> '
              f'<span class="absent">· {esc(_("absent"))}</span> <span class="summary">{esc(summary)}</span></p>')
    return (f'<table class="fx-matrix" data-function="{esc(hist["function"])}" data-versions="{len(labels)}" '
            f'data-columns="{len(cols)}"><thead><tr><th class="cond">{esc(_("guard"))} ({esc(hist["function"])})</th>'
            f'{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>{legend}')
