"""Background tasks. They take ids, never ORM objects, and call services to do the work."""

import logging
from datetime import timedelta

from celery import shared_task
from flask import current_app
from sqlalchemy.exc import DBAPIError

from app import recompute_marks, signals
from app.domain.errors import ImportNotFound
from app.services import aggregates, trash

log = logging.getLogger(__name__)


@shared_task(
    autoretry_for=(DBAPIError,),
    retry_backoff=1,
    retry_backoff_max=60,
    retry_jitter=True,
    max_retries=8,
)
def recompute_aggregates(import_id: int) -> None:
    """Recompute and store both aggregates of one import; idempotent."""
    recompute_marks.release(import_id)  # first, so a change committed meanwhile queues another
    try:
        aggregates.refresh(import_id)
    except ImportNotFound:
        log.info("Import %s is gone or trashed; nothing to recompute", import_id)


@shared_task
def sweep_stale_aggregates() -> int:
    """Announce every live import whose stored aggregates are behind; receivers queue them."""
    import_ids = aggregates.stale_import_ids()
    if import_ids:
        signals.aggregates_stale.send("citizens-analyzer", import_ids=frozenset(import_ids))
    return len(import_ids)


@shared_task
def purge_old_trash() -> None:
    """Purge trash older than the configured retention (TRASH_RETENTION_DAYS)."""
    days = current_app.config["TRASH_RETENTION_DAYS"]
    report = trash.purge_old_trash(timedelta(days=days))
    log.info(
        "Purged %d imports and %d citizens trashed over %d days ago",
        len(report.imports), len(report.citizens), days,
    )  # fmt: skip
