"""The record of accepted writes follows the service's kinship and trash rules; the load
scenario's locks keep writes to a shared citizen apart."""

import asyncio
from datetime import date

from benchmarks.load.locks import CitizenLocks
from harness.expected import ExpectedImport
from tests.factories import citizen


def kerch_citizen(citizen_id: int, relatives: list[int]) -> dict:
    """Everyone in one town and born on 1 January: the aggregates below depend on that."""
    return citizen(citizen_id, relatives, town="Керчь", birth_date="1990-01-01")


def expected_family() -> ExpectedImport:
    """The record of import 7: 1-2, 1-3, and 3 is its own relative."""
    citizens = [kerch_citizen(1, [2, 3]), kerch_citizen(2, [1]), kerch_citizen(3, [1, 3])]
    return ExpectedImport.from_import(7, citizens)


def test_an_import_holds_both_directions_and_self_kinship_once():
    expected = expected_family()
    assert expected.kinship_rows() == {(1, 2), (2, 1), (1, 3), (3, 1), (3, 3)}
    assert expected.next_citizen_id == 4
    assert expected.changing_writes == 0


def test_replacing_relatives_keeps_the_link_to_a_trashed_relative():
    expected = expected_family()
    expected.trash(2)
    assert expected.visible_relatives(1) == {3}
    expected.replace_relatives(1, {1})  # from now on only itself
    # 1-3 was visible and not wanted: gone both ways; 1-2 is kept for 2's restore.
    assert expected.kinship_rows() == {(1, 1), (1, 2), (2, 1), (3, 3)}
    expected.restore(2)
    assert expected.visible_relatives(1) == {1, 2}
    assert expected.changing_writes == 3  # trash, replace, restore: one data_version each


def test_a_new_citizen_links_both_ways():
    expected = expected_family()
    new_id = expected.allocate_citizen_id()
    expected.create(new_id, kerch_citizen(new_id, []), {2, new_id})
    assert {(4, 2), (2, 4), (4, 4)} <= expected.kinship_rows()
    assert expected.is_live(4) and expected.next_citizen_id == 5


def test_expected_aggregates_leave_out_trashed_citizens_on_either_end_of_a_link():
    expected = expected_family()
    expected.citizens[2]["birth_date"] = "1985-12-31"
    expected.trash(3)
    assert expected.birthdays()["12"] == [{"citizen_id": 1, "presents": 1}]
    assert expected.birthdays()["1"] == [{"citizen_id": 2, "presents": 1}]
    assert [entry["town"] for entry in expected.percentiles(date(2020, 1, 1))] == ["Керчь"]


def test_locks_keep_writes_on_a_shared_citizen_apart_and_reread_what_they_need():
    locks = CitizenLocks()
    needs = {"first": {1, 2}, "second": {2}}
    inside: set[str] = set()
    seen = {}  # name -> (writes inside when it entered, citizens locked then)

    async def write(name: str, grow_to: set[int] | None = None) -> None:
        async with locks.hold(7, lambda: needs[name]):
            locked = {key for (_, key), lock in locks._locks.items() if lock.locked()}
            seen[name] = (set(inside), locked)
            inside.add(name)
            if grow_to is not None:
                needs["second"] = grow_to  # e.g. the first write linked citizen 3 to 2
            await asyncio.sleep(0.01)
            inside.discard(name)

    async def both() -> None:
        await asyncio.gather(write("first", grow_to={2, 3}), write("second"))

    asyncio.run(both())
    assert seen == {"first": (set(), {1, 2}), "second": (set(), {2, 3})}
    assert locks.waits == 1
    assert not any(lock.locked() for lock in locks._locks.values())
