"""Imports: create one in bulk, read, list, trash, restore and delete for good."""

from collections.abc import Collection
from datetime import datetime
from operator import itemgetter

from sqlalchemy import delete, func, insert, select
from sqlalchemy.engine import Row

from app import signals
from app.domain.citizen_rules import COLUMN_ATTRIBUTES
from app.domain.errors import ChangedMeanwhile, ImportNotFound
from app.domain.mutual_kinship import kinship_rows
from app.extensions import db
from app.models import citizens, imports, kinship
from app.services import visibility
from app.services.changes import record_change
from app.services.query import CollectionQuery, apply_collection_query
from app.services.unit_of_work import bulk_insert, lock_import, unit_of_work
from app.services.visibility import (
    LIVE,
    Visibility,
    citizen_reachable,
    import_listed,
    import_reachable,
)

column_values = itemgetter(*COLUMN_ATTRIBUTES)


def citizens_count(mode: Visibility):
    """Live citizens; with trash in view (with_trashed, only_trashed), every citizen."""
    return (
        select(func.count())
        .where(citizens.c.import_id == imports.c.id, citizen_reachable(mode))
        .scalar_subquery()
        .label("citizens_count")
    )


def import_rows(condition, mode: Visibility):
    """A selectable of imports with their attributes, ready to filter, sort and page."""
    return (
        select(
            imports.c.id, imports.c.created_at, imports.c.data_version, imports.c.deleted_at,
            imports.c.deleted_by, citizens_count(mode),
        )
        .where(condition)
        .subquery("import_rows")
    )  # fmt: skip


@unit_of_work
def create_import(parsed_citizens: list[dict]) -> Row:
    """Store a validated import with its citizens and kinship; return it as stored."""
    import_id = db.session.execute(
        insert(imports).values(data_version=1).returning(imports.c.id)
    ).scalar_one()
    bulk_insert(
        citizens,
        ("import_id", *COLUMN_ATTRIBUTES),
        ((import_id, *column_values(citizen)) for citizen in parsed_citizens),
    )
    bulk_insert(
        kinship,
        ("import_id", "citizen_id", "relative_id"),
        ((import_id, c, r) for c, r in kinship_rows(parsed_citizens)),
    )
    record_change(signals.import_created, import_id)
    # Read inside the write: a trash committed right after must not turn the POST into a 404.
    return get_import(import_id)


def get_import(import_id: int, mode: Visibility = LIVE) -> Row:
    rows = import_rows(import_reachable(mode), mode)
    row = db.session.execute(select(rows).where(rows.c.id == import_id)).first()
    if row is None:
        raise ImportNotFound(import_id)
    return row


def list_imports(query: CollectionQuery, mode: Visibility = LIVE) -> tuple[int, list[Row]]:
    return apply_collection_query(import_rows(import_listed(mode), mode), query, ("id",))


def _check_version(version: int, import_id: int, expected_versions) -> None:
    if expected_versions is not None and version not in expected_versions:
        raise ChangedMeanwhile(import_id)


@unit_of_work
def trash_import(import_id: int, by: str, expected_versions: Collection[int] | None = None) -> int:
    """Hide the import and, without writing to them, all its citizens; return its new
    data_version. `expected_versions`: the data_versions the caller accepts (None: any)."""
    _check_version(lock_import(import_id), import_id, expected_versions)
    visibility.trash(imports, imports.c.id == import_id, by=by)
    record_change(signals.import_trashed, import_id)
    return lock_import(import_id, Visibility.WITH_TRASHED)  # the data_version as bumped


@unit_of_work
def update_import(
    import_id: int,
    restore: bool,
    mode: Visibility = LIVE,
    expected_versions: Collection[int] | None = None,
) -> Row:
    """Restore the import when asked (the one change an import takes) and return it as it
    stands after the write.

    Restoring brings back exactly the citizens that were visible before; restoring a live
    import changes nothing. Under `mode`, a trashed import is found (WITH_TRASHED) or not.
    """
    # Locked first, restored or not, so a trash committing meanwhile waits for this answer
    # instead of slipping in between the restore and the read.
    _check_version(lock_import(import_id, mode), import_id, expected_versions)
    if restore and visibility.restore(imports, imports.c.id == import_id):
        record_change(signals.import_restored, import_id)
    return get_import(import_id, mode)


@unit_of_work
def purge_import(
    import_id: int,
    trashed_before: datetime | None = None,
    expected_versions: Collection[int] | None = None,
) -> bool:
    """Delete an import, live or trashed, with its citizens and kinship, for good.

    With `trashed_before` (the retention purge) only an import still trashed before then goes,
    checked in the DELETE itself, so one restored meanwhile stays; False when nothing went.
    """
    if expected_versions is not None:
        _check_version(
            lock_import(import_id, Visibility.WITH_TRASHED), import_id, expected_versions
        )
    condition = imports.c.id == import_id
    if trashed_before is not None:
        condition &= imports.c.deleted_at < trashed_before
    deleted = db.session.execute(delete(imports).where(condition))
    if deleted.rowcount == 0 and trashed_before is None:
        raise ImportNotFound(import_id)
    if deleted.rowcount:
        record_change(signals.import_purged, import_id)
    return deleted.rowcount > 0
