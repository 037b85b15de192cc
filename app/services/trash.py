"""Trash older than a retention period: find it, and delete it for good."""

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import groupby

from sqlalchemy import delete, select

from app import signals
from app.domain import aggregate_inputs
from app.extensions import db
from app.models import citizens, imports
from app.services.changes import record_change
from app.services.imports import purge_import
from app.services.query import is_one_of
from app.services.unit_of_work import lock_import, unit_of_work
from app.services.visibility import Visibility


@dataclass
class TrashReport:
    """What is (or was) old enough to purge."""

    cutoff: datetime
    imports: list[int] = field(default_factory=list)
    citizens: list[tuple[int, int]] = field(default_factory=list)  # (import_id, citizen_id)


def find_old_trash(older_than: timedelta) -> TrashReport:
    cutoff = datetime.now(UTC) - older_than
    report = TrashReport(cutoff)
    report.imports = list(
        db.session.execute(
            select(imports.c.id)
            .where(imports.c.deleted_at.is_not(None), imports.c.deleted_at < cutoff)
            .order_by(imports.c.id)
        ).scalars()
    )
    purged_imports = set(report.imports)
    report.citizens = [
        (import_id, citizen_id)
        for import_id, citizen_id in db.session.execute(
            select(citizens.c.import_id, citizens.c.citizen_id)
            .where(citizens.c.deleted_at.is_not(None), citizens.c.deleted_at < cutoff)
            .order_by(citizens.c.import_id, citizens.c.citizen_id)
        )
        if import_id not in purged_imports  # they go with their import
    ]
    return report


def purge_old_trash(older_than: timedelta) -> TrashReport:
    """Delete trash older than `older_than`; one transaction per import, bumping its version."""
    report = find_old_trash(older_than)
    report.imports = [i for i in report.imports if purge_import(i, trashed_before=report.cutoff)]
    for import_id, group in groupby(report.citizens, key=lambda pair: pair[0]):
        _purge_citizens(import_id, [citizen_id for _, citizen_id in group], report.cutoff)
    return report


@unit_of_work
def _purge_citizens(import_id: int, citizen_ids: list[int], cutoff: datetime) -> None:
    lock_import(import_id, Visibility.WITH_TRASHED)
    # Re-checked under the import's lock: a citizen restored since it was found stays.
    purged = db.session.execute(
        delete(citizens)
        .where(
            citizens.c.import_id == import_id,
            is_one_of(citizens.c.citizen_id, citizen_ids),
            citizens.c.deleted_at < cutoff,
        )
        .returning(citizens.c.citizen_id)
    ).scalars()
    purged_ids = sorted(purged)
    if purged_ids:
        # Trashed citizens and their kinship take no part in the aggregates: purging them
        # leaves both as they are.
        record_change(signals.citizen_purged, import_id, purged_ids, aggregate_inputs.NONE)
