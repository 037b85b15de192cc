"""The database schema: migrations match the models and enforce the kinship invariants."""

import psycopg
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from app.extensions import db


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
    with pytest.raises(psycopg.errors.ForeignKeyViolation, match="fk_kinship_relative"):
        pg.execute("INSERT INTO kinship VALUES (1, 1, 99), (1, 99, 1)")


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
