"""The two aggregates of an import: computed from one snapshot of its live rows, and stored.

A stored aggregate is stamped with the `data_version` it was read at. A read serves it only
while that version is current (percentiles: only for the day they were computed for); otherwise
the read computes it on the spot, stores it and serves it, so nobody ever sees a stale aggregate.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import Connection, and_, func, or_, select, text
from sqlalchemy.dialects import postgresql, sqlite

from app.domain.birthdays import birthdays
from app.domain.errors import ImportNotFound
from app.domain.percentiles import town_age_percentiles
from app.extensions import db
from app.models import citizens, imports, kinship
from app.models import stored_aggregates as stored
from app.models.stored_aggregates import KINDS
from app.services.unit_of_work import snapshot, unit_of_work
from app.services.visibility import (
    citizen_listed,
    import_reachable,
    relative_column,
    visible_kinship,
)

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


def _current_version(connection: Connection, import_id: int) -> int:
    """The import's data_version as the snapshot sees it: the stamp of what is computed."""
    version = connection.execute(
        select(imports.c.data_version).where(imports.c.id == import_id, import_reachable())
    ).scalar()
    if version is None:
        raise ImportNotFound(import_id)
    return version


def compute_birthdays(import_id: int) -> Aggregate:
    with snapshot() as connection:
        version = _current_version(connection, import_id)
        pairs = connection.execute(
            visible_kinship(import_id).with_only_columns(
                kinship.c.citizen_id, relative_column("birth_date")
            )
        ).all()
    months = birthdays((citizen_id, born.month) for citizen_id, born in pairs)
    return Aggregate(import_id, BIRTHDAYS, version, datetime.now(UTC), months)


def compute_percentiles(import_id: int, as_of: date) -> Aggregate:
    with snapshot() as connection:
        version = _current_version(connection, import_id)
        rows = connection.execute(
            select(citizens.c.town, citizens.c.birth_date).where(
                citizens.c.import_id == import_id, citizen_listed()
            )
        ).all()
    stats = town_age_percentiles(rows, as_of)
    return Aggregate(import_id, PERCENTILES, version, datetime.now(UTC), stats, as_of)


@unit_of_work
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
    db.session.execute(statement)


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
    if row is None:
        raise ImportNotFound(import_id)
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


def live_import_ids() -> list[int]:
    return list(
        db.session.execute(
            select(imports.c.id).where(import_reachable()).order_by(imports.c.id)
        ).scalars()
    )


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
    return list(db.session.execute(query.order_by(imports.c.id)).scalars())
