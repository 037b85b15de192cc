"""Fixtures for HTTP tests: an import already stored, apps with other settings, and a broker."""

import json

import pytest

from app import create_app
from app.extensions import db
from harness.broker import broker_url, close_mark_client, empty_broker, use_celery_of
from tests.integration.actions import create_import
from tests.integration.stored import sql_reader
from tests.jsonapi_client import MEDIA_TYPE, JsonApiClient
from tests.robustness.checks import HostileRequest, send_and_check
from tests.robustness.endpoints import authorization
from tests.robustness.seed import SeededTables, Snapshot, seed_and_snapshot


@pytest.fixture
def make_import(client):
    """Store an import as the editor (tests/factories.py's family() unless told); its id."""

    def make(citizens=None) -> int:
        return create_import(client, citizens)

    return make


@pytest.fixture
def client_with(database_url, app, tokens):
    """Build an editor's client of an app with extra configuration (`app` empties the tables).

    create_app makes its Celery app the process's current one, so that tasks queued in-process
    would run in the built app's context, on its engine, after the test too: `app`'s Celery is
    made current again afterwards, and the built apps' connections are closed.
    """
    built = []

    def make(**config) -> JsonApiClient:
        custom = create_app("testing", {"SQLALCHEMY_DATABASE_URI": database_url, **config})
        built.append(custom)
        return JsonApiClient(custom.test_client(), tokens["editor"])

    yield make
    use_celery_of(app)
    for custom in built:
        close_mark_client(custom)
        with custom.app_context():
            db.engine.dispose()


@pytest.fixture
def editor_for_broker(client_with):
    """Build editors of apps with a given REDIS_URL (`client_with` cleans up after them)."""
    return lambda redis_url: client_with(REDIS_URL=redis_url)


@pytest.fixture
def broker(request):
    """A client of the Redis database the test's module owns (its `BROKER_DB`: one per module,
    harness/broker.py), emptied before and after the test, so it holds this test's tasks only."""
    with empty_broker(broker_url(request.module.BROKER_DB)) as client:
        yield client


@pytest.fixture
def queued(request, client_with, broker):
    """An editor of an app whose tasks go to the module's `broker`, where no worker consumes them,
    so what a write queued can be counted. The module's `QUEUED_CONFIG`, if any, is added to the
    app's configuration. (`client_with` makes `app`'s Celery current again afterwards.)"""
    config = getattr(request.module, "QUEUED_CONFIG", {})
    return client_with(REDIS_URL=broker_url(request.module.BROKER_DB), **config)


@pytest.fixture(scope="module")
def seed_snapshot(app, tokens) -> Snapshot:
    """Seeding through the API takes a quarter of a second: once per module, then snapshots."""
    return seed_and_snapshot(app, tokens)


@pytest.fixture(scope="module")
def seeded_tables(app, seed_snapshot) -> SeededTables:
    return SeededTables(app, sql_reader(app), seed_snapshot)


@pytest.fixture
def seeded(seeded_tables) -> SeededTables:
    """The seeded data in the tables (tests/robustness/seed.py); call it to put it back.

    The tables are not emptied before such a test (see `clean_tables`), and the seed is put back
    only if they no longer hold it.
    """
    seeded_tables.ensure()
    return seeded_tables


@pytest.fixture
def send_checked(app, sql, tokens, seeded):
    """Send one request as `role` (admin by default: it reaches the most) and check it whole,
    with tests/robustness/checks.py's `send_and_check`, against the seeded data.

    A successful write is undone at once, unless the test means to look at it (`keep`); what a
    kept write stored may then show in later replies.
    """
    kept = []

    def send_as(method, path, query="", headers=(), document=None, role="admin", keep=False):
        headers = (*authorization(tokens, role), *headers)
        body = None
        if document is not None:
            body = json.dumps(document, ensure_ascii=False).encode()
            headers += (("Content-Type", MEDIA_TYPE),)
        request = HostileRequest(method, path, query, headers, body)
        restore = (lambda: None) if keep else seeded
        reply = send_and_check(app, sql, request, restore, "\n".join(kept))
        if keep:
            kept.append(request.sent_text())
        return reply

    return send_as
