"""Change signals: announced inside a transaction, sent only once it has committed.

Services call `announce()` as they write; nothing is sent until the session commits, and a
rollback forgets everything announced. Each signal carries ids only: `import_id` and
`citizen_ids`. After the individual signals, `changes_committed` says once which imports the
commit touched (`import_ids`) and which of them had a change that can affect their aggregates
(`aggregates_affected`), for receivers that care about "something changed here" rather than what.
"""

from collections import defaultdict

from blinker import Namespace
from sqlalchemy import event
from sqlalchemy.orm import Session, scoped_session

namespace = Namespace()

import_created = namespace.signal("import-created")
import_trashed = namespace.signal("import-trashed")
import_restored = namespace.signal("import-restored")
import_purged = namespace.signal("import-purged")
citizen_created = namespace.signal("citizen-created")
citizen_updated = namespace.signal("citizen-updated")
citizen_trashed = namespace.signal("citizen-trashed")
citizen_restored = namespace.signal("citizen-restored")
citizen_purged = namespace.signal("citizen-purged")
changes_committed = namespace.signal("changes-committed")
# Sent by the periodic sweep (not by a commit) for imports whose stored aggregates are behind.
aggregates_stale = namespace.signal("aggregates-stale")

PENDING = "announced_changes"


def announce(
    session: Session, signal, import_id: int, citizen_ids=(), aggregates_affected: bool = True
) -> None:
    """Queue `signal` for `import_id` (and citizens) to be sent when `session` commits;
    `aggregates_affected`: whether the change can affect the import's aggregates."""
    if isinstance(session, scoped_session):
        session = session()  # the proxy has no transaction accessors
    # Remember the (sub)transaction, so a rolled-back savepoint forgets only its own news.
    transaction = session.get_nested_transaction() or session.get_transaction()
    session.info.setdefault(PENDING, []).append(
        (signal, import_id, tuple(citizen_ids), transaction, aggregates_affected)
    )


def _send_after_commit(session: Session) -> None:
    announced = session.info.pop(PENDING, [])
    if not announced:
        return
    grouped = defaultdict(dict)  # one send per signal and import, citizens merged in order
    affected = set()
    for signal, import_id, citizen_ids, _transaction, aggregates_affected in announced:
        grouped[(signal, import_id)].update(dict.fromkeys(citizen_ids))
        if aggregates_affected:
            affected.add(import_id)
    for (signal, import_id), citizen_ids in grouped.items():
        signal.send("citizens-analyzer", import_id=import_id, citizen_ids=tuple(citizen_ids))
    import_ids = frozenset(import_id for _, import_id in grouped)
    changes_committed.send(
        "citizens-analyzer", import_ids=import_ids, aggregates_affected=frozenset(affected)
    )


def _forget_after_rollback(session: Session, previous_transaction) -> None:
    if not previous_transaction.nested:
        session.info.pop(PENDING, None)
        return
    # A savepoint rolled back: the enclosing transaction's announcements still stand.
    session.info[PENDING] = [
        entry for entry in session.info.get(PENDING, []) if entry[3] is not previous_transaction
    ]


def install_commit_hooks(session_class: type[Session]) -> None:
    """Make sessions of `session_class` send their announced signals after each commit."""
    if not event.contains(session_class, "after_commit", _send_after_commit):
        event.listen(session_class, "after_commit", _send_after_commit)
        event.listen(session_class, "after_soft_rollback", _forget_after_rollback)
