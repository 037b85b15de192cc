"""The relatives relationship of one citizen: replace, add to and remove from, both ways."""

from collections.abc import Callable, Collection

from app import signals
from app.domain import aggregate_inputs
from app.services import kinship_rows as kin
from app.services.changes import record_change
from app.services.citizens import check_version, current_version, require_citizen
from app.services.unit_of_work import lock_import, unit_of_work


def _change_relatives(
    import_id: int,
    citizen_id: int,
    relative_ids: list[int],
    change: Callable,
    expected_versions: Collection[int] | None,
) -> int:
    lock_import(import_id)
    require_citizen(import_id, citizen_id, relative_ids=relative_ids)
    check_version(import_id, citizen_id, expected_versions)
    changed = change(import_id, citizen_id, relative_ids)
    if changed:  # relatives already as asked: nothing changed, nothing to tell
        affects = aggregate_inputs.affected_by(["relatives"])
        record_change(signals.citizen_updated, import_id, sorted(changed), affects)
    return current_version(import_id, citizen_id)


@unit_of_work
def replace_relatives(
    import_id: int, citizen_id: int, relative_ids: list[int], expected_versions=None
) -> int:
    """Make `relative_ids` the citizen's visible relatives (kinship to trash is kept); return
    the citizen's version after the write."""
    return _change_relatives(
        import_id, citizen_id, relative_ids, kin.replace_relatives, expected_versions
    )


@unit_of_work
def add_relatives(
    import_id: int, citizen_id: int, relative_ids: list[int], expected_versions=None
) -> int:
    return _change_relatives(
        import_id, citizen_id, relative_ids, kin.add_relatives, expected_versions
    )


@unit_of_work
def remove_relatives(
    import_id: int, citizen_id: int, relative_ids: list[int], expected_versions=None
) -> int:
    return _change_relatives(
        import_id, citizen_id, relative_ids, kin.remove_relatives, expected_versions
    )
