"""The "Then and now" tab without a browser: which versions it opens on, what
it says when there is no do_fork-form version, and that the panes stay in
step (a guard selected in one pane selects its counterpart in the other,
possibly in another function).  Expected values come from explorer.pair and
the executor on the same files.  tests/browser/test_then_and_now_browser.py
checks the same in chromium."""
from __future__ import annotations

import pytest

import explorer
from explorer.executor.compare import trace_compare
from explorer.diff.pair import choose_then_and_now
from explorer.widgets.then_and_now import ThenAndNow

from conftest import make_home


@pytest.fixture
def debian_only(tmp_path, monkeypatch):
    home = make_home(tmp_path / "home")
    monkeypatch.setenv("FORK_EXPLORER_HOME", str(home))
    return home


def test_without_a_do_fork_version_the_tab_says_so_and_pairs_oldest_with_newest(debian_only):
    choice = choose_then_and_now()
    assert (choice.a, choice.b, choice.has_then) == ("debian-6.1", "debian-6.12", False)
    tab = ThenAndNow()
    tab.compute()
    said = tab.say.value
    assert "No do_fork-form" in said and "sources add" in said and "sources sync v2.6.32" in said
    assert "debian-6.1 · kernel_clone()" in tab.view_a.title and "debian-6.12 · kernel_clone()" in tab.view_b.title


def test_with_2_6_32_the_panes_open_on_do_fork_and_kernel_clone(with_testdata):
    tab = ThenAndNow()
    tab.compute()
    assert tab.say.value == ""
    assert tab.view_a.title.startswith("v2.6.32.69 · do_fork()")
    assert tab.view_b.title.startswith("debian-6.12 · kernel_clone()")
    doc = explorer.pair("v2.6.32.69", "debian-6.12")
    shown = [(g["function_a"], g["function_b"], g["status"]) for g in tab.guards.rows]
    expected = [(g["function_a"], g["function_b"], g["status"]) for g in doc["guards"]
                if g["function_a"] == "do_fork" or g["function_b"] == "kernel_clone"]
    assert shown == expected and shown


def test_a_guard_selected_in_one_pane_selects_its_counterpart_even_in_another_function(with_testdata):
    tab = ThenAndNow()
    tab.compute()
    doc = explorer.pair("v2.6.32.69", "debian-6.12")
    moved = next(g for g in doc["guards"] if g["function_a"] == "do_fork" and g["function_b"] == "copy_process")
    # a click on the guard's second line (its exit) counts as a click on the guard
    tab.view_a.select(moved["a"]["end_line"])
    assert tab.view_b.function == "copy_process" and tab.view_b.selected_line == moved["b"]["line"]
    assert tab.guards.selected >= 0 and tab.guards.rows[tab.guards.selected]["a"] == moved["a"]
    assert f"line {moved['a']['line']}" in tab.counterpart.value and f"line {moved['b']['line']}" in tab.counterpart.value
    # the picker no longer claims do_fork <-> kernel_clone; picking it again brings it back
    assert tab.function.value is None
    tab.function.value = ("do_fork", "kernel_clone")
    assert tab.view_b.function == "kernel_clone"


def test_both_versions_run_the_same_bits_and_a_difference_is_marked(with_testdata):
    tab = ThenAndNow()
    tab.compute()
    play = tab.playground
    play.set_flags("CLONE_FS", "CLONE_NEWUSER")
    cmp = trace_compare(explorer.load("v2.6.32.69"), explorer.load("debian-6.12"), "CLONE_FS|CLONE_NEWUSER")
    a, b = cmp.trace_a.outcome, cmp.trace_b.outcome
    differ = (a.errno or a.result) != (b.errno or b.result)
    assert play.differ() == differ
    html = play.outcome.value
    assert f'data-differ="{int(differ)}"' in html
    for o in (a, b):
        assert f"<code>{o.function}</code> line {o.line}" in html
    # the bit 2.6.32 calls CLONE_STOPPED is CLONE_NEWCGROUP in 6.12: one box, both names, a note
    play.set_flags("CLONE_STOPPED")
    assert "CLONE_STOPPED / CLONE_NEWCGROUP" in [box.description for box in play.flag_boxes.values()]
    assert "CLONE_STOPPED in v2.6.32.69 and CLONE_NEWCGROUP in debian-6.12" in play.outcome.value


def test_the_rules_that_changed_are_listed_and_a_click_runs_one_in_both_versions(with_testdata):
    """The tab lists `rules A --compare B` over the oracle's twelve flags; picking
    a rule ticks a combination of it, both versions run it with the outcomes the
    rule names, and each pane shows its deciding line."""
    from explorer.executor import World
    from explorer.executor.rules import compare_doc
    from explorer.widgets.then_and_now import RULE_FLAGS
    tab = ThenAndNow()
    tab.compute()
    a, b = explorer.load("v2.6.32.69"), explorer.load("debian-6.12")
    doc = compare_doc(a, b, RULE_FLAGS, world=World())
    assert doc["changed"] and tab.rules.rows == doc["changed"]
    assert tab.rules.labels == ["v2.6.32.69", "debian-6.12"]
    covered = sum(c["combinations"] for c in doc["changed"])
    assert f"{len(doc['changed'])} rules changed, covering {covered} of 4096" in tab.rules_summary.value
    for i, rule in enumerate(tab.rules.rows):
        tab.pick_rule(i)
        assert tab.rules.selected == i
        cmp = tab.playground.comparison
        for side, trace, view in (("a", cmp.trace_a, tab.view_a), ("b", cmp.trace_b, tab.view_b)):
            o = trace.outcome
            word = "ok" if o.result == "ok" else o.errno
            assert (word, o.function, o.line) == (rule[side]["outcome"], rule[side]["function"], rule[side]["line"])
            assert view.function == o.function and view.selected_line == o.line
        assert tab.playground.differ()
    # unprivileged, the rules are those of an unprivileged caller
    tab.playground.world_boxes["capable"].value = False
    assert tab.rules.rows == compare_doc(a, b, RULE_FLAGS, world=World(capable=False))["changed"]
    assert "unprivileged" in tab.rules_summary.value
