"""Count birthday presents per month."""

from bisect import insort
from collections.abc import Iterable

_MONTH_KEYS = {month: str(month) for month in range(1, 13)}


def birthdays(pairs: Iterable[tuple[int, int]]) -> dict[str, list[dict[str, int]]]:
    """Group (citizen_id, relative's birth month) pairs into presents per month and citizen.

    Every month "1".."12" is present; each list holds only citizens with presents, by citizen_id.
    A month outside 1..12 raises KeyError.
    """
    presents_by_month: dict[int, dict[int, int]] = {month: {} for month in _MONTH_KEYS}
    for citizen_id, month in pairs:
        presents = presents_by_month[month]
        presents[citizen_id] = presents.get(citizen_id, 0) + 1
    # Sorting plain int ids per month is several times faster than sorting (id, month) tuples.
    return {
        _MONTH_KEYS[month]: [
            {"citizen_id": citizen_id, "presents": presents[citizen_id]}
            for citizen_id in sorted(presents)
        ]
        for month, presents in presents_by_month.items()
    }


def merge_birthdays(
    stored: dict[str, list[dict[str, int]]],
    recomputed_for: set[int],
    recomputed: dict[str, list[dict[str, int]]],
) -> dict[str, list[dict[str, int]]]:
    """`stored` with the entries of the citizens `recomputed_for` replaced by `recomputed`
    (their presents counted anew: a citizen missing from it has no presents any more).

    Each month's list stays sorted by citizen_id: the few recounted entries are inserted where
    they belong rather than the whole month sorted again.
    """
    merged = {}
    for month, entries in stored.items():
        kept = [entry for entry in entries if entry["citizen_id"] not in recomputed_for]
        for entry in recomputed[month]:
            insort(kept, entry, key=_citizen_id)
        merged[month] = kept
    return merged


def _citizen_id(entry: dict[str, int]) -> int:
    return entry["citizen_id"]
