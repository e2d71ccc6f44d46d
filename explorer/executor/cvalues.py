"""C values at run time: integers and their types, pointers, objects, unknowns;
truth and equality of values.

C integers are Python ints kept in range by `wrap` (see ctypes below);
pointers to things the executor knows are the objects themselves, so pointer
identity is Python identity (the legacy clone() passes one user pointer as
both pidfd and parent_tid: the same UserPtr object lands in both fields).
"""
from __future__ import annotations


class Obj:
    """A struct (or an opaque object a callee returned).  Fields written by the
    interpreted code are kept; reading a field nobody wrote gives 0 for
    structs the code itself declared (designated initialisers zero the rest)
    and an Unknown for opaque kernel objects, after looking at `proto` (a task
    made by dup_task_struct(current) starts as a copy of current)."""
    __slots__ = ("kind", "fields", "proto", "zero")

    def __init__(self, kind: str, fields: dict | None = None, proto: "Obj | None" = None, zero: bool = False):
        self.kind = kind
        self.fields = {} if fields is None else fields
        self.proto = proto
        self.zero = zero

    def get(self, name):
        o = self
        while o is not None:
            f = o.fields
            if name in f:
                return f[name]
            o = o.proto
        if self.zero:
            return 0
        return Unknown(f"{self.kind}->{name}")

    def __repr__(self) -> str:
        return f"<{self.kind}>"


class Unknown:
    """A value the executor cannot know (a field of an opaque kernel object,
    an undefined macro).  Arithmetic on it stays unknown; a branch on it is
    decided by the World and recorded as an assumption."""
    __slots__ = ("text",)

    def __init__(self, text: str):
        self.text = text

    def __repr__(self) -> str:
        return f"unknown({self.text})"


class Symbolic:
    """A value that stands for several (explorer/executor/symbolic.py: flag
    bits as symbols).  The interpreter's slow paths hand it to `operate` and
    `truth`, which split the path where the answer depends on a symbol."""
    __slots__ = ()

    def truth(self) -> bool:
        raise NotImplementedError

    def concrete(self):
        raise NotImplementedError

    def any_of(self, mask: int) -> bool:
        """Is any bit of mask set?"""
        raise NotImplementedError

    def equals(self, other: int) -> bool:
        raise NotImplementedError

    @staticmethod
    def equal(x, y):
        """x == y with a symbolic side: 1, 0, or None (not decidable here)."""
        sym, other = (x, y) if isinstance(x, Symbolic) else (y, x)
        if isinstance(other, Symbolic):
            other = other.concrete()
        sym_value = sym.concrete() if other.__class__ is not int else None
        if sym_value is None:
            return 1 if sym.equals(other) else 0
        return c_equal(sym_value, other)

    @staticmethod
    def settle(v):
        """v as a plain value (a symbolic one is decided bit by bit)."""
        return v.concrete() if isinstance(v, Symbolic) else v

    @staticmethod
    def binary(op, x, y, t):
        """x op y (an arithmetic or bitwise operator) where one side is symbolic."""
        sym = x if isinstance(x, Symbolic) else y
        return sym.combine(op, x, y, t)


class Sym:
    """The address of a named kernel object (&init_struct_pid, INIT_USER) or
    a user-space pointer; equal only to itself."""
    __slots__ = ("name",)

    def __init__(self, name: str):
        self.name = name

    def __repr__(self) -> str:
        return f"&{self.name}"


class UserPtr(Sym):
    __slots__ = ()

    def __repr__(self) -> str:
        return f"user:{self.name}"


class ErrPtr:
    """ERR_PTR(-errno): a pointer that encodes an error."""
    __slots__ = ("value",)

    def __init__(self, value: int):
        self.value = value

    def __eq__(self, other):
        return isinstance(other, ErrPtr) and other.value == self.value

    def __hash__(self):
        return hash(("errptr", self.value))

    def __repr__(self) -> str:
        return f"ERR_PTR({self.value})"


class Ref:
    """&variable or &obj->field for something that is not a struct."""
    __slots__ = ("container", "key")

    def __init__(self, container: dict, key):
        self.container = container
        self.key = key

    def get(self):
        return self.container.get(self.key, 0)

    def set(self, value):
        self.container[self.key] = value

    def __eq__(self, other):
        return isinstance(other, Ref) and other.container is self.container and other.key == self.key

    def __hash__(self):
        return hash((id(self.container), self.key))

    def __repr__(self) -> str:
        return f"&{self.key}"


class FuncRef:
    """A function used as a value (a function pointer)."""
    __slots__ = ("name",)

    def __init__(self, name: str):
        self.name = name

    def __repr__(self) -> str:
        return self.name


MAX_ERRNO = 4095


def is_err_value(v) -> bool:
    """IS_ERR(): an ERR_PTR, or an integer in the top 4095 values."""
    if isinstance(v, ErrPtr):
        return True
    if isinstance(v, int):
        return -MAX_ERRNO <= v < 0 or (2**64 - MAX_ERRNO) <= v < 2**64
    return False


def show(v) -> str:
    """A short human spelling of a value for trace details."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return hex(v) if v > 0xffff else str(v)
    if isinstance(v, str):
        return repr(v)
    return repr(v)


# -- C integer types -----------------------------------------------------------
# (bits, signed).  None means "not an integer we track" (pointer, struct, unknown).
INT_TYPES: dict[str, tuple[int, bool]] = {}
for _names, _t in (
        (("char", "signed char", "s8", "__s8"), (8, True)),
        (("unsigned char", "u8", "__u8"), (8, False)),
        (("short", "signed short", "short int", "s16", "__s16"), (16, True)),
        (("unsigned short", "unsigned short int", "u16", "__u16"), (16, False)),
        (("int", "signed", "signed int", "s32", "__s32", "pid_t", "uid_t", "gid_t"), (32, True)),
        (("unsigned", "unsigned int", "u32", "__u32", "gfp_t", "fmode_t"), (32, False)),
        (("long", "long int", "signed long", "ssize_t", "loff_t", "long long", "long long int",
          "s64", "__s64"), (64, True)),
        (("unsigned long", "unsigned long int", "size_t", "unsigned long long",
          "unsigned long long int", "u64", "__u64", "__aligned_u64", "uintptr_t"), (64, False)),
        (("bool", "_Bool"), (1, False)),
):
    for _n in _names:
        INT_TYPES[_n] = _t

INT = (32, True)
UINT = (32, False)
LONG = (64, True)
ULONG = (64, False)


def wrap(v, t):
    """Keep v in the range of C integer type t (modular for both signs, as gcc does)."""
    if t is None or v.__class__ is not int:
        return v
    bits, signed = t
    if bits == 1:
        return 1 if v else 0
    v &= (1 << bits) - 1
    if signed and v >> (bits - 1):
        v -= 1 << bits
    return v


def to_bool_type(v):
    """Conversion to C bool of any value (pointers are true when non-NULL)."""
    if v.__class__ is int:
        return 1 if v else 0
    if isinstance(v, Unknown):
        return v
    return 1


def promote(t):
    """Integer promotion: anything narrower than int becomes int."""
    if t is None:
        return None
    return INT if t[0] < 32 else t


def common_type(a, b):
    """The usual arithmetic conversions for two integer types."""
    if a is None or b is None:
        a = promote(a) if a is not None else None
        b = promote(b) if b is not None else None
        return a or b
    a, b = promote(a), promote(b)
    if a == b:
        return a
    if a[0] != b[0]:
        wide, narrow = (a, b) if a[0] > b[0] else (b, a)
        # the wider type can represent every value of the narrower one (64 vs 32 here)
        return wide
    return (a[0], False)   # same width, one unsigned: unsigned wins


def type_of_literal(text: str):
    """The C type of an integer literal, from its suffix and magnitude."""
    t = text.lower()
    suffix = ""
    while t and t[-1] in "ul":
        suffix = t[-1] + suffix
        t = t[:-1]
    try:
        value = int(t, 0) if not (len(t) > 1 and t[0] == "0" and t[1].isdigit()) else int(t, 8)
    except ValueError:
        return None, None
    unsigned = "u" in suffix
    longs = suffix.count("l")
    hexoct = t.startswith(("0x", "0")) and t != "0"
    if longs == 0:
        if not unsigned and value < 2**31:
            return value, INT
        if (unsigned or hexoct) and value < 2**32:
            return value, UINT
    if not unsigned and value < 2**63:
        return value, LONG
    return value, ULONG


def utext(v):
    if isinstance(v, Unknown):
        return v.text
    return show(v)


def truth(v, fr, node):
    """True/False for a known value, None when it cannot be known."""
    if v.__class__ is int:
        return v != 0
    if isinstance(v, Unknown):
        return None
    if isinstance(v, Symbolic):
        return v.truth()
    return True      # objects, symbols, strings, ERR_PTRs: non-NULL pointers


def c_equal(x, y, t=None):
    if x.__class__ is int and y.__class__ is int:
        if t is not None:
            return wrap(x, t) == wrap(y, t)
        return x == y
    if isinstance(x, Unknown) or isinstance(y, Unknown):
        return None
    if x.__class__ is int:
        return False if x == 0 else None
    if y.__class__ is int:
        return False if y == 0 else None
    if isinstance(x, Sym) and isinstance(y, Sym):
        return x.name == y.name and type(x) is type(y)
    if isinstance(x, (ErrPtr, Ref)) or isinstance(y, (ErrPtr, Ref)):
        return x == y
    return x is y
