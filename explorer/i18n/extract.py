"""The interface strings the code uses: every string literal passed to a
gettext call (`_("...")`, `self._("...")`, `N_("...")`, `translator(lang)("...")`),
and the msgid of every sentence the library makes for a reader (`Message("...")`,
`raise LookupFailure("...", name=...)`: any class derived from ExplorerError),
found with ast so that the tests can check each one is in the catalogues."""
from __future__ import annotations

import ast
import re
from functools import lru_cache
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent
# ui_text: the static page's words (static_export); say: the notebooks' messages (widgets/notebook)
GETTEXT_NAMES = ("_", "N_", "ui_text", "say")
NOTEBOOKS = PACKAGE.parent / "notebooks"


# The library's sentences: a Message, or an error of the explorer.errors family.
MESSAGE_NAMES = ("Message",)
ERROR_BASE = "ExplorerError"


@lru_cache(maxsize=None)
def error_classes(root: Path = PACKAGE) -> frozenset[str]:
    """The names of ExplorerError and every class derived from it under the package
    (explorer.errors' family and the few defined beside their raisers)."""
    bases: dict[str, set[str]] = {}
    for path in root.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef):
                names = {b.id if isinstance(b, ast.Name) else b.attr for b in node.bases
                         if isinstance(b, (ast.Name, ast.Attribute))}
                bases.setdefault(node.name, set()).update(names)
    found = {ERROR_BASE}
    while True:
        more = {name for name, of in bases.items() if of & found} - found
        if not more:
            return frozenset(found)
        found |= more


def _is_gettext(func: ast.expr) -> bool:
    if isinstance(func, ast.Name):
        return func.id in GETTEXT_NAMES or func.id in MESSAGE_NAMES or func.id in error_classes()
    if isinstance(func, ast.Attribute):           # self._("...")
        return func.attr == "_" or func.attr in error_classes()
    if isinstance(func, ast.Call):                # translator(lang)("...")
        inner = func.func
        return isinstance(inner, ast.Name) and inner.id == "translator"
    return False


def msgids_in(source: str, filename: str = "<source>") -> dict[str, list[str]]:
    """msgid -> ["file:line", ...] for one Python source."""
    out: dict[str, list[str]] = {}
    for node in ast.walk(ast.parse(source, filename)):
        if isinstance(node, ast.Call) and _is_gettext(node.func) and node.args:
            arg = node.args[0]
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                out.setdefault(arg.value, []).append(f"{filename}:{node.lineno}")
    return out


def msgids(root: Path = PACKAGE) -> dict[str, list[str]]:
    """Every msgid used under the package, with where."""
    out: dict[str, list[str]] = {}
    for path in sorted(root.rglob("*.py")):
        rel = str(path.relative_to(root.parent))
        for msgid, where in msgids_in(path.read_text(encoding="utf-8"), rel).items():
            out.setdefault(msgid, []).extend(where)
    return out


def notebook_msgids(folder: Path = NOTEBOOKS) -> dict[str, list[str]]:
    """msgid -> ["notebooks/NAME.md:block", ...]: the literal say("...") of the notebooks'
    Python cells (read from the jupytext .md twins, which the .ipynb follow)."""
    out: dict[str, list[str]] = {}
    for path in sorted(folder.glob("*.md")):
        text = path.read_text(encoding="utf-8")
        for i, block in enumerate(re.findall(r"^```python\n(.*?)^```", text, re.S | re.M)):
            for msgid, _where in msgids_in(block, path.name).items():
                out.setdefault(msgid, []).append(f"notebooks/{path.name}:cell {i + 1}")
    return out


if __name__ == "__main__":     # python -m explorer.i18n.extract: the msgids, one per line
    for mid, where in msgids().items():
        print(f"{where[0]}\t{mid!r}")
