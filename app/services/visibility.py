"""Which rows a reader may see: the one place that hides trashed imports and citizens.

Every read of the fast paths and aggregates builds its WHERE clauses from these functions, so a
trashed record cannot leak through one query that forgot about it.
"""

from sqlalchemy import select
from sqlalchemy.sql import ColumnElement

from app.models import Citizen, ImportBatch, Kinship

imports = ImportBatch.__table__
citizens = Citizen.__table__
kinship = Kinship.__table__


def import_visible(table=imports) -> ColumnElement[bool]:
    return table.c.deleted_at.is_(None)


def citizen_visible(table=citizens) -> ColumnElement[bool]:
    return table.c.deleted_at.is_(None)


def kinship_end_visible(end: str) -> ColumnElement[bool]:
    """True when the citizen at one end ("citizen_id" or "relative_id") of a kinship row is visible.

    A scalar subquery on purpose: PostgreSQL never turns it into a join, so it stays one
    primary-key lookup per kinship row. As a JOIN or EXISTS, the planner (believing a new import
    has one row, as it does with fresh or stale statistics) scans the whole import's citizens
    once per kinship row: 10 million rows and a second for a 10,000-citizen import.
    """
    other = citizens.alias(f"{end}_citizen")
    return (
        select(citizen_visible(other))
        .where(other.c.import_id == kinship.c.import_id, other.c.citizen_id == kinship.c[end])
        .scalar_subquery()
    )


def visible_kinship(import_id: int):
    """Kinship rows of one import whose both ends are visible."""
    return select(kinship.c.citizen_id, kinship.c.relative_id).where(
        kinship.c.import_id == import_id,
        kinship_end_visible("citizen_id"),
        kinship_end_visible("relative_id"),
    )


def relative_column(column: str) -> ColumnElement:
    """A column of a kinship row's relative, looked up per row for the same reason as above."""
    relative = citizens.alias("relative")
    return (
        select(relative.c[column])
        .where(
            relative.c.import_id == kinship.c.import_id,
            relative.c.citizen_id == kinship.c.relative_id,
        )
        .scalar_subquery()
    )
