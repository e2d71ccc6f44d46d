"""How control leaves a statement: the break/continue signals, and the two
ways a run ends early (C the executor does not handle; the step budget)."""
from __future__ import annotations

from ..i18n import Message

BREAK = ("b", None)
CONTINUE = ("c", None)


class Unsupported(Exception):
    def __init__(self, reason: Message, meta):
        super().__init__(str(reason))
        self.reason = str(reason)      # the English, as the Trace records it
        self.said = reason if isinstance(reason, Message) else None   # to be said in a reader's language
        self.meta = meta      # (function, node_id, line, end_line)


class BudgetExceeded(Exception):
    def __init__(self, meta):
        super().__init__("step budget exhausted")
        self.meta = meta
