"""History over 100+ release tags: the matrix folds, the CLI's second run is warm.

A linux-clone-like repository is built at test time (tests/tagrepo.py) from
the real files (../shared/testdata's 2.6.32.69 and 5.4, Debian's 6.1 and
6.12 from the cache): 26 tags per series, a new variant of the file every 5
tags, and v5.4's CLONE_NEWUSER|CLONE_FS check edited from v5.4.14 on.  What
the matrix must show is read from the tags' files with a plain text search.
"""
from __future__ import annotations

import json
import os
import pickle
import re
import subprocess
import sys

import pytest

from conftest import CACHE_HOME, REPO, cached_labels, need_tool, shared_path
from explorer import computed
from explorer.cli import main
from explorer.sources import blob_id
from tagrepo import NEWUSER_FS_CHECK, NEWUSER_FS_EDITED, edited_guard, make_repo, release_series

PER_SERIES = 26
EDITED_FROM = "v5.4.14"


@pytest.fixture(scope="module")
def series(tmp_path_factory):
    """(home, {tag: fork.c bytes}) with every tag synced into a home of its own."""
    need_tool("git", "the release-series tests build a git repository")
    cached_labels("debian-6.1", "debian-6.12")
    bases = [("v2.6.32", shared_path("testdata/v2.6.32.69/fork.c").read_bytes()),
             ("v5.4", shared_path("testdata/v5.4/fork.c").read_bytes()),
             ("v6.1", (CACHE_HOME / "sources" / "debian-6.1" / "fork.c").read_bytes()),
             ("v6.12", (CACHE_HOME / "sources" / "debian-6.12" / "fork.c").read_bytes())]
    tags = release_series(bases, PER_SERIES, edit=(EDITED_FROM, edited_guard))
    repo = make_repo(tmp_path_factory.mktemp("linux"), tags)
    home = tmp_path_factory.mktemp("series-home")
    old = os.environ.get("FORK_EXPLORER_HOME")
    os.environ["FORK_EXPLORER_HOME"] = str(home)
    try:
        assert main(["sources", "sync", "--all-tags", "--git", str(repo), "--json"]) == 0
    finally:
        if old is None:
            del os.environ["FORK_EXPLORER_HOME"]
        else:
            os.environ["FORK_EXPLORER_HOME"] = old
    return home, {tag: files["kernel/fork.c"] for tag, files in tags.items()}


@pytest.fixture
def in_series(series, monkeypatch, capsys):
    home, files = series
    monkeypatch.setenv("FORK_EXPLORER_HOME", str(home))
    capsys.readouterr()                   # the sync's own report
    return home, files


def _history_json(capsys) -> str:
    assert main(["history", "copy_process", "--json"]) == 0
    return capsys.readouterr().out


def _release_order(files: dict) -> list[str]:
    from explorer.sources import sort_labels
    return sort_labels(files)


def test_the_matrix_folds_100_versions_into_columns_that_start_where_a_check_changed(in_series):
    from explorer.widgets.guard_matrix import GuardMatrix

    _, files = in_series
    order = _release_order(files)
    assert len(order) == 4 * PER_SERIES
    m = GuardMatrix()
    doc = m.show("copy_process")
    table = re.search(r'<table class="fx-matrix"[^>]*data-versions="(\d+)" data-columns="(\d+)"', m.html)
    assert int(table.group(1)) == len(order)
    # the columns' first and last releases cover every version, in order, each once
    heads = re.findall(r'<th (?:class="run" )?data-first="([^"]+)"(?: data-last="([^"]+)")?', m.html)
    assert len(heads) == int(table.group(2)) < 12
    covered = []
    for first, last in heads:
        covered += order[order.index(first):order.index(last or first) + 1]
    assert covered == order
    # the edited check: the release a plain text search finds it edited in starts a column,
    # is named in its row and in its changed cell
    edited_in = next(t for t in order if NEWUSER_FS_EDITED in files[t])
    assert edited_in == EDITED_FROM and all(NEWUSER_FS_CHECK in files[t] for t in order[:order.index(edited_in)]
                                            if t.startswith("v5.4."))
    assert any(first == edited_in for first, _ in heads)
    row = next(r for r in m.html.split("<tr ")[1:] if "CLONE_NEWUSER|CLONE_FS" in r)
    assert f"changed in <b>{edited_in}</b>" in row
    assert re.search(rf'<td class="changed"[^>]*><a [^>]*data-label="{re.escape(edited_in)}"[^>]*>\d+'
                     rf'<span class="when">~ {re.escape(edited_in)}</span>', row)
    # a folded column's cell opens the line of its first version, read from that file
    first, last = next((f, lt) for f, lt in heads if lt and f.startswith("v6.12"))
    line = next(g["present"][first]["line"] for g in doc["guards"] if g["present"][first]["line"])
    assert re.search(rf'data-label="{re.escape(first)}" data-line="{line}"', m.html)
    assert b"if" in files[first].split(b"\n")[line - 1]
    # unfolded on request: one column per version
    m.unfold = True
    assert f'data-columns="{len(order)}"' in m.html
    # a dozen versions keep a column each (each cell opens its own version), aliases or not
    m.unfold = False
    m.show("copy_process", order[:12])
    assert 'data-versions="12" data-columns="12"' in m.html


def test_a_warm_history_is_the_cold_one_and_parses_nothing(in_series, capsys, monkeypatch):
    import explorer.cparse as cparse
    import explorer.diff.history_store as store
    from explorer.diff.history import history

    _, files = in_series
    cold = _history_json(capsys)
    # the same answer as history() on the parsed Modules
    order = _release_order(files)
    assert json.loads(cold) == history("copy_process", [cparse.load(lb) for lb in order]).as_dict()

    def no_parse(*_a, **_k):
        raise AssertionError("a warm history parsed a file")
    monkeypatch.setattr(store, "load", no_parse)
    monkeypatch.setattr(store, "parse_source", no_parse)
    assert _history_json(capsys) == cold


def _run_cli(home, *args) -> subprocess.CompletedProcess:
    env = dict(os.environ, FORK_EXPLORER_HOME=str(home), PYTHONPATH=str(REPO))
    return subprocess.run([sys.executable, "-m", "explorer", *args], env=env, capture_output=True, text=True,
                          cwd=REPO, timeout=300)


@pytest.mark.parametrize("how", ["edited payload", "signed by another home"])
def test_a_tampered_kept_fact_is_refused_and_computed_again(in_series, capsys, how):
    home, _ = in_series
    cold = _history_json(capsys)
    kept = sorted((home / "computed" / "history-guards").glob("*.pickle"))
    assert kept
    # the kept guards of copy_process in one file: replace them by none at all
    victim = next(p for p in kept if pickle.loads(p.read_bytes()[len(computed.MAGIC) + 32:]))
    original = victim.read_bytes()
    fake = pickle.dumps([])
    if how == "edited payload":
        forged = original[:len(computed.MAGIC) + 32] + fake
    else:
        forged = computed.MAGIC + computed._signature(os.urandom(32), "history-guards", victim.stem, fake) + fake
    victim.write_bytes(forged)

    r = _run_cli(home, "history", "copy_process", "--json")
    assert r.returncode == 0
    assert r.stdout == cold                              # the forged entry changed nothing
    assert "refused kept result" in r.stderr and victim.name in r.stderr
    assert victim.read_bytes() != forged                 # replaced by a recomputed, verified entry
    again = _run_cli(home, "history", "copy_process", "--json")
    assert again.stdout == cold and "refused" not in again.stderr


def test_kept_facts_of_other_code_are_not_read(in_series, capsys, monkeypatch):
    """After an upgrade (here: one more module in the digest of the code) the
    kept facts are unreachable: every distinct file is parsed again, same answer."""
    import explorer.cparse as cparse
    import explorer.diff.history_store as store

    cold = _history_json(capsys)
    parsed = []

    def counting_load(label):
        parsed.append(label)
        return cparse.load(label)
    monkeypatch.setattr(store, "load", counting_load)
    monkeypatch.setattr(store, "CODE", store.CODE + ("explorer.errors",))
    assert _history_json(capsys) == cold
    _, files = in_series
    # every distinct file read again (an alias's label may stand for its file; cparse parses a blob once)
    assert {blob_id(files[lb]) for lb in parsed} == {blob_id(data) for data in files.values()}


def test_the_folded_matrix_speaks_the_interface_language(in_series):
    from explorer.widgets.guard_matrix import GuardMatrix

    m = GuardMatrix(lang="ja")
    m.show("copy_process")
    row = next(r for r in m.html.split("<tr ")[1:] if "CLONE_NEWUSER|CLONE_FS" in r)
    when = re.search(r'<small class="span">(.*?)</small>', row).group(1)
    assert f"<b>{EDITED_FROM}</b>" in when and when.endswith(" で変更")
    assert f">{PER_SERIES} 版 · copy_process<" in m.html and m.unfold_label == "版ごとに 1 列"
    m.set_lang("en")
    assert f">{PER_SERIES} versions · copy_process<" in m.html and m.unfold_label == "one column per version"
