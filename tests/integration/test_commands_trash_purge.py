"""The command line: `trash purge`, which deletes for good what was trashed long enough ago.

Commands run through Flask's CLI test runner on the session's app.
"""

import re

import pytest
from sqlalchemy import text

from app.extensions import db
from app.services import trash as trash_service
from tests.factories import citizen, family_of_four
from tests.integration.actions import run_command, trash
from tests.integration.stored import data_version
from tests.robustness.seed import database_state


def age_trash(execute, days: int, import_id: int, citizen_id: int | None = None) -> None:
    """Pretend a trashed import (or one of its citizens) was trashed `days` days ago."""
    if citizen_id is None:
        execute(
            "UPDATE imports SET deleted_at = now() - make_interval(days => :d) WHERE id = :i",
            d=days,
            i=import_id,
        )
    else:
        execute(
            "UPDATE citizens SET deleted_at = now() - make_interval(days => :d)"
            " WHERE import_id = :i AND citizen_id = :c",
            d=days,
            i=import_id,
            c=citizen_id,
        )


@pytest.fixture
def old_and_young_trash(client, make_import, execute):
    """Four imports of citizens 1-2 relatives, 3 its own relative, 4 alone.

    Import 1 (live): citizen 2 trashed 40 days ago, citizen 3 trashed just now.
    Import 2: trashed 40 days ago. Import 3: trashed just now. Import 4: live, untouched.
    """
    for _ in range(4):
        make_import(family_of_four())
    trash(client, "/imports/1/citizens/2")
    age_trash(execute, 40, 1, 2)
    trash(client, "/imports/1/citizens/3")
    trash(client, "/imports/2")
    age_trash(execute, 40, 2)
    trash(client, "/imports/3")


def test_trash_purge_dry_run_lists_and_deletes_nothing(app, sql, old_and_young_trash):
    before = database_state(sql)

    result = run_command(app, "trash", "purge", "--older-than", "30d", "--dry-run")

    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert any(re.search(r"\bimport 2\b", line) for line in lines), result.output
    assert any(re.search(r"\bcitizen 2 of import 1\b", line) for line in lines), result.output
    assert not re.search(r"\bimport 3\b", result.output)
    assert not re.search(r"\bcitizen 3\b", result.output)
    assert database_state(sql) == before


def test_trash_purge_deletes_only_trash_older_than_the_retention(
    app, sql, admin, old_and_young_trash
):
    result = run_command(app, "trash", "purge", "--older-than", "30d")

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
    assert run_command(app, "trash", "purge", "--older-than", "30d").exit_code == 0

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
    before = {i: data_version(sql, i) for i in (1, 3, 4)}

    assert run_command(app, "trash", "purge", "--older-than", "30d").exit_code == 0

    after = {i: data_version(sql, i) for i in (1, 3, 4)}
    assert after[1] == before[1] + 1
    assert (after[3], after[4]) == (before[3], before[4])


def test_trash_purge_reports_what_it_purged(app, old_and_young_trash):
    result = run_command(app, "trash", "purge", "--older-than", "30d")

    assert re.search(r"\bimport 2\b", result.output), result.output
    assert re.search(r"\bcitizen 2 of import 1\b", result.output), result.output
    assert "1 imports and 1 citizens" in result.output


def test_trash_purge_with_nothing_old_enough_changes_nothing(app, sql, old_and_young_trash):
    before = database_state(sql)

    result = run_command(app, "trash", "purge", "--older-than", "60d")

    assert result.exit_code == 0, result.output
    assert database_state(sql) == before


def test_trash_purge_reaches_old_trashed_citizens_of_a_trashed_import(
    app, client, make_import, sql, execute
):
    make_import([citizen(1, [2]), citizen(2, [1])])
    trash(client, "/imports/1/citizens/2")
    age_trash(execute, 10, 1, 2)
    trash(client, "/imports/1")  # trashed just now: stays

    assert run_command(app, "trash", "purge", "--older-than", "7d").exit_code == 0

    assert [tuple(r) for r in sql("SELECT import_id, citizen_id FROM citizens")] == [(1, 1)]
    assert sql("SELECT count(*) FROM kinship")[0][0] == 0
    assert sql("SELECT deleted_at IS NOT NULL FROM imports WHERE id = 1")[0][0] is True


def test_trash_purge_takes_hours_minutes_and_seconds(app, client, make_import, sql, execute):
    make_import([citizen(1)])
    trash(client, "/imports/1")
    execute("UPDATE imports SET deleted_at = now() - interval '3 hours'")

    assert run_command(app, "trash", "purge", "--older-than", "4h").exit_code == 0
    assert sql("SELECT count(*) FROM imports")[0][0] == 1
    assert run_command(app, "trash", "purge", "--older-than", "170m").exit_code == 0
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

    assert run_command(app, "trash", "purge", "--older-than", "30d").exit_code == 0

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

    assert run_command(app, "trash", "purge", "--older-than", "30d").exit_code == 0

    assert sql("SELECT deleted_at FROM imports WHERE id = 2") == [(None,)]
    assert sql("SELECT count(*) FROM citizens WHERE import_id = 2")[0][0] == 4


@pytest.mark.parametrize("duration", ["30x", "30", "d", "-1d", "1.5d", ""])
def test_trash_purge_with_a_bad_duration_is_a_usage_error(app, sql, old_and_young_trash, duration):
    before = database_state(sql)

    result = run_command(app, "trash", "purge", "--older-than", duration)

    assert result.exit_code == 2, result.output
    assert "older-than" in result.output
    assert database_state(sql) == before


def test_trash_purge_needs_a_retention(app, sql, old_and_young_trash):
    before = database_state(sql)

    result = run_command(app, "trash", "purge")

    assert result.exit_code == 2, result.output
    assert database_state(sql) == before


@pytest.mark.parametrize("older_than", ["99999999999d", "999999999d", "9" * 30 + "s"])
def test_trash_purge_with_a_retention_beyond_the_calendar_is_a_usage_error(app, older_than):
    result = run_command(app, "trash", "purge", "--older-than", older_than, "--dry-run")

    assert result.exit_code == 2, result.output  # a usage error, not a crash (exit code 1)
    assert "Traceback" not in result.output
