"""Builders of request documents and citizens for the tests."""

import itertools

_counter = itertools.count(1)


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


def family() -> list[dict]:
    """Three citizens: 1 and 2 are relatives, 3 is their own relative."""
    return [
        citizen(1, [2], birth_date="1986-12-26", town="Москва"),
        citizen(2, [1], birth_date="1997-04-17", town="Москва"),
        citizen(3, [3], birth_date="2000-02-29", town="Керчь", gender="female"),
    ]
