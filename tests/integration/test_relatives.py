"""The relatives relationship endpoints: read, replace, add, remove; always mutual."""

import pytest

from tests.factories import citizen, linkage
from tests.integration.actions import relatives

URL = "/imports/1/citizens/1/relationships/relatives"


@pytest.fixture
def four(make_import):
    return make_import([citizen(1, [2]), citizen(2, [1]), citizen(3), citizen(4)])


def test_get_returns_string_ids_and_a_self_link(client, four):
    reply = client.get(URL)

    assert reply.status == 200
    assert reply.body["data"] == [{"type": "citizens", "id": "1.2"}]
    assert reply.body["links"] == {
        "self": "http://localhost/citizens/1.1/relationships/relatives",  # the canonical URL
        "related": "http://localhost/citizens/1.1/relatives",
    }


def test_patch_replaces_on_both_sides(client, four):
    reply = client.patch(URL, json={"data": linkage(1, [3, 1])})

    assert reply.status == 204
    assert relatives(client, 1) == ["1.1", "1.3"]
    assert relatives(client, 2) == []
    assert relatives(client, 3) == ["1.1"]


def test_post_adds_and_ignores_those_already_related(client, four):
    assert client.post(URL, json={"data": linkage(1, [2, 4])}).status == 204

    assert relatives(client, 1) == ["1.2", "1.4"]
    assert relatives(client, 4) == ["1.1"]


def test_delete_removes_on_both_sides(client, four):
    assert client.delete(URL, json={"data": linkage(1, [2])}).status == 204

    assert relatives(client, 1) == [] and relatives(client, 2) == []


def test_an_empty_patch_clears_the_relatives(client, four):
    assert client.patch(URL, json={"data": []}).status == 204

    assert relatives(client, 1) == [] and relatives(client, 2) == []


def test_every_write_bumps_the_data_version(client, four):
    client.post(URL, json={"data": linkage(1, [3])})
    client.delete(URL, json={"data": linkage(1, [3])})

    assert client.get("/imports/1").body["data"]["attributes"]["data_version"] == 3


@pytest.mark.parametrize(
    "document, status, pointer",
    [
        ({"data": linkage(1, [9])}, 404, "/data/0"),
        ({"data": linkage(2, [3])}, 404, "/data/0"),
        ({"data": [{"type": "citizens", "id": "1"}]}, 404, "/data/0"),
        ({"data": [{"type": "people", "id": "1.3"}]}, 409, "/data/0"),
        ({"data": [{"type": "citizens", "id": 3}]}, 400, "/data/0"),
        ({"data": [{"type": "citizens"}]}, 400, "/data/0"),
        ({"data": {"type": "citizens", "id": "1.3"}}, 400, "/data"),
        ({"data": linkage(1, [3, 3])}, 422, "/data/1"),
        ({"nodata": []}, 400, "/data"),
    ],
)
def test_bad_linkage_is_refused_and_changes_nothing(client, four, document, status, pointer):
    reply = client.patch(URL, json=document)

    assert reply.status == status
    assert reply.error_pointers() == [pointer]
    assert relatives(client, 1) == ["1.2"]
    assert client.get("/imports/1").body["data"]["attributes"]["data_version"] == 1


def test_relationship_of_a_missing_citizen_is_404(client, four):
    assert client.get("/imports/1/citizens/9/relationships/relatives").status == 404
    reply = client.post("/imports/1/citizens/9/relationships/relatives", json={"data": []})
    assert reply.status == 404
