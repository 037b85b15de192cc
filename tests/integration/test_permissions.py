"""Who may do what: every route, method and admin parameter against every kind of caller.

Reader: GET. Editor: also POST, PATCH, DELETE (trash). Admin: also with_trashed=true,
only_trashed=true and permanent=true. No, unknown, revoked or malformed token: 401 with a
WWW-Authenticate challenge; too low a role: 403. A refused request changes nothing.
"""

from dataclasses import dataclass

import pytest

from tests.factories import (
    citizen_attributes,
    citizen_document,
    family,
    import_document,
    linkage,
    restore_document,
)
from tests.integration.stored import assert_nothing_stored, data_version
from tests.jsonapi_client import JsonApiClient
from tests.robustness.seed import TRASHED_CITIZEN, TRASHED_IMPORT, database_state

CITIZENS = "/imports/1/citizens"
RELATIVES = f"{CITIZENS}/1/relationships/relatives"
TRASHED = f"{CITIZENS}/{TRASHED_CITIZEN}"  # a trashed citizen of the live import 1
CHALLENGE = 'Bearer realm="citizens-analyzer"'
INVALID_TOKEN_CHALLENGE = CHALLENGE + ', error="invalid_token"'
RANK = {"reader": 0, "editor": 1, "admin": 2}
CALLERS = ("anonymous", "bad-token", "revoked-token", "reader", "editor", "admin")
# The tables of stored data; the token table may change between tests (tokens are made per run).
DATA_TABLES = {"imports", "citizens", "kinship"}


@dataclass(frozen=True)
class Case:
    method: str
    url: str
    role: str  # the lowest role that may make this request
    status: int  # the status it gets when allowed
    body: dict | None = None
    changes: bool = False  # whether the allowed request changes stored data

    def __str__(self) -> str:
        return f"{self.method} {self.url}"


# Against tests/robustness/seed.py's data: import 1 live with citizen 4 trashed, import 2 trashed.
CASES = [
    # Every route and method of the API.
    Case("GET", "/imports", "reader", 200),
    Case("POST", "/imports", "editor", 201, import_document(family()), changes=True),
    Case("GET", "/imports/1", "reader", 200),
    Case("PATCH", "/imports/1", "editor", 200, restore_document(1)),  # restoring a live import
    Case("DELETE", "/imports/1", "editor", 204, changes=True),
    Case("GET", CITIZENS, "reader", 200),
    Case(
        "POST",
        CITIZENS,
        "editor",
        201,
        citizen_document(1, citizen_attributes(6), relatives=[1]),
        changes=True,
    ),
    Case("GET", f"{CITIZENS}/1", "reader", 200),
    Case(
        "PATCH",
        f"{CITIZENS}/1",
        "editor",
        200,
        citizen_document(1, {"town": "Керчь"}, relatives=[3], resource_id="1.1"),
        changes=True,
    ),
    Case("DELETE", f"{CITIZENS}/1", "editor", 204, changes=True),
    Case("GET", RELATIVES, "reader", 200),
    Case("POST", RELATIVES, "editor", 204, {"data": linkage(1, [3])}, changes=True),
    Case("PATCH", RELATIVES, "editor", 204, {"data": linkage(1, [3])}, changes=True),
    Case("DELETE", RELATIVES, "editor", 204, {"data": linkage(1, [2])}, changes=True),
    Case("GET", f"{CITIZENS}/birthdays", "reader", 200),
    Case("GET", "/imports/1/towns/stat/percentile/age", "reader", 200),
    # Every admin parameter where it is allowed, on live and on trashed records.
    Case("GET", "/imports?with_trashed=true", "admin", 200),
    Case("GET", "/imports?only_trashed=true", "admin", 200),
    Case("GET", f"/imports/{TRASHED_IMPORT}?with_trashed=true", "admin", 200),
    Case(
        "PATCH",
        f"/imports/{TRASHED_IMPORT}?with_trashed=true",
        "admin",
        200,
        restore_document(TRASHED_IMPORT),
        changes=True,
    ),
    Case("DELETE", "/imports/1?permanent=true", "admin", 204, changes=True),
    Case("DELETE", f"/imports/{TRASHED_IMPORT}?permanent=true", "admin", 204, changes=True),
    Case("GET", f"{CITIZENS}?with_trashed=true", "admin", 200),
    Case("GET", f"/imports/{TRASHED_IMPORT}/citizens?with_trashed=true", "admin", 200),
    Case("GET", f"{CITIZENS}?only_trashed=true", "admin", 200),
    Case("GET", f"{TRASHED}?with_trashed=true", "admin", 200),
    Case(
        "PATCH",
        f"{TRASHED}?with_trashed=true",
        "admin",
        200,
        restore_document(1, TRASHED_CITIZEN),
        changes=True,
    ),
    Case("DELETE", f"{CITIZENS}/1?permanent=true", "admin", 204, changes=True),
    Case("DELETE", f"{TRASHED}?permanent=true", "admin", 204, changes=True),
    Case("GET", f"{TRASHED}/relationships/relatives?with_trashed=true", "admin", 200),
]


@pytest.fixture(scope="module")
def callers(app, tokens, revoked_token) -> dict[str, JsonApiClient]:
    token_of = {
        "anonymous": None,
        "bad-token": "nope.nope",
        "revoked-token": revoked_token,
        **tokens,
    }
    return {name: JsonApiClient(app.test_client(), token) for name, token in token_of.items()}


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("case", CASES, ids=str)
def test_role_table(case, caller, callers, seeded, sql):
    # `seeded` checked the tables against the seed (and put it back after the last case that
    # wrote): its state is the "before" of this request, with no query of its own.
    before = seeded.state

    reply = callers[caller].request(case.method, case.url, json=case.body)

    changed = {name for name, checksum in database_state(sql).items() if before[name] != checksum}
    if caller in ("anonymous", "bad-token", "revoked-token"):
        assert reply.status == 401, reply.body
        expected = CHALLENGE if caller == "anonymous" else INVALID_TOKEN_CHALLENGE
        assert reply.headers.get("WWW-Authenticate") == expected
        assert not changed, f"a refused request changed {changed}"
    elif RANK[caller] < RANK[case.role]:
        assert reply.status == 403, reply.body
        assert not changed, f"a refused request changed {changed}"
    else:
        assert reply.status == case.status, reply.body
        assert bool(changed & DATA_TABLES) == case.changes, changed


@pytest.mark.parametrize("caller", ("reader", "editor"))
def test_a_refused_trash_keeps_the_data_version_and_the_counts(caller, callers, make_import):
    make_import()
    admin = callers["admin"]

    assert callers[caller].delete("/imports/1?permanent=true").status == 403
    assert callers[caller].delete(f"{CITIZENS}/2?permanent=true").status == 403
    assert callers["reader"].delete(f"{CITIZENS}/2").status == 403

    attributes = admin.get("/imports/1?with_trashed=true").body["data"]["attributes"]
    assert attributes["data_version"] == 1
    assert attributes["citizens_count"] == 3
    assert admin.get(f"{CITIZENS}?with_trashed=true").body["meta"]["count"] == 3


def test_a_refused_restore_keeps_the_import_trashed(callers, client, make_import, sql):
    make_import()
    client.delete("/imports/1")

    reply = client.patch("/imports/1?with_trashed=true", json=restore_document(1))

    assert reply.status == 403
    assert client.get("/imports/1").status == 404
    assert data_version(sql) == 2  # created 1, trashed 2


def test_the_authorization_scheme_is_case_insensitive(anonymous, tokens, make_import):
    make_import()

    for scheme in ("bearer", "BEARER", "bEaReR"):
        headers = {"Authorization": f"{scheme} {tokens['reader']}"}
        assert anonymous.get("/imports/1", headers=headers).status == 200


def test_basic_authorization_is_401_with_a_bearer_challenge(anonymous, make_import):
    make_import()

    reply = anonymous.get("/imports/1", headers={"Authorization": "Basic dXNlcjpwYXNz"})

    assert reply.status == 401
    assert reply.headers["WWW-Authenticate"] == CHALLENGE


@pytest.mark.parametrize("header", ["Bearer", "Bearer ", "Bearer    ", ""])
def test_a_bearer_header_without_a_token_is_401(anonymous, header):
    reply = anonymous.get("/imports", headers={"Authorization": header})

    assert reply.status == 401
    assert reply.headers["WWW-Authenticate"] == CHALLENGE


def test_a_known_key_with_a_wrong_secret_is_401(app, tokens):
    key = tokens["admin"].split(".", 1)[0]
    forged = JsonApiClient(app.test_client(), f"{key}.not-the-secret")

    reply = forged.get("/imports")

    assert reply.status == 401
    assert reply.headers["WWW-Authenticate"] == INVALID_TOKEN_CHALLENGE


@pytest.mark.parametrize(
    "token", ["nodot", ".secret", "key.", "x" * 33 + ".secret", "nope.nope", "a b.c"]
)
def test_malformed_and_unknown_tokens_are_401_invalid_token(app, token):
    reply = JsonApiClient(app.test_client(), token).get("/imports")

    assert reply.status == 401
    assert reply.headers["WWW-Authenticate"] == INVALID_TOKEN_CHALLENGE


def test_a_refused_write_by_an_anonymous_caller_stores_nothing(anonymous, sql):
    reply = anonymous.post("/imports", json=import_document(family()))

    assert reply.status == 401
    assert_nothing_stored(sql)


def test_false_admin_parameters_need_no_admin(reader, client, make_import, sql):
    make_import()

    assert reader.get("/imports?with_trashed=false&only_trashed=false").status == 200
    assert reader.get(f"{CITIZENS}/1?with_trashed=false").status == 200
    assert client.delete(f"{CITIZENS}/2?permanent=false").status == 204
    # permanent=false trashes: the row stays.
    assert sql("SELECT deleted_by FROM citizens WHERE citizen_id = 2") == [("test-editor",)]


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("DELETE", "/imports/1?permanent=false&permanent=true"),
        ("DELETE", f"{CITIZENS}/2?permanent=false&permanent=true"),
        ("GET", "/imports/1?with_trashed=false&with_trashed=true"),
    ],
)
def test_a_repeated_admin_parameter_does_not_slip_past_the_role_check(
    client, make_import, sql, method, url
):
    make_import()
    if method == "GET":
        assert client.delete("/imports/1").status == 204
    before = database_state(sql)

    reply = client.request(method, url)

    assert reply.status in (400, 403), reply.body
    assert database_state(sql) == before


def test_health_needs_no_token(app):
    assert app.test_client().get("/health").status_code == 200
    response = app.test_client().get("/health", headers={"Authorization": "Bearer nope.nope"})
    assert response.status_code == 200
