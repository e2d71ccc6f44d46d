"""The "Then and now" tab, its both-versions playground and the notebooks'
messages in Japanese, and back in English: what a reader sees comes from
ja.po with no English sentence left over, a language switch says every text
again without computing the pair or the runs again, and a tab built after
the language was chosen starts in it.  Expected texts are the catalogue's
strings filled with what the library computes here (explorer.pair, the
executor) on the real 2.6.32.69 and 6.12 files."""
from __future__ import annotations

import html
import re

import nbformat
import pytest
from nbclient import NotebookClient

import explorer
from explorer.executor import World
from explorer.executor.compare import sweep_compare, trace_compare
from explorer.executor.rules import ALWAYS, compare_doc
from explorer.i18n import environment_language, translator
from explorer.i18n.extract import notebook_msgids
from explorer.pairing import HOW_TO_GET_ONE, NO_THEN_FORM, choose_then_and_now
from explorer.widgets.both_playground import BothPlayground
from explorer.widgets.notebook import say_html
from explorer.widgets.then_and_now import GUARD_WORDS, RULE_FLAGS, RULE_WORDS, ThenAndNow

from conftest import REPO, make_home

JA, EN = translator("ja"), translator("en")
THEN, NOW = "v2.6.32.69", "debian-6.12"


def english_left(markup: str) -> list[str]:
    """Runs of three or more English words in what a reader reads: the code, the
    identifiers, labels and paths (data the analyses produce) taken out first."""
    text = re.sub(r"<code>.*?</code>", " ", markup, flags=re.S)
    text = html.unescape(re.sub(r"<[^>]+>", " ", text))
    # errno and flag names (EINVAL, CLONE_VM) are the kernel's spelling in either language
    text = " ".join(w for w in text.split() if not re.search(r"[_/.()0-9*<>=|&!-]", w) and not w.strip(",;:").isupper())
    return re.findall(r"\b[A-Za-z]{2,}(?:[ ,;:]+[A-Za-z]{2,}){2,}\b", text)


def test_the_detector_sees_english():
    assert english_left("42 functions matched; 7 only in v2.6.32.69")
    assert english_left("対応した関数 42 個、<code>do_fork and the rest</code> CLONE_VM, CLONE_FS") == []


@pytest.fixture
def tab_ja(with_testdata, annotation_copy):
    tab = ThenAndNow(lang="ja")
    tab.compute()
    assert (tab.a.value, tab.b.value) == (THEN, NOW)
    return tab


def _seen(tab: ThenAndNow) -> dict[str, str]:
    """Every text of the tab a reader reads, by place."""
    pg = tab.playground
    return {"say": tab.say.value, "summary": tab.summary.value, "guards heading": tab.guards_heading.value,
            "rules heading": tab.rules_heading.value, "rules summary": tab.rules_summary.value,
            "rules empty": tab.rules.empty, "counterpart": tab.counterpart.value, "notes": tab.notes_table.value,
            "notes title": tab.notes_box.titles[0], "both heading": pg.heading.value, "legend": pg.legend.value,
            "outcome": pg.outcome.value, "sweep": pg.sweep_out.value, "sweep button": pg.sweep_button.description,
            "world": " ".join(b.description for b in pg.world_boxes.values()),
            "guards words": " ".join(tab.guards.words.values()), "rules words": " ".join(tab.rules.words.values())}


def _conditions(tab) -> list:
    """The changed-rules table's conditions and each version's own rule, as sent to the page."""
    return [s for r in tab.rules.rows for s in (r["text"], r["a"].get("rule"), r["b"].get("rule"))]


def test_the_tab_in_japanese_then_english_then_japanese_again(tab_ja):
    tab, pg = tab_ja, tab_ja.playground
    doc = explorer.pair(THEN, NOW)
    # the summary a reader sees first: the counts of the pair record, in Japanese
    count = {s: sum(1 for g in doc["guards"] if g["status"] == s) for s in ("same", "changed", "only_a", "only_b")}
    matched = sum(1 for f in doc["functions"] if f.get("a") and f.get("b"))
    only_a = sum(1 for f in doc["functions"] if f.get("a") and not f.get("b"))
    only_b = sum(1 for f in doc["functions"] if f.get("b") and not f.get("a"))
    summary = JA("{matched} functions matched; {only_a} only in {a}, {only_b} only in {b}. "
                 "Checks: {same} the same, {changed} changed, {then} only then, {now} only now.").format(
        matched=matched, only_a=only_a, a=THEN, only_b=only_b, b=NOW, same=count["same"],
        changed=count["changed"], then=count["only_a"], now=count["only_b"])
    assert summary in tab.summary.value and "functions matched" not in tab.summary.value
    # 2.6.32 has fork/vfork/clone in arch code: said in Japanese too
    assert "アーキテクチャ" in tab.summary.value and "arch code" not in tab.summary.value
    # the rules that changed: the summary over the twelve flags, as root
    rules = compare_doc(explorer.load(THEN), explorer.load(NOW), RULE_FLAGS, world=World())
    covered = sum(c["combinations"] for c in rules["changed"])
    assert JA("as root") in tab.rules_summary.value
    assert f"{len(rules['changed'])} 個" in tab.rules_summary.value and f"{covered} 通り" in tab.rules_summary.value
    assert tab.rules.words == {k: JA(v) for k, v in RULE_WORDS.items()}
    assert tab.guards.words == {k: JA(v) for k, v in GUARD_WORDS.items()}
    # a version's rule that every combination meets (2.6.32's do_fork lets them all through) is a word
    always = [s for r in rules["changed"] for s in (r["text"], r["a"].get("rule"), r["b"].get("rule")) if s == ALWAYS]
    assert always and _conditions(tab).count(JA(ALWAYS)) == len(always) and ALWAYS not in _conditions(tab)
    # a guard row picked: the counterpart line, with both places in Japanese
    moved = next(i for i, g in enumerate(tab.guards.rows) if g["a"] and g["b"] and g["function_a"] != g["function_b"])
    tab._row_picked({"new": {"i": moved}})
    g = tab.guards.rows[moved]
    for label, fn, side in ((THEN, g["function_a"], g["a"]), (NOW, g["function_b"], g["b"])):
        assert JA("{label} {function}() line {line}").format(label=label, function=fn, line=side["line"]) \
            in html.unescape(tab.counterpart.value)
    # the both-versions playground: a combination whose outcomes differ, and a sweep
    pg.set_flags("CLONE_FS", "CLONE_NEWUSER")
    cmp = trace_compare(explorer.load(THEN), explorer.load(NOW), "CLONE_FS|CLONE_NEWUSER")
    assert pg.differ() and JA("the outcomes differ") in pg.outcome.value
    for t in (cmp.trace_a, cmp.trace_b):
        o = t.outcome
        assert JA("decided in {function} line {line}").format(function=f"<code>{o.function}</code>", line=o.line) \
            in pg.outcome.value
    assert JA("success: pid {pid}").format(pid=cmp.trace_a.outcome.value) in pg.outcome.value
    assert "fx-tn-parting" in pg.outcome.value
    swept = pg.sweep()
    assert swept == sweep_compare(explorer.load(THEN), explorer.load(NOW), ["CLONE_FS", "CLONE_NEWUSER"])
    assert JA("{differ} of {total} combinations differ").format(differ=swept["differ"], total=len(swept["results"])) \
        in pg.sweep_out.value
    ja = _seen(tab)
    for place, text in ja.items():
        assert not english_left(text), (place, english_left(text))
    # English: the same pair, rows and runs (nothing computed again), every text in English
    pair, rows, comparison = tab.pair, tab.guards.rows, pg.comparison
    tab.set_lang("en")
    assert tab.pair is pair and tab.guards.rows is rows and pg.comparison is comparison
    en = _seen(tab)
    assert "functions matched" in en["summary"] and "arch code" in en["summary"]
    assert "line" in en["counterpart"] and "the outcomes differ" in en["outcome"] and "success: pid" in en["outcome"]
    assert "combinations differ" in en["sweep"] and "called as root" in en["rules summary"]
    assert tab.guards.words == {k: EN(v) for k, v in GUARD_WORDS.items()} and tab.guards.words["only_a"] == "only then"
    assert tab.rules.words["when"] == "when the flags are" and en["notes title"] == "Commentary in both versions"
    assert _conditions(tab).count("always") == len(always)
    assert all(not re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", t) for t in en.values()), en
    assert english_left(en["summary"]) and english_left(en["rules summary"]) and english_left(en["outcome"])
    # and back: the very texts of the first Japanese rendering
    tab.set_lang("ja")
    assert _seen(tab) == ja


def test_unprivileged_the_rules_summary_says_so_in_japanese(tab_ja):
    tab_ja.playground.world_boxes["capable"].value = False
    assert JA("unprivileged (no CAP_SYS_ADMIN)") in tab_ja.rules_summary.value
    assert not english_left(tab_ja.rules_summary.value)


def test_a_tab_built_after_the_language_was_chosen_starts_in_it(with_testdata, annotation_copy):
    """As the app does: the tab exists (unbuilt) when the reader switches, and is built on opening."""
    tab = ThenAndNow()
    tab.set_lang("ja")
    assert tab.children[0].value == "<i>" + JA("Opening…") + "</i>" != "<i>Opening…</i>"
    tab.compute()
    assert tab.a.description == JA("Then") and tab.playground.sweep_button.description == \
        JA("Sweep every combination of the ticked flags")
    assert tab.view_a.ui["click"] == JA("Click a line to read its commentary.")
    assert tab.guards.words["none"] == JA("No error checks in these two functions.")
    assert JA("{matched} functions matched; {only_a} only in {a}, {only_b} only in {b}. "
              "Checks: {same} the same, {changed} changed, {then} only then, {now} only now.")[:6] in tab.summary.value


def test_the_choice_message_in_japanese(tmp_path, monkeypatch):
    """No do_fork-form version: what the tab says at the top, in Japanese, how to get one included."""
    monkeypatch.setenv("FORK_EXPLORER_HOME", str(make_home(tmp_path / "home")))
    choice = choose_then_and_now()
    assert choice.said == NO_THEN_FORM
    said = choice.message_in("ja")
    assert said == JA(NO_THEN_FORM).format(a="debian-6.1", form_a="kernel_clone", b="debian-6.12",
                                           form_b="kernel_clone", how=JA(HOW_TO_GET_ONE))
    assert "sources add" in said and not english_left(said.replace("`", " "))
    assert choice.message.startswith("No do_fork-form")
    tab = ThenAndNow(lang="ja")
    tab.compute()
    assert html.escape(said) in tab.say.value
    tab.set_lang("en")
    assert "No do_fork-form" in tab.say.value


def test_an_outcome_of_each_kind_in_both_languages(with_testdata, annotation_copy):
    """The one outcome renderer (render/outcome.py), through both-at-once: an error
    names its errno and place, ok its pid, in either language."""
    from explorer.widgets.source_view import SourceView
    pg = BothPlayground(SourceView(), SourceView(), "ja")
    pg.set_modules(explorer.load(THEN), explorer.load(NOW))
    pg.set_flags("CLONE_THREAD")
    for t in (pg.comparison.trace_a, pg.comparison.trace_b):
        assert f"-{t.outcome.errno} ({t.outcome.value})" in pg.outcome.value
    assert JA("the same outcome") in pg.outcome.value and not english_left(pg.outcome.value)
    pg.set_lang("en")
    assert "the same outcome" in pg.outcome.value and "decided in" in pg.outcome.value


@pytest.mark.parametrize("env, lang", [
    ({"FORK_EXPLORER_LANG": "ja"}, "ja"),
    ({"LANG": "ja_JP.UTF-8"}, "ja"),
    ({"LC_ALL": "en_US.UTF-8", "LANG": "ja_JP.UTF-8"}, "en"),        # the locale's own order
    ({"FORK_EXPLORER_LANG": "en", "LANG": "ja_JP.UTF-8"}, "en"),     # ours first
    ({"LANG": "C.UTF-8"}, "en"),
    ({"LC_MESSAGES": "ja_JP.eucJP@euro"}, "ja"),
    ({}, "en"),
])
def test_the_notebooks_language_rule(env, lang):
    assert environment_language(env) == lang


def test_say_speaks_the_notebooks_language(monkeypatch):
    monkeypatch.setenv("FORK_EXPLORER_LANG", "ja")
    said = say_html("Using {label} instead.", label="debian-6.12")
    assert JA("Using {label} instead.").format(label="debian-6.12") in said != "Using debian-6.12 instead."
    monkeypatch.setenv("FORK_EXPLORER_LANG", "en")
    assert "Using debian-6.12 instead." in say_html("Using {label} instead.", label="debian-6.12")


def test_every_say_of_the_notebooks_has_japanese():
    found = notebook_msgids()
    assert "Diffing needs two fetched versions: run 'fork-explorer sources sync debian-6.1 debian-6.12'." in found
    assert {m: w for m, w in found.items() if JA(m) == m} == {}


def test_notebook_01_tells_a_japanese_reader_in_japanese(tmp_path, monkeypatch):
    """Notebook 01's first code cell, run in a real kernel with FORK_EXPLORER_LANG=ja
    on a machine without a do_fork-form version."""
    monkeypatch.setenv("FORK_EXPLORER_HOME", str(make_home(tmp_path / "home")))
    nb = nbformat.read(REPO / "notebooks" / "01_tour_do_fork.ipynb", as_version=4)
    nb.cells = [next(c for c in nb.cells if c.cell_type == "code")]
    for lang, want in (("ja", "do_fork 形式"), ("en", "No do_fork-form")):
        monkeypatch.setenv("FORK_EXPLORER_LANG", lang)
        run = nbformat.from_dict(nbformat.v4.new_notebook(cells=[dict(nb.cells[0], outputs=[])]))
        NotebookClient(run, timeout=120, kernel_name="python3",
                       resources={"metadata": {"path": str(tmp_path)}}).execute()
        shown = "".join(o.get("data", {}).get("text/html", "") for o in run.cells[0].outputs)
        assert "fx-say-missing" in shown and want in shown, shown[:300]
        if lang == "ja":
            assert not english_left(re.sub(r"`[^`]*`|'[^']*'", " ", shown))
