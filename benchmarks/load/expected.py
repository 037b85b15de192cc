"""What the database must hold after the load: the client's own record of every accepted write.

The client applies a write here only after the service answered it with a 2xx, and only while
it holds the client-side locks of every citizen the write touches (`CitizenLocks`). Writes that
touch the same citizen therefore reach the service one after another, in the order they are
applied here, and the final state is known exactly although 16 clients write at once.

Kinship is kept as the service keeps it: directed rows, both directions of each link (a
citizen's kinship to itself is one row), and rows to a trashed citizen stay until it is restored.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

# The stored attributes of a citizen besides its id, compared column by column with the table.
ATTRIBUTES = ("town", "street", "building", "apartment", "name", "birth_date", "gender")


@dataclass
class ExpectedImport:
    """One import as the accepted writes left it."""

    import_id: int
    citizens: dict[int, dict] = field(default_factory=dict)  # citizen_id -> ATTRIBUTES
    trashed: set[int] = field(default_factory=set)
    relatives: defaultdict[int, set[int]] = field(default_factory=lambda: defaultdict(set))
    # Every accepted write bumps data_version once; a new import starts at 1.
    accepted_writes: int = 0
    # Citizens an errored write may or may not have changed: not comparable, reported apart.
    uncertain: set[int] = field(default_factory=set)
    next_citizen_id: int = 1

    @classmethod
    def from_import(cls, import_id: int, citizens: Iterable[dict]) -> ExpectedImport:
        """The state right after a POST /imports of `citizens` was answered 201."""
        expected = cls(import_id)
        for citizen in citizens:
            citizen_id = citizen["citizen_id"]
            expected.citizens[citizen_id] = {name: citizen[name] for name in ATTRIBUTES}
            for relative_id in citizen["relatives"]:
                expected._link(citizen_id, relative_id)
        expected.next_citizen_id = max(expected.citizens, default=0) + 1
        return expected

    def is_live(self, citizen_id: int) -> bool:
        return citizen_id in self.citizens and citizen_id not in self.trashed

    def visible_relatives(self, citizen_id: int) -> set[int]:
        """Relatives a reader sees: both ends live (the caller checks the citizen itself)."""
        return {r for r in self.relatives.get(citizen_id, ()) if r not in self.trashed}

    def kinship_rows(self) -> set[tuple[int, int]]:
        """Every (citizen_id, relative_id) row the kinship table must hold, trashed ends too."""
        return {(c, r) for c, relatives in self.relatives.items() for r in relatives}

    def allocate_citizen_id(self) -> int:
        citizen_id = self.next_citizen_id
        self.next_citizen_id += 1
        return citizen_id

    def update_attributes(self, citizen_id: int, changes: dict) -> None:
        self.citizens[citizen_id].update(changes)
        self.accepted_writes += 1

    def replace_relatives(self, citizen_id: int, wanted: Iterable[int]) -> None:
        """Like the service: only visible links are replaced; links to trash are kept."""
        wanted = set(wanted)
        current = self.visible_relatives(citizen_id)
        for gone in current - wanted:
            self._unlink(citizen_id, gone)
        for new in wanted - current:
            self._link(citizen_id, new)
        self.accepted_writes += 1

    def create(self, citizen_id: int, attributes: dict, relatives: Iterable[int]) -> None:
        self.citizens[citizen_id] = {name: attributes[name] for name in ATTRIBUTES}
        for relative_id in relatives:
            self._link(citizen_id, relative_id)
        self.accepted_writes += 1

    def trash(self, citizen_id: int) -> None:
        self.trashed.add(citizen_id)
        self.accepted_writes += 1

    def restore(self, citizen_id: int) -> None:
        self.trashed.discard(citizen_id)
        self.accepted_writes += 1

    def mark_uncertain(self, citizen_ids: Iterable[int]) -> None:
        """An errored write: it may have committed or not, so these ids can no longer be judged."""
        self.uncertain.update(citizen_ids)

    def _link(self, a: int, b: int) -> None:
        self.relatives[a].add(b)
        self.relatives[b].add(a)

    def _unlink(self, a: int, b: int) -> None:
        self.relatives[a].discard(b)
        self.relatives[b].discard(a)


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
