import random
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

import numpy
import pytest

from app.domain.ages import age_on
from app.domain.percentiles import percentile, round_half_up, town_age_percentiles

AS_OF = date(2024, 3, 15)


@pytest.mark.parametrize(
    ("birth", "as_of", "age"),
    [
        (date(2000, 2, 29), date(2023, 2, 28), 22),
        (date(2000, 2, 29), date(2023, 3, 1), 23),
        (date(2000, 2, 29), date(2024, 2, 28), 23),
        (date(2000, 2, 29), date(2024, 2, 29), 24),
        (date(1986, 12, 26), date(2024, 12, 26), 38),
        (date(1986, 12, 26), date(2024, 12, 25), 37),
        (date(2024, 3, 15), date(2024, 3, 15), 0),
        (date(2023, 3, 16), date(2024, 3, 15), 0),
        (date(2024, 6, 1), date(2023, 6, 2), -1),
    ],
)
def test_age_on(birth, as_of, age):
    assert age_on(birth, as_of) == age


@pytest.mark.parametrize(
    ("values", "q", "expected"),
    [
        ([30], 99, Fraction(30)),
        ([10, 20], 50, Fraction(15)),
        ([10, 20], 75, Fraction(35, 2)),
        ([10, 20], 99, Fraction(1990, 100)),
        ([1, 2, 3, 4], 50, Fraction(5, 2)),
        ([1, 2, 3, 4], 100, Fraction(4)),
        ([1, 2, 3, 4], 0, Fraction(1)),
        ([0, 1], 50.5, Fraction(505, 1000)),
    ],
)
def test_percentile_hand_computed(values, q, expected):
    assert percentile(values, q) == expected


def test_percentile_of_nothing_is_an_error():
    with pytest.raises(ValueError):
        percentile([], 50)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Fraction(505, 1000), 0.51),
        (Fraction(67695, 1000), 67.7),
        (Fraction(1, 3), 0.33),
        (Fraction(2, 3), 0.67),
        (Fraction(-505, 1000), -0.51),
        (Fraction(5, 2), 2.5),
        (28.005, 28.01),
        (2.5, 2.5),
        (Decimal("0.125"), 0.13),
        (7, 7.0),
    ],
)
def test_round_half_up(value, expected):
    assert round_half_up(value) == expected


def test_exact_rounding_where_float_rounding_fails():
    # numpy gives 67.695 as a float just below the half, so round() would give 67.69.
    assert round(float(numpy.percentile([48, 87], 50.5)), 2) == 67.69
    assert round_half_up(percentile([48, 87], 50.5)) == 67.7


def birth_date_for(age):
    return date(AS_OF.year - age, 1, 1)


def test_one_citizen_town():
    result = town_age_percentiles([("Керчь", birth_date_for(40))], AS_OF)
    assert result == [{"town": "Керчь", "p50": 40.0, "p75": 40.0, "p99": 40.0}]


def test_hand_computed_town():
    rows = [("Москва", birth_date_for(age)) for age in (20, 10, 40, 30)]
    # Sorted ages 10, 20, 30, 40: ranks 1.5, 2.25 and 2.97.
    assert town_age_percentiles(rows, AS_OF) == [
        {"town": "Москва", "p50": 25.0, "p75": 32.5, "p99": 39.7}
    ]


def test_towns_sorted_by_code_point():
    rows = [(town, birth_date_for(1)) for town in ("Ёлки", "alpha", "Zeta", "Яр", "Ёлки")]
    assert [entry["town"] for entry in town_age_percentiles(rows, AS_OF)] == [
        "Zeta",
        "alpha",
        "Ёлки",
        "Яр",
    ]


def test_no_rows():
    assert town_age_percentiles([], AS_OF) == []


def near_half(value: float) -> bool:
    """Whether the float lies within 1e-9 of a point halfway between two 2-decimal values."""
    return abs(abs(value * 100) % 1 - 0.5) < 1e-9


@pytest.mark.parametrize("q", [50, 75, 99, 2.5, 12.5, 50.5, 87.5, 33.3])
def test_matches_numpy(q):
    rng = random.Random(f"percentiles-{q}")
    compared = 0
    for _ in range(40):
        ages = sorted(rng.randrange(0, 120) for _ in range(rng.randrange(1, 400)))
        expected = round_half_up(float(numpy.percentile(ages, q)))
        value = round_half_up(percentile(ages, q))
        if near_half(float(numpy.percentile(ages, q))):
            # numpy interpolates in binary floating point, so an exact half such as 64.125 may
            # come out as 64.12499999999999; only there may the last digit disagree by one.
            assert abs(value - expected) <= 0.0100001
        else:
            assert value == expected
            compared += 1
    assert compared >= 20


def test_town_percentiles_match_numpy():
    rng = random.Random(315)
    rows = [
        (f"town {rng.randrange(30)}", AS_OF - timedelta(days=rng.randrange(0, 100 * 366)))
        for _ in range(5000)
    ]
    rng.shuffle(rows)
    result = town_age_percentiles(rows, AS_OF)
    assert [entry["town"] for entry in result] == sorted({town for town, _ in rows})
    for entry in result:
        ages = [age_on(birth, AS_OF) for town, birth in rows if town == entry["town"]]
        for q in (50, 75, 99):
            assert entry[f"p{q}"] == round_half_up(float(numpy.percentile(ages, q)))
