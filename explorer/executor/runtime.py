"""The runtime: one run of a compiled Program (frames, the World's answers,
steps and assumptions, where an error was decided)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from . import cvalues
from .constants import HEADER_CONSTANTS
from ..i18n import Message
from .control import BudgetExceeded, Unsupported
from .cvalues import ErrPtr, Obj, Sym, Unknown, wrap
from .flags import ERRNO, errno_name
from .trace import Assumption, Callee, Step
from .world import NAMESPACE_FLAG_NAMES, World

if TYPE_CHECKING:
    from .callsites import CallSite
    from .program import Program
    from .statements import CompiledFunction

MAX_DEPTH = 64                # nested calls of same-file functions


class Frame:
    __slots__ = ("fn", "vars", "types", "last_goto")

    def __init__(self, fn):
        self.fn = fn
        self.vars: dict = {}
        self.types: dict = {}
        self.last_goto = None


class Interpreter:
    """One run: the World's answers, the steps, the outcome bookkeeping."""

    def __init__(self, program: Program, world: World, record: bool = True, budget: int = 200_000):
        self.program = program
        self.world = world
        self.record = record
        self.budget = budget
        self.count = 0
        self.steps: list[Step] = []
        self.assumptions: list[Assumption] = []
        self.globals: dict = {}
        self.depth = 0
        self.error_origin = None          # (value, function, line) of the deepest error return
        self.last_return = None           # meta of the latest return: where an ok outcome was decided
        self.last_meta = None
        self.user_clone_args: dict = {}
        self.sites: dict[str, CallSite] = {}   # callee -> first call site reached (when recording)
        flags = program.flags.values
        # The caller (current) and the objects it reaches, built from the knobs.
        self.pid_ns = Obj("pid_namespace")
        init_user = Sym("init_user")
        user = init_user if world.is_init_user else Obj("user_struct")
        cred = Obj("cred", {"user": user})
        signal = Obj("signal_struct", {"flags": HEADER_CONSTANTS["SIGNAL_UNKILLABLE"] if world.current_is_init else 0})
        nsproxy = Obj("nsproxy", {"pid_ns_for_children": self.pid_ns, "pid_ns": self.pid_ns})
        self.world_current = Obj("current", {"signal": signal, "nsproxy": nsproxy, "real_cred": cred,
                                             "cred": cred, "flags": 0, "mm": Obj("mm_struct")})
        self.ns_mask = 0
        for name in NAMESPACE_FLAG_NAMES:
            self.ns_mask |= flags.get(name, 0)
        self.newuser = flags.get("CLONE_NEWUSER", 0)

    # -- bookkeeping -----------------------------------------------------------
    def tick(self, meta):
        """Count one statement against the budget (the statement closures inline this)."""
        self.count += 1
        if self.count > self.budget:
            raise BudgetExceeded(meta)

    def step(self, fr, meta, event, detail):
        self.steps.append(Step(meta[0], meta[1], meta[2], meta[3], event, detail))

    def assume(self, site: CallSite, fr, answer: str):
        if self.record:
            callee = site.called_function
            if callee is not None and callee not in self.sites:
                self.sites[callee] = site
            pair = site.recorded.get(answer)
            if pair is None:
                m = site.meta
                pair = (Assumption(m[0], m[2], site.call_text(), answer, site.called_function),
                        Step(m[0], m[1], m[2], m[3], "assume", f"{site.call_text()} -> {answer}"))
                if len(site.recorded) < 16:
                    site.recorded[answer] = pair
            self.assumptions.append(pair[0])
            self.steps.append(pair[1])

    def decide(self, v, fr, node, what, meta=None):
        """The truth of a branch condition; the World settles unknown ones (false)."""
        if v.__class__ is int:
            return v != 0
        if isinstance(v, Unknown):
            if self.record:
                m = meta or (fr.fn.name, "", node.start_point[0] + 1, node.end_point[0] + 1)
                self.assumptions.append(Assumption(m[0], m[2], v.text, "false (unknown to the executor)"))
            return False
        if isinstance(v, cvalues.Symbolic):      # flag bits as symbols: the path splits here
            return v.truth()
        return True

    def global_value(self, name):
        if name in self.globals:
            return self.globals[name]
        w = self.world
        if name == "nr_threads":
            return 100
        if name == "max_threads":
            return 100 if w.threads_at_max else 10_000
        if name == "unprivileged_userns_clone":
            return 1 if w.unprivileged_userns_clone else 0
        if name in ("total_forks", "nr_processes"):
            return 0
        if name in ("init_struct_pid", "init_task", "init_user", "tasklist_lock"):
            return Sym(name)
        return Unknown(name)

    def note_return(self, fr, v, meta):
        """Remember where an error was decided: the goto that led to the
        cleanup path, or the return itself."""
        self.last_return = meta
        err = None
        if isinstance(v, ErrPtr):
            err = v.value
        elif v.__class__ is int and -4095 <= v < 0 and fr.fn.cf.ret_type is not None \
                and fr.fn.cf.ret_type[1] and fr.fn.cf.ret_type[0] > 1:
            err = v
        if err is None:
            self.error_origin = None     # a success: earlier errors were handled
            return
        where = fr.last_goto or meta
        if self.error_origin is None or self.error_origin[0] != err:
            self.error_origin = (err, where[0], where[2])

    def reached_callees(self):
        """A function making the callees this run called, in the order first
        reached, with the convention of that first site (kept per site): only
        the sites are held, not the run."""
        sites = list(self.sites.items())
        defined = self.program.module.functions

        def make() -> list[Callee]:
            return [Callee(name, name in defined, site.convention, site.meta[0], site.meta[2])
                    for name, site in sites]
        return make

    # -- calls -------------------------------------------------------------------
    def call(self, name, args, site, caller_fr):
        cf = self.program.function(name)
        if self.depth >= MAX_DEPTH:
            raise Unsupported(Message("calls nested deeper than {depth}", depth=MAX_DEPTH), site.meta)
        if self.record:
            if name not in self.sites:
                self.sites[name] = site
            step = site.recorded.get(None)       # the "call" step of this site
            if step is None:
                m = site.meta
                step = site.recorded[None] = Step(m[0], m[1], m[2], m[3], "call", name)
            self.steps.append(step)
        return self.invoke(cf, args)

    def invoke(self, cf: CompiledFunction, args):
        fr = Frame(_FnCtx(cf, self))
        for (pname, ptype, _), v in zip(cf.params, args):
            fr.vars[pname] = v if ptype is None else wrap(v, ptype)
        if self.record:
            m = cf.meta
            self.steps.append(Step(m[0], m[1], m[2], m[2], "enter",
                                   ", ".join(f"{p[0]}={cvalues.show(v)}" for p, v in zip(cf.params, args))))
        self.depth += 1
        try:
            r = cf.body(fr)
        finally:
            self.depth -= 1
        if r is None:
            return None
        if r[0] == "g":
            raise Unsupported(Message("goto {label}: the label is not in a block around the goto "
                                      "(jumps into nested blocks are not supported)", label=r[1]),
                              fr.last_goto or cf.meta)
        if r[0] != "r":
            return None
        v = r[1]
        if cf.ret_bool:
            return cvalues.to_bool_type(v)
        return wrap(v, cf.ret_type)

    def world_call(self, name, args, site: CallSite, fr):
        """Answer a call to a function fork.c does not define."""
        w = self.world
        conv = site._convention or site.convention
        errno = w.failures.get(name)
        if errno is not None:
            value = {"int": -errno, "null": 0, "errptr": ErrPtr(-errno), "object": ErrPtr(-errno)}[conv]
            how = {"int": f"-{errno}", "null": "NULL", "errptr": f"ERR_PTR(-{errno})",
                   "object": f"ERR_PTR(-{errno})"}[conv]
            self.assume(site, fr, f"{how} (injected failure: {errno_name(errno)})")
            return value
        if name == "copy_namespaces" and w.namespace_model and args and isinstance(args[0], cvalues.Symbolic):
            # the model below, asking only about the bits it reads (symbolic.py); CLONE_NEWUSER
            # first: it settles the answer alone, so one path carries on instead of one per namespace bit
            if not w.capable and not args[0].any_of(self.newuser) and args[0].any_of(self.ns_mask):
                self.assume(site, fr, "-EPERM (model: new namespaces need CAP_SYS_ADMIN)")
                return -ERRNO["EPERM"]
            args = [0] + list(args[1:])
        if name == "copy_namespaces" and w.namespace_model and args and args[0].__class__ is int:
            flags = args[0]
            if flags & self.ns_mask and not flags & self.newuser and not w.capable:
                self.assume(site, fr, "-EPERM (model: new namespaces need CAP_SYS_ADMIN)")
                return -ERRNO["EPERM"]
        if conv == "int":
            value = 0
            answer = "0"
        else:
            proto = self.world_current if name in ("dup_task_struct", "alloc_task_struct_node",
                                                   "alloc_task_struct") else None
            value = Obj(name + "()", proto=proto)
            if name == "alloc_pid":      # 2.6 reads the number straight from the struct pid
                value.fields["nr"] = w.child_pid
            answer = "a valid object"
        if self.record:
            self.assume(site, fr, answer)
        return value


class _FnCtx:
    """What a frame needs to reach: the compiled function and the run."""
    __slots__ = ("cf", "interp", "name")

    def __init__(self, cf, interp):
        self.cf = cf
        self.interp = interp
        self.name = cf.name
