from app.domain.citizen_rules import Violation
from app.domain.mutual_kinship import check_import_kinship, kinship_rows, replace_relatives_rows


def kin(citizen_id, *relatives):
    """A citizen as the kinship rules read it: its id and relatives (tests/factories.py's
    citizen() makes a whole one)."""
    return {"citizen_id": citizen_id, "relatives": list(relatives)}


def test_empty_import():
    assert check_import_kinship([]) == []
    assert kinship_rows([]) == []


def test_valid_mutual_set():
    citizens = [kin(1, 2, 3), kin(2, 1), kin(3, 1), kin(4)]
    assert check_import_kinship(citizens) == []
    assert kinship_rows(citizens) == [(1, 2), (1, 3), (2, 1), (3, 1)]


def test_self_kinship_is_mutual_and_stored_once():
    citizens = [kin(1, 1, 2), kin(2, 1)]
    assert check_import_kinship(citizens) == []
    assert kinship_rows(citizens) == [(1, 1), (1, 2), (2, 1)]


def test_one_sided_link_reported_at_the_listing_citizen():
    citizens = [kin(1, 2), kin(2, 3), kin(3, 2)]
    assert check_import_kinship(citizens) == [
        Violation(
            (0, "relatives", 0),
            "citizen 1 lists 2 as a relative but citizen 2 does not list 1",
        )
    ]


def test_unknown_relative():
    citizens = [kin(1, 2), kin(2, 1, 9)]
    assert check_import_kinship(citizens) == [
        Violation((1, "relatives", 1), "names citizen 9, which is not in this import")
    ]


def test_duplicate_citizen_id():
    citizens = [kin(5), kin(6), kin(5)]
    assert check_import_kinship(citizens) == [
        Violation((2, "citizen_id"), "duplicates citizen_id 5 of citizen at index 0")
    ]


def test_replace_relatives_rows_gives_both_directions():
    assert replace_relatives_rows(1, [2, 3]) == [(1, 2), (2, 1), (1, 3), (3, 1)]


def test_replace_relatives_rows_self_kinship_once():
    assert replace_relatives_rows(4, [4, 5]) == [(4, 4), (4, 5), (5, 4)]
    assert replace_relatives_rows(4, []) == []
