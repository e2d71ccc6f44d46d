"""How JupyterLab opens and saves the tour notebooks (notebooks/*.ipynb and their
jupytext .md twins).

The tour is read and run by whole reading groups from one checkout.  Outputs,
execution counts, the kernel's language_info and the widgets' state are the
reader's run, not the tour: a save (or autosave) keeps only what git holds, so
running a notebook never dirties the tree, and nobody has to remember a
per-reader copy or a git filter.  The reader still sees every output in the
open page; only the file on disk stays the tour.  Notebooks that are not
jupytext-paired (a reader's own scratch notebook) are saved untouched.

`CONFIG_DIR` is the Jupyter config folder that installs this hook (through
explorer.lab.contents, named in jupyter_server_config.py) and opens the .md
twins as notebooks by default (labconfig/default_setting_overrides.json)."""
from __future__ import annotations

import re
from pathlib import Path

CONFIG_DIR = Path(__file__).with_name("config")

# What a run or the page adds to a notebook and a save would otherwise write.
RUN_METADATA = ("language_info", "widgets")
RUN_CELL_METADATA = ("execution", "scrolled", "collapsed", "ExecuteTime")
# jupytext stamps its own version into a text twin's header on every save; the
# twins in git carry none, so that another jupytext version does not rewrite them.
_VERSION_LINE = re.compile(r"^ +(format_version|jupytext_version): .*\n", re.M)


def is_paired(metadata: dict) -> bool:
    return bool((metadata.get("jupytext") or {}).get("formats"))


def inputs_only(nb: dict) -> dict:
    """The notebook (nbformat JSON as a dict) without what running it added; in place."""
    meta = nb.get("metadata") or {}
    for key in RUN_METADATA:
        meta.pop(key, None)
    for cell in nb.get("cells") or []:
        if cell.get("cell_type") == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
        cmeta = cell.get("metadata") or {}
        for key in RUN_CELL_METADATA:
            cmeta.pop(key, None)
        hidden = cmeta.get("jupyter")
        if isinstance(hidden, dict):
            hidden.pop("outputs_hidden", None)
            if not hidden:
                cmeta.pop("jupyter")
    return nb


def text_header_without_versions(text: str) -> str:
    """A jupytext Markdown twin with the version stamps taken out of its YAML header."""
    if not text.startswith("---\n"):
        return text
    end = text.find("\n---\n", 4)
    if end < 0:
        return text
    head = text[:end + 1]
    if "jupytext:" not in head or "formats:" not in head:
        return text          # not a paired twin
    return _VERSION_LINE.sub("", head) + text[end + 1:]


def keep_inputs_only(model: dict, path: str = "", contents_manager=None, **_kw) -> None:
    """ContentsManager.pre_save_hook: what is saved of a paired tour notebook is its inputs."""
    if model.get("type") == "notebook" and isinstance(model.get("content"), dict):
        if is_paired(model["content"].get("metadata") or {}):
            inputs_only(model["content"])
    elif model.get("type") == "file" and model.get("format") == "text" and str(path).endswith(".md"):
        content = model.get("content")
        if isinstance(content, str):
            model["content"] = text_header_without_versions(content)
