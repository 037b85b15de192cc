"""Background tasks. They take ids, never ORM objects, and call services to do the work."""

import logging
from datetime import timedelta

from celery import shared_task
from flask import current_app
from sqlalchemy.exc import DBAPIError

from app import queue
from app.errors import ObjectNotFound
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
    queue.release(import_id)  # first, so a change committed meanwhile queues another run
    try:
        aggregates.refresh(import_id)
    except ObjectNotFound:
        log.info("Import %s is gone or trashed; nothing to recompute", import_id)


def dispatch_recompute(import_id: int) -> None:
    """Queue a recompute unless one is queued already; never fail the caller over the broker.

    A write has committed by the time this runs: a broker outage must not turn it into an
    error. The aggregate is then computed on the next read, or queued again by the sweep.
    """
    try:
        if queue.claim(import_id):
            try:
                # The Celery app of the Flask app that made the write, not the process-wide
                # default (which is whichever app was built last).
                celery = current_app.extensions["celery"]
                celery.tasks[recompute_aggregates.name].apply_async((import_id,), retry=False)
            except Exception:
                queue.release(import_id)
                raise
    except Exception:
        log.warning("Could not queue a recompute of import %s", import_id, exc_info=True)


@shared_task
def sweep_stale_aggregates() -> int:
    """Queue a recompute for every live import whose stored aggregates are behind."""
    import_ids = aggregates.stale_import_ids()
    for import_id in import_ids:
        dispatch_recompute(import_id)
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
