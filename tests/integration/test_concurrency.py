"""Concurrent writes: serialised per import, never blocked across imports, always mutual."""

import threading
from concurrent.futures import ThreadPoolExecutor

import psycopg
import pytest
import requests
from werkzeug.serving import make_server

from tests.factories import citizen, linkage

HEADERS = {"Content-Type": "application/vnd.api+json", "Accept": "application/vnd.api+json"}


@pytest.fixture
def server(app, tokens):
    """The app on a real threaded HTTP server, so requests truly run at the same time."""
    http = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    HEADERS["Authorization"] = f"Bearer {tokens['editor']}"
    yield f"http://127.0.0.1:{http.server_port}"
    http.shutdown()
    thread.join()


def patch_relatives(base: str, import_id: int, citizen_id: int, relatives: list[int]) -> int:
    url = f"{base}/imports/{import_id}/citizens/{citizen_id}/relationships/relatives"
    body = {"data": linkage(import_id, relatives)}
    return requests.patch(url, json=body, headers=HEADERS, timeout=30).status_code


def test_concurrent_kinship_changes_in_one_import_all_succeed_and_stay_mutual(
    server, make_import, sql
):
    make_import([citizen(n) for n in range(1, 21)])
    jobs = [(c, [(c + k) % 20 + 1 for k in range(1, 4)]) for c in range(1, 21)] * 3

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(lambda job: patch_relatives(server, 1, *job), jobs))

    assert statuses == [204] * len(jobs)
    rows = set(sql("SELECT citizen_id, relative_id FROM kinship"))
    assert rows and all((r, c) in rows for c, r in rows)
    version = sql("SELECT data_version FROM imports WHERE id = 1")[0][0]
    assert version == 1 + len(jobs)  # every write committed exactly once, none lost


def test_writes_to_one_import_wait_for_its_lock_but_other_imports_do_not(
    server, make_import, database_url
):
    make_import([citizen(1), citizen(2)])
    make_import([citizen(1), citizen(2)])
    dsn = database_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(dsn) as holder:
        holder.execute("SELECT id FROM imports WHERE id = 1 FOR UPDATE")
        with ThreadPoolExecutor(max_workers=1) as pool:
            blocked = pool.submit(patch_relatives, server, 1, 1, [2])
            assert patch_relatives(server, 2, 1, [2]) == 204  # import 2 is not locked
            assert not blocked.done()  # import 1's writer waits for the lock
            holder.rollback()
            assert blocked.result(timeout=30) == 204
