"""serve's kernel manager holds the pool's refill while a reader's page loads
(explorer/cli/room_kernels.py): the rules, on the real class, with Voila's pool
stood in by tasks as Voila keeps them."""
from __future__ import annotations

import asyncio

import pytest

from explorer.cli import room_kernels
from explorer.cli.room_kernels import RoomKernelManager


def manager(**config) -> RoomKernelManager:
    m = RoomKernelManager(**config)
    m._pools = {"app.ipynb": []}
    return m


async def pooled_kernel(m: RoomKernelManager, kernel_id: str) -> None:
    """A kernel in the pool: Voila's pool holds the task that heated it."""
    async def heated():
        return {"kernel_id": kernel_id}
    task = asyncio.ensure_future(heated())
    await task
    m._pools["app.ipynb"].append(task)
    m._kernels[kernel_id] = object()


def test_nothing_handed_out_means_no_page_is_loading():
    async def go():
        m = manager()
        await pooled_kernel(m, "pooled")
        return m.page_loading(now=100.0)
    assert asyncio.run(go()) is False


def test_a_page_loads_until_it_has_connected_and_had_time_to_draw():
    m = manager(refill_hold_after_connect=2.5)
    m._kernels["reader"] = object()                    # handed out: not in the pool
    assert m.page_loading(now=100.0)                    # its page has not connected
    m._connected_at["reader"] = 101.0
    assert m.page_loading(now=102.0)                    # connected, still drawing
    assert not m.page_loading(now=103.6)                # drawn: the refill may start


def test_a_client_that_never_connects_holds_the_refill_only_for_so_long():
    m = manager(refill_hold_max=20.0)
    m._kernels["curl"] = object()
    assert m.page_loading(now=100.0)
    assert m.page_loading(now=119.0)
    assert not m.page_loading(now=120.5)


def test_a_refill_waits_while_a_page_loads_and_starts_when_it_is_drawn(monkeypatch):
    monkeypatch.setattr(room_kernels, "REFILL_POLL_S", 0.01)

    async def go():
        m = manager(refill_hold_after_connect=0.0)
        m._kernels["reader"] = object()
        refill = asyncio.ensure_future(m.hold_refill())
        m._pools["app.ipynb"].append(refill)            # the refill is the pool's own task
        await asyncio.sleep(0.2)
        held = not refill.done()
        m.notify_connect("reader")                      # the page is up
        await asyncio.wait_for(refill, timeout=30)
        return held
    assert asyncio.run(go()), "the refill started while the reader's page was loading"


def test_a_reader_who_takes_the_held_refill_does_not_wait_for_the_other_page(monkeypatch):
    monkeypatch.setattr(room_kernels, "REFILL_POLL_S", 0.01)

    async def go():
        m = manager()
        m._kernels["first reader"] = object()           # still loading, and stays so
        refill = asyncio.ensure_future(m.hold_refill())
        m._pools["app.ipynb"].append(refill)
        await asyncio.sleep(0.1)
        assert not refill.done()
        m._pools["app.ipynb"].remove(refill)            # Voila: a second reader pops the pool
        await asyncio.wait_for(refill, timeout=30)
    asyncio.run(go())


@pytest.mark.parametrize("env, held", [({"VOILA_PREHEAT": "True"}, True),
                                       ({"VOILA_PREHEAT": "False"}, False),
                                       (None, False)])
def test_only_the_pools_refills_are_held(monkeypatch, env, held):
    calls = []

    async def hold(self):
        calls.append("hold")

    async def start(self, *args, **kwargs):
        calls.append("start")
        return "kernel-id"

    monkeypatch.setattr(RoomKernelManager, "hold_refill", hold)
    monkeypatch.setattr(room_kernels.AsyncMappingKernelManager, "start_kernel", start)
    kwargs = {"kernel_name": "python3"} if env is None else {"kernel_name": "python3", "env": env}
    assert asyncio.run(manager().start_kernel(**kwargs)) == "kernel-id"
    assert calls == (["hold", "start"] if held else ["start"])


def test_serve_runs_voila_with_this_manager_and_no_fixed_refill_delay(monkeypatch):
    from explorer.cli import cmd_app
    monkeypatch.setattr(cmd_app.shutil, "which", lambda *a, **k: "/usr/bin/voila")
    for cull in (0, 300):
        cmd = cmd_app.voila_command(8866, False, cull_idle=cull)
        assert "--VoilaConfiguration.multi_kernel_manager_class=explorer.cli.room_kernels.RoomKernelManager" in cmd
        assert "--VoilaKernelManager.fill_delay=0" in cmd
