"""The package layout is the pipeline: its imports point one way.

    foundation (errors, paths, fsutil, fork_names, i18n, computed)
      <- sources <- cparse <- analyses <- render <- widgets / cli / static site

Read with `ast` from the files themselves (imports inside functions count:
they are dependencies all the same), so a new back-edge, say sources
importing cparse again, fails here before it becomes a hidden cycle.
"""
from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

from conftest import REPO

PACKAGE = REPO / "explorer"

# Each explorer unit (sub-package or top-level module) and its layer; a unit
# may import its own layer's units only where ANALYSIS_ORDER allows, and
# lower layers freely.
LAYERS = {
    "errors": 0, "paths": 0, "fsutil": 0, "fork_names": 0, "i18n": 0, "computed": 0, "members": 0,
    "sources": 1,
    "cparse": 2,
    "diff": 3, "anchors": 3, "annotations": 3, "executor": 3, "notes": 3, "tours": 3, "translate": 3,
    "verify": 3,
    "render": 4,
    # explorer/__init__ (the `explorer.load` / `explorer.pair` facade) sits above the analyses it re-exports.
    "explorer": 5, "widgets": 5, "cli": 5, "static_export": 5, "lab": 5, "__main__": 5,
}
# The analyses build on one another in this order (a later one may import an earlier one, never back):
# lineage and tree diffs first, anchors pin to diffed functions, annotations hold anchors, notes and
# tours are reading paths built from notes, translations write annotations; the executor runs code the diff pairs, verify checks the executor.
ANALYSIS_ORDER = ["diff", "anchors", "annotations", "notes", "tours", "translate", "executor", "verify"]
# Known back-edges, each with its file: `pair` (the then-and-now record of issue 14) lives in diff/
# but reads annotations.  It belongs above the analyses; its owner moves it.  The test fails when
# an edge here disappears, so the list cannot go stale.
KNOWN_BACK_EDGES = {("explorer/diff/pair.py", "annotations")}


def _unit(path: Path) -> str:
    rel = path.relative_to(PACKAGE)
    if rel.parts == ("__init__.py",):
        return "explorer"
    return rel.parts[0] if len(rel.parts) > 1 else rel.stem


def _module_parts(path: Path) -> list[str]:
    parts = ["explorer", *path.relative_to(PACKAGE).with_suffix("").parts]
    return parts[:-1] if parts[-1] == "__init__" else parts


def _targets(path: Path, node: ast.AST) -> list[list[str]]:
    """Dotted names (as lists) an import statement reaches."""
    if isinstance(node, ast.Import):
        return [a.name.split(".") for a in node.names]
    if node.level == 0:
        base = node.module.split(".")
    else:
        here = _module_parts(path)
        package = here if path.name == "__init__.py" else here[:-1]
        base = package[:len(package) - node.level + 1] + (node.module.split(".") if node.module else [])
    # `from explorer import sources` reaches explorer.sources; `from explorer import load` the facade.
    return [base + [a.name] for a in node.names]


def _target_unit(dotted: list[str]) -> str | None:
    if dotted[0] != "explorer":
        return None
    if len(dotted) == 1:
        return "explorer"
    head = dotted[1]
    if (PACKAGE / head).is_dir() or (PACKAGE / f"{head}.py").is_file():
        return head
    return "explorer"                   # a name the facade defines (load, pair, Module...)


def import_edges() -> dict[tuple[str, str], set[str]]:
    """(unit, imported unit) -> the files with such an import."""
    edges: dict[tuple[str, str], set[str]] = defaultdict(set)
    for path in sorted(PACKAGE.rglob("*.py")):
        src = _unit(path)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if not isinstance(node, (ast.Import, ast.ImportFrom)):
                continue
            for dotted in _targets(path, node):
                dst = _target_unit(dotted)
                if dst is not None and dst != src:
                    edges[(src, dst)].add(str(path.relative_to(REPO)))
    return edges


def _allowed(src: str, dst: str) -> bool:
    if LAYERS[src] != LAYERS[dst]:
        return LAYERS[src] > LAYERS[dst]
    if LAYERS[src] == 3:
        return ANALYSIS_ORDER.index(src) > ANALYSIS_ORDER.index(dst)
    return LAYERS[src] in (0, 5)        # the foundation's modules and the front ends may share among themselves


def test_every_unit_has_a_layer():
    units = {_unit(p) for p in PACKAGE.rglob("*.py")}
    assert units <= set(LAYERS), f"give these a layer in tests/test_layers.py: {sorted(units - set(LAYERS))}"
    assert set(ANALYSIS_ORDER) == {u for u, layer in LAYERS.items() if layer == 3}


def test_imports_point_down_the_pipeline():
    edges = import_edges()
    assert edges, "no import read: the walk is broken"
    bad = sorted(f"{src} -> {dst} ({', '.join(sorted(files))})" for (src, dst), files in edges.items()
                 if not _allowed(src, dst)
                 and not all((f, dst) in KNOWN_BACK_EDGES for f in files))
    assert not bad, "imports against the pipeline:\n" + "\n".join(bad)


def test_known_back_edges_still_exist():
    found = {(f, dst) for (src, dst), files in import_edges().items() for f in files}
    gone = KNOWN_BACK_EDGES - found
    assert not gone, f"fixed, so drop them from KNOWN_BACK_EDGES: {sorted(gone)}"


def test_sources_never_parses():
    """The cycle this test was written for: sources reading through cparse."""
    edges = import_edges()
    assert ("sources", "cparse") not in edges
    assert ("cparse", "sources") in edges          # the one direction: cparse loads through sources


def test_the_walk_sees_a_back_edge():
    """The reader of imports itself: a relative import two levels up inside a
    function is resolved to its unit, so a hidden back-edge cannot slip past."""
    fake = PACKAGE / "sources" / "x.py"
    node = ast.parse("def f():\n    from ..cparse import parse_source\n").body[0].body[0]
    assert [_target_unit(t) for t in _targets(fake, node)] == ["cparse"]
    assert not _allowed("sources", "cparse") and _allowed("cparse", "sources")
    assert not _allowed("diff", "annotations") and not _allowed("render", "widgets")
