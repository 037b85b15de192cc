"""Kinship rows: read visible relatives and change them, always writing both directions.

Nothing here commits: the writers run inside their caller's unit of work, which holds the
import's lock (services.unit_of_work.lock_import), so the read-then-write steps here cannot
interleave with another writer of the same import.
"""

from collections import defaultdict
from collections.abc import Collection, Iterable

from sqlalchemy import and_, delete, or_, select

from app.domain.errors import RelativeNotFound
from app.domain.mutual_kinship import replace_relatives_rows
from app.extensions import db
from app.models import citizens, kinship
from app.services.query import (
    THIS_CITIZEN,
    THIS_CITIZEN_ID,
    THIS_IMPORT,
    at,
    built_once,
    is_one_of,
)
from app.services.unit_of_work import bulk_insert
from app.services.visibility import (
    LIVE,
    Visibility,
    citizen_reachable,
    relative_column,
    visible_kinship,
)


def visible_relatives(
    import_id: int, ids: Collection[int] | None = None, mode: Visibility = LIVE
) -> dict[int, list[int]]:
    """Map citizen_id -> sorted relative ids seen under `mode`, for `ids` or (None) all."""
    if ids is not None and len(ids) == 1:  # one citizen's: the statement is built once
        (citizen_id,) = ids
        found = db.session.execute(_relatives_of_one(mode), at(import_id, citizen_id)).scalars()
        relatives = list(found)
        return {citizen_id: relatives} if relatives else {}
    statement = visible_kinship(import_id, mode).order_by(
        kinship.c.citizen_id, kinship.c.relative_id
    )
    if ids is not None:
        if not ids:
            return {}
        statement = statement.where(is_one_of(kinship.c.citizen_id, ids))
    grouped = defaultdict(list)
    for citizen_id, relative_id in db.session.execute(statement):
        grouped[citizen_id].append(relative_id)
    return grouped


@built_once
def _relatives_of_one(mode: Visibility):
    return (
        visible_kinship(THIS_IMPORT, mode)
        .with_only_columns(kinship.c.relative_id)
        .where(kinship.c.citizen_id == THIS_CITIZEN_ID)
        .order_by(kinship.c.relative_id)
    )


def existing_ids(import_id: int, ids: Iterable[int], mode: Visibility = LIVE) -> set[int]:
    """The citizen_ids among `ids` that exist for the caller (under `mode`)."""
    ids = list(ids)
    if not ids:
        return set()
    if len(ids) == 1:  # one citizen: the statement is built once
        found = db.session.execute(_existing_one(mode), at(import_id, ids[0])).first()
        return set() if found is None else {ids[0]}
    return set(
        db.session.execute(
            select(citizens.c.citizen_id).where(
                citizens.c.import_id == import_id,
                is_one_of(citizens.c.citizen_id, ids),
                citizen_reachable(mode),
            )
        ).scalars()
    )


@built_once
def _existing_one(mode: Visibility):
    return select(citizens.c.citizen_id).where(*THIS_CITIZEN, citizen_reachable(mode))


def require_relatives(
    import_id: int, ids: list[int], also_valid=frozenset(), found: set[int] | None = None
) -> None:
    """Refuse the first relative that does not exist for the caller (missing or trashed).

    `found`: the live citizens among `ids` when the caller has looked them up already.
    """
    if found is None:
        found = existing_ids(import_id, set(ids) - set(also_valid))
    found = found | set(also_valid)
    for position, relative_id in enumerate(ids):
        if relative_id not in found:
            raise RelativeNotFound(import_id, relative_id, position)


def _relatives_of(import_id: int, citizen_id: int) -> tuple[set[int], set[int]]:
    """Every relative of a citizen, and the visible ones (both ends live), in one read: the
    kinship rows that exist already are never written again."""
    every, visible = set(), set()
    rows = db.session.execute(_kinship_of_one(), at(import_id, citizen_id))
    for relative_id, relative_deleted_at, trashed in rows:
        every.add(relative_id)
        if relative_deleted_at is None and not trashed:
            visible.add(relative_id)
    return every, visible


@built_once
def _kinship_of_one():
    """A citizen's kinship rows: each relative, whether it is trashed, whether the citizen is."""
    citizen_trashed = (
        select(citizens.c.deleted_at.is_not(None)).where(*THIS_CITIZEN).scalar_subquery()
    )
    return select(kinship.c.relative_id, relative_column("deleted_at"), citizen_trashed).where(
        kinship.c.import_id == THIS_IMPORT, kinship.c.citizen_id == THIS_CITIZEN_ID
    )


def add_relatives(import_id: int, citizen_id: int, relative_ids: Iterable[int]) -> set[int]:
    """Add kinship both ways; return the citizens whose relatives changed."""
    every, _live = _relatives_of(import_id, citizen_id)
    return _insert_kinship(import_id, citizen_id, set(relative_ids) - every)


def _insert_kinship(import_id: int, citizen_id: int, new: set[int]) -> set[int]:
    rows = replace_relatives_rows(citizen_id, sorted(new))
    # COPY, as an import does: one INSERT per row would cost 3.5 s for a 100,000-star.
    bulk_insert(
        kinship, ("import_id", "citizen_id", "relative_id"), ((import_id, c, r) for c, r in rows)
    )
    return {citizen_id, *new} if new else set()


def remove_relatives(import_id: int, citizen_id: int, relative_ids: Iterable[int]) -> set[int]:
    """Remove kinship both ways; return the citizens whose relatives changed."""
    gone = list(set(relative_ids))
    if not gone:
        return set()
    deleted = db.session.execute(
        delete(kinship)
        .where(
            kinship.c.import_id == import_id,
            or_(
                and_(kinship.c.citizen_id == citizen_id, is_one_of(kinship.c.relative_id, gone)),
                and_(kinship.c.relative_id == citizen_id, is_one_of(kinship.c.citizen_id, gone)),
            ),
        )
        .returning(kinship.c.citizen_id)
    )
    return set(deleted.scalars())  # both directions go, so both ends are among these


def replace_relatives(import_id: int, citizen_id: int, relative_ids: Iterable[int]) -> set[int]:
    """Replace the visible relatives (kinship to trashed citizens is kept for their restore);
    return the citizens whose relatives changed."""
    wanted = set(relative_ids)
    every, current = _relatives_of(import_id, citizen_id)
    removed = remove_relatives(import_id, citizen_id, current - wanted)
    return removed | _insert_kinship(import_id, citizen_id, wanted - every)
