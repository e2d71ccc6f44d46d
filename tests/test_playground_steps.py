"""The playground keeps one consistent trace: the outcome, the step slider, the
step text and the marks in the source view describe the same run, whatever the
page sends back late (a slider value left from an earlier run after Run All)."""
from __future__ import annotations

import re

from explorer.widgets import SourceView
from explorer.widgets.playground import FlagPlayground

from test_render import guard_line


def shown(pg: FlagPlayground) -> dict:
    """What a reader reads off the playground and its source view."""
    steps = re.search(r"(\d+) steps", pg.outcome.value)
    at = re.search(r"step (\d+)/(\d+)", pg.step_info.value)
    return {"outcome_steps": int(steps.group(1)), "step": int(at.group(1)), "of": int(at.group(2)),
            "slider": pg.slider.value, "slider_max": pg.slider.max, "decided": pg.view.decided,
            "step_line": pg.view.step_line}


def assert_whole_trace(pg: FlagPlayground) -> None:
    n = len(pg.trace.steps)
    s = shown(pg)
    assert s["outcome_steps"] == n and s["of"] == n and s["step"] == n
    assert s["slider"] == s["slider_max"] == n - 1
    assert s["decided"] == pg.trace.outcome.line and s["step_line"] == 0
    assert pg.view.executed == FlagPlayground.executed_lines(pg.trace)


def browser_asks(pg: FlagPlayground, run: int, step: int) -> None:
    """The message the page's slider sends when moved (step_control.js)."""
    pg.slider._handle_custom_msg({"run": run, "step": step}, [])


def test_a_step_sent_for_an_earlier_run_does_not_move_the_newer_trace(modern):
    view = SourceView(modern)
    pg = FlagPlayground(view)
    pg.set_module(modern)
    pg.set_flags("CLONE_THREAD")                 # notebook 04, cell 2: two runs in a row
    first_run, first_last = pg.slider.run, pg.slider.value
    assert pg.trace.outcome.errno == "EINVAL" and view.cause == guard_line(modern)
    pg.set_flags("CLONE_THREAD", "CLONE_SIGHAND", "CLONE_VM")
    assert pg.slider.run != first_run and pg.trace.outcome.result == "ok"
    assert len(pg.trace.steps) - 1 != first_last  # the stale value would land mid-trace
    browser_asks(pg, first_run, first_last)      # the page echoes the first run's last step late
    assert_whole_trace(pg)
    assert view.cause == 0


def test_the_readers_own_step_for_the_current_run_replays_it(modern):
    view = SourceView(modern)
    pg = FlagPlayground(view)
    pg.set_module(modern)
    pg.set_flags("CLONE_THREAD")
    n = len(pg.trace.steps)
    browser_asks(pg, pg.slider.run, 3)
    s = shown(pg)
    assert s["slider"] == 3 and s["step"] == 4 and s["of"] == n and s["outcome_steps"] == n
    assert s["step_line"] == pg.trace.steps[3].line and s["decided"] == 0
    assert view.executed == FlagPlayground.executed_lines(pg.trace, 3)
    browser_asks(pg, pg.slider.run, 10 ** 6)     # past the end: the last step, the decision shown
    assert_whole_trace(pg)
    pg.back.click()
    assert shown(pg)["step"] == n - 1
    pg.flag_boxes["CLONE_SIGHAND"].value = True  # a click starts a new run at its end
    assert_whole_trace(pg)


def test_an_error_run_leaves_no_old_steps_to_replay(modern):
    view = SourceView(modern)
    pg = FlagPlayground(view)
    pg.set_module(modern)
    run = pg.slider.run
    pg.entry.options = list(pg.entry.options) + ["no_such_function"]
    pg.entry.value = "no_such_function"
    assert pg.trace is None and pg.slider.max == 0 and pg.slider.run == run + 1
    assert view.executed == [] and view.decided == 0
