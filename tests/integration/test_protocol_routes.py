"""The HTTP and JSON:API protocol rules: methods and URLs, OPTIONS, health, and an unreachable
database.

Every reply goes through the JSON:API-checking client, so each test also proves that the error is
a schema-valid JSON:API error document carrying the security headers.
"""

import pytest

from tests.factories import family, import_document
from tests.jsonapi_client import SECURITY_HEADERS


@pytest.mark.parametrize(
    ("method", "url", "allowed", "refused"),
    [
        ("PUT", "/imports", {"GET", "POST"}, {"PUT", "PATCH", "DELETE"}),
        ("PATCH", "/imports", {"GET", "POST"}, {"PUT", "PATCH", "DELETE"}),
        ("POST", "/imports/1", {"GET", "PATCH", "DELETE"}, {"POST", "PUT"}),
        ("PUT", "/imports/1/citizens/1", {"GET", "PATCH", "DELETE"}, {"POST", "PUT"}),
        ("DELETE", "/imports/1/citizens", {"GET", "POST"}, {"PUT", "PATCH", "DELETE"}),
        (
            "DELETE",
            "/imports/1/citizens/birthdays",
            {"GET"},
            {"POST", "PUT", "PATCH", "DELETE"},
        ),
        (
            "POST",
            "/imports/1/towns/stat/percentile/age",
            {"GET"},
            {"POST", "PUT", "PATCH", "DELETE"},
        ),
    ],
)
def test_wrong_method_is_405_with_allow(client, make_import, sql, method, url, allowed, refused):
    make_import()

    reply = client.request(
        method, url, json=import_document(family()) if method != "DELETE" else None
    )

    assert reply.status == 405
    allow = {m.strip() for m in reply.headers["Allow"].split(",")}
    assert allowed <= allow
    assert not allow & refused
    assert sql("SELECT count(*) FROM imports")[0][0] == 1


@pytest.mark.parametrize(
    "url",
    [
        "/nope",
        "/imports/",
        "/imports/abc",
        "/imports/1/citizens/-1",
        "/imports/1/citizens/1.5",
        "/imports/1/nope",
        "/imports/1/citizens/1/relationships/nope",
    ],
)
def test_unknown_url_is_a_jsonapi_404(client, make_import, url):
    make_import()

    reply = client.get(url)

    assert reply.status == 404
    assert len(reply.errors) == 1


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("GET", "/imports/2147483648"),
        ("GET", "/imports/99999999999999999999"),
        ("DELETE", "/imports/2147483648"),
        ("GET", "/imports/1/citizens/2147483648"),
        ("GET", "/imports/1/citizens/99999999999999999999"),
        ("GET", "/imports/2147483648/citizens"),
        ("GET", "/imports/2147483648/citizens/birthdays"),
        ("GET", "/imports/1/citizens/2147483648/relationships/relatives"),
    ],
)
def test_ids_beyond_the_integer_range_are_404(client, make_import, method, url):
    make_import()

    reply = client.request(method, url)

    assert reply.status == 404, reply.body


@pytest.mark.parametrize("url", ["/imports/\uff11", "/imports/1/citizens/\uff11"])
def test_non_ascii_digits_in_a_url_are_404(client, make_import, url):
    make_import()

    reply = client.get(url)

    assert reply.status == 404, reply.body


def test_security_headers_on_404_and_405(client):
    for reply in (client.get("/nope"), client.request("PUT", "/imports")):
        assert reply.status in (404, 405)
        for name, value in SECURITY_HEADERS.items():
            assert reply.headers[name] == value


# ---------------------------------------------------------------------------------------------
# Health
# ---------------------------------------------------------------------------------------------


def test_health_is_plain_json_with_a_database_check(app):
    response = app.test_client().get("/health")

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    body = response.get_json()
    assert body["status"] == "ok"
    database = body["checks"]["database"]
    assert database["ok"] is True
    assert isinstance(database["latency_ms"], int | float) and database["latency_ms"] >= 0
    assert {"ok", "latency_ms"} <= body["checks"]["broker"].keys()
    for name, value in SECURITY_HEADERS.items():
        assert response.headers[name] == value


def test_options_lists_the_allowed_methods_without_a_body(client):
    reply = client.request("OPTIONS", "/imports/1/citizens")

    assert reply.status == 204
    assert set(reply.headers["Allow"].split(", ")) == {"GET", "HEAD", "POST", "OPTIONS"}


@pytest.mark.parametrize(
    ("method", "url", "body"),
    [
        ("GET", "/imports/1/citizens", None),
        ("POST", "/imports", import_document(family())),
        ("PATCH", "/imports/1/citizens/1/relationships/relatives", {"data": []}),
    ],
)
def test_an_unreachable_database_is_a_503_with_retry_after(client_with, method, url, body):
    # Nothing listens on port 9; the pool's connection attempt is refused at once.
    unreachable = client_with(
        SQLALCHEMY_DATABASE_URI="postgresql+psycopg://postgres@127.0.0.1:9/none"
    )

    reply = unreachable.request(method, url, json=body)

    assert reply.status == 503
    assert reply.headers["Retry-After"] == "1"
    assert reply.errors[0]["title"] == "Service Unavailable"
