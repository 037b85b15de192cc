"""Signal receivers: turn committed changes into background work."""

from app import signals
from app.tasks import dispatch_recompute


def recompute_changed_imports(_sender, import_ids: frozenset[int], **_extra) -> None:
    """One recompute per import per commit (the signal comes once per commit)."""
    for import_id in sorted(import_ids):
        dispatch_recompute(import_id)


def connect_receivers() -> None:
    """Connect every receiver; called by create_app (connecting twice is harmless)."""
    signals.changes_committed.connect(recompute_changed_imports)
