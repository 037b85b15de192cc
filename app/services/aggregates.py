"""The two aggregates of an import, from one consistent snapshot of its live rows."""

from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import select

from app.domain.birthdays import birthdays
from app.domain.percentiles import town_age_percentiles
from app.extensions import db
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


@dataclass
class Aggregate:
    import_id: int
    data_version: int
    computed_at: datetime
    value: object


def _begin_snapshot() -> None:
    """Read the version and the rows from one snapshot, so the stamp matches the data."""
    db.session.rollback()
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.connection(execution_options={"isolation_level": "REPEATABLE READ"})


def _data_version(import_id: int) -> int:
    version = db.session.execute(
        select(imports.c.data_version).where(imports.c.id == import_id, import_reachable())
    ).scalar()
    if version is None:
        raise import_not_found(import_id)
    return version


def compute_birthdays(import_id: int) -> Aggregate:
    _begin_snapshot()
    version = _data_version(import_id)
    pairs = db.session.execute(
        visible_kinship(import_id).with_only_columns(
            kinship.c.citizen_id, relative_column("birth_date")
        )
    ).all()
    months = birthdays((citizen_id, born.month) for citizen_id, born in pairs)
    db.session.rollback()
    return Aggregate(import_id, version, datetime.now(UTC), months)


def compute_town_age_stats(import_id: int, as_of: date) -> Aggregate:
    _begin_snapshot()
    version = _data_version(import_id)
    rows = db.session.execute(
        select(citizens.c.town, citizens.c.birth_date).where(
            citizens.c.import_id == import_id, citizen_listed()
        )
    ).all()
    stats = town_age_percentiles(rows, as_of)
    db.session.rollback()
    return Aggregate(import_id, version, datetime.now(UTC), stats)
