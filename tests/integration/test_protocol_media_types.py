"""The HTTP and JSON:API protocol rules: content negotiation (Content-Type and Accept).

Every reply goes through the JSON:API-checking client, so each test also proves that the error is
a schema-valid JSON:API error document carrying the security headers.
"""

import orjson
import pytest

from tests.factories import citizen_document, family, import_document
from tests.integration.stored import assert_nothing_stored
from tests.jsonapi_client import MEDIA_TYPE


@pytest.mark.parametrize(
    "content_type",
    [
        "application/json",
        "text/plain",
        "multipart/form-data; boundary=xyz",
        "application/vnd.api+json; charset=utf-8",
        "application/vnd.api+json; ext=foo",
        "application/x-www-form-urlencoded",
    ],
)
def test_post_with_a_foreign_media_type_is_415(client, sql, content_type):
    reply = client.post(
        "/imports",
        raw=orjson.dumps(import_document(family())),
        headers={"Content-Type": content_type},
    )

    assert reply.status == 415
    assert_nothing_stored(sql)


def test_media_type_names_are_case_insensitive(client):
    reply = client.post(
        "/imports",
        raw=orjson.dumps(import_document(family())),
        headers={"Content-Type": "Application/VND.API+JSON", "Accept": "APPLICATION/VND.API+JSON"},
    )

    assert reply.status == 201, reply.body


def test_post_without_a_content_type_is_415(app, sql):
    response = app.test_client().post(
        "/imports", data=orjson.dumps(import_document(family())), headers={"Accept": MEDIA_TYPE}
    )

    assert response.status_code == 415
    assert response.headers["Content-Type"] == MEDIA_TYPE
    assert_nothing_stored(sql)


def test_patch_with_a_foreign_media_type_is_415(client, make_import, sql):
    import_id = make_import()
    document = citizen_document(import_id, {"town": "Тверь"}, resource_id=f"{import_id}.1")

    reply = client.patch(
        f"/imports/{import_id}/citizens/1",
        raw=orjson.dumps(document),
        headers={"Content-Type": "application/json"},
    )

    assert reply.status == 415
    assert sql("SELECT town FROM citizens WHERE citizen_id = 1")[0][0] == "Москва"


@pytest.mark.parametrize(
    "accept",
    [
        "text/html",
        "application/json",
        "application/vnd.api+json; ext=foo",
        "application/vnd.api+json; ext=foo, text/html",
        "application/vnd.api+json; q=0",
    ],
)
def test_accept_without_a_plain_jsonapi_media_type_is_406(client, accept):
    reply = client.get("/imports", headers={"Accept": accept})

    assert reply.status == 406


@pytest.mark.parametrize(
    "accept",
    [
        "*/*",
        "application/*",
        "application/vnd.api+json",
        "application/vnd.api+json; ext=foo, application/vnd.api+json",
        "text/html, application/vnd.api+json;q=0.5",
    ],
)
def test_accept_that_allows_plain_jsonapi_is_200(client, accept):
    reply = client.get("/imports", headers={"Accept": accept})

    assert reply.status == 200
    assert reply.body["data"] == []


def test_a_refused_accept_writes_nothing(client, sql):
    reply = client.post("/imports", json=import_document(family()), headers={"Accept": "text/html"})

    assert reply.status == 406
    assert_nothing_stored(sql)
