"""The stored aggregates: guarded upserts, the task that keeps them, and reads that use them.

The `app` fixture runs tasks in-process, so every write stores fresh aggregates before the
response; `queued` (tests/integration/conftest.py) builds an app whose tasks go to Redis database
BROKER_DB, where no worker runs.
"""

import logging
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta

import orjson
import psycopg
import pytest

from app.services import aggregates
from app.tasks import recompute_aggregates
from harness.broker import queued_tasks
from harness.database import libpq_url
from tests.factories import citizen, citizen_document, family, linkage
from tests.integration.actions import create_import, read, rename, set_birth_date
from tests.integration.stored import data_version

BROKER_DB = 12
BIRTHDAYS = "/imports/{}/citizens/birthdays"
PERCENTILES = "/imports/{}/towns/stat/percentile/age"


def today() -> date:
    return datetime.now(UTC).date()


def born_on_this_day(years: int) -> str:
    """A birth date exactly `years` ago (a multiple of 4, so 29 February exists then too)."""
    assert years % 4 == 0
    return today().replace(year=today().year - years).isoformat()


def stored(sql, import_id: int = 1) -> dict[str, tuple]:
    """kind -> (data_version, as_of, document) of the stored aggregates of an import."""
    rows = sql(
        "SELECT kind, data_version, as_of, document FROM stored_aggregates WHERE import_id = :i",
        i=import_id,
    )
    return {
        kind: (version, as_of, orjson.loads(document)) for kind, version, as_of, document in rows
    }


# The task and the guarded store --------------------------------------------------------------


def test_the_recompute_task_is_idempotent(app, make_import, sql):
    make_import(family())
    first = stored(sql)

    with app.app_context():
        recompute_aggregates.run(1)
        recompute_aggregates.run(1)

    assert stored(sql) == first
    assert {kind: version for kind, (version, _, _) in first.items()} == {
        "birthdays": 1,
        "town-age-stats": 1,
    }


@pytest.mark.parametrize(
    ("method", "relatives"),
    [("PATCH", [2]), ("POST", [2]), ("DELETE", [3])],
    ids=["same relatives again", "adding a relative already there", "removing a stranger"],
)
def test_a_kinship_write_that_changes_nothing_leaves_the_store_current(
    client, make_import, sql, method, relatives
):
    """Such a write moves no data_version, so what is stored stays current without a recompute
    (tests/integration/test_unchanged_writes.py: none is queued)."""
    make_import(family())

    reply = client.request(
        method,
        "/imports/1/citizens/1/relationships/relatives",
        json={"data": linkage(1, relatives)},
    )

    assert reply.status == 204
    assert data_version(sql) == 1
    assert {kind: v for kind, (v, _, _) in stored(sql).items()} == {
        "birthdays": 1,
        "town-age-stats": 1,
    }


def test_an_older_result_stored_after_a_newer_one_is_ignored(app, client, make_import, sql):
    make_import(family())
    with app.app_context():
        old = [aggregates.compute_birthdays(1), aggregates.compute_percentiles(1, today())]
    reply = client.post(
        "/imports/1/citizens/3/relationships/relatives", json={"data": linkage(1, [1])}
    )
    assert reply.status == 204
    document = citizen_document(1, {"birth_date": "1990-01-01"}, resource_id="1.2")
    assert client.patch("/imports/1/citizens/2", json=document).status == 200
    newer = stored(sql)

    with app.app_context():
        for aggregate in old:
            aggregates.store(aggregate)

    assert stored(sql) == newer
    assert {kind: version for kind, (version, _, _) in newer.items()} == {
        "birthdays": 3,
        "town-age-stats": 3,
    }
    assert [newer["birthdays"][2], newer["town-age-stats"][2]] != [a.document for a in old]


def test_yesterdays_percentiles_stored_after_todays_are_ignored(app, make_import, sql):
    make_import([citizen(1, [], birth_date=born_on_this_day(28), town="Керчь")])
    yesterday = today() - timedelta(days=1)
    with app.app_context():
        late = aggregates.compute_percentiles(1, yesterday)

        aggregates.store(late)

    assert late.document[0]["p50"] == 27.0
    assert stored(sql)["town-age-stats"] == (
        1,
        today(),
        [{"town": "Керчь", "p50": 28.0, "p75": 28.0, "p99": 28.0}],
    )


def test_todays_percentiles_replace_yesterdays_of_the_same_version(app, make_import, sql, execute):
    make_import([citizen(1, [], birth_date=born_on_this_day(28), town="Керчь")])
    execute("DELETE FROM stored_aggregates")
    with app.app_context():
        aggregates.store(aggregates.compute_percentiles(1, today() - timedelta(days=1)))
        assert aggregates.stale_import_ids() == [1]

        aggregates.store(aggregates.compute_percentiles(1, today()))

    assert stored(sql)["town-age-stats"][:2] == (1, today())
    assert stored(sql)["town-age-stats"][2][0]["p50"] == 28.0


@pytest.mark.parametrize("removal", ["/imports/1", "/imports/1?permanent=true"])
def test_the_task_stores_nothing_for_a_trashed_or_purged_import(
    app, admin, make_import, sql, execute, caplog, removal
):
    make_import(family())
    execute("DELETE FROM stored_aggregates")
    assert admin.delete(removal).status == 204

    with caplog.at_level(logging.INFO, logger="app.tasks"), app.app_context():
        recompute_aggregates.run(1)

    assert sql("SELECT count(*) FROM stored_aggregates") == [(0,)]
    assert "Import 1 is gone or trashed; nothing to recompute" in caplog.messages


def test_stale_import_ids_lists_exactly_the_imports_whose_store_is_behind(
    app, client, make_import, execute
):
    for _ in range(6):
        make_import(family())
    execute("DELETE FROM stored_aggregates WHERE import_id = 2 AND kind = 'birthdays'")
    execute(
        "UPDATE imports SET data_version = data_version + 1,"
        " birthdays_version = data_version + 1 WHERE id = 3"
    )
    execute(
        "UPDATE stored_aggregates SET as_of = as_of - 1 WHERE import_id = 4 AND as_of IS NOT NULL",
    )
    assert client.delete("/imports/5").status == 204  # behind, but trashed
    execute("DELETE FROM stored_aggregates WHERE import_id = 6")

    with app.app_context():
        stale = aggregates.stale_import_ids()
        for import_id in stale:
            aggregates.refresh(import_id)
        after_refresh = aggregates.stale_import_ids()

    assert stale == [2, 3, 4, 6]
    assert after_refresh == []


# Reads that use the store --------------------------------------------------------------------


def test_a_read_right_after_a_write_with_no_worker_computes_stores_then_serves(queued, broker, sql):
    import_id = create_import(queued, family())
    assert stored(sql, import_id) == {}

    computed = read(queued, BIRTHDAYS.format(import_id))
    served = read(queued, BIRTHDAYS.format(import_id))

    assert computed["meta"]["from_store"] is False
    assert served["meta"]["from_store"] is True
    assert served["data"] == computed["data"]
    assert served["meta"]["data_version"] == computed["meta"]["data_version"] == 1
    assert served["meta"]["computed_at"] == computed["meta"]["computed_at"]
    assert stored(sql, import_id)["birthdays"] == (
        1,
        None,
        computed["data"]["attributes"]["months"],
    )
    assert queued_tasks(broker) == [("app.tasks.recompute_aggregates", [import_id])]


def test_a_read_after_a_later_write_computes_again(queued, sql):
    import_id = create_import(queued, family())
    read(queued, BIRTHDAYS.format(import_id))
    set_birth_date(queued, import_id, 1, "1990-01-01")

    computed = read(queued, BIRTHDAYS.format(import_id))
    served = read(queued, BIRTHDAYS.format(import_id))

    assert (computed["meta"]["from_store"], computed["meta"]["data_version"]) == (False, 2)
    assert (served["meta"]["from_store"], served["meta"]["data_version"]) == (True, 2)
    assert stored(sql, import_id)["birthdays"][0] == 2


def test_todays_percentiles_are_stored_by_the_first_read_and_served_by_the_next(queued, sql):
    import_id = create_import(queued, family())

    computed = read(queued, PERCENTILES.format(import_id))
    served = read(queued, PERCENTILES.format(import_id) + f"?as_of={today().isoformat()}")

    assert computed["meta"]["from_store"] is False
    assert served["meta"]["from_store"] is True
    assert served["data"] == computed["data"]
    assert served["meta"]["as_of"] == computed["meta"]["as_of"] == today().isoformat()
    assert stored(sql, import_id)["town-age-stats"][:2] == (1, today())


def test_percentiles_for_another_day_are_computed_and_not_stored(client, make_import, sql, execute):
    born = ["2000-01-01", "1990-01-01", "1980-01-01", "1970-01-01"]  # 20, 30, 40, 50 years
    make_import([citizen(n, [], town="Москва", birth_date=b) for n, b in enumerate(born, 1)])
    execute("DELETE FROM stored_aggregates")

    first = read(client, PERCENTILES.format(1) + "?as_of=2020-06-30")
    second = read(client, PERCENTILES.format(1) + "?as_of=2020-06-30")

    for body in (first, second):
        assert body["meta"]["from_store"] is False
        assert body["meta"]["as_of"] == "2020-06-30"
        assert [r["attributes"] for r in body["data"]] == [
            {"town": "Москва", "p50": 35.0, "p75": 42.5, "p99": 49.7}
        ]
    assert stored(sql) == {}


def test_a_read_for_another_day_leaves_todays_stored_percentiles_alone(client, make_import, sql):
    make_import(family())
    todays = stored(sql)["town-age-stats"]

    past = read(client, PERCENTILES.format(1) + "?as_of=2010-01-01")
    current = read(client, PERCENTILES.format(1))

    assert past["meta"]["from_store"] is False
    assert stored(sql)["town-age-stats"] == todays
    assert current["meta"]["from_store"] is True


# Only changes an aggregate depends on make it stale --------------------------------------------


def test_a_change_no_aggregate_depends_on_leaves_both_served_from_the_store(queued, sql):
    import_id = create_import(queued, family())
    first = [read(queued, path.format(import_id)) for path in (BIRTHDAYS, PERCENTILES)]

    rename(queued, import_id, 1, "Анна")
    document = citizen_document(import_id, {"street": "Ленина"}, resource_id=f"{import_id}.2")
    assert queued.patch(f"/imports/{import_id}/citizens/2", json=document).status == 200
    again = [read(queued, path.format(import_id)) for path in (BIRTHDAYS, PERCENTILES)]

    assert data_version(sql, import_id) == 3
    for before, after in zip(first, again, strict=True):
        assert after["meta"]["from_store"] is True
        assert after["meta"]["data_version"] == 1  # what it was computed from: still right
        assert after["data"] == before["data"]


@pytest.mark.parametrize(
    "attributes, still_stored",
    [
        ({"town": "Керчь"}, "birthdays"),
        ({"birth_date": "1951-01-01"}, None),
        # The same birth date again, with a new name (as a client sends every attribute):
        ({"birth_date": "SAME", "name": "Анна"}, "both"),
    ],
)
def test_an_attribute_change_makes_stale_exactly_the_aggregates_that_depend_on_it(
    queued, sql, attributes, still_stored
):
    people = family()
    import_id = create_import(queued, people)
    for path in (BIRTHDAYS, PERCENTILES):
        read(queued, path.format(import_id))
    if attributes.get("birth_date") == "SAME":
        attributes["birth_date"] = people[0]["birth_date"]

    document = citizen_document(import_id, attributes, resource_id=f"{import_id}.1")
    assert queued.patch(f"/imports/{import_id}/citizens/1", json=document).status == 200
    served = {
        kind: read(queued, path.format(import_id))["meta"]["from_store"]
        for kind, path in (("birthdays", BIRTHDAYS), ("town-age-stats", PERCENTILES))
    }

    expected = {"birthdays", "town-age-stats"} if still_stored == "both" else {still_stored}
    assert {kind for kind, from_store in served.items() if from_store} == expected - {None}


def test_changing_relatives_makes_only_birthdays_stale(queued, sql):
    import_id = create_import(queued, family())
    for path in (BIRTHDAYS, PERCENTILES):
        read(queued, path.format(import_id))

    relationship = f"/imports/{import_id}/citizens/1/relationships/relatives"
    assert queued.patch(relationship, json={"data": linkage(import_id, [])}).status == 204

    assert read(queued, BIRTHDAYS.format(import_id))["meta"]["from_store"] is False
    assert read(queued, PERCENTILES.format(import_id))["meta"]["from_store"] is True


# A recompute in flight is waited for, not repeated ------------------------------------------------


def test_a_read_that_finds_a_recompute_in_flight_waits_and_serves_its_result(
    queued, sql, database_url
):
    import_id = create_import(queued, family())
    computed = read(queued, BIRTHDAYS.format(import_id))
    computed_at = computed["meta"]["computed_at"]
    with psycopg.connect(libpq_url(database_url)) as other:
        # Another process holds the (import, birthdays) lock, about to store what it computed.
        other.execute("DELETE FROM stored_aggregates WHERE import_id = %s", (import_id,))
        other.commit()
        other.execute("SELECT pg_advisory_xact_lock(%s, 1)", (import_id,))
        reader = ThreadPoolExecutor(1).submit(read, queued, BIRTHDAYS.format(import_id))
        time.sleep(0.5)
        assert not reader.done()  # it waits for the lock rather than computing
        other.execute(
            "INSERT INTO stored_aggregates (import_id, kind, data_version, computed_at, document)"
            " VALUES (%s, 'birthdays', 1, %s, %s)",
            (import_id, computed_at, orjson.dumps(computed["data"]["attributes"]["months"])),
        )
        other.commit()  # stored, and the lock goes with the transaction
        served = reader.result(timeout=10)

    assert served["meta"]["from_store"] is True
    assert served["meta"]["computed_at"] == computed_at
