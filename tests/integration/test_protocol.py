"""The HTTP and JSON:API protocol rules: media types, document shape, methods, query parameters.

Every reply goes through the JSON:API-checking client, so each test also proves that the error is
a schema-valid JSON:API error document carrying the security headers.
"""

import orjson
import pytest

from tests.factories import citizen, citizen_attributes, citizen_document, import_document
from tests.jsonapi_client import MEDIA_TYPE, SECURITY_HEADERS


def valid_import() -> dict:
    return import_document([citizen(1, [2]), citizen(2, [1])])


def assert_nothing_stored(sql) -> None:
    assert sql("SELECT count(*) FROM imports")[0][0] == 0
    assert sql("SELECT count(*) FROM citizens")[0][0] == 0
    assert sql("SELECT count(*) FROM kinship")[0][0] == 0


# ---------------------------------------------------------------------------------------------
# Content negotiation
# ---------------------------------------------------------------------------------------------


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
        "/imports", raw=orjson.dumps(valid_import()), headers={"Content-Type": content_type}
    )

    assert reply.status == 415
    assert_nothing_stored(sql)


def test_media_type_names_are_case_insensitive(client):
    reply = client.post(
        "/imports",
        raw=orjson.dumps(valid_import()),
        headers={"Content-Type": "Application/VND.API+JSON", "Accept": "APPLICATION/VND.API+JSON"},
    )

    assert reply.status == 201, reply.body


def test_post_without_a_content_type_is_415(app, sql):
    response = app.test_client().post(
        "/imports", data=orjson.dumps(valid_import()), headers={"Accept": MEDIA_TYPE}
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
    reply = client.post("/imports", json=valid_import(), headers={"Accept": "text/html"})

    assert reply.status == 406
    assert_nothing_stored(sql)


# ---------------------------------------------------------------------------------------------
# Malformed documents
# ---------------------------------------------------------------------------------------------

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
    document = valid_import()
    document["data"]["foo"] = 1

    reply = client.post("/imports", json=document)

    assert reply.status == 400
    assert reply.error_pointers() == ["/data/foo"]


def test_client_generated_import_id_is_403(client, sql):
    document = valid_import()
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
    document = valid_import()
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


# ---------------------------------------------------------------------------------------------
# Methods and URLs
# ---------------------------------------------------------------------------------------------


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

    reply = client.request(method, url, json=valid_import() if method != "DELETE" else None)

    assert reply.status == 405
    allow = {m.strip() for m in reply.headers["Allow"].split(",")}
    assert allowed <= allow
    assert not allow & refused
    assert sql("SELECT count(*) FROM imports")[0][0] == 1


@pytest.mark.parametrize(
    "url",
    [
        "/nope",
        "/",
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
# Query parameters
# ---------------------------------------------------------------------------------------------

CITIZENS = "/imports/1/citizens"
BAD_PARAMETERS = [
    ("/imports?foo=1", "foo"),
    ("/imports/1?foo=1", "foo"),
    (f"{CITIZENS}?foo=1", "foo"),
    (f"{CITIZENS}/1?foo=1", "foo"),
    (f"{CITIZENS}/1/relationships/relatives?foo=1", "foo"),
    (f"{CITIZENS}/birthdays?foo=1", "foo"),
    ("/imports/1/towns/stat/percentile/age?foo=1", "foo"),
    (f"{CITIZENS}?page[number]=0", "page[number]"),
    (f"{CITIZENS}?page[number]=-1", "page[number]"),
    (f"{CITIZENS}?page[number]=abc", "page[number]"),
    (f"{CITIZENS}?page[number]=", "page[number]"),
    (f"{CITIZENS}?page[size]=-1", "page[size]"),
    (f"{CITIZENS}?page[size]=1.5", "page[size]"),
    (f"{CITIZENS}?page[size]=2147483648", "page[size]"),
    (f"{CITIZENS}?page[offset]=1", "page[offset]"),
    ("/imports?page[number]=0", "page[number]"),
    (f"{CITIZENS}?sort=nope", "sort"),
    (f"{CITIZENS}?sort=-nope", "sort"),
    (f"{CITIZENS}?sort=relatives", "sort"),
    (f"{CITIZENS}?sort=name,nope", "sort"),
    ("/imports?sort=nope", "sort"),
    (f"{CITIZENS}?filter[nope]=1", "filter[nope]"),
    (f"{CITIZENS}?filter[citizen_id]=abc", "filter[citizen_id]"),
    (f"{CITIZENS}?filter[citizen_id]=1,abc", "filter[citizen_id]"),
    (f"{CITIZENS}?filter[apartment]=-1", "filter[apartment]"),
    (f"{CITIZENS}?filter[birth_date]=20200101", "filter[birth_date]"),
    (f"{CITIZENS}?filter[birth_date]=2019-02-29", "filter[birth_date]"),
    ("/imports?filter[nope]=1", "filter[nope]"),
    (f"{CITIZENS}?fields[citizens]=nope", "fields[citizens]"),
    (f"{CITIZENS}?fields[nope]=x", "fields[nope]"),
    (f"{CITIZENS}/1?fields[citizens]=nope", "fields[citizens]"),
    (f"{CITIZENS}?include=nope", "include"),
    (f"{CITIZENS}/1?include=nope", "include"),
    ("/imports?include=citizens", "include"),
    (f"{CITIZENS}?sort=name&sort=town", "sort"),
    (f"{CITIZENS}?page[size]=1&page[size]=2", "page[size]"),
    ("/imports/1/towns/stat/percentile/age?as_of=2020-13-01", "as_of"),
    ("/imports/1/towns/stat/percentile/age?as_of=20200101", "as_of"),
    ("/imports/1/towns/stat/percentile/age?as_of=2019-02-29", "as_of"),
    ("/imports/1/towns/stat/percentile/age?as_of=", "as_of"),
]


@pytest.mark.parametrize(("url", "parameter"), BAD_PARAMETERS)
def test_bad_query_parameter_is_400_naming_it(client, make_import, url, parameter):
    make_import()

    reply = client.get(url)

    assert reply.status == 400, reply.body
    assert [e.get("source") for e in reply.errors] == [{"parameter": parameter}]


def test_unknown_parameter_on_a_write_is_400_and_writes_nothing(client, sql):
    reply = client.post("/imports?foo=1", json=valid_import())

    assert reply.status == 400
    assert reply.errors[0]["source"] == {"parameter": "foo"}
    assert_nothing_stored(sql)


@pytest.mark.parametrize(
    "url",
    [
        "/imports?camelCase=1",
        "/imports?my_param=1",
        "/imports?param2=1",
        f"{CITIZENS}?camelCase=1",
        f"{CITIZENS}/1?my-param=1",
        f"{CITIZENS}/birthdays?my_param=1",
        "/imports/1/towns/stat/percentile/age?camelCase=1",
    ],
)
def test_implementation_specific_parameter_is_ignored(client, make_import, url):
    make_import()

    reply = client.get(url)

    assert reply.status == 200
    assert "data" in reply.body


@pytest.mark.parametrize(
    "url",
    [
        f"{CITIZENS}?page[number]=1&page[size]=0",
        f"{CITIZENS}?sort=-name,town&filter[gender]=male,female",
        f"{CITIZENS}?filter[birth_date]=2000-02-29&include=relatives",
        f"{CITIZENS}?fields[citizens]=name,relatives",
        f"{CITIZENS}/1?include=relatives&fields[citizens]=town",
        "/imports/1/towns/stat/percentile/age?as_of=2020-02-29&sort=-p50",
    ],
)
def test_valid_query_parameters_are_accepted(client, make_import, url):
    make_import()

    assert client.get(url).status == 200


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
        ("POST", "/imports", valid_import()),
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
    assert reply.errors[0]["title"] == "Service unavailable"
