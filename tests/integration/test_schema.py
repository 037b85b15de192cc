"""The database schema: migrations match the models and enforce the kinship invariants."""

import os

import psycopg
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import current_app

from app import create_app
from app.extensions import db
from app.services import statistics
from harness.database import DEFAULT_ADMIN_URL, ThrowawayDatabase, libpq_url


def test_the_migrations_build_exactly_the_models_tables(app):
    with app.app_context(), db.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), db.metadata)

    assert differences == []


@pytest.fixture
def pg(database_url, make_import):
    make_import()  # citizens 1 <-> 2, and 3 <-> 3
    with psycopg.connect(database_url.replace("+psycopg", "")) as connection:
        yield connection


def test_one_sided_kinship_cannot_be_committed(pg):
    pg.execute("INSERT INTO kinship VALUES (1, 1, 3)")

    with pytest.raises(psycopg.errors.ForeignKeyViolation, match="fk_kinship_mirror"):
        pg.commit()


def test_deleting_one_direction_removes_its_mirror(pg):
    pg.execute("DELETE FROM kinship WHERE import_id = 1 AND citizen_id = 1 AND relative_id = 2")
    pg.commit()

    rows = pg.execute("SELECT citizen_id, relative_id FROM kinship ORDER BY 1").fetchall()
    assert rows == [(3, 3)]


def test_kinship_needs_citizens_of_the_same_import(pg):
    # The mirror (1, 99, 1) is the row whose citizen does not exist.
    with pytest.raises(psycopg.errors.ForeignKeyViolation, match="fk_kinship_citizen"):
        pg.execute("INSERT INTO kinship VALUES (1, 1, 99), (1, 99, 1)")


def test_kinship_to_a_citizen_of_no_import_cannot_be_committed(pg):
    pg.execute("INSERT INTO kinship VALUES (1, 1, 99)")

    with pytest.raises(psycopg.errors.ForeignKeyViolation, match="fk_kinship_mirror"):
        pg.commit()


@pytest.mark.parametrize(
    "column, value, constraint",
    [
        ("citizen_id", -1, "ck_citizens_citizen_id_non_negative"),
        ("apartment", -1, "ck_citizens_apartment_non_negative"),
        ("gender", "'other'", "ck_citizens_gender_known"),
    ],
)
def test_citizen_checks(pg, column, value, constraint):
    values = {"citizen_id": 10, "apartment": 1, "gender": "'male'", column: value}
    with pytest.raises(psycopg.errors.CheckViolation, match=constraint):
        pg.execute(
            "INSERT INTO citizens (import_id, citizen_id, town, street, building, apartment,"
            " name, birth_date, gender) VALUES (1, {citizen_id}, 't', 's', 'b', {apartment},"
            " 'n', '2000-01-01', {gender})".format(**values)
        )


def nested_plans(connection) -> list[str]:
    """Turn on auto_explain for the statements triggers run (the foreign keys' checks and
    cascades) and collect each plan as the server logs it to this client."""
    plans = []
    connection.add_notice_handler(lambda notice: plans.append(notice.message_primary))
    for setting in (
        "LOAD 'auto_explain'",
        "SET auto_explain.log_min_duration = 0",
        "SET auto_explain.log_nested_statements = on",
        "SET auto_explain.log_analyze = on",
        "SET client_min_messages = log",
    ):
        connection.execute(setting)
    return plans


def rows_filtered_out(plans: list[str]) -> int:
    return sum(
        int(line.rsplit(":", 1)[1])
        for plan in plans
        for line in plan.splitlines()
        if "Rows Removed by Filter" in line
    )


def test_kinship_checks_and_cascades_find_each_mirror_by_its_whole_key(pg):
    # A star: citizen 1 related to 300 others. If the mirror key's check (at commit) or cascade
    # (on delete) were served by an index on part of the key, each of the 300 rows pointing at
    # citizen 1 would read all 300 of them: 90,000 rows read for 600 written.
    others = range(4, 304)
    with pg.cursor() as cursor:
        cursor.executemany(
            "INSERT INTO citizens (import_id, citizen_id, town, street, building, apartment,"
            " name, birth_date, gender) VALUES (1, %s, 't', 's', 'b', 1, 'n', '2000-01-01',"
            " 'male')",
            [(citizen_id,) for citizen_id in others],
        )
    pg.commit()
    plans = nested_plans(pg)
    with pg.cursor() as cursor:
        cursor.executemany(
            "INSERT INTO kinship VALUES (1, %s, %s)",
            [pair for k in others for pair in ((1, k), (k, 1))],
        )
    pg.commit()
    pg.execute("DELETE FROM citizens WHERE import_id = 1 AND citizen_id = 1")
    pg.commit()

    mirror_checks = [plan for plan in plans if "FOR KEY SHARE" in plan]
    cascades = [plan for plan in plans if "DELETE FROM ONLY" in plan and "kinship" in plan]
    assert len(mirror_checks) >= len(others) * 2 and cascades  # the plans were all seen
    assert rows_filtered_out(plans) == 0
    remaining = pg.execute("SELECT count(*) FROM kinship WHERE import_id = 1").fetchone()[0]
    assert remaining == 1  # 3 <-> 3; the star went with citizen 1 and so did 1 <-> 2


# Citizens first..last of an import, with nothing but their ids to tell them apart.
CITIZENS_OF_AN_IMPORT = (
    "INSERT INTO citizens (import_id, citizen_id, town, street, building, apartment, name,"
    " birth_date, gender) SELECT %s, g, 't', 's', 'b', 1, 'n', '2000-01-01', 'male'"
    " FROM generate_series(%s::int, %s::int) AS g"
)


def lookup_plan(pg, import_id: int) -> str:
    """How PostgreSQL finds citizens 3..10 of the import by id, as the services ask."""
    return "\n".join(
        row[0]
        for row in pg.execute(
            "EXPLAIN (ANALYZE, COSTS OFF) SELECT citizen_id FROM citizens"
            " WHERE import_id = %s AND citizen_id = ANY(%s) AND deleted_at IS NULL",
            (import_id, list(range(3, 11))),
        )
    )


def test_several_citizens_of_an_import_newer_than_the_statistics_are_found_by_index(pg):
    # Statistics that know import 1 only; import 2 arrives after the last ANALYZE.
    pg.execute(CITIZENS_OF_AN_IMPORT, (1, 4, 3000))
    pg.commit()
    pg.execute("ANALYZE citizens")
    pg.execute("INSERT INTO imports (id, data_version) VALUES (2, 1)")
    pg.execute(CITIZENS_OF_AN_IMPORT, (2, 1, 3000))
    pg.commit()

    plan = lookup_plan(pg, 2)

    # An index condition on both columns, not a filter over the import's 3,000 citizens.
    assert "Rows Removed by Filter" not in plan, plan
    assert "citizen_id = ANY" in plan.split("Index Cond:")[1].splitlines()[0], plan


@pytest.mark.parametrize("kinship", [True, False], ids=["with-kinship", "without-kinship"])
def test_the_first_import_of_a_new_database_is_found_by_index_once_an_aggregate_is_computed(
    kinship,
):
    # A database just migrated, then its first import: before autovacuum's first ANALYZE the
    # planner believes the import holds a row or two. The first computation of an aggregate
    # gathers the statistics (app.services.statistics); without it this plan filters all 10,000.
    admin_url = os.environ.get("TEST_POSTGRES_URL", DEFAULT_ADMIN_URL)
    with ThrowawayDatabase(admin_url, "citizens_fresh") as url:
        app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": url, "REDIS_URL": ""})
        with psycopg.connect(libpq_url(url)) as pg:
            pg.execute("INSERT INTO imports (id, data_version) VALUES (1, 1)")
            pg.execute(CITIZENS_OF_AN_IMPORT, (1, 1, 10000))
            if kinship:
                pg.execute("INSERT INTO kinship VALUES (1, 1, 1)")
            pg.commit()
            with app.app_context():
                gathered = ["citizens", "kinship"] if kinship else ["citizens"]
                assert statistics.gather_if_believed_empty() == gathered
                # Once is enough, even for an import without kinship: no check ever again.
                assert current_app.extensions[statistics.GATHERED]
                assert statistics.gather_if_believed_empty() == []
                db.engine.dispose()
            plan = lookup_plan(pg, 1)

    assert "Rows Removed by Filter" not in plan, plan
