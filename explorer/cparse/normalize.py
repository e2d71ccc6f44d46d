"""Make kernel C digestible to tree-sitter-c without moving a single byte.

Every rewrite here replaces a span by text of exactly the same length and
keeps every newline where it was, so a node's byte offsets, lines and columns
in the normalised text are those of the reader's file.  What is rewritten:

- annotations that expand to nothing or to attributes (`__user`, `__init`,
  `__latent_entropy`, `__must_hold(x)`, ...): blanked;
- `SYSCALL_DEFINEn(name, type, arg, ...)`: rewritten to `long sys_name(type arg, ...)`;
- `DEFINE_PER_CPU(type, name)`: rewritten to `type name`;
- iterator macros used as loop heads (`list_for_each_entry(...) {`): the
  macro name becomes `while`;
- `struct T` passed to a macro (`container_of(p, struct T, m)`): `struct_T`;
- `#if` groups that split braces or parentheses, or that sit inside an
  expression: the branch chosen by the configuration is kept, the others and
  the directive lines are blanked.  Balanced groups are kept for the executor.

Each rewrite is recorded as a `Rewrite` so later stages can tell a loop that
was an iterator macro from a real `while`, or which `#if` branch is fixed.
"""
from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass

from .config import DEFAULT_CONFIG, eval_condition

# Annotations that expand to nothing, to an attribute or to a section name.
BARE_ATTRIBUTES = frozenset("""
__user __kernel __iomem __percpu __rcu __force __bitwise __safe __nocast __private
__init __initdata __initconst __exit __exitdata __ref __refdata __devinit __devinitdata __devexit
__cpuinit __cpuinitdata __meminit __sched __kprobes __lockfunc __weak __latent_entropy
__always_inline __read_mostly __maybe_unused __used __unused __noreturn __cold __hot __pure
__must_check __visible __noinline noinline notrace __cacheline_aligned __cacheline_aligned_in_smp
____cacheline_aligned ____cacheline_aligned_in_smp __ro_after_init __init_or_module __nocfi
__noinstr noinstr __no_kcsan __no_sanitize_address __attribute_const__ __malloc __randomize_layout
__deprecated __packed asmlinkage fastcall NORET_TYPE ATTRIB_NORET __sched_notrace __tracepoint_guard
__always_unused __flatten __naked __irq_entry __softirq_entry __must_be_array __counted_by_ptr
__kprobes_text __init_memblock __initdata_memblock __net_init __net_exit __randomize_struct
""".split())

# Annotations that take an argument list, which goes with them.
CALL_ATTRIBUTES = frozenset("""
__acquires __releases __must_hold __cond_lock __aligned __section __printf __scanf __alloc_size
__attribute__ __counted_by __diag_ignore __nonstring __assume_aligned __cleanup
__no_sanitize_or_inline __guarded_by __pt_guarded_by __cond_acquires __cond_releases __attribute
""".split())  # __attribute__ too: tree-sitter-c rejects it after a `*`

PER_CPU_DECLS = frozenset("""
DEFINE_PER_CPU DECLARE_PER_CPU DEFINE_PER_CPU_READ_MOSTLY DECLARE_PER_CPU_READ_MOSTLY
DEFINE_PER_CPU_SHARED_ALIGNED DECLARE_PER_CPU_SHARED_ALIGNED DEFINE_PER_CPU_ALIGNED
DEFINE_PER_CPU_PAGE_ALIGNED DEFINE_PER_CPU_FIRST
""".split())

# Macros whose arguments are types or expressions, never a `struct T` to join.
TYPE_TAKING_BUILTINS = frozenset("sizeof typeof __typeof__ __typeof _Alignof __alignof__ alignof "
                                 "offsetof __builtin_offsetof va_arg _Generic".split())

ITERATOR_RE = re.compile(rb"(?:[A-Za-z_]\w*)?for_each\w*|do_each_thread|do_each_pid_task|do_each_pid_thread")
_IDENT = re.compile(rb"[A-Za-z_]\w*")
_INTERESTING = re.compile(
    rb"\b(?:" + b"|".join(re.escape(w.encode()) for w in sorted(BARE_ATTRIBUTES | CALL_ATTRIBUTES | PER_CPU_DECLS,
                                                              key=len, reverse=True))
    + rb"|(?:COMPAT_)?SYSCALL_DEFINE\d|\w*for_each\w*|do_each_thread|do_each_pid_task|do_each_pid_thread)\b")
_SYSCALL = re.compile(rb"\b((?:COMPAT_)?SYSCALL_DEFINE)(\d)\s*\(")
_STRUCT_ARG = re.compile(rb"([(,])(\s*)(struct|union|enum)([ \t]+)([A-Za-z_]\w*)(?=\s*[,)])")
_DIRECTIVE_LINE = re.compile(rb"(?m)^[ \t]*#[ \t]*(\w+)")


@dataclass(frozen=True)
class Rewrite:
    kind: str        # attribute | syscall | per_cpu | iterator | struct_arg | ifdef
    start: int       # byte range in the original file
    end: int
    detail: str = ""


_LEXEME_START = re.compile(rb"/\*|//|[\"']")


def mask_comments_and_strings(src: bytes) -> bytearray:
    """A copy where comments and string/char literals are spaces (newlines kept)."""
    out = bytearray(src)
    n = len(src)
    pos = 0
    while True:
        m = _LEXEME_START.search(src, pos)
        if not m:
            return out
        i = m.start()
        tok = m.group()
        if tok == b"/*":
            j = src.find(b"*/", i + 2)
            j = n if j < 0 else j + 2
            _blank(out, i, j)
        elif tok == b"//":
            j = src.find(b"\n", i)
            j = n if j < 0 else j
            _blank(out, i, j)
        else:  # a string or char literal ends at its unescaped quote or at the line's end
            c = src[i]
            j = i + 1
            while j < n and src[j] != c and src[j] != 0x0A:
                j += 2 if src[j] == 0x5C else 1
            j = min(j + 1, n)
            _blank(out, i + 1, j - 1)
        pos = max(j, i + 1)


_TO_BLANK = bytes(b if b in (0x0A, 0x0D) else 0x20 for b in range(256))


def _blank(buf: bytearray, start: int, end: int) -> None:
    """Spaces over [start, end), newlines kept."""
    end = min(end, len(buf))
    buf[start:end] = buf[start:end].translate(_TO_BLANK)


def _match_paren(mask: bytes | bytearray, open_pos: int, limit: int = 20000) -> int:
    """Index just past the parenthesis closing the one at open_pos, or -1."""
    depth = 0
    end = min(len(mask), open_pos + limit)
    for k in range(open_pos, end):
        ch = mask[k]
        if ch == 0x28:
            depth += 1
        elif ch == 0x29:
            depth -= 1
            if depth == 0:
                return k + 1
    return -1


def _split_top_commas(mask: bytes | bytearray, start: int, end: int) -> list[int]:
    """Positions of the commas at depth 0 between start and end."""
    depth, out = 0, []
    for k in range(start, end):
        ch = mask[k]
        if ch in (0x28, 0x5B, 0x7B):
            depth += 1
        elif ch in (0x29, 0x5D, 0x7D):
            depth -= 1
        elif ch == 0x2C and depth == 0:
            out.append(k)
    return out


class _BracketIndex:
    """Net `{`/`}` and `(`/`)` counts over any byte range in O(log n), kept
    current as ranges are blanked (Fenwick trees over the bracket positions),
    so 10,000 nested #ifdefs cost no more than 10,000 flat ones."""

    def __init__(self, code: bytes | bytearray):
        self.pos = [m.start() for m in re.finditer(rb"[(){}]", code)]
        n = len(self.pos)
        self.brace = [0] * n
        self.paren = [0] * n
        for i, p in enumerate(self.pos):
            ch = code[p]
            if ch == 0x7B:
                self.brace[i] = 1
            elif ch == 0x7D:
                self.brace[i] = -1
            elif ch == 0x28:
                self.paren[i] = 1
            else:
                self.paren[i] = -1
        self.tree_b = self._build(self.brace)
        self.tree_p = self._build(self.paren)

    @staticmethod
    def _build(vals):
        tree = [0] + list(vals)
        n = len(tree)
        for i in range(1, n):
            j = i + (i & -i)
            if j < n:
                tree[j] += tree[i]
        return tree

    @staticmethod
    def _prefix(tree, i):  # sum of the first i values
        s = 0
        while i > 0:
            s += tree[i]
            i -= i & -i
        return s

    @staticmethod
    def _add(tree, i, delta):  # value i (0-based) += delta
        i += 1
        while i < len(tree):
            tree[i] += delta
            i += i & -i

    def balance(self, start: int, end: int) -> tuple[int, int]:
        a, b = bisect_left(self.pos, start), bisect_left(self.pos, end)
        return (self._prefix(self.tree_b, b) - self._prefix(self.tree_b, a),
                self._prefix(self.tree_p, b) - self._prefix(self.tree_p, a))

    def clear(self, start: int, end: int) -> None:
        for i in range(bisect_left(self.pos, start), bisect_left(self.pos, end)):
            if self.brace[i]:
                self._add(self.tree_b, i, -self.brace[i])
                self.brace[i] = 0
            if self.paren[i]:
                self._add(self.tree_p, i, -self.paren[i])
                self.paren[i] = 0


class Normalizer:
    def __init__(self, src: bytes, config: dict[str, bool] | None = None):
        self.src = src
        self.out = bytearray(src)
        self.mask = mask_comments_and_strings(src)
        self.config = DEFAULT_CONFIG if config is None else config
        self.rewrites: list[Rewrite] = []
        self._brackets: _BracketIndex | None = None
        self._code: bytearray | None = None  # mask without directive lines, while resolving

    # -- helpers ------------------------------------------------------------
    def _put(self, start: int, text: bytes, kind: str, detail: str = "", end: int | None = None) -> None:
        """Write text at start, padding with spaces to `end` (newlines are kept)."""
        end = start + len(text) if end is None else end
        assert len(text) <= end - start
        for k in range(start, end):
            if self.out[k] in (0x0A, 0x0D):
                continue
            self.out[k] = text[k - start] if k - start < len(text) else 0x20
            self.mask[k] = self.out[k]
        self.rewrites.append(Rewrite(kind, start, end, detail))

    def _blank(self, start: int, end: int, kind: str, detail: str = "") -> None:
        _blank(self.out, start, end)
        _blank(self.mask, start, end)
        if self._brackets is not None:
            self._brackets.clear(start, end)
            _blank(self._code, start, end)
        self.rewrites.append(Rewrite(kind, start, end, detail))

    def _next_nonspace(self, pos: int) -> int:
        n = len(self.mask)
        while pos < n and self.mask[pos] in b" \t\r\n\\":
            pos += 1
        return pos

    def _prev_nonspace(self, pos: int) -> int:
        pos -= 1
        while pos >= 0 and self.mask[pos] in b" \t\r\n":
            pos -= 1
        return pos

    # -- passes -------------------------------------------------------------
    def run(self) -> bytes:
        self.conditionals()
        self.identifiers()
        self.struct_args()
        out = bytes(self.out)
        assert len(out) == len(self.src)
        return out

    def identifiers(self) -> None:
        mask = self.mask
        pos = 0
        n = len(mask)
        while True:
            m = _INTERESTING.search(mask, pos)
            if not m:
                return
            word, s, e = m.group(), m.start(), m.end()
            pos = e
            if s > 0 and (mask[s - 1] == 0x23 or chr(mask[s - 1]).isalnum()):
                continue
            name = word.decode("ascii")
            if name in BARE_ATTRIBUTES:
                self._blank(s, e, "attribute", name)
            elif name in CALL_ATTRIBUTES:
                p = self._next_nonspace(e)
                close = _match_paren(mask, p) if p < n and mask[p] == 0x28 else -1
                if close > 0:
                    self._blank(s, close, "attribute", name)
                    pos = close
            elif (sm := _SYSCALL.match(mask, s)) is not None:
                self._syscall(sm)  # the scan goes on inside: `__user` in the arguments
            elif name in PER_CPU_DECLS:
                self._per_cpu(s, e)
            elif ITERATOR_RE.fullmatch(word):
                self._iterator(s, e)

    def _syscall(self, m: re.Match) -> int:
        mask = self.mask
        open_pos = m.end() - 1
        close = _match_paren(mask, open_pos)
        if close < 0:
            return m.end()
        commas = _split_top_commas(mask, open_pos + 1, close - 1)
        name_end = commas[0] if commas else close - 1
        name = bytes(mask[open_pos + 1:name_end]).strip()
        if not re.fullmatch(rb"\w+", name) or b"\n" in mask[m.start():name_end]:
            return m.end()
        prefix = b"compat_sys_" if m.group(1).startswith(b"COMPAT") else b"sys_"
        nargs = int(m.group(2))
        if nargs == 0 or not commas:
            head = b"long " + prefix + name + b"(void)"
            if len(head) > close - m.start():
                return close
            self._put(m.start(), head, "syscall", (prefix + name).decode(), end=close)
            return close
        head = b"long " + prefix + name + b"("
        self._put(m.start(), head, "syscall", (prefix + name).decode(), end=name_end + 1)
        # "type, name, type, name": every other top-level comma separates a type from its name.
        for i, c in enumerate(commas[1:]):
            if i % 2 == 0:
                self._put(c, b" ", "syscall", "type-name comma")
        return close

    def _per_cpu(self, s: int, e: int) -> int:
        p = self._next_nonspace(e)
        if p >= len(self.mask) or self.mask[p] != 0x28:
            return e
        close = _match_paren(self.mask, p)
        if close < 0:
            return e
        commas = _split_top_commas(self.mask, p + 1, close - 1)
        if len(commas) != 1:
            return close
        self._blank(s, p + 1, "per_cpu", self.src[s:e].decode())
        self._put(commas[0], b" ", "per_cpu")
        self._put(close - 1, b" ", "per_cpu")
        return close

    def _iterator(self, s: int, e: int) -> None:
        """`list_for_each_entry(a, b, c) {` -> `while              (a, b, c) {`."""
        p = self._next_nonspace(e)
        if p >= len(self.mask) or self.mask[p] != 0x28 or e - s < 5:
            return
        close = _match_paren(self.mask, p)
        if close < 0:
            return
        after = self._next_nonspace(close)
        if after >= len(self.mask) or self.mask[after] in b";,)=?:|&+-*/<>.[]":
            return  # used as an expression, not as a loop head
        before = self._prev_nonspace(s)
        if before >= 0 and self.mask[before] not in b";{}):" and not self.mask[:before + 1].endswith(b"else"):
            return
        self._put(s, b"while", "iterator", self.src[s:e].decode(), end=e)

    def struct_args(self) -> None:
        mask = self.mask
        for m in list(_STRUCT_ARG.finditer(bytes(mask))):
            paren = m.start(1)
            if mask[paren] == 0x28:
                # Only a macro call's argument: the paren follows an identifier that is not a builtin.
                b = self._prev_nonspace(paren)
                if b < 0 or not (chr(mask[b]).isalnum() or mask[b] == 0x5F):
                    continue
                k = b
                while k >= 0 and (chr(mask[k]).isalnum() or mask[k] == 0x5F):
                    k -= 1
                callee = bytes(mask[k + 1:b + 1]).decode("ascii", "replace")
                if callee in TYPE_TAKING_BUILTINS or callee in ("if", "while", "for", "switch", "return"):
                    continue
            else:
                # After a comma: only inside a call whose first argument we can see.
                if not self._inside_call(paren):
                    continue
            ws = m.start(4), m.end(4)
            self._put(ws[0], b"_" * (ws[1] - ws[0]), "struct_arg", m.group(5).decode())

    def _inside_call(self, pos: int) -> bool:
        depth = 0
        for k in range(pos - 1, max(-1, pos - 4000), -1):
            ch = self.mask[k]
            if ch in (0x29, 0x5D, 0x7D):
                depth += 1
            elif ch in (0x28, 0x5B, 0x7B):
                if depth == 0:
                    if ch != 0x28:
                        return False
                    b = self._prev_nonspace(k)
                    if b < 0 or not (chr(self.mask[b]).isalnum() or self.mask[b] == 0x5F):
                        return False
                    j = b
                    while j >= 0 and (chr(self.mask[j]).isalnum() or self.mask[j] == 0x5F):
                        j -= 1
                    callee = bytes(self.mask[j + 1:b + 1]).decode("ascii", "replace")
                    return callee not in TYPE_TAKING_BUILTINS and callee not in ("if", "while", "for", "switch")
                depth -= 1
        return False

    # -- conditionals -------------------------------------------------------
    def _directive_lines(self) -> list[tuple[int, int, str, str]]:
        """(start, end, directive, condition text) of each preprocessor line,
        continuation lines included."""
        out = []
        mask, n = self.mask, len(self.mask)
        covered = -1  # end of the last directive, continuation lines included
        for m in _DIRECTIVE_LINE.finditer(mask):
            pos = m.start()
            if pos <= covered:
                continue
            eol = mask.find(b"\n", pos)
            end = n if eol < 0 else eol
            while end > pos and end < n and self.src[end - 1:end] == b"\\":
                nxt = mask.find(b"\n", end + 1)
                end = n if nxt < 0 else nxt
            cond = self.src[m.end():end].decode("utf-8", "replace").replace("\\\n", " ")
            out.append((pos, end, m.group(1).decode("ascii", "replace"), cond))
            covered = end
        return out

    def conditionals(self) -> None:
        lines = self._directive_lines()
        # Build #if groups: each is a list of (line_start, line_end, kind, cond) from #if to #endif.
        stack: list[list] = []
        groups: list[list] = []  # in post-order (inner groups close first)
        for ln in lines:
            kind = ln[2]
            if kind in ("if", "ifdef", "ifndef"):
                stack.append([ln])
            elif kind in ("elif", "else", "elifdef", "elifndef") and stack:
                stack[-1].append(ln)
            elif kind == "endif" and stack:
                g = stack.pop()
                g.append(ln)
                groups.append(g)
        if not groups:
            return
        code = bytearray(self.mask)  # brackets outside directive lines
        for a, b, _, _ in lines:
            _blank(code, a, b)
        self._brackets = _BracketIndex(code)
        self._code = code
        self._last_code_memo: dict[int, int] = {}
        self._contexts = self._directive_contexts(code, lines)
        for g in groups:
            self._resolve_group(g)
        self._brackets = self._code = None

    def _directive_contexts(self, code: bytearray, lines) -> dict[int, str | None]:
        """For each directive line start: 'expression' inside parentheses,
        'initializer' inside `= { ... }`, else None (a block, a struct body or the
        top level, where the parser copes).  One forward pass; each #elif/#else
        branch starts from the bracket state at its #if, and after #endif the
        state is the first branch's, as a reader would pair the brackets."""
        events = [(a, 1, ln) for ln in lines for a in (ln[0],)]
        events += [(m.start(), 0, m.group()) for m in re.finditer(rb"[(){}]", code)]
        events.sort(key=lambda e: (e[0], e[1]))
        brackets: list[str] = []
        saved: list[tuple[list, list | None]] = []
        out: dict[int, str | None] = {}
        for pos, is_directive, what in events:
            if is_directive:
                kind = what[2]
                out[pos] = ("expression" if brackets and brackets[-1] == "(" else
                            "initializer" if brackets and brackets[-1] == "{=" else None)
                if kind in ("if", "ifdef", "ifndef"):
                    saved.append((list(brackets), None))
                elif kind in ("elif", "else", "elifdef", "elifndef") and saved:
                    at_if, first_end = saved[-1]
                    saved[-1] = (at_if, first_end if first_end is not None else list(brackets))
                    brackets = list(at_if)
                elif kind == "endif" and saved:
                    _, first_end = saved.pop()
                    if first_end is not None:
                        brackets = first_end
                continue
            if what == b"(":
                brackets.append("(")
            elif what == b"{":
                b = pos - 1
                while b >= 0 and code[b] in b" \t\r\n":
                    b -= 1
                brackets.append("{=" if b >= 0 and code[b] in b"=,{" and (
                    not brackets or brackets[-1] in ("{=", "(") or code[b] == 0x3D) else "{")
            elif brackets:
                brackets.pop()
        return out

    _LABEL_END = re.compile(rb"(?:^|[;{}\s])(?!default\b)[A-Za-z_]\w*\s*:\s*$")

    def _ends_with_label(self, start: int, end: int) -> bool:
        tail = bytes(self.mask[max(start, end - 120):end])
        return self._LABEL_END.search(tail) is not None and b"?" not in tail

    def _last_code_char(self, end: int) -> int:
        """Index of the last non-blank code byte before `end`, or -1.  Runs of
        blanks already crossed are remembered (blanking only adds blanks), so
        10,000 nested groups do not rescan each other's #endif lines."""
        code, memo = self._code, self._last_code_memo
        k = end - 1
        while k >= 0:
            if k in memo:
                k = memo[k]
                if k < 0 or code[k] not in b" \t\r\n\\":
                    break
                k -= 1
                continue
            if code[k] not in b" \t\r\n\\":
                break
            k -= 1
        memo[end - 1] = k
        return k

    def _is_fragment(self, start: int, end: int) -> bool:
        k = self._last_code_char(end)
        return k >= start and self._code[k] not in b";},"

    def _resolve_group(self, g: list) -> None:
        branches = []  # (kind, cond, body_start, body_end)
        for i in range(len(g) - 1):
            a_start, a_end, kind, cond = g[i]
            branches.append((kind, cond, a_end, g[i + 1][0]))
        unbalanced = any(self._brackets.balance(bs, be) != (0, 0) for _, _, bs, be in branches)
        context = self._contexts.get(g[0][0])
        in_expression = context is not None
        # Alternative function headers sharing one body after #endif
        # (SYSCALL_DEFINE5(clone, ...) under CONFIG_CLONE_BACKWARDS*).
        after = self._next_nonspace(g[-1][1])
        split_header = after < len(self.mask) and self.mask[after] == 0x7B and all(
            (last := self._prev_nonspace(be)) > bs and self.mask[last] == 0x29 for _, _, bs, be in branches)
        # A label right before `#ifdef` (2.6's bad_fork_cleanup_policy:): C wants a statement there.
        before = self._prev_nonspace(g[0][0])
        after_label = before >= 0 and self.mask[before] == 0x3A and \
            re.search(rb"(^|[;{}\s])[A-Za-z_]\w*\s*:$", bytes(self.mask[max(0, before - 80):before + 1])) is not None
        # ...or a label closing a branch (2.6.32's `bad_fork_cleanup_cgroup:` before #endif).
        label_at_end = any(self._ends_with_label(bs, be) for _, _, bs, be in branches)
        # ...or any branch that stops mid-declaration or mid-statement (`static` alone
        # before `#endif`, an `if (x)` whose body follows the group): C the parser
        # cannot hold as an alternative.
        fragment = any(self._is_fragment(bs, be) for _, _, bs, be in branches)
        if not (unbalanced or in_expression or split_header or after_label or label_at_end or fragment):
            return
        chosen = None
        for idx, (kind, cond, _, _) in enumerate(branches):
            if kind == "else":
                chosen = idx
                break
            if kind == "ifdef":
                val = bool(self.config.get(cond.split()[0] if cond.split() else "", False))
            elif kind == "ifndef":
                val = not self.config.get(cond.split()[0] if cond.split() else "", False)
            else:
                val = eval_condition(cond, self.config)
            if val is None:
                val = idx == 0  # undecidable: keep the first branch, as the reader sees it first
            if val:
                chosen = idx
                break
        why = "unbalanced" if unbalanced else f"in {context}" if in_expression else \
            "split header" if split_header else "after a label" if after_label else \
            "label at branch end" if label_at_end else "fragment"
        detail = f"{why}; kept branch " \
                 f"{chosen + 1 if chosen is not None else 'none'} of {len(branches)}"
        for a, b, _, _ in g:
            self._blank(a, b, "ifdef", detail)
        for idx, (_, _, bs, be) in enumerate(branches):
            if idx != chosen:
                self._blank(bs, be, "ifdef", detail)


def normalize(src: bytes, config: dict[str, bool] | None = None) -> tuple[bytes, list[Rewrite]]:
    n = Normalizer(src, config)
    out = n.run()
    return out, n.rewrites
