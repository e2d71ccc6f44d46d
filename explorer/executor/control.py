"""How control leaves a statement: the break/continue signals, and the two
ways a run ends early (C the executor does not handle; the step budget)."""
from __future__ import annotations

BREAK = ("b", None)
CONTINUE = ("c", None)


class Unsupported(Exception):
    def __init__(self, reason: str, meta):
        super().__init__(reason)
        self.reason = reason
        self.meta = meta      # (function, node_id, line, end_line)


class BudgetExceeded(Exception):
    def __init__(self, meta):
        super().__init__("step budget exhausted")
        self.meta = meta
