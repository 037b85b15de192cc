"""The aggregates and kinship as the rows say they should be: one oracle for tests and load.

The rows are read with plain SQL of our own, not through the service, and counted with the
app's pure functions in app.domain: a wrong snapshot, a stale store or a lost recompute shows
up as a difference, while the arithmetic itself is the unit tests' business. Each table is read
on its own and joined here: a join in SQL met the planner trap of benchmarks/README.md (a new
import estimated at one row), and its nested loop took over 10 s for 2,000 citizens.

`sql(statement, **params) -> rows` runs SQL with `:name` parameters on the database under test:
the tests' `sql` fixture, or `sql_on(url)` below. The functions return what differs, as
sentences; an empty list means the rows and what was served or stored agree.
"""

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date

import orjson
from sqlalchemy import NullPool, create_engine, text

from app.domain.birthdays import birthdays
from app.domain.percentiles import town_age_percentiles

Sql = Callable[..., list]
PERCENTILES = ("p50", "p75", "p99")


@contextmanager
def sql_on(database_url: str) -> Iterator[Sql]:
    """An `sql` callable on `database_url`, each statement in a transaction of its own."""
    engine = create_engine(database_url, poolclass=NullPool)
    connection = engine.connect().execution_options(isolation_level="AUTOCOMMIT")

    def run(statement: str, **params) -> list:
        return list(connection.execute(text(statement), params).all())

    try:
        yield run
    finally:
        connection.close()
        engine.dispose()


@dataclass
class LiveRows:
    """What the aggregates are computed from: live citizens and kinship between live ones."""

    present_pairs: list[tuple[int, int]]  # (citizen, birth month of a relative)
    towns_and_births: list[tuple[str, date]]

    def birthdays(self) -> dict:
        return birthdays(self.present_pairs)

    def percentiles(self, as_of: date) -> list[dict]:
        return town_age_percentiles(self.towns_and_births, as_of)


def live_rows(citizens: Iterable[tuple], kinship: Iterable[tuple[int, int]]) -> LiveRows:
    """From (citizen_id, town, birth_date, trashed) and (citizen_id, relative_id) rows."""
    live = {citizen_id: (town, born) for citizen_id, town, born, trashed in citizens if not trashed}
    pairs = [
        (citizen_id, live[relative_id][1].month)
        for citizen_id, relative_id in kinship
        if citizen_id in live and relative_id in live
    ]
    return LiveRows(pairs, list(live.values()))


def read_live_rows(sql: Sql, import_id: int) -> LiveRows:
    citizens = sql(
        "SELECT citizen_id, town, birth_date, deleted_at IS NOT NULL FROM citizens"
        " WHERE import_id = :import_id",
        import_id=import_id,
    )
    return live_rows(citizens, kinship_pairs(sql, import_id))


def kinship_pairs(sql: Sql, import_id: int) -> set[tuple[int, int]]:
    """(citizen, relative) of every stored kinship row of the import, trash included."""
    rows = sql(
        "SELECT citizen_id, relative_id FROM kinship WHERE import_id = :import_id",
        import_id=import_id,
    )
    return {(citizen_id, relative_id) for citizen_id, relative_id in rows}


def one_sided(kinship: set[tuple[int, int, int]]) -> list[tuple[int, int, int]]:
    """The (import_id, a, b) rows whose mirror (import_id, b, a) is missing."""
    return sorted((i, a, b) for i, a, b in kinship if (i, b, a) not in kinship)


def one_sided_kinship(sql: Sql, import_id: int | None = None) -> list[tuple[int, int, int]]:
    """Kinship rows without their mirror, of one import or (None) of the whole database."""
    statement = "SELECT import_id, citizen_id, relative_id FROM kinship"
    if import_id is None:
        rows = sql(statement)
    else:
        rows = sql(f"{statement} WHERE import_id = :i", i=import_id)
    return one_sided({tuple(row) for row in rows})


def served_percentiles(document: dict) -> list[dict]:
    """A town-age-stats document's entries in the form of app.domain's percentiles."""
    return [
        {"town": s["attributes"]["town"], **{p: s["attributes"][p] for p in PERCENTILES}}
        for s in document["data"]
    ]


def current_version(sql: Sql, import_id: int) -> int:
    return sql("SELECT data_version FROM imports WHERE id = :i", i=import_id)[0][0]


def inputs_versions(sql: Sql, import_id: int) -> dict[str, int]:
    """Per aggregate kind, the data_version of the last change that could affect it: an
    aggregate computed at that version or later is current (the contract's "never stale")."""
    ((birthdays_version, percentiles_version),) = sql(
        "SELECT birthdays_version, town_age_stats_version FROM imports WHERE id = :i",
        i=import_id,
    )
    return {"birthdays": birthdays_version, "town-age-stats": percentiles_version}


def served_differences(
    sql: Sql, import_id: int, birthdays_document: dict, percentiles_document: dict
) -> list[str]:
    """How the served birthdays and percentiles of an import differ from a recomputation.

    Each must have been computed at a version no change that could affect it has passed since
    (reads are never stale), and no later than the import's current data_version.
    """
    rows, version = read_live_rows(sql, import_id), current_version(sql, import_id)
    inputs = inputs_versions(sql, import_id)
    problems = []
    for label, kind, document in (
        ("birthdays", "birthdays", birthdays_document),
        ("percentiles", "town-age-stats", percentiles_document),
    ):
        served = document["meta"]["data_version"]
        if not inputs[kind] <= served <= version:
            problems.append(
                f"{label} served at data_version {served}, but a change at {inputs[kind]} can"
                f" affect it (the import is at {version})"
            )
    served, recomputed = birthdays_document["data"]["attributes"]["months"], rows.birthdays()
    months = sorted(
        (m for m in served.keys() | recomputed.keys() if served.get(m) != recomputed.get(m)),
        key=int,
    )
    if months:
        month = months[0]
        problems.append(
            f"birthdays differ from the recomputation in months {months}: month {month} is"
            f" {served.get(month)}, recomputed {recomputed.get(month)}"
        )
    as_of = date.fromisoformat(percentiles_document["meta"]["as_of"])
    served, recomputed = served_percentiles(percentiles_document), rows.percentiles(as_of)
    if served != recomputed:
        pairs = [(s, r) for s, r in zip(served, recomputed, strict=False) if s != r][:3]
        problems.append(
            f"percentiles differ from the recomputation as of {as_of}: {len(served)} towns"
            f" served, {len(recomputed)} recomputed; first differences (served, recomputed):"
            f" {pairs}"
        )
    return problems


def stored_differences(sql: Sql, import_id: int) -> tuple[set[str], list[str]]:
    """The kinds stored as current (no change since could affect them), and how any differs
    from a recomputation (what is no longer current is never served, so it is not judged)."""
    inputs = inputs_versions(sql, import_id)
    stored = [
        (kind, version, as_of, document)
        for kind, version, as_of, document in sql(
            "SELECT kind, data_version, as_of, document FROM stored_aggregates"
            " WHERE import_id = :i",
            i=import_id,
        )
        if version >= inputs[kind]
    ]
    rows = read_live_rows(sql, import_id)
    problems = [
        f"stored {kind} at data_version {version} differs from a recomputation"
        for kind, version, as_of, document in stored
        if orjson.loads(document)
        != (rows.birthdays() if kind == "birthdays" else rows.percentiles(as_of))
    ]
    return {kind for kind, *_rest in stored}, problems
