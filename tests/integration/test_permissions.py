"""Who may do what: every route, method and admin parameter against every kind of caller.

Reader: GET. Editor: also POST, PATCH, DELETE (trash). Admin: also with_trashed=true,
only_trashed=true and permanent=true. No, unknown, revoked or malformed token: 401 with a
WWW-Authenticate challenge; too low a role: 403. A refused request changes nothing.
"""

import uuid
from dataclasses import dataclass

import pytest

from app.services.tokens import create_token, revoke_token
from tests.factories import (
    citizen_attributes,
    citizen_document,
    family,
    import_document,
    linkage,
)
from tests.jsonapi_client import JsonApiClient

CITIZENS = "/imports/1/citizens"
RELATIVES = f"{CITIZENS}/1/relationships/relatives"
CHALLENGE = 'Bearer realm="citizens-analyzer"'
INVALID_TOKEN_CHALLENGE = CHALLENGE + ', error="invalid_token"'
RANK = {"reader": 0, "editor": 1, "admin": 2}
CALLERS = ("anonymous", "bad-token", "revoked-token", "reader", "editor", "admin")


def restore_import_document(import_id: int = 1) -> dict:
    return {"data": {"type": "imports", "id": str(import_id), "attributes": {"deleted_at": None}}}


def restore_citizen_document(citizen_id: int = 1) -> dict:
    return citizen_document(1, {"deleted_at": None}, resource_id=f"1.{citizen_id}")


def snapshot(sql) -> tuple:
    """Everything a write could change: imports, citizens and kinship rows."""
    return (
        sql("SELECT id, data_version, deleted_at, deleted_by FROM imports ORDER BY id"),
        sql(
            "SELECT import_id, citizen_id, town, name, deleted_at, deleted_by FROM citizens"
            " ORDER BY import_id, citizen_id"
        ),
        sql("SELECT import_id, citizen_id, relative_id FROM kinship ORDER BY 1, 2, 3"),
    )


def data_version(sql, import_id: int = 1) -> int | None:
    rows = sql("SELECT data_version FROM imports WHERE id = :id", id=import_id)
    return rows[0][0] if rows else None


@dataclass(frozen=True)
class Case:
    method: str
    url: str
    role: str  # the lowest role that may make this request
    status: int  # the status it gets when allowed
    body: dict | None = None
    setup: str = "live"  # live | trashed_import | trashed_citizen
    changes: bool = False  # whether the allowed request changes stored data

    def __str__(self) -> str:
        return f"{self.method} {self.url} [{self.setup}]"


CASES = [
    # Every route and method of the API.
    Case("GET", "/imports", "reader", 200),
    Case("POST", "/imports", "editor", 201, import_document(family()), changes=True),
    Case("GET", "/imports/1", "reader", 200),
    Case("PATCH", "/imports/1", "editor", 200, restore_import_document()),
    Case("DELETE", "/imports/1", "editor", 204, changes=True),
    Case("GET", CITIZENS, "reader", 200),
    Case(
        "POST",
        CITIZENS,
        "editor",
        201,
        citizen_document(1, citizen_attributes(4), relatives=[1]),
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
    # Every admin parameter where it is allowed.
    Case("GET", "/imports?with_trashed=true", "admin", 200, setup="trashed_import"),
    Case("GET", "/imports?only_trashed=true", "admin", 200, setup="trashed_import"),
    Case("GET", "/imports/1?with_trashed=true", "admin", 200, setup="trashed_import"),
    Case(
        "PATCH",
        "/imports/1?with_trashed=true",
        "admin",
        200,
        restore_import_document(),
        setup="trashed_import",
        changes=True,
    ),
    Case("DELETE", "/imports/1?permanent=true", "admin", 204, changes=True),
    Case("DELETE", "/imports/1?permanent=true", "admin", 204, setup="trashed_import", changes=True),
    Case("GET", f"{CITIZENS}?with_trashed=true", "admin", 200, setup="trashed_citizen"),
    Case("GET", f"{CITIZENS}?with_trashed=true", "admin", 200, setup="trashed_import"),
    Case("GET", f"{CITIZENS}?only_trashed=true", "admin", 200, setup="trashed_citizen"),
    Case("GET", f"{CITIZENS}/1?with_trashed=true", "admin", 200, setup="trashed_citizen"),
    Case(
        "PATCH",
        f"{CITIZENS}/1?with_trashed=true",
        "admin",
        200,
        restore_citizen_document(),
        setup="trashed_citizen",
        changes=True,
    ),
    Case("DELETE", f"{CITIZENS}/1?permanent=true", "admin", 204, changes=True),
    Case(
        "DELETE",
        f"{CITIZENS}/1?permanent=true",
        "admin",
        204,
        setup="trashed_citizen",
        changes=True,
    ),
    Case("GET", f"{RELATIVES}?with_trashed=true", "admin", 200, setup="trashed_citizen"),
]


@pytest.fixture(scope="module")
def revoked_token(app) -> str:
    """An admin's token that has been revoked."""
    name = f"revoked-{uuid.uuid4().hex}"
    with app.app_context():
        token = create_token(name, "admin")
        assert revoke_token(name)
    return token


@pytest.fixture
def callers(app, tokens, revoked_token) -> dict[str, JsonApiClient]:
    token_of = {
        "anonymous": None,
        "bad-token": "nope.nope",
        "revoked-token": revoked_token,
        **tokens,
    }
    return {name: JsonApiClient(app.test_client(), token) for name, token in token_of.items()}


def prepare(client, make_import, setup: str) -> None:
    make_import()
    if setup == "trashed_import":
        assert client.delete("/imports/1").status == 204
    elif setup == "trashed_citizen":
        assert client.delete(f"{CITIZENS}/1").status == 204


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("case", CASES, ids=str)
def test_role_table(case, caller, callers, client, make_import, sql):
    prepare(client, make_import, case.setup)
    before = snapshot(sql)

    reply = callers[caller].request(case.method, case.url, json=case.body)

    if caller in ("anonymous", "bad-token", "revoked-token"):
        assert reply.status == 401, reply.body
        expected = CHALLENGE if caller == "anonymous" else INVALID_TOKEN_CHALLENGE
        assert reply.headers.get("WWW-Authenticate") == expected
    elif RANK[caller] < RANK[case.role]:
        assert reply.status == 403, reply.body
    else:
        assert reply.status == case.status, reply.body
        if case.changes:
            assert snapshot(sql) != before
        return
    assert snapshot(sql) == before


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

    reply = client.patch("/imports/1?with_trashed=true", json=restore_import_document())

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
    assert sql("SELECT count(*) FROM imports")[0][0] == 0
    assert sql("SELECT count(*) FROM citizens")[0][0] == 0


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
    before = snapshot(sql)

    reply = client.request(method, url)

    assert reply.status in (400, 403), reply.body
    assert snapshot(sql) == before


def test_health_needs_no_token(app):
    assert app.test_client().get("/health").status_code == 200
    response = app.test_client().get("/health", headers={"Authorization": "Bearer nope.nope"})
    assert response.status_code == 200
