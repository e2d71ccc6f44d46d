"""Statement-level structural diff of one function between two versions.

The trees compared are statement trees built from tree-sitter: a leaf is a
statement (its label is all its tokens), a container (if, else, for, while,
do, switch, case, block, #ifdef) has a head (`if (cond)`) and child
statements.  Block braces are flattened away, so `if (x) f();` and
`if (x) { f(); }` are the same tree; comments and whitespace are never
tokens, so they never count as changes.

Matching follows GumTree (Falleri et al., 2014):
1. top-down: identical subtrees (same hash of kind, label and children),
   biggest first, when the pairing is unambiguous;
2. bottom-up: a container is paired with the container that holds the
   largest share of its matched descendants (dice >= 0.5);
3. recovery: under every matched pair, children left over between matched
   siblings are paired by identical hash (in order), then by similarity.
The edit script then walks both trees: keep, update (same statement with
changed tokens), insert, delete and move (a matched statement whose parent
is not its partner's parent, or which left the siblings' order).

The trees themselves are built in explorer.diff.statement_tree.
"""
from __future__ import annotations

import bisect
import difflib
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from ..cparse import Module
from .statement_tree import SNode, statement_tree, too_deep  # statement_tree re-exported (diff.pair, history)

# Statements with fewer tokens than this are too common (`break;`, `i++;`) to
# pair across the whole function; they are paired only under matched parents.
MIN_GLOBAL_TOKENS = 3
# Exits look alike everywhere (`return -EINVAL;`, `goto out;`): a unique one
# says nothing about where its `if` went, so these too wait for their parents.
LOCAL_ONLY_KINDS = frozenset({"return_statement", "goto_statement", "break_statement", "continue_statement"})
MIN_DICE = 0.5
MIN_LEAF_SIMILARITY = 0.6
MIN_CONTAINER_SIMILARITY = 0.6
MIN_LAST_CHANCE = 0.8


# -- matching -----------------------------------------------------------------

def _lis_pairs(pairs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Longest chain of pairs increasing in both coordinates (pairs sorted by first)."""
    if not pairs:
        return []
    tails: list[int] = []       # tails[k] = smallest j ending a chain of length k+1
    tails_idx: list[int] = []
    prev = [-1] * len(pairs)
    for n, (_, j) in enumerate(pairs):
        k = bisect.bisect_left(tails, j)
        if k == len(tails):
            tails.append(j)
            tails_idx.append(n)
        else:
            tails[k] = j
            tails_idx[k] = n
        prev[n] = tails_idx[k - 1] if k > 0 else -1
    out = []
    n = tails_idx[-1]
    while n != -1:
        out.append(pairs[n])
        n = prev[n]
    return out[::-1]


def _lcs(xs: list, ys: list, key) -> list[tuple[int, int]]:
    """Index pairs of a longest common subsequence under key equality."""
    kx, ky = [key(x) for x in xs], [key(y) for y in ys]
    n, m = len(xs), len(ys)
    if not n or not m:
        return []
    dp = [[0] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        row, nxt = dp[i], dp[i + 1]
        for j in range(m - 1, -1, -1):
            row[j] = nxt[j + 1] + 1 if kx[i] == ky[j] else max(nxt[j], row[j + 1])
    out, i, j = [], 0, 0
    while i < n and j < m:
        if kx[i] == ky[j]:
            out.append((i, j))
            i += 1
            j += 1
        elif dp[i + 1][j] >= dp[i][j + 1]:
            i += 1
        else:
            j += 1
    return out


_KEYWORDS = frozenset("if else for while do switch case default return goto break continue sizeof".split())


def _words(label: str) -> list[str]:
    """The names and numbers of a head: what makes `if (flags & A)` differ from `if (flags & B)`."""
    return [t for t in label.split(" ") if t and (t[0].isalnum() or t[0] == "_") and t not in _KEYWORDS]


def similarity(x: SNode, y: SNode) -> float:
    """0..1.  Statements: their text.  Containers: half the names in the head
    (punctuation makes every `if (...)` look alike), half what they hold."""
    if x.is_leaf:
        return fuzz.ratio(x.label, y.label) / 100.0
    head = fuzz.ratio(_words(x.label), _words(y.label)) / 100.0
    if not x.children or not y.children:
        return head
    inner = fuzz.ratio(" ".join(c.text() for c in x.children), " ".join(c.text() for c in y.children)) / 100.0
    return 0.5 * head + 0.5 * inner


class Matcher:
    def __init__(self, ra: SNode, rb: SNode):
        self.ra, self.rb = ra, rb
        self.ab: dict[SNode, SNode] = {}
        self.ba: dict[SNode, SNode] = {}

    def link(self, x: SNode, y: SNode) -> None:
        self.ab[x] = y
        self.ba[y] = x

    def link_subtree(self, x: SNode, y: SNode) -> None:
        for p, q in zip(x.walk(), y.walk()):
            self.link(p, q)

    def run(self) -> "Matcher":
        self.top_down()
        if self.ra not in self.ab:
            self.link(self.ra, self.rb)
        self.bottom_up()
        for x in list(self.ra.walk()):
            y = self.ab.get(x)
            if y is not None and x.children and x.hash != y.hash:
                self.recover(x, y)
        self.last_chance()
        return self

    def last_chance(self) -> None:
        """Statements that changed *and* left their block (`put_user(nr, parent_tidptr)` under
        `if (!IS_ERR(p))` becoming `put_user(nr, args->parent_tid)` at top level): paired
        when very alike, so they read as a move instead of a delete and an insert."""
        xs = [x for x in self.ra.walk() if x not in self.ab and x.kind not in LOCAL_ONLY_KINDS
              and len(x.label_spans) >= MIN_GLOBAL_TOKENS]
        ys = [y for y in self.rb.walk() if y not in self.ba and y.kind not in LOCAL_ONLY_KINDS
              and len(y.label_spans) >= MIN_GLOBAL_TOKENS]
        if not xs or not ys:
            return
        cands = []
        # Ties break on reading order (position in A, then in B): never on id(),
        # which follows memory addresses and made the page differ from run to run.
        # All pairs of one kind are scored in rapidfuzz's own loop, which skips
        # early what cannot reach the cutoff (the scores that do are the same as
        # fuzz.ratio's): this loop was most of the cost of a pair() of two versions.
        by_kind: dict[str, tuple[list[int], list[str]]] = {}
        for yi, y in enumerate(ys):
            idx, texts = by_kind.setdefault(y.kind, ([], []))
            idx.append(yi)
            texts.append(y.text())
        for xi, x in enumerate(xs):
            group = by_kind.get(x.kind)
            if group is None:
                continue
            idx, texts = group
            for _text, score, k in process.extract(x.text(), texts, scorer=fuzz.ratio, limit=None,
                                                   score_cutoff=MIN_LAST_CHANCE * 100.0):
                score /= 100.0
                if score >= MIN_LAST_CHANCE:
                    cands.append((score, x.size, (xi, idx[k]), x, ys[idx[k]]))
        cands.sort(key=lambda c: (-c[0], -c[1], c[2]))
        for _, _, _, x, y in cands:
            if x in self.ab or y in self.ba:
                continue
            self.link(x, y)
            if x.children and x.hash != y.hash:
                self.recover(x, y)

    def top_down(self) -> None:
        by_hash_a: dict[int, list[SNode]] = {}
        by_hash_b: dict[int, list[SNode]] = {}
        for n in self.ra.walk():
            by_hash_a.setdefault(n.hash, []).append(n)
        for n in self.rb.walk():
            by_hash_b.setdefault(n.hash, []).append(n)
        common = [h for h in by_hash_a if h in by_hash_b]
        common.sort(key=lambda h: -by_hash_a[h][0].size)
        for h in common:
            xs = [x for x in by_hash_a[h] if x not in self.ab]
            ys = [y for y in by_hash_b[h] if y not in self.ba]
            if len(xs) != 1 or len(ys) != 1:
                continue  # ambiguous: left to the recovery under matched parents
            x, y = xs[0], ys[0]
            if x.size == 1 and (len(x.label_spans) < MIN_GLOBAL_TOKENS or x.kind in LOCAL_ONLY_KINDS):
                continue
            self.link_subtree(x, y)

    def bottom_up(self) -> None:
        post = list(self.ra.walk())[::-1]
        for x in post:
            if x in self.ab or not x.children:
                continue
            desc = [d for d in x.walk() if d is not x]
            partners = [self.ab[d] for d in desc if d in self.ab]
            if not partners:
                continue
            cands: dict[SNode, int] = {}
            for p in partners:
                anc = p.parent
                while anc is not None:
                    if anc not in self.ba and anc.kind == x.kind:
                        cands[anc] = cands.get(anc, 0) + 1
                    anc = anc.parent
            best, best_dice = None, MIN_DICE
            for y, common in cands.items():
                dice = 2.0 * common / (len(desc) + y.size - 1)
                if dice >= best_dice:
                    best, best_dice = y, dice
            if best is not None:
                self.link(x, best)

    def recover(self, pa: SNode, pb: SNode) -> None:
        ca, cb = pa.children, pb.children
        pos_b = {id(y): j for j, y in enumerate(cb)}
        anchored = [(i, pos_b[id(self.ab[x])]) for i, x in enumerate(ca)
                    if x in self.ab and id(self.ab[x]) in pos_b]
        anchors = _lis_pairs(anchored)
        bounds = [(-1, -1)] + anchors + [(len(ca), len(cb))]
        for (i0, j0), (i1, j1) in zip(bounds, bounds[1:]):
            xs = [x for x in ca[i0 + 1:i1] if x not in self.ab]
            ys = [y for y in cb[j0 + 1:j1] if y not in self.ba]
            if not xs or not ys:
                continue
            for i, j in _lcs(xs, ys, key=lambda n: n.hash):
                self.link_subtree(xs[i], ys[j])
            xs = [x for x in xs if x not in self.ab]
            ys = [y for y in ys if y not in self.ba]
            self._pair_similar(xs, ys)

    def _pair_similar(self, xs: list[SNode], ys: list[SNode]) -> None:
        """Best similar pair first, then the same on each side of it (so pairs never cross)."""
        if not xs or not ys:
            return
        best, bi, bj = 0.0, -1, -1
        for i, x in enumerate(xs):
            for j, y in enumerate(ys):
                if x.kind != y.kind:
                    continue
                s = similarity(x, y)
                floor = MIN_LEAF_SIMILARITY if x.is_leaf else MIN_CONTAINER_SIMILARITY
                if s >= floor and s > best:
                    best, bi, bj = s, i, j
        if bi < 0:
            return
        self.link(xs[bi], ys[bj])
        self._pair_similar(xs[:bi], ys[:bj])
        self._pair_similar(xs[bi + 1:], ys[bj + 1:])


# -- edit script ---------------------------------------------------------------

@dataclass
class Edit:
    op: str                      # keep | insert | delete | update | move
    kind: str
    part: str                    # "whole" (the statement and all it holds) or "head" (`if (...)` only)
    a: SNode | None
    b: SNode | None
    a_lines: tuple | None
    b_lines: tuple | None
    a_text: str | None
    b_text: str | None
    changes: list = field(default_factory=list)      # [{"a": tokens, "b": tokens}] for update/move
    a_marks: list = field(default_factory=list)      # byte spans of changed tokens, for renderers
    b_marks: list = field(default_factory=list)

    def as_dict(self) -> dict:
        d = {"op": self.op, "kind": self.kind,
             "a_lines": list(self.a_lines) if self.a_lines else None,
             "b_lines": list(self.b_lines) if self.b_lines else None,
             "a_text": self.a_text, "b_text": self.b_text, "part": self.part}
        if self.changes:
            d["changes"] = self.changes
        return d


def _token_changes(ma: Module, x: SNode, mb: Module, y: SNode):
    ta, tb = x.label_tokens, y.label_tokens
    changes, am, bm = [], [], []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, ta, tb, autojunk=False).get_opcodes():
        if op == "equal":
            continue
        changes.append({"a": " ".join(ta[i1:i2]), "b": " ".join(tb[j1:j2])})
        am.extend(x.label_spans[i1:i2])
        bm.extend(y.label_spans[j1:j2])
    return changes, am, bm


class _Script:
    def __init__(self, ma: Module, mb: Module, m: Matcher):
        self.ma, self.mb, self.m = ma, mb, m
        self.edits: list[Edit] = []

    def _text(self, mod: Module, n: SNode, part: str) -> str:
        end = n.end_byte if part == "whole" else n.head_end_byte
        return mod.source_text(n.start_byte, end)

    def add(self, op: str, x: SNode | None, y: SNode | None, part: str) -> None:
        n = x or y
        e = Edit(op=op, kind=n.kind, part=part, a=x, b=y,
                 a_lines=(x.lines if part == "whole" else x.head_lines) if x else None,
                 b_lines=(y.lines if part == "whole" else y.head_lines) if y else None,
                 a_text=self._text(self.ma, x, part) if x else None,
                 b_text=self._text(self.mb, y, part) if y else None)
        if x is not None and y is not None and x.label != y.label:
            e.changes, e.a_marks, e.b_marks = _token_changes(self.ma, x, self.mb, y)
        self.edits.append(e)

    def _any_matched_a(self, x: SNode) -> bool:
        return any(d in self.m.ab for d in x.walk())

    def _any_matched_b(self, y: SNode) -> bool:
        return any(d in self.m.ba for d in y.walk())

    def pair(self, x: SNode, y: SNode) -> None:
        if x.hash == y.hash:
            self.add("keep", x, y, "whole")
            return
        self.add("update" if x.label != y.label else "keep", x, y, "head" if (x.children or y.children) else "whole")
        self.children(x, y)

    def move(self, x: SNode, y: SNode) -> None:
        if x.hash == y.hash:
            self.add("move", x, y, "whole")
            return
        self.add("move", x, y, "head" if (x.children or y.children) else "whole")
        self.children(x, y)

    def deleted(self, x: SNode) -> None:
        if not self._any_matched_a(x):
            self.add("delete", x, None, "whole")
            return
        self.add("delete", x, None, "head")
        for c in x.children:
            if c not in self.m.ab:
                self.deleted(c)
            # a matched child shows up as a move where its partner stands

    def inserted(self, y: SNode) -> None:
        if not self._any_matched_b(y):
            self.add("insert", None, y, "whole")
            return
        self.add("insert", None, y, "head")
        for c in y.children:
            if c in self.m.ba:
                self.move(self.m.ba[c], c)
            else:
                self.inserted(c)

    def children(self, x: SNode, y: SNode) -> None:
        ca, cb = x.children, y.children
        pos_b = {id(n): j for j, n in enumerate(cb)}
        pairs = [(i, pos_b[id(self.m.ab[c])]) for i, c in enumerate(ca)
                 if c in self.m.ab and id(self.m.ab[c]) in pos_b]
        chain = _lis_pairs(pairs)
        bounds = chain + [(len(ca), len(cb))]
        i0 = j0 = 0
        for i1, j1 in bounds:
            for c in ca[i0:i1]:
                if c not in self.m.ab:
                    self.deleted(c)
            for c in cb[j0:j1]:
                if c in self.m.ba:
                    self.move(self.m.ba[c], c)
                else:
                    self.inserted(c)
            if i1 < len(ca) and j1 < len(cb):
                self.pair(ca[i1], cb[j1])
            i0, j0 = i1 + 1, j1 + 1


@dataclass
class FunctionDiff:
    a: Module
    b: Module
    function_a: str
    function_b: str
    edits: list[Edit]
    tree_a: SNode = field(repr=False)
    tree_b: SNode = field(repr=False)

    @property
    def changed(self) -> bool:
        return any(e.op != "keep" for e in self.edits)

    def counts(self) -> dict:
        out = {op: 0 for op in ("keep", "update", "insert", "delete", "move")}
        for e in self.edits:
            out[e.op] += 1
        return out

    def as_dict(self) -> dict:
        return {"a": self.a.label, "b": self.b.label, "function_a": self.function_a,
                "function_b": self.function_b,
                "a_range": [self.tree_a.start_line, self.tree_a.end_line],
                "b_range": [self.tree_b.start_line, self.tree_b.end_line],
                "counts": self.counts(), "edits": [e.as_dict() for e in self.edits]}


def match_trees(ta: SNode, tb: SNode) -> Matcher:
    return Matcher(ta, tb).run()


def diff_functions(a: Module, name_a: str, b: Module, name_b: str | None = None) -> FunctionDiff:
    """The edit script turning A's function into B's (names as in each version)."""
    name_b = name_b or name_a
    ta, tb = statement_tree(a, name_a), statement_tree(b, name_b)
    try:
        m = match_trees(ta, tb)
        script = _Script(a, b, m)
        script.pair(ta, tb)
    except RecursionError:
        raise too_deep(a if ta.size >= tb.size else b, name_a if ta.size >= tb.size else name_b) from None
    return FunctionDiff(a, b, name_a, name_b, script.edits, ta, tb)
