"""Soft deletes: restore, and trashed citizens named by new writes.

`client` is an editor (sees no trash), `admin` may ask for with_trashed, only_trashed and
permanent=true; tests/factories.py's four_in_two_towns() is the import most tests trash from.
"""

import pytest

from tests.factories import (
    citizen,
    citizen_attributes,
    citizen_document,
    four_in_two_towns,
    linkage,
    restore_document,
)
from tests.integration.actions import (
    import_attributes,
    linkage_ids,
    relatives,
    restore_citizen,
    restore_import,
    trash,
)
from tests.integration.stored import data_version, kinship_rows
from tests.robustness.seed import database_state

CITIZENS = "/imports/1/citizens"


def everything(client) -> dict:
    """What a caller sees of import 1: the import (less its version) and every citizen."""
    attributes = import_attributes(client)
    del attributes["data_version"]
    reply = client.get(f"{CITIZENS}?page[size]=0&include=relatives")
    assert reply.status == 200
    return {"import": attributes, "citizens": reply.body["data"], "meta": reply.body["meta"]}


# ---------------------------------------------------------------------------------------------
# Restore
# ---------------------------------------------------------------------------------------------


def test_restoring_an_import_brings_back_exactly_what_was_visible_before(
    client, admin, make_import, sql
):
    make_import(four_in_two_towns())
    trash(client, f"{CITIZENS}/2")
    visible = everything(client)
    trashed_citizen = admin.get(f"{CITIZENS}/2?with_trashed=true").body["data"]
    trash(client, "/imports/1")

    reply = restore_import(admin)

    assert reply.status == 200, reply.body
    assert reply.body["data"]["attributes"]["deleted_at"] is None
    assert everything(client) == visible
    assert client.get(f"{CITIZENS}/2").status == 404  # trashed before the import: stays trashed
    assert admin.get(f"{CITIZENS}/2?with_trashed=true").body["data"] == trashed_citizen
    assert kinship_rows(sql) == [(1, 2), (1, 3), (2, 1), (3, 1), (3, 3)]


def test_restoring_a_citizen_brings_back_exactly_its_kinship(client, admin, make_import, sql):
    make_import(
        [
            citizen(1, [2, 3]),
            citizen(2, [1, 2]),
            citizen(3, [1]),
            citizen(4, []),
        ]
    )
    visible = everything(client)
    rows = kinship_rows(sql)
    trash(client, f"{CITIZENS}/2")
    assert relatives(client, 1) == ["1.3"]

    reply = restore_citizen(admin, 2)

    assert reply.status == 200, reply.body
    assert reply.body["data"]["attributes"]["deleted_at"] is None
    assert linkage_ids(reply.body["data"]) == ["1.1", "1.2"]
    assert everything(client) == visible
    assert kinship_rows(sql) == rows


def test_restoring_a_citizen_and_replacing_its_relatives_in_one_patch_keeps_only_the_new_ones(
    client, admin, make_import, sql
):
    make_import([citizen(1, [2]), citizen(2, [1]), citizen(3, [])])
    trash(client, f"{CITIZENS}/1")
    document = restore_document(1, 1)
    document["data"]["relationships"] = {"relatives": {"data": linkage(1, [3])}}

    reply = admin.patch(f"{CITIZENS}/1?with_trashed=true", json=document)

    assert reply.status == 200, reply.body
    assert linkage_ids(reply.body["data"]) == ["1.3"]
    assert kinship_rows(sql) == [(1, 3), (3, 1)]


def test_restoring_needs_with_trashed(client, admin, make_import):
    make_import(four_in_two_towns())
    trash(client, f"{CITIZENS}/2")
    document = citizen_document(1, {"deleted_at": None}, resource_id="1.2")

    assert admin.patch(f"{CITIZENS}/2", json=document).status == 404
    assert client.get(f"{CITIZENS}/2").status == 404


@pytest.mark.parametrize("how", ["relationship", "citizen"])
def test_replacing_relatives_replaces_only_the_visible_ones(client, admin, make_import, sql, how):
    make_import(four_in_two_towns())
    trash(client, f"{CITIZENS}/2")

    if how == "relationship":
        url = f"{CITIZENS}/1/relationships/relatives"
        reply = client.patch(url, json={"data": linkage(1, [4])})
        assert reply.status == 204, reply.body
    else:
        document = citizen_document(1, {}, relatives=[4], resource_id="1.1")
        reply = client.patch(f"{CITIZENS}/1", json=document)
        assert reply.status == 200, reply.body
        assert linkage_ids(reply.body["data"]) == ["1.4"]

    assert relatives(client, 1) == ["1.4"]
    assert relatives(client, 3) == ["1.3"]
    assert kinship_rows(sql) == [(1, 2), (1, 4), (2, 1), (3, 3), (4, 1)]
    assert restore_citizen(admin, 2).status == 200
    assert relatives(client, 1) == ["1.2", "1.4"]
    assert relatives(client, 2) == ["1.1"]


# ---------------------------------------------------------------------------------------------
# Trashed citizens and new references
# ---------------------------------------------------------------------------------------------

NAMING_THE_TRASHED = [
    (
        "POST",
        CITIZENS,
        citizen_document(1, citizen_attributes(5), relatives=[1, 2]),
        "/data/relationships/relatives/data/1",
    ),
    (
        "PATCH",
        f"{CITIZENS}/1",
        citizen_document(1, {}, relatives=[2], resource_id="1.1"),
        "/data/relationships/relatives/data/0",
    ),
    ("POST", f"{CITIZENS}/4/relationships/relatives", {"data": linkage(1, [2])}, "/data/0"),
    ("PATCH", f"{CITIZENS}/4/relationships/relatives", {"data": linkage(1, [1, 2])}, "/data/1"),
    ("DELETE", f"{CITIZENS}/1/relationships/relatives", {"data": linkage(1, [2])}, "/data/0"),
]


@pytest.mark.parametrize(("method", "url", "body", "pointer"), NAMING_THE_TRASHED)
def test_naming_a_trashed_citizen_as_a_relative_is_404(
    client, admin, make_import, sql, method, url, body, pointer
):
    make_import(four_in_two_towns())
    trash(client, f"{CITIZENS}/2")
    before = database_state(sql)

    reply = client.request(method, url, json=body)

    assert reply.status == 404, reply.body
    assert reply.error_pointers() == [pointer]
    assert database_state(sql) == before


def test_a_citizen_id_held_by_a_trashed_citizen_is_409_saying_restore_or_purge(
    client, admin, make_import, sql
):
    make_import(four_in_two_towns())
    trash(client, f"{CITIZENS}/2")

    reply = client.post(CITIZENS, json=citizen_document(1, citizen_attributes(2)))

    assert reply.status == 409
    detail = reply.errors[0]["detail"]
    assert "restore" in detail and "purge" in detail
    assert data_version(sql) == 2
    assert admin.delete(f"{CITIZENS}/2?permanent=true").status == 204
    assert client.post(CITIZENS, json=citizen_document(1, citizen_attributes(2))).status == 201
