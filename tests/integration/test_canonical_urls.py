"""Canonical URLs: every resource at /{type}/{id}, so that stock JSON:API clients (Orbit.js,
kitsu) can build each URL from a type and an id; the nested 2019 paths stay as aliases.

A citizen's id is "<import_id>.<citizen_id>": /citizens/1.2 is /imports/1/citizens/2.
`client` is an editor, `admin` may ask for the trash; links are absolute (http://localhost).
"""

import pytest

from tests.factories import (
    citizen,
    citizen_attributes,
    citizen_document,
    family,
    linkage,
    restore_document,
)
from tests.integration.actions import ids, included_ids, linkage_ids, relatives, trash
from tests.robustness.seed import database_state

HOST = "http://localhost"
NESTED = "/imports/1/citizens"


def without_host(link: str) -> str:
    assert link.startswith(HOST), link
    return link.removeprefix(HOST)


def new_citizen_document(import_id, citizen_id: int, relatives=None, **attributes) -> dict:
    """A POST /citizens body: the import travels as a to-one relationship."""
    data = {"type": "citizens", "attributes": citizen_attributes(citizen_id, **attributes)}
    relationships = {}
    if import_id is not None:
        relationships["import"] = {"data": {"type": "imports", "id": str(import_id)}}
    if relatives is not None:
        relationships["relatives"] = {"data": linkage(import_id, relatives)}
    if relationships:
        data["relationships"] = relationships
    return {"data": data}


def stable_meta(body: dict) -> dict:
    """An aggregate's meta less what tells one read from the next (when, and whether stored)."""
    return {k: v for k, v in body["meta"].items() if k not in ("computed_at", "from_store")}


@pytest.fixture
def six(make_import):
    """Citizen 1 related to 2, 3, 4 and 5 (towns alternate A, B); 6 has no relatives."""
    make_import(
        [
            citizen(1, [2, 3, 4, 5], town="A", name="e"),
            citizen(2, [1], town="B", name="d"),
            citizen(3, [1], town="A", name="c"),
            citizen(4, [1], town="B", name="b"),
            citizen(5, [1], town="A", name="a"),
            citizen(6, [], town="B", name="f"),
        ]
    )


# ---------------------------------------------------------------------------------------------
# One citizen at /citizens/{import_id}.{citizen_id}
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("query", ["", "?include=relatives", "?fields[citizens]=name,town"])
def test_get_is_the_same_document_as_the_nested_path(client, make_import, query):
    make_import()

    canonical = client.get(f"/citizens/1.2{query}")
    nested = client.get(f"{NESTED}/2{query}")

    assert canonical.status == nested.status == 200
    assert canonical.body == nested.body
    assert canonical.body["data"]["id"] == "1.2"


def test_the_same_citizen_id_in_two_imports_is_two_resources(client, make_import):
    make_import([citizen(1, town="A")])
    make_import([citizen(1, town="B")])

    first = client.get("/citizens/1.1").body["data"]
    second = client.get("/citizens/2.1").body["data"]

    assert (first["id"], first["attributes"]["town"]) == ("1.1", "A")
    assert (second["id"], second["attributes"]["town"]) == ("2.1", "B")


def test_patch_updates_attributes_and_relatives_as_the_nested_path_does(client, make_import):
    make_import()
    document = citizen_document(1, {"town": "Керчь"}, relatives=[3], resource_id="1.1")

    reply = client.patch("/citizens/1.1", json=document)

    assert reply.status == 200, reply.body
    assert reply.body["data"]["attributes"]["town"] == "Керчь"
    assert reply.body == client.get(f"{NESTED}/1").body
    assert relatives(client, 1) == ["1.3"]
    assert relatives(client, 2) == []
    assert relatives(client, 3) == ["1.1", "1.3"]
    assert client.get("/imports/1").body["data"]["attributes"]["data_version"] == 2


@pytest.mark.parametrize(
    "document",
    [
        citizen_document(1, {"town": "X"}, resource_id="1.2"),  # another citizen's id
        citizen_document(1, {"town": "X"}),  # no id
        citizen_document(1, {"citizen_id": 7}, resource_id="1.1"),
        citizen_document(1, {"apartment": -1}, resource_id="1.1"),
        citizen_document(1, {}, relatives=[9], resource_id="1.1"),
        {"data": {"type": "people", "id": "1.1", "attributes": {}}},
    ],
    ids=["other-id", "no-id", "citizen_id", "apartment", "missing-relative", "type"],
)
def test_a_refused_patch_gets_the_same_errors_as_under_the_nested_path(
    client, make_import, sql, document
):
    make_import()
    before = database_state(sql)

    canonical = client.patch("/citizens/1.1", json=document)
    nested = client.patch(f"{NESTED}/1", json=document)

    assert canonical.status >= 400
    assert (canonical.status, canonical.error_pointers()) == (
        nested.status,
        nested.error_pointers(),
    )
    assert database_state(sql) == before


def test_delete_trashes_and_an_admin_restores_with_deleted_at_null(client, admin, make_import):
    make_import()

    assert client.delete("/citizens/1.2").status == 204

    assert client.get("/citizens/1.2").status == 404
    assert client.get(f"{NESTED}/2").status == 404
    assert relatives(client, 1) == []
    trashed = admin.get("/citizens/1.2?with_trashed=true")
    assert trashed.status == 200 and trashed.body["data"]["attributes"]["deleted_at"] is not None
    assert client.delete("/citizens/1.2").status == 404

    reply = admin.patch("/citizens/1.2?with_trashed=true", json=restore_document(1, 2))

    assert reply.status == 200, reply.body
    assert reply.body["data"]["attributes"]["deleted_at"] is None
    assert client.get(f"{NESTED}/2").status == 200
    assert relatives(client, 1) == ["1.2"]


def test_permanent_delete_removes_the_citizen_and_its_kinship(client, admin, make_import, sql):
    make_import()
    make_import()

    assert admin.delete("/citizens/1.2?permanent=true").status == 204

    assert sql("SELECT import_id, citizen_id FROM citizens ORDER BY 1, 2") == [
        (1, 1),
        (1, 3),
        (2, 1),
        (2, 2),
        (2, 3),
    ]
    assert admin.get("/citizens/1.2?with_trashed=true").status == 404
    assert relatives(client, 1) == []
    assert relatives(client, 1, import_id=2) == ["2.2"]


def test_a_citizen_of_a_trashed_import_is_found_only_with_trashed(client, admin, make_import):
    make_import()
    trash(client, "/imports/1")

    assert client.get("/citizens/1.1").status == 404
    assert client.get("/citizens/1.1/relatives").status == 404
    assert admin.get("/citizens/1.1?with_trashed=true").status == 200


@pytest.mark.parametrize(
    "url",
    [
        "/citizens/1",
        "/citizens/1.x",
        "/citizens/x.1",
        "/citizens/1.",
        "/citizens/1.2.3",
        "/citizens/99.1",
        "/citizens/1.99",
        "/citizens/1.99/relationships/relatives",
        "/citizens/99.1/relatives",
        "/citizens/1.99/relatives",
        "/citizens/99.1/import",
        "/citizens/1.99/import",
        "/birthdays/99",
        "/imports/99/birthdays",
        "/imports/99/town-age-stats",
    ],
)
def test_a_bad_or_missing_id_is_a_404_error_document(client, make_import, url):
    make_import()

    reply = client.get(url)

    assert reply.status == 404
    assert reply.errors[0]["status"] == "404"
    assert client.get("/citizens/1.1").status == 200  # the route itself exists


def test_writes_to_a_missing_citizen_are_404(client, make_import, sql):
    make_import()
    before = database_state(sql)

    patched = client.patch("/citizens/1.9", json=citizen_document(1, {}, resource_id="1.9"))
    deleted = client.delete("/citizens/1.9")
    related = client.post("/citizens/1.9/relationships/relatives", json={"data": linkage(1, [1])})

    assert (patched.status, deleted.status, related.status) == (404, 404, 404)
    assert database_state(sql) == before
    assert client.delete("/citizens/1.3").status == 204  # while an existing citizen is reached


# ---------------------------------------------------------------------------------------------
# Links
# ---------------------------------------------------------------------------------------------


def test_a_citizen_resource_links_to_its_canonical_urls_and_its_import(client, make_import):
    make_import()

    for url in ("/citizens/1.2", f"{NESTED}/2", NESTED, "/citizens"):
        body = client.get(url).body
        resource = body["data"] if isinstance(body["data"], dict) else body["data"][1]
        assert resource["id"] == "1.2", url
        assert resource["links"]["self"] == HOST + "/citizens/1.2", url
        assert resource["relationships"]["relatives"]["links"] == {
            "self": HOST + "/citizens/1.2/relationships/relatives",
            "related": HOST + "/citizens/1.2/relatives",
        }, url
        to_import = resource["relationships"]["import"]
        assert to_import["data"] == {"type": "imports", "id": "1"}, url
        assert to_import["links"]["related"] == HOST + "/citizens/1.2/import", url


def test_an_import_resource_links_to_its_citizens_and_aggregates(client, make_import):
    make_import()

    for body in (client.get("/imports/1").body, client.get("/imports").body):
        resource = body["data"] if isinstance(body["data"], dict) else body["data"][0]
        related = {
            name: relationship["links"]["related"]
            for name, relationship in resource["relationships"].items()
            if name in ("citizens", "birthdays", "town-age-stats")
        }
        assert related == {
            "citizens": HOST + "/imports/1/citizens",
            "birthdays": HOST + "/imports/1/birthdays",
            "town-age-stats": HOST + "/imports/1/town-age-stats",
        }


def test_the_relationship_document_links_to_itself_and_to_the_related_citizens(client, make_import):
    make_import()

    reply = client.get("/citizens/1.1/relationships/relatives")

    assert reply.status == 200
    assert reply.body["data"] == [{"type": "citizens", "id": "1.2"}]
    assert reply.body["links"] == {
        "self": HOST + "/citizens/1.1/relationships/relatives",
        "related": HOST + "/citizens/1.1/relatives",
    }
    assert reply.body["data"] == client.get(f"{NESTED}/1/relationships/relatives").body["data"]


def test_every_link_of_a_citizen_an_import_and_a_relationship_answers_200(client, make_import):
    make_import()
    person = client.get("/citizens/1.1").body["data"]
    imported = client.get("/imports/1").body["data"]
    relationship = client.get("/citizens/1.1/relationships/relatives").body
    links = [
        person["links"]["self"],
        *person["relationships"]["relatives"]["links"].values(),
        person["relationships"]["import"]["links"]["related"],
        imported["links"]["self"],
        *(imported["relationships"][n]["links"]["related"] for n in ("citizens", "birthdays")),
        imported["relationships"]["town-age-stats"]["links"]["related"],
        *relationship["links"].values(),
        client.get("/imports/1/birthdays").body["data"]["links"]["self"],
    ]

    assert len(links) == 11
    for link in links:
        assert client.get(without_host(link)).status == 200, link


# ---------------------------------------------------------------------------------------------
# The relatives relationship at /citizens/{id}/relationships/relatives
# ---------------------------------------------------------------------------------------------


def test_relationship_post_adds_on_both_sides(client, six):
    url = "/citizens/1.6/relationships/relatives"

    assert client.post(url, json={"data": linkage(1, [2, 6])}).status == 204

    assert relatives(client, 6) == ["1.2", "1.6"]
    assert relatives(client, 2) == ["1.1", "1.6"]


def test_relationship_patch_replaces_on_both_sides(client, six):
    url = "/citizens/1.1/relationships/relatives"

    assert client.patch(url, json={"data": linkage(1, [6])}).status == 204

    assert relatives(client, 1) == ["1.6"]
    assert relatives(client, 2) == []
    assert relatives(client, 6) == ["1.1"]


def test_relationship_delete_removes_on_both_sides(client, six):
    url = "/citizens/1.1/relationships/relatives"

    assert client.delete(url, json={"data": linkage(1, [2, 3])}).status == 204

    assert relatives(client, 1) == ["1.4", "1.5"]
    assert relatives(client, 2) == [] and relatives(client, 3) == []
    assert client.get("/imports/1").body["data"]["attributes"]["data_version"] == 2


def test_a_refused_relationship_write_gets_the_same_errors_as_the_nested_path(client, six, sql):
    before = database_state(sql)
    document = {"data": linkage(1, [9])}

    canonical = client.patch("/citizens/1.1/relationships/relatives", json=document)
    nested = client.patch(f"{NESTED}/1/relationships/relatives", json=document)

    assert canonical.status == nested.status == 404
    assert canonical.error_pointers() == nested.error_pointers() == ["/data/0"]
    assert database_state(sql) == before


# ---------------------------------------------------------------------------------------------
# The related citizens at /citizens/{id}/relatives, and the import at /citizens/{id}/import
# ---------------------------------------------------------------------------------------------


def test_related_citizens_are_a_collection_of_full_resources_in_citizen_id_order(client, six):
    reply = client.get("/citizens/1.1/relatives")

    assert ids(reply) == ["1.2", "1.3", "1.4", "1.5"]
    assert reply.body["meta"]["count"] == 4
    assert reply.body["data"] == [client.get(f"{NESTED}/{n}").body["data"] for n in (2, 3, 4, 5)]
    base = HOST + "/citizens/1.1/relatives"
    assert reply.body["links"]["self"] == base
    assert reply.body["links"]["next"] is None and reply.body["links"]["prev"] is None


def test_related_citizens_of_a_citizen_without_relatives_are_empty(client, six):
    reply = client.get("/citizens/1.6/relatives")

    assert reply.body["data"] == [] and reply.body["meta"]["count"] == 0


def test_related_citizens_leave_out_trashed_ones_as_the_linkage_does(client, six):
    trash(client, f"{NESTED}/3")

    reply = client.get("/citizens/1.1/relatives")

    assert (
        ids(reply) == ["1.2", "1.4", "1.5"] == linkage_ids(client.get("/citizens/1.1").body["data"])
    )
    assert reply.body["meta"]["count"] == 3


def test_related_citizens_page_by_number_and_by_offset(client, six):
    base = HOST + "/citizens/1.1/relatives"

    by_number = client.get("/citizens/1.1/relatives?page[size]=1&page[number]=2")
    by_offset = client.get("/citizens/1.1/relatives?page[offset]=2&page[limit]=2")

    assert ids(by_number) == ["1.3"] and by_number.body["meta"]["count"] == 4
    assert by_number.body["links"]["next"] == f"{base}?page[size]=1&page[number]=3"
    assert by_number.body["links"]["last"] == f"{base}?page[size]=1&page[number]=4"
    assert ids(by_offset) == ["1.4", "1.5"]
    assert by_offset.body["links"]["prev"] == f"{base}?page[offset]=0&page[limit]=2"
    assert by_offset.body["links"]["next"] is None


def test_related_citizens_sort_filter_and_fields(client, six):
    url = "/citizens/1.1/relatives"

    assert ids(client.get(f"{url}?sort=-citizen_id")) == ["1.5", "1.4", "1.3", "1.2"]
    assert ids(client.get(f"{url}?sort=name")) == ["1.5", "1.4", "1.3", "1.2"]
    filtered = client.get(f"{url}?filter[town]=A")
    assert ids(filtered) == ["1.3", "1.5"] and filtered.body["meta"]["count"] == 2
    assert ids(client.get(f"{url}?filter[citizen_id]=2,4,6")) == ["1.2", "1.4"]
    sparse = client.get(f"{url}?fields[citizens]=name").body["data"]
    assert [r["attributes"] for r in sparse] == [{"name": n} for n in "dcba"]


def test_the_related_import_is_the_import_document(client, make_import):
    make_import()
    make_import()

    reply = client.get("/citizens/2.3/import")

    assert reply.status == 200
    assert reply.body["data"] == client.get("/imports/2").body["data"]
    assert reply.body["data"]["id"] == "2"


# ---------------------------------------------------------------------------------------------
# Aggregates at /imports/{id}/birthdays, /birthdays/{id} and /imports/{id}/town-age-stats
# ---------------------------------------------------------------------------------------------


def test_birthdays_are_the_same_document_at_every_url_with_a_canonical_self(client, make_import):
    make_import()
    make_import([citizen(1, [2], birth_date="1990-05-01"), citizen(2, [1])])

    replies = [
        client.get(url)
        for url in ("/imports/2/citizens/birthdays", "/imports/2/birthdays", "/birthdays/2")
    ]

    assert [r.status for r in replies] == [200, 200, 200]
    assert replies[0].body["data"]["links"]["self"] == HOST + "/birthdays/2"
    assert replies[0].body["data"]["attributes"]["months"]["5"] == [
        {"citizen_id": 2, "presents": 1}
    ]
    assert all(r.body["data"] == replies[0].body["data"] for r in replies)
    assert all(stable_meta(r.body) == stable_meta(replies[0].body) for r in replies)


@pytest.mark.parametrize("query", ["", "?as_of=2020-06-30", "?as_of=2020-06-30&sort=-town"])
def test_town_age_stats_are_the_same_document_as_the_percentile_path(client, make_import, query):
    make_import(family())

    canonical = client.get(f"/imports/1/town-age-stats{query}")
    nested = client.get(f"/imports/1/towns/stat/percentile/age{query}")

    assert canonical.status == nested.status == 200
    assert canonical.body["data"] == nested.body["data"]
    assert [r["attributes"]["town"] for r in canonical.body["data"]] == (
        ["Москва", "Керчь"] if "sort" in query else ["Керчь", "Москва"]
    )
    assert stable_meta(canonical.body) == stable_meta(nested.body)


# ---------------------------------------------------------------------------------------------
# POST /citizens
# ---------------------------------------------------------------------------------------------


def test_post_adds_a_citizen_to_the_import_it_relates_to(client, make_import):
    make_import()
    make_import()

    reply = client.post("/citizens", json=new_citizen_document(2, 4, relatives=[1, 4]))

    assert reply.status == 201, reply.body
    assert reply.headers["Location"] == HOST + "/citizens/2.4"
    assert reply.body["data"]["id"] == "2.4"
    assert reply.body["data"]["links"]["self"] == HOST + "/citizens/2.4"
    assert linkage_ids(reply.body["data"]) == ["2.1", "2.4"]
    assert reply.body["data"] == client.get("/citizens/2.4").body["data"]
    assert relatives(client, 1, import_id=2) == ["2.2", "2.4"]
    assert client.get("/imports/1/citizens/4").status == 404
    assert client.get("/imports/2").body["data"]["attributes"]["data_version"] == 2


def test_post_without_relatives_adds_a_citizen_with_none(client, make_import):
    make_import()

    reply = client.post("/citizens", json=new_citizen_document(1, 4))

    assert reply.status == 201, reply.body
    assert reply.headers["Location"] == HOST + "/citizens/1.4"
    assert linkage_ids(reply.body["data"]) == []


@pytest.mark.parametrize(
    ("import_id", "trashed", "status"),
    [(None, False, 422), (9, False, 404), (1, True, 404)],
    ids=["no-import", "missing-import", "trashed-import"],
)
def test_post_needs_an_import_that_exists(client, make_import, sql, import_id, trashed, status):
    make_import()
    make_import()
    if trashed:
        trash(client, "/imports/1")
    before = database_state(sql)

    reply = client.post("/citizens", json=new_citizen_document(import_id, 4))

    assert reply.status == status
    if status == 422:
        assert reply.error_pointers() == ["/data/relationships/import"]
    assert database_state(sql) == before
    # The same citizen, sent to a live import, is taken.
    assert client.post("/citizens", json=new_citizen_document(2, 4)).status == 201


def test_post_with_a_taken_citizen_id_is_409_as_under_the_nested_path(client, make_import, sql):
    make_import()
    before = database_state(sql)

    canonical = client.post("/citizens", json=new_citizen_document(1, 2))
    nested = client.post(NESTED, json=citizen_document(1, citizen_attributes(2)))

    assert canonical.status == nested.status == 409
    assert "citizen_id 2" in canonical.errors[0]["detail"]
    assert database_state(sql) == before


# ---------------------------------------------------------------------------------------------
# GET /citizens: citizens across imports
# ---------------------------------------------------------------------------------------------


def test_citizens_of_every_live_import_in_citizen_id_then_import_order(client, make_import):
    make_import()
    make_import()

    reply = client.get("/citizens")

    assert ids(reply) == ["1.1", "2.1", "1.2", "2.2", "1.3", "2.3"]
    assert reply.body["meta"]["count"] == 6
    assert reply.body["links"]["self"] == HOST + "/citizens"
    assert reply.body["data"][0] == client.get(f"{NESTED}/1").body["data"]


def test_filter_by_import_narrows_to_those_imports(client, make_import):
    for _ in range(3):
        make_import()

    only_two = client.get("/citizens?filter[import]=2")
    one_and_three = client.get("/citizens?filter[import]=1,3")

    assert ids(only_two) == ["2.1", "2.2", "2.3"] and only_two.body["meta"]["count"] == 3
    assert ids(one_and_three) == ["1.1", "3.1", "1.2", "3.2", "1.3", "3.3"]
    assert ids(client.get("/citizens?filter[import]=1&filter[citizen_id]=2")) == ["1.2"]
    assert client.get("/citizens?filter[import]=9").body["data"] == []


def test_citizens_across_imports_page_sort_filter_fields_and_include(client, make_import):
    make_import()
    make_import()
    base = HOST + "/citizens"

    page = client.get("/citizens?page[size]=2&page[number]=2")
    assert ids(page) == ["1.2", "2.2"] and page.body["meta"]["count"] == 6
    assert page.body["links"]["next"] == f"{base}?page[size]=2&page[number]=3"
    assert page.body["links"]["last"] == f"{base}?page[size]=2&page[number]=3"
    assert ids(client.get("/citizens?page[offset]=4&page[limit]=5")) == ["1.3", "2.3"]
    assert ids(client.get("/citizens?filter[import]=2&sort=-citizen_id")) == ["2.3", "2.2", "2.1"]
    assert ids(client.get("/citizens?filter[town]=Керчь")) == ["1.3", "2.3"]
    sparse = client.get("/citizens?fields[citizens]=citizen_id&page[size]=2").body["data"]
    assert [r["attributes"] for r in sparse] == [{"citizen_id": 1}, {"citizen_id": 1}]
    included = client.get("/citizens?filter[import]=2&filter[citizen_id]=1&include=relatives")
    assert ids(included) == ["2.1"] and included_ids(included) == ["2.2"]


def test_citizens_of_a_trashed_import_are_listed_only_with_trashed(client, admin, make_import):
    make_import()
    make_import()
    trash(client, "/imports/1")

    assert ids(client.get("/citizens")) == ["2.1", "2.2", "2.3"]
    assert client.get("/citizens").body["meta"]["count"] == 3
    assert ids(admin.get("/citizens")) == ["2.1", "2.2", "2.3"]
    everyone = admin.get("/citizens?with_trashed=true")
    assert ids(everyone) == ["1.1", "2.1", "1.2", "2.2", "1.3", "2.3"]


def test_trashed_citizens_are_listed_with_trashed_or_only_trashed(client, admin, make_import):
    make_import()
    make_import()
    trash(client, "/citizens/1.2")

    assert ids(client.get("/citizens")) == ["1.1", "2.1", "2.2", "1.3", "2.3"]
    assert ids(admin.get("/citizens?with_trashed=true")) == [
        "1.1",
        "2.1",
        "1.2",
        "2.2",
        "1.3",
        "2.3",
    ]
    only = admin.get("/citizens?only_trashed=true")
    assert ids(only) == ["1.2"] and only.body["meta"]["count"] == 1
    assert only.body["data"][0]["attributes"]["deleted_at"] is not None


@pytest.mark.parametrize("parameter", ["with_trashed", "only_trashed"])
def test_an_editor_may_not_ask_for_the_trash_of_every_import(client, make_import, parameter):
    make_import()

    assert client.get(f"/citizens?{parameter}=true").status == 403


# ---------------------------------------------------------------------------------------------
# Permissions
# ---------------------------------------------------------------------------------------------

READS = [
    "/citizens",
    "/citizens/1.1",
    "/citizens/1.1/relationships/relatives",
    "/citizens/1.1/relatives",
    "/citizens/1.1/import",
    "/imports/1/birthdays",
    "/birthdays/1",
    "/imports/1/town-age-stats",
]
WRITES = [
    ("POST", "/citizens", new_citizen_document(1, 4)),
    ("PATCH", "/citizens/1.1", citizen_document(1, {"town": "X"}, resource_id="1.1")),
    ("DELETE", "/citizens/1.1", None),
    ("POST", "/citizens/1.1/relationships/relatives", {"data": linkage(1, [3])}),
    ("PATCH", "/citizens/1.1/relationships/relatives", {"data": linkage(1, [3])}),
    ("DELETE", "/citizens/1.1/relationships/relatives", {"data": linkage(1, [2])}),
]


def test_a_reader_may_read_every_canonical_url(reader, make_import):
    make_import()

    assert {url: reader.get(url).status for url in READS} == dict.fromkeys(READS, 200)


@pytest.mark.parametrize(
    ("method", "url", "document"), WRITES, ids=[f"{m} {u}" for m, u, _ in WRITES]
)
def test_a_reader_may_not_write_and_changes_nothing(
    reader, make_import, sql, method, url, document
):
    make_import()
    before = database_state(sql)

    reply = reader.request(method, url, json=document)

    assert reply.status == 403
    assert database_state(sql) == before


@pytest.mark.parametrize(
    ("method", "url", "document"),
    [("GET", url, None) for url in READS[:3]] + WRITES[:2],
    ids=[f"GET {url}" for url in READS[:3]] + [f"{m} {u}" for m, u, _ in WRITES[:2]],
)
def test_without_a_token_every_canonical_url_is_401(anonymous, make_import, method, url, document):
    make_import()

    reply = anonymous.request(method, url, json=document)

    assert reply.status == 401
    assert "WWW-Authenticate" in reply.headers
