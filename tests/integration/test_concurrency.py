"""Concurrent writes: serialised per import, never blocked across imports, never lost.

Requests run on a real threaded HTTP server, so they truly overlap inside the service and in
PostgreSQL. Every test ends by checking the rows: kinship mutual, every accepted write present,
aggregates equal to a recomputation from the rows.
"""

import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import psycopg
import pytest
import requests
from werkzeug.serving import make_server

from tests.factories import citizen, citizen_document, import_document, linkage
from tests.integration.recomputation import (
    assert_kinship_mutual,
    assert_served_aggregates_match_the_rows,
    getter_of,
)
from tests.integration.stored import data_version, kinship_rows

# A real threaded server and overlapping transactions: some 10 s for the module.
pytestmark = pytest.mark.slow

MEDIA_TYPE = "application/vnd.api+json"
CLIENTS = 8


class Http:
    """A client of the live server: one session per thread, JSON:API headers, an editor's token."""

    def __init__(self, base: str, token: str):
        self.base = base
        self.headers = {
            "Content-Type": MEDIA_TYPE,
            "Accept": MEDIA_TYPE,
            "Authorization": f"Bearer {token}",
        }
        self.local = threading.local()

    def request(self, method: str, path: str, body=None) -> requests.Response:
        session = getattr(self.local, "session", None)
        if session is None:
            session = self.local.session = requests.Session()
        return session.request(
            method, self.base + path, json=body, headers=self.headers, timeout=60
        )


@pytest.fixture
def http(app, tokens):
    """The app on a real threaded HTTP server."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield Http(f"http://127.0.0.1:{server.server_port}", tokens["editor"])
    server.shutdown()
    thread.join()


def relatives_path(import_id: int, citizen_id: int) -> str:
    return f"/imports/{import_id}/citizens/{citizen_id}/relationships/relatives"


def patch_relatives(http: Http, import_id: int, citizen_id: int, relatives) -> int:
    body = {"data": linkage(import_id, relatives)}
    return http.request("PATCH", relatives_path(import_id, citizen_id), body).status_code


def assert_counts_match_rows(client, sql, import_id: int) -> None:
    """The import's citizens_count and data_version, as served, equal what the rows say."""
    attributes = client.get(f"/imports/{import_id}").body["data"]["attributes"]
    live = sql(
        "SELECT count(*) FROM citizens WHERE import_id = :i AND deleted_at IS NULL", i=import_id
    )[0][0]
    assert (attributes["citizens_count"], attributes["data_version"]) == (
        live,
        data_version(sql, import_id),
    )


def test_concurrent_kinship_changes_in_one_import_all_succeed_and_stay_mutual(
    http, make_import, sql, client
):
    make_import([citizen(n) for n in range(1, 21)])
    jobs = [(c, [(c + k) % 20 + 1 for k in range(1, 4)]) for c in range(1, 21)] * 3

    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        statuses = list(pool.map(lambda job: patch_relatives(http, 1, *job), jobs))

    assert statuses == [204] * len(jobs)
    assert_kinship_mutual(sql, 1)
    # A write that found the relatives already as asked changed nothing and bumped nothing.
    assert 1 + len(jobs) // 3 <= data_version(sql, 1) <= 1 + len(jobs)
    assert_served_aggregates_match_the_rows(getter_of(client), sql, 1)


def test_concurrent_additions_in_one_import_each_commit_exactly_once(
    http, make_import, sql, client
):
    make_import([citizen(n) for n in range(1, 31)])
    # Every pair once: each write adds a relative nobody else adds, so each changes something.
    jobs = [(c, r) for c in range(1, 31) for r in range(c + 1, 31) if (c + r) % 7 == 0]

    def add(job) -> int:
        body = {"data": linkage(1, [job[1]])}
        return http.request("POST", relatives_path(1, job[0]), body).status_code

    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        statuses = list(pool.map(add, jobs))

    assert statuses == [204] * len(jobs)
    assert data_version(sql, 1) == 1 + len(jobs)  # every write committed exactly once, none lost
    assert kinship_rows(sql, 1) == sorted({*jobs, *((r, c) for c, r in jobs)})


def test_kinship_adds_removes_and_replacements_across_imports_at_once(
    http, make_import, sql, client
):
    for _ in range(3):
        make_import([citizen(n, birth_date=f"19{50 + n}-{n % 12 + 1:02}-01") for n in range(1, 31)])
    rng = random.Random(7)
    jobs = []
    for _ in range(150):
        import_id, citizen_id = rng.randint(1, 3), rng.randint(1, 30)
        relatives = rng.sample(range(1, 31), rng.randint(0, 4))
        jobs.append((rng.choice(["PATCH", "POST", "DELETE"]), import_id, citizen_id, relatives))

    def run(job) -> int:
        method, import_id, citizen_id, relatives = job
        body = {"data": linkage(import_id, relatives)}
        return http.request(method, relatives_path(import_id, citizen_id), body).status_code

    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        statuses = list(pool.map(run, jobs))

    assert statuses == [204] * len(jobs)
    for import_id in (1, 2, 3):
        assert_kinship_mutual(sql, import_id)
        writes = sum(1 for job in jobs if job[1] == import_id)
        assert data_version(sql, import_id) <= 1 + writes  # some changed nothing
        assert_counts_match_rows(client, sql, import_id)
        assert_served_aggregates_match_the_rows(getter_of(client), sql, import_id)


def test_many_imports_posted_at_once_are_all_stored_whole(http, sql):
    def family_of(size: int) -> list[dict]:
        # A chain 1-2, 3-4, ... so every import has kinship to keep mutual.
        return [citizen(n, [n + 1 if n % 2 else n - 1]) for n in range(1, size + 1)]

    sizes = [2 * (n % 5 + 1) * 10 for n in range(24)]

    def post(size: int) -> tuple[int, int]:
        reply = http.request("POST", "/imports", import_document(family_of(size)))
        return reply.status_code, int(reply.json()["data"]["id"])

    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        results = list(pool.map(post, sizes))

    assert [status for status, _ in results] == [201] * len(sizes)
    assert sorted(import_id for _, import_id in results) == list(range(1, len(sizes) + 1))
    stored = dict(sql("SELECT import_id, count(*) FROM citizens GROUP BY import_id"))
    pairs = dict(sql("SELECT import_id, count(*) FROM kinship GROUP BY import_id"))
    for (_, import_id), size in zip(results, sizes, strict=True):
        assert stored[import_id] == size and pairs[import_id] == size
        assert_kinship_mutual(sql, import_id)


def test_a_trash_racing_a_patch_of_the_same_citizen_leaves_one_consistent_outcome(
    http, make_import, sql, client
):
    rounds = 25
    make_import([citizen(n, [n + 1 if n % 2 else n - 1]) for n in range(1, 2 * rounds + 1)])
    for round_ in range(rounds):
        target, partner = 2 * round_ + 1, 2 * round_ + 2
        name = f"Переименован {round_}"
        start = threading.Barrier(3)

        def at_once(method, path, body=None, start=start):
            start.wait()
            return http.request(method, path, body).status_code

        with ThreadPoolExecutor(max_workers=3) as pool:
            trash = pool.submit(at_once, "DELETE", f"/imports/1/citizens/{target}")
            rename = pool.submit(
                at_once,
                "PATCH",
                f"/imports/1/citizens/{target}",
                citizen_document(1, {"name": name}, resource_id=f"1.{target}"),
            )
            kinship = pool.submit(
                at_once,
                "PATCH",
                relatives_path(1, partner),
                {"data": linkage(1, [target, partner])},
            )
        outcome = (trash.result(), rename.result(), kinship.result())

        assert outcome[0] == 204  # the trash always wins in the end
        assert outcome[1] in (200, 404) and outcome[2] in (204, 404), outcome
        stored_name = sql(
            "SELECT name FROM citizens WHERE import_id = 1 AND citizen_id = :c", c=target
        )[0][0]
        assert (stored_name == name) == (outcome[1] == 200)  # accepted means stored
        partner_relatives = {
            r
            for (r,) in sql(
                "SELECT relative_id FROM kinship WHERE import_id = 1 AND citizen_id = :c",
                c=partner,
            )
        }
        if outcome[2] == 204:
            assert partner_relatives == {target, partner}
        else:
            assert partner_relatives == {target}  # the original pair, untouched

    assert all(
        status == "trashed"
        for (status,) in sql(
            "SELECT CASE WHEN deleted_at IS NULL THEN 'live' ELSE 'trashed' END FROM citizens "
            "WHERE import_id = 1 AND citizen_id % 2 = 1"
        )
    )
    assert_kinship_mutual(sql, 1)
    assert_counts_match_rows(client, sql, 1)
    assert_served_aggregates_match_the_rows(getter_of(client), sql, 1)


def test_a_trashed_import_refuses_writes_that_raced_it_and_keeps_those_before(
    http, make_import, sql
):
    make_import([citizen(n) for n in range(1, 41)])
    start = threading.Barrier(CLIENTS)

    def write(citizen_id: int) -> int:
        start.wait()
        if citizen_id == 0:
            return http.request("DELETE", "/imports/1").status_code
        return patch_relatives(http, 1, citizen_id, [citizen_id + 20])  # disjoint pairs

    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        statuses = list(pool.map(write, [1, 2, 3, 0, 4, 5, 6, 7]))

    assert statuses[3] == 204
    accepted = [c for c, s in zip([1, 2, 3, None, 4, 5, 6, 7], statuses, strict=True) if s == 204]
    assert all(s in (204, 404) for s in statuses)
    stored = set(sql("SELECT citizen_id, relative_id FROM kinship WHERE import_id = 1"))
    expected = {(c, c + 20) for c in accepted if c} | {(c + 20, c) for c in accepted if c}
    assert stored == expected
    assert_kinship_mutual(sql, 1)


def test_writes_to_one_import_wait_for_its_lock_but_other_imports_do_not(
    http, make_import, database_url
):
    make_import([citizen(1), citizen(2)])
    make_import([citizen(1), citizen(2)])
    with psycopg.connect(dsn(database_url)) as holder:
        holder.execute("SELECT id FROM imports WHERE id = 1 FOR UPDATE")
        with ThreadPoolExecutor(max_workers=1) as pool:
            blocked = pool.submit(patch_relatives, http, 1, 1, [2])
            assert patch_relatives(http, 2, 1, [2]) == 204  # import 2 is not locked
            assert not blocked.done()  # import 1's writer waits for the lock
            holder.rollback()
            assert blocked.result(timeout=30) == 204


def dsn(database_url: str) -> str:
    return database_url.replace("postgresql+psycopg://", "postgresql://")


def wait_for_lock_waiter(watcher: psycopg.Connection, holder_pid: int) -> None:
    """Wait until a backend other than the holder is blocked on a lock."""
    for _ in range(500):
        waiting = watcher.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
            "AND datname = current_database() AND pid <> %s",
            (holder_pid,),
        ).fetchone()[0]
        if waiting:
            return
        time.sleep(0.01)
    raise AssertionError("the service never waited for the held lock")


def test_a_deadlock_is_retried_inside_the_service_and_never_reaches_the_client(
    http, make_import, sql, database_url
):
    make_import([citizen(1), citizen(2)])
    document = citizen_document(1, {"name": "После взаимной блокировки"}, resource_id="1.1")
    with (
        psycopg.connect(dsn(database_url), autocommit=True) as watcher,
        psycopg.connect(dsn(database_url)) as rival,
    ):
        # The rival locks the citizen first and the import second: the service's order reversed.
        # Its long deadlock_timeout makes PostgreSQL pick the service's transaction as the victim.
        rival.execute("SET deadlock_timeout = '20s'")
        rival.execute("SELECT 1 FROM citizens WHERE import_id = 1 AND citizen_id = 1 FOR UPDATE")
        with ThreadPoolExecutor(max_workers=1) as pool:
            patch = pool.submit(http.request, "PATCH", "/imports/1/citizens/1", document)
            wait_for_lock_waiter(watcher, rival.info.backend_pid)
            # The cycle closes. This returns only once the service's transaction, which held the
            # import's lock while it waited for the citizen, was aborted as the deadlock's victim
            # (the rival itself would be told of the deadlock only after 20 s, with an error).
            # pg_stat_database.deadlocks would say so too, but it is flushed lazily.
            rival.execute("SELECT 1 FROM imports WHERE id = 1 FOR UPDATE")
            # The service retries: its new transaction waits for the import the rival now holds.
            wait_for_lock_waiter(watcher, rival.info.backend_pid)
            assert not patch.done()
            rival.commit()
            reply = patch.result(timeout=30)

    assert reply.status_code == 200, reply.text
    assert (
        sql("SELECT name FROM citizens WHERE citizen_id = 1")[0][0] == "После взаимной блокировки"
    )
