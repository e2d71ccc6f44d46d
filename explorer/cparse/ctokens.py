"""C tokens: the one lexer every stage reads code with.

A lexeme is (kind, start byte, end byte) of the reader's bytes, so offsets are
the ones tree-sitter nodes use.  Three readers spell the same lexemes:

- `code_spans` (the structural diff): the byte spans of the code tokens of a
  range, comments and line continuations skipped, a preprocessor directive
  (`#ifdef`, `# define`) one token;
- `words` (anchor selectors): the texts of the code tokens of a short piece
  of code (a statement head), with a directive spelled `#` then its name: the
  canonical heads and the code hashes stored in annotation files were made
  with that spelling, so it must not change;
- `tokenize` (reading notes): every token of a file or an excerpt with its
  line, comment words kept as tokens of their own kind (they fix where an
  excerpt starts, e.g. on the `/*` of the comment above a guard, but never
  count towards a score, so a note that translates or drops comments is not
  punished).  Directives are spelled as for `words`.

A comment or a string literal left open runs to the end of the text (a note's
excerpt may be cut anywhere).
"""
from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass

# Lexeme kinds.
COMMENT_LEX, CONTINUATION, DIRECTIVE, STRING, CHAR, WORD, NUMBER, OP = range(8)

_LEXEME = re.compile(
    rb"""
    (?P<comment>/\*.*?(?:\*/|\Z)|//[^\n]*)
  | (?P<continuation>\\\n)
  | (?P<string>"(?:\\.|[^"\\\n])*"?)
  | (?P<char>'(?:\\.|[^'\\\n])*'?)
  | (?P<directive>\#[ \t]*[A-Za-z_]\w*)
  | (?P<word>[A-Za-z_]\w*)
  | (?P<number>\.?\d(?:[\w.]|[eEpP][+-])*)
  | (?P<op>\.\.\.|<<=|>>=|->|\+\+|--|<<|>>|<=|>=|==|!=|&&|\|\||\#\#|[-+*/%&|^]=
        |[\xc0-\xff][\x80-\xbf]*|[^\s])          # a stray non-ASCII character is one token, not its bytes
    """,
    re.S | re.X,
)
_KIND = {"comment": COMMENT_LEX, "continuation": CONTINUATION, "directive": DIRECTIVE, "string": STRING,
         "char": CHAR, "word": WORD, "number": NUMBER, "op": OP}
_SKIPPED = (COMMENT_LEX, CONTINUATION)


def lexemes(data: bytes, start: int = 0, end: int | None = None):
    """(kind, start, end) of every lexeme of data[start:end], whitespace skipped."""
    for m in _LEXEME.finditer(data, start, len(data) if end is None else end):
        yield _KIND[m.lastgroup], m.start(), m.end()


def code_spans(data: bytes, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Byte spans of the code tokens of data[start:end] (no comments, no line continuations)."""
    return [(s, e) for kind, s, e in lexemes(data, start, end) if kind not in _SKIPPED]


def without_comments(code: str) -> str:
    """code with each comment replaced by a blank."""
    data = code.encode("utf-8")
    out, at = [], 0
    for kind, s, e in lexemes(data):
        if kind == COMMENT_LEX:
            out += [data[at:s], b" "]
            at = e
    out.append(data[at:])
    return b"".join(out).decode("utf-8", "replace")


def _directive_name(data: bytes, s: int, e: int) -> int:
    """Where the name of the directive data[s:e] starts (after `#` and blanks)."""
    i = s + 1
    while data[i] in b" \t":
        i += 1
    return i


def words(code: str) -> list[str]:
    """The C tokens of a piece of code, comments dropped."""
    data = code.encode("utf-8")
    out: list[str] = []
    for kind, s, e in lexemes(data):
        if kind in _SKIPPED:
            continue
        if kind == DIRECTIVE:
            out.append("#")
            s = _directive_name(data, s, e)
        out.append(data[s:e].decode("utf-8", "replace"))
    return out


# -- tokens of a note's excerpt and of the file it is located in --------------

CODE, COMMENT = 0, 1
# Inside a comment: words, runs of non-ASCII (a Japanese phrase is one token), nothing else.
_COMMENT_WORD = re.compile(rb"[A-Za-z0-9_]+|[\x80-\xff]+")


@dataclass
class Tokens:
    """Parallel lists: key (hashable, kind-tagged), kind, start byte, end byte, 0-based line."""
    keys: list
    kinds: list[int]
    starts: list[int]
    ends: list[int]
    lines: list[int]

    def __len__(self) -> int:
        return len(self.keys)

    def index_at_byte(self, byte: int) -> int:
        """Index of the first token starting at or after byte."""
        return bisect_left(self.starts, byte)


def tokenize(data: bytes) -> Tokens:
    keys: list = []
    kinds: list[int] = []
    starts: list[int] = []
    ends: list[int] = []
    line_starts = [0] + [m.end() for m in re.finditer(rb"\n", data)]

    def add(key, kind, start, end):
        keys.append(key)
        kinds.append(kind)
        starts.append(start)
        ends.append(end)

    for kind, s, e in lexemes(data):
        if kind == COMMENT_LEX:
            block = data.startswith(b"/*", s)
            add(data[s:s + 2], COMMENT, s, s + 2)
            closed = block and e - s >= 4 and data.endswith(b"*/", 0, e)
            for w in _COMMENT_WORD.finditer(data, s + 2, e - 2 if closed else e):
                add(b"\x00" + w.group(), COMMENT, w.start(), w.end())
            if closed:
                add(b"*/", COMMENT, e - 2, e)
        elif kind == CONTINUATION:
            add(b"\\", CODE, s, s + 1)
        elif kind == DIRECTIVE:
            add(b"#", CODE, s, s + 1)
            n = _directive_name(data, s, e)
            add(data[n:e], CODE, n, e)
        else:
            add(data[s:e], CODE, s, e)
    lines = [bisect_right(line_starts, p) - 1 for p in starts]
    return Tokens(keys, kinds, starts, ends, lines)
