"""CORS: a single-page application on another origin may call the API from a browser.

A preflight (OPTIONS with Origin and Access-Control-Request-Method, sent by browsers without
Authorization) needs no token and is 204 with the allowed methods, request headers and a
Max-Age. Every answer to an allowed origin, errors included, carries Access-Control-Allow-Origin
(the request's origin, with Vary: Origin) and exposes the headers a client acts on. A disallowed
origin gets no Access-Control-* header and the same answer as a request without Origin.
"""

import pytest

from config import ProductionConfig
from tests.factories import citizen, family, import_document, restore_document
from tests.integration.stored import assert_nothing_stored, data_version
from tests.jsonapi_client import SECURITY_HEADERS, JsonApiClient

ORIGIN = "https://spa.example"
OTHER_ORIGIN = "https://elsewhere.example"
REQUEST_HEADERS = ("Authorization", "Content-Type", "Accept", "If-Match", "If-None-Match")
REQUEST_HEADERS += ("X-Request-ID",)
EXPOSED_HEADERS = {"location", "etag", "retry-after", "www-authenticate", "x-request-id"}
WRITES = {"POST", "PATCH", "DELETE"}

# Every route with a method a browser app would preflight for it (GET with Authorization is
# preflighted too: Authorization is not a CORS-safelisted header).
PREFLIGHTS = [
    ("/imports", "POST"),
    ("/imports/1", "PATCH"),
    ("/imports/1", "DELETE"),
    ("/imports/1/citizens", "GET"),
    ("/imports/1/citizens/1", "PATCH"),
    ("/imports/1/citizens/1/relationships/relatives", "POST"),
    ("/imports/1/citizens/birthdays", "GET"),
    ("/imports/1/towns/stat/percentile/age", "GET"),
]


def preflight(client: JsonApiClient, url: str, method: str = "POST", origin: str = ORIGIN):
    """What a browser sends before a cross-origin request: no Authorization, `Accept: */*`, the
    request headers it means to send (lower case, as browsers list them)."""
    headers = {
        "Origin": origin,
        "Access-Control-Request-Method": method,
        "Access-Control-Request-Headers": ",".join(h.lower() for h in REQUEST_HEADERS),
        "Accept": "*/*",
    }
    return client.request("OPTIONS", url, headers=headers)


def names(value: str | None) -> set[str]:
    """The comma-separated names of a header's value, in lower case."""
    return {name.strip().lower() for name in (value or "").split(",") if name.strip()}


def cors_headers(reply) -> dict:
    return {k: v for k, v in reply.headers.items() if k.lower().startswith("access-control-")}


def assert_allowed(reply, origin: str = ORIGIN) -> None:
    """An answer a browser app on `origin` may read, error or not."""
    assert reply.headers.get("Access-Control-Allow-Origin") == origin, cors_headers(reply)
    assert "origin" in names(reply.headers.get("Vary"))
    assert names(reply.headers.get("Access-Control-Expose-Headers")) == EXPOSED_HEADERS
    # Tokens travel in Authorization, never in cookies: no credentialed requests.
    assert "Access-Control-Allow-Credentials" not in reply.headers


@pytest.fixture
def spa(app, tokens) -> JsonApiClient:
    """An editor's client that says it runs on ORIGIN (the test app allows any origin)."""
    client = JsonApiClient(app.test_client(), tokens["editor"])
    client.flask.environ_base["HTTP_ORIGIN"] = ORIGIN
    return client


@pytest.mark.parametrize(("url", "method"), PREFLIGHTS)
def test_a_preflight_needs_no_token_and_is_204_with_what_may_follow(anonymous, url, method):
    reply = preflight(anonymous, url, method)

    assert reply.status == 204
    assert reply.headers["Access-Control-Allow-Origin"] == ORIGIN
    assert "origin" in names(reply.headers.get("Vary"))
    assert {"get", "post", "patch", "delete"} <= names(
        reply.headers["Access-Control-Allow-Methods"]
    )
    assert names(reply.headers["Access-Control-Allow-Headers"]) == {
        h.lower() for h in REQUEST_HEADERS
    }
    assert int(reply.headers["Access-Control-Max-Age"]) > 0
    for name, value in SECURITY_HEADERS.items():
        assert reply.headers[name] == value


def test_a_preflight_lists_no_request_header_outside_the_contract(anonymous):
    headers = {
        "Origin": ORIGIN,
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type,x-debug",
    }
    reply = anonymous.request("OPTIONS", "/imports", headers=headers)

    assert reply.status == 204
    assert names(reply.headers.get("Access-Control-Allow-Headers")) == {"content-type"}


def test_a_preflight_changes_nothing(anonymous, client, sql, make_import):
    assert make_import() == 1  # the import PREFLIGHTS' URLs name
    version = data_version(sql)

    for url, method in PREFLIGHTS:
        assert preflight(anonymous, url, method).status == 204

    assert data_version(sql) == version
    assert sql("SELECT count(*) FROM imports WHERE deleted_at IS NULL")[0][0] == 1
    assert client.get("/imports/1/citizens").body["meta"]["count"] == 3


def test_flask_answers_every_preflight_itself(app):
    # Preflights pass the token check because no resource code runs for them: Flask answers
    # OPTIONS itself. A resource with an `options` method of its own would run without a token.
    rules = [rule for rule in app.url_map.iter_rules() if rule.endpoint.startswith("api.")]

    assert rules
    assert all(rule.provide_automatic_options for rule in rules)


def test_a_preflight_to_a_missing_url_lets_the_browser_read_the_json_api_404(anonymous, spa, sql):
    # Browsers need a 2xx preflight; a 404 there shows the client an opaque CORS failure
    # instead of the API's answer to the request itself.
    allowed = preflight(anonymous, "/importss", "GET")
    answer = spa.get("/importss", headers={"Origin": ORIGIN})

    assert allowed.status == 204
    assert_allowed(allowed)
    assert answer.status == 404 and answer.errors[0]["status"] == "404"
    assert_allowed(answer)
    assert_nothing_stored(sql)


@pytest.mark.parametrize(
    "headers",
    [{}, {"Origin": ORIGIN}, {"Access-Control-Request-Method": "GET"}],
    ids=["plain", "origin-only", "method-only"],
)
def test_an_options_request_that_is_no_preflight_still_needs_a_token(anonymous, headers):
    reply = anonymous.request("OPTIONS", "/imports", headers=headers)

    assert reply.status == 401
    assert "WWW-Authenticate" in reply.headers


@pytest.mark.parametrize("method", ["GET", "POST", "PATCH", "DELETE"])
def test_answers_to_an_allowed_origin_carry_cors_headers(spa, make_import, method):
    import_id = make_import()
    requests = {
        "GET": ("/imports", None),
        "POST": ("/imports", import_document(family())),
        "PATCH": (f"/imports/{import_id}", restore_document(import_id)),
        "DELETE": (f"/imports/{import_id}", None),
    }
    url, document = requests[method]

    reply = spa.request(method, url, json=document)

    assert reply.status == {"GET": 200, "POST": 201, "PATCH": 200, "DELETE": 204}[method]
    assert_allowed(reply)


def test_errors_to_an_allowed_origin_carry_cors_headers(app, tokens, spa, sql):
    invalid = import_document([citizen(1, birth_date="not a date")])
    reader = JsonApiClient(app.test_client(), tokens["reader"])
    reader.flask.environ_base["HTTP_ORIGIN"] = ORIGIN
    anonymous = JsonApiClient(app.test_client())
    anonymous.flask.environ_base["HTTP_ORIGIN"] = ORIGIN

    replies = {
        401: anonymous.get("/imports"),
        403: reader.post("/imports", json=import_document(family())),
        404: spa.get("/imports/999"),
        406: spa.get("/imports", headers={"Accept": "text/html"}),
        422: spa.post("/imports", json=invalid),
    }

    for status, reply in replies.items():
        assert reply.status == status, reply.body
        assert_allowed(reply)
    assert replies[401].headers["WWW-Authenticate"].startswith("Bearer")
    assert_nothing_stored(sql)


def test_a_failure_to_an_allowed_origin_carries_cors_headers(spa, make_import, execute):
    make_import()
    # A fault in the database itself (a column gone) makes a real read fail unexpectedly.
    execute("ALTER TABLE citizens RENAME COLUMN town TO town_gone_for_a_test")
    try:
        reply = spa.get("/imports/1/citizens")
    finally:
        execute("ALTER TABLE citizens RENAME COLUMN town_gone_for_a_test TO town")

    assert reply.status == 500
    assert_allowed(reply)


def test_an_outage_answer_to_an_allowed_origin_carries_cors_headers(client_with):
    # Nothing listens on port 1: the database is unreachable, so the answer is 503.
    client = client_with(SQLALCHEMY_DATABASE_URI="postgresql+psycopg://postgres@127.0.0.1:1/x")

    reply = client.request("GET", "/imports", headers={"Origin": ORIGIN})

    assert reply.status == 503
    assert reply.headers["Retry-After"]
    assert_allowed(reply)


def test_a_disallowed_origin_gets_no_cors_headers_and_the_same_answer(client_with, make_import):
    make_import()
    client = client_with(CORS_ORIGINS=ORIGIN)
    anonymous = JsonApiClient(client.flask)
    requests = [
        (client, "GET", "/imports"),
        (client, "GET", "/imports/999"),
        (anonymous, "GET", "/imports"),
    ]

    for sender, method, url in requests:
        plain = sender.request(method, url)
        foreign = sender.request(method, url, headers={"Origin": OTHER_ORIGIN})
        assert cors_headers(foreign) == cors_headers(plain) == {}
        assert (foreign.status, foreign.body) == (plain.status, plain.body)
    assert cors_headers(preflight(anonymous, "/imports", "POST", origin=OTHER_ORIGIN)) == {}
    assert_allowed(client.request("GET", "/imports", headers={"Origin": ORIGIN}))


def test_production_allows_no_origin_unless_told(client_with):
    # Production's default, from an environment without CORS_ORIGINS.
    origins = ProductionConfig.from_env({})["CORS_ORIGINS"]
    client = client_with(CORS_ORIGINS=origins)

    reply = client.request("GET", "/imports", headers={"Origin": ORIGIN})
    assert reply.status == 200
    assert cors_headers(reply) == {}
    assert cors_headers(preflight(JsonApiClient(client.flask), "/imports")) == {}


def test_a_comma_separated_list_allows_each_origin_listed_and_no_other(client_with):
    listed = ("https://spa.example", "http://localhost:5173")
    client = client_with(CORS_ORIGINS=" , ".join(listed))
    anonymous = JsonApiClient(client.flask)

    for origin in listed:
        assert_allowed(client.request("GET", "/imports", headers={"Origin": origin}), origin)
        reply = preflight(anonymous, "/imports", "POST", origin=origin)
        assert reply.headers["Access-Control-Allow-Origin"] == origin
    # Neither another origin nor one that merely starts or ends like a listed one.
    others = ("https://other.example", "https://spa.example.evil.test", "http://localhost:51730")
    others += ("https://evil.test/https://spa.example", "null")
    for origin in others:
        assert cors_headers(client.request("GET", "/imports", headers={"Origin": origin})) == {}
