"""Find where a note's code excerpt lives in the real sources.

The excerpt and every candidate function are turned into C tokens (see
explorer.cparse.ctokens); tokens are compared as overlapping trigrams with rapidfuzz's LCS,
which makes the alignment prefer contiguous runs (a lone `p` or `(` never
matches on its own), then matched runs far from the main body are trimmed.

Score = 2M / (B + S) over code tokens only: M tokens of the excerpt matched,
B code tokens in the excerpt, S code tokens in the matched span of the file.
Comments never count, so translated or dropped comments cost nothing, while
code the excerpt lacks (or has extra) lowers the score.
"""
from __future__ import annotations

import hashlib
from bisect import bisect_left
from dataclasses import dataclass, field

from rapidfuzz.distance import LCSseq

from ..cparse.ctokens import CODE, Tokens, tokenize

ANCHOR_THRESHOLD = 0.6   # below this a block is orphaned rather than guessed
MIN_MATCHED = 4          # code tokens that must match (fewer only if the whole excerpt matched)
TIE_EPSILON = 0.005      # two versions whose scores differ less than this tie
CANDIDATES_PER_VERSION = 3
GAP_TOKENS = 40          # matched runs further apart than this form separate clusters
WINDOW_SLACK = 12        # tokens of room around the main cluster in the second pass
SIDE_SHARE = 0.2         # a cluster beside the main one stays if it carries this share of the match


@dataclass
class Region:
    name: str | None     # function name, None for file scope
    tok_start: int       # token range searched (extends back over the comment above)
    tok_end: int
    fn_start: int        # byte range of the function itself
    fn_end: int
    grams: frozenset


@dataclass
class SourceIndex:
    label: str
    tokens: Tokens
    regions: list[Region]
    _comment_lines: frozenset | None = None
    _trigrams: list | None = None

    @property
    def trigrams(self) -> list:
        """The file's token trigrams, once: every region's alignment slices them
        (a note of 25 blocks aligns against ~3 regions per version per block)."""
        if self._trigrams is None:
            self._trigrams = _trigrams(self.tokens.keys)
        return self._trigrams

    @property
    def comment_lines(self) -> frozenset:
        """Each source line's comment words, as tuples: a note's comment line
        found here is the kernel's, not the note author's."""
        if self._comment_lines is None:
            per_line: dict[int, list] = {}
            t = self.tokens
            for k, kind, ln in zip(t.keys, t.kinds, t.lines):
                if kind != CODE and k not in (b"/*", b"*/", b"//"):
                    per_line.setdefault(ln, []).append(k)
            self._comment_lines = frozenset(tuple(v) for v in per_line.values())
        return self._comment_lines


@dataclass
class Match:
    label: str
    function: str | None
    line: int            # 1-based, inclusive, in the version's file
    end_line: int
    score: float
    start_byte: int
    end_byte: int
    matched: int         # code tokens of the excerpt found
    code_tokens: int     # code tokens in the excerpt
    comments_matched: int = 0   # comment words found too: breaks ties between versions
    pairs: list[tuple[int, int]] = field(repr=False, default_factory=list)  # (excerpt tok, file tok)
    module: object = field(repr=False, default=None)

    @property
    def anchored(self) -> bool:
        return self.score >= ANCHOR_THRESHOLD and (self.matched >= MIN_MATCHED or self.matched == self.code_tokens)

    def as_dict(self) -> dict:
        return {"label": self.label, "function": self.function, "line": self.line,
                "end_line": self.end_line, "score": round(self.score, 3)}


@dataclass
class Location:
    """Outcome for one excerpt: the best match, each version's best, and ties."""
    best: Match | None
    per_version: list[Match]
    tied: list[str]      # other labels whose best match scores the same as best

    @property
    def anchored(self) -> bool:
        return self.best is not None and self.best.anchored


def _trigrams(keys: list) -> list:
    n = len(keys)
    if n < 3:
        return [tuple(keys)] if keys else []
    return [(keys[i], keys[i + 1], keys[i + 2]) for i in range(n - 2)]


def _code_grams(tokens: Tokens, start: int, end: int) -> frozenset:
    code = [tokens.keys[i] for i in range(start, end) if tokens.kinds[i] == CODE]
    return frozenset(_trigrams(code))


def index_module(module) -> SourceIndex:
    """Tokens and per-function search regions of a module (cached by content,
    and on the module object itself for the many lookups of one import)."""
    hit = getattr(module, "_notes_index", None)
    if hit is not None and hit[0] is module.source:
        return hit[1]
    idx = _index(module.label, module.source, _functions_key(module))[0]
    try:
        module._notes_index = (module.source, idx)
    except AttributeError:   # a module type that refuses attributes: the content cache still works
        pass
    return idx


def _functions_key(module) -> tuple:
    fns = list(module.functions.values()) + list(getattr(module, "duplicates", []))
    return tuple(sorted((f.start_byte, f.end_byte, f.name) for f in fns))


_INDEX_CACHE: dict[tuple, SourceIndex] = {}


def _index(label, source: bytes, fns: tuple):
    key = (label, hashlib.sha1(source).hexdigest(), fns)
    hit = _INDEX_CACHE.get(key)
    if hit is not None:
        return hit, True
    tokens = tokenize(source)
    regions: list[Region] = []
    prev_end_tok = 0
    for start_b, end_b, name in fns:
        t0 = tokens.index_at_byte(start_b)
        t1 = tokens.index_at_byte(end_b)
        if t1 <= prev_end_tok:  # nested or overlapping duplicate: search its own range
            lo = t0
        else:
            lo = min(prev_end_tok, t0)
        regions.append(Region(name, lo, t1, start_b, end_b, _code_grams(tokens, lo, t1)))
        prev_end_tok = max(prev_end_tok, t1)
    if prev_end_tok < len(tokens):  # whatever follows the last function
        regions.append(Region(None, prev_end_tok, len(tokens), -1, -1,
                              _code_grams(tokens, prev_end_tok, len(tokens))))
    idx = SourceIndex(label, tokens, regions)
    if len(_INDEX_CACHE) > 64:
        _INDEX_CACHE.clear()
    _INDEX_CACHE[key] = idx
    return idx, False


def _align(ex: Tokens, src: Tokens, lo: int, hi: int, src_trigrams: list | None = None) -> list[tuple[int, int]]:
    """Matched (excerpt, source) token pairs, via LCS over trigram keys
    (`src_trigrams`: the whole file's, to slice instead of rebuilding)."""
    a = _trigrams(ex.keys)
    b = src_trigrams[lo:hi - 2] if src_trigrams is not None and hi - lo >= 3 else _trigrams(src.keys[lo:hi])
    if not a or not b:
        return []
    if len(ex.keys) < 3:  # a tiny excerpt: plain token LCS
        a, b = list(ex.keys), list(src.keys[lo:hi])
        width = 1
    else:
        width = 3
    # Matched trigrams come in diagonal runs.  Longer runs claim their tokens
    # first, so a token shared by a long run and a stray 3-token look-alike
    # goes to the long run; every accepted pair keeps the alignment monotone.
    runs = []
    xk, sk = ex.keys, src.keys
    for op in LCSseq.opcodes(a, b):
        if op.tag == "equal":
            i0, j0, n = op.src_start, lo + op.dest_start, op.src_end - op.src_start + width - 1
            # grow the run token by token over equal neighbours the trigrams missed
            while i0 > 0 and j0 > lo and xk[i0 - 1] == sk[j0 - 1]:
                i0, j0, n = i0 - 1, j0 - 1, n + 1
            while i0 + n < len(xk) and j0 + n < hi and xk[i0 + n] == sk[j0 + n]:
                n += 1
            runs.append((n, i0, j0))
    runs.sort(key=lambda r: -r[0])
    taken_i: list[int] = []      # sorted excerpt indices already paired
    pair_of: dict[int, int] = {}
    for length, i0, j0 in runs:
        for k in range(length):
            i, j = i0 + k, j0 + k
            if i in pair_of:
                continue
            pos = bisect_left(taken_i, i)
            if pos > 0 and pair_of[taken_i[pos - 1]] >= j:
                continue
            if pos < len(taken_i) and pair_of[taken_i[pos]] <= j:
                continue
            taken_i.insert(pos, i)
            pair_of[i] = j
    return [(i, pair_of[i]) for i in taken_i]


def _clusters(pairs: list[tuple[int, int]]) -> list[list[tuple[int, int]]]:
    """Split matched pairs where the file jumps far ahead while the excerpt does not."""
    clusters: list[list[tuple[int, int]]] = [[pairs[0]]]
    for p in pairs[1:]:
        prev = clusters[-1][-1]
        if p[1] - prev[1] > GAP_TOKENS and p[0] - prev[0] < (p[1] - prev[1]) // 2:
            clusters.append([p])
        else:
            clusters[-1].append(p)
    return clusters


def _main_cluster(pairs: list[tuple[int, int]], kinds: list[int], core_only: bool = False):
    """Drop matched runs that sit far from the bulk of the match (spurious look-alikes).
    core_only: just the heaviest run."""
    if not pairs:
        return pairs
    clusters = _clusters(pairs)
    if len(clusters) == 1:
        return pairs

    def weight(c):
        return sum(1 for i, _ in c if kinds[i] == CODE)

    total = sum(weight(c) for c in clusters)
    best = max(range(len(clusters)), key=lambda k: weight(clusters[k]))
    if core_only:
        return clusters[best]
    lo = hi = best
    # grow over neighbours that carry a real share of the match (an excerpt with an elided middle)
    while lo > 0 and weight(clusters[lo - 1]) >= max(3, SIDE_SHARE * total):
        lo -= 1
    while hi + 1 < len(clusters) and weight(clusters[hi + 1]) >= max(3, SIDE_SHARE * total):
        hi += 1
    return [p for c in clusters[lo:hi + 1] for p in c]


MIN_REPEAT = 6   # code tokens: a shorter unmatched run is not called a repetition
MIN_TANDEM = 10  # code tokens: lines pasted twice in a row, at least this long, count once


def tandem_repeats(ex: Tokens) -> frozenset[int]:
    """Token indices of lines that repeat the lines just before them (the same
    statements pasted twice in a row).  Real code almost never repeats a
    statement verbatim back to back; a note copied in haste does."""
    by_line: dict[int, list[int]] = {}
    for i, ln in enumerate(ex.lines):
        by_line.setdefault(ln, []).append(i)
    rows = []   # (code keys of the line, all token indices of the line), lines with code only
    for ln in sorted(by_line):
        idxs = by_line[ln]
        keys = tuple(ex.keys[i] for i in idxs if ex.kinds[i] == CODE)
        if keys:
            rows.append((keys, idxs))
    masked: set[int] = set()
    i = 0
    while i < len(rows):
        step = 1
        for width in range(1, (len(rows) - i) // 2 + 1):
            if all(rows[i + k][0] == rows[i + width + k][0] for k in range(width)) and \
                    sum(len(rows[i + k][0]) for k in range(width)) >= MIN_TANDEM:
                for k in range(width):
                    masked.update(rows[i + width + k][1])
                step = 2 * width
                break
        i += step
    return frozenset(masked)


def _repeated(ex: Tokens, pairs) -> int:
    """Code tokens of the excerpt that repeat another part of it and found no
    place of their own (lines pasted twice by mistake): they do not count
    against the score."""
    matched = {i for i, _ in pairs}
    code = [i for i, k in enumerate(ex.kinds) if k == CODE]
    keys = [ex.keys[i] for i in code]
    runs, cur = [], []
    for n, i in enumerate(code):
        if i in matched:
            if cur:
                runs.append(cur)
            cur = []
        else:
            cur.append(n)
    if cur:
        runs.append(cur)
    total = 0
    for run in runs:
        if len(run) < MIN_REPEAT:
            continue
        a, b = run[0], run[-1] + 1
        seq = keys[a:b]
        width = b - a
        if any(keys[s:s + width] == seq for s in range(0, len(keys) - width + 1) if s + width <= a or s >= b):
            total += width
    return total


def _code_weight(pairs, kinds) -> int:
    return sum(1 for i, _ in pairs if kinds[i] == CODE)


def _match_in_region(ex: Tokens, idx: SourceIndex, region: Region, module, masked=frozenset()) -> Match | None:
    src = idx.tokens
    first = _align(ex, src, region.tok_start, region.tok_end, idx.trigrams)
    pairs = _main_cluster(first, ex.kinds)
    if not pairs:
        return None
    # Second pass in a window just around the heaviest run: an LCS has many
    # equally long answers, and the first pass may have matched a few tokens
    # to a look-alike statement further up (`if ((clone_flags &` of the guard
    # before).  Inside the window only the real neighbourhood competes; the
    # compact answer wins when it matches as much.
    core = _main_cluster(first, ex.kinds, core_only=True)
    (i0, j0), (i1, j1) = core[0], core[-1]
    lo = max(region.tok_start, j0 - i0 - WINDOW_SLACK)
    hi = min(region.tok_end, j1 + (len(ex) - i1) + WINDOW_SLACK)
    if lo > region.tok_start or hi < region.tok_end:
        again = _main_cluster(_align(ex, src, lo, hi, idx.trigrams), ex.kinds)
        if _code_weight(again, ex.kinds) >= _code_weight(pairs, ex.kinds):
            pairs = again
    b_code = sum(1 for i, k in enumerate(ex.kinds) if k == CODE and i not in masked) - _repeated(ex, pairs)
    m_code = sum(1 for i, _ in pairs if ex.kinds[i] == CODE)
    j0, j1 = pairs[0][1], pairs[-1][1]
    s_code = sum(1 for j in range(j0, j1 + 1) if src.kinds[j] == CODE)
    score = 2 * m_code / (b_code + s_code) if b_code + s_code else 0.0
    start_b, end_b = src.starts[j0], src.ends[j1]
    fn_name = region.name
    if region.name is not None and not (region.fn_start <= src.starts[_first_code(pairs, ex) or j0] < region.fn_end):
        # the match sits in what precedes the function (file scope, or the comment above it)
        code_in = sum(1 for i, j in pairs if ex.kinds[i] == CODE and region.fn_start <= src.starts[j] < region.fn_end)
        if code_in * 2 < m_code:
            fn_name = None
    return Match(label=idx.label, function=fn_name, line=src.lines[j0] + 1, end_line=_end_line(src, j1),
                 score=score, start_byte=start_b, end_byte=end_b, matched=m_code, code_tokens=b_code,
                 comments_matched=len(pairs) - m_code, pairs=pairs, module=module)


def _first_code(pairs, ex: Tokens):
    for i, j in pairs:
        if ex.kinds[i] == CODE:
            return j
    return None


def _end_line(src: Tokens, j: int) -> int:
    # tokens never span lines (comments are split into words), so the last token's line is the end
    return src.lines[j] + 1


def locate_in_module(ex: Tokens, module, masked=frozenset()) -> Match | None:
    """The best match of an excerpt in one version, or None when nothing is similar.
    `masked`: excerpt tokens that must not match (a second copy of pasted lines)."""
    idx = index_module(module)
    code = [ex.keys[i] for i in range(len(ex)) if ex.kinds[i] == CODE]
    grams = frozenset(_trigrams(code))
    if not grams:
        return None
    scored = sorted(((len(grams & r.grams), n) for n, r in enumerate(idx.regions)), reverse=True)
    top = scored[0][0]
    if top == 0:
        return None
    best: Match | None = None
    for hits, n in scored[:CANDIDATES_PER_VERSION]:
        if hits == 0 or hits < 0.5 * top:
            break
        m = _match_in_region(ex, idx, idx.regions[n], module, masked)
        if m is not None and (best is None or m.score > best.score):
            best = m
    return best


def locate(code: str | bytes, modules) -> Location:
    """Locate an excerpt across versions.  Equal scores (within TIE_EPSILON)
    are decided by how many comment words also match, then by the newest
    version; versions still equal are listed in `tied`."""
    data = code.encode("utf-8") if isinstance(code, str) else code
    ex = tokenize(data)
    masked = tandem_repeats(ex)
    if masked:
        ex = Tokens([(b"\x01", i) if i in masked else k for i, k in enumerate(ex.keys)],
                    ex.kinds, ex.starts, ex.ends, ex.lines)
    per_version = [m for m in (locate_in_module(ex, mod, masked) for mod in modules) if m is not None]
    if not per_version:
        return Location(None, [], [])
    top = max(m.score for m in per_version)
    tied = [m for m in per_version if top - m.score < TIE_EPSILON]
    # Equal code: the version whose comments agree more wins (the note copied
    # that version's comments); still equal: the newest, and the tie is reported.
    most = max(m.comments_matched for m in tied)
    tied = [m for m in tied if m.comments_matched == most]
    best = tied[-1]  # modules come in release order
    return Location(best, per_version, [m.label for m in tied if m is not best])
