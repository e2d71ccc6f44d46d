"""The contents manager JupyterLab uses for the tour (jupytext's, paired
.ipynb/.md, plus two small things about what a reader's session writes).

- Reading: JupyterLab writes the kernel's `language_info` into a notebook as
  soon as the kernel starts, which marks every freshly opened tour notebook
  changed (and asks to save on close).  The notebook the page receives already
  carries the `language_info` of the Python this server runs the python3
  kernel with, so attaching the kernel changes nothing.
- Saving: `keep_inputs_only` (explorer.lab) runs before every file is written,
  so outputs and run state never reach the tracked files."""
from __future__ import annotations

from jupyter_server.services.contents.largefilemanager import AsyncLargeFileManager
from jupytext import build_async_jupytext_contents_manager_class

from . import is_paired, keep_inputs_only

_JupytextManager = build_async_jupytext_contents_manager_class(AsyncLargeFileManager)


def kernel_language_info() -> dict:
    """What ipykernel (in this environment) reports as language_info."""
    # Lazy on purpose: importing ipykernel's kernel costs 0.35 s (python -X importtime) in the
    # Jupyter server, which otherwise never loads it; only saving a paired notebook asks.
    from ipykernel.ipkernel import IPythonKernel
    return dict(IPythonKernel.language_info)


class TourContentsManager(_JupytextManager):
    def __init__(self, **kw):
        super().__init__(**kw)
        self.register_pre_save_hook(keep_inputs_only)

    async def get(self, path, content=True, type=None, format=None, **kw):
        model = await super().get(path, content=content, type=type, format=format, **kw)
        nb = model.get("content") if model.get("type") == "notebook" else None
        if isinstance(nb, dict):
            meta = nb.setdefault("metadata", {})
            if is_paired(meta) and (meta.get("kernelspec") or {}).get("name") == "python3":
                meta.setdefault("language_info", kernel_language_info())
        return model
