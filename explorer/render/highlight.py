"""The one pygments pass over a C file: every line's tokens with their
columns, lexed as a whole so a comment or string spanning lines keeps its
colour on each of them.  The source view (source.py) turns them into HTML
spans with pygments' own classes, the diff page (diff_html.py) into its few
colour families."""
from __future__ import annotations

from functools import lru_cache

from pygments.lexers import CLexer


@lru_cache(maxsize=16)
def token_lines(source: bytes) -> tuple[tuple[tuple[int, int, object, str], ...], ...]:
    """For each line of the file, its tokens as (start_col, end_col, token type, text),
    columns in characters of the reader's line."""
    text = source.decode("utf-8", "replace")
    lexer = CLexer(stripnl=False, stripall=False, ensurenl=False, tabsize=0)
    out: list[tuple] = []
    cur: list[tuple] = []
    col = 0
    for ttype, value in lexer.get_tokens(text):
        parts = value.split("\n")
        for i, part in enumerate(parts):
            if i:
                out.append(tuple(cur))
                cur, col = [], 0
            if part:
                cur.append((col, col + len(part), ttype, part))
                col += len(part)
    out.append(tuple(cur))
    return tuple(out)
