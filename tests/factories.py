"""Builders of request documents and citizens for the tests."""

import itertools

_counter = itertools.count(1)
# A citizen's attributes in an import body, in the contract's order (docs/api).
CITIZEN_ATTRIBUTES = (
    "citizen_id",
    "town",
    "street",
    "building",
    "apartment",
    "name",
    "birth_date",
    "gender",
    "relatives",
)


def citizen(citizen_id: int, relatives=(), **overrides) -> dict:
    """A valid citizen of an import body; override any attribute."""
    values = {
        "citizen_id": citizen_id,
        "town": "Москва",
        "street": "Льва Толстого",
        "building": "16к7стр5",
        "apartment": 7,
        "name": f"Иванов Иван {next(_counter)}",
        "birth_date": "1986-12-26",
        "gender": "male",
        "relatives": list(relatives),
    }
    values.update(overrides)
    return values


def citizen_attributes(citizen_id: int, /, **overrides) -> dict:
    """A valid citizen to POST to /imports/{id}/citizens, where relatives travel as linkage."""
    values = {**citizen(citizen_id), **overrides}
    if "relatives" not in overrides:
        del values["relatives"]
    return values


def import_document(citizens: list[dict]) -> dict:
    return {"data": {"type": "imports", "attributes": {"citizens": citizens}}}


def citizen_document(import_id: int, attributes: dict, relatives=None, resource_id=None) -> dict:
    data = {"type": "citizens", "attributes": attributes}
    if resource_id is not None:
        data["id"] = resource_id
    if relatives is not None:
        data["relationships"] = {"relatives": {"data": linkage(import_id, relatives)}}
    return {"data": data}


def linkage(import_id: int, citizen_ids) -> list[dict]:
    return [{"type": "citizens", "id": f"{import_id}.{c}"} for c in citizen_ids]


def restore_document(import_id: int, citizen_id: int | None = None) -> dict:
    """The PATCH that takes an import, or one of its citizens, out of the trash."""
    if citizen_id is None:
        resource = {"type": "imports", "id": str(import_id)}
    else:
        resource = {"type": "citizens", "id": f"{import_id}.{citizen_id}"}
    return {"data": {**resource, "attributes": {"deleted_at": None}}}


def family() -> list[dict]:
    """Three citizens: 1 and 2 are relatives, 3 is its own relative (born on 29 February)."""
    return [
        citizen(1, [2], birth_date="1986-12-26", town="Москва"),
        citizen(2, [1], birth_date="1997-04-17", town="Москва"),
        citizen(3, [3], birth_date="2000-02-29", town="Керчь", gender="female"),
    ]


def four_in_two_towns() -> list[dict]:
    """1-2 and 1-3 are relatives, 3 is its own relative, 4 has none; towns A and B."""
    return [
        citizen(1, [2, 3], birth_date="1990-04-10", town="A"),
        citizen(2, [1], birth_date="1985-06-01", town="A"),
        citizen(3, [1, 3], birth_date="2000-04-20", town="B"),
        citizen(4, [], birth_date="1970-12-31", town="A"),
    ]


def family_of_four() -> list[dict]:
    """family() and citizen 4, who has no relatives."""
    return [*family(), citizen(4, [])]


def family_of_four_born_on_1_january() -> list[dict]:
    """family_of_four(), born on 1 January of 1990, 1980, 2000 and 1970: every birthday falls in
    one month and every age is a whole number of years, so expected aggregates are easy to write."""
    years = (1990, 1980, 2000, 1970)
    return [
        {**person, "birth_date": f"{year}-01-01"}
        for person, year in zip(family_of_four(), years, strict=True)
    ]
