"""The `--concurrent` slot lease: handed back while waiting on the network, never released
twice, never leaked when a re-acquire is cancelled."""

from __future__ import annotations

import asyncio

import pytest

from steersman.controller.charts import SlotLease


async def test_handed_back_slot_lets_another_reconcile_run() -> None:
    slots = asyncio.Semaphore(1)
    fetching, done_other = asyncio.Event(), asyncio.Event()

    async def slow_fetch() -> None:
        async with SlotLease(slots) as lease:
            async with lease.handed_back():
                fetching.set()
                await done_other.wait()  # the network: another reconcile runs meanwhile
            assert lease.held

    async def other() -> None:
        await fetching.wait()
        async with SlotLease(slots):
            done_other.set()

    await asyncio.wait_for(asyncio.gather(slow_fetch(), other()), 5)
    assert not slots.locked()


async def test_cancelled_reacquire_releases_nothing() -> None:
    slots = asyncio.Semaphore(1)
    blocker = SlotLease(slots)
    entered = asyncio.Event()

    async def reconcile() -> None:
        async with SlotLease(slots) as lease:
            async with lease.handed_back():
                await blocker.__aenter__()  # someone else takes the slot meanwhile
                entered.set()
            pytest.fail("the re-acquire should still be waiting")

    task = asyncio.ensure_future(reconcile())
    await entered.wait()
    await asyncio.sleep(0.01)  # reconcile now waits to re-acquire
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await blocker.__aexit__(None, None, None)
    # Exactly one slot again: one acquire succeeds immediately, a second would wait.
    assert not slots.locked()
    async with SlotLease(slots):
        assert slots.locked()
