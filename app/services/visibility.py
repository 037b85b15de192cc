"""The soft-delete rules, in one place: which rows a reader sees, and how rows are trashed and
restored.

Every query of the services builds its conditions from these functions, given the caller's
`Visibility`. The default is LIVE everywhere, so a query that is not told otherwise hides trash.
"""

from enum import Enum

from sqlalchemy import func, select, true, update
from sqlalchemy.sql import ColumnElement

from app.extensions import db
from app.models import citizens, imports, kinship


class Visibility(Enum):
    LIVE = "live"  # the default: trashed records do not exist
    WITH_TRASHED = "with_trashed"  # live and trashed alike
    ONLY_TRASHED = "only_trashed"  # a collection's trashed members; their parents as WITH_TRASHED

    @property
    def reaches_trash(self) -> bool:
        """Whether records addressed by URL or linkage may be trashed ones."""
        return self is not Visibility.LIVE

    @property
    def of_linkage(self) -> "Visibility":
        """How relatives linkage and `include` see citizens: trashed ones too whenever the
        caller sees trash at all (an only_trashed list still links to live relatives)."""
        return self if self is Visibility.LIVE else Visibility.WITH_TRASHED


LIVE = Visibility.LIVE


def _listed(table, mode: Visibility) -> ColumnElement[bool]:
    if mode is Visibility.ONLY_TRASHED:
        return table.c.deleted_at.is_not(None)
    return true() if mode.reaches_trash else table.c.deleted_at.is_(None)


def _reachable(table, mode: Visibility) -> ColumnElement[bool]:
    return true() if mode.reaches_trash else table.c.deleted_at.is_(None)


def import_listed(mode: Visibility = LIVE, table=imports) -> ColumnElement[bool]:
    """Imports that a collection of imports shows."""
    return _listed(table, mode)


def import_reachable(mode: Visibility = LIVE, table=imports) -> ColumnElement[bool]:
    """Imports that a URL may address: a parent is found even when only its trash is listed."""
    return _reachable(table, mode)


def citizen_listed(mode: Visibility = LIVE, table=citizens) -> ColumnElement[bool]:
    return _listed(table, mode)


def citizen_reachable(mode: Visibility = LIVE, table=citizens) -> ColumnElement[bool]:
    return _reachable(table, mode)


def visible_kinship(import_id: int, mode: Visibility = LIVE):
    """Kinship rows of one import whose both ends are seen under `mode`.

    Written as an anti-join against the import's trashed citizens, which the partial index
    ix_citizens_trashed holds and nothing else: whatever PostgreSQL estimates, that side stays
    as small as the trash really is. As a join to all citizens (or EXISTS), the planner, which
    believes a new import has one row under fresh or stale statistics, scanned the whole
    import's citizens once per kinship row: 10 million rows and a second for 10,000 citizens.
    """
    rows = select(kinship.c.citizen_id, kinship.c.relative_id).where(
        kinship.c.import_id == import_id
    )
    if mode.reaches_trash:
        return rows
    trashed = citizens.alias("trashed")
    touches_trash = (
        select(trashed.c.citizen_id)
        .where(
            trashed.c.import_id == kinship.c.import_id,
            trashed.c.deleted_at.is_not(None),
            trashed.c.citizen_id.in_([kinship.c.citizen_id, kinship.c.relative_id]),
        )
        .exists()
    )
    return rows.where(~touches_trash)


def relative_column(column: str) -> ColumnElement:
    """A column of a kinship row's relative: a scalar subquery, so always a per-row key lookup.

    PostgreSQL never turns a scalar subquery into a join, so no misestimate can make it a scan.
    """
    relative = citizens.alias("relative")
    return (
        select(relative.c[column])
        .where(
            relative.c.import_id == kinship.c.import_id,
            relative.c.citizen_id == kinship.c.relative_id,
        )
        .scalar_subquery()
    )


def trash(table, *where, by: str) -> bool:
    """Trash the live rows of `table` that match `where`; whether any was trashed."""
    trashed = db.session.execute(
        update(table)
        .where(*where, table.c.deleted_at.is_(None))
        .values(deleted_at=func.now(), deleted_by=by)
    )
    return trashed.rowcount > 0


def restore(table, *where) -> bool:
    """Restore the trashed rows of `table` that match `where`; whether any was restored.

    A live row is left as it is: restoring it changes nothing.
    """
    restored = db.session.execute(
        update(table)
        .where(*where, table.c.deleted_at.is_not(None))
        .values(deleted_at=None, deleted_by=None)
    )
    return restored.rowcount > 0
