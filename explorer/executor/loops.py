"""The statement compiler's loops and switch: while, do, for (and the
iterator macros the normaliser turned into while heads), switch/case,
break and continue.  FunctionCompiler inherits it."""
from __future__ import annotations

from . import cvalues
from .callsites import CallSite
from ..i18n import Message
from .control import BREAK, CONTINUE, BudgetExceeded, Unsupported
from .cvalues import Unknown, c_equal
from .trace import Step

LOOP_LIMIT = 10_000           # iterations of one loop before the run is called unknown


class LoopsAndSwitch:
    def s_break_statement(self, node):
        meta = self.meta(node)

        def ex(fr):
            interp = fr.fn.interp
            interp.count += 1
            if interp.count > interp.budget:
                raise BudgetExceeded(meta)
            return BREAK
        return ex

    def s_continue_statement(self, node):
        meta = self.meta(node)

        def ex(fr):
            interp = fr.fn.interp
            interp.count += 1
            if interp.count > interp.budget:
                raise BudgetExceeded(meta)
            return CONTINUE
        return ex

    def _loop(self, node, cond_ev, body, update, check_first, meta):
        iterator = node.start_byte in self.program.iterators
        it_name = self.program.iterator_names.get(node.start_byte, "")
        site = CallSite(self.ec, node, it_name or "loop", meta) if iterator else None
        if site is not None:
            site.text = it_name

        another = Step.at(meta, "eval", Message("{loop}: another pass (assumed)", loop=it_name))
        done = Step.at(meta, "eval", Message("{loop}: done (assumed)", loop=it_name))

        def ex(fr):
            interp = fr.fn.interp
            passes = 0
            if iterator:
                limit = interp.world.iterations
                if interp.record:
                    interp.assume(site, fr, f"{limit} iteration(s) of {it_name}")
            while True:
                interp.count += 1
                if interp.count > interp.budget:
                    raise BudgetExceeded(meta)
                if iterator:
                    go = passes < limit
                    if interp.record:
                        interp.steps.append(another if go else done)
                elif check_first or passes:
                    v = cond_ev(fr)
                    go = interp.decide(v, fr, node, "loop", meta)
                    if interp.record:
                        interp.step(fr, meta, "eval", f"{'true' if go else 'false'} ({cvalues.show(v)})")
                else:
                    go = True
                if not go:
                    return None
                passes += 1
                if passes > LOOP_LIMIT:
                    raise Unsupported(Message("loop did not end within {limit} iterations", limit=LOOP_LIMIT), meta)
                r = body(fr)
                if r is not None:
                    if r is BREAK:
                        return None
                    if r is not CONTINUE:
                        return r
                if update is not None:
                    update(fr)
        return ex

    def s_while_statement(self, node):
        cond_ev, cond = self._cond(node)
        body = self.stmt(node.child_by_field_name("body"))
        meta = (self.fn.name, self.nid(node), node.start_point[0] + 1, cond.end_point[0] + 1)
        return self._loop(node, cond_ev, body, None, True, meta)

    def s_do_statement(self, node):
        cond_ev, cond = self._cond(node)
        body = self.stmt(node.child_by_field_name("body"))
        meta = (self.fn.name, self.nid(node), cond.start_point[0] + 1, cond.end_point[0] + 1)
        return self._loop(node, cond_ev, body, None, False, meta)

    def s_for_statement(self, node):
        init = node.child_by_field_name("initializer")
        init_ex = None
        if init is not None:
            if init.type == "declaration":
                init_ex = self.s_declaration(init)
            else:
                iev, _ = self.ec.expr(init)
                init_ex = lambda fr: iev(fr)   # noqa: E731
        cond = node.child_by_field_name("condition")
        cond_ev = self.ec.expr(cond)[0] if cond is not None else (lambda fr: 1)
        upd = node.child_by_field_name("update")
        upd_ev = self.ec.expr(upd)[0] if upd is not None else None
        body = self.stmt(node.child_by_field_name("body"))
        end = (cond or node).end_point[0] + 1
        meta = (self.fn.name, self.nid(node), node.start_point[0] + 1, end)
        loop = self._loop(node, cond_ev, body, upd_ev, True, meta)

        def ex(fr):
            if init_ex is not None:
                init_ex(fr)
            return loop(fr)
        return ex

    def s_switch_statement(self, node):
        cond_ev, cond = self._cond(node)
        body = node.child_by_field_name("body")
        meta = (self.fn.name, self.nid(node), node.start_point[0] + 1, cond.end_point[0] + 1)
        cases = []       # (value closure or None for default, [stmt closures], meta)
        for c in body.named_children:
            if c.type != "case_statement":
                continue
            vnode = c.child_by_field_name("value")
            vev = self.ec.expr(vnode)[0] if vnode is not None else None
            stmts = []
            for s in c.named_children:
                if vnode is not None and s.id == vnode.id:
                    continue
                if s.type == "comment":
                    continue
                stmts.append(self.stmt(s))
            cases.append((vev, stmts, self.meta(c)))

        def ex(fr):
            interp = fr.fn.interp
            interp.count += 1
            if interp.count > interp.budget:
                raise BudgetExceeded(meta)
            v = cond_ev(fr)
            start = None
            if isinstance(v, Unknown):
                raise Unsupported(Message("switch on an unknown value ({value})", value=v.text), meta)
            for i, (vev, _, _) in enumerate(cases):
                if vev is not None and c_equal(vev(fr), v):
                    start = i
                    break
            if start is None:
                start = next((i for i, c in enumerate(cases) if c[0] is None), None)
            if interp.record:
                interp.step(fr, meta, "branch",
                            f"switch ({cvalues.show(v)}): " + ("no case" if start is None else
                                                         f"case at line {cases[start][2][2]}"))
            if start is None:
                return None
            for _, stmts, _ in cases[start:]:
                for s in stmts:
                    r = s(fr)
                    if r is not None:
                        if r is BREAK:
                            return None
                        return r
            return None
        return ex
