"""The two aggregates of an import: computed from one snapshot of its live rows, and stored.

A stored aggregate is stamped with the `data_version` it was read at. It is current while no
change since could affect it: while its stamp is at least the import's version of that
aggregate's inputs (`birthdays_version`, `town_age_stats_version`; app.services.changes moves
them), and for percentiles only on the day they were computed for. A read serves a current one;
otherwise it computes it on the spot, stores it and serves it, so nobody ever sees a stale
aggregate, and a new name or street never costs a recompute.

A recompute costs in proportion to what changed: it starts from the stored aggregate and the
changes recorded since (app.models.aggregate_changes) and counts anew only the presents of the
citizens those changes touched and their relatives, and only the percentiles of the towns they
touched. With nothing stored to start from (or a day other than the stored one, or a change
recorded as "anything"), it computes the whole aggregate.

Nothing is computed twice for one state: whoever computes an aggregate to store it (a read or
the worker) holds a transaction-level advisory lock on (import, kind) and looks at the store
again once it has it, so a read that finds a recompute in flight waits for it and serves its
result instead of repeating it.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime

import orjson
from sqlalchemy import (
    Connection,
    Date,
    String,
    and_,
    any_,
    bindparam,
    delete,
    func,
    or_,
    select,
    text,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.dialects.postgresql import ARRAY, aggregate_order_by

from app.domain.ages import age_on
from app.domain.aggregate_inputs import BIRTHDAYS, KINDS, PERCENTILES
from app.domain.birthdays import birthdays, merge_birthdays
from app.domain.errors import ImportNotFound
from app.domain.percentiles import PERCENTILES as PERCENTILE_RANKS
from app.domain.percentiles import (
    PickedAges,
    merge_town_percentiles,
    rank_positions,
    town_age_percentiles,
    town_entry,
)
from app.extensions import db
from app.models import aggregate_changes, citizens, imports, kinship
from app.models import stored_aggregates as stored
from app.services import statistics
from app.services.changes import INPUT_VERSIONS
from app.services.query import THIS_IMPORT, at, built_once, is_one_of
from app.services.unit_of_work import snapshot, unit_of_work
from app.services.visibility import (
    citizen_listed,
    import_reachable,
    relative_column,
    visible_kinship,
)

# The second key of each kind's advisory lock (the first is the import's id).
LOCK_KEYS = {kind: number for number, kind in enumerate(KINDS, start=1)}


@dataclass
class Aggregate:
    """An aggregate, as Python objects (`document`) or as the JSON bytes that encode them
    (`encoded`, what the store keeps); each is made from the other when first asked for."""

    import_id: int
    kind: str
    data_version: int
    computed_at: datetime
    document: object = None
    as_of: date | None = None
    from_store: bool = False
    # How many citizens' presents or towns' percentiles a recompute counted anew; None: all.
    recomputed: int | None = None
    encoded: bytes | None = None

    def value(self) -> object:
        if self.document is None:
            self.document = orjson.loads(self.encoded)
        return self.document

    def as_bytes(self) -> bytes:
        if self.encoded is None:
            self.encoded = orjson.dumps(self.document)
        return self.encoded


def _on_postgresql() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def today() -> date:
    return datetime.now(UTC).date()


def _versions(connection: Connection, import_id: int, kind: str) -> tuple[int, int]:
    """The import's data_version as the snapshot sees it (the stamp of what is computed), and
    the version of the last change to `kind`'s inputs."""
    row = connection.execute(_versions_of(kind), at(import_id)).first()
    if row is None:
        raise ImportNotFound(import_id)
    return row[0], row[1]


@built_once
def _versions_of(kind: str):
    return select(imports.c.data_version, INPUT_VERSIONS[kind]).where(
        imports.c.id == THIS_IMPORT, import_reachable()
    )


def _whole(connection: Connection, import_id: int, kind: str, as_of: date | None) -> object:
    """The whole document of an aggregate, from every row of the import."""
    if kind == BIRTHDAYS:
        return birthdays(_present_months(connection, import_id))
    return _town_percentiles(connection, import_id, as_of)


def compute(import_id: int, kind: str, as_of: date | None = None) -> Aggregate:
    """The whole aggregate, from one snapshot of the import's rows (percentiles: as of `as_of`,
    today by default)."""
    as_of = None if kind == BIRTHDAYS else (as_of or today())
    with snapshot() as connection:
        version, _ = _versions(connection, import_id, kind)
        document = _whole(connection, import_id, kind, as_of)
    return Aggregate(import_id, kind, version, datetime.now(UTC), document, as_of)


def compute_birthdays(import_id: int) -> Aggregate:
    return compute(import_id, BIRTHDAYS)


def compute_percentiles(import_id: int, as_of: date) -> Aggregate:
    return compute(import_id, PERCENTILES, as_of)


def _present_months(connection: Connection, import_id: int, citizen_ids=None) -> list:
    """(citizen_id, a relative's birth month) of every visible kinship row (of these citizens)."""
    rows = visible_kinship(import_id).with_only_columns(
        kinship.c.citizen_id, relative_column("birth_date")
    )
    if citizen_ids is not None:
        rows = rows.where(is_one_of(kinship.c.citizen_id, citizen_ids))
    return [(citizen_id, born.month) for citizen_id, born in connection.execute(rows)]


def _town_percentiles(connection: Connection, import_id: int, as_of: date, towns=None) -> list:
    """The percentiles of every town of live citizens (of these towns), by town.

    On PostgreSQL the database sorts each town's birth dates and sends only the few that the
    percentiles read (app.domain.percentiles.rank_positions): the latest birth date is the
    youngest age, so the k-th latest is the k-th smallest age. The ages and the interpolation
    stay the domain's. A large town then costs a sort in the database instead of sending
    every row of it (24,000 rows for the largest town of a 100,000-citizen import).
    """
    condition = [citizens.c.import_id == import_id, citizen_listed()]
    if towns is not None:
        condition.append(is_one_of(citizens.c.town, towns, String))
    if connection.dialect.name != "postgresql":  # SQLite (development): every row, in Python
        rows = select(citizens.c.town, citizens.c.birth_date).where(*condition)
        return town_age_percentiles(connection.execute(rows).all(), as_of)
    params = {**at(import_id), "towns": None if towns is None else list(towns)}
    entries = []
    for town, citizens_count, *births in connection.execute(
        _picked_births(towns is not None), params
    ):
        ages_at = {}
        for q, pair in zip(
            PERCENTILE_RANKS, zip(births[::2], births[1::2], strict=True), strict=True
        ):
            for position, born in zip(rank_positions(citizens_count, q), pair, strict=True):
                if born is not None:
                    ages_at[position] = age_on(born, as_of)
        entries.append(town_entry(town, PickedAges(citizens_count, ages_at)))
    return sorted(entries, key=lambda entry: entry["town"])


@built_once
def _picked_births(of_towns: bool):
    """Per town (`of_towns`: of those bound as `towns`): its live citizens' count and the birth
    dates at the ranks the percentiles read, latest first."""
    count = func.count()
    latest_first = func.array_agg(
        aggregate_order_by(citizens.c.birth_date, citizens.c.birth_date.desc()),
        type_=ARRAY(Date),
    )
    picks = [
        latest_first[1 + ((count - 1) * q).op("/")(100) + step]  # integer division, 1-based
        for q in PERCENTILE_RANKS
        for step in (0, 1)
    ]
    condition = [citizens.c.import_id == THIS_IMPORT, citizen_listed()]
    if of_towns:
        condition.append(citizens.c.town == any_(bindparam("towns", type_=ARRAY(String))))
    return select(citizens.c.town, count, *picks).where(*condition).group_by(citizens.c.town)


def _recorded_changes(connection: Connection, import_id: int, since: int, inputs_version: int):
    """The citizens and towns the changes after version `since` touched; None when those
    changes are not all recorded up to `inputs_version`, or one was recorded as "anything"."""
    rows = connection.execute(_changes_since(), {**at(import_id), "since": since}).all()
    if (
        any(ids is None for _, ids, _ in rows)
        or max((v for v, _, _ in rows), default=0) < inputs_version
    ):
        return None
    citizen_ids = {citizen_id for _, ids, _ in rows for citizen_id in ids}
    towns = {town for _, _, left in rows for town in left or ()}
    return citizen_ids, towns


def _recompute(import_id: int, kind: str, as_of: date | None) -> Aggregate:
    """The aggregate as of now, counting anew only what changed since the stored one (the
    whole of it when nothing stored can be started from)."""
    touched = None
    with snapshot() as connection:
        version, inputs_version = _versions(connection, import_id, kind)
        base = connection.execute(_stored_document(), {**at(import_id), "kind": kind}).first()
        changes = None
        if base is not None and base.as_of == as_of:
            changes = _recorded_changes(connection, import_id, base.data_version, inputs_version)
        if changes is None:
            document = _whole(connection, import_id, kind, as_of)
        elif kind == BIRTHDAYS:
            touched = _with_relatives(connection, import_id, changes[0])
            recounted = birthdays(_present_months(connection, import_id, touched))
            document = merge_birthdays(orjson.loads(base.document), touched, recounted)
        else:
            touched = changes[1] | _towns_of(connection, import_id, changes[0])
            recounted = _town_percentiles(connection, import_id, as_of, sorted(touched))
            document = merge_town_percentiles(orjson.loads(base.document), touched, recounted)
    recomputed = None if touched is None else len(touched)
    return Aggregate(
        import_id, kind, version, datetime.now(UTC), document, as_of, False, recomputed
    )


@built_once
def _stored_document():
    return select(stored.c.data_version, stored.c.as_of, stored.c.document).where(
        stored.c.import_id == THIS_IMPORT, stored.c.kind == bindparam("kind")
    )


@built_once
def _changes_since():
    changes = aggregate_changes.c
    return select(changes.data_version, changes.citizen_ids, changes.towns).where(
        changes.import_id == THIS_IMPORT, changes.data_version > bindparam("since")
    )


def _with_relatives(connection: Connection, import_id: int, citizen_ids: set[int]) -> set[int]:
    """These citizens and everyone related to them, trashed or not: whose presents a change
    of these citizens (a birth date, kinship, trash) can have changed."""
    if not citizen_ids:
        return set()
    relatives = connection.execute(
        select(kinship.c.relative_id).where(
            kinship.c.import_id == import_id, is_one_of(kinship.c.citizen_id, citizen_ids)
        )
    ).scalars()
    return citizen_ids | set(relatives)


def _towns_of(connection: Connection, import_id: int, citizen_ids: set[int]) -> set[str]:
    if not citizen_ids:
        return set()
    return set(
        connection.execute(
            select(citizens.c.town).where(
                citizens.c.import_id == import_id, is_one_of(citizens.c.citizen_id, citizen_ids)
            )
        ).scalars()
    )


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
        "document": aggregate.as_bytes(),
    }
    if dialect is postgresql:
        # The store is a cache that any read can rebuild: losing its last write in a crash costs
        # nothing, so skip waiting for the WAL flush (~3 ms a write).
        db.session.execute(text("SET LOCAL synchronous_commit = off"))
    db.session.execute(_keep(dialect), {f"new_{name}": value for name, value in values.items()})
    db.session.execute(_forget_changes_seen_by_all(), at(aggregate.import_id))


@built_once
def _keep(dialect):
    """Upsert the bound `new_*` values, unless the store holds a newer version or a later day."""
    names = ("import_id", "kind", "data_version", "computed_at", "as_of", "document")
    statement = dialect.insert(stored).values(
        {name: bindparam(f"new_{name}", type_=stored.c[name].type) for name in names}
    )
    new = statement.excluded
    return statement.on_conflict_do_update(
        index_elements=[stored.c.import_id, stored.c.kind],
        set_={name: new[name] for name in ("data_version", "computed_at", "as_of", "document")},
        # Idempotent and order-proof: a late, older result never replaces a newer one.
        where=or_(
            stored.c.data_version < new.data_version,
            and_(stored.c.data_version == new.data_version, stored.c.as_of < new.as_of),
        ),
    )


@built_once
def _forget_changes_seen_by_all():
    """The changes every stored aggregate of the import has seen are needed no more."""
    seen_by_all = (
        select(func.min(stored.c.data_version))
        .where(stored.c.import_id == THIS_IMPORT)
        .scalar_subquery()
    )
    return delete(aggregate_changes).where(
        aggregate_changes.c.import_id == THIS_IMPORT,
        aggregate_changes.c.data_version <= seen_by_all,
    )


def refresh(import_id: int) -> None:
    """Bring both stored aggregates of an import up to date (the background task's work):
    each is computed only when what is stored is no longer current."""
    for kind in KINDS:
        current_aggregate(import_id, kind)


def _stored_if_current(import_id: int, kind: str, as_of: date | None):
    """The stored row of `kind` if no change since it was computed can affect it, else None."""
    row = db.session.execute(_stored_with_inputs_version(kind), at(import_id)).first()
    if row is None:
        raise ImportNotFound(import_id)
    if row.data_version is None or row.data_version < row.inputs_version:
        return None
    return row if row.as_of == as_of else None


@built_once
def _stored_with_inputs_version(kind: str):
    return (
        select(INPUT_VERSIONS[kind].label("inputs_version"), stored)
        .outerjoin(stored, (stored.c.import_id == imports.c.id) & (stored.c.kind == kind))
        .where(imports.c.id == THIS_IMPORT, import_reachable())
    )


def _served(row) -> Aggregate:
    return Aggregate(
        row.import_id, row.kind, row.data_version, row.computed_at, None, row.as_of, True,
        encoded=row.document,
    )  # fmt: skip


def _wait_for_others_computing(import_id: int, kind: str) -> None:
    """Take the (import, kind) lock until this transaction ends (the store commits it)."""
    if _on_postgresql():
        db.session.execute(_advisory_lock(), {**at(import_id), "kind": LOCK_KEYS[kind]})


@built_once
def _advisory_lock():
    return select(func.pg_advisory_xact_lock(THIS_IMPORT, bindparam("kind")))


def current_aggregate(import_id: int, kind: str, as_of: date | None = None) -> Aggregate:
    """The aggregate as of now: served from the store when current, else computed and stored.

    Percentiles for a day other than today are computed and not stored (the store keeps the
    day they were computed on, nothing else).
    """
    stored_as_of = None if kind == BIRTHDAYS else (as_of or today())
    row = _stored_if_current(import_id, kind, stored_as_of)
    if row is not None:
        return _served(row)
    statistics.gather_if_believed_empty()  # before the lock: it commits
    if kind == PERCENTILES and stored_as_of != today():
        return compute(import_id, kind, stored_as_of)
    _wait_for_others_computing(import_id, kind)
    row = _stored_if_current(import_id, kind, stored_as_of)  # stored while we waited?
    if row is not None:
        db.session.rollback()  # ends the wait's transaction: its lock goes too
        return _served(row)
    aggregate = _recompute(import_id, kind, stored_as_of)
    store(aggregate)  # commits, which releases the lock
    return aggregate


def current_birthdays(import_id: int) -> Aggregate:
    return current_aggregate(import_id, BIRTHDAYS)


def current_percentiles(import_id: int, as_of: date) -> Aggregate:
    return current_aggregate(import_id, PERCENTILES, as_of)


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
            or_(
                *(
                    and_(stored.c.kind == kind, stored.c.data_version >= inputs_version)
                    for kind, inputs_version in INPUT_VERSIONS.items()
                )
            ),
            or_(stored.c.as_of.is_(None), stored.c.as_of == today()),
        )
        .scalar_subquery()
    )
    query = select(imports.c.id).where(import_reachable(), current_kinds < len(KINDS))
    return list(db.session.execute(query.order_by(imports.c.id)).scalars())
