"""Recording a change: the versions move and the change is announced, in the write's transaction.

A service calls `record_change` once it knows its write changed something, and only then; nothing
else moves a version or announces a signal. So a write that changes nothing (the same values
again, a relative already there, a stranger removed, a live record restored) moves no version,
sends no signal and queues no recompute, and its ETags stay as they were.

- An import's `data_version` grows once per transaction that changes the import or any of its
  citizens (a new import starts at 1; a purged one has no row left to bump).
- A citizen's `version` grows once per transaction that changes its representation: its
  attributes, its visible relatives or its `deleted_at` (a new citizen starts at 1). Trashing,
  restoring or purging a citizen changes its relatives' linkage too, so the services record
  those relatives as updated. A write that updates the citizen's row anyway may move the
  version in that same UPDATE when `may_move_version` says so, and then says it did
  (`version_moved`): one statement fewer, never a second bump.
- An import's `birthdays_version` and `town_age_stats_version` move to its new data_version
  when the change can affect that aggregate (`affects`; app.domain.aggregate_inputs). Only then
  is a recompute asked for: a new name leaves the stored aggregates current and the worker idle.
  Such a change is also written to aggregate_changes (the citizens it changed, and `towns` it
  may have left), so the recompute redoes only what the change touched.
"""

from collections.abc import Collection

from sqlalchemy import bindparam, insert, select, update

from app import signals
from app.domain import aggregate_inputs
from app.extensions import db
from app.models import aggregate_changes, citizens, imports
from app.services.query import THIS_CITIZEN, THIS_IMPORT, at, built_once, is_one_of
from app.signals import announce

# What this transaction has bumped already: import ids and (import_id, citizen_id) pairs.
BUMPED = "versions_bumped"
# Signals whose import (or citizens) are new or gone: there is no existing row to bump.
IMPORT_KEPT_AS_IS = {signals.import_created, signals.import_purged}
CITIZENS_CHANGED_IN_PLACE = {
    signals.citizen_updated,
    signals.citizen_trashed,
    signals.citizen_restored,
}
# What each signal affects unless the service says (an attribute update knows which changed).
# Trashing an import hides its aggregates and restoring it brings back the same rows: the
# aggregates stored before are exactly right again.
AFFECTS = {
    signals.import_trashed: aggregate_inputs.NONE,
    signals.import_restored: aggregate_inputs.NONE,
}
# The version column of each aggregate's inputs.
INPUT_VERSIONS = {
    aggregate_inputs.BIRTHDAYS: imports.c.birthdays_version,
    aggregate_inputs.PERCENTILES: imports.c.town_age_stats_version,
}


def _bumped_in_this_transaction() -> set:
    """The set of what this transaction bumped (a new transaction starts a new set)."""
    session = db.session()
    transaction = session.get_transaction()
    owner, bumped = session.info.get(BUMPED, (None, set()))
    if owner is not transaction:
        bumped = set()
        session.info[BUMPED] = (transaction, bumped)
    return bumped


def may_move_version(import_id: int, citizen_id: int) -> bool:
    """Whether this transaction has not moved the citizen's version yet."""
    return (import_id, citizen_id) not in _bumped_in_this_transaction()


def version_moved(import_id: int, citizen_id: int) -> None:
    """The caller's own UPDATE moved the citizen's version: record_change leaves it as it is."""
    _bumped_in_this_transaction().add((import_id, citizen_id))


def record_change(
    signal,
    import_id: int,
    citizen_ids: Collection[int] = (),
    affects: frozenset[str] | None = None,
    towns: Collection[str] = (),
) -> None:
    """Record that this transaction changed `import_id` (and these citizens) as `signal` says,
    and that the change can affect the aggregates `affects` (by default: what `signal` does).

    `towns`: towns the change may have taken a citizen out of, which the citizens' rows no
    longer tell (a citizen's town before it moved, a purged citizen's town).
    """
    if affects is None:
        affects = AFFECTS.get(signal, aggregate_inputs.ALL)
    bumped = _bumped_in_this_transaction()
    if signal not in IMPORT_KEPT_AS_IS:
        bump = import_id not in bumped
        kinds = tuple(kind for kind in sorted(affects) if (import_id, kind) not in bumped)
        if bump or kinds:
            db.session.execute(_bump_import(bump, kinds), at(import_id))
            bumped.add(import_id)
            bumped.update((import_id, kind) for kind in kinds)
        if affects:
            _log_for_recompute(import_id, citizen_ids, towns)
    if signal in CITIZENS_CHANGED_IN_PLACE:
        fresh = [c for c in citizen_ids if (import_id, c) not in bumped]
        if len(fresh) == 1:
            db.session.execute(_bump_one_citizen(), at(import_id, fresh[0]))
        elif fresh:
            db.session.execute(
                update(citizens)
                .where(citizens.c.import_id == import_id, is_one_of(citizens.c.citizen_id, fresh))
                .values(version=citizens.c.version + 1)
            )
        bumped.update((import_id, c) for c in fresh)
    announce(db.session, signal, import_id, citizen_ids, aggregates_affected=bool(affects))


@built_once
def _bump_import(bump: bool, kinds: tuple[str, ...]):
    """Move the import's data_version on (`bump`) and the inputs versions of `kinds` to it."""
    # SET reads the row as it was before the UPDATE: without `bump`, data_version is the one
    # this transaction moved already.
    new_version = imports.c.data_version + 1 if bump else imports.c.data_version
    values = {INPUT_VERSIONS[kind].name: new_version for kind in kinds}
    if bump:
        values["data_version"] = new_version
    return update(imports).where(imports.c.id == THIS_IMPORT).values(values)


@built_once
def _bump_one_citizen():
    return update(citizens).where(*THIS_CITIZEN).values(version=citizens.c.version + 1)


def _log_for_recompute(import_id: int, citizen_ids: Collection[int], towns: Collection[str]):
    """What the change touched, at the import's version after it (app.models.aggregate_changes)."""
    touched = {"citizens": sorted(citizen_ids), "towns": sorted(towns) or None}
    db.session.execute(_log_change(), {**at(import_id), **touched})


@built_once
def _log_change():
    version = select(imports.c.data_version).where(imports.c.id == THIS_IMPORT).scalar_subquery()
    return insert(aggregate_changes).values(
        import_id=THIS_IMPORT,
        data_version=version,
        citizen_ids=bindparam("citizens", type_=aggregate_changes.c.citizen_ids.type),
        towns=bindparam("towns", type_=aggregate_changes.c.towns.type),
    )
