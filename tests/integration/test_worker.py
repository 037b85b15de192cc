"""A real Celery worker recomputes the stored aggregates in the background.

One worker process (prefork, one child) serves the module, on Redis database 13; it builds its
own app from the environment, on the test database. Writes go through apps built with the same
REDIS_URL. No beat runs: a recompute happens because a write (or an explicit sweep) queued it.
"""

import time
from datetime import UTC, datetime

import orjson
import psycopg
import pytest

from app.tasks import sweep_stale_aggregates
from harness.broker import broker_idle, broker_url, empty_broker, unacknowledged_ages
from harness.database import libpq_url
from harness.processes import CeleryWorker, service_env, wait_for
from tests.factories import citizen_document, family_of_four_born_on_1_january
from tests.integration.actions import create_import
from tests.integration.recomputation import (
    assert_kinship_mutual,
    assert_served_aggregates_match_the_rows,
    assert_stored_aggregates_match_the_rows,
    getter_of,
    kinship_pairs,
)
from tests.integration.stored import AGGREGATE_KINDS, versions

pytestmark = pytest.mark.slow  # a real worker process serves the module

BROKER_DB = 13
VISIBILITY_TIMEOUT = 2  # seconds before Redis hands a dead worker's task to the next worker
UNREACHABLE_BROKER = "redis://127.0.0.1:1/0"


def months(**entries: list[dict]) -> dict:
    """All twelve months, empty unless given as m1=..., m12=..."""
    return {str(m): entries.get(f"m{m}", []) for m in range(1, 13)}


def ages_from(*years: int) -> list[int]:
    return [datetime.now(UTC).year - year for year in years]


def wait_until_stored(sql, version: int, import_id: int = 1, timeout: float = 30) -> None:
    """Wait for both stored aggregates of the import to reach `version` (no GET involved)."""

    def reached():
        current, stored = versions(sql, import_id)
        assert current == version, f"the import moved on to version {current}"
        return stored == dict.fromkeys(AGGREGATE_KINDS, version)

    wait_for(reached, f"both stored aggregates of import {import_id} at version {version}", timeout)


def waiting_on_a_lock(sql) -> bool:
    """Whether one session of the test database waits on a lock while writing the store."""
    return sql(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
        " AND wait_event_type = 'Lock' AND query ILIKE '%stored_aggregates%'"
    ) == [(1,)]


def stored_document(sql, kind: str, import_id: int = 1):
    rows = sql(
        "SELECT document FROM stored_aggregates WHERE import_id = :i AND kind = :k",
        i=import_id,
        k=kind,
    )
    return orjson.loads(rows[0][0])


def give_citizen_4_relative_3(client):
    """A change to both aggregates: 4 gains relative 3 (and 3 gains 4), and moves to Керчь."""
    document = citizen_document(1, {"town": "Керчь"}, relatives=[3], resource_id="1.4")
    return client.patch("/imports/1/citizens/4", json=document)


AFTER_CHANGE_MONTHS = months(
    m1=[
        {"citizen_id": 1, "presents": 1},
        {"citizen_id": 2, "presents": 1},
        {"citizen_id": 3, "presents": 2},
        {"citizen_id": 4, "presents": 1},
    ]
)


def after_change_percentiles() -> list[dict]:
    kerch = sorted(ages_from(2000, 1970))  # citizens 3 and 4
    moscow = sorted(ages_from(1990, 1980))  # citizens 1 and 2
    return [
        {"town": "Керчь", **percentiles_of_two(*kerch)},
        {"town": "Москва", **percentiles_of_two(*moscow)},
    ]


def percentiles_of_two(low: int, high: int) -> dict:
    """Linear interpolation between two ages: p = low + (high - low) * p / 100."""
    return {f"p{p}": round(low + (high - low) * p / 100, 2) for p in (50, 75, 99)}


@pytest.fixture(scope="module")
def worker_broker():
    """Redis database BROKER_DB, empty before the worker starts and after it stops. Not the
    shared `broker`: that one is emptied around each test, under a worker that keeps running."""
    with empty_broker(broker_url(BROKER_DB)) as client:
        yield client


@pytest.fixture(scope="module")
def worker(database_url, worker_broker, tmp_path_factory):
    log = tmp_path_factory.mktemp("worker") / "worker.log"
    env = service_env(
        database_url, broker_url(BROKER_DB), BROKER_VISIBILITY_TIMEOUT=VISIBILITY_TIMEOUT
    )
    with CeleryWorker(env, log) as process:
        yield process


@pytest.fixture
def running_worker(worker, worker_broker):
    """The module's worker, running, with nothing queued or in flight before and after."""
    if not worker.running:
        worker.start()
    wait_for(lambda: broker_idle(worker_broker), "an idle broker before the test")
    yield worker
    if worker.running:
        wait_for(lambda: broker_idle(worker_broker), "an idle broker after the test")


def test_a_write_is_recomputed_in_the_background_without_any_read(
    running_worker, editor_for_broker, worker_broker, sql
):
    editor = editor_for_broker(broker_url(BROKER_DB))
    create_import(editor, family_of_four_born_on_1_january())
    wait_until_stored(sql, version=1)
    wait_for(lambda: broker_idle(worker_broker), "the first recompute to be acknowledged")

    assert give_citizen_4_relative_3(editor).status == 200

    wait_until_stored(sql, version=2)
    assert stored_document(sql, "birthdays") == AFTER_CHANGE_MONTHS
    assert stored_document(sql, "town-age-stats") == after_change_percentiles()
    served = editor.get("/imports/1/citizens/birthdays").body["meta"]
    assert (served["from_store"], served["data_version"]) == (True, 2)


@pytest.mark.faults
def test_a_worker_killed_mid_task_loses_no_recompute(
    running_worker, editor_for_broker, worker_broker, sql, database_url
):
    editor = editor_for_broker(broker_url(BROKER_DB))
    create_import(editor, family_of_four_born_on_1_january())
    wait_until_stored(sql, version=1)
    wait_for(lambda: broker_idle(worker_broker), "the first recompute to be acknowledged")

    with psycopg.connect(libpq_url(database_url)) as blocker:
        blocker.execute("SELECT 1 FROM stored_aggregates WHERE import_id = 1 FOR UPDATE")
        assert give_citizen_4_relative_3(editor).status == 200
        wait_for(lambda: waiting_on_a_lock(sql), "the recompute to wait on the locked rows")
        running_worker.kill()
        blocker.rollback()

    ages = wait_for(lambda: unacknowledged_ages(worker_broker), "the task to stay unacknowledged")
    assert len(ages) == 1
    wait_for(
        lambda: min(unacknowledged_ages(worker_broker)) > VISIBILITY_TIMEOUT,
        "the visibility timeout to pass",
        timeout=VISIBILITY_TIMEOUT + 5,
    )
    # The killed task stored nothing.
    assert versions(sql) == (2, dict.fromkeys(AGGREGATE_KINDS, 1))
    running_worker.start()

    wait_until_stored(sql, version=2)
    assert stored_document(sql, "birthdays") == AFTER_CHANGE_MONTHS
    # The accepted write is all there, and so is every aggregate, stored and served.
    assert sql("SELECT town FROM citizens WHERE import_id = 1 AND citizen_id = 4") == [("Керчь",)]
    assert {(3, 4), (4, 3)} <= kinship_pairs(sql, 1)
    assert_kinship_mutual(sql, 1)
    assert assert_stored_aggregates_match_the_rows(sql, 1) == set(AGGREGATE_KINDS)
    served = assert_served_aggregates_match_the_rows(getter_of(editor), sql, 1)
    assert [meta["from_store"] for meta in served] == [True, True]


@pytest.mark.faults
def test_a_write_during_a_broker_outage_succeeds_and_the_sweep_catches_up(
    running_worker, editor_for_broker, worker_broker, sql
):
    cut_off = editor_for_broker(UNREACHABLE_BROKER)
    create_import(cut_off, family_of_four_born_on_1_january())

    started = time.monotonic()
    reply = give_citizen_4_relative_3(cut_off)
    elapsed = time.monotonic() - started

    assert reply.status == 200, reply.body
    assert elapsed < 5  # a hang guard, not a speed check
    body = cut_off.get("/imports/1/citizens/birthdays").body
    assert (body["meta"]["from_store"], body["meta"]["data_version"]) == (False, 2)
    assert body["data"]["attributes"]["months"] == AFTER_CHANGE_MONTHS
    assert versions(sql) == (2, {"birthdays": 2})  # the read stored birthdays only
    assert broker_idle(worker_broker)

    reconnected = editor_for_broker(
        broker_url(BROKER_DB)
    )  # built last: its Celery app is the current one
    with reconnected.flask.application.app_context():
        assert sweep_stale_aggregates() == 1

    wait_until_stored(sql, version=2)
    assert stored_document(sql, "town-age-stats") == after_change_percentiles()
