"""Citizens: read pages fast, create, update, trash, restore and purge; kinship stays mutual."""

from collections.abc import Collection

from sqlalchemy import bindparam, delete, func, insert, select, update
from sqlalchemy.engine import Row

from app import signals
from app.errors import Conflict, ObjectNotFound
from app.extensions import db
from app.services import kinship as kin
from app.services.database import import_not_found, write_to_import
from app.services.query import apply_collection_query
from app.services.visibility import (
    LIVE,
    Visibility,
    citizen_listed,
    citizen_reachable,
    citizens,
    import_reachable,
    imports,
)
from app.signals import announce

# What a new citizen stores; reads add the trash columns. Citizen documents are built from rows
# in COLUMNS order (app.schemas.citizens.citizen_resources).
STORED_COLUMNS = (
    "import_id", "citizen_id", "town", "street", "building", "apartment", "name", "birth_date",
    "gender",
)  # fmt: skip
COLUMNS = (*STORED_COLUMNS, "deleted_at", "deleted_by")
# Linkage and include show trashed relatives whenever the caller sees trash at all.
LINKAGE_MODE = {mode: mode if mode is LIVE else Visibility.WITH_TRASHED for mode in Visibility}
# A citizen's row and its visible relatives' citizen_ids.
WrittenCitizen = tuple[Row, list[int]]


def ensure_import_reachable(import_id: int, mode: Visibility) -> None:
    found = db.session.execute(
        select(imports.c.id).where(imports.c.id == import_id, import_reachable(mode))
    ).first()
    if found is None:
        raise import_not_found(import_id)


def citizen_not_found(import_id: int, citizen_id: int) -> ObjectNotFound:
    return ObjectNotFound(
        f"Citizen {citizen_id} does not exist in import {import_id}.",
        source={"parameter": "citizen_id"},
    )


def require_citizen(
    import_id: int,
    citizen_id: int,
    mode: Visibility = LIVE,
    relative_ids: list[int] | None = None,
    pointer: str = kin.RELATIVES_POINTER,
) -> None:
    """404 unless the citizen exists under `mode` and every one of `relative_ids` is live."""
    relative_ids = relative_ids or []
    if mode is LIVE:  # the usual case: one query answers both questions
        found = kin.existing_ids(import_id, [citizen_id, *relative_ids])
        citizen_found, live_relatives = citizen_id in found, found
    else:
        citizen_found = bool(kin.existing_ids(import_id, [citizen_id], mode))
        live_relatives = kin.existing_ids(import_id, relative_ids)
    if not citizen_found:
        raise citizen_not_found(import_id, citizen_id)
    kin.require_relatives(import_id, relative_ids, pointer=pointer, found=live_relatives)


def citizen_rows(import_id: int, condition):
    return (
        select(*(citizens.c[name] for name in COLUMNS))
        .where(citizens.c.import_id == import_id, condition)
        .subquery("citizen_rows")
    )


def list_citizens(
    import_id: int, query, mode: Visibility = LIVE
) -> tuple[int, list[Row], dict[int, list[int]]]:
    """One page of citizens, the total that match, and their relatives, as `mode` shows them."""
    ensure_import_reachable(import_id, mode)
    rows = citizen_rows(import_id, citizen_listed(mode))
    count, page = apply_collection_query(rows, query, ("citizen_id",))
    whole_import = query.page_size == 0 and not query.filters and mode is LIVE
    ids = None if whole_import else [row.citizen_id for row in page]
    return count, page, kin.visible_relatives(import_id, ids, LINKAGE_MODE[mode])


def citizens_by_ids(
    import_id: int, ids: Collection[int], mode: Visibility = LIVE
) -> tuple[list[Row], dict]:
    """Citizens among `ids` that `mode` reaches, ordered by citizen_id, with their relatives."""
    if not ids:
        return [], {}
    rows = citizen_rows(import_id, citizen_reachable(mode))
    found = db.session.execute(
        select(rows)
        .where(rows.c.citizen_id.in_(bindparam("ids", expanding=True)))
        .order_by(rows.c.citizen_id),
        {"ids": list(ids)},
    ).all()
    relatives = kin.visible_relatives(import_id, [r.citizen_id for r in found], LINKAGE_MODE[mode])
    return found, relatives


def get_citizen(import_id: int, citizen_id: int, mode: Visibility = LIVE) -> WrittenCitizen:
    """One citizen and its relatives."""
    ensure_import_reachable(import_id, mode)
    return _read_citizen(import_id, citizen_id, mode)


def _read_citizen(import_id: int, citizen_id: int, mode: Visibility) -> WrittenCitizen:
    found, relatives = citizens_by_ids(import_id, [citizen_id], mode)
    if not found:
        raise citizen_not_found(import_id, citizen_id)
    return found[0], relatives.get(citizen_id, [])


def create_citizen(import_id: int, values: dict, relative_ids: list[int] | None) -> WrittenCitizen:
    """Add a citizen and both directions of its kinship; return it as stored."""
    citizen_id = values["citizen_id"]

    def create():
        holder = db.session.execute(
            select(citizens.c.deleted_at).where(
                citizens.c.import_id == import_id, citizens.c.citizen_id == citizen_id
            )
        ).first()
        if holder is not None:
            how = "restore or purge the trashed citizen" if holder.deleted_at else "choose another"
            raise Conflict(
                f"citizen_id {citizen_id} is already taken in import {import_id}; {how}.",
                source={"pointer": "/data/attributes/citizen_id"},
            )
        db.session.execute(insert(citizens).values(import_id=import_id, **values))
        announce(db.session, signals.citizen_created, import_id, [citizen_id])
        if relative_ids:
            kin.require_relatives(import_id, relative_ids, also_valid={citizen_id})
            related = kin.add_relatives(import_id, citizen_id, relative_ids) - {citizen_id}
            if related:
                announce(db.session, signals.citizen_updated, import_id, sorted(related))
        return _read_citizen(import_id, citizen_id, LIVE)

    return write_to_import(import_id, create)


def update_citizen(
    import_id: int,
    citizen_id: int,
    values: dict,
    relative_ids: list[int] | None,
    mode: Visibility = LIVE,
    restore: bool = False,
) -> WrittenCitizen:
    """Change attributes, replace the visible relatives when given, restore when asked.

    Return the citizen as stored.
    """

    def update_():
        require_citizen(import_id, citizen_id, mode, relative_ids)
        changes = {**values, **({"deleted_at": None, "deleted_by": None} if restore else {})}
        if changes:
            db.session.execute(
                update(citizens)
                .where(citizens.c.import_id == import_id, citizens.c.citizen_id == citizen_id)
                .values(**changes)
            )
        changed = {citizen_id}
        if relative_ids is not None:
            changed |= kin.replace_relatives(import_id, citizen_id, relative_ids)
        if restore:
            announce(db.session, signals.citizen_restored, import_id, [citizen_id])
        announce(db.session, signals.citizen_updated, import_id, sorted(changed))
        return _read_citizen(import_id, citizen_id, mode)

    return write_to_import(import_id, update_, mode)


def trash_citizen(import_id: int, citizen_id: int, by: str) -> None:
    """Hide a citizen; its kinship rows stay, invisible, until it is restored or purged."""

    def trash():
        trashed = db.session.execute(
            update(citizens)
            .where(
                citizens.c.import_id == import_id,
                citizens.c.citizen_id == citizen_id,
                citizen_reachable(LIVE),
            )
            .values(deleted_at=func.now(), deleted_by=by)
        )
        if trashed.rowcount == 0:
            raise citizen_not_found(import_id, citizen_id)
        announce(db.session, signals.citizen_trashed, import_id, [citizen_id])

    write_to_import(import_id, trash)


def purge_citizen(import_id: int, citizen_id: int) -> None:
    """Delete a citizen, live or trashed, for good; its kinship rows on both sides go with it."""

    def purge():
        deleted = db.session.execute(
            delete(citizens).where(
                citizens.c.import_id == import_id, citizens.c.citizen_id == citizen_id
            )
        )
        if deleted.rowcount == 0:
            raise citizen_not_found(import_id, citizen_id)
        announce(db.session, signals.citizen_purged, import_id, [citizen_id])

    write_to_import(import_id, purge, Visibility.WITH_TRASHED)


def change_relatives(import_id: int, citizen_id: int, relative_ids: list[int], change) -> None:
    """Apply a kinship change (add, remove or replace) under the import's lock, ids checked."""

    def work():
        require_citizen(import_id, citizen_id, relative_ids=relative_ids, pointer="/data")
        changed = change(import_id, citizen_id, relative_ids)
        # Announce even a change that changed nothing (relatives already as asked): the write
        # bumped data_version all the same, and without the news no recompute would bring the
        # stored aggregates up to that version; every read would compute them until the sweep.
        announce(db.session, signals.citizen_updated, import_id, sorted(changed) or [citizen_id])

    write_to_import(import_id, work)
