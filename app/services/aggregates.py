"""The two aggregates of an import: computed from one snapshot of its live rows, and stored.

A stored aggregate is stamped with the `data_version` it was read at. A read serves it only
while that version is current (percentiles: only for the day they were computed for); otherwise
the read computes it on the spot, stores it and serves it, so nobody ever sees a stale aggregate.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import and_, func, or_, select, text
from sqlalchemy.dialects import postgresql, sqlite

from app.domain.birthdays import birthdays
from app.domain.percentiles import town_age_percentiles
from app.extensions import db
from app.models import StoredAggregate
from app.models.stored_aggregates import KINDS
from app.services.database import import_not_found
from app.services.visibility import (
    citizen_listed,
    citizens,
    import_reachable,
    imports,
    kinship,
    relative_column,
    visible_kinship,
)

stored = StoredAggregate.__table__
BIRTHDAYS, PERCENTILES = "birthdays", "town-age-stats"


@dataclass
class Aggregate:
    import_id: int
    kind: str
    data_version: int
    computed_at: datetime
    document: object
    as_of: date | None = None
    from_store: bool = False


def _on_postgresql() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def today() -> date:
    return datetime.now(UTC).date()


def _snapshot(import_id: int, read: Callable[[], object]) -> tuple[int, object]:
    """Run `read` and fetch the import's data_version in one snapshot, so the stamp fits."""
    db.session.rollback()
    if _on_postgresql():
        # Transaction-scoped: one statement, nothing to reset when the connection goes back.
        db.session.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ"))
    try:
        version = db.session.execute(
            select(imports.c.data_version).where(imports.c.id == import_id, import_reachable())
        ).scalar()
        if version is None:
            raise import_not_found(import_id)
        return version, read()
    finally:
        db.session.rollback()


def compute_birthdays(import_id: int) -> Aggregate:
    version, pairs = _snapshot(
        import_id,
        lambda: db.session.execute(
            visible_kinship(import_id).with_only_columns(
                kinship.c.citizen_id, relative_column("birth_date")
            )
        ).all(),
    )
    months = birthdays((citizen_id, born.month) for citizen_id, born in pairs)
    return Aggregate(import_id, BIRTHDAYS, version, datetime.now(UTC), months)


def compute_percentiles(import_id: int, as_of: date) -> Aggregate:
    version, rows = _snapshot(
        import_id,
        lambda: db.session.execute(
            select(citizens.c.town, citizens.c.birth_date).where(
                citizens.c.import_id == import_id, citizen_listed()
            )
        ).all(),
    )
    stats = town_age_percentiles(rows, as_of)
    return Aggregate(import_id, PERCENTILES, version, datetime.now(UTC), stats, as_of)


def store(aggregate: Aggregate) -> None:
    """Keep `aggregate` unless the store already holds a newer version (or a later day)."""
    dialect = postgresql if _on_postgresql() else sqlite
    values = {
        "import_id": aggregate.import_id,
        "kind": aggregate.kind,
        "data_version": aggregate.data_version,
        "computed_at": aggregate.computed_at,
        "as_of": aggregate.as_of,
        "document": aggregate.document,
    }
    if dialect is postgresql:
        # The store is a cache that any read can rebuild: losing its last write in a crash costs
        # nothing, so skip waiting for the WAL flush (~3 ms a write).
        db.session.execute(text("SET LOCAL synchronous_commit = off"))
    statement = dialect.insert(stored).values(values)
    new = statement.excluded
    statement = statement.on_conflict_do_update(
        index_elements=[stored.c.import_id, stored.c.kind],
        set_={name: new[name] for name in ("data_version", "computed_at", "as_of", "document")},
        # Idempotent and order-proof: a late, older result never replaces a newer one.
        where=or_(
            stored.c.data_version < new.data_version,
            and_(stored.c.data_version == new.data_version, stored.c.as_of < new.as_of),
        ),
    )
    try:
        db.session.execute(statement)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise


def refresh(import_id: int) -> None:
    """Recompute and store both aggregates of an import (the background task's work)."""
    store(compute_birthdays(import_id))
    store(compute_percentiles(import_id, today()))


def _stored_if_current(import_id: int, kind: str):
    """The stored row of `kind` if it matches the import's current data_version, else None."""
    row = db.session.execute(
        select(imports.c.data_version.label("current_version"), stored)
        .outerjoin(stored, (stored.c.import_id == imports.c.id) & (stored.c.kind == kind))
        .where(imports.c.id == import_id, import_reachable())
    ).first()
    db.session.rollback()
    if row is None:
        raise import_not_found(import_id)
    return row if row.data_version == row.current_version else None


def _served(row) -> Aggregate:
    return Aggregate(
        row.import_id, row.kind, row.data_version, row.computed_at, row.document, row.as_of, True
    )


def current_birthdays(import_id: int) -> Aggregate:
    row = _stored_if_current(import_id, BIRTHDAYS)
    if row is not None:
        return _served(row)
    aggregate = compute_birthdays(import_id)
    store(aggregate)
    return aggregate


def current_percentiles(import_id: int, as_of: date) -> Aggregate:
    row = _stored_if_current(import_id, PERCENTILES)
    if row is not None and row.as_of == as_of:
        return _served(row)
    aggregate = compute_percentiles(import_id, as_of)
    if as_of == today():  # the store keeps the day they were computed on, nothing else
        store(aggregate)
    return aggregate


def stale_import_ids() -> list[int]:
    """Live imports whose stored aggregates are missing, behind, or of another day."""
    current_kinds = (
        select(func.count())
        .where(
            stored.c.import_id == imports.c.id,
            stored.c.data_version == imports.c.data_version,
            or_(stored.c.as_of.is_(None), stored.c.as_of == today()),
        )
        .scalar_subquery()
    )
    query = select(imports.c.id).where(import_reachable(), current_kinds < len(KINDS))
    import_ids = list(db.session.execute(query.order_by(imports.c.id)).scalars())
    db.session.rollback()
    return import_ids
