"""The weighted mix of operations each virtual client loops over, and what each one checks.

Every write takes the client-side locks of the citizens it touches (see locks.py), sends
its request, and records the outcome in the expected state: applied on the expected 2xx, or
marked uncertain on anything else (an error may still have committed). Reads of one citizen
also lock it and its relatives, so their answer can be compared with the expected state.
"""

from __future__ import annotations

import math
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from benchmarks.dataset import generate_citizens
from benchmarks.load.client import LoadClient
from benchmarks.load.locks import CitizenLocks
from harness.expected import ATTRIBUTES, ExpectedImport

PAGE_SIZE = 100
NEW_IMPORT_CITIZENS = 40
NEW_IMPORT_PAIRS = 15
# A relatives PATCH keeps each current relative with this chance and adds 0..MAX_ADDED others.
KEEP_RELATIVE = 0.5
MAX_ADDED_RELATIVES = 2
MAX_NEW_CITIZEN_RELATIVES = 3
# Citizens may be their own relatives; the service stores that as one row, an edge case to keep.
SELF_KINSHIP = 0.05
PICK_ATTEMPTS = 20

# Operation labels, in the order of the report.
READ_PAGE = "GET citizens page"
READ_CITIZEN = "GET citizen"
READ_BIRTHDAYS = "GET birthdays"
READ_PERCENTILES = "GET percentiles"
PATCH_CITIZEN = "PATCH citizen"
PATCH_RELATIVES = "PATCH relatives"
POST_CITIZEN = "POST citizen"
TRASH_CITIZEN = "DELETE citizen (trash)"
RESTORE_CITIZEN = "PATCH restore (admin)"
POST_IMPORT = "POST import"
OPERATIONS = [
    READ_PAGE, READ_CITIZEN, READ_BIRTHDAYS, READ_PERCENTILES, PATCH_CITIZEN, PATCH_RELATIVES,
    POST_CITIZEN, TRASH_CITIZEN, RESTORE_CITIZEN, POST_IMPORT,
]  # fmt: skip


@dataclass
class Workload:
    """What every virtual client shares: the HTTP client, the expected state, the locks."""

    client: LoadClient
    targets: list[ExpectedImport]  # the imports set up first: every citizen operation's target
    imports: dict[int, ExpectedImport]  # the targets and every import posted during the load
    attribute_pool: list[dict]  # realistic citizens whose attributes PATCH and POST borrow
    locks: CitizenLocks = field(default_factory=CitizenLocks)
    uncertain_imports: int = 0  # POST /imports that errored: committed or not, nobody knows
    client_cpu_seconds: float = 0.0  # the load generator's own CPU time during the load


def citizen_path(import_id: int, citizen_id: int) -> str:
    return f"/imports/{import_id}/citizens/{citizen_id}"


def linkage(import_id: int, citizen_ids) -> list[dict]:
    return [{"type": "citizens", "id": f"{import_id}.{c}"} for c in sorted(citizen_ids)]


def linked_ids(resource: dict) -> set[int]:
    data = resource["relationships"]["relatives"]["data"]
    return {int(item["id"].split(".")[1]) for item in data}


def attribute_difference(resource: dict, expected: dict) -> str | None:
    """Name the first attribute of a citizen resource that differs from `expected`."""
    attributes = resource["attributes"]
    for name in ATTRIBUTES:
        if attributes.get(name) != expected[name]:
            return f"{name} is {attributes.get(name)!r}, expected {expected[name]!r}"
    return None


def pick_citizen(workload: Workload, rng: random.Random) -> tuple[ExpectedImport, int] | None:
    """A random live citizen of a random target import (None if, oddly, none is found)."""
    target = rng.choice(workload.targets)
    ids = list(target.citizens)  # insertion order: deterministic for a seed
    for _ in range(PICK_ATTEMPTS):
        citizen_id = rng.choice(ids)
        if target.is_live(citizen_id) and citizen_id not in target.uncertain:
            return target, citizen_id
    return None


def borrowed_attributes(workload: Workload, rng: random.Random, how_many: int) -> dict:
    donor = rng.choice(workload.attribute_pool)
    return {name: donor[name] for name in rng.sample(ATTRIBUTES, how_many)}


async def read_page(workload: Workload, rng: random.Random) -> None:
    target = rng.choice(workload.targets)
    pages = max(1, math.ceil(len(target.citizens) / PAGE_SIZE))
    path = (
        f"/imports/{target.import_id}/citizens"
        f"?page[size]={PAGE_SIZE}&page[number]={rng.randint(1, pages)}"
    )
    await workload.client.call(READ_PAGE, "GET", path, 200, "reader")


async def read_citizen(workload: Workload, rng: random.Random) -> None:
    picked = pick_citizen(workload, rng)
    if picked is None:
        return
    target, citizen_id = picked

    def needed() -> set[int]:
        # The relatives too: trashing one of them would change the answer mid-flight.
        return {citizen_id} | target.relatives.get(citizen_id, set())

    async with workload.locks.hold(target.import_id, needed):
        live = target.is_live(citizen_id)
        attributes = target.citizens[citizen_id]
        relatives = target.visible_relatives(citizen_id)
        judgeable = live and not needed() & target.uncertain

        def check(document) -> str | None:
            if not judgeable:
                return None
            difference = attribute_difference(document["data"], attributes)
            if difference is None and linked_ids(document["data"]) != relatives:
                got = sorted(linked_ids(document["data"]))
                difference = f"relatives are {got}, expected {sorted(relatives)}"
            return difference

        path = citizen_path(target.import_id, citizen_id)
        expected = 200 if live else 404
        await workload.client.call(READ_CITIZEN, "GET", path, expected, "reader", None, check)


async def read_birthdays(workload: Workload, rng: random.Random) -> None:
    import_id = rng.choice(workload.targets).import_id
    path = f"/imports/{import_id}/citizens/birthdays"
    await workload.client.call(READ_BIRTHDAYS, "GET", path, 200, "reader")


async def read_percentiles(workload: Workload, rng: random.Random) -> None:
    import_id = rng.choice(workload.targets).import_id
    path = f"/imports/{import_id}/towns/stat/percentile/age"
    await workload.client.call(READ_PERCENTILES, "GET", path, 200, "reader")


async def patch_citizen(workload: Workload, rng: random.Random) -> None:
    picked = pick_citizen(workload, rng)
    if picked is None:
        return
    target, citizen_id = picked
    changes = borrowed_attributes(workload, rng, rng.randint(1, 3))
    async with workload.locks.hold(target.import_id, lambda: {citizen_id}):
        if not target.is_live(citizen_id):
            return  # an errored restore left it in the trash; nothing to patch
        expected = {**target.citizens[citizen_id], **changes}
        body = {
            "data": {
                "type": "citizens",
                "id": f"{target.import_id}.{citizen_id}",
                "attributes": changes,
            }
        }
        reply = await workload.client.call(
            PATCH_CITIZEN, "PATCH", citizen_path(target.import_id, citizen_id), 200, "editor",
            body, lambda document: attribute_difference(document["data"], expected),
        )  # fmt: skip
        if reply.ok:
            target.update_attributes(citizen_id, changes)
        else:
            target.mark_uncertain({citizen_id})


async def patch_relatives(workload: Workload, rng: random.Random) -> None:
    picked = pick_citizen(workload, rng)
    if picked is None:
        return
    target, citizen_id = picked
    ids = list(target.citizens)
    candidates = {r for r in target.visible_relatives(citizen_id) if rng.random() < KEEP_RELATIVE}
    candidates |= set(rng.sample(ids, rng.randint(0, MAX_ADDED_RELATIVES)))
    if rng.random() < SELF_KINSHIP:
        candidates.add(citizen_id)

    def needed() -> set[int]:
        # Every citizen whose kinship or visibility decides the outcome: the citizen, all of
        # its relatives (a trashed one keeps its link) and the wanted ones.
        return {citizen_id} | target.relatives.get(citizen_id, set()) | candidates

    async with workload.locks.hold(target.import_id, needed):
        if not target.is_live(citizen_id):
            return
        # Trashed or uncertain citizens would be a 404 or an unknown: ask only for live ones.
        wanted = {r for r in candidates if target.is_live(r) and r not in target.uncertain}
        body = {"data": linkage(target.import_id, wanted)}
        path = citizen_path(target.import_id, citizen_id) + "/relationships/relatives"
        reply = await workload.client.call(PATCH_RELATIVES, "PATCH", path, 204, "editor", body)
        if reply.ok:
            target.replace_relatives(citizen_id, wanted)
        else:
            target.mark_uncertain(needed())


async def post_citizen(workload: Workload, rng: random.Random) -> None:
    target = rng.choice(workload.targets)
    ids = list(target.citizens)
    candidates = set(rng.sample(ids, rng.randint(0, MAX_NEW_CITIZEN_RELATIVES)))
    attributes = borrowed_attributes(workload, rng, len(ATTRIBUTES))
    self_kin = rng.random() < SELF_KINSHIP
    async with workload.locks.hold(target.import_id, lambda: candidates):
        relatives = {r for r in candidates if target.is_live(r) and r not in target.uncertain}
        citizen_id = target.allocate_citizen_id()
        if self_kin:
            relatives.add(citizen_id)
        body = {
            "data": {
                "type": "citizens",
                "attributes": {"citizen_id": citizen_id, **attributes},
                "relationships": {"relatives": {"data": linkage(target.import_id, relatives)}},
            }
        }

        def check(document) -> str | None:
            difference = attribute_difference(document["data"], attributes)
            if difference is None and linked_ids(document["data"]) != relatives:
                difference = f"relatives are {sorted(linked_ids(document['data']))}"
            return difference

        path = f"/imports/{target.import_id}/citizens"
        reply = await workload.client.call(POST_CITIZEN, "POST", path, 201, "editor", body, check)
        if reply.ok:
            target.create(citizen_id, attributes, relatives)
        else:
            target.mark_uncertain({citizen_id} | relatives)


async def trash_and_restore(workload: Workload, rng: random.Random) -> None:
    """Trash a citizen as an editor, then restore it as an admin: two requests, one lock."""
    picked = pick_citizen(workload, rng)
    if picked is None:
        return
    target, citizen_id = picked
    path = citizen_path(target.import_id, citizen_id)
    async with workload.locks.hold(target.import_id, lambda: {citizen_id}):
        if not target.is_live(citizen_id):
            return
        reply = await workload.client.call(TRASH_CITIZEN, "DELETE", path, 204, "editor")
        if not reply.ok:
            target.mark_uncertain({citizen_id})
            return
        target.trash(citizen_id)
        expected = target.citizens[citizen_id]

        def check(document) -> str | None:
            if document["data"]["attributes"].get("deleted_at") is not None:
                return "deleted_at is still set"
            return attribute_difference(document["data"], expected)

        body = {
            "data": {
                "type": "citizens",
                "id": f"{target.import_id}.{citizen_id}",
                "attributes": {"deleted_at": None},
            }
        }
        reply = await workload.client.call(
            RESTORE_CITIZEN, "PATCH", f"{path}?with_trashed=true", 200, "admin", body, check
        )
        if reply.ok:
            target.restore(citizen_id)
        else:
            target.mark_uncertain({citizen_id})


async def post_import(workload: Workload, rng: random.Random) -> None:
    citizens = generate_citizens(NEW_IMPORT_CITIZENS, NEW_IMPORT_PAIRS, rng.randrange(2**31))
    body = {"data": {"type": "imports", "attributes": {"citizens": citizens}}}

    def check(document) -> str | None:
        count = document["data"]["attributes"]["citizens_count"]
        return None if count == NEW_IMPORT_CITIZENS else f"citizens_count is {count}"

    reply = await workload.client.call(POST_IMPORT, "POST", "/imports", 201, "editor", body, check)
    if reply.ok:
        import_id = int(reply.document["data"]["id"])
        workload.imports[import_id] = ExpectedImport.from_import(import_id, citizens)
    else:
        workload.uncertain_imports += 1


Operation = Callable[[Workload, random.Random], Awaitable[None]]
# Weights: mostly reads, and every kind of write often enough to meet the others mid-flight.
MIX: tuple[tuple[Operation, int], ...] = (
    (read_page, 20),
    (read_citizen, 20),
    (read_birthdays, 10),
    (read_percentiles, 10),
    (patch_citizen, 15),
    (patch_relatives, 10),
    (post_citizen, 6),
    (trash_and_restore, 6),
    (post_import, 3),
)


def next_operation(rng: random.Random) -> Operation:
    operations, weights = zip(*MIX, strict=True)
    return rng.choices(operations, weights=weights)[0]
