"""A recompute counts anew only what the changes since the stored aggregate touched.

The `app` fixture runs the recompute task in-process after every commit, so each write below
brings the store up to date by the incremental path (app.services.aggregates); each stored
aggregate must then equal the whole aggregate computed from scratch.
"""

import random

import pytest
from sqlalchemy import select

from app.demo_data import generate_citizens
from app.extensions import db
from app.models import kinship
from app.services import aggregates
from tests.factories import citizen_attributes, citizen_document, linkage
from tests.integration.actions import create_import, restore_citizen

BROKER_DB = 4  # `queued`'s Redis database, where no worker runs
CITIZENS = 120
TOWNS = ("Москва", "Керчь", "Тверь", "Ялта")


def stored_documents(app, import_id: int) -> dict:
    with app.app_context():
        return {
            kind: aggregates.current_aggregate(import_id, kind)
            for kind in (aggregates.BIRTHDAYS, aggregates.PERCENTILES)
        }


def from_scratch(app, import_id: int) -> dict:
    with app.app_context():
        return {
            aggregates.BIRTHDAYS: aggregates.compute_birthdays(import_id).document,
            aggregates.PERCENTILES: aggregates.compute_percentiles(
                import_id, aggregates.today()
            ).document,
        }


def people() -> list[dict]:
    citizens = generate_citizens(CITIZENS, 150, seed=11)
    for number, person in enumerate(citizens):
        person["town"] = TOWNS[number % len(TOWNS)]
    return citizens


def random_write(rng: random.Random, client, admin, import_id: int, state: dict) -> str:
    """One write of a random kind on a random citizen; what it was, for the failure message."""
    live = sorted(state["live"])
    target = rng.choice(live)
    path = f"/imports/{import_id}/citizens/{target}"
    kind = rng.choice(["birth_date", "town", "relatives", "trash", "restore", "create", "purge"])
    if kind == "birth_date":
        born = f"19{rng.randint(40, 99)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        document = citizen_document(
            import_id, {"birth_date": born}, resource_id=f"{import_id}.{target}"
        )
        assert client.patch(path, json=document).status == 200
    elif kind == "town":
        document = citizen_document(
            import_id, {"town": rng.choice(TOWNS)}, resource_id=f"{import_id}.{target}"
        )
        assert client.patch(path, json=document).status == 200
    elif kind == "relatives":
        relatives = rng.sample(live, rng.randint(0, 6))
        reply = client.patch(
            f"{path}/relationships/relatives", json={"data": linkage(import_id, relatives)}
        )
        assert reply.status == 204, reply.body
    elif kind == "trash" and len(live) > 2:
        assert client.delete(path).status == 204
        state["live"].discard(target)
        state["trashed"].add(target)
    elif kind == "restore" and state["trashed"]:
        target = rng.choice(sorted(state["trashed"]))
        assert restore_citizen(admin, target, import_id).status == 200
        state["trashed"].discard(target)
        state["live"].add(target)
    elif kind == "create":
        target = state["next_id"]
        state["next_id"] += 1
        attributes = citizen_attributes(target, town=rng.choice(TOWNS))
        relatives = rng.sample(live, rng.randint(0, 4))
        reply = client.post(
            f"/imports/{import_id}/citizens",
            json=citizen_document(import_id, attributes, relatives=relatives),
        )
        assert reply.status == 201, reply.body
        state["live"].add(target)
    elif kind == "purge" and len(live) > 2:
        assert admin.delete(f"{path}?permanent=true").status == 204
        state["live"].discard(target)
    return f"{kind} of citizen {target}"


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_after_every_kind_of_write_the_recomputed_aggregates_equal_a_whole_computation(
    app, client, admin, seed, monkeypatch
):
    import_id = create_import(client, people())
    # What the task stores after each write: an aggregate counted in part, or (None) whole.
    stored_counts = []
    store = aggregates.store
    monkeypatch.setattr(
        aggregates,
        "store",
        lambda aggregate: stored_counts.append(aggregate.recomputed) or store(aggregate),
    )
    state = {"live": set(range(1, CITIZENS + 1)), "trashed": set(), "next_id": CITIZENS + 1}
    rng = random.Random(seed)
    done = []
    for _ in range(40):
        done.append(random_write(rng, client, admin, import_id, state))
        served = stored_documents(app, import_id)
        assert all(found.from_store for found in served.values())  # the task stored them
        stored = {kind: found.value() for kind, found in served.items()}
        assert stored == from_scratch(app, import_id), f"after {done}"

    assert stored_counts and None not in stored_counts  # every recompute counted only changes


def test_a_one_citizen_change_recounts_that_citizen_its_relatives_and_its_towns(app, queued):
    # `queued` writes go to a broker no worker reads: only the calls below compute anything.
    import_id = create_import(queued, people())
    with app.app_context():
        whole = [aggregates.current_aggregate(import_id, kind) for kind in aggregates.KINDS]
        relatives = set(
            db.session.execute(
                select(kinship.c.relative_id).where(
                    kinship.c.import_id == import_id, kinship.c.citizen_id == 7
                )
            ).scalars()
        )
    old_town = people()[6]["town"]
    new_town = next(town for town in TOWNS if town != old_town)
    document = citizen_document(
        import_id, {"birth_date": "1951-03-03", "town": new_town}, resource_id=f"{import_id}.7"
    )
    assert queued.patch(f"/imports/{import_id}/citizens/7", json=document).status == 200

    with app.app_context():
        birthdays = aggregates.current_aggregate(import_id, aggregates.BIRTHDAYS)
        percentiles = aggregates.current_aggregate(import_id, aggregates.PERCENTILES)

    assert [aggregate.recomputed for aggregate in whole] == [None, None]  # nothing to start from
    assert birthdays.recomputed == len({7} | relatives) < 10
    assert percentiles.recomputed == 2  # the town it left and the town it moved to
    assert {
        aggregates.BIRTHDAYS: birthdays.document,
        aggregates.PERCENTILES: percentiles.document,
    } == from_scratch(app, import_id)
