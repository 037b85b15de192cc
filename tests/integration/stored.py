"""What the tables hold, read with plain SQL through the `sql` fixture's runner.

`sql(statement, **params) -> rows`. For "this request changed nothing at all", use
tests/robustness/seed.py's database_state(sql): a checksum of every row of every table.
"""

from flask import Flask
from sqlalchemy import text

from app.extensions import db
from harness.oracle import inputs_versions

# The kinds of aggregate the store keeps for every import: their resource types (docs/api).
AGGREGATE_KINDS = ("birthdays", "town-age-stats")


def sql_reader(app: Flask):
    """`run(statement, **params) -> rows` on the app's database, committing nothing."""

    def run(statement: str, **params):
        with app.app_context():
            rows = db.session.execute(text(statement), params).all()
            db.session.rollback()
            return rows

    return run


def data_version(sql, import_id: int = 1) -> int | None:
    """The import's data_version as stored; None when there is no such import."""
    rows = sql("SELECT data_version FROM imports WHERE id = :i", i=import_id)
    return rows[0][0] if rows else None


def versions(sql, import_id: int = 1) -> tuple[int, dict[str, int]]:
    """The import's data_version, and kind -> data_version of its stored aggregates."""
    current = data_version(sql, import_id)
    rows = sql("SELECT kind, data_version FROM stored_aggregates WHERE import_id = :i", i=import_id)
    return current, dict(rows)


def stored_as_current(sql, import_id: int = 1) -> bool:
    """Both aggregates stored, each computed at or after the last change that could affect it
    (percentiles: whatever their day)."""
    inputs = inputs_versions(sql, import_id)
    _current, stored = versions(sql, import_id)
    return set(stored) == set(AGGREGATE_KINDS) and all(
        stored[kind] >= inputs[kind] for kind in AGGREGATE_KINDS
    )


def kinship_rows(sql, import_id: int = 1) -> list[tuple[int, int]]:
    """(citizen, relative) of every kinship row of the import, trash included, in order."""
    rows = sql(
        "SELECT citizen_id, relative_id FROM kinship WHERE import_id = :i ORDER BY 1, 2",
        i=import_id,
    )
    return [tuple(row) for row in rows]


def assert_nothing_stored(sql) -> None:
    """No import, citizen or kinship row: for refused writes to empty tables."""
    counts = tuple(
        sql(
            "SELECT (SELECT count(*) FROM imports), (SELECT count(*) FROM citizens),"
            " (SELECT count(*) FROM kinship)"
        )[0]
    )
    assert counts == (0, 0, 0), f"stored (imports, citizens, kinship): {counts}"
