"""The `citizens` resource type: its schema, and the fast document builder used to render it.

Rendering goes around marshmallow-jsonapi's `dump`: for a 10,000-citizen collection it costs
~0.5 s against ~0.03 s for building the same dicts directly (see benchmarks/). The schema stays the
one description of the type's members that query parsing (sort, filter, fields) checks against.
"""

from collections.abc import Iterable, Mapping

from marshmallow_jsonapi import Schema, fields

ATTRIBUTES = (
    "citizen_id",
    "town",
    "street",
    "building",
    "apartment",
    "name",
    "birth_date",
    "gender",
    "deleted_at",
)


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


def citizen_resource(
    row: Mapping, relative_ids: list[int], wanted: frozenset[str] | None = None
) -> dict:
    """Build one citizen resource object; `wanted` is the sparse fieldset, None for all."""
    import_id, citizen_id = row["import_id"], row["citizen_id"]
    base = f"/imports/{import_id}/citizens/{citizen_id}"
    # Dates and times stay Python objects: orjson writes them as ISO 8601 in C.
    if wanted is None:
        attributes = {name: row[name] for name in ATTRIBUTES}
    else:
        attributes = {name: row[name] for name in ATTRIBUTES if name in wanted}
    resource = {
        "type": "citizens",
        "id": f"{import_id}.{citizen_id}",
        "attributes": attributes,
        "links": {"self": base},
    }
    if wanted is None or "relatives" in wanted:
        resource["relationships"] = {
            "relatives": {
                "data": linkage(import_id, relative_ids),
                "links": {"self": base + "/relationships/relatives"},
            }
        }
    return resource
