"""Planner statistics of a new database, gathered as soon as it holds its first import.

A new database's migrations analyze the citizens and kinship tables while they are empty, and
until autovacuum's next ANALYZE (a minute or so after the first import) the planner believes
them empty: an import holds a row or two, and `citizen_id = ANY(...)` is checked as a filter
over all its citizens instead of as an index condition (3.4 ms instead of 0.04 ms per such
statement at 10,000 citizens; several per relatives write and per recompute). The first
computation of an aggregate (the worker's, after the first import) gathers the statistics
rather than leave the first minute of every new deployment slow. Later imports are estimated
well without it (migration 0007).
"""

from flask import current_app
from sqlalchemy import text

from app.extensions import db
from app.services.unit_of_work import unit_of_work

TABLES = ("citizens", "kinship")
GATHERED = "planner_statistics_gathered"  # once citizens has them, the app never asks again


@unit_of_work
def gather_if_believed_empty() -> list[str]:
    """ANALYZE each table that PostgreSQL believes empty but holds rows; the tables it did."""
    if current_app.extensions.get(GATHERED) or db.engine.dialect.name != "postgresql":
        return []  # SQLite (development) has no such estimates to correct
    # reltuples: -1 never analyzed, 0 analyzed while empty.
    believed_empty = db.session.execute(
        text("SELECT relname FROM pg_class WHERE relname = ANY(:tables) AND reltuples <= 0"),
        {"tables": list(TABLES)},
    ).scalars()
    gathered, empty = [], []
    for table in sorted(believed_empty):  # names from TABLES, never from input
        if db.session.execute(text(f"SELECT EXISTS (SELECT FROM {table})")).scalar():
            db.session.execute(text(f"ANALYZE {table}"))
            gathered.append(table)
        else:
            empty.append(table)  # believed empty, rightly
    # Done once citizens holds rows: an import writes its kinship with them, so kinship still
    # empty then fills only by later relatives writes, after which autovacuum analyzes it. So
    # an import without kinship never costs every later computation this check again.
    current_app.extensions[GATHERED] = "citizens" not in empty
    return gathered
