"""The kernel manager of `fork-explorer serve`: Voila's, with culling that
never takes a kernel away from a page that is still loading.

jupyter_server culls a kernel once it is idle with no connection for
cull_idle_timeout.  A reader's kernel is exactly that between the moment
Voila sends the page and the moment the browser, having loaded it, opens the
kernel's websocket: seconds alone, minutes in a crowded room.  Worse, a
pre-heated kernel counts its idle time from when it was put in the pool, so
a reader who arrives after the pool has waited longer than the culling time
got a kernel that the next sweep shut down before their page was up (seen
with --cull-idle 5 and 60: the page never got ready).

Here a kernel whose page has never connected is culled only after
PAGE_LOAD_GRACE_S out of the pool (a browser that died while loading, a
plain HTTP client); once its page has connected, the usual rule applies, so
a reader who closed the tab or vanished is culled after cull_idle_timeout.
"""
from __future__ import annotations

import time

from jupyter_core.utils import ensure_async
from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager
from traitlets import Float

PAGE_LOAD_GRACE_S = 600.0


class RoomKernelManager(AsyncMappingKernelManager):
    page_load_grace = Float(PAGE_LOAD_GRACE_S, config=True,
                            help="seconds a kernel out of the pool waits for its page's first connection "
                                 "before it may be culled")

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._ever_connected: set[str] = set()
        self._handed_out: dict[str, float] = {}      # kernel id -> first sweep that saw it out of the pool

    def notify_connect(self, kernel_id):
        self._ever_connected.add(kernel_id)
        super().notify_connect(kernel_id)

    def _pooled(self) -> set[str]:
        """Kernels waiting in Voila's pre-heated pool (Voila's subclass keeps _pools)."""
        out = set()
        for pool in getattr(self, "_pools", {}).values():
            for task in pool:
                try:
                    if task.done():
                        out.add(task.result()["kernel_id"])
                except Exception:
                    pass
        return out

    async def cull_kernels(self):
        now, pooled = time.monotonic(), self._pooled()
        for kernel_id in list(self._kernels):
            if kernel_id not in pooled:
                self._handed_out.setdefault(kernel_id, now)
        await super().cull_kernels()

    async def cull_kernel_if_idle(self, kernel_id):
        if kernel_id not in self._ever_connected:
            since = self._handed_out.get(kernel_id)
            if since is None or time.monotonic() - since < self.page_load_grace:
                return
        await ensure_async(super().cull_kernel_if_idle(kernel_id))

    async def shutdown_kernel(self, kernel_id, *args, **kwargs):
        self._ever_connected.discard(kernel_id)
        self._handed_out.pop(kernel_id, None)
        return await ensure_async(super().shutdown_kernel(kernel_id, *args, **kwargs))
