"""Citizens: read pages fast, create, update, trash, restore and purge; kinship stays mutual."""

from collections.abc import Callable, Collection

from sqlalchemy import delete, insert, select, update
from sqlalchemy.engine import Row

from app import signals
from app.domain.citizen_rules import COLUMN_ATTRIBUTES
from app.domain.errors import CitizenIdTaken, CitizenNotFound, ImportNotFound
from app.extensions import db
from app.models import citizens, imports
from app.services import kinship_rows as kin
from app.services import visibility
from app.services.query import CollectionQuery, apply_collection_query, is_one_of
from app.services.unit_of_work import lock_import, unit_of_work
from app.services.visibility import (
    LIVE,
    Visibility,
    citizen_listed,
    citizen_reachable,
    import_reachable,
)
from app.signals import announce

# What a read returns of each citizen: where it lives, its attributes, who trashed it (the
# order app.schemas.citizens.citizen_resources renders).
ROW_COLUMNS = ("import_id", *COLUMN_ATTRIBUTES, "deleted_at", "deleted_by")
# A citizen's row and its visible relatives' citizen_ids.
WrittenCitizen = tuple[Row, list[int]]


def ensure_import_reachable(import_id: int, mode: Visibility) -> None:
    found = db.session.execute(
        select(imports.c.id).where(imports.c.id == import_id, import_reachable(mode))
    ).first()
    if found is None:
        raise ImportNotFound(import_id)


def require_citizen(
    import_id: int, citizen_id: int, mode: Visibility = LIVE, relative_ids: list[int] | None = None
) -> None:
    """Refuse unless the citizen exists under `mode` and every one of `relative_ids` is live."""
    relative_ids = relative_ids or []
    if mode is LIVE:  # the usual case: one query answers both questions
        found = kin.existing_ids(import_id, [citizen_id, *relative_ids])
        citizen_found, live_relatives = citizen_id in found, found
    else:
        citizen_found = bool(kin.existing_ids(import_id, [citizen_id], mode))
        live_relatives = kin.existing_ids(import_id, relative_ids)
    if not citizen_found:
        raise CitizenNotFound(import_id, citizen_id)
    kin.require_relatives(import_id, relative_ids, found=live_relatives)


def citizen_rows(import_id: int, condition):
    return (
        select(*(citizens.c[name] for name in ROW_COLUMNS))
        .where(citizens.c.import_id == import_id, condition)
        .subquery("citizen_rows")
    )


def list_citizens(
    import_id: int,
    query: CollectionQuery,
    mode: Visibility = LIVE,
    among: Collection[int] | None = None,
) -> tuple[int, list[Row], dict[int, list[int]]]:
    """One page of citizens, the total that match, and their relatives, as `mode` shows them.

    `among`: only these citizen_ids (a citizen's relatives, as a collection of their own).
    """
    ensure_import_reachable(import_id, mode)
    condition = citizen_listed(mode)
    if among is not None:
        condition = condition & is_one_of(citizens.c.citizen_id, among)
    rows = citizen_rows(import_id, condition)
    count, page = apply_collection_query(rows, query, ("citizen_id",))
    whole_import = query.everything and not query.filters and mode is LIVE and among is None
    ids = None if whole_import else [row.citizen_id for row in page]
    return count, page, kin.visible_relatives(import_id, ids, mode.of_linkage)


def list_citizens_of_every_import(
    query: CollectionQuery, mode: Visibility = LIVE
) -> tuple[int, list[Row], dict[int, dict[int, list[int]]]]:
    """One page of citizens across imports, the total that match, and their relatives by
    import (`filter[import]` is a filter on the rows' import_id).

    A citizen is listed when `mode` lists it and reaches its import: without trash in view, the
    citizens of a trashed import are as hidden as the import.
    """
    rows = (
        select(*(citizens.c[name] for name in ROW_COLUMNS))
        .join(imports, (imports.c.id == citizens.c.import_id) & import_reachable(mode))
        .where(citizen_listed(mode))
    )
    count, page = apply_collection_query(
        rows.subquery("citizen_rows"), query, ("citizen_id", "import_id")
    )
    by_import: dict[int, list[int]] = {}
    for row in page:
        by_import.setdefault(row.import_id, []).append(row.citizen_id)
    relatives = {
        import_id: kin.visible_relatives(import_id, ids, mode.of_linkage)
        for import_id, ids in by_import.items()
    }
    return count, page, relatives


def citizens_by_ids(
    import_id: int, ids: Collection[int], mode: Visibility = LIVE
) -> tuple[list[Row], dict]:
    """Citizens among `ids` that `mode` reaches, ordered by citizen_id, with their relatives."""
    if not ids:
        return [], {}
    rows = citizen_rows(import_id, citizen_reachable(mode))
    found = db.session.execute(
        select(rows).where(is_one_of(rows.c.citizen_id, ids)).order_by(rows.c.citizen_id)
    ).all()
    relatives = kin.visible_relatives(import_id, [r.citizen_id for r in found], mode.of_linkage)
    return found, relatives


def get_citizen(import_id: int, citizen_id: int, mode: Visibility = LIVE) -> WrittenCitizen:
    """One citizen and its relatives."""
    ensure_import_reachable(import_id, mode)
    return _read_citizen(import_id, citizen_id, mode)


def _read_citizen(import_id: int, citizen_id: int, mode: Visibility) -> WrittenCitizen:
    found, relatives = citizens_by_ids(import_id, [citizen_id], mode)
    if not found:
        raise CitizenNotFound(import_id, citizen_id)
    return found[0], relatives.get(citizen_id, [])


# Writes return the citizen as the write stored it, read under the write's lock: a trash that
# commits right after must not turn an accepted write into a 404.


@unit_of_work
def create_citizen(import_id: int, values: dict, relative_ids: list[int] | None) -> WrittenCitizen:
    """Add a citizen and both directions of its kinship."""
    lock_import(import_id)
    citizen_id = values["citizen_id"]
    holder = db.session.execute(
        select(citizens.c.deleted_at).where(
            citizens.c.import_id == import_id, citizens.c.citizen_id == citizen_id
        )
    ).first()
    if holder is not None:
        raise CitizenIdTaken(import_id, citizen_id, by_trashed=holder.deleted_at is not None)
    db.session.execute(insert(citizens).values(import_id=import_id, **values))
    announce(db.session, signals.citizen_created, import_id, [citizen_id])
    if relative_ids:
        kin.require_relatives(import_id, relative_ids, also_valid={citizen_id})
        related = kin.add_relatives(import_id, citizen_id, relative_ids) - {citizen_id}
        if related:
            announce(db.session, signals.citizen_updated, import_id, sorted(related))
    return _read_citizen(import_id, citizen_id, LIVE)


@unit_of_work
def update_citizen(
    import_id: int,
    citizen_id: int,
    values: dict,
    relative_ids: list[int] | None,
    mode: Visibility = LIVE,
    restore: bool = False,
) -> WrittenCitizen:
    """Change attributes, replace the visible relatives when given, restore when asked."""
    lock_import(import_id, mode)
    require_citizen(import_id, citizen_id, mode, relative_ids)
    this_citizen = (citizens.c.import_id == import_id, citizens.c.citizen_id == citizen_id)
    # Restore first: replacing relatives replaces the visible ones, and a trashed citizen's
    # kinship is invisible until it is back.
    if restore and visibility.restore(citizens, *this_citizen):
        announce(db.session, signals.citizen_restored, import_id, [citizen_id])
    if values:
        db.session.execute(update(citizens).where(*this_citizen).values(**values))
    changed = {citizen_id}
    if relative_ids is not None:
        changed |= kin.replace_relatives(import_id, citizen_id, relative_ids)
    announce(db.session, signals.citizen_updated, import_id, sorted(changed))
    return _read_citizen(import_id, citizen_id, mode)


@unit_of_work
def trash_citizen(import_id: int, citizen_id: int, by: str) -> None:
    """Hide a citizen; its kinship rows stay, invisible, until it is restored or purged."""
    lock_import(import_id)
    this_citizen = (citizens.c.import_id == import_id, citizens.c.citizen_id == citizen_id)
    if not visibility.trash(citizens, *this_citizen, by=by):
        raise CitizenNotFound(import_id, citizen_id)
    announce(db.session, signals.citizen_trashed, import_id, [citizen_id])


@unit_of_work
def purge_citizen(import_id: int, citizen_id: int) -> None:
    """Delete a citizen, live or trashed, for good; its kinship rows on both sides go with it."""
    lock_import(import_id, Visibility.WITH_TRASHED)
    deleted = db.session.execute(
        delete(citizens).where(
            citizens.c.import_id == import_id, citizens.c.citizen_id == citizen_id
        )
    )
    if deleted.rowcount == 0:
        raise CitizenNotFound(import_id, citizen_id)
    announce(db.session, signals.citizen_purged, import_id, [citizen_id])


def _change_relatives(
    import_id: int, citizen_id: int, relative_ids: list[int], change: Callable
) -> None:
    lock_import(import_id)
    require_citizen(import_id, citizen_id, relative_ids=relative_ids)
    changed = change(import_id, citizen_id, relative_ids)
    # Announce even a change that changed nothing (relatives already as asked): the write
    # bumped data_version all the same, and without the news no recompute would bring the
    # stored aggregates up to that version; every read would compute them until the sweep.
    announce(db.session, signals.citizen_updated, import_id, sorted(changed) or [citizen_id])


@unit_of_work
def replace_relatives(import_id: int, citizen_id: int, relative_ids: list[int]) -> None:
    """Make `relative_ids` the citizen's visible relatives (kinship to trash is kept)."""
    _change_relatives(import_id, citizen_id, relative_ids, kin.replace_relatives)


@unit_of_work
def add_relatives(import_id: int, citizen_id: int, relative_ids: list[int]) -> None:
    _change_relatives(import_id, citizen_id, relative_ids, kin.add_relatives)


@unit_of_work
def remove_relatives(import_id: int, citizen_id: int, relative_ids: list[int]) -> None:
    _change_relatives(import_id, citizen_id, relative_ids, kin.remove_relatives)
