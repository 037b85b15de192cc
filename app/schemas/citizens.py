"""The `citizens` resource type: its schema, and the fast document builder used to render it.

Rendering goes around marshmallow-jsonapi's `dump`: for a 10,000-citizen collection it costs
~0.5 s against ~0.03 s for building the same dicts directly (see benchmarks/). The schema stays the
one description of the type's members that query parsing (sort, filter, fields) checks against.
"""

from collections.abc import Iterable, Mapping, Sequence

from marshmallow_jsonapi import Schema, fields


class CitizenSchema(Schema):
    class Meta:
        type_ = "citizens"

    id = fields.Str(dump_only=True)
    citizen_id = fields.Integer()
    town = fields.Str()
    street = fields.Str()
    building = fields.Str()
    apartment = fields.Integer()
    name = fields.Str()
    birth_date = fields.Date()
    gender = fields.Str()
    deleted_at = fields.DateTime(allow_none=True)
    relatives = fields.Relationship(type_="citizens", many=True, schema="CitizenSchema")


def citizen_resource_id(import_id: int, citizen_id: int) -> str:
    """The API-wide id of a citizen; `citizen_id` alone is only unique inside its import."""
    return f"{import_id}.{citizen_id}"


def linkage(import_id: int, relative_ids: Iterable[int]) -> list[dict]:
    return [{"type": "citizens", "id": f"{import_id}.{r}"} for r in relative_ids]


def citizen_resources(
    rows: Iterable[Sequence],
    relatives: Mapping[int, list[int]],
    wanted: frozenset[str] | None,
    audit: bool = False,
) -> list[dict]:
    """Build citizen resource objects from rows in services.citizens.COLUMNS order.

    `wanted` is the sparse fieldset, None for every member. With `audit` (admins), a trashed
    citizen's resource meta says who trashed it.

    Written as one flat loop because it runs for every citizen of a 100,000-citizen import.
    Dates and times stay Python objects: orjson writes them as ISO 8601, in C.
    """
    with_relatives = wanted is None or "relatives" in wanted
    resources = []
    for row in rows:
        import_id, citizen_id, town, street, building, apartment, name, born, gender = row[:9]
        deleted, deleted_by = row[9], row[10]
        base = f"/imports/{import_id}/citizens/{citizen_id}"
        attributes = {
            "citizen_id": citizen_id, "town": town, "street": street, "building": building,
            "apartment": apartment, "name": name, "birth_date": born, "gender": gender,
            "deleted_at": deleted,
        }  # fmt: skip
        if wanted is not None:
            attributes = {k: v for k, v in attributes.items() if k in wanted}
        resource = {
            "type": "citizens",
            "id": f"{import_id}.{citizen_id}",
            "attributes": attributes,
            "links": {"self": base},
        }
        if with_relatives:
            ids = relatives.get(citizen_id, ())
            resource["relationships"] = {
                "relatives": {
                    "data": [{"type": "citizens", "id": f"{import_id}.{r}"} for r in ids],
                    "links": {"self": base + "/relationships/relatives"},
                }
            }
        if audit and deleted_by is not None:
            resource["meta"] = {"deleted_by": deleted_by}
        resources.append(resource)
    return resources
