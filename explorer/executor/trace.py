"""The executor's output: a plain record the widgets replay (Python Tutor style).

Nothing here knows about C or tree-sitter; a Trace can be serialised with
to_dict() and rebuilt with Trace.from_dict() without the source at hand.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field

from ..i18n import Message


@dataclass(slots=True, frozen=True)
class Step:
    """One thing the run did.  Immutable: the executor hands the same Step to
    every run that does the same thing at the same place."""
    function: str
    node_id: str
    line: int          # 1-based lines of the reader's file
    end_line: int
    event: str         # enter eval branch call assume assign exec label goto return unknown
    detail: str = ""
    said: Message | None = None    # the detail as a sentence, where it is words and not code

    @classmethod
    def at(cls, meta: tuple, event: str, detail: str | Message = "") -> "Step":
        """A step at meta = (function, node_id, line, end_line); a Message detail is
        kept for a reader's language, its English as the detail."""
        said = detail if isinstance(detail, Message) else None
        return cls(meta[0], meta[1], meta[2], meta[3], event, str(detail), said)

    def to_dict(self) -> dict:
        return {"function": self.function, "node_id": self.node_id, "line": self.line,
                "end_line": self.end_line, "event": self.event, "detail": self.detail}


@dataclass
class Outcome:
    result: str                 # "ok" | "error" | "unknown"
    errno: str | None = None    # "EINVAL" when result is "error"
    value: int | str | None = None   # the entry's return value (pid, -errno) or a description
    function: str | None = None      # where the outcome was decided
    line: int | None = None
    reason: str | None = None        # why "unknown" (English)
    said: Message | None = field(default=None, compare=False, repr=False)   # the same, for a reader's language

    def to_dict(self) -> dict:
        d = {"result": self.result, "errno": self.errno, "value": self.value,
             "function": self.function, "line": self.line}
        if self.reason is not None:
            d["reason"] = self.reason
        return d


@dataclass(slots=True, frozen=True)
class Assumption:
    function: str
    line: int
    what: str          # the call or condition the World answered
    answer: str
    callee: str | None = None   # the function called, when the World answered a call

    def to_dict(self) -> dict:
        return asdict(self)


# How a callee's failure reaches its caller (explorer.executor.callsites.infer_convention).
CONVENTIONS = ("int", "null", "errptr", "object")


@dataclass(slots=True, frozen=True)
class Callee:
    """A function the run called, as a reader could make it fail (`World.fail`):
    whether fork.c defines it, and the convention of the first call site reached
    (a negative errno, NULL, or ERR_PTR), which is how the injected errno arrives."""
    name: str
    in_file: bool
    convention: str      # one of CONVENTIONS
    function: str        # the caller, at the first site reached
    line: int

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class Trace:
    label: str | None
    entry: str
    flags: int
    outcome: Outcome
    steps: list[Step] = field(default_factory=list)
    assumptions: list[Assumption] = field(default_factory=list)
    step_count: int = 0          # statements and conditions executed (also when steps are not kept)
    # every callee called, in the order first reached: a list, or (from the executor) a
    # function that makes it on first use, so a run nobody asks about pays nothing for it
    reached_source: object = field(default=None, repr=False, compare=False)

    @property
    def reached(self) -> list[Callee]:
        if callable(self.reached_source):
            self.reached_source = self.reached_source()
        return list(self.reached_source or ())

    def to_dict(self) -> dict:
        return {"label": self.label, "entry": self.entry, "flags": self.flags,
                "outcome": self.outcome.to_dict(),
                "steps": [s.to_dict() for s in self.steps],
                "assumptions": [a.to_dict() for a in self.assumptions]}

    @classmethod
    def from_dict(cls, d: dict) -> "Trace":
        return cls(label=d.get("label"), entry=d["entry"], flags=d["flags"],
                   outcome=Outcome(**d["outcome"]),
                   steps=[Step(**s) for s in d.get("steps", [])],
                   assumptions=[Assumption(**a) for a in d.get("assumptions", [])])

    # -- small queries the tests and widgets use ----------------------------
    def lines(self, function: str | None = None) -> list[int]:
        """Executed lines in order (each step's first line)."""
        return [s.line for s in self.steps if function is None or s.function == function]

    def events(self, event: str) -> list[Step]:
        return [s for s in self.steps if s.event == event]

    @property
    def errno(self) -> str | None:
        return self.outcome.errno

    def cause(self) -> Step | None:
        """Why did it fail: the condition that led to an error's deciding line,
        that is the last condition evaluated in the deciding function before
        that line (its `detail` says how it came out).  None for a success or
        an unknown outcome."""
        o = self.outcome
        if o.result != "error" or not o.line:
            return None
        return next((s for s in reversed(self.steps)
                     if s.event in ("eval", "branch") and s.function == o.function and s.line < o.line), None)

    def callees(self) -> list[str]:
        """The functions outside the file (or failed on purpose) whose answers
        this run used: the ones a reader can make fail."""
        return sorted({a.callee for a in self.assumptions if a.callee})

    def failable(self) -> list[Callee]:
        """Every callee this run reached, the file's own functions first (in the
        order reached: dup_task_struct, copy_files, ..., copy_mm), then the
        functions outside the file by name.  Each can be failed with `World.fail`
        (`--fail NAME=ERRNO`), which answers in its convention."""
        own = [c for c in self.reached if c.in_file]
        other = sorted((c for c in self.reached if not c.in_file), key=lambda c: c.name)
        return own + other
