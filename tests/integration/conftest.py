"""Fixtures for HTTP tests: an import already stored, and apps with other settings."""

import pytest

from app import create_app
from app.extensions import db
from tests.factories import family, import_document
from tests.jsonapi_client import JsonApiClient


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
