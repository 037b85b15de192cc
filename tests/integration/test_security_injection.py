"""Security: SQL injection through every input is neither obeyed nor stored other than verbatim.

Every request goes through tests/robustness/checks.py's `send_and_check` (the `send_checked`
fixture), so each one also proves the general promises: no 5xx, a valid JSON:API document, no
traceback or SQL in the reply, and a refused request leaves every table exactly as it was.
"""

import re
import time
from urllib.parse import quote

import pytest

from tests.factories import citizen, citizen_document, import_document
from tests.robustness.checks import SAFE_REQUEST_ID, only_error_names, parameter
from tests.robustness.seed import database_state

CITIZENS = "/imports/1/citizens"
PERCENTILES = "/imports/1/towns/stat/percentile/age"
RELATIVES = "/imports/1/citizens/1/relationships/relatives"
# Classic payloads, one of each kind: tautology, stacked statement, double quotes, URL-encoded,
# a qualified column, a time delay, a non-ASCII prefix, UNION, dollar quoting, an escaped quote,
# an ORDER BY clause and a collation (the last two aim at sort, the rest at anything).
PAYLOADS = (
    "' OR 1=1--",
    "1; DROP TABLE citizens;--",
    '" OR ""="',
    "%27%20OR%201=1",
    "citizens.deleted_by",
    "(SELECT pg_sleep(5))",
    "Москва' OR town IS NOT NULL --",
    "1 UNION SELECT key, secret_hash FROM api_tokens --",
    "$$; DROP TABLE kinship; $$",
    "\\'; DELETE FROM imports; --",
    "name DESC NULLS FIRST, (SELECT 1)",
    'town COLLATE "C"',
)
# A payload that ran would sleep 5 s; an honest request here takes a few milliseconds.
SLEPT = 4.0


@pytest.fixture
def send(send_checked):
    """`send_checked`, and proof that no payload ran: pg_sleep(5) would hold the reply 5 s."""

    def timed(*args, **kwargs):
        started = time.perf_counter()
        reply = send_checked(*args, **kwargs)
        assert time.perf_counter() - started < SLEPT, (args, kwargs)
        return reply

    return timed


@pytest.mark.parametrize(
    ("path", "attribute"),
    [
        (CITIZENS, "town"),
        (CITIZENS, "street"),
        (CITIZENS, "building"),
        (CITIZENS, "name"),
        (CITIZENS, "gender"),
        (PERCENTILES, "town"),
    ],
)
def test_an_injection_in_a_text_filter_matches_nothing(send, sql, path, attribute):
    before = database_state(sql)
    for payload in PAYLOADS:
        reply = send("GET", path, parameter(f"filter[{attribute}]", payload))

        assert reply.status == 200, (payload, reply.document)
        assert reply.document["data"] == [], payload
        assert reply.document["meta"]["count"] == 0, payload
    assert database_state(sql) == before


# Each: method, path, parameter name and value ({} is the payload). Every one must be a 400
# naming exactly that parameter, with nothing changed.
REFUSED = [
    ("GET", CITIZENS, "filter[{}]", "x"),
    ("GET", CITIZENS, "filter[citizen_id]", "{}"),
    ("GET", CITIZENS, "filter[birth_date]", "{}"),
    ("GET", CITIZENS, "filter[deleted_at]", "{}"),
    ("GET", CITIZENS, "sort", "{}"),
    ("GET", CITIZENS, "sort", "name,{}"),
    ("GET", CITIZENS, "include", "{}"),
    ("GET", CITIZENS, "fields[citizens]", "{}"),
    ("GET", CITIZENS, "fields[{}]", "name"),
    ("GET", CITIZENS, "page[number]", "{}"),
    ("GET", CITIZENS, "page[size]", "{}"),
    ("GET", CITIZENS, "page[{}]", "1"),
    ("GET", CITIZENS, "with_trashed", "{}"),
    ("GET", CITIZENS, "only_trashed", "{}"),
    ("GET", "/imports", "filter[{}]", "1"),
    ("GET", "/imports", "filter[created_at]", "{}"),
    ("GET", "/imports", "sort", "{}"),
    ("GET", "/imports/1/citizens/1", "include", "{}"),
    ("GET", "/imports/1/citizens/1", "fields[citizens]", "{}"),
    ("GET", PERCENTILES, "as_of", "{}"),
    ("GET", PERCENTILES, "sort", "{}"),
    ("GET", PERCENTILES, "filter[p50]", "{}"),
    ("DELETE", "/imports/1/citizens/1", "permanent", "{}"),
    ("DELETE", "/imports/1", "permanent", "{}"),
    ("PATCH", "/imports/2", "with_trashed", "{}"),
]


@pytest.mark.parametrize(("method", "path", "name", "value"), REFUSED)
def test_an_injection_in_a_query_parameter_is_400_naming_it(send, method, path, name, value):
    document = None
    if method == "PATCH":  # the restore of trashed import 2, which with_trashed=true would allow
        document = {"data": {"type": "imports", "id": "2", "attributes": {"deleted_at": None}}}
    for payload in PAYLOADS:
        name_sent, value_sent = name.format(payload), value.format(payload)

        reply = send(method, path, parameter(name_sent, value_sent), document=document)

        only_error_names(reply, name_sent)


@pytest.mark.parametrize(
    "template",
    [
        "/imports/{}",
        "/imports/{}/citizens",
        "/imports/1/citizens/{}",
        "/imports/1/citizens/{}/relationships/relatives",
        "/imports/{}/citizens/birthdays",
    ],
)
def test_an_injection_in_a_path_segment_is_404(send, template):
    for payload in PAYLOADS:
        path = template.format(quote(payload, safe=""))
        for method in ("GET", "DELETE"):  # routing refuses before any method is considered
            document = {"data": []} if method != "GET" else None

            reply = send(method, path, document=document)

            assert reply.status == 404, (method, path, reply.document)


def test_an_injection_in_the_authorization_header_is_401(send, tokens):
    key, _, secret = tokens["admin"].partition(".")
    # NUL and DEL are no SQL, but a driver refuses them in a query: as hostile as a quote.
    for payload in (*PAYLOADS, "\x00", f"{key}\x00.{secret}", "\x7f.\x7f"):
        for header in (
            f"Bearer {payload}",
            f"Bearer {payload}.{secret}",
            f"Bearer {key}.{payload}",
            payload,
        ):
            reply = send("GET", CITIZENS, headers=(("Authorization", header),), role=None)

            assert reply.status == 401, (header, reply.document)


def test_an_injection_in_the_request_id_is_neither_obeyed_nor_echoed(send):
    expected = send("GET", CITIZENS).document["data"]
    for payload in PAYLOADS:
        reply = send("GET", CITIZENS, headers=(("X-Request-ID", payload),))

        assert reply.status == 200 and reply.document["data"] == expected, payload
        echoed = reply.headers["X-Request-ID"]
        if SAFE_REQUEST_ID.fullmatch(payload):
            assert echoed == payload
        else:  # a fresh id: the payload reaches neither the reply nor the log line
            assert re.fullmatch(r"[0-9a-f]{32}", echoed), (payload, echoed)


def rows_checksum(sql, table: str, condition: str) -> str:
    return sql(
        f"SELECT md5(coalesce(string_agg(t::text, ',' ORDER BY t::text), '')) FROM {table} t "
        f"WHERE {condition}"
    )[0][0]


def test_injections_in_an_import_are_stored_and_returned_verbatim(send, sql):
    citizens = [
        citizen(n, town=p, street=p, building=p, name=p) for n, p in enumerate(PAYLOADS, start=1)
    ]
    seeded_rows = {
        table: rows_checksum(sql, table, "import_id IN (1, 2)") for table in ("citizens", "kinship")
    }
    seeded_imports = rows_checksum(sql, "imports", "id IN (1, 2)")

    reply = send("POST", "/imports", document=import_document(citizens), keep=True)

    assert reply.status == 201, reply.document
    import_id = int(reply.document["data"]["id"])
    stored = sql(
        "SELECT town, street, building, name FROM citizens WHERE import_id = :id "
        "ORDER BY citizen_id",
        id=import_id,
    )
    assert [tuple(row) for row in stored] == [(p, p, p, p) for p in PAYLOADS]
    for table, checksum in seeded_rows.items():
        assert rows_checksum(sql, table, "import_id IN (1, 2)") == checksum, table
    assert rows_checksum(sql, "imports", "id IN (1, 2)") == seeded_imports
    listed = send("GET", f"/imports/{import_id}/citizens", "page[size]=0").document["data"]
    for resource, payload in zip(listed, PAYLOADS, strict=True):
        attributes = resource["attributes"]
        assert [attributes[k] for k in ("town", "street", "building", "name")] == [payload] * 4


def test_a_filter_finds_exactly_the_citizen_named_by_an_injection(send):
    citizens = [citizen(n, name=p) for n, p in enumerate(PAYLOADS, start=1)]
    created = send("POST", "/imports", document=import_document(citizens), keep=True)
    import_id = int(created.document["data"]["id"])
    for citizen_id, payload in enumerate(PAYLOADS, start=1):
        if "," in payload:
            continue  # a comma separates filter values: such a name cannot be filtered for

        reply = send("GET", f"/imports/{import_id}/citizens", parameter("filter[name]", payload))

        assert [r["attributes"]["citizen_id"] for r in reply.document["data"]] == [citizen_id]


def test_an_injection_written_to_one_citizen_changes_only_that_citizen(send, sql):
    others = "NOT (import_id = 1 AND citizen_id = 1)"
    for payload in PAYLOADS:
        before = {t: rows_checksum(sql, t, others) for t in ("citizens", "kinship")}
        before_row = sql("SELECT * FROM citizens WHERE import_id = 1 AND citizen_id = 1")[0]
        document = citizen_document(1, {"name": payload, "street": payload}, resource_id="1.1")

        reply = send("PATCH", "/imports/1/citizens/1", document=document, keep=True)

        assert reply.status == 200, reply.document
        assert reply.document["data"]["attributes"]["name"] == payload
        row = sql("SELECT * FROM citizens WHERE import_id = 1 AND citizen_id = 1")[0]
        assert (row.name, row.street) == (payload, payload)
        unchanged = ("town", "building", "apartment", "birth_date", "gender", "deleted_at")
        assert [getattr(row, c) for c in unchanged] == [getattr(before_row, c) for c in unchanged]
        assert {t: rows_checksum(sql, t, others) for t in ("citizens", "kinship")} == before


def test_an_injection_in_linkage_or_type_is_refused(send):
    for payload in PAYLOADS:
        for method in ("PATCH", "POST", "DELETE"):
            linkage = {"data": [{"type": "citizens", "id": payload}]}

            assert send(method, RELATIVES, document=linkage).status == 404, (method, payload)
        document = citizen_document(1, {"name": "Иван"}, resource_id="1.1")
        document["data"]["type"] = payload

        assert send("PATCH", "/imports/1/citizens/1", document=document).status == 409, payload
