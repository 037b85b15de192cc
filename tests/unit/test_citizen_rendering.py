"""Citizen resources built from rows named by their columns (no database needed)."""

from collections import namedtuple
from datetime import date

import pytest

from app.domain.citizen_rules import COLUMN_ATTRIBUTES
from app.schemas.citizens import citizen_resources, row_reader

CitizenRow = namedtuple(
    "CitizenRow", ("import_id", *COLUMN_ATTRIBUTES, "deleted_at", "deleted_by", "version")
)


def row(citizen_id: int, deleted_by: str | None = None) -> CitizenRow:
    return CitizenRow(
        7, citizen_id, "Керчь", "Иосифа Бродского", "16к7стр5", 7, "Иванов Иван",
        date(1986, 12, 26), "male", None, deleted_by, 1,
    )  # fmt: skip


def test_every_attribute_column_becomes_an_attribute_in_column_order():
    [resource] = citizen_resources([row(1)], {7: {1: [1, 2]}}, wanted=None)

    assert list(resource["attributes"]) == [*COLUMN_ATTRIBUTES, "deleted_at"]
    assert resource["id"] == "7.1"
    assert resource["attributes"]["birth_date"] == date(1986, 12, 26)
    assert resource["relationships"]["relatives"]["data"] == [
        {"type": "citizens", "id": "7.1"},
        {"type": "citizens", "id": "7.2"},
    ]
    assert resource["relationships"]["import"]["data"] == {"type": "imports", "id": "7"}


def test_who_trashed_a_citizen_is_meta_for_admins_only():
    trashed = [row(1, deleted_by="admin-ann")]

    assert citizen_resources(trashed, {}, None, audit=True)[0]["meta"] == {
        "deleted_by": "admin-ann"
    }
    assert "meta" not in citizen_resources(trashed, {}, None, audit=False)[0]


def test_sparse_fieldsets_keep_only_the_wanted_members():
    [resource] = citizen_resources([row(1)], {}, wanted=frozenset({"town"}))

    assert resource["attributes"] == {"town": "Керчь"}
    assert "relationships" not in resource


@pytest.mark.parametrize(
    "names",
    [
        ("citizen_id", "town", "deleted_by", "version"),
        ("import_id", "town", "deleted_at", "version"),
        ("import_id", "town", "deleted_by"),
        ("import_id", "class", "deleted_by", "version"),
    ],
)
def test_rows_of_another_shape_are_refused(names):
    with pytest.raises(ValueError):
        row_reader(names)
