"""Input at and beyond every limit: a clear 4xx that changes nothing, never a 500.

The per-field rules (lengths, 32-bit integers, NUL in attributes, nesting depth, body size,
citizens per import) are proven field by field in test_validation.py and test_protocol.py; this
module covers what slips between a JSON parser, the URL router and the database driver: numbers no
machine integer holds, escapes that are not Unicode, NUL and broken UTF-8 in URLs and query
strings, and linkage too large or too strange to be a citizen id.
"""

import orjson
import pytest
import requests

from harness.processes import Gunicorn, service_env
from tests.factories import citizen, citizen_document, import_document, linkage
from tests.jsonapi_schema import assert_valid_document
from tests.robustness.seed import database_state

CITIZEN = "/imports/1/citizens/1"
RELATIVES = f"{CITIZEN}/relationships/relatives"


def import_body_with_raw_value(field: str, raw: bytes) -> bytes:
    """An import body whose only citizen has `raw` (literal JSON text) as `field`."""
    head = b'{"data": {"type": "imports", "attributes": {"citizens": [{'
    members = [
        b'"citizen_id": 1',
        b'"town": "T"',
        b'"street": "S"',
        b'"building": "B"',
        b'"apartment": 1',
        b'"name": "N"',
        b'"birth_date": "2000-01-01"',
        b'"gender": "male"',
        b'"relatives": []',
    ]
    members = [
        m if not m.startswith(f'"{field}"'.encode()) else f'"{field}": '.encode() + raw
        for m in members
    ]
    return head + b", ".join(members) + b"}]}}}"


UNREPRESENTABLE = [
    pytest.param("citizen_id", b"100000000000000000000000000000", id="citizen_id beyond 64 bits"),
    pytest.param("apartment", b"-100000000000000000000000000000", id="apartment below -2**63"),
    pytest.param("apartment", b"1e400", id="apartment overflowing float"),
    pytest.param("apartment", b"NaN", id="apartment NaN"),
    pytest.param("apartment", b"Infinity", id="apartment Infinity"),
    pytest.param("name", b'"\\ud800"', id="name lone high surrogate"),
    pytest.param("name", b'"\\udfff x"', id="name lone low surrogate"),
    pytest.param("name", b'"\\u0000"', id="name escaped NUL"),
    pytest.param("town", b'"\xed\xa0\x80"', id="town UTF-8 encoded surrogate"),
    pytest.param("street", b'"\xc0\xaf"', id="street overlong UTF-8"),
    pytest.param("building", b'"\x00"', id="building raw NUL byte"),
]


@pytest.mark.parametrize(("field", "raw"), UNREPRESENTABLE)
def test_values_no_column_can_hold_are_refused_and_store_nothing(client, sql, field, raw):
    reply = client.post("/imports", raw=import_body_with_raw_value(field, raw))

    assert reply.status in (400, 422)
    if reply.status == 422:
        assert reply.error_pointers() == [f"/data/attributes/citizens/0/{field}"]
    assert sql("SELECT count(*) FROM imports")[0][0] == 0


def test_the_raw_body_builder_makes_a_valid_import_when_the_value_is_valid(client, sql):
    # Guards the cases above: each is refused for its value, not for a broken document.
    reply = client.post("/imports", raw=import_body_with_raw_value("apartment", b"7"))

    assert reply.status == 201
    assert sql("SELECT apartment FROM citizens") == [(7,)]


@pytest.fixture
def stored_state(make_import, sql):
    """An import stored; the state of the database that a refused request must leave alone."""
    make_import([citizen(1, [2]), citizen(2, [1]), citizen(3)])
    return database_state(sql)


IN_QUERY_STRINGS = [
    "filter[town]=%00",
    "filter[name]=a%00b",
    "filter[town]=%FF%FE",
    "filter[town]=%ED%A0%80",
    "filter%00=1",
    "filter[%00]=1",
    "sort=%00",
    "sort=name%FF",
    "include=%00",
    "fields[citizens]=%00",
    "page[size]=%00",
    "page[number]=1%00",
    "page[size]=99999999999999999999999999",
    "page[number]=99999999999999999999999999",
    "page[number]=-99999999999999999999999999",
    "page[size]=" + "1" * 5_000,  # beyond the 4,300 digits int() accepts
    "filter[citizen_id]=99999999999999999999999999",
    "filter[apartment]=-99999999999999999999999999",
    "filter[birth_date]=99999-01-01",
    "filter[town]=" + "x" * 30_000,
    "sort=" + ",".join(["name"] * 6_000),
    "%FF=1",
    "with_trashed=%00",
]


@pytest.mark.parametrize("query", IN_QUERY_STRINGS)
@pytest.mark.parametrize("path", ["/imports/1/citizens", CITIZEN, "/imports/1/citizens/birthdays"])
def test_query_strings_with_nul_broken_utf8_or_huge_numbers_never_fail(
    client, stored_state, sql, path, query
):
    reply = client.get(f"{path}?{query}")

    assert reply.status in (200, 400), reply.body
    if reply.status == 400:
        assert all("parameter" in e.get("source", {}) for e in reply.errors), reply.errors
    assert database_state(sql) == stored_state


@pytest.mark.parametrize(
    "path",
    [
        "/imports/%00",
        "/imports/1%00",
        "/imports/%FF",
        "/imports/1/citizens/%ED%A0%80",
        "/imports/1/citizens/1%00/relationships/relatives",
        "/imports/99999999999999999999999999/citizens",
        "/imports/1/citizens/" + "9" * 30_000,
    ],
)
def test_urls_with_nul_broken_utf8_or_huge_ids_are_404(client, stored_state, sql, path):
    for method in ("GET", "PATCH", "DELETE"):
        reply = client.request(method, path, json={"data": None})

        assert reply.status == 404, (method, reply.body)
    assert database_state(sql) == stored_state


STRANGE_LINKAGE_IDS = [
    "1.99999999999999999999999999",
    "99999999999999999999999999.1",
    "1.2\u0000",
    "1.\u0000",
    "1.２",
    "1.-2",
    "1.+2",
    "1. 2",
    "1.2.3",
    "1.2\n",
    "1.",
    ".1",
    "",
    "1." + "9" * 10_000,
]


@pytest.mark.parametrize("relative_id", STRANGE_LINKAGE_IDS)
def test_linkage_ids_that_name_no_citizen_are_404_and_change_nothing(
    client, stored_state, sql, relative_id
):
    document = {"data": [{"type": "citizens", "id": relative_id}]}

    for method in ("PATCH", "POST", "DELETE"):
        reply = client.request(method, RELATIVES, json=document)

        assert reply.status == 404, (method, relative_id, reply.body)
    assert database_state(sql) == stored_state


def test_linkage_id_that_is_not_a_string_is_400(client, stored_state, sql):
    for relative_id in (2, 2.0, None, ["1.2"], {"id": "1.2"}, True):
        reply = client.patch(RELATIVES, json={"data": [{"type": "citizens", "id": relative_id}]})

        assert reply.status == 400, (relative_id, reply.body)
    assert database_state(sql) == stored_state


@pytest.mark.parametrize(
    ("method", "how_many"), [("PATCH", 10_000), ("POST", 70_000), ("DELETE", 70_000)]
)
def test_a_relatives_list_of_many_missing_citizens_is_one_404(
    client, stored_state, sql, method, how_many
):
    # 70,000 ids would be 70,000 parameters in one IN list: more than psycopg can send.
    document = {"data": linkage(1, range(10, 10 + how_many))}

    reply = client.request(method, RELATIVES, json=document)

    assert reply.status == 404
    assert database_state(sql) == stored_state


def test_a_citizen_may_have_every_other_citizen_as_a_relative(client, make_import, sql):
    # No limit on relatives beyond the import's own size: 2,000 relatives in one PATCH.
    make_import([citizen(n) for n in range(1, 2_002)])

    reply = client.patch(
        "/imports/1/citizens/1/relationships/relatives",
        json={"data": linkage(1, range(2, 2_002))},
    )

    assert reply.status == 204
    assert sql("SELECT count(*) FROM kinship WHERE import_id = 1")[0][0] == 2 * 2_000


def test_a_citizen_document_with_a_nul_in_its_id_is_refused(client, stored_state, sql):
    document = citizen_document(1, {"name": "Иван"}, resource_id="1.1\u0000")

    reply = client.patch(CITIZEN, json=document)

    assert reply.status in (400, 409)
    assert database_state(sql) == stored_state


@pytest.mark.parametrize(
    "header",
    [
        {"X-Request-ID": "a" * 10_000},
        {"X-Request-ID": "\u00ff\u00fe"},
        {"Accept": "application/vnd.api+json; " + "x=1; " * 2_000},
        {"Content-Type": "application/vnd.api+json\u00ff"},
        {"Authorization": "Bearer " + "a" * 10_000},
        {"Authorization": "Bearer a.\u00ff"},
        {"Authorization": "Bearer 0a\u0000.secret"},
    ],
    ids=[
        "long request id",
        "latin-1 request id",
        "long accept",
        "odd content type",
        "long token",
        "latin-1 token",
        "NUL in the token key",
    ],
)
def test_odd_headers_get_a_jsonapi_answer_and_store_nothing(client, sql, header):
    reply = client.post("/imports", json=import_document([citizen(1)]), headers=header)

    assert reply.status in (201, 400, 401, 406, 415), reply.body
    if reply.status != 201:
        assert sql("SELECT count(*) FROM imports")[0][0] == 0


# ---------------------------------------------------------------------------------------------
# The request head: URL and header sizes, also under gunicorn
# ---------------------------------------------------------------------------------------------

OVERSIZED_URL = "/imports/1/citizens?filter[town]=" + "x" * 40_000
OVERSIZED_HEADER = {"X-Request-ID": "a" * 20_000}


def test_a_url_over_32_kib_is_414_and_a_header_over_16_kib_is_431(client, stored_state, sql):
    assert client.get(OVERSIZED_URL).status == 414
    reply = client.post("/imports", json=import_document([citizen(1)]), headers=OVERSIZED_HEADER)

    assert reply.status == 431
    assert "x-request-id" in reply.errors[0]["detail"].lower()
    assert database_state(sql) == stored_state


@pytest.fixture(scope="module")
def gunicorn(database_url, tmp_path_factory):
    """The app under gunicorn with the project's gunicorn.conf.py, on the test database."""
    log = tmp_path_factory.mktemp("gunicorn") / "gunicorn.log"
    with Gunicorn(service_env(database_url), workers=1, log_path=log) as server:
        yield server.url


@pytest.mark.parametrize(
    ("url", "headers", "status"),
    [
        pytest.param("/imports?page[size]=" + "1" * 5_000, {}, 400, id="5 KiB URL"),
        pytest.param("/imports", {"X-Request-ID": "a" * 10_000}, 200, id="10 KiB header"),
        pytest.param(OVERSIZED_URL, {}, 414, id="40 KiB URL"),
        pytest.param("/imports", OVERSIZED_HEADER, 431, id="20 KiB header"),
    ],
)
@pytest.mark.slow
def test_under_gunicorn_the_app_and_not_the_server_judges_the_head(
    gunicorn, tokens, url, headers, status
):
    # gunicorn's own limits (4 KiB line, 8 KiB field) would answer with an HTML page.
    response = requests.get(
        gunicorn + url,
        headers={"Authorization": f"Bearer {tokens['reader']}", **headers},
        timeout=10,
    )

    assert response.status_code == status
    assert response.headers["Content-Type"] == "application/vnd.api+json"
    assert_valid_document(response.json())


# ---------------------------------------------------------------------------------------------
# A body sent in chunks (no Content-Length) is held to the same limit
# ---------------------------------------------------------------------------------------------

BODY_LIMIT = 4096


@pytest.fixture(scope="module")
def small_bodies_gunicorn(database_url, tmp_path_factory):
    """The app under gunicorn with a 4 KiB body limit."""
    log = tmp_path_factory.mktemp("gunicorn") / "gunicorn.log"
    env = service_env(database_url, MAX_CONTENT_LENGTH=BODY_LIMIT)
    with Gunicorn(env, workers=1, log_path=log) as server:
        yield server.url


def in_chunks(body: bytes, size: int = 1000):
    """A generator body: requests sends it with `Transfer-Encoding: chunked`."""
    for start in range(0, len(body), size):
        yield body[start : start + size]


@pytest.mark.parametrize("citizens", [2, 40], ids=["under the limit", "over the limit"])
@pytest.mark.slow
def test_a_chunked_body_is_held_to_the_body_limit(small_bodies_gunicorn, tokens, sql, citizens):
    body = orjson.dumps(import_document([citizen(n) for n in range(1, citizens + 1)]))
    over = len(body) > BODY_LIMIT

    response = requests.post(
        small_bodies_gunicorn + "/imports",
        data=in_chunks(body),
        headers={
            "Authorization": f"Bearer {tokens['editor']}",
            "Content-Type": "application/vnd.api+json",
        },
        timeout=10,
    )

    assert response.request.headers["Transfer-Encoding"] == "chunked"
    assert response.status_code == (413 if over else 201), response.text
    assert_valid_document(response.json())
    assert sql("SELECT count(*) FROM imports")[0][0] == (0 if over else 1)
