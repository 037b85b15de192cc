"""The citizens collection and resource: paging, sorting, filtering, fields, include, writes."""

import pytest

from tests.factories import citizen, citizen_attributes, citizen_document, family
from tests.integration.actions import ids, relatives

URL = "/imports/1/citizens"
# Links are absolute; the test client asks for http://localhost.
HOST = "http://localhost"


@pytest.fixture
def ten(make_import):
    """Ten citizens, relatives in a chain 1-2, 2-3, ..., in towns A and B."""
    citizens = []
    for n in range(1, 11):
        relatives = [r for r in (n - 1, n + 1) if 1 <= r <= 10]
        citizens.append(
            citizen(n, relatives, name=f"name {11 - n:02d}", town="A" if n % 2 else "B")
        )
    return make_import(citizens)


def test_collection_defaults_to_citizen_id_order_with_count_and_links(client, ten):
    reply = client.get(URL)

    assert ids(reply) == [f"1.{n}" for n in range(1, 11)]
    assert reply.body["meta"]["count"] == 10
    assert reply.body["links"] == {
        "self": HOST + URL,
        "first": HOST + URL + "?page[number]=1",
        "last": HOST + URL + "?page[number]=1",
        "prev": None,
        "next": None,
    }


def test_a_citizen_resource_has_attributes_linkage_and_links(client, make_import):
    make_import()

    resource = client.get(URL + "/2").body["data"]

    assert resource["id"] == "1.2"
    assert resource["attributes"] == {
        "citizen_id": 2,
        "town": "Москва",
        "street": "Льва Толстого",
        "building": "16к7стр5",
        "apartment": 7,
        "name": resource["attributes"]["name"],
        "birth_date": "1997-04-17",
        "gender": "male",
        "deleted_at": None,
    }
    assert resource["relationships"]["relatives"] == {
        "data": [{"type": "citizens", "id": "1.1"}],
        "links": {
            "self": HOST + "/citizens/1.2/relationships/relatives",
            "related": HOST + "/citizens/1.2/relatives",
        },
    }
    assert resource["relationships"]["import"] == {
        "data": {"type": "imports", "id": "1"},
        "links": {"related": HOST + "/citizens/1.2/import"},
    }
    assert resource["links"] == {"self": HOST + "/citizens/1.2"}  # canonical: /{type}/{id}


def test_pages(client, ten):
    reply = client.get(URL + "?page[size]=3&page[number]=2")

    assert ids(reply) == ["1.4", "1.5", "1.6"]
    assert reply.body["meta"]["count"] == 10
    links = reply.body["links"]
    assert links["first"] == HOST + URL + "?page[size]=3&page[number]=1"
    assert links["prev"] == HOST + URL + "?page[size]=3&page[number]=1"
    assert links["next"] == HOST + URL + "?page[size]=3&page[number]=3"
    assert links["last"] == HOST + URL + "?page[size]=3&page[number]=4"


def test_a_page_past_the_end_is_empty(client, ten):
    reply = client.get(URL + "?page[size]=5&page[number]=9")

    assert reply.body["data"] == [] and reply.body["meta"]["count"] == 10
    assert reply.body["links"]["next"] is None


def test_page_size_zero_returns_everything(client, make_import):
    make_import([citizen(n) for n in range(1, 251)])

    reply = client.get(URL + "?page[size]=0")

    assert len(reply.body["data"]) == 250 and reply.body["meta"]["count"] == 250
    assert client.get(URL).body["meta"]["count"] == 250
    assert len(client.get(URL).body["data"]) == 100  # the default page size


def test_sort_by_several_attributes(client, ten):
    reply = client.get(URL + "?sort=town,-citizen_id&page[size]=4")

    assert ids(reply) == ["1.9", "1.7", "1.5", "1.3"]
    assert ids(client.get(URL + "?sort=name&page[size]=2")) == ["1.10", "1.9"]


def test_strings_sort_by_code_point(client, make_import):
    make_import([citizen(1, town="alpha"), citizen(2, town="Zeta"), citizen(3, town="Ёлки")])

    assert ids(client.get(URL + "?sort=town")) == ["1.2", "1.1", "1.3"]


def test_filter_exact_match_and_any_of_several_values(client, ten):
    assert ids(client.get(URL + "?filter[town]=B&page[size]=2")) == ["1.2", "1.4"]
    reply = client.get(URL + "?filter[citizen_id]=3,7,42")
    assert ids(reply) == ["1.3", "1.7"] and reply.body["meta"]["count"] == 2
    assert ids(client.get(URL + "?filter[birth_date]=1986-12-26&filter[citizen_id]=5")) == ["1.5"]


def test_sparse_fieldsets(client, ten):
    resource = client.get(URL + "?fields[citizens]=name").body["data"][0]

    assert resource["attributes"] == {"name": "name 10"}
    assert "relationships" not in resource
    only_links = client.get(URL + "?fields[citizens]=relatives").body["data"][0]
    assert "attributes" not in only_links or only_links["attributes"] == {}
    assert only_links["relationships"]["relatives"]["data"] == [{"type": "citizens", "id": "1.2"}]


def test_include_relatives_lists_each_related_citizen_once_and_not_the_primary_ones(client, ten):
    reply = client.get(URL + "?page[size]=2&include=relatives")

    assert ids(reply) == ["1.1", "1.2"]
    assert [r["id"] for r in reply.body["included"]] == ["1.3"]


def test_include_on_a_single_citizen(client, ten):
    reply = client.get(URL + "/5?include=relatives&fields[citizens]=citizen_id")

    assert [r["id"] for r in reply.body["included"]] == ["1.4", "1.6"]
    assert reply.body["included"][0]["attributes"] == {"citizen_id": 4}


def test_missing_citizen_and_missing_import_are_404(client, ten):
    assert client.get(URL + "/99").status == 404
    assert client.get("/imports/7/citizens").status == 404
    assert client.get("/imports/7/citizens/1").status == 404


def test_post_citizen_writes_kinship_on_both_sides(client, make_import, sql):
    make_import()
    doc = citizen_document(1, citizen_attributes(4), relatives=[1, 4])

    reply = client.post(URL, json=doc)

    assert reply.status == 201
    assert reply.headers["Location"] == HOST + "/citizens/1.4"
    linkage = reply.body["data"]["relationships"]["relatives"]["data"]
    assert [r["id"] for r in linkage] == ["1.1", "1.4"]
    assert relatives(client, 1) == ["1.2", "1.4"]
    assert client.get("/imports/1").body["data"]["attributes"]["data_version"] == 2


def test_post_citizen_with_a_taken_citizen_id_is_409(client, make_import):
    make_import()

    reply = client.post(URL, json=citizen_document(1, citizen_attributes(2)))

    assert reply.status == 409
    assert "citizen_id 2" in reply.errors[0]["detail"]


def test_patch_changes_attributes_and_replaces_relatives_mutually(client, make_import):
    make_import()
    doc = citizen_document(1, {"town": "Керчь"}, relatives=[3], resource_id="1.1")

    reply = client.patch(URL + "/1", json=doc)

    assert reply.status == 200
    assert reply.body["data"]["attributes"]["town"] == "Керчь"
    assert relatives(client, 1) == ["1.3"]
    assert relatives(client, 2) == []
    assert relatives(client, 3) == ["1.1", "1.3"]


def test_patch_accepts_the_unchanged_identity_that_clients_send_back(client, make_import):
    make_import()
    attributes = {"citizen_id": 1, "deleted_at": None, "apartment": 9}
    doc = citizen_document(1, attributes, resource_id="1.1")

    reply = client.patch(URL + "/1", json=doc)

    assert reply.status == 200 and reply.body["data"]["attributes"]["apartment"] == 9


def test_patch_of_a_missing_citizen_is_404_and_bumps_nothing(client, make_import):
    make_import()
    doc = citizen_document(1, {"town": "X1"}, resource_id="1.9")

    assert client.patch(URL + "/9", json=doc).status == 404
    assert client.get("/imports/1").body["data"]["attributes"]["data_version"] == 1


def test_trashed_citizen_disappears_from_every_read(client, make_import):
    make_import()

    assert client.delete(URL + "/2").status == 204

    assert client.get(URL + "/2").status == 404
    assert ids(client.get(URL)) == ["1.1", "1.3"]
    assert relatives(client, 1) == []
    assert client.get(URL + "/1?include=relatives").body["included"] == []
    assert client.get("/imports/1").body["data"]["attributes"]["citizens_count"] == 2
    assert client.delete(URL + "/2").status == 404


def test_naming_a_trashed_citizen_as_a_relative_is_404(client, make_import):
    make_import()
    client.delete(URL + "/2")

    reply = client.post(URL, json=citizen_document(1, citizen_attributes(4), relatives=[2]))

    assert reply.status == 404
    assert reply.error_pointers() == ["/data/relationships/relatives/data/0"]


def test_a_trashed_citizens_id_stays_taken(client, make_import):
    make_import()
    client.delete(URL + "/2")

    reply = client.post(URL, json=citizen_document(1, citizen_attributes(2)))

    assert reply.status == 409
    assert "restore or purge" in reply.errors[0]["detail"]


def test_replacing_relatives_keeps_kinship_to_trashed_citizens(client, make_import, sql):
    make_import([citizen(1, [2, 3]), citizen(2, [1]), citizen(3, [1])])
    client.delete(URL + "/2")

    client.patch(URL + "/1", json=citizen_document(1, {}, relatives=[], resource_id="1.1"))

    assert relatives(client, 1) == []
    assert sorted(sql("SELECT citizen_id, relative_id FROM kinship")) == [(1, 2), (2, 1)]


def test_family_fixture_is_mutual():
    # Guards the fixture the other tests rely on.
    by_id = {c["citizen_id"]: set(c["relatives"]) for c in family()}
    assert all(c in by_id[r] for c, rs in by_id.items() for r in rs)
