"""Fixtures for HTTP tests: an import already stored, and apps with other settings."""

import pytest

from app import create_app
from app.extensions import db
from tests.factories import family, import_document
from tests.integration.worker_process import close_mark_client, use_celery_of
from tests.jsonapi_client import JsonApiClient
from tests.robustness.seed import Snapshot, restore_snapshot, seed_and_snapshot


@pytest.fixture
def make_import(client):
    def make(citizens=None) -> int:
        reply = client.post(
            "/imports", json=import_document(family() if citizens is None else citizens)
        )
        assert reply.status == 201, reply.body
        return int(reply.body["data"]["id"])

    return make


@pytest.fixture
def client_with(database_url, app, tokens):
    """Build a JSON:API client for an app with extra configuration (`app` empties the tables)."""
    built = []

    def make(**config) -> JsonApiClient:
        custom = create_app("testing", {"SQLALCHEMY_DATABASE_URI": database_url, **config})
        built.append(custom)
        return JsonApiClient(custom.test_client(), tokens["editor"])

    yield make
    for custom in built:
        with custom.app_context():
            db.engine.dispose()


@pytest.fixture
def editor_for_broker(app, client_with):
    """Build editors of apps with a given REDIS_URL; `app`'s Celery is current again after."""
    built = []

    def build(redis_url: str):
        editor = client_with(REDIS_URL=redis_url)
        built.append(editor.flask.application)
        return editor

    yield build
    for flask_app in built:
        close_mark_client(flask_app)
    use_celery_of(app)


@pytest.fixture(scope="module")
def seed_snapshot(app, tokens) -> Snapshot:
    """Seeding through the API takes a quarter of a second: once per module, then snapshots."""
    return seed_and_snapshot(app, tokens)


@pytest.fixture
def seeded(app, seed_snapshot):
    """The seeded data in the tables, and how to put it back."""
    restore_snapshot(app, seed_snapshot)
    return lambda: restore_snapshot(app, seed_snapshot)
