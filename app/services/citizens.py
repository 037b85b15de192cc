"""Citizens: read pages fast, create, update, trash, restore and purge; kinship stays mutual."""

from collections.abc import Collection

from sqlalchemy import bindparam, delete, insert, or_, select, update
from sqlalchemy.engine import Row

from app import signals
from app.domain import aggregate_inputs
from app.domain.citizen_rules import COLUMN_ATTRIBUTES
from app.domain.errors import ChangedMeanwhile, CitizenIdTaken, CitizenNotFound, ImportNotFound
from app.extensions import db
from app.models import citizens, imports
from app.services import changes, visibility
from app.services import kinship_rows as kin
from app.services.changes import record_change
from app.services.query import (
    THIS_CITIZEN,
    CollectionQuery,
    apply_collection_query,
    at,
    built_once,
    is_one_of,
)
from app.services.unit_of_work import lock_import, unit_of_work
from app.services.visibility import (
    LIVE,
    Visibility,
    citizen_listed,
    citizen_reachable,
    import_reachable,
)

# What a read returns of each citizen: where it lives, its attributes, who trashed it, its
# version (the order app.schemas.citizens.citizen_resources renders).
ROW_COLUMNS = ("import_id", *COLUMN_ATTRIBUTES, "deleted_at", "deleted_by", "version")
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
        _citizen_columns()
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
        _citizen_columns()
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
    if len(ids) == 1:
        (citizen_id,) = ids
        found = db.session.execute(_one_citizen(mode), at(import_id, citizen_id)).all()
    else:
        found = db.session.execute(
            _citizen_columns()
            .where(
                citizens.c.import_id == import_id,
                is_one_of(citizens.c.citizen_id, ids),
                citizen_reachable(mode),
            )
            .order_by(citizens.c.citizen_id)
        ).all()
    relatives = kin.visible_relatives(import_id, [r.citizen_id for r in found], mode.of_linkage)
    return found, relatives


def _citizen_columns():
    return select(*(citizens.c[name] for name in ROW_COLUMNS))


@built_once
def _one_citizen(mode: Visibility):
    return _citizen_columns().where(*THIS_CITIZEN, citizen_reachable(mode))


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
# commits right after must not turn an accepted write into a 404. A write whose caller names
# `expected_versions` (the versions of the citizen it last saw; None: any) checks them under that
# lock and refuses with ChangedMeanwhile, having changed nothing.


def check_version(import_id: int, citizen_id: int, expected_versions) -> None:
    if expected_versions is None:
        return
    version = current_version(import_id, citizen_id)
    if version not in expected_versions:
        raise ChangedMeanwhile(import_id, citizen_id)


def current_version(import_id: int, citizen_id: int) -> int:
    """The citizen's version (live or trashed) as this transaction sees it."""
    return db.session.execute(_version_of_citizen(), at(import_id, citizen_id)).scalar_one()


@built_once
def _version_of_citizen():
    return select(citizens.c.version).where(*THIS_CITIZEN)


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
    record_change(signals.citizen_created, import_id, [citizen_id])
    if relative_ids:
        kin.require_relatives(import_id, relative_ids, also_valid={citizen_id})
        related = kin.add_relatives(import_id, citizen_id, relative_ids) - {citizen_id}
        if related:
            affects = aggregate_inputs.affected_by(["relatives"])
            record_change(signals.citizen_updated, import_id, sorted(related), affects)
    return _read_citizen(import_id, citizen_id, LIVE)


@unit_of_work
def update_citizen(
    import_id: int,
    citizen_id: int,
    values: dict,
    relative_ids: list[int] | None,
    mode: Visibility = LIVE,
    restore: bool = False,
    expected_versions: Collection[int] | None = None,
) -> WrittenCitizen:
    """Change attributes, replace the visible relatives when given, restore when asked.

    Only what differs is written: the same values again change nothing.
    """
    lock_import(import_id, mode)
    require_citizen(import_id, citizen_id, mode, relative_ids)
    check_version(import_id, citizen_id, expected_versions)
    this_citizen = at(import_id, citizen_id)
    # Restore first: replacing relatives replaces the visible ones, and a trashed citizen's
    # kinship is invisible until it is back.
    if restore and visibility.restore(
        citizens, citizens.c.import_id == import_id, citizens.c.citizen_id == citizen_id
    ):
        record_change(signals.citizen_restored, import_id, [citizen_id])
        _record_linkage_change(import_id, _linked_to(import_id, citizen_id))
    changed, affects, left_towns, row = set(), set(), (), None
    if values:
        row, affects, left_towns = _write_differences(this_citizen, values)
        if row is not None:
            changed.add(citizen_id)
    if relative_ids is not None:
        kinship_changed = kin.replace_relatives(import_id, citizen_id, relative_ids)
        if kinship_changed:
            changed |= kinship_changed
            affects |= aggregate_inputs.affected_by(["relatives"])
    if changed:
        record_change(
            signals.citizen_updated, import_id, sorted(changed), frozenset(affects), left_towns
        )
    if row is None:
        return _read_citizen(import_id, citizen_id, mode)
    relatives = kin.visible_relatives(import_id, [citizen_id], mode.of_linkage)
    return row, relatives.get(citizen_id, [])


def _write_differences(
    this_citizen: dict, values: dict
) -> tuple[Row | None, frozenset[str], tuple[str, ...]]:
    """Write `values` if any of them differs from what is stored. Return the citizen's row as
    written (None when nothing differed), the aggregates a change of those that did can affect
    (app.domain.aggregate_inputs), and the town the citizen left if it moved.

    The UPDATE moves the citizen's version too, unless this transaction moved it already, and
    returns the row: no version bump and no read afterwards (two statements of a PATCH's eight).
    """
    names = tuple(values)
    inputs = tuple(name for name in names if aggregate_inputs.affected_by([name]))
    affects, left_towns = aggregate_inputs.NONE, ()
    if inputs:  # read them first, so that only a real change of one invalidates an aggregate
        stored = db.session.execute(_stored_values(inputs), this_citizen).one()
        before = dict(zip(inputs, stored, strict=True))
        changed = [name for name in inputs if before[name] != values[name]]
        affects = aggregate_inputs.affected_by(changed)
        if "town" in changed:
            left_towns = (before["town"],)
    new_values = {f"new_{name}": value for name, value in values.items()}
    import_id, citizen_id = this_citizen["import"], this_citizen["citizen"]
    bump = changes.may_move_version(import_id, citizen_id)
    row = db.session.execute(
        _write_if_different(names, bump), {**this_citizen, **new_values}
    ).first()
    if row is not None and bump:
        changes.version_moved(import_id, citizen_id)
    return row, affects, left_towns


@built_once
def _stored_values(names: tuple[str, ...]):
    return select(*(citizens.c[name] for name in names)).where(*THIS_CITIZEN)


@built_once
def _write_if_different(names: tuple[str, ...], bump: bool):
    """UPDATE the citizen's `names` to `new_<name>` (and its version, with `bump`) unless each
    holds that value already, returning the row."""
    new = {name: bindparam(f"new_{name}", type_=citizens.c[name].type) for name in names}
    differs = or_(*(citizens.c[name].is_distinct_from(new[name]) for name in names))
    if bump:
        new["version"] = citizens.c.version + 1
    return (
        update(citizens)
        .where(*THIS_CITIZEN, differs)
        .values(new)
        .returning(*(citizens.c[name] for name in ROW_COLUMNS))
    )


def _linked_to(import_id: int, citizen_id: int) -> list[int]:
    """The other citizens whose visible relatives include this one."""
    relatives = kin.visible_relatives(import_id, [citizen_id]).get(citizen_id, [])
    return [relative for relative in relatives if relative != citizen_id]


def _record_linkage_change(import_id: int, others: list[int]) -> None:
    """A citizen came or went: the citizens it is related to now link to it, or no longer."""
    if others:
        affects = aggregate_inputs.affected_by(["relatives"])
        record_change(signals.citizen_updated, import_id, others, affects)


@unit_of_work
def trash_citizen(
    import_id: int, citizen_id: int, by: str, expected_versions: Collection[int] | None = None
) -> int:
    """Hide a citizen; its kinship rows stay, invisible, until it is restored or purged.

    Return its version as trashed.
    """
    lock_import(import_id)
    require_citizen(import_id, citizen_id)
    check_version(import_id, citizen_id, expected_versions)
    this_citizen = (citizens.c.import_id == import_id, citizens.c.citizen_id == citizen_id)
    linked = _linked_to(import_id, citizen_id)
    visibility.trash(citizens, *this_citizen, by=by)
    record_change(signals.citizen_trashed, import_id, [citizen_id])
    _record_linkage_change(import_id, linked)
    return current_version(import_id, citizen_id)


@unit_of_work
def purge_citizen(
    import_id: int, citizen_id: int, expected_versions: Collection[int] | None = None
) -> None:
    """Delete a citizen, live or trashed, for good; its kinship rows on both sides go with it."""
    lock_import(import_id, Visibility.WITH_TRASHED)
    this_citizen = (citizens.c.import_id == import_id, citizens.c.citizen_id == citizen_id)
    found = db.session.execute(
        select(citizens.c.deleted_at, citizens.c.town).where(*this_citizen)
    ).first()
    if found is None:
        raise CitizenNotFound(import_id, citizen_id)
    check_version(import_id, citizen_id, expected_versions)
    live = found.deleted_at is None
    # A trashed citizen's kinship is invisible already, and it takes no part in the
    # aggregates: its relatives and the aggregates look the same after.
    linked = _linked_to(import_id, citizen_id) if live else []
    db.session.execute(delete(citizens).where(*this_citizen))
    affects = aggregate_inputs.ALL if live else aggregate_inputs.NONE
    record_change(signals.citizen_purged, import_id, [citizen_id], affects, [found.town])
    _record_linkage_change(import_id, linked)
