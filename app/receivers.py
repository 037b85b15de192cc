"""Signal receivers: turn committed changes (and stale aggregates) into background work."""

import logging

from app import recompute_marks, signals
from app.tasks import recompute_aggregates

log = logging.getLogger(__name__)


def queue_recompute(import_id: int) -> None:
    """Queue a recompute unless one is queued already; never fail the caller over the broker.

    A write has committed by the time this runs: a broker outage must not turn it into an
    error. The aggregate is then computed on the next read, or queued again by the sweep.
    """
    try:
        if recompute_marks.claim(import_id):
            try:
                recompute_aggregates.apply_async((import_id,), retry=False)
            except Exception:
                recompute_marks.release(import_id)
                raise
    except Exception:
        log.warning("Could not queue a recompute of import %s", import_id, exc_info=True)


def recompute_imports(_sender, import_ids: frozenset[int], **_extra) -> None:
    """One recompute per stale import per sweep (the sweep's signal comes once for a set)."""
    for import_id in sorted(import_ids):
        queue_recompute(import_id)


def recompute_affected(_sender, aggregates_affected: frozenset[int], **_extra) -> None:
    """One recompute per commit of each import whose aggregates a change can affect; a new
    name, street, building, apartment or gender queues nothing."""
    for import_id in sorted(aggregates_affected):
        queue_recompute(import_id)


def connect_receivers() -> None:
    """Connect every receiver; called by create_app (connecting twice is harmless)."""
    signals.changes_committed.connect(recompute_affected)
    signals.aggregates_stale.connect(recompute_imports)
