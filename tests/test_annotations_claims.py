"""History claims (since / until / changed_in) checked against real versions:
Debian's 6.1 and 6.12 and the real 2.6.32.69 and 5.4 files of the test data.
Notes are our own words on real statements, in temporary stores."""
from __future__ import annotations

import json

import pytest

from explorer.anchors import head_code, readable, statements
from explorer.annotations import Store
from explorer.annotations.claims import check_claims, side
from explorer.cli import main as cli_main
from explorer.paths import annotations_dir


def stmt(mod, function, head_start):
    """The first statement of `function` whose head starts with head_start."""
    for node in statements(mod.function(function).node):
        if readable(head_code(mod, node)).startswith(head_start):
            return node
    raise AssertionError(f"no {head_start!r} in {function} of {mod.label}")


@pytest.fixture
def store(tmp_path, monkeypatch):
    d = tmp_path / "annotations"
    d.mkdir()
    monkeypatch.setenv("FORK_EXPLORER_ANNOTATIONS", str(d))
    return Store(d)


def verdicts(store, mods):
    return {(r.id, r.kind, r.version): (r.status, r.label) for r in check_claims(store.list(), mods)}


def test_series_membership_of_labels():
    assert side("v2.6.32.69", "2.6.32") == 0 and side("v2.6.32.69", "2.6.33") == -1
    assert side("debian-6.12", "6.12") == 0 and side("debian-6.12", "6.9") == 1
    assert side("debian-6.1", "6.10") == -1          # 6.10 is not 6.1


def test_since_ok_contradicted_and_unverifiable(store, mod2632, mod54, mod61, mod612):
    node = stmt(mod612, "copy_process", "clone_flags & CLONE_PIDFD")
    store.add(mod612, node, {"ja": "pidfd を返すかどうかの分かれ目。", "en": "Whether a pidfd is returned."},
              source_lang="ja", id="t.pidfd",
              claims=[{"kind": "since", "version": "5.2", "what": "CLONE_PIDFD", "code": "CLONE_PIDFD"},
                      {"kind": "since", "version": "6.5", "what": "a wrong date", "code": "CLONE_PIDFD"}])
    got = verdicts(store, [mod612, mod2632, mod61, mod54])          # any order: kernel order is used
    assert got[("t.pidfd", "since", "5.2")] == ("ok", "v2.6.32.69")  # absent there, present in 5.4
    assert got[("t.pidfd", "since", "6.5")] == ("contradicted", "v5.4")
    # Debian alone has nothing before 5.2 to show the flag's absence
    assert verdicts(store, [mod61, mod612])[("t.pidfd", "since", "5.2")] == ("unverifiable", None)


def test_until_on_the_do_fork_of_2_6_32(store, mod2632, mod54, mod61, mod612):
    node = stmt(mod2632, "do_fork", "unlikely(clone_flags & CLONE_STOPPED)")
    store.add(mod2632, node, {"ja": "非推奨のフラグの警告。", "en": "Warns about a deprecated flag."},
              source_lang="ja", id="t.stopped",
              claims=[{"kind": "until", "version": "2.6.37", "what": "CLONE_STOPPED", "code": "CLONE_STOPPED"},
                      {"kind": "until", "version": "6.1", "what": "a wrong date", "code": "CLONE_STOPPED"}])
    res = {(r.kind, r.version): r for r in check_claims(store.list(), [mod2632, mod54, mod61, mod612])}
    ok = res[("until", "2.6.37")]
    assert (ok.status, ok.label) == ("ok", "v5.4") and "v2.6.32.69" in ok.evidence
    bad = res[("until", "6.1")]
    assert (bad.status, bad.label) == ("contradicted", "debian-6.1")
    assert verdicts(store, [mod61, mod612])[("t.stopped", "until", "2.6.37")] == ("unverifiable", None)


def test_changed_in_with_and_without_code(store, mod54, mod61, mod612):
    mode = stmt(mod612, "copy_seccomp", "p->seccomp.mode != SECCOMP_MODE_DISABLED")
    store.add(mod612, mode, {"ja": "seccomp の印を立てる。", "en": "Sets the seccomp mark."}, source_lang="ja",
              id="t.mode", claims=[
                  {"kind": "changed_in", "version": "5.11", "what": "syscall work bits", "code": "set_task_syscall_work"},
                  {"kind": "changed_in", "version": "6.5", "what": "a wrong date", "code": "set_task_syscall_work"}])
    same = stmt(mod612, "copy_seccomp", "assert_spin_locked(")
    store.add(mod612, same, {"ja": "siglock を確かめる。", "en": "Checks the siglock."}, source_lang="ja",
              id="t.same", claims=[{"kind": "changed_in", "version": "6.5", "what": "nothing changed here"},
                                   {"kind": "changed_in", "version": "7.1", "what": "the future"}])
    kt = mod612.function("kernel_thread").node
    store.add(mod612, kt, {"ja": "カーネルスレッドを作る。", "en": "Creates a kernel thread."}, source_lang="ja",
              id="t.kthread", claims=[{"kind": "changed_in", "version": "6.4", "what": "a name for the thread"}])
    got = verdicts(store, [mod54, mod61, mod612])
    assert got[("t.mode", "changed_in", "5.11")] == ("ok", "v5.4")
    assert got[("t.mode", "changed_in", "6.5")] == ("contradicted", "debian-6.1")   # already there
    assert got[("t.same", "changed_in", "6.5")] == ("contradicted", "debian-6.1")   # the same code
    assert got[("t.same", "changed_in", "7.1")] == ("unverifiable", None)
    assert got[("t.kthread", "changed_in", "6.4")] == ("ok", "debian-6.1")          # the signature grew


def test_check_reports_claims_and_fails_on_a_contradiction(store, with_testdata, mod612, capsys):
    node = stmt(mod612, "copy_process", "clone_flags & CLONE_PIDFD")
    store.add(mod612, node, {"ja": "pidfd の分かれ目。", "en": "The pidfd branch."}, source_lang="ja",
              id="t.pidfd", claims=[{"kind": "since", "version": "5.2", "what": "CLONE_PIDFD", "code": "CLONE_PIDFD"}])
    assert cli_main(["annotations", "check", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert [{k: c[k] for k in ("id", "kind", "version", "status", "label")} for c in out["claims"]] == \
        [{"id": "t.pidfd", "kind": "since", "version": "5.2", "status": "ok", "label": "v2.6.32.69"}]
    assert "v5.4" in out["claims"][0]["evidence"]
    store.set_claims("t.pidfd", [{"kind": "since", "version": "6.5", "what": "wrong", "code": "CLONE_PIDFD"}])
    assert cli_main(["annotations", "check", "--json"]) == 1
    out = json.loads(capsys.readouterr().out)
    assert out["ok"] is False and out["claims"][0]["status"] == "contradicted"
    assert out["claims"][0]["label"] == "v5.4"


def test_malformed_claims_are_refused_with_their_line(store, mod612):
    node = stmt(mod612, "copy_process", "clone_flags & CLONE_PIDFD")
    with pytest.raises(Exception, match="kind"):
        store.add(mod612, node, {"ja": "分かれ目。"}, source_lang="ja", id="t.bad",
                  claims=[{"kind": "before", "version": "5.2", "what": "x"}])
    store.add(mod612, node, {"ja": "分かれ目。"}, source_lang="ja", id="t.ok",
              claims=[{"kind": "since", "version": "5.10", "what": "x"}])
    path = store.root / "copy_process.yaml"
    data = path.read_text(encoding="utf-8")
    assert "'5.10'" in data                                        # quoted, so it stays 5.10
    reread = Store(store.root)
    assert reread.get("t.ok").claims == [{"kind": "since", "version": "5.10", "what": "x"}]
    path.write_text(data.replace("'5.10'", "5.10"), encoding="utf-8")   # a hand edit without quotes
    problems = Store(store.root).problems()
    assert len(problems) == 1 and "quoted" in problems[0].message
    assert data.splitlines()[problems[0].line - 1].lstrip().startswith("- {kind: since")


def test_shipped_claims_hold_on_debian_and_the_test_data(mod2632, mod54, mod61, mod612):
    notes = Store(annotations_dir()).list()
    results = check_claims(notes, [mod2632, mod54, mod61, mod612])
    assert len(results) >= 20
    bad = [(r.id, r.kind, r.version, r.label, r.evidence) for r in results if r.status == "contradicted"]
    assert not bad, bad
    assert sum(r.status == "ok" for r in results) >= 20


def test_a_name_that_came_and_went_is_checked_within_its_lifetime(store, mod2632, mod54, mod61, mod612):
    """_do_fork: since 4.2 and until 5.9 (kernel_clone from 5.10).  The anchor
    follows the rename into kernel_clone, so `code` names what must be there."""
    store.add(mod54, mod54.function("_do_fork").node, {"ja": "5.4 の入口。", "en": "The 5.4 entry."},
              source_lang="ja", id="t.do-fork", claims=[
                  {"kind": "since", "version": "4.2", "what": "the name", "code": "_do_fork"},
                  {"kind": "until", "version": "5.9", "what": "the name", "code": "_do_fork"}])
    got = verdicts(store, [mod2632, mod54, mod61, mod612])
    assert got[("t.do-fork", "since", "4.2")] == ("ok", "v2.6.32.69")
    assert got[("t.do-fork", "until", "5.9")] == ("ok", "debian-6.1")
    # Debian alone is after its end: neither side of either boundary is at hand
    only_debian = verdicts(store, [mod61, mod612])
    assert only_debian[("t.do-fork", "since", "4.2")][0] == "unverifiable"
    assert only_debian[("t.do-fork", "until", "5.9")][0] == "unverifiable"
    store.set_claims("t.do-fork", [{"kind": "since", "version": "4.2", "what": "the name", "code": "_do_fork"}])
    # alone, "since 4.2" promises the name in the first version after 4.2 at hand: debian-6.1 has none
    assert verdicts(Store(store.root), [mod61, mod612])[("t.do-fork", "since", "4.2")] == \
        ("contradicted", "debian-6.1")


def test_changed_in_on_a_guard_asks_the_guard_history(store, mod54, mod61, mod612):
    """The CLONE_NEWUSER|CLONE_NEWPID thread check was edited in place between
    5.4 and 6.1: the anchor places it fuzzily in 5.4, and the guard history
    pairs the two conditions as one guard, changed."""
    node = stmt(mod612, "copy_process", "(clone_flags & (CLONE_NEWUSER | CLONE_NEWPID))")
    store.add(mod612, node, {"ja": "名前空間をまたぐスレッドの禁止。", "en": "No thread across namespaces."},
              source_lang="ja", id="t.across",
              claims=[{"kind": "changed_in", "version": "5.5", "what": "the condition grew"}])
    res = check_claims(store.list(), [mod54, mod61, mod612])[0]
    assert (res.status, res.label) == ("ok", "v5.4")
    assert "guard history" in res.evidence
