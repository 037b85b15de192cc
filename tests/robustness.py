"""Hostile requests for the property and security tests, and the promises every reply keeps.

A request is plain data (`HostileRequest`): Hypothesis prints what it drew for a failing one,
ready to replay. `send_and_check` sends it and holds the reply to the contract whatever the
input: never a 5xx while the database is up, a schema-valid JSON:API document with the security
headers, error objects that say what went wrong without a traceback or SQL, and a refused
request leaves every table exactly as it was.
"""

import copy
import dataclasses
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from urllib.parse import quote, unquote, unquote_plus

import orjson
from flask import Flask
from hypothesis import strategies as st
from sqlalchemy import text
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from app.extensions import db
from app.schemas.aggregates import BirthdaysSchema, TownAgeStatSchema
from app.schemas.citizens import CitizenSchema
from app.schemas.imports import ImportSchema
from tests.factories import (
    citizen,
    citizen_attributes,
    citizen_document,
    import_document,
    linkage,
)
from tests.jsonapi_client import MEDIA_TYPE, SECURITY_HEADERS, JsonApiClient
from tests.jsonapi_schema import assert_valid_document

# ---------------------------------------------------------------------------------------------
# The seeded data every hostile request is thrown at
# ---------------------------------------------------------------------------------------------

TRASHED_IMPORT, TRASHED_CITIZEN = 2, 4
RELATIVES = "/imports/1/citizens/1/relationships/relatives"
# Names are fixed (the factory numbers them) so that every run stores the very same rows.
SEED_CITIZENS = [
    citizen(1, [2, 4], name="Иванов Иван Иванович", birth_date="1986-12-26"),
    citizen(2, [1, 3], name="Иванова Мария", birth_date="1997-04-17", gender="female"),
    citizen(3, [2, 3], name="Петрова Анна", town="Керчь", birth_date="2000-02-29", gender="female"),
    citizen(4, [1], name="Сидоров Пётр", town="Тверь", birth_date="1961-07-01"),
    citizen(5, [], name="Романов Олег", town="Керчь", street="Иосифа Бродского", apartment=11),
]


def seed(editor: JsonApiClient) -> None:
    """Import 1: five citizens with kinship, citizen 4 trashed (its kinship to 1 kept, unseen).
    Import 2: trashed whole."""
    for citizens in (SEED_CITIZENS, [citizen(1, name="Одинокий Житель")]):
        assert editor.post("/imports", json=import_document(citizens)).status == 201
    assert editor.delete(f"/imports/1/citizens/{TRASHED_CITIZEN}").status == 204
    assert editor.delete(f"/imports/{TRASHED_IMPORT}").status == 204


# The tables a request may write, parents first. (api_tokens and alembic_version it cannot.)
WRITABLE_TABLES = ("imports", "citizens", "kinship", "stored_aggregates")


@dataclass(frozen=True)
class Snapshot:
    """Every row a request may write, and every sequence, exactly as they were."""

    rows: dict[str, str]  # table -> its rows as a JSON array
    sequences: tuple[tuple[str, int | None], ...]  # (name, last value or None if never used)


def seed_and_snapshot(app: Flask, tokens: dict[str, str]) -> Snapshot:
    """Seed empty tables through the API, with ids from 1, and snapshot the result."""
    with app.app_context():
        db.session.execute(text("TRUNCATE kinship, citizens, imports RESTART IDENTITY CASCADE"))
        db.session.commit()
    seed(JsonApiClient(app.test_client(), tokens["editor"]))
    return take_snapshot(app)


def take_snapshot(app: Flask) -> Snapshot:
    with app.app_context():
        run = db.session.execute
        rows = {
            table: run(text(f"SELECT coalesce(json_agg(t), '[]')::text FROM {table} t")).scalar()
            for table in WRITABLE_TABLES
        }
        sequences = run(
            text("SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public'")
        ).all()
        db.session.rollback()
    return Snapshot(rows, tuple(map(tuple, sequences)))


def restore_snapshot(app: Flask, snapshot: Snapshot) -> None:
    """Put back the snapshot's rows, timestamps and ids included, in one transaction.

    SQL rather than the API: it is ~20 times faster than reseeding through HTTP, and exact, so
    a request that Hypothesis replays meets the very same rows.
    """
    with app.app_context():
        run = db.session.execute
        for table in reversed(WRITABLE_TABLES):
            run(text(f"DELETE FROM {table}"))
        for table in WRITABLE_TABLES:
            run(
                text(
                    f"INSERT INTO {table} "
                    f"SELECT * FROM json_populate_recordset(NULL::{table}, CAST(:rows AS json))"
                ),
                {"rows": snapshot.rows[table]},
            )
        for name, last_value in snapshot.sequences:
            run(
                text(
                    "SELECT setval(CAST(:name AS regclass), coalesce(CAST(:last AS bigint), 1),"
                    " CAST(:last AS bigint) IS NOT NULL)"
                ),
                {"name": name, "last": last_value},
            )
        db.session.commit()


# ---------------------------------------------------------------------------------------------
# The state of the database, to prove that a refused request changed nothing
# ---------------------------------------------------------------------------------------------

# Every table in pg_tables is watched, so one added later is too; these must be among them.
KNOWN_TABLES = {
    "alembic_version",
    "api_tokens",
    "citizens",
    "imports",
    "kinship",
    "stored_aggregates",
}

TABLE_NAMES = (
    "SELECT string_agg(tablename, ',' ORDER BY tablename) FROM pg_tables"
    " WHERE schemaname = 'public'"
)
_watched_tables: list[str] = []  # read once: the same migrations make the same tables every run


def database_state(sql) -> dict[str, str]:
    """A checksum of every row of every table, by table name, in one round trip.

    The same query lists the tables again, so one dropped or added since is noticed too (a
    dropped one also fails the query itself).
    """
    if not _watched_tables:
        _watched_tables.extend(sql(TABLE_NAMES)[0][0].split(","))
    checksums = ", ".join(
        f"(SELECT md5(coalesce(string_agg(t::text, ',' ORDER BY t::text), '')) FROM \"{name}\" t)"
        for name in _watched_tables
    )
    tables, *sums = sql(f"SELECT ({TABLE_NAMES}), {checksums}")[0]
    assert tables.split(",") == _watched_tables, f"the tables changed: {tables}"
    assert set(_watched_tables) >= KNOWN_TABLES, f"missing: {KNOWN_TABLES - set(_watched_tables)}"
    return dict(zip(_watched_tables, sums, strict=True))


# ---------------------------------------------------------------------------------------------
# Requests and the promises their replies keep
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class HostileRequest:
    method: str
    path: str  # percent-encoded, as on the wire
    query: str = ""  # percent-encoded, as on the wire
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes | None = None

    def __repr__(self) -> str:
        # Short enough for an assertion message; Hypothesis prints each drawn value whole.
        members = (f"{f.name}={_abridged(getattr(self, f.name))}" for f in dataclasses.fields(self))
        return f"HostileRequest({', '.join(members)})"

    def send(self, app: Flask):
        return app.test_client().open(
            self.path,
            method=self.method,
            query_string=self.query,
            headers=list(self.headers),
            data=self.body,
        )

    def parameter_names(self) -> set[str]:
        """The query parameter names as the service's own parser (Werkzeug's) decodes them."""
        return set(Request(EnvironBuilder(query_string=self.query).get_environ()).args)

    def sent_text(self) -> str:
        """Everything the client sent, decoded every way the service may decode it."""
        parts = [unquote(self.path), unquote(self.query), unquote_plus(self.query)]
        parts += [f"{name}: {value}" for name, value in self.headers]
        if self.body:
            parts.append(self.body.decode("utf-8", "replace"))
            parts.extend(strings_in(parsed_json(self.body)))
        return "\n".join(parts)


def _abridged(value: object, limit: int = 300) -> str:
    shown = repr(value)
    return shown if len(shown) <= limit else f"{shown[:limit]}...({len(shown)} characters)"


def parsed_json(body: bytes) -> object:
    """The JSON value of `body`, or None when it is not JSON (or nested past Python's limit)."""
    try:
        return json.loads(body)
    except (ValueError, RecursionError):
        return None


def strings_in(value: object) -> Iterator[str]:
    """Every string of a JSON value, member names included."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for name, member in value.items():
            yield name
            yield from strings_in(member)
    elif isinstance(value, list):
        for item in value:
            yield from strings_in(item)


# Text only a traceback, the driver or the ORM writes. The service may echo what a client sent
# (an unknown sort key, a stored name), so a marker the request itself carried proves nothing.
LEAK_MARKERS = ("Traceback", 'File "', "psycopg", "sqlalchemy", "SELECT ", "INSERT ", "UPDATE ")
LEAK_MARKERS += ("DELETE FROM", "sqlstate", "Background on this error")


def assert_nothing_leaked(request: HostileRequest, body: bytes, sent_before: str = "") -> None:
    """No marker in the reply that the client did not send, now or in an earlier, stored write."""
    reply_text = body.decode("utf-8", "replace")
    reply_text += "\n" + "\n".join(strings_in(parsed_json(body)))  # with its escapes undone
    sent = f"{request.sent_text()}\n{sent_before}".lower()
    for marker in LEAK_MARKERS:
        if marker.lower() not in sent:
            assert marker.lower() not in reply_text.lower(), f"{marker!r} leaked: {reply_text}"


SAFE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
# Only the two endpoints for machines answer in another format, and only when they succeed.
NOT_JSONAPI = {("/health", 200), ("/metrics", 200)}


def assert_well_behaved(request: HostileRequest, response, sent_before: str = "") -> dict | None:
    """Hold one reply to the contract; return its document (None when it has no body)."""
    status, body = response.status_code, response.get_data()
    where = f"{request!r} -> {status} {body[:400]!r}"
    assert status < 500, where
    for name, value in SECURITY_HEADERS.items():
        assert response.headers.get(name) == value, f"{name} missing: {where}"
    assert SAFE_REQUEST_ID.fullmatch(response.headers.get("X-Request-ID", "")), where
    assert_nothing_leaked(request, body, sent_before)
    if status == 401:
        assert response.headers.get("WWW-Authenticate", "").startswith("Bearer "), where
    if status == 405:
        assert response.headers.get("Allow"), where
    if request.method == "HEAD" or status == 204:
        assert body == b"", where
        return None
    if response.headers.get("Content-Type") != MEDIA_TYPE:
        assert (request.path, status) in NOT_JSONAPI, where
        return None
    try:
        document = orjson.loads(body)
    except orjson.JSONDecodeError:
        raise AssertionError(f"not JSON: {where}") from None
    assert_valid_document(document)
    if status >= 400:
        assert document.get("errors"), where
        for error in document["errors"]:
            assert error.get("status") == str(status), where
            assert error.get("title"), where
            assert isinstance(error.get("detail"), str) and error["detail"].strip(), where
    return document


@dataclass
class Reply:
    status: int
    headers: dict
    document: dict | None
    changed_data: bool  # it succeeded and changed rows, so `restore` was called after it


def send_and_check(
    app: Flask, sql, request: HostileRequest, restore: Callable[[], None], sent_before: str = ""
) -> Reply:
    """Send `request`, hold its reply to the contract, and prove a refusal changed nothing.

    `sent_before`: what earlier requests stored, which this reply may rightly show.

    A request that succeeded and changed the data is followed by `restore`, so the next one
    meets the same data (Hypothesis replays a failure and needs it to fail the same way).
    """
    before = database_state(sql)
    response = request.send(app)
    document = assert_well_behaved(request, response, sent_before)
    after = database_state(sql)
    if response.status_code >= 400:
        changed = sorted(name for name in after if after[name] != before.get(name))
        assert not changed, (
            f"refused with {response.status_code}, yet changed {changed}: {request!r}"
        )
    elif after != before:
        restore()
    return Reply(response.status_code, dict(response.headers), document, after != before)


# ---------------------------------------------------------------------------------------------
# The API's routes, and one valid request for every route and method
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str
    role: str | None  # the least role that may send it; None: no token needed
    document: object = None  # None: no body
    query: str = ""

    def body(self) -> bytes | None:
        return None if self.document is None else encode_json(self.document)


def encode_json(value: object) -> bytes:
    # The stdlib encoder, not orjson: it writes integers of any size, which clients may send.
    return json.dumps(value, ensure_ascii=False).encode()


ENDPOINTS = (
    Endpoint("GET", "/imports", "reader"),
    Endpoint(
        "POST",
        "/imports",
        "editor",
        import_document([citizen(1, [2], name="Новый Один"), citizen(2, [1], name="Новый Два")]),
    ),
    Endpoint("GET", "/imports/1", "reader"),
    Endpoint(
        "PATCH",
        "/imports/2",
        "admin",
        {"data": {"type": "imports", "id": "2", "attributes": {"deleted_at": None}}},
        "with_trashed=true",
    ),
    Endpoint("DELETE", "/imports/1", "editor"),
    Endpoint("GET", "/imports/1/citizens", "reader", query="include=relatives"),
    Endpoint(
        "POST",
        "/imports/1/citizens",
        "editor",
        citizen_document(
            1, citizen_attributes(6, name="Новая Жительница", gender="female"), relatives=[1, 3]
        ),
    ),
    Endpoint("GET", "/imports/1/citizens/1", "reader"),
    Endpoint(
        "PATCH",
        "/imports/1/citizens/1",
        "editor",
        citizen_document(
            1, {"town": "Тверь", "apartment": 12}, relatives=[2, 5], resource_id="1.1"
        ),
    ),
    Endpoint(
        "PATCH",
        "/imports/1/citizens/4",
        "admin",
        citizen_document(1, {"deleted_at": None}, resource_id="1.4"),
        "with_trashed=true",
    ),
    Endpoint("DELETE", "/imports/1/citizens/2", "editor"),
    Endpoint("DELETE", "/imports/1/citizens/4", "admin", query="permanent=true"),
    Endpoint("GET", RELATIVES, "reader"),
    Endpoint("PATCH", RELATIVES, "editor", {"data": linkage(1, [2, 3])}),
    Endpoint("POST", RELATIVES, "editor", {"data": linkage(1, [5])}),
    Endpoint("DELETE", RELATIVES, "editor", {"data": linkage(1, [2])}),
    Endpoint("GET", "/imports/1/citizens/birthdays", "reader"),
    Endpoint("GET", "/imports/1/towns/stat/percentile/age", "reader", query="as_of=2026-01-01"),
    Endpoint("GET", "/health", None),
    Endpoint("GET", "/metrics", None),
)
WITH_DOCUMENTS = tuple(e for e in ENDPOINTS if e.document is not None)
# Where sort, filter, fields and page mean something, so a query string has the most to hit;
# each with the schema of its resources.
SCHEMA_OF_COLLECTION = {
    "/imports": ImportSchema,
    "/imports/1/citizens": CitizenSchema,
    "/imports/1/towns/stat/percentile/age": TownAgeStatSchema,
}
COLLECTIONS = tuple(e for e in ENDPOINTS if e.method == "GET" and e.path in SCHEMA_OF_COLLECTION)
ROUTE_TEMPLATES = (
    "/imports",
    "/imports/{import_id}",
    "/imports/{import_id}/citizens",
    "/imports/{import_id}/citizens/{citizen_id}",
    "/imports/{import_id}/citizens/{citizen_id}/relationships/relatives",
    "/imports/{import_id}/citizens/birthdays",
    "/imports/{import_id}/towns/stat/percentile/age",
    "/health",
    "/metrics",
)
METHODS = ("GET", "HEAD", "POST", "PATCH", "PUT", "DELETE", "OPTIONS")


def authorization(tokens: dict[str, str], role: str | None) -> tuple[tuple[str, str], ...]:
    return () if role is None else (("Authorization", f"Bearer {tokens[role]}"),)


# ---------------------------------------------------------------------------------------------
# Strategies
# ---------------------------------------------------------------------------------------------

SCHEMAS = (ImportSchema, CitizenSchema, BirthdaysSchema, TownAgeStatSchema)
# Every member name a schema declares, exposed or not, and the columns behind the audit meta:
# the names a curious client tries first.
MEMBER_NAMES = tuple(
    sorted({name for schema in SCHEMAS for name in schema._declared_fields} | {"deleted_by"})
)
TYPES = tuple(schema.opts.type_ for schema in SCHEMAS)
# Values that mean something to some endpoint, so that generated requests also get far.
PLAUSIBLE_TEXT = (
    *MEMBER_NAMES, *(f"-{name}" for name in MEMBER_NAMES), *TYPES,
    "", " ", "true", "false", "TRUE", "1", "0", "-1", "2", "4", "999", "1.1", "1.4", "1.999",
    "town,-birth_date", "name,relatives", "Москва", "Керчь", "male", "female", "2000-02-29",
    "1986-12-26", "2019-02-29", "2026-01-01", "2020-01-01T00:00:00+00:00", "2147483647",
    "2147483648", "1e400", "NaN", ",", ",,name", "\x00", "a\x00b", "\ud7ff\ue000", "\u202e",
)  # fmt: skip
plausible_text = st.sampled_from(PLAUSIBLE_TEXT)
any_text = st.one_of(plausible_text, st.text(max_size=30))
# Long values: ASCII up to 20 kB, and Cyrillic to 12 kB once percent-encoded (decoding that is
# slow in the test client itself, so it is kept shorter).
long_text = st.one_of(
    st.integers(1_000, 20_000).map(lambda n: "x" * n),
    st.integers(500, 2_000).map(lambda n: "Ы" * n),
)

json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),
    any_text,
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(any_text, inner, max_size=4),
    max_leaves=12,
)
garbage_bodies = st.one_of(
    st.binary(max_size=120),
    json_values.map(encode_json),
    json_values.map(lambda value: encode_json({"data": value})),
    st.sampled_from([b"", b"{", b"\xff\xfe", b'{"data": {"type": "imports"}}\x00', b"[" * 5000]),
)


def _paths(value: object, prefix: tuple = ()) -> Iterator[tuple]:
    yield prefix
    if isinstance(value, dict):
        for name, member in value.items():
            yield from _paths(member, (*prefix, name))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _paths(item, (*prefix, index))


@st.composite
def mutations_of(draw, document: object) -> object:
    """`document` with one member or item replaced by any JSON value, removed, or joined by one."""
    path = draw(st.sampled_from(list(_paths(document))))
    how = draw(st.sampled_from(("replace", "remove", "add")))
    if not path:
        return draw(json_values)
    mutated = copy.deepcopy(document)
    parent = mutated
    for step in path[:-1]:
        parent = parent[step]
    target = parent[path[-1]]
    if how == "remove":
        del parent[path[-1]]
    elif how == "add" and isinstance(target, dict):
        target[draw(any_text)] = draw(json_values)
    elif how == "add" and isinstance(target, list):
        target.insert(draw(st.integers(0, len(target))), draw(json_values))
    else:
        parent[path[-1]] = draw(json_values)
    return mutated


PARAMETER_NAMES = (
    "sort", "include", "page[size]", "page[number]", "page[offset]", "page", "filter", "fields",
    "with_trashed", "only_trashed", "permanent", "as_of", "include[]", "foo", "camelCase",
    "my_param",
    *(f"filter[{name}]" for name in MEMBER_NAMES),
    *(f"fields[{type_}]" for type_ in TYPES),
)  # fmt: skip
parameter_names = st.one_of(
    st.sampled_from(PARAMETER_NAMES),
    any_text.map(lambda key: f"filter[{key}]"),
    any_text.map(lambda key: f"fields[{key}]"),
    any_text,
    st.binary(min_size=1, max_size=8),
)
parameter_values = st.one_of(plausible_text, any_text, long_text, st.binary(max_size=12))
# Fragments no encoder writes, but a hand-made or hostile URL may carry.
RAW_FRAGMENTS = ("%", "%G1", "%%", "&&", "=", "==", "a=b=c", "[", "filter[", "page[size", "+")


def encode_parameter(name: str | bytes, value: str | bytes) -> str:
    return f"{quote(name, safe='[]')}={quote(value, safe=',')}"


member_names = st.sampled_from(MEMBER_NAMES)


def well_formed_parameters(names, types) -> st.SearchStrategy[tuple[str, str]]:
    """sort, filter, fields and include shaped as the contract describes them, over `names`:
    most get past the parser's first checks, so they reach the code behind it."""
    return st.one_of(
        st.tuples(
            st.just("sort"),
            st.lists(
                st.tuples(st.sampled_from(("", "-")), names).map("".join), min_size=1, max_size=2
            ).map(",".join),
        ),
        st.tuples(names.map(lambda name: f"filter[{name}]"), parameter_values),
        st.tuples(
            types.map(lambda type_: f"fields[{type_}]"),
            st.lists(names, max_size=3).map(",".join),
        ),
        st.tuples(st.just("include"), names | st.just("relatives.relatives")),
    )


def well_formed_parameter(schema) -> st.SearchStrategy[tuple[str, str]]:
    """One contract-shaped parameter for a collection of `schema`: half the time over its own
    members (declared, not necessarily exposed), half over any schema's."""
    names = st.sampled_from(tuple(schema._declared_fields)) | member_names
    types = st.just(schema.opts.type_) | st.sampled_from(TYPES)
    return well_formed_parameters(names, types)


query_strings = st.builds(
    lambda pairs, raw: "&".join([*(encode_parameter(*pair) for pair in pairs), *raw]),
    st.lists(
        well_formed_parameters(member_names, st.sampled_from(TYPES))
        | st.tuples(parameter_names, parameter_values),
        max_size=4,
    ),
    st.lists(st.sampled_from(RAW_FRAGMENTS), max_size=1),
)

# Any text a header can carry (Werkzeug refuses only line breaks, HTTP servers too), and the
# characters that trip parsers and drivers: NUL, DEL, Latin-1, Cyrillic, a bidi override, dots.
NASTY_HEADER_TEXT = ("\x00", "a\x00b", "\x7f", "\t", " ", "ÿ", "Ы", "\u202e", "%00", ".", "é.é")
header_values = st.one_of(
    st.sampled_from(NASTY_HEADER_TEXT),
    st.text(alphabet=st.characters(exclude_characters="\r\n"), max_size=40),
)
CONTENT_TYPES = (
    MEDIA_TYPE, "application/json", "APPLICATION/VND.API+JSON", f"{MEDIA_TYPE}; charset=utf-8",
    f"{MEDIA_TYPE}; ext=x", " application/vnd.api+json ", "multipart/form-data; boundary=x",
    "application/x-www-form-urlencoded", "text/plain", "", "*/*",
)  # fmt: skip
ACCEPTS = (
    MEDIA_TYPE, "*/*", "application/*", "text/html", "application/json", f"{MEDIA_TYPE}; ext=x",
    f"{MEDIA_TYPE};q=0", f"text/html, {MEDIA_TYPE};q=0.5", f"{MEDIA_TYPE};q=abc", ";;;,,,", "",
)  # fmt: skip
content_types = st.sampled_from(CONTENT_TYPES) | header_values
accepts = st.sampled_from(ACCEPTS) | header_values
request_ids = st.from_regex(SAFE_REQUEST_ID, fullmatch=True) | header_values
# Headers a proxy or browser may add; the service must neither trip on them nor obey them.
EXTRA_HEADERS = (
    "X-HTTP-Method-Override", "X-Forwarded-For", "Origin", "Cookie", "Range", "If-None-Match",
    "Content-Encoding", "Expect", "Accept-Charset", "Forwarded",
)  # fmt: skip
extra_headers = st.lists(st.tuples(st.sampled_from(EXTRA_HEADERS), header_values), max_size=2)


def credentials(tokens: dict[str, str]) -> st.SearchStrategy[tuple[str | None, bool]]:
    """(Authorization header or None, whether it names a live token)."""
    token = tokens["admin"]
    key, _, secret = token.partition(".")
    valid = [f"Bearer {t}" for t in tokens.values()] + [f"bearer {token}", f"BEARER  {token} "]
    forged = [
        f"Bearer {token}x", f"Bearer {token[:-1]}", f"Bearer {key}", f"Bearer {key}.",
        f"Bearer .{secret}", f"Basic {token}", f"Token {token}", "Bearer",
        "Bearer ", f"Bearer{token}", f"Bearer {token} {token}", f"Bearer {key.upper()}.x",
        f"Bearer \x00.{secret}", f"Bearer {key}\x00.{secret}", f"Bearer {key}.{secret}\x00",
    ]  # fmt: skip
    return st.one_of(
        st.just((None, False)),
        st.sampled_from(valid).map(lambda value: (value, True)),
        st.sampled_from(forged).map(lambda value: (value, False)),
        header_values.map(lambda value: (f"Bearer {value}", False)),
        header_values.map(lambda value: (f"Bearer {key}.{value}", False)),  # a forged secret
        header_values.map(lambda value: (f"Bearer {value}.{secret}", False)),  # a forged key
        header_values.map(lambda value: (value, False)),
    )
