"""Imports: create one in bulk, read, list, trash, restore and delete for good."""

from datetime import datetime

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.engine import Row

from app import signals
from app.domain.kinship import kinship_rows
from app.extensions import db
from app.services.citizens import STORED_COLUMNS
from app.services.database import bulk_insert, import_not_found, write_to_import
from app.services.query import apply_collection_query
from app.services.visibility import (
    LIVE,
    Visibility,
    citizen_reachable,
    citizens,
    import_listed,
    import_reachable,
    imports,
    kinship,
)
from app.signals import announce


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


def create_import(parsed_citizens: list[dict]) -> Row:
    """Store a validated import with its citizens and kinship in one transaction.

    Return it as stored, read inside that transaction: a trash committed right after must not
    turn the accepted POST into a 404.
    """
    try:
        import_id = db.session.execute(
            insert(imports).values(data_version=1).returning(imports.c.id)
        ).scalar_one()
        bulk_insert(
            citizens,
            STORED_COLUMNS,
            (
                (import_id, c["citizen_id"], c["town"], c["street"], c["building"],
                 c["apartment"], c["name"], c["birth_date"], c["gender"])
                for c in parsed_citizens
            ),
        )  # fmt: skip
        bulk_insert(
            kinship,
            ("import_id", "citizen_id", "relative_id"),
            ((import_id, c, r) for c, r in kinship_rows(parsed_citizens)),
        )
        announce(db.session, signals.import_created, import_id)
        created = get_import(import_id)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return created


def get_import(import_id: int, mode: Visibility = LIVE) -> Row:
    rows = import_rows(import_reachable(mode), mode)
    row = db.session.execute(select(rows).where(rows.c.id == import_id)).first()
    if row is None:
        raise import_not_found(import_id)
    return row


def list_imports(query, mode: Visibility = LIVE) -> tuple[int, list[Row]]:
    return apply_collection_query(import_rows(import_listed(mode), mode), query, ("id",))


def trash_import(import_id: int, by: str) -> None:
    """Hide the import and, without writing to them, all its citizens."""

    def trash():
        db.session.execute(
            update(imports)
            .where(imports.c.id == import_id)
            .values(deleted_at=func.now(), deleted_by=by)
        )
        announce(db.session, signals.import_trashed, import_id)

    write_to_import(import_id, trash)


def restore_import(import_id: int) -> Row:
    """Bring a trashed import back with exactly the citizens that were visible before.

    Return it as restored, read under the write's lock.
    """

    def restore():
        db.session.execute(
            update(imports)
            .where(imports.c.id == import_id)
            .values(deleted_at=None, deleted_by=None)
        )
        announce(db.session, signals.import_restored, import_id)
        return get_import(import_id, Visibility.WITH_TRASHED)

    return write_to_import(import_id, restore, Visibility.WITH_TRASHED)


def purge_import(import_id: int, trashed_before: datetime | None = None) -> bool:
    """Delete an import, live or trashed, with its citizens and kinship, for good.

    With `trashed_before` (the retention purge) only an import still trashed before then goes,
    checked in the DELETE itself, so one restored meanwhile stays; False when nothing went.
    """
    condition = imports.c.id == import_id
    if trashed_before is not None:
        condition &= imports.c.deleted_at < trashed_before
    try:
        deleted = db.session.execute(delete(imports).where(condition))
        if deleted.rowcount == 0 and trashed_before is None:
            raise import_not_found(import_id)
        if deleted.rowcount:
            announce(db.session, signals.import_purged, import_id)
        db.session.commit()
        return deleted.rowcount > 0
    except BaseException:
        db.session.rollback()
        raise
