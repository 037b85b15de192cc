"""Client-side locks per citizen, which keep the expected state exact although 16 clients write.

A client applies a write to its harness.expected.ExpectedImport only after the service answered
it with a 2xx, and only while it holds the locks of every citizen the write touches. Writes that
touch the same citizen therefore reach the service one after another, in the order they are
applied to the expected state.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager


class CitizenLocks:
    """Client-side locks per (import, citizen): writes that share a citizen never overlap.

    They only order the client's own requests, so the expected state stays exact; the service
    still sees every write to an import contend for that import's lock.
    """

    def __init__(self) -> None:
        self._locks: dict[tuple[int, int], asyncio.Lock] = defaultdict(asyncio.Lock)
        self.waits = 0  # how often a client found a citizen busy and waited

    @asynccontextmanager
    async def hold(self, import_id: int, needed: Callable[[], set[int]]) -> AsyncIterator[None]:
        """Hold the locks of `needed()`, re-reading it once held, since it may have grown."""
        while True:
            keys = sorted(needed())
            held = await self._acquire(import_id, keys)
            if needed() <= set(keys):
                break
            self._release(held)
        try:
            yield
        finally:
            self._release(held)

    async def _acquire(self, import_id: int, keys: list[int]) -> list[asyncio.Lock]:
        held = []
        try:
            for key in keys:  # always in ascending order, so two clients cannot deadlock
                lock = self._locks[(import_id, key)]
                if lock.locked():
                    self.waits += 1
                await lock.acquire()
                held.append(lock)
        except BaseException:
            self._release(held)
            raise
        return held

    @staticmethod
    def _release(held: list[asyncio.Lock]) -> None:
        for lock in reversed(held):
            lock.release()
