"""Faults the service must survive: the broker stops and comes back; PostgreSQL restarts under load.

(A worker killed mid-task is test_worker.py's.) Each fault strikes servers of the test's own
(harness.servers), never the shared ones, and each test ends as the reliability issue asks:
every write the client was told was accepted is in the database, kinship is mutual, and every
aggregate served, or stored as current, equals a recomputation from the rows. Run with -s to
see each fault's figures.
"""

import logging
import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import psycopg
import pytest
import requests
from sqlalchemy import text
from werkzeug.serving import make_server

from app import create_app
from app.extensions import db
from harness.broker import use_celery_of
from harness.database import ThrowawayDatabase, create_token
from harness.expected import ExpectedImport
from harness.processes import CeleryWorker, service_env, wait_for
from harness.servers import ThrowawayPostgres, ThrowawayRedis
from tests.conftest import ADMIN_URL
from tests.factories import citizen, import_document
from tests.integration.accepted_writes import Write
from tests.integration.actions import create_import
from tests.integration.fault_load import LoadClient, Outcome, citizens_of
from tests.integration.recomputation import (
    assert_kinship_mutual,
    assert_served_aggregates_match_the_rows,
    assert_stored_aggregates_match_the_rows,
    getter_of,
)
from tests.integration.stored import AGGREGATE_KINDS, sql_reader, stored_as_current, versions
from tests.jsonapi_client import MEDIA_TYPE


def report(line: str) -> None:
    """Print a fault's figures for whoever runs the module with -s."""
    print(f"\n[faults] {line}")


# --- the broker stops and comes back ---------------------------------------------------------

SWEEP_EVERY = 1  # seconds between the embedded beat's sweeps (production: a minute)
BROKER_DOWN_SECONDS = 3  # long enough for the worker to fail at least one reconnection
WRITE_HANG_GUARD = 5  # seconds; a write that waits longer on a dead broker hangs
RECONNECT_SECONDS = 30  # Celery retries its broker connection at 2, 4, 6... s intervals


def broker_family() -> list[dict]:
    return [
        citizen(1, [2], birth_date="1990-03-01", town="Москва"),
        citizen(2, [1, 3], birth_date="1985-07-15", town="Москва"),
        citizen(3, [2], birth_date="2001-11-30", town="Керчь"),
        citizen(4, [4], birth_date="1970-01-20", town="Керчь"),
        citizen(5, [], birth_date="1999-05-05", town="Тверь"),
        citizen(6, [], birth_date="1962-09-09", town="Тверь"),
    ]


# Every kind of change to both aggregates: moves between towns, new birth months, kinship
# gained, lost and replaced, self-kinship dropped and gained.
WRITES_WHILE_THE_BROKER_IS_DOWN = (
    Write(5, attributes={"town": "Москва", "birth_date": "1999-12-31"}),
    Write(5, relatives=(1, 6)),
    Write(1, attributes={"birth_date": "1990-08-08"}),
    Write(2, relatives=(3,)),
    Write(4, relatives=()),
    Write(6, attributes={"town": "Керчь", "name": "Петров Пётр"}),
)
LAST_WRITE_WHILE_DOWN = Write(3, relatives=(2, 4, 3))
WRITE_AFTER_THE_BROKER_IS_BACK = Write(4, attributes={"birth_date": "1971-02-02"})


def connections_made(worker: CeleryWorker) -> int:
    """How many times the worker has connected to the broker (Celery logs each connection)."""
    return worker.log().count("Connected to redis://")


@pytest.fixture
def broker_server(tmp_path):
    """A Redis server of the test's own, to stop and start (not the shared Redis of `broker`)."""
    with ThrowawayRedis(tmp_path) as server:
        yield server


@pytest.fixture
def worker_with_beat(database_url, broker_server, tmp_path):
    env = service_env(database_url, broker_server.url, SWEEP_INTERVAL_SECONDS=SWEEP_EVERY)
    with CeleryWorker(env, tmp_path / "worker.log", beat=True) as process:
        yield process


@pytest.fixture
def queue_failures(caplog):
    """The writing app's "could not queue a recompute" warnings (`app` logs do not propagate,
    and each app built replaces the `app` logger's handlers: so on the module that queues)."""
    logger = logging.getLogger("app.receivers")
    logger.addHandler(caplog.handler)

    def failures() -> list[logging.LogRecord]:
        return [r for r in caplog.records if r.getMessage().startswith("Could not queue")]

    yield failures
    logger.removeHandler(caplog.handler)


@pytest.mark.slow
@pytest.mark.faults
def test_writes_go_on_while_the_broker_is_down_and_the_sweep_catches_up_once_it_is_back(
    broker_server, worker_with_beat, editor_for_broker, queue_failures, sql
):
    editor = editor_for_broker(broker_server.url)
    citizens = broker_family()
    import_id = create_import(editor, citizens)
    expected = ExpectedImport.from_import(import_id, citizens)
    wait_for(lambda: stored_as_current(sql, import_id), "the import's first recompute")
    connected_before = connections_made(worker_with_beat)

    def write(change: Write) -> float:
        path, document = change.request(import_id)
        started = time.monotonic()
        reply = editor.patch(path, json=document)
        elapsed = time.monotonic() - started
        assert reply.status in (200, 204), reply.body
        assert elapsed < WRITE_HANG_GUARD
        change.accepted(expected)
        return elapsed

    broker_server.stop()
    stopped_at = time.monotonic()
    slowest = max(write(change) for change in WRITES_WHILE_THE_BROKER_IS_DOWN)
    # Reads meanwhile compute what the store lacks, on the spot, from the committed rows.
    served = assert_served_aggregates_match_the_rows(getter_of(editor), sql, import_id)
    assert [meta["from_store"] for meta in served] == [False, False]
    slowest = max(slowest, write(LAST_WRITE_WHILE_DOWN))
    accepted_while_down = expected.changing_writes
    assert len(queue_failures()) == accepted_while_down  # each met the outage; none failed on it
    current, stored = versions(sql, import_id)
    assert all(version < current for version in stored.values())  # the store is behind
    time.sleep(max(0.0, stopped_at + BROKER_DOWN_SECONDS - time.monotonic()))

    broker_server.start()  # empty: the outage lost every mark and message the broker held
    back_at = time.monotonic()
    wait_for(
        lambda: connections_made(worker_with_beat) > connected_before,
        "the worker to reconnect to the broker",
        RECONNECT_SECONDS,
    )
    reconnected_after = time.monotonic() - back_at
    # Nothing but beat's sweep queues a recompute now: no write, no read since the outage.
    wait_for(lambda: stored_as_current(sql, import_id), "the sweep to bring the store up to date")
    caught_up_after = time.monotonic() - back_at
    assert assert_stored_aggregates_match_the_rows(sql, import_id) == set(AGGREGATE_KINDS)

    # The writing app's own broker connections are usable again at once: no failure to queue.
    write(WRITE_AFTER_THE_BROKER_IS_BACK)
    assert len(queue_failures()) == accepted_while_down
    wait_for(lambda: stored_as_current(sql, import_id), "the recompute of the last write")

    expected.assert_present(sql)
    assert_kinship_mutual(sql, import_id)
    assert assert_stored_aggregates_match_the_rows(sql, import_id) == set(AGGREGATE_KINDS)
    served = assert_served_aggregates_match_the_rows(getter_of(editor), sql, import_id)
    assert [meta["from_store"] for meta in served] == [True, True]
    report(
        f"broker down {back_at - stopped_at:.1f} s: {accepted_while_down} writes accepted "
        f"meanwhile (slowest {slowest * 1000:.0f} ms), none lost; the worker reconnected "
        f"{reconnected_after:.1f} s and the sweep caught up {caught_up_after:.1f} s after the "
        "broker was back"
    )


# --- PostgreSQL restarts under load ----------------------------------------------------------

CLIENTS = 6
LOAD_BEFORE, DOWN_SECONDS, LOAD_AFTER = 1.5, 1.0, 3.0
GIVE_UP_SECONDS = 20  # a write still refused this long after the load ends fails the test
ANSWERS_AFTER_PER_CLIENT = 3  # to judge the pool, each client must have used it after the fault


class ServedApp:
    """The app on its own PostgreSQL cluster behind a real threaded HTTP server."""

    def __init__(self, postgres: ThrowawayPostgres, flask_app, base: str, token: str):
        self.postgres = postgres
        self.flask_app = flask_app
        self.base = base
        self.token = token
        self.sql = sql_reader(flask_app)
        self.headers = {
            "Accept": MEDIA_TYPE,
            "Content-Type": MEDIA_TYPE,
            "Authorization": f"Bearer {token}",
        }

    def get(self, path: str) -> dict:
        response = requests.get(self.base + path, headers=self.headers, timeout=10)
        assert response.status_code == 200, response.text
        return response.json()

    def pooled_connections(self) -> int:
        with self.flask_app.app_context():
            return db.engine.pool.checkedin()

    def load_clients(self, seeds: range) -> list[LoadClient]:
        """One client per seed, each with an import of its own."""
        clients = []
        for seed in seeds:
            citizens = citizens_of(random.Random(seed))
            response = requests.post(
                self.base + "/imports",
                json=import_document(citizens),
                headers=self.headers,
                timeout=30,
            )
            assert response.status_code == 201, response.text
            import_id = int(response.json()["data"]["id"])
            clients.append(LoadClient(self.base, self.token, import_id, citizens, seed))
        return clients


@pytest.fixture(scope="module")
def own_postgres():
    server = ThrowawayPostgres()
    try:
        server.create()
        server.start()
        yield server
    finally:
        server.remove()


@pytest.fixture(scope="module")
def served_app(own_postgres, app):
    """The app migrated onto the throwaway cluster; tasks run in-process, so the recomputes
    after each write meet the outage too (`app`: to make its Celery current again after)."""
    url = ThrowawayDatabase(own_postgres.admin_url, name="citizens").create()
    token = create_token(url, "faults-editor", "editor")
    flask_app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": url, "REDIS_URL": ""})
    http = make_server("127.0.0.1", 0, flask_app, threaded=True)
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    try:
        yield ServedApp(own_postgres, flask_app, f"http://127.0.0.1:{http.server_port}", token)
    finally:
        http.shutdown()
        thread.join()
        with flask_app.app_context():
            db.engine.dispose()  # before the cluster goes
        use_celery_of(app)


def run_clients(clients: list[LoadClient], during) -> None:
    """Run every client until `during()` returns (the fault script), then wait for them."""
    stop = threading.Event()
    give_up_at = time.monotonic() + GIVE_UP_SECONDS
    with ThreadPoolExecutor(len(clients)) as pool:
        runs = [pool.submit(client.run, stop, give_up_at) for client in clients]
        try:
            during()
        finally:
            stop.set()
        for run in runs:
            run.result()


def describe(outcomes: list[Outcome]) -> str:
    return "\n".join(f"{o.method} {o.path}: {o.status} {o.problem or ''}" for o in outcomes[:5])


def assert_no_unacceptable_answer(outcomes: list[Outcome]) -> None:
    unacceptable = [o for o in outcomes if o.problem]
    assert not unacceptable, f"{len(unacceptable)} unacceptable answers:\n{describe(unacceptable)}"


def assert_every_accepted_write_and_aggregate(served_app: ServedApp, clients) -> None:
    for client in clients:
        import_id, sql = client.import_id, served_app.sql
        # Also the version: each accepted write bumped it once; a refused one at most once, if it
        # had committed before its connection died. More would be a write applied twice.
        client.expected.assert_present(sql)
        assert_kinship_mutual(sql, import_id)
        assert_stored_aggregates_match_the_rows(sql, import_id)
        assert_served_aggregates_match_the_rows(served_app.get, sql, import_id)


@pytest.mark.slow
@pytest.mark.faults
def test_postgresql_restarting_under_load_costs_only_503s_and_the_pool_recovers(served_app):
    postgres = served_app.postgres
    clients = served_app.load_clients(range(CLIENTS))
    moments = {}

    def stop_and_start_postgresql() -> None:
        time.sleep(LOAD_BEFORE)
        moments["stopped"] = time.monotonic()
        postgres.stop()  # what `pg_ctl restart -m fast` does, with the server kept down a while
        time.sleep(DOWN_SECONDS)
        postgres.start()
        wait_for(postgres.ready, "pg_isready to say PostgreSQL accepts connections")
        moments["ready"] = time.monotonic()
        time.sleep(LOAD_AFTER)

    run_clients(clients, stop_and_start_postgresql)

    stopped_at, ready_at = moments["stopped"], moments["ready"]
    outcomes = [outcome for client in clients for outcome in client.outcomes]
    assert_no_unacceptable_answer(outcomes)
    before = [o for o in outcomes if o.finished < stopped_at]
    assert before and all(o.ok for o in before)
    refused = [o for o in outcomes if o.status == 503]
    assert refused, "no request met the outage: the fault did not strike"
    # The pool recovered: not one request sent after PostgreSQL was back failed.
    for client in clients:
        after = [o for o in client.outcomes if o.started >= ready_at]
        assert len(after) >= ANSWERS_AFTER_PER_CLIENT, "too few requests after the restart"
        assert all(o.ok for o in after), describe([o for o in after if not o.ok])
    assert_every_accepted_write_and_aggregate(served_app, clients)

    after = [o for o in outcomes if o.started >= ready_at]
    first_refused = min(o.started for o in refused) - stopped_at
    last_refused = max(o.finished for o in refused) - ready_at
    first_answer = min(o.finished for o in after) - ready_at
    report(
        f"PostgreSQL down {ready_at - stopped_at:.1f} s under {CLIENTS} clients: "
        f"{len(outcomes)} requests, {sum(c.expected.changing_writes for c in clients)} writes "
        f"accepted; {len(refused)} JSON:API 503s "
        f"({sum(c.expected.refused_writes for c in clients)} to writes, "
        f"sent again until accepted), the first {first_refused:+.2f} s from the stop, the last "
        f"{last_refused:+.2f} s from pg_isready; first answer {first_answer * 1000:.0f} ms after "
        f"pg_isready, then {len(after)} requests without an error"
    )


@pytest.mark.slow
@pytest.mark.faults
def test_connections_a_restart_ended_while_idle_are_replaced_before_any_request_uses_them(
    served_app,
):
    """No request meets this restart, so no error marks the pool's connections dead; only
    checking each one before use (pool_pre_ping) keeps the first requests after it from failing.
    """
    clients = served_app.load_clients(range(CLIENTS, 2 * CLIENTS))
    # Concurrent requests leave several connections in the pool, all of which the restart ends.
    run_clients(clients, lambda: time.sleep(0.5))
    pooled = served_app.pooled_connections()
    assert pooled > 1
    started = time.monotonic()
    served_app.postgres.restart()
    restarted_at = time.monotonic()

    run_clients(clients, lambda: time.sleep(1))

    outcomes = [outcome for client in clients for outcome in client.outcomes]
    assert_no_unacceptable_answer(outcomes)
    after = [o for o in outcomes if o.started >= restarted_at]
    assert len(after) >= CLIENTS * ANSWERS_AFTER_PER_CLIENT, "too few requests after the restart"
    assert all(o.ok for o in outcomes), describe([o for o in outcomes if not o.ok])
    assert_every_accepted_write_and_aggregate(served_app, clients)
    report(
        f"`pg_ctl restart -m fast` while idle took {restarted_at - started:.1f} s and ended "
        f"{pooled} pooled connections; {len(after)} requests after it, not one error"
    )


@pytest.mark.faults
def test_a_connection_ended_after_the_last_query_fails_neither_request_nor_task(app):
    """A fast shutdown can end a connection between a request's last query and the end of its
    app context, its read transaction still open; the session's teardown then cannot roll back.
    That must cost the finished answer nothing (it was a bare HTML 500); tasks end the same way.
    """
    with app.app_context():
        pid = db.session.execute(text("SELECT pg_backend_pid()")).scalar()
        with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
    # Leaving the context ran the session's teardown without raising; the pool moved on.
    with app.app_context():
        assert db.session.execute(text("SELECT 1")).scalar() == 1
