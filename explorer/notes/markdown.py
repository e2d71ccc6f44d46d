"""A reading note, read with a real Markdown parser (markdown-it-py).

The note is cut at its fenced code blocks.  Everything between two fences is
the *lead* of the second one: headings, paragraphs, lists, other fences (a
shell snippet is prose here), kept as the note's own Markdown so nothing is
rephrased or lost.  Prose after the last fence is the note's *trailing* prose.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from markdown_it import MarkdownIt

from ..errors import NoteError
from .languages import language_of

C_INFOS = {"c", "h", "cpp", "c++", "kernel-c", "linux-c"}
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*", re.ASCII)


@dataclass
class Prose:
    kind: str            # heading | paragraph | list | quote | code | html | other
    text: str            # the note's own Markdown for this segment
    line: int            # 1-based, inclusive
    end_line: int
    level: int = 0       # heading level (1..6), 0 otherwise

    def as_dict(self) -> dict:
        return {"kind": self.kind, "text": self.text, "line": self.line, "end_line": self.end_line}


@dataclass
class CodeBlock:
    index: int           # fenced blocks counted from 0 in document order
    info: str            # the fence's language word
    code: str
    line: int            # 1-based line of the opening fence
    end_line: int
    lead: list[Prose] = field(default_factory=list)
    heading: Prose | None = None   # the nearest heading above, even one before earlier blocks

    @property
    def is_c(self) -> bool:
        return self.info.lower() in C_INFOS or (self.info == "" and _looks_like_c(self.code))

    def split_lead(self) -> tuple[list[Prose], list[Prose]]:
        """(intro, context): the prose that introduces this block, and what
        comes before it in its section (a heading and the section's opening
        paragraphs, which speak about the function as a whole).

        No heading in the lead: all of it introduces the block.  A heading
        followed by at most one segment: heading and segment introduce it
        (a note written with headings instead of lists).  Otherwise the last
        segment (a list or paragraph) is the introduction and the rest is
        context."""
        lead = self.lead
        heads = [i for i, p in enumerate(lead) if p.kind == "heading"]
        if not heads:
            return list(lead), []
        h = heads[-1]
        if len(lead) - h - 1 <= 1:
            return lead[h:], lead[:h]
        return lead[-1:], lead[:-1]


@dataclass
class Note:
    text: str
    blocks: list[CodeBlock]
    trailing: list[Prose]
    path: str | None = None

    @property
    def prose_text(self) -> str:
        """All the note's prose (not its C code), for language and version hints."""
        return "\n".join([p.text for b in self.blocks for p in b.lead] + [p.text for p in self.trailing])

    @property
    def lang(self) -> str:
        """The prose's language (explorer.notes.languages); English when it cannot be told."""
        return language_of(self.prose_text)

    @property
    def c_blocks(self) -> list[CodeBlock]:
        return [b for b in self.blocks if b.is_c]


def _looks_like_c(code: str) -> bool:
    return bool(re.search(r"[;{}]\s*$", code, re.M))


_KIND = {"heading_open": "heading", "paragraph_open": "paragraph", "bullet_list_open": "list",
         "ordered_list_open": "list", "blockquote_open": "quote", "code_block": "code",
         "html_block": "html", "hr": "other", "table_open": "other"}


def parse_note(text: str, path: str | None = None) -> Note:
    if not isinstance(text, str):
        raise NoteError("a note must be text", path=path)
    if "\x00" in text:
        raise NoteError("this is not a Markdown note (it contains NUL bytes)", path=path)
    md = MarkdownIt("commonmark")
    tokens = md.parse(text)
    lines = text.split("\n")

    fences: list[tuple[int, int, str, str]] = []   # start, end (0-based, exclusive), info, code
    tops: list[tuple[int, int, str, int]] = []     # top-level prose blocks: start, end, kind, level
    for tok in tokens:
        if tok.type == "fence" and tok.map:
            _refuse_unclosed(tok, lines, path)
            fences.append((tok.map[0], tok.map[1], tok.info.strip().split(" ")[0] if tok.info else "",
                           tok.content))
        if tok.level == 0 and tok.map and tok.type in _KIND:
            level = int(tok.tag[1]) if tok.type == "heading_open" else 0
            tops.append((tok.map[0], tok.map[1], _KIND[tok.type], level))

    fence_lines = set()
    for s, e, _, _ in fences:
        fence_lines.update(range(s, e))

    # Prose segments: top-level blocks with fence lines cut out (a fence inside a
    # list item splits the list around it).
    segments: list[Prose] = []
    for s, e, kind, level in tops:
        run: list[int] = []
        for ln in range(s, e + 1):
            if ln < e and ln not in fence_lines:
                run.append(ln)
                continue
            if run:
                body = "\n".join(lines[i] for i in run).strip("\n")
                if body.strip():
                    first = run[0] + next(i for i, x in enumerate(lines[run[0]:run[-1] + 1]) if x.strip())
                    last = run[-1] - next(i for i, x in enumerate(reversed(lines[run[0]:run[-1] + 1])) if x.strip())
                    segments.append(Prose(kind, body.strip(), first + 1, last + 1, level))
                run = []

    blocks: list[CodeBlock] = []
    for n, (s, e, info, code) in enumerate(fences):
        blocks.append(CodeBlock(index=n, info=info, code=code, line=s + 1, end_line=e))
    # Non-C fences are prose for the block that follows them.
    prose_items: list[tuple[int, Prose | CodeBlock]] = [(p.line, p) for p in segments]
    prose_items += [(b.line, b) for b in blocks]
    prose_items.sort(key=lambda x: (x[0], isinstance(x[1], CodeBlock)))
    pending: list[Prose] = []
    heading: Prose | None = None
    out_blocks: list[CodeBlock] = []
    for _, item in prose_items:
        if isinstance(item, Prose):
            pending.append(item)
            if item.kind == "heading":
                heading = item
            continue
        if not item.is_c:
            pending.append(Prose("code", _fenced(item), item.line, item.end_line))
            out_blocks.append(item)
            continue
        item.lead = pending
        item.heading = heading
        pending = []
        out_blocks.append(item)
    return Note(text=text, blocks=out_blocks, trailing=pending, path=path)


def _refuse_unclosed(tok, lines: list[str], path: str | None) -> None:
    """A fence never closed runs to the end of the note (CommonMark), so the
    prose after it would be read as code and lost as commentary: say where."""
    start, end = tok.map
    last = lines[end - 1].strip().lstrip(">").strip() if end - 1 > start else ""
    char, size = tok.markup[0], len(tok.markup)
    closed = len(last) >= size and set(last) == {char}
    if not closed and not any(ln.strip() for ln in lines[end:]):
        raise NoteError("the code fence {markup}{info} opened here is never closed "
                        "(add a closing {markup} line)", markup=tok.markup, info=tok.info.strip(), path=path,
                        line=start + 1)


def _fenced(b: CodeBlock) -> str:
    return f"```{b.info}\n{b.code}```"


def identifiers_in(text: str) -> list[str]:
    """Identifier-like words of prose (function names in a heading)."""
    return _IDENT.findall(text)
