"""The HTTP and JSON:API protocol rules: the shape of request documents, and their size.

Every reply goes through the JSON:API-checking client, so each test also proves that the error is
a schema-valid JSON:API error document carrying the security headers.
"""

import orjson
import pytest

from tests.factories import citizen, citizen_attributes, citizen_document, family, import_document
from tests.integration.stored import assert_nothing_stored

NESTING = 100_000
MALFORMED = [
    pytest.param(b'{"data": {"type": "imports"', id="malformed JSON"),
    pytest.param(b"{'data': {}}", id="single quotes"),
    pytest.param(b'{"data": {"type": "imports", "attributes": {"citizens": []}}} x', id="trailing"),
    pytest.param(b'{"data": {"type": "imp\xff\xfeorts"}}', id="invalid UTF-8"),
    pytest.param(b"", id="empty body"),
    pytest.param(b"null", id="null document"),
    pytest.param(b"[]", id="array document"),
    pytest.param(b'"data"', id="string document"),
    pytest.param(b"{}", id="data missing"),
    pytest.param(b'{"data": null}', id="data null"),
    pytest.param(b'{"data": []}', id="data an array"),
    pytest.param(b'{"data": "imports"}', id="data a string"),
    pytest.param(
        b'{"data": {"attributes": {"citizens": []}}}',
        id="type missing",
    ),
    pytest.param(
        b'{"data": {"type": "imports", "attributes": {"citizens": []}, "foo": 1}}',
        id="unknown member in the resource object",
    ),
    pytest.param(
        b'{"data": {"type": "imports", "attributes": []}}',
        id="attributes an array",
    ),
    pytest.param(
        b'{"data": {"type": "imports", "attributes": {"citizens": '
        + b"[" * NESTING
        + b"]" * NESTING
        + b"}}}",
        id="100,000 nested arrays",
    ),
    pytest.param(
        b'{"data": {"type": "imports", "attributes": {"citizens": [], "x": '
        + b'{"a":' * NESTING
        + b"1"
        + b"}" * NESTING
        + b"}}}",
        id="100,000 nested objects",
    ),
]


@pytest.mark.parametrize("body", MALFORMED)
def test_malformed_import_document_is_400(client, sql, body):
    reply = client.post("/imports", raw=body)

    assert reply.status == 400
    assert len(reply.errors) >= 1
    assert_nothing_stored(sql)


@pytest.mark.parametrize("body", [b"{", b"[]", b'{"data": []}', b""], ids=str)
def test_malformed_citizen_document_is_400(client, make_import, sql, body):
    import_id = make_import()

    reply = client.post(f"/imports/{import_id}/citizens", raw=body)

    assert reply.status == 400
    assert sql("SELECT count(*) FROM citizens")[0][0] == 3
    assert sql("SELECT data_version FROM imports")[0][0] == 1


def test_unknown_resource_member_is_pointed_at(client):
    document = import_document(family())
    document["data"]["foo"] = 1

    reply = client.post("/imports", json=document)

    assert reply.status == 400
    assert reply.error_pointers() == ["/data/foo"]


def test_client_generated_import_id_is_403(client, sql):
    document = import_document(family())
    document["data"]["id"] = "1"

    reply = client.post("/imports", json=document)

    assert reply.status == 403
    assert reply.error_pointers() == ["/data/id"]
    assert_nothing_stored(sql)


def test_client_generated_citizen_id_is_403(client, make_import, sql):
    import_id = make_import()
    document = citizen_document(import_id, citizen_attributes(4), resource_id=f"{import_id}.4")

    reply = client.post(f"/imports/{import_id}/citizens", json=document)

    assert reply.status == 403
    assert reply.error_pointers() == ["/data/id"]
    assert sql("SELECT count(*) FROM citizens")[0][0] == 3


@pytest.mark.parametrize("type_", ["citizens", "import", "Imports", ""])
def test_wrong_type_on_post_import_is_409(client, sql, type_):
    document = import_document(family())
    document["data"]["type"] = type_

    reply = client.post("/imports", json=document)

    assert reply.status == 409
    assert reply.error_pointers() == ["/data/type"]
    assert_nothing_stored(sql)


def test_wrong_type_on_post_citizen_is_409(client, make_import, sql):
    import_id = make_import()
    document = citizen_document(import_id, citizen_attributes(4))
    document["data"]["type"] = "imports"

    reply = client.post(f"/imports/{import_id}/citizens", json=document)

    assert reply.status == 409
    assert sql("SELECT count(*) FROM citizens")[0][0] == 3


def test_body_over_the_limit_is_413(client_with, sql):
    limited = client_with(MAX_CONTENT_LENGTH=1000)
    document = import_document([citizen(i) for i in range(1, 20)])
    assert len(orjson.dumps(document)) > 1000

    reply = limited.post("/imports", json=document)

    assert reply.status == 413
    assert_nothing_stored(sql)


def test_body_under_the_limit_is_accepted(client_with):
    limited = client_with(MAX_CONTENT_LENGTH=1000)
    document = import_document([citizen(1)])
    assert len(orjson.dumps(document)) < 1000

    assert limited.post("/imports", json=document).status == 201
