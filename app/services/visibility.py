"""Which rows a reader may see: the one place that hides trashed imports and citizens.

Every read of the fast paths and aggregates builds its WHERE clauses from these functions, so a
trashed record cannot leak through one query that forgot about it.
"""

from sqlalchemy import and_
from sqlalchemy.sql import ColumnElement

from app.models import Citizen, ImportBatch, Kinship

imports = ImportBatch.__table__
citizens = Citizen.__table__
kinship = Kinship.__table__


def import_visible(table=imports) -> ColumnElement[bool]:
    return table.c.deleted_at.is_(None)


def citizen_visible(table=citizens) -> ColumnElement[bool]:
    return table.c.deleted_at.is_(None)


def relative_join_condition(relative, kin=kinship) -> ColumnElement[bool]:
    """Join a kinship row to its relative's citizen row, keeping only visible relatives."""
    return and_(
        relative.c.import_id == kin.c.import_id,
        relative.c.citizen_id == kin.c.relative_id,
        citizen_visible(relative),
    )
