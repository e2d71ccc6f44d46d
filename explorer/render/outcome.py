"""One run's outcome as HTML: what the entry was called with, ok or -errno,
where it was decided, and (given the module) the branch that caused it.

The flag playground and the both-versions playground of the Then and now tab
show the same thing for a Trace; this is the one place that draws it, in the
interface language of the `_` it is given (explorer.i18n.translator)."""
from __future__ import annotations

from typing import Callable

from ..errors import ExplorerError
from ..i18n import tell
from .source import esc


def _head(o, _: Callable[..., str]) -> str:
    if o.result == "ok":
        return f'<span class="fx-out fx-out-ok">{esc(_("success: pid {pid}").format(pid=o.value))}</span>'
    if o.result == "error":
        return f'<span class="fx-out fx-out-err">-{esc(o.errno)} ({esc(o.value)})</span>'
    reason = tell(o.said or o.reason, _)      # the executor's words, in the reader's language
    return f'<span class="fx-out fx-out-unknown">{esc(_("unknown: {reason}").format(reason=reason))}</span>'


def _why(trace, module, _: Callable[..., str]) -> str:
    """The branch that led to the error, with its line as the reader's file has it."""
    branch = trace.cause()
    if branch is None:
        return ""
    text = module.lines[branch.line - 1].strip()
    return (f'<div class="fx-why">{esc(_("because line {line}:").format(line=branch.line))} '
            f'<code>{esc(text)}</code>' + (f" → {esc(branch.detail)}" if branch.detail else "") + "</div>")


def outcome_html(trace, table, _: Callable[..., str], *, module=None, label: str | None = None,
                 counts: bool = False) -> str:
    """`trace` (or the ExplorerError that stopped the run) as HTML.

    table: the version's FlagTable (to spell the flags); module: given, an error
    says which branch caused it; label: given, the version's name heads the
    outcome (two outcomes side by side); counts: the steps and World answers."""
    head = f"<div><b>{esc(label)}</b></div>" if label else ""
    if isinstance(trace, ExplorerError):
        return head + f'<div class="fx-out fx-out-err fx-out-bad">{esc(tell(trace, _))}</div>'
    o = trace.outcome
    flags = table.names(trace.flags) if trace.flags else "0"
    where = (" — " + _("decided in {function} line {line}").format(
        function=f"<code>{esc(o.function)}</code>", line=o.line)) if o.line else ""
    why = _why(trace, module, _) if module is not None and o.result == "error" and o.line else ""
    out = f"{head}<div>{esc(trace.entry)}({esc(flags)}) → {_head(o, _)}{where}</div>{why}"
    if counts:
        said = _("{steps} steps · {answers} answers from the World").format(
            steps=len(trace.steps), answers=len(trace.assumptions))
        out += f"<div class='fx-out-counts' style='color:#666;font-size:12px'>{esc(said)}</div>"
    return out
