"""Roles per version and function matching across versions."""
from __future__ import annotations

import json

import explorer
from conftest import fixture_bytes
from explorer.cli import main
from explorer.diff.lineage import counterpart, match_functions, resolve_in, roles
from explorer.sources import release_key, sort_labels


def parse_fixture(name, label=None):
    return explorer.parse_source(fixture_bytes(name), label=label or name)


def test_roles_of_the_real_debian_files(modern):
    r = roles(modern)
    assert r.fork_entry == "kernel_clone"
    assert r.entry_source == "manifest"
    assert r.copy_process == "copy_process"
    # clone3 arrived in 5.3, so both modern files define all four fork syscalls
    assert {"fork", "vfork", "clone", "clone3"} <= set(r.syscalls)
    assert all(modern.functions[f].kind == "syscall" for f in r.syscalls.values())


def test_seed_do_fork_is_the_entry_of_its_file(seed_module):
    r = roles(seed_module)
    assert r.fork_entry == "do_fork"
    assert r.entry_source == "inferred"
    assert r.syscalls == {}


def test_compat_wrapper_is_not_the_entry():
    # Unknown label: inferred, and _do_fork wins over the do_fork wrapper.
    mod = parse_fixture("diff_compat.c")
    assert set(mod.functions) >= {"do_fork", "_do_fork"}
    assert roles(mod).fork_entry == "_do_fork"
    # A manifest label: the manifest's entry field decides.
    mod54 = explorer.parse_source(fixture_bytes("diff_compat.c"), label="v5.4")
    assert roles(mod54).fork_entry == "_do_fork" and roles(mod54).entry_source == "manifest"


def test_entry_is_matched_by_role_not_by_the_wrapper_name(seed_module):
    compat = parse_fixture("diff_compat.c")
    m = match_functions(seed_module, compat)
    # the seed's do_fork continues as _do_fork, not as the compat do_fork wrapper
    assert m.b_for("do_fork") == "_do_fork"
    assert counterpart(seed_module, compat, "do_fork") == ("do_fork", "_do_fork")


def test_compat_wrapper_has_no_counterpart_and_says_where_the_entry_is():
    import pytest
    from explorer.errors import LookupFailure
    compat, new = parse_fixture("diff_compat.c"), parse_fixture("diff_new.c")
    assert counterpart(compat, new, "_do_fork") == ("_do_fork", "kernel_clone")
    with pytest.raises(LookupFailure, match="fork entry of diff_compat.c is _do_fork"):
        counterpart(compat, new, "do_fork")


def test_seed_do_fork_against_modern_kernel_clone(seed_module, mod612):
    assert counterpart(seed_module, mod612, "do_fork") == ("do_fork", "kernel_clone")
    assert counterpart(seed_module, mod612, "kernel_clone") == ("do_fork", "kernel_clone")
    m = match_functions(seed_module, mod612)
    pair = next(p for p in m.pairs if p.a == "do_fork")
    assert pair.b == "kernel_clone" and pair.how == "role"
    assert 0.0 < pair.score < 1.0


def test_renamed_helper_found_by_known_rename_or_body():
    old, new = parse_fixture("diff_old.c"), parse_fixture("diff_new.c")
    m = match_functions(old, new)
    by_a = {p.a: p for p in m.pairs}
    assert by_a["do_fork"].b == "kernel_clone" and by_a["do_fork"].how == "role"
    # widget_alloc -> widget_alloc_node is no known rename: the body says so, with a score
    assert by_a["widget_alloc"].b == "widget_alloc_node"
    assert by_a["widget_alloc"].how == "similar" and 0.6 <= by_a["widget_alloc"].score < 1.0
    assert by_a["widget_free"].how == "same" and by_a["widget_free"].score == 1.0
    assert m.added == ["widget_trace"] and m.removed == []


def test_6_1_to_6_12_matching(mod61, mod612):
    m = match_functions(mod61, mod612)
    by_a = {p.a: p for p in m.pairs}
    assert by_a["kernel_clone"].b == "kernel_clone"
    assert by_a["copy_process"].b == "copy_process" and by_a["copy_process"].score < 1.0
    # every function of 6.1 is either paired or reported removed, once
    assert sorted([p.a for p in m.pairs] + m.removed) == sorted(mod61.functions)
    assert sorted([p.b for p in m.pairs] + m.added) == sorted(mod612.functions)


def test_resolve_in_follows_the_entry(mod612, seed_module):
    assert resolve_in(mod612, "do_fork") == "kernel_clone"
    assert resolve_in(seed_module, "kernel_clone") == "do_fork"
    assert resolve_in(mod612, "copy_process") == "copy_process"
    assert resolve_in(mod612, "no_such_function") is None


def test_release_order_of_labels():
    labels = ["v7.3-rc1", "debian-6.12", "v5.4", "v2.6.32", "v7.3", "v6.12", "debian-6.1", "v2.6.11"]
    assert sort_labels(labels) == ["v2.6.11", "v2.6.32", "v5.4", "debian-6.1", "v6.12", "debian-6.12",
                                   "v7.3-rc1", "v7.3"]
    assert release_key("v2.6.32") < release_key("v5.4") < release_key("debian-6.12") < release_key("v7.3-rc1")
    # a vendor name with digits of its own still sorts by its kernel version
    assert sort_labels(["debian-6.1", "android13-5.15", "v5.10"]) == ["v5.10", "android13-5.15", "debian-6.1"]


def test_cli_lineage_json(capsys, mod61, mod612):
    assert main(["lineage", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    labels = [v["label"] for v in doc["versions"]]
    assert labels == sort_labels(labels) and {"debian-6.1", "debian-6.12"} <= set(labels)
    for v in doc["versions"]:
        assert set(v["roles"]) == {"fork_entry", "copy_process", "syscalls"}
    v612 = next(v for v in doc["versions"] if v["label"] == "debian-6.12")
    assert v612["roles"]["fork_entry"] == "kernel_clone"
    assert v612["roles"]["syscalls"]["clone3"] == "sys_clone3"
    start, end = v612["lines"]["kernel_clone"]
    assert "kernel_clone(" in mod612.lines[start - 1] and mod612.lines[end - 1].startswith("}")


def test_cli_lineage_bad_label(capsys):
    assert main(["lineage", "no-such-version"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no-such-version" in err
