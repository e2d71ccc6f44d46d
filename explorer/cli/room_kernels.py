"""The kernel manager of `fork-explorer serve`: Voila's, with two rules for a
room of readers.

1. Culling never takes a kernel away from a page that is still loading.

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

2. The next reader's kernel is heated after this reader's page is up, not
while it loads.

Voila keeps one kernel with the app already run (the pool) and starts the
next one fill_delay (1 s) after handing it out: right in the two or three
seconds in which the reader's browser builds the page.  Starting a kernel and
running the app is seconds of CPU; on a two-core machine the page then came
up 0.5 s later (median of 6 alternated loads: source on screen at 2.94 s with
the refill beside it, 2.38 s without).  So a refill waits while a page is
loading: a kernel handed out whose page has not connected, or connected less
than refill_hold_after_connect ago (time to draw).  It never waits for a
reader who needs it: once the refill's task has been taken from the pool (a
reader arrived before the pool was full), it starts at once; and never longer
than refill_hold_max (a client that fetched the page and never connects).
"""
from __future__ import annotations

import asyncio
import time

from jupyter_core.utils import ensure_async
from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager
from traitlets import Float

PAGE_LOAD_GRACE_S = 600.0
# A page draws the source about 0.5-1 s after its websocket opens, the tools under
# it about 1 s later; on a loaded machine more.
REFILL_HOLD_AFTER_CONNECT_S = 2.5
REFILL_HOLD_MAX_S = 20.0
REFILL_POLL_S = 0.2


class RoomKernelManager(AsyncMappingKernelManager):
    page_load_grace = Float(PAGE_LOAD_GRACE_S, config=True,
                            help="seconds a kernel out of the pool waits for its page's first connection "
                                 "before it may be culled")
    refill_hold_after_connect = Float(REFILL_HOLD_AFTER_CONNECT_S, config=True,
                                      help="seconds after a page's first connection before the pool is refilled")
    refill_hold_max = Float(REFILL_HOLD_MAX_S, config=True,
                            help="longest a pool refill waits for loading pages")

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._handed_out: dict[str, float] = {}      # kernel id -> first seen out of the pool
        self._connected_at: dict[str, float] = {}    # kernel id -> its page's first connection

    def notify_connect(self, kernel_id):
        self._connected_at.setdefault(kernel_id, time.monotonic())
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

    def _in_pool(self, task) -> bool:
        return any(task is t for pool in getattr(self, "_pools", {}).values() for t in pool)

    def _note_handed_out(self, now: float) -> set[str]:
        """The kernels out of the pool, each noted with when it was first seen so."""
        pooled = self._pooled()
        out = {k for k in self._kernels if k not in pooled}
        for kernel_id in out:
            self._handed_out.setdefault(kernel_id, now)
        return out

    def page_loading(self, now: float) -> bool:
        """Is a reader's page still loading: a kernel out of the pool whose page has
        not connected yet (for at most refill_hold_max: a client that never will),
        or connected less than refill_hold_after_connect ago?"""
        for kernel_id in self._note_handed_out(now):
            connected = self._connected_at.get(kernel_id)
            if connected is None:
                if now - self._handed_out[kernel_id] < self.refill_hold_max:
                    return True
            elif now - connected < self.refill_hold_after_connect:
                return True
        return False

    async def start_kernel(self, *args, **kwargs):
        # Voila's pool refills start their kernels with VOILA_PREHEAT set; a reader's own
        # kernel (the pool was empty) and a restart do not, and are never held.
        if (kwargs.get("env") or {}).get("VOILA_PREHEAT") == "True":
            await self.hold_refill()
        return await ensure_async(super().start_kernel(*args, **kwargs))

    async def hold_refill(self) -> None:
        """Wait while a page is loading, unless a reader has taken this refill from
        the pool (the refill runs as the pool's task itself) or it has waited
        refill_hold_max."""
        me = asyncio.current_task()
        deadline = time.monotonic() + self.refill_hold_max
        while time.monotonic() < deadline and self._in_pool(me) and self.page_loading(time.monotonic()):
            await asyncio.sleep(REFILL_POLL_S)

    async def cull_kernels(self):
        self._note_handed_out(time.monotonic())
        await super().cull_kernels()

    async def cull_kernel_if_idle(self, kernel_id):
        if kernel_id not in self._connected_at:
            since = self._handed_out.get(kernel_id)
            if since is None or time.monotonic() - since < self.page_load_grace:
                return
        await ensure_async(super().cull_kernel_if_idle(kernel_id))

    async def shutdown_kernel(self, kernel_id, *args, **kwargs):
        self._handed_out.pop(kernel_id, None)
        self._connected_at.pop(kernel_id, None)
        return await ensure_async(super().shutdown_kernel(kernel_id, *args, **kwargs))
