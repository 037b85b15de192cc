"""Fixtures for HTTP tests: an import already stored."""

import pytest

from tests.factories import family, import_document


@pytest.fixture
def make_import(client):
    def make(citizens=None) -> int:
        reply = client.post(
            "/imports", json=import_document(family() if citizens is None else citizens)
        )
        assert reply.status == 201, reply.body
        return int(reply.body["data"]["id"])

    return make
