"""The load scenario's own recomputation basis and mutuality check, apart from the database."""

from datetime import date

from app.domain.birthdays import birthdays
from benchmarks.load.verify import live_rows, one_sided


def test_live_rows_leave_out_trashed_citizens_on_either_end_of_a_link():
    citizens = [
        (1, "Керчь", date(1990, 4, 1), False),
        (2, "Москва", date(1985, 12, 31), False),
        (3, "Керчь", date(2000, 2, 29), True),  # trashed: no town row, no presents either way
    ]
    kinship = [(1, 2), (2, 1), (1, 3), (3, 1), (2, 2)]
    rows = live_rows(citizens, kinship)
    assert sorted(rows.present_pairs) == [(1, 12), (2, 4), (2, 12)]
    assert rows.towns_and_births == [("Керчь", date(1990, 4, 1)), ("Москва", date(1985, 12, 31))]
    months = birthdays(rows.present_pairs)
    assert months["12"] == [{"citizen_id": 1, "presents": 1}, {"citizen_id": 2, "presents": 1}]


def test_one_sided_names_rows_without_their_mirror_per_import():
    kinship = {(1, 1, 2), (1, 2, 1), (1, 3, 3), (2, 1, 2), (1, 4, 5)}
    assert one_sided(kinship) == [(1, 4, 5), (2, 1, 2)]
