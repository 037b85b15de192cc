"""The seeded data every hostile request is thrown at, and the state of the database that proves
a refused request changed nothing.

The seed is stored once through the API and snapshotted; the snapshot is put back after any
request that changed the data, so the next one meets the very same rows.
"""

from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask
from sqlalchemy import text

from app.extensions import db
from tests.factories import citizen
from tests.integration.actions import create_import, trash
from tests.jsonapi_client import JsonApiClient

# ---------------------------------------------------------------------------------------------
# The seeded data every hostile request is thrown at
# ---------------------------------------------------------------------------------------------

TRASHED_IMPORT, TRASHED_CITIZEN = 2, 4
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
        create_import(editor, citizens)
    trash(editor, f"/imports/1/citizens/{TRASHED_CITIZEN}")
    trash(editor, f"/imports/{TRASHED_IMPORT}")


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
        sequences = run(text(SEQUENCES)).all()
        db.session.rollback()
    return Snapshot(rows, tuple(map(tuple, sequences)))


SEQUENCES = (
    "SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public' ORDER BY 1"
)


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


class SeededTables:
    """The seeded tables of one module: put back only when they no longer hold the seed.

    Whether they do is a checksum of every table and the sequences' values, two cheap queries,
    so a test that changed nothing (most of them) costs no restore, and a test in between that
    emptied or changed the tables, or advanced an id, is noticed all the same.
    Calling it puts the seed back (what `send_and_check` does after a successful write).
    """

    def __init__(self, app: Flask, sql: Callable, snapshot: Snapshot):
        self.app, self.sql, self.snapshot = app, sql, snapshot
        self.state: dict[str, str] = {}  # database_state() of the tables holding the seed
        self._sequences: list = []

    def ensure(self) -> None:
        """Make the tables hold the seed."""
        if not self.state or self._current() != (self.state, self._sequences):
            self()

    def __call__(self) -> None:
        restore_snapshot(self.app, self.snapshot)
        self.state, self._sequences = self._current()

    def _current(self) -> tuple[dict[str, str], list]:
        return database_state(self.sql), self.sql(SEQUENCES)
