"""JSON:API details a hostile probe found wrong, each as the contract says it must be."""

import pytest

from tests.factories import citizen_document, family, import_document

MEDIA_TYPE = "application/vnd.api+json"
# RFC 9110's reason phrases (Python 3.11's http.HTTPStatus still has the RFC 7231 ones).
REASON_PHRASES = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    406: "Not Acceptable",
    409: "Conflict",
    415: "Unsupported Media Type",
    422: "Unprocessable Content",
}


def import_patch(**data) -> dict:
    return {"data": {"type": "imports", "id": "1", **data}}


# (method, url, how to send it, expected status): one request per status the API answers.
FAILURES = [
    ("GET", "/imports/1/citizens?page[number]=0", {}, 400),
    ("GET", "/imports/1", {"headers": {"Authorization": "Bearer nope"}}, 401),
    ("DELETE", "/imports/1?permanent=true", {}, 403),
    ("GET", "/imports/99", {}, 404),
    ("PUT", "/imports/1", {}, 405),
    ("GET", "/imports/1", {"headers": {"Accept": "text/html"}}, 406),
    ("PATCH", "/imports/1", {"json": {"data": {"type": "imports", "id": "2"}}}, 409),
    ("POST", "/imports", {"raw": b"{}", "headers": {"Content-Type": "text/plain"}}, 415),
    ("POST", "/imports", {"json": import_document([{"citizen_id": -1}])}, 422),
]


@pytest.mark.parametrize(("method", "url", "how", "status"), FAILURES, ids=lambda v: str(v))
def test_error_titles_and_status_lines_are_rfc_9110_reason_phrases(
    client, make_import, method, url, how, status
):
    make_import()

    reply = client.request(method, url, **how)
    raw = client.flask.open(url, method=method, headers={"Authorization": f"Bearer {client.token}"})

    assert reply.status == status, reply.body
    assert [error["title"] for error in reply.errors] == [REASON_PHRASES[status]] * len(
        reply.errors
    )
    if raw.status_code == status:
        assert raw.status == f"{status} {REASON_PHRASES[status]}"


@pytest.mark.parametrize(
    "url",
    [
        "/imports",
        "/imports/1",
        "/imports/1/citizens",
        "/imports/1/citizens/1",
        "/imports/1/citizens/1/relationships/relatives",
        "/imports/1/citizens/birthdays",
        "/imports/1/towns/stat/percentile/age",
    ],
)
def test_every_document_says_which_json_api_it_speaks(client, make_import, url):
    make_import()

    assert client.get(url).body["jsonapi"] == {"version": "1.0"}


def test_created_documents_say_which_json_api_they_speak(client):
    assert client.post("/imports", json=import_document(family())).body["jsonapi"] == {
        "version": "1.0"
    }


@pytest.mark.parametrize("resource_id", [1, 1.0, None, ["1"]])
def test_an_id_that_is_not_a_string_is_a_bad_request(client, make_import, resource_id):
    make_import()
    document = citizen_document(1, {"name": "Анна"})
    document["data"]["id"] = resource_id

    reply = client.patch("/imports/1/citizens/1", json=document)

    assert reply.status == 400
    assert reply.error_pointers() == ["/data/id"]


@pytest.mark.parametrize(
    ("extra", "pointer"),
    [
        ({"errors": [{"status": "400"}]}, "/errors"),
        ({"datum": {}}, "/datum"),
        ({"include": "relatives"}, "/include"),
    ],
)
def test_a_document_with_members_json_api_does_not_define_is_a_bad_request(
    client, make_import, sql, extra, pointer
):
    make_import()
    document = {**citizen_document(1, {"name": "Анна"}), **extra}

    reply = client.patch("/imports/1/citizens/1", json=document)

    assert reply.status == 400
    assert reply.error_pointers() == [pointer]
    assert sql("SELECT name FROM citizens WHERE citizen_id = 1")[0][0] != "Анна"


@pytest.mark.parametrize(
    "parameter", ["filter[town][eq]", "filter[town][]", "page[number][x]", "fields[citizens][a]"]
)
def test_a_parameter_of_a_json_api_family_with_extra_brackets_is_refused(
    client, make_import, parameter
):
    make_import()

    reply = client.get(f"/imports/1/citizens?{parameter}=Москва")

    assert reply.status == 400
    assert reply.errors[0]["source"] == {"parameter": parameter}


def test_sparse_fieldsets_apply_to_town_age_stats(client, make_import):
    make_import()

    reply = client.get("/imports/1/towns/stat/percentile/age?fields[town-age-stats]=p50")

    assert reply.status == 200
    assert {frozenset(r["attributes"]) for r in reply.body["data"]} == {frozenset({"p50"})}


@pytest.mark.parametrize(
    ("accept", "status"),
    [
        (f"{MEDIA_TYPE};q=0, */*", 406),
        (f"*/*, {MEDIA_TYPE};q=0", 406),
        (f"application/*, {MEDIA_TYPE};q=0", 406),
        (f"{MEDIA_TYPE};q=0.5, */*;q=0", 200),
        ("application/json, */*;q=0.1", 200),
        (f"application/*;q=0, {MEDIA_TYPE}", 200),
    ],
)
def test_accept_that_refuses_json_api_by_name_is_not_overruled_by_a_wildcard(
    client, make_import, accept, status
):
    make_import()

    assert client.get("/imports/1", headers={"Accept": accept}).status == status


def test_pointers_to_import_attributes_are_rfc_6901_escaped(client):
    reply = client.post(
        "/imports",
        json={"data": {"type": "imports", "attributes": {"citizens": [], "a/b~c": 1}}},
    )

    assert reply.status == 422
    assert reply.error_pointers() == ["/data/attributes/a~1b~0c"]


def test_relationships_sent_with_a_new_import_are_refused_not_dropped(client, sql):
    document = import_document(family())
    document["data"]["relationships"] = {"citizens": {"data": []}}

    reply = client.post("/imports", json=document)

    assert reply.status == 422
    assert reply.error_pointers() == ["/data/relationships/citizens"]
    assert sql("SELECT count(*) FROM imports")[0][0] == 0


@pytest.mark.parametrize("url", ["/imports/99", "/imports/1/citizens/99", "/imports/99/citizens"])
def test_a_missing_path_segment_is_a_404_without_a_source(client, make_import, url):
    make_import()

    reply = client.get(url)

    assert reply.status == 404
    assert "source" not in reply.errors[0]


def test_sparse_fieldsets_apply_to_imports(admin, make_import):
    make_import()

    reply = admin.get("/imports?fields[imports]=data_version")

    assert reply.body["data"][0]["attributes"] == {"data_version": 1}
