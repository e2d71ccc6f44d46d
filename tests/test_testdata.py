"""The real 2.6.32.69 and 5.4 files of ../shared/testdata, registered through
`sources add` (the user's own path) into a temporary home: each parses whole
and lineage names the fork entry of its form."""
from __future__ import annotations

import json

import pytest

from explorer.cli import main


def test_testdata_is_listed_as_cached_versions(with_testdata, capsys):
    assert main(["sources", "list", "--json"]) == 0
    rows = {r["label"]: r for r in json.loads(capsys.readouterr().out)["versions"]}
    assert rows["v2.6.32.69"]["status"] == "cached" and rows["v2.6.32.69"]["form"] == "do_fork"
    assert rows["v5.4"]["status"] == "cached" and rows["v5.4"]["form"] == "_do_fork"


@pytest.mark.parametrize("fixture, entry", [("mod2632", "do_fork"), ("mod54", "_do_fork")])
def test_old_forms_parse_without_errors(request, fixture, entry):
    mod = request.getfixturevalue(fixture)
    for name in (entry, "copy_process", "dup_task_struct", "copy_mm", "copy_files"):
        fn = mod.functions[name]
        assert fn.errors == 0, f"{mod.label} {name}: {fn.errors} error nodes"
