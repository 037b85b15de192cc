"""The command line: `tokens create|list|revoke`.

Commands run through Flask's CLI test runner on the session's app. Token names are unique per
test because the token table is not emptied between tests.
"""

import re
import time
import uuid

import pytest
from sqlalchemy import event

from app import create_app
from app.extensions import db
from harness.broker import use_celery_of
from tests.integration.actions import cli_token, run_command, trash
from tests.jsonapi_client import JsonApiClient

TOKEN = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$")


def unique_name(prefix: str = "cli") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def bearer(app, token: str) -> JsonApiClient:
    return JsonApiClient(app.test_client(), token)


def test_tokens_create_prints_the_token_alone_on_the_last_line(app):
    result = run_command(app, "tokens", "create", unique_name(), "--role", "reader")

    assert result.exit_code == 0, result.output
    last = result.stdout.rstrip("\n").splitlines()[-1]
    assert TOKEN.match(last), repr(last)
    assert last == last.strip()


def test_a_created_token_works_at_once_with_its_role(app, make_import):
    make_import()
    reader = bearer(app, cli_token(app, unique_name(), "reader"))
    editor = bearer(app, cli_token(app, unique_name(), "editor"))
    admin = bearer(app, cli_token(app, unique_name(), "admin"))

    assert reader.get("/imports/1").status == 200
    assert reader.delete("/imports/1/citizens/3").status == 403
    assert editor.delete("/imports/1/citizens/3").status == 204
    assert editor.get("/imports/1/citizens/3?with_trashed=true").status == 403
    assert admin.get("/imports/1/citizens/3?with_trashed=true").status == 200


def test_trash_made_with_a_created_token_records_its_name(app, make_import):
    make_import()
    name = unique_name("editor")
    editor = bearer(app, cli_token(app, name, "editor"))
    admin = bearer(app, cli_token(app, unique_name(), "admin"))

    trash(editor, "/imports/1/citizens/2")

    resource = admin.get("/imports/1/citizens/2?with_trashed=true").body["data"]
    assert resource["meta"] == {"deleted_by": name}


def test_tokens_are_stored_hashed(app, sql):
    name = unique_name()
    token = cli_token(app, name, "reader")

    row = sql("SELECT * FROM api_tokens WHERE name = :n", n=name)
    assert len(row) == 1
    secret = token.split(".", 1)[1]
    assert all(secret not in str(value) for value in row[0])


def test_tokens_create_with_a_taken_name_fails_and_keeps_the_first_token(app):
    name = unique_name()
    first = cli_token(app, name, "reader")

    result = run_command(app, "tokens", "create", name, "--role", "admin")

    assert result.exit_code != 0
    assert name in result.output
    assert not any(TOKEN.match(line) for line in result.stdout.splitlines())
    assert bearer(app, first).get("/imports").status == 200
    assert bearer(app, first).get("/imports?with_trashed=true").status == 403


@pytest.mark.parametrize("args", [["--role", "root"], []], ids=["unknown role", "no role"])
def test_tokens_create_without_a_known_role_is_a_usage_error(app, sql, args):
    name = unique_name()

    result = run_command(app, "tokens", "create", name, *args)

    assert result.exit_code == 2, result.output
    assert sql("SELECT count(*) FROM api_tokens WHERE name = :n", n=name)[0][0] == 0


def test_tokens_list_shows_names_and_roles_but_never_the_token(app):
    name = unique_name()
    token = cli_token(app, name, "editor")

    result = run_command(app, "tokens", "list")

    assert result.exit_code == 0, result.output
    lines = [line for line in result.output.splitlines() if name in line]
    assert len(lines) == 1
    assert lines[0].split()[:2] == [name, "editor"]
    assert "active" in lines[0]
    key, secret = token.split(".", 1)
    assert secret not in result.output and key not in result.output


@pytest.fixture
def remembering_app(database_url, app):
    """An app that remembers a checked token for 0.5 s (the default is TOKEN_CACHE_SECONDS=5)."""
    remembering = create_app(
        "testing", {"SQLALCHEMY_DATABASE_URI": database_url, "TOKEN_CACHE_SECONDS": 0.5}
    )
    yield remembering
    use_celery_of(app)
    with remembering.app_context():
        db.engine.dispose()


def test_tokens_revoke_makes_the_token_401_within_the_cache_bound(app, remembering_app):
    name = unique_name()
    token = cli_token(app, name, "admin")
    assert bearer(remembering_app, token).get("/imports").status == 200

    result = run_command(app, "tokens", "revoke", name)
    revoked_at = time.monotonic()

    assert result.exit_code == 0, result.output
    time.sleep(max(0.0, revoked_at + 0.5 - time.monotonic()))
    reply = bearer(remembering_app, token).get("/imports")
    assert reply.status == 401
    assert reply.headers["WWW-Authenticate"] == (
        'Bearer realm="citizens-analyzer", error="invalid_token"'
    )
    listed = [
        line for line in run_command(app, "tokens", "list").output.splitlines() if name in line
    ]
    assert len(listed) == 1 and "revoked" in listed[0]


def test_with_no_cache_a_revoked_token_is_401_at_once(database_url, app):
    name = unique_name()
    token = cli_token(app, name, "admin")
    checking = create_app(
        "testing", {"SQLALCHEMY_DATABASE_URI": database_url, "TOKEN_CACHE_SECONDS": 0}
    )
    try:
        assert bearer(checking, token).get("/imports").status == 200
        assert run_command(app, "tokens", "revoke", name).exit_code == 0
        assert bearer(checking, token).get("/imports").status == 401
    finally:
        use_celery_of(app)
        with checking.app_context():
            db.engine.dispose()


def test_a_remembered_token_costs_no_lookup_until_the_bound_passes(remembering_app, app):
    token = cli_token(app, unique_name(), "reader")
    lookups = []
    with remembering_app.app_context():
        engine = db.engine

    def count(_conn, _cursor, statement, *_args):
        if "FROM api_tokens" in statement:
            lookups.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        for _ in range(3):
            assert bearer(remembering_app, token).get("/imports").status == 200
        remembered = len(lookups)
        time.sleep(0.6)
        assert bearer(remembering_app, token).get("/imports").status == 200
    finally:
        event.remove(engine, "before_cursor_execute", count)

    assert (remembered, len(lookups)) == (1, 2)


def test_tokens_revoke_leaves_other_tokens_working(app):
    kept = cli_token(app, unique_name(), "reader")
    revoked = unique_name()
    cli_token(app, revoked, "reader")

    assert run_command(app, "tokens", "revoke", revoked).exit_code == 0

    assert bearer(app, kept).get("/imports").status == 200


def test_tokens_revoke_of_an_unknown_name_fails(app):
    name = unique_name()

    result = run_command(app, "tokens", "revoke", name)

    assert result.exit_code != 0
    assert name in result.output


def test_tokens_revoke_twice_fails_the_second_time(app):
    name = unique_name()
    cli_token(app, name, "reader")
    assert run_command(app, "tokens", "revoke", name).exit_code == 0

    assert run_command(app, "tokens", "revoke", name).exit_code != 0


@pytest.mark.parametrize("name", ["", "   ", "x" * 129, "tab\tname"], ids=repr)
def test_tokens_create_refuses_a_blank_overlong_or_control_character_name(app, sql, name):
    before = sql("SELECT count(*) FROM api_tokens")[0][0]

    result = run_command(app, "tokens", "create", name, "--role", "reader")

    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert sql("SELECT count(*) FROM api_tokens")[0][0] == before
