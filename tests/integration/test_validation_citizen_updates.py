"""Every validation rule of the contract for PATCH /imports/{id}/citizens/{cid}, checked through
HTTP.

Each refused write answers 422 (or the status the contract names) with `source.pointer` at the
exact offending member, and leaves the database exactly as it was.
"""

import pytest

from tests.factories import citizen_document
from tests.robustness.seed import database_state


def patch_document(import_id: int, number: int, attributes: dict) -> dict:
    """A PATCH document for citizen `number` of the import."""
    return citizen_document(import_id, attributes, resource_id=f"{import_id}.{number}")


@pytest.mark.parametrize(
    ("attributes", "pointer"),
    [
        pytest.param({"town": ""}, "town", id="town empty"),
        pytest.param({"street": None}, "street", id="street null"),
        pytest.param({"building": "///"}, "building", id="building without letters"),
        pytest.param({"apartment": "7"}, "apartment", id="apartment string"),
        pytest.param({"apartment": 2**31}, "apartment", id="apartment 2**31"),
        pytest.param({"name": "\u001f"}, "name", id="name control character"),
        pytest.param({"birth_date": "2019-02-29"}, "birth_date", id="birth_date 29 Feb"),
        pytest.param({"gender": "other"}, "gender", id="gender other"),
        pytest.param({"citizen_id": 2}, "citizen_id", id="citizen_id changed"),
        pytest.param({"citizen_id": True}, "citizen_id", id="citizen_id true"),
        pytest.param({"citizen_id": 1.0}, "citizen_id", id="citizen_id float"),
        pytest.param({"citizen_id": "1"}, "citizen_id", id="citizen_id string"),
        pytest.param({"citizen_id": None}, "citizen_id", id="citizen_id null"),
        pytest.param({"nickname": "Ваня"}, "nickname", id="unknown attribute"),
        pytest.param({"relatives": [2]}, "relatives", id="relatives as an attribute"),
        pytest.param(
            {"deleted_at": "2020-01-01T00:00:00+00:00"}, "deleted_at", id="deleted_at not null"
        ),
    ],
)
def test_patch_citizen_refuses_invalid_attributes_and_changes_nothing(
    client, make_import, sql, attributes, pointer
):
    import_id = make_import()
    url = f"/imports/{import_id}/citizens/1"
    before_reply = client.get(url)
    before = database_state(sql)
    # A valid change next to the invalid one must not be applied either.
    document = patch_document(import_id, 1, {"name": "Новое Имя", **attributes})

    reply = client.patch(url, json=document)

    assert reply.status == 422, reply.body
    assert f"/data/attributes/{pointer}" in reply.error_pointers()
    assert client.get(url).body == before_reply.body
    assert database_state(sql) == before


def test_patch_citizen_accepts_its_own_citizen_id_and_a_null_deleted_at(client, make_import):
    import_id = make_import()

    reply = client.patch(
        f"/imports/{import_id}/citizens/1",
        json=patch_document(import_id, 1, {"citizen_id": 1, "deleted_at": None, "town": "Тверь"}),
    )

    assert reply.status == 200
    assert reply.body["data"]["attributes"]["town"] == "Тверь"
    assert reply.body["data"]["attributes"]["citizen_id"] == 1


@pytest.mark.parametrize("missing", [99, 2**31])
def test_patch_citizen_with_a_missing_relative_is_404(client, make_import, sql, missing):
    import_id = make_import()
    before = database_state(sql)

    reply = client.patch(
        f"/imports/{import_id}/citizens/1",
        json=citizen_document(import_id, {}, relatives=[2, missing], resource_id=f"{import_id}.1"),
    )

    assert reply.status == 404, reply.body
    assert reply.error_pointers() == ["/data/relationships/relatives/data/1"]
    assert database_state(sql) == before


def test_patch_citizen_with_another_id_is_409(client, make_import, sql):
    import_id = make_import()
    before = database_state(sql)

    reply = client.patch(
        f"/imports/{import_id}/citizens/1", json=patch_document(import_id, 2, {"town": "Тверь"})
    )

    assert reply.status == 409
    assert reply.error_pointers() == ["/data/id"]
    assert database_state(sql) == before


def test_patch_citizen_with_a_bare_citizen_id_as_id_is_409(client, make_import, sql):
    import_id = make_import()
    before = database_state(sql)
    document = citizen_document(import_id, {"town": "Тверь"}, resource_id="1")

    reply = client.patch(f"/imports/{import_id}/citizens/1", json=document)

    assert reply.status == 409
    assert database_state(sql) == before


def test_patch_citizen_without_an_id_is_400(client, make_import, sql):
    import_id = make_import()
    before = database_state(sql)

    reply = client.patch(
        f"/imports/{import_id}/citizens/1", json=citizen_document(import_id, {"town": "Тверь"})
    )

    assert reply.status == 400
    assert database_state(sql) == before


def test_patch_citizen_with_a_wrong_type_is_409(client, make_import, sql):
    import_id = make_import()
    before = database_state(sql)
    document = patch_document(import_id, 1, {"town": "Тверь"})
    document["data"]["type"] = "imports"

    reply = client.patch(f"/imports/{import_id}/citizens/1", json=document)

    assert reply.status == 409
    assert reply.error_pointers() == ["/data/type"]
    assert database_state(sql) == before
