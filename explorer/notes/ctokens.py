"""C tokens for matching excerpts against real sources.

A reading note's code is copied imperfectly: re-indented, lines joined or
split, blank lines dropped, comments re-wrapped or extended with the author's
own words.  Comparing token sequences instead of lines makes all of that
vanish.  Comment words are kept as their own kind of token (they fix where an
excerpt starts, e.g. on the `/*` of the comment above a guard) but never count
towards a score, so a note that translates or drops comments is not punished.

Works on bytes so that offsets are the reader's byte offsets, which is what
tree-sitter nodes use.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

CODE, COMMENT = 0, 1

_LEXEME = re.compile(
    rb"""
    (?P<bcomment>/\*.*?(?:\*/|\Z))
  | (?P<lcomment>//[^\n]*)
  | (?P<string>"(?:\\.|[^"\\\n])*"?)
  | (?P<char>'(?:\\.|[^'\\\n])*'?)
  | (?P<word>[A-Za-z_][A-Za-z0-9_]*|\d[A-Za-z0-9_.]*)
  | (?P<op>->|\+\+|--|<<=|>>=|<<|>>|<=|>=|==|!=|&&|\|\||\.\.\.|\#\#|[-+*/%&|^!=<>]=|[^\s])
    """,
    re.S | re.X,
)
# Inside a comment: words, runs of non-ASCII (a Japanese phrase is one token), nothing else.
_COMMENT_WORD = re.compile(rb"[A-Za-z0-9_]+|[\x80-\xff]+")


@dataclass
class Tokens:
    """Parallel lists: key (hashable, kind-tagged), kind, start byte, 0-based line."""
    keys: list
    kinds: list[int]
    starts: list[int]
    ends: list[int]
    lines: list[int]

    def __len__(self) -> int:
        return len(self.keys)

    def index_at_byte(self, byte: int) -> int:
        """Index of the first token starting at or after byte."""
        from bisect import bisect_left
        return bisect_left(self.starts, byte)


def tokenize(data: bytes) -> Tokens:
    keys: list = []
    kinds: list[int] = []
    starts: list[int] = []
    ends: list[int] = []
    line_starts = [0] + [m.end() for m in re.finditer(rb"\n", data)]

    def line_of(pos: int) -> int:
        return bisect_right(line_starts, pos) - 1

    def add(key, kind, start, end):
        keys.append(key)
        kinds.append(kind)
        starts.append(start)
        ends.append(end)

    for m in _LEXEME.finditer(data):
        group = m.lastgroup
        if group in ("bcomment", "lcomment"):
            start = m.start()
            body_start = start + 2
            if group == "bcomment":
                add(b"/*", COMMENT, start, start + 2)
                closed = data.endswith(b"*/", 0, m.end()) and m.end() - start >= 4
                body_end = m.end() - 2 if closed else m.end()
            else:
                add(b"//", COMMENT, start, start + 2)
                body_end = m.end()
            for w in _COMMENT_WORD.finditer(data, body_start, body_end):
                add(b"\x00" + w.group(), COMMENT, w.start(), w.end())
            if group == "bcomment" and closed:
                add(b"*/", COMMENT, m.end() - 2, m.end())
        else:
            add(m.group(), CODE, m.start(), m.end())
    lines = [line_of(s) for s in starts]
    return Tokens(keys, kinds, starts, ends, lines)

