import random
from collections import Counter

import pytest

from app.domain.birthdays import birthdays
from app.domain.mutual_kinship import kinship_rows

MONTHS = [str(month) for month in range(1, 13)]


def test_empty_input_has_all_months_empty():
    assert birthdays([]) == {month: [] for month in MONTHS}


def test_hand_computed_example():
    # 1 (born in April) and 2 (born in September) are relatives; 3 (born in April) and 4
    # (born in December) are their own relatives, and 4 is also related to 1.
    birth_month = {1: 4, 2: 9, 3: 4, 4: 12}
    citizens = [
        {"citizen_id": 1, "relatives": [2, 4]},
        {"citizen_id": 2, "relatives": [1]},
        {"citizen_id": 3, "relatives": [3]},
        {"citizen_id": 4, "relatives": [4, 1]},
    ]
    pairs = [(c, birth_month[r]) for c, r in kinship_rows(citizens)]
    expected = {month: [] for month in MONTHS}
    expected["4"] = [
        {"citizen_id": 2, "presents": 1},
        {"citizen_id": 3, "presents": 1},
        {"citizen_id": 4, "presents": 1},
    ]
    expected["9"] = [{"citizen_id": 1, "presents": 1}]
    expected["12"] = [{"citizen_id": 1, "presents": 1}, {"citizen_id": 4, "presents": 1}]
    assert birthdays(pairs) == expected
    assert list(birthdays(pairs)) == MONTHS


def test_presents_counted_per_relative():
    # Citizen 7 has three relatives born in May.
    result = birthdays([(7, 5), (7, 5), (7, 5), (8, 5)])
    assert result["5"] == [{"citizen_id": 7, "presents": 3}, {"citizen_id": 8, "presents": 1}]


def test_output_sorted_by_citizen_id_and_counts_match():
    rng = random.Random(20240315)
    pairs = [(rng.randrange(500), rng.randrange(1, 13)) for _ in range(5000)]
    result = birthdays(pairs)
    counts = Counter(pairs)
    assert list(result) == MONTHS
    for month, entries in result.items():
        ids = [entry["citizen_id"] for entry in entries]
        assert ids == sorted(set(ids))
        for entry in entries:
            assert entry["presents"] == counts[(entry["citizen_id"], int(month))]
    assert sum(entry["presents"] for entries in result.values() for entry in entries) == 5000


@pytest.mark.parametrize("month", [0, 13])
def test_month_out_of_range_is_an_error(month):
    with pytest.raises(KeyError):
        birthdays([(1, month)])
