"""The command line: `tokens create|list|revoke` and `trash purge`.

Commands run through Flask's CLI test runner on the session's app. Token names are unique per
test because the token table is not emptied between tests.
"""

import re
import uuid

import pytest
from sqlalchemy import text

from app.extensions import db
from app.services import trash as trash_service
from tests.factories import citizen
from tests.jsonapi_client import JsonApiClient

TOKEN = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$")


def run(app, *args):
    return app.test_cli_runner().invoke(args=list(args))


def unique_name(prefix: str = "cli") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def create_token(app, name: str, role: str = "reader") -> str:
    result = run(app, "tokens", "create", name, "--role", role)
    assert result.exit_code == 0, result.output
    return result.stdout.strip().splitlines()[-1]


def bearer(app, token: str) -> JsonApiClient:
    return JsonApiClient(app.test_client(), token)


def execute(app, statement: str, **params) -> None:
    """Write directly to the database (the `sql` fixture only reads)."""
    with app.app_context():
        db.session.execute(text(statement), params)
        db.session.commit()


def age_trash(app, days: int, import_id: int, citizen_id: int | None = None) -> None:
    """Pretend a trashed import (or one of its citizens) was trashed `days` days ago."""
    if citizen_id is None:
        execute(
            app,
            "UPDATE imports SET deleted_at = now() - make_interval(days => :d) WHERE id = :i",
            d=days,
            i=import_id,
        )
    else:
        execute(
            app,
            "UPDATE citizens SET deleted_at = now() - make_interval(days => :d)"
            " WHERE import_id = :i AND citizen_id = :c",
            d=days,
            i=import_id,
            c=citizen_id,
        )


def trash(client, url: str) -> None:
    reply = client.delete(url)
    assert reply.status == 204, reply.body


def stored(sql) -> tuple:
    return (
        sql("SELECT id, data_version, deleted_at FROM imports ORDER BY id"),
        sql("SELECT import_id, citizen_id, deleted_at FROM citizens ORDER BY 1, 2"),
        sql("SELECT import_id, citizen_id, relative_id FROM kinship ORDER BY 1, 2, 3"),
    )


def versions(sql) -> dict[int, int]:
    return dict(sql("SELECT id, data_version FROM imports ORDER BY id"))


# ---------------------------------------------------------------------------------------------
# tokens
# ---------------------------------------------------------------------------------------------


def test_tokens_create_prints_the_token_alone_on_the_last_line(app):
    result = run(app, "tokens", "create", unique_name(), "--role", "reader")

    assert result.exit_code == 0, result.output
    last = result.stdout.rstrip("\n").splitlines()[-1]
    assert TOKEN.match(last), repr(last)
    assert last == last.strip()


def test_a_created_token_works_at_once_with_its_role(app, make_import):
    make_import()
    reader = bearer(app, create_token(app, unique_name(), "reader"))
    editor = bearer(app, create_token(app, unique_name(), "editor"))
    admin = bearer(app, create_token(app, unique_name(), "admin"))

    assert reader.get("/imports/1").status == 200
    assert reader.delete("/imports/1/citizens/3").status == 403
    assert editor.delete("/imports/1/citizens/3").status == 204
    assert editor.get("/imports/1/citizens/3?with_trashed=true").status == 403
    assert admin.get("/imports/1/citizens/3?with_trashed=true").status == 200


def test_trash_made_with_a_created_token_records_its_name(app, make_import):
    make_import()
    name = unique_name("editor")
    editor = bearer(app, create_token(app, name, "editor"))
    admin = bearer(app, create_token(app, unique_name(), "admin"))

    trash(editor, "/imports/1/citizens/2")

    resource = admin.get("/imports/1/citizens/2?with_trashed=true").body["data"]
    assert resource["meta"] == {"deleted_by": name}


def test_tokens_are_stored_hashed(app, sql):
    name = unique_name()
    token = create_token(app, name)

    row = sql("SELECT * FROM api_tokens WHERE name = :n", n=name)
    assert len(row) == 1
    secret = token.split(".", 1)[1]
    assert all(secret not in str(value) for value in row[0])


def test_tokens_create_with_a_taken_name_fails_and_keeps_the_first_token(app):
    name = unique_name()
    first = create_token(app, name, "reader")

    result = run(app, "tokens", "create", name, "--role", "admin")

    assert result.exit_code != 0
    assert name in result.output
    assert not any(TOKEN.match(line) for line in result.stdout.splitlines())
    assert bearer(app, first).get("/imports").status == 200
    assert bearer(app, first).get("/imports?with_trashed=true").status == 403


@pytest.mark.parametrize("args", [["--role", "root"], []], ids=["unknown role", "no role"])
def test_tokens_create_without_a_known_role_is_a_usage_error(app, sql, args):
    name = unique_name()

    result = run(app, "tokens", "create", name, *args)

    assert result.exit_code == 2, result.output
    assert sql("SELECT count(*) FROM api_tokens WHERE name = :n", n=name)[0][0] == 0


def test_tokens_list_shows_names_and_roles_but_never_the_token(app):
    name = unique_name()
    token = create_token(app, name, "editor")

    result = run(app, "tokens", "list")

    assert result.exit_code == 0, result.output
    lines = [line for line in result.output.splitlines() if name in line]
    assert len(lines) == 1
    assert lines[0].split()[:2] == [name, "editor"]
    assert "active" in lines[0]
    key, secret = token.split(".", 1)
    assert secret not in result.output and key not in result.output


def test_tokens_revoke_makes_the_token_401(app):
    name = unique_name()
    token = create_token(app, name, "admin")
    assert bearer(app, token).get("/imports").status == 200

    result = run(app, "tokens", "revoke", name)

    assert result.exit_code == 0, result.output
    reply = bearer(app, token).get("/imports")
    assert reply.status == 401
    assert reply.headers["WWW-Authenticate"] == (
        'Bearer realm="citizens-analyzer", error="invalid_token"'
    )
    listed = [line for line in run(app, "tokens", "list").output.splitlines() if name in line]
    assert len(listed) == 1 and "revoked" in listed[0]


def test_tokens_revoke_leaves_other_tokens_working(app):
    kept = create_token(app, unique_name(), "reader")
    revoked = unique_name()
    create_token(app, revoked, "reader")

    assert run(app, "tokens", "revoke", revoked).exit_code == 0

    assert bearer(app, kept).get("/imports").status == 200


def test_tokens_revoke_of_an_unknown_name_fails(app):
    name = unique_name()

    result = run(app, "tokens", "revoke", name)

    assert result.exit_code != 0
    assert name in result.output


def test_tokens_revoke_twice_fails_the_second_time(app):
    name = unique_name()
    create_token(app, name)
    assert run(app, "tokens", "revoke", name).exit_code == 0

    assert run(app, "tokens", "revoke", name).exit_code != 0


# ---------------------------------------------------------------------------------------------
# trash purge
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def old_and_young_trash(app, client, make_import):
    """Four imports of citizens 1-2 relatives, 3 its own relative, 4 alone.

    Import 1 (live): citizen 2 trashed 40 days ago, citizen 3 trashed just now.
    Import 2: trashed 40 days ago. Import 3: trashed just now. Import 4: live, untouched.
    """
    family = [citizen(1, [2]), citizen(2, [1]), citizen(3, [3]), citizen(4, [])]
    for _ in range(4):
        make_import(family)
    trash(client, "/imports/1/citizens/2")
    age_trash(app, 40, 1, 2)
    trash(client, "/imports/1/citizens/3")
    trash(client, "/imports/2")
    age_trash(app, 40, 2)
    trash(client, "/imports/3")


def test_trash_purge_dry_run_lists_and_deletes_nothing(app, sql, old_and_young_trash):
    before = stored(sql)

    result = run(app, "trash", "purge", "--older-than", "30d", "--dry-run")

    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert any(re.search(r"\bimport 2\b", line) for line in lines), result.output
    assert any(re.search(r"\bcitizen 2 of import 1\b", line) for line in lines), result.output
    assert not re.search(r"\bimport 3\b", result.output)
    assert not re.search(r"\bcitizen 3\b", result.output)
    assert stored(sql) == before


def test_trash_purge_deletes_only_trash_older_than_the_retention(
    app, sql, admin, old_and_young_trash
):
    result = run(app, "trash", "purge", "--older-than", "30d")

    assert result.exit_code == 0, result.output
    assert [r[0] for r in sql("SELECT id FROM imports ORDER BY id")] == [1, 3, 4]
    citizens = sql(
        "SELECT import_id, citizen_id, deleted_at IS NOT NULL FROM citizens ORDER BY 1, 2"
    )
    assert [tuple(r) for r in citizens] == [
        (1, 1, False),
        (1, 3, True),  # trashed just now: kept, still trashed
        (1, 4, False),
        (3, 1, False),
        (3, 2, False),
        (3, 3, False),
        (3, 4, False),
        (4, 1, False),
        (4, 2, False),
        (4, 3, False),
        (4, 4, False),
    ]
    assert admin.get("/imports/3?with_trashed=true").body["data"]["attributes"]["deleted_at"]


def test_trash_purge_removes_the_kinship_of_purged_citizens_on_both_sides(
    app, sql, old_and_young_trash
):
    assert run(app, "trash", "purge", "--older-than", "30d").exit_code == 0

    rows = sql("SELECT import_id, citizen_id, relative_id FROM kinship ORDER BY 1, 2, 3")
    assert [tuple(r) for r in rows] == [
        (1, 3, 3),  # the young trash keeps its kinship for a restore
        (3, 1, 2),
        (3, 2, 1),
        (3, 3, 3),
        (4, 1, 2),
        (4, 2, 1),
        (4, 3, 3),
    ]


def test_trash_purge_bumps_the_data_version_of_imports_whose_citizens_went(
    app, sql, old_and_young_trash
):
    before = versions(sql)

    assert run(app, "trash", "purge", "--older-than", "30d").exit_code == 0

    after = versions(sql)
    assert after[1] == before[1] + 1
    assert (after[3], after[4]) == (before[3], before[4])


def test_trash_purge_reports_what_it_purged(app, old_and_young_trash):
    result = run(app, "trash", "purge", "--older-than", "30d")

    assert re.search(r"\bimport 2\b", result.output), result.output
    assert re.search(r"\bcitizen 2 of import 1\b", result.output), result.output
    assert "1 imports and 1 citizens" in result.output


def test_trash_purge_with_nothing_old_enough_changes_nothing(app, sql, old_and_young_trash):
    before = stored(sql)

    result = run(app, "trash", "purge", "--older-than", "60d")

    assert result.exit_code == 0, result.output
    assert stored(sql) == before


def test_trash_purge_reaches_old_trashed_citizens_of_a_trashed_import(
    app, client, make_import, sql
):
    make_import([citizen(1, [2]), citizen(2, [1])])
    trash(client, "/imports/1/citizens/2")
    age_trash(app, 10, 1, 2)
    trash(client, "/imports/1")  # trashed just now: stays

    assert run(app, "trash", "purge", "--older-than", "7d").exit_code == 0

    assert [tuple(r) for r in sql("SELECT import_id, citizen_id FROM citizens")] == [(1, 1)]
    assert sql("SELECT count(*) FROM kinship")[0][0] == 0
    assert sql("SELECT deleted_at IS NOT NULL FROM imports WHERE id = 1")[0][0] is True


def test_trash_purge_takes_hours_minutes_and_seconds(app, client, make_import, sql):
    make_import([citizen(1)])
    trash(client, "/imports/1")
    execute(app, "UPDATE imports SET deleted_at = now() - interval '3 hours'")

    assert run(app, "trash", "purge", "--older-than", "4h").exit_code == 0
    assert sql("SELECT count(*) FROM imports")[0][0] == 1
    assert run(app, "trash", "purge", "--older-than", "170m").exit_code == 0
    assert sql("SELECT count(*) FROM imports")[0][0] == 0


def restored_while_purging(monkeypatch, statement: str) -> None:
    """Make a restore commit between the purge's search for old trash and its deletes."""
    find = trash_service.find_old_trash

    def find_then_restore(older_than):
        report = find(older_than)
        db.session.execute(text(statement))
        db.session.commit()
        return report

    monkeypatch.setattr(trash_service, "find_old_trash", find_then_restore)


def test_trash_purge_keeps_a_citizen_restored_while_it_runs(
    app, sql, monkeypatch, old_and_young_trash
):
    restored_while_purging(
        monkeypatch,
        "UPDATE citizens SET deleted_at = NULL, deleted_by = NULL"
        " WHERE import_id = 1 AND citizen_id = 2",
    )

    assert run(app, "trash", "purge", "--older-than", "30d").exit_code == 0

    assert sql("SELECT deleted_at FROM citizens WHERE import_id = 1 AND citizen_id = 2") == [
        (None,)
    ]
    assert sql("SELECT count(*) FROM kinship WHERE import_id = 1")[0][0] == 3


def test_trash_purge_keeps_an_import_restored_while_it_runs(
    app, sql, monkeypatch, old_and_young_trash
):
    restored_while_purging(
        monkeypatch, "UPDATE imports SET deleted_at = NULL, deleted_by = NULL WHERE id = 2"
    )

    assert run(app, "trash", "purge", "--older-than", "30d").exit_code == 0

    assert sql("SELECT deleted_at FROM imports WHERE id = 2") == [(None,)]
    assert sql("SELECT count(*) FROM citizens WHERE import_id = 2")[0][0] == 4


@pytest.mark.parametrize("duration", ["30x", "30", "d", "-1d", "1.5d", ""])
def test_trash_purge_with_a_bad_duration_is_a_usage_error(app, sql, old_and_young_trash, duration):
    before = stored(sql)

    result = run(app, "trash", "purge", "--older-than", duration)

    assert result.exit_code == 2, result.output
    assert "older-than" in result.output
    assert stored(sql) == before


def test_trash_purge_needs_a_retention(app, sql, old_and_young_trash):
    before = stored(sql)

    result = run(app, "trash", "purge")

    assert result.exit_code == 2, result.output
    assert stored(sql) == before
