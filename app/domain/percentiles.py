"""Compute exact age percentiles per town."""

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from app.domain.ages import age_on

PERCENTILES = (50, 75, 99)


def percentile(sorted_values: Sequence[int], q: float) -> Fraction | float:
    """Return the q-th percentile by linear interpolation, like numpy.percentile's default.

    The result is exact (a Fraction) for integer values; float values give a float.
    """
    if not sorted_values:
        raise ValueError("percentile of an empty sequence")
    # str() turns a float such as 99.9 into the decimal the caller wrote, not its binary value.
    rank = (len(sorted_values) - 1) * Fraction(str(q)) / 100
    lower = rank.numerator // rank.denominator
    low_value = sorted_values[lower]
    if lower + 1 >= len(sorted_values):
        return Fraction(low_value)
    return low_value + (sorted_values[lower + 1] - low_value) * (rank - lower)


def round_half_up(value: Fraction | float | Decimal, places: int = 2) -> float:
    """Round to `places` decimals, halves away from zero, and return a float."""
    if isinstance(value, Fraction):
        # Truncating to one more decimal keeps the digit that decides the rounding, and makes
        # the value exact as a Decimal (a Fraction such as 1/3 has no finite decimal form).
        value = Decimal(int(value * 10 ** (places + 1))).scaleb(-(places + 1))
    elif isinstance(value, float):
        # repr() is the shortest decimal that reads back as this float: 28.005, not 28.00499...
        value = Decimal(repr(value))
    quantum = Decimal(1).scaleb(-places)
    return float(Decimal(value).quantize(quantum, rounding=ROUND_HALF_UP))


def town_age_percentiles(rows: Iterable[tuple[str, date]], as_of: date) -> list[dict]:
    """Return p50, p75 and p99 of the ages in each town, towns in code point order."""
    ages_by_town: dict[str, list[int]] = defaultdict(list)
    # Many citizens share a birth date, so each date's age is computed only once.
    age_of: dict[date, int] = {}
    for town, birth_date in rows:
        age = age_of.get(birth_date)
        if age is None:
            age = age_of[birth_date] = age_on(birth_date, as_of)
        ages_by_town[town].append(age)

    result = []
    for town in sorted(ages_by_town):
        ages = ages_by_town[town]
        ages.sort()
        result.append(town_entry(town, ages))
    return result


def town_entry(town: str, sorted_ages: Sequence[int]) -> dict:
    """One town's p50, p75 and p99 of its ages, sorted ascending."""
    entry: dict = {"town": town}
    for q in PERCENTILES:
        entry[f"p{q}"] = round_half_up(percentile(sorted_ages, q))
    return entry


def rank_positions(count: int, q: int) -> tuple[int, int]:
    """The two 0-based positions of `count` sorted values that the q-th percentile reads (the
    second may lie past the end, when the rank is the last value itself)."""
    lower = (count - 1) * q // 100
    return lower, lower + 1


class PickedAges(Sequence):
    """A town's sorted ages of which only some positions are known: all `percentile` reads
    are the positions `rank_positions` names, so a database can pick them and send only them."""

    def __init__(self, count: int, ages_at: Mapping[int, int]):
        self.count, self.ages_at = count, ages_at

    def __len__(self) -> int:
        return self.count

    def __getitem__(self, index: int) -> int:
        return self.ages_at[index]


def merge_town_percentiles(
    stored: list[dict], recomputed_towns: set[str], recomputed: list[dict]
) -> list[dict]:
    """`stored` with the towns `recomputed_towns` replaced by `recomputed` (a town missing from
    it has no live citizens any more), in code point order."""
    kept = [entry for entry in stored if entry["town"] not in recomputed_towns]
    return sorted(kept + recomputed, key=lambda entry: entry["town"])
