"""Every validation rule of the contract for POST /imports/{id}/citizens, checked through HTTP.

Each refused write answers 422 (or the status the contract names) with `source.pointer` at the
exact offending member, and leaves the database exactly as it was.
"""

import re
from functools import partial

import pytest

from tests.factories import citizen, citizen_attributes, citizen_document, linkage
from tests.robustness.seed import database_state

# Attributes of a valid citizen 4 for POST /imports/{id}/citizens; override any of them.
new_citizen = partial(citizen_attributes, 4)


@pytest.mark.parametrize(
    ("attributes", "pointer"),
    [
        pytest.param(new_citizen(citizen_id=True), "citizen_id", id="citizen_id true"),
        pytest.param(new_citizen(citizen_id="4"), "citizen_id", id="citizen_id string"),
        pytest.param(new_citizen(citizen_id=2**31), "citizen_id", id="citizen_id 2**31"),
        pytest.param(new_citizen(apartment=-1), "apartment", id="apartment negative"),
        pytest.param(new_citizen(apartment=1.0), "apartment", id="apartment float"),
        pytest.param(new_citizen(town="---"), "town", id="town without letters"),
        pytest.param(new_citizen(street="a" * 257), "street", id="street too long"),
        pytest.param(new_citizen(building="1\u0000"), "building", id="building NUL"),
        pytest.param(new_citizen(name="   "), "name", id="name blank"),
        pytest.param(new_citizen(birth_date="1986-2-6"), "birth_date", id="birth_date unpadded"),
        pytest.param(new_citizen(birth_date="2019-02-29"), "birth_date", id="birth_date 29 Feb"),
        pytest.param(new_citizen(gender="Male"), "gender", id="gender capitalised"),
        pytest.param(new_citizen(gender=None), "gender", id="gender null"),
        pytest.param(new_citizen(nickname="x"), "nickname", id="unknown attribute"),
        pytest.param(new_citizen(relatives=[1]), "relatives", id="relatives as an attribute"),
        pytest.param(
            {k: v for k, v in new_citizen().items() if k != "town"},
            "town",
            id="town missing",
        ),
    ],
)
def test_post_citizen_refuses_invalid_attributes(client, make_import, sql, attributes, pointer):
    import_id = make_import()
    before = database_state(sql)

    reply = client.post(
        f"/imports/{import_id}/citizens", json=citizen_document(import_id, attributes)
    )

    assert reply.status == 422, reply.body
    assert f"/data/attributes/{pointer}" in reply.error_pointers()
    assert database_state(sql) == before


def test_post_citizen_with_a_missing_relative_is_404(client, make_import, sql):
    import_id = make_import()
    before = database_state(sql)

    reply = client.post(
        f"/imports/{import_id}/citizens",
        json=citizen_document(import_id, new_citizen(), relatives=[1, 99]),
    )

    assert reply.status == 404
    assert reply.error_pointers() == ["/data/relationships/relatives/data/1"]
    assert database_state(sql) == before


@pytest.mark.parametrize("relative", ["2147483648", "99999999999999999999"])
def test_post_citizen_with_a_relative_beyond_the_integer_range_is_404(
    client, make_import, sql, relative
):
    import_id = make_import()
    before = database_state(sql)
    document = citizen_document(import_id, new_citizen())
    document["data"]["relationships"] = {
        "relatives": {"data": [{"type": "citizens", "id": f"{import_id}.{relative}"}]}
    }

    reply = client.post(f"/imports/{import_id}/citizens", json=document)

    assert reply.status == 404, reply.body
    assert reply.error_pointers() == ["/data/relationships/relatives/data/0"]
    assert database_state(sql) == before


def test_post_citizen_into_an_import_beyond_the_integer_range_is_404(client, make_import, sql):
    make_import()
    before = database_state(sql)

    reply = client.post(
        "/imports/2147483648/citizens", json=citizen_document(2147483648, new_citizen())
    )

    assert reply.status == 404, reply.body
    assert database_state(sql) == before


def test_post_citizen_with_a_relative_of_another_import_is_404(client, make_import, sql):
    import_id = make_import()
    other = make_import()
    before = database_state(sql)
    document = citizen_document(import_id, new_citizen())
    document["data"]["relationships"] = {"relatives": {"data": linkage(other, [1])}}

    reply = client.post(f"/imports/{import_id}/citizens", json=document)

    assert reply.status == 404
    assert reply.error_pointers() == ["/data/relationships/relatives/data/0"]
    assert database_state(sql) == before


def test_post_citizen_with_a_trashed_relative_is_404(client, make_import, sql):
    import_id = make_import()
    assert client.delete(f"/imports/{import_id}/citizens/3").status == 204
    before = database_state(sql)

    reply = client.post(
        f"/imports/{import_id}/citizens",
        json=citizen_document(import_id, new_citizen(), relatives=[3]),
    )

    assert reply.status == 404
    assert reply.error_pointers() == ["/data/relationships/relatives/data/0"]
    assert database_state(sql) == before


def test_post_citizen_with_relatives_of_a_wrong_type_is_409(client, make_import, sql):
    import_id = make_import()
    before = database_state(sql)
    document = citizen_document(import_id, new_citizen())
    document["data"]["relationships"] = {
        "relatives": {"data": [{"type": "people", "id": f"{import_id}.1"}]}
    }

    reply = client.post(f"/imports/{import_id}/citizens", json=document)

    assert reply.status == 409
    assert database_state(sql) == before


def test_post_citizen_with_a_taken_citizen_id_is_409(client, make_import, sql):
    import_id = make_import([citizen(42)])
    before = database_state(sql)

    reply = client.post(
        f"/imports/{import_id}/citizens",
        json=citizen_document(import_id, new_citizen(citizen_id=42)),
    )

    assert reply.status == 409
    assert re.search(r"\b42\b", reply.errors[0]["detail"])
    assert database_state(sql) == before


def test_post_citizen_with_the_id_of_a_trashed_citizen_is_409(client, make_import, sql):
    import_id = make_import([citizen(42)])
    assert client.delete(f"/imports/{import_id}/citizens/42").status == 204
    before = database_state(sql)

    reply = client.post(
        f"/imports/{import_id}/citizens",
        json=citizen_document(import_id, new_citizen(citizen_id=42)),
    )

    assert reply.status == 409
    detail = reply.errors[0]["detail"]
    assert re.search(r"\b42\b", detail)
    assert "restore" in detail and "purge" in detail
    assert database_state(sql) == before
