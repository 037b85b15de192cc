"""Security: SQL injection through every input, columns that are not exposed, tokens kept out of
logs, and what an unexpected failure shows.

Every request goes through tests/robustness/checks.py's `send_and_check`, so each one also
proves the general promises: no 5xx, a valid JSON:API document, no traceback or SQL in the reply,
and a refused request leaves every table exactly as it was.
"""

import json
import logging
import re
import time
import uuid
from contextlib import contextmanager
from urllib.parse import quote

import pytest
from sqlalchemy import text

from app import create_app
from app.extensions import db
from app.services.tokens import create_token, revoke_token
from tests.factories import citizen, citizen_document, import_document
from tests.jsonapi_client import MEDIA_TYPE, JsonApiClient
from tests.robustness.checks import LEAK_MARKERS, SAFE_REQUEST_ID, HostileRequest, send_and_check
from tests.robustness.endpoints import authorization
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
def send(app, sql, tokens, seeded):
    """Send one request as `role` (admin by default: it reaches the most) and check it whole.

    A successful write is undone at once, unless the test means to look at it (`keep`); what a
    kept write stored may then show in later replies.
    """
    kept = []

    def send_as(method, path, query="", headers=(), document=None, role="admin", keep=False):
        headers = (*authorization(tokens, role), *headers)
        body = None
        if document is not None:
            body = json.dumps(document, ensure_ascii=False).encode()
            headers += (("Content-Type", MEDIA_TYPE),)
        request = HostileRequest(method, path, query, headers, body)
        started = time.perf_counter()
        restore = (lambda: None) if keep else seeded
        reply = send_and_check(app, sql, request, restore, "\n".join(kept))
        if keep:
            kept.append(request.sent_text())
        assert time.perf_counter() - started < SLEPT, request
        return reply

    return send_as


def parameter(name: str, value: str) -> str:
    return f"{quote(name, safe='[]')}={quote(value, safe='')}"


def only_error_names(reply, parameter_name: str) -> None:
    assert reply.status == 400, (parameter_name, reply.document)
    assert [e.get("source") for e in reply.document["errors"]] == [{"parameter": parameter_name}]


# ---------------------------------------------------------------------------------------------
# (a) SQL injection through every input
# ---------------------------------------------------------------------------------------------


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


# ---------------------------------------------------------------------------------------------
# (b) Sorts, filters and sparse fieldsets reach exposed attributes only
# ---------------------------------------------------------------------------------------------

# Columns and members behind the API, ORM and Python internals, and paths into relationships.
NOT_EXPOSED = (
    "deleted_by", "import_id", "relative_id", "secret_hash", "key", "audit", "meta", "id",
    "document", "months", "citizens", "citizens_count", "data_version", "relatives",
    "relatives.name", "citizens.deleted_by", "imports.deleted_by", "citizen_rows.deleted_by",
    "__class__", "__dict__", "_sa_instance_state", "name.__class__", "deleted_at__isnull",
)  # fmt: skip
# What each collection does expose, by the contract (docs/api).
CITIZEN_ATTRIBUTES = {"citizen_id", "town", "street", "building", "apartment", "name"}
CITIZEN_ATTRIBUTES |= {"birth_date", "gender", "deleted_at"}
EXPOSED = {
    "/imports": {"created_at", "citizens_count", "data_version", "deleted_at"},
    CITIZENS: CITIZEN_ATTRIBUTES,
    PERCENTILES: {"town", "p50", "p75", "p99"},
}


@pytest.mark.parametrize("path", list(EXPOSED))
@pytest.mark.parametrize("kind", ["sort", "filter"])
def test_sorts_and_filters_reach_exposed_attributes_only(send, path, kind):
    for name in NOT_EXPOSED:
        if name in EXPOSED[path]:
            continue
        query_name, value = {
            "sort": ("sort", name),
            "filter": (f"filter[{name}]", "1"),
        }[kind]

        reply = send("GET", path, parameter(query_name, value))

        only_error_names(reply, query_name)


@pytest.mark.parametrize(
    ("path", "type_", "members"),
    [
        ("/imports", "imports", EXPOSED["/imports"]),
        (CITIZENS, "citizens", EXPOSED[CITIZENS] | {"relatives"}),
        ("/imports/1/citizens/1", "citizens", EXPOSED[CITIZENS] | {"relatives"}),
    ],
)
def test_sparse_fieldsets_name_exposed_members_only(send, path, type_, members):
    for name in NOT_EXPOSED:
        if name in members:
            continue

        reply = send("GET", path, parameter(f"fields[{type_}]", name))

        only_error_names(reply, f"fields[{type_}]")


def test_an_admin_sees_who_trashed_but_cannot_sort_or_filter_by_it(send):
    reply = send("GET", CITIZENS, "with_trashed=true")
    trashed = [r for r in reply.document["data"] if r["attributes"]["deleted_at"] is not None]
    assert [r["meta"] for r in trashed] == [{"deleted_by": "test-editor"}]

    only_error_names(send("GET", CITIZENS, "with_trashed=true&sort=deleted_by"), "sort")
    only_error_names(
        send("GET", CITIZENS, "with_trashed=true&filter[deleted_by]=test-editor"),
        "filter[deleted_by]",
    )


# ---------------------------------------------------------------------------------------------
# (c) Tokens never reach a log line or a reply
# ---------------------------------------------------------------------------------------------


@contextmanager
def database_fault(app, create: str, undo: str):
    """A fault in the database itself, undone afterwards: the one way to make a real route fail
    unexpectedly without replacing any of our own code."""
    with app.app_context():
        db.session.execute(text(create))
        db.session.commit()
    try:
        yield
    finally:
        with app.app_context():
            db.session.execute(text(undo))
            db.session.commit()


# Every write to a citizen fails in the database with an error no handler expects.
REFUSING_TRIGGER = (
    "CREATE FUNCTION refuse_citizen_writes() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    "RAISE EXCEPTION 'citizens are read-only in this test'; END $$; "
    "CREATE TRIGGER refuse_citizen_writes BEFORE UPDATE ON citizens FOR EACH ROW "
    "EXECUTE FUNCTION refuse_citizen_writes()",
    "DROP TRIGGER refuse_citizen_writes ON citizens; DROP FUNCTION refuse_citizen_writes()",
)
# Every read of citizens fails: the SELECT names a column that is gone.
MISSING_COLUMN = (
    "ALTER TABLE citizens RENAME COLUMN town TO town_renamed_by_test",
    "ALTER TABLE citizens RENAME COLUMN town_renamed_by_test TO town",
)


@contextmanager
def logging_app(database_url):
    """An app that logs everything (DEBUG) as JSON lines to stderr, as production would.

    Built inside the test, so that its log handler writes to the stderr capsys captures; the
    `app` logger it reconfigures is the whole process's, so its set-up is put back afterwards.
    """
    app_logger = logging.getLogger("app")
    previous = (list(app_logger.handlers), app_logger.level)
    logged = create_app(
        "testing",
        {"SQLALCHEMY_DATABASE_URI": database_url, "LOG_LEVEL": "DEBUG", "LOG_FORMAT": "json"},
    )
    try:
        yield logged
    finally:
        with logged.app_context():
            db.engine.dispose()
        app_logger.handlers[:] = previous[0]
        app_logger.setLevel(previous[1])


def test_tokens_never_reach_the_logs_or_a_reply(app, database_url, tokens, seeded, caplog, capsys):
    revoked_name = f"revoked-{uuid.uuid4().hex[:8]}"
    with app.app_context():
        revoked = create_token(revoked_name, "admin")
        assert revoke_token(revoked_name)
    key, _, secret = tokens["admin"].partition(".")
    edit = citizen_document(1, {"name": "Новое Имя"}, resource_id="1.1")
    requests = [
        ("GET", CITIZENS, tokens["admin"], None, 200),
        ("GET", "/imports/999", tokens["reader"], None, 404),
        ("PATCH", "/imports/1/citizens/1", tokens["reader"], edit, 403),  # a role too low
        ("GET", CITIZENS, f"{key}.{'x' * len(secret)}", None, 401),  # a live key, forged secret
        ("GET", CITIZENS, f"{'0' * len(key)}.{secret}", None, 401),  # a real secret, no such key
        ("GET", CITIZENS, revoked, None, 401),
        ("GET", CITIZENS, f"{tokens['admin']}x", None, 401),
    ]
    caplog.set_level(logging.DEBUG)  # every logger, the database driver's too
    app_logger = logging.getLogger("app")  # the app's loggers do not propagate to the root
    replies = []
    with logging_app(database_url) as logged:
        # The ORM's statements with their parameters, as if someone turned on SQL echo; its
        # engine sets this logger to WARN when it is created, so only now.
        caplog.set_level(logging.DEBUG, logger="sqlalchemy.engine.Engine")
        app_logger.addHandler(caplog.handler)
        try:
            for method, path, token, document, status in requests:
                replies.append(_send(logged, method, path, token, document, status))
            with database_fault(app, *REFUSING_TRIGGER):  # a 500 logs a whole traceback
                path, token = "/imports/1/citizens/1", tokens["editor"]
                replies.append(_send(logged, "PATCH", path, token, edit, 500))
                requests.append(("PATCH", path, token, edit, 500))
        finally:
            app_logger.removeHandler(caplog.handler)

    stderr = capsys.readouterr().err
    # Both captures saw every request line and the 500's traceback, as production would log them.
    lines = [json.loads(line) for line in stderr.splitlines() if line.startswith("{")]
    assert len([line for line in lines if line["logger"] == "app.requests"]) == len(requests)
    assert len([r for r in caplog.records if r.name == "app.requests"]) == len(requests)
    assert "citizens are read-only in this test" in stderr
    assert "citizens are read-only in this test" in caplog.text
    captured = {
        "stderr": stderr,
        "log records": "\n".join(str(vars(record)) for record in caplog.records),
        "formatted log": caplog.text,
        "replies": "\n".join(replies),
    }
    for _, _, token, _, _ in requests:
        for part in (token, token.partition(".")[2]):
            for where, text_ in captured.items():
                assert part not in text_, f"the token or its secret part is in the {where}"


def _send(logged_app, method, path, token, document, status) -> str:
    headers = {"Authorization": f"Bearer {token}", "Accept": MEDIA_TYPE}
    body = None
    if document is not None:
        body = json.dumps(document).encode()
        headers["Content-Type"] = MEDIA_TYPE
    response = logged_app.test_client().open(path, method=method, headers=headers, data=body)
    assert response.status_code == status, (method, path, response.get_data())
    return f"{response.headers}\n{response.get_data(as_text=True)}"


# ---------------------------------------------------------------------------------------------
# (d) An unexpected failure shows no traceback and no SQL
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fault", "method", "path", "document"),
    [
        pytest.param(MISSING_COLUMN, "GET", CITIZENS, None, id="a read"),
        pytest.param(
            REFUSING_TRIGGER,
            "PATCH",
            "/imports/1/citizens/1",
            citizen_document(1, {"name": "Новое Имя"}, resource_id="1.1"),
            id="a write",
        ),
    ],
)
def test_an_unexpected_database_error_is_a_bare_500_that_changes_nothing(
    app, sql, tokens, seeded, caplog, fault, method, path, document
):
    client = JsonApiClient(app.test_client(), tokens["admin"])
    app_logger = logging.getLogger("app")  # the app's loggers do not propagate to the root
    app_logger.addHandler(caplog.handler)
    try:
        with database_fault(app, *fault):
            before = database_state(sql)
            # The client checks the security headers and a valid JSON:API error document.
            reply = client.request(method, path, json=document)
            after = database_state(sql)
    finally:
        app_logger.removeHandler(caplog.handler)

    assert reply.status == 500
    assert reply.errors == [
        {
            "status": "500",
            "title": "Internal server error",
            "detail": "The server failed to complete the request; it has been logged.",
        }
    ]
    shown = json.dumps(reply.body, ensure_ascii=False)
    for secret in (*LEAK_MARKERS, "citizens", "town_renamed_by_test", "read-only in this test"):
        assert secret not in shown
    assert after == before  # a failed write is rolled back whole
    assert "Traceback" in caplog.text  # the details went to the log instead
