"""The oracle (harness.oracle, harness.expected) judges rows and documents, without a database."""

from datetime import date

from app.domain.birthdays import birthdays
from harness.expected import ExpectedImport
from harness.oracle import live_rows, one_sided, served_differences

ROW = ("Керчь", "Ленина", "1", 1, "Иванов Иван", date(1990, 1, 1), "male")


def fake_sql(version: int, citizens: list[tuple], kinship: list[tuple[int, int]]):
    """`sql(statement, **params)` over one import: (data_version, deleted_at) and its rows."""

    def run(statement: str, **_params) -> list[tuple]:
        if "birthdays_version" in statement:  # the last change to either aggregate's inputs
            return [(version, version)]
        if "FROM imports" in statement:
            return [(version, None)]
        if "FROM kinship" in statement:
            return kinship
        if "street" in statement:  # the expected state's full citizen rows
            return [(c, *ROW[:5], born, ROW[6], trashed) for c, _t, born, trashed in citizens]
        return citizens

    return run


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


def test_differences_name_a_lost_citizen_a_lost_kinship_row_and_a_missing_version_bump():
    attributes = dict(zip(("town", "street", "building", "apartment", "name"), ROW, strict=False))
    people = [
        {"citizen_id": c, **attributes, "birth_date": "1990-01-01", "gender": "male",
         "relatives": [3 - c]}
        for c in (1, 2)
    ]  # fmt: skip
    people[0]["name"] = "Петров Пётр"
    expected = ExpectedImport.from_import(7, people)
    expected.update_attributes(1, {"name": "Иванов Иван"})  # one changing write: version 2
    expected.update_attributes(2, {"name": "Иванов Иван"})  # the same name: no change

    sql = fake_sql(1, [(1, "Керчь", date(1990, 1, 1), False)], [(1, 2)])

    assert expected.differences(sql) == [
        "data_version is 1, expected 2 (1 + 1 changing writes) plus at most 0 refused ones"
        " that committed",
        "citizen 2 is missing",
        "kinship row (2, 1) is missing",
    ]


def test_served_aggregates_that_are_stale_or_wrong_are_named():
    sql = fake_sql(
        3,
        [(1, "Керчь", date(1990, 4, 1), False), (2, "Керчь", date(1990, 12, 31), False)],
        [(1, 2), (2, 1)],
    )
    months = birthdays([(1, 12)])  # citizen 2's present in April is lost
    served_birthdays = {"meta": {"data_version": 2}, "data": {"attributes": {"months": months}}}
    town = {"town": "Керчь", "p50": 30.0, "p75": 29.0, "p99": 29.0}  # both are 29
    served_percentiles = {
        "meta": {"data_version": 3, "as_of": "2020-01-01"},
        "data": [{"attributes": town}],
    }

    problems = served_differences(sql, 7, served_birthdays, served_percentiles)

    assert problems[0] == (
        "birthdays served at data_version 2, but a change at 3 can affect it (the import is at 3)"
    )
    assert problems[1].startswith("birthdays differ from the recomputation in months ['4']")
    assert problems[2].startswith("percentiles differ from the recomputation as of 2020-01-01")
    assert len(problems) == 3
