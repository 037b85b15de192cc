from datetime import date

import pytest

from app.domain.citizen_rules import (
    CITIZEN_ATTRIBUTES,
    MAX_INT,
    Violation,
    parse_citizen,
)

TODAY = date(2024, 3, 15)
VALID = {
    "citizen_id": 1,
    "town": "Москва",
    "street": "Льва Толстого",
    "building": "16к7стр5",
    "apartment": 7,
    "name": "Иванов Иван Иванович",
    "birth_date": "1986-12-26",
    "gender": "male",
    "relatives": [2, 28],
}


def check(name, value):
    """Parse VALID with one attribute replaced; return (parsed value or None, violations)."""
    parsed, violations = parse_citizen({**VALID, name: value}, today=TODAY)
    return parsed.get(name), violations


def test_valid_citizen_is_parsed():
    parsed, violations = parse_citizen(VALID, today=TODAY)
    assert violations == []
    assert parsed == {**VALID, "birth_date": date(1986, 12, 26)}


def test_non_object_is_rejected():
    assert parse_citizen([VALID], today=TODAY) == ({}, [Violation((), "must be an object")])


@pytest.mark.parametrize("name", ["citizen_id", "apartment"])
@pytest.mark.parametrize("value", [0, 7, MAX_INT])
def test_integer_accepted(name, value):
    assert check(name, value) == (value, [])


@pytest.mark.parametrize("name", ["citizen_id", "apartment"])
@pytest.mark.parametrize("value", [True, False, 1.0, "7", -1, 2**31, [1]])
def test_integer_rejected(name, value):
    parsed, violations = check(name, value)
    assert parsed is None
    assert violations == [Violation((name,), "must be an integer from 0 to 2147483647")]


@pytest.mark.parametrize("name", ["town", "street", "building"])
@pytest.mark.parametrize("value", ["Москва", "ул. 1", "1", "x" * 256, "a\u00a0b", "à"])
def test_place_accepted(name, value):
    assert check(name, value) == (value, [])


@pytest.mark.parametrize("name", ["town", "street", "building", "name"])
@pytest.mark.parametrize(
    ("value", "detail"),
    [
        ("", "must be 1 to 256 characters long"),
        ("x" * 257, "must be 1 to 256 characters long"),
        ("a\x00b", "must not contain control characters"),
        ("a\x1fb", "must not contain control characters"),
        ("a\x7fb", "must not contain control characters"),
        ("a\nb", "must not contain control characters"),
        (7, "must be a string"),
        (["a"], "must be a string"),
    ],
)
def test_text_rejected(name, value, detail):
    assert check(name, value) == (None, [Violation((name,), detail)])


@pytest.mark.parametrize("name", ["town", "street", "building"])
@pytest.mark.parametrize("value", ["---", " ", "_", ".,!"])
def test_place_without_letter_or_digit_rejected(name, value):
    assert check(name, value) == (
        None,
        [Violation((name,), "must contain at least one letter or digit")],
    )


@pytest.mark.parametrize("value", ["Иван", "---", "O'Brien", "x" * 256])
def test_name_accepted(value):
    assert check("name", value) == (value, [])


@pytest.mark.parametrize("value", ["   ", "\u3000", " \u00a0"])
def test_blank_name_rejected(value):
    assert check("name", value) == (None, [Violation(("name",), "must not be blank")])


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2020-02-29", date(2020, 2, 29)),
        ("1900-01-01", date(1900, 1, 1)),
        ("2024-03-15", TODAY),
    ],
)
def test_birth_date_accepted(value, expected):
    assert check("birth_date", value) == (expected, [])


@pytest.mark.parametrize(
    ("value", "detail"),
    [
        ("19861226", "must be a date in YYYY-MM-DD format"),
        ("1986-2-6", "must be a date in YYYY-MM-DD format"),
        ("２０２０-01-01", "must be a date in YYYY-MM-DD format"),
        ("1986-12-26T00:00", "must be a date in YYYY-MM-DD format"),
        ("1986-12-26\n", "must be a date in YYYY-MM-DD format"),
        (19861226, "must be a date in YYYY-MM-DD format"),
        ("2019-02-29", "must be a real calendar date"),
        ("1986-13-01", "must be a real calendar date"),
        ("0000-01-01", "must be a real calendar date"),
        ("2024-03-16", "must not be after today (2024-03-15)"),
    ],
)
def test_birth_date_rejected(value, detail):
    assert check("birth_date", value) == (None, [Violation(("birth_date",), detail)])


@pytest.mark.parametrize("value", ["male", "female"])
def test_gender_accepted(value):
    assert check("gender", value) == (value, [])


@pytest.mark.parametrize("value", ["Male", "other", "", 1, ["male"]])
def test_gender_rejected(value):
    assert check("gender", value) == (None, [Violation(("gender",), 'must be "male" or "female"')])


@pytest.mark.parametrize("value", [[], [1], [3, 1, 2], [0, MAX_INT]])
def test_relatives_accepted(value):
    assert check("relatives", value) == (value, [])


def test_relatives_must_be_a_list():
    for value in [1, "1,2", {"1": 2}, (1, 2)]:
        assert check("relatives", value) == (
            None,
            [Violation(("relatives",), "must be a list of citizen ids")],
        )


def test_relatives_items_must_be_integers():
    parsed, violations = check("relatives", [1, True, "2", -1, 2**31, 1.0])
    assert parsed is None
    detail = "must be an integer from 0 to 2147483647"
    assert violations == [Violation(("relatives", index), detail) for index in range(1, 6)]


def test_duplicate_relative_reported_at_the_duplicate():
    parsed, violations = check("relatives", [5, 6, 5])
    assert parsed is None
    assert violations == [Violation(("relatives", 2), "lists citizen 5 more than once")]


def test_unknown_attribute():
    _, violations = parse_citizen({**VALID, "age": 37}, today=TODAY)
    assert violations == [Violation(("age",), "is not a known attribute")]


def test_relatives_unknown_when_not_in_fields():
    fields = tuple(name for name in CITIZEN_ATTRIBUTES if name != "relatives")
    parsed, violations = parse_citizen(VALID, today=TODAY, fields=fields)
    assert violations == [Violation(("relatives",), "is not a known attribute")]
    assert "relatives" not in parsed


@pytest.mark.parametrize("name", CITIZEN_ATTRIBUTES)
def test_null_rejected(name):
    parsed, violations = parse_citizen({**VALID, name: None}, today=TODAY)
    assert violations == [Violation((name,), "must not be null")]
    assert name not in parsed


@pytest.mark.parametrize("name", CITIZEN_ATTRIBUTES)
def test_missing_attribute_required(name):
    attrs = {key: value for key, value in VALID.items() if key != name}
    parsed, violations = parse_citizen(attrs, today=TODAY)
    assert violations == [Violation((name,), "is required")]
    assert name not in parsed


def test_partial_allows_missing_attributes():
    assert parse_citizen({"town": "Керчь"}, today=TODAY, partial=True) == ({"town": "Керчь"}, [])
    assert parse_citizen({}, today=TODAY, partial=True) == ({}, [])


def test_partial_still_validates_given_attributes():
    parsed, violations = parse_citizen({"town": "---", "name": "Ян"}, today=TODAY, partial=True)
    assert parsed == {"name": "Ян"}
    assert violations == [Violation(("town",), "must contain at least one letter or digit")]


def test_every_violation_is_reported():
    attrs = {"citizen_id": -1, "town": "", "gender": "x", "extra": 1}
    parsed, violations = parse_citizen(attrs, today=TODAY)
    assert parsed == {}
    assert {violation.path for violation in violations} == {
        ("citizen_id",),
        ("town",),
        ("gender",),
        ("extra",),
        ("street",),
        ("building",),
        ("apartment",),
        ("name",),
        ("birth_date",),
        ("relatives",),
    }
