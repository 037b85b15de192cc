"""A write that changes nothing changes nothing: no version moves, no signal, no recompute, and
every ETag stays as it was (the contract's "Browsers, caching and editing conflicts")."""

import pytest

from harness.broker import queued_tasks
from tests.factories import family_of_four, linkage, restore_document
from tests.integration.actions import create_import
from tests.jsonapi_client import JsonApiClient

BROKER_DB = 14
RELATIONSHIP = "/citizens/1.1/relationships/relatives"
# Everything a client could have cached of import 1: its documents and their tags.
WATCHED = [
    "/imports/1",
    "/citizens/1.1",
    "/citizens/1.2",
    "/citizens/1.1?include=relatives",
    RELATIONSHIP,
    "/imports/1/citizens",
    "/imports/1/birthdays",
    "/imports/1/town-age-stats",
]


def citizen_as_read(client, resource_id: str) -> dict:
    """The document a client such as Ember Data sends back: every attribute and relationship."""
    resource = client.get(f"/citizens/{resource_id}").body["data"]
    relatives = resource["relationships"]["relatives"]["data"]
    return {
        "data": {
            "type": "citizens",
            "id": resource_id,
            "attributes": resource["attributes"],
            "relationships": {"relatives": {"data": relatives}},
        }
    }


def empty_patch(resource_type: str, resource_id: str) -> dict:
    return {"data": {"type": resource_type, "id": resource_id, "attributes": {}}}


# (role, method, path, document or a function of the client that builds it)
UNCHANGING_WRITES = {
    "an empty PATCH of a citizen": (
        "editor", "PATCH", "/citizens/1.1", empty_patch("citizens", "1.1")),
    "a citizen's own values sent back": (
        "editor", "PATCH", "/citizens/1.1", lambda client: citizen_as_read(client, "1.1")),
    "the same name again": (
        "editor", "PATCH", "/imports/1/citizens/4",
        lambda client: {"data": {"type": "citizens", "id": "1.4", "attributes": {
            "name": client.get("/citizens/1.4").body["data"]["attributes"]["name"]}}}),
    "the same relatives again": (
        "editor", "PATCH", RELATIONSHIP, {"data": linkage(1, [2])}),
    "adding a relative already there": (
        "editor", "POST", RELATIONSHIP, {"data": linkage(1, [2])}),
    "removing a citizen who is no relative": (
        "editor", "DELETE", RELATIONSHIP, {"data": linkage(1, [3, 4])}),
    "restoring a live citizen": (
        "admin", "PATCH", "/citizens/1.1?with_trashed=true", restore_document(1, 1)),
    "restoring a live import": (
        "admin", "PATCH", "/imports/1?with_trashed=true", restore_document(1)),
    "an empty PATCH of an import": (
        "editor", "PATCH", "/imports/1", empty_patch("imports", "1")),
}  # fmt: skip


def state(client, sql) -> tuple:
    """The stored versions and what each watched URL answers, with its ETag."""
    versions = (
        sql("SELECT data_version FROM imports"),
        sql("SELECT citizen_id, version FROM citizens ORDER BY citizen_id"),
    )
    answers = {}
    for path in WATCHED:
        reply = client.get(path)
        answers[path] = (reply.status, reply.headers.get("ETag"), reply.body)
    return versions, answers


def send(clients: dict, role: str, method: str, path: str, document) -> None:
    client = clients[role]
    if callable(document):
        document = document(client)
    reply = client.request(method, path, json=document)
    assert reply.status in (200, 204), reply.body


@pytest.mark.parametrize("write", UNCHANGING_WRITES.values(), ids=UNCHANGING_WRITES.keys())
def test_a_write_that_changes_nothing_moves_no_version_and_sends_no_signal(
    client, admin, make_import, sql, sent, write
):
    make_import(family_of_four())
    before = state(client, sql)
    sent.clear()

    send({"editor": client, "admin": admin}, *write)

    assert sent == []
    assert state(client, sql) == before


@pytest.mark.parametrize("write", UNCHANGING_WRITES.values(), ids=UNCHANGING_WRITES.keys())
def test_a_write_that_changes_nothing_queues_no_recompute(queued, broker, tokens, write):
    create_import(queued, family_of_four())
    broker.flushdb()  # the import's own recompute and its mark

    admin = JsonApiClient(queued.flask, tokens["admin"])
    send({"editor": queued, "admin": admin}, *write)

    assert queued_tasks(broker) == []


def test_a_write_that_changes_something_still_moves_the_versions_it_changes(
    client, make_import, sql
):
    """The control: the same kind of write with a new value moves exactly its versions."""
    make_import(family_of_four())

    reply = client.post(RELATIONSHIP, json={"data": linkage(1, [4])})

    assert reply.status == 204
    assert sql("SELECT data_version FROM imports") == [(2,)]
    assert sql("SELECT citizen_id, version FROM citizens ORDER BY 1") == [
        (1, 2), (2, 1), (3, 1), (4, 2),
    ]  # fmt: skip
