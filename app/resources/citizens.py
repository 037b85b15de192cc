"""The `citizens` resource: list with include and sparse fields, create, read, update, trash."""

from datetime import UTC, datetime

from app.domain.citizen_rules import CITIZEN_ATTRIBUTES, parse_citizen
from app.errors import UnprocessableEntity
from app.jsonapi import jsonapi_response
from app.performance import garbage_collector_paused
from app.resources.base import JsonApiDetail, JsonApiList
from app.resources.documents import read_resource, relationship_linkage, unprocessable
from app.resources.query import (
    CollectionQuery,
    check_parameters,
    pagination_links,
    parse_collection_query,
)
from app.schemas.citizens import CitizenSchema, citizen_resource_id, citizen_resources
from app.services import citizens as service

# Relatives travel as relationship linkage on this endpoint, not as an attribute.
WRITABLE = tuple(name for name in CITIZEN_ATTRIBUTES if name != "relatives")
INCLUDABLE = {"relatives": CitizenSchema}


def included_relatives(import_id: int, rows, relatives: dict, query: CollectionQuery) -> list:
    """Each related citizen once, leaving out those already in primary data."""
    primary = {row.citizen_id for row in rows}
    wanted = sorted({r for row in rows for r in relatives.get(row.citizen_id, ())} - primary)
    extra_rows, extra_relatives = service.citizens_by_ids(import_id, wanted)
    return citizen_resources(extra_rows, extra_relatives, query.wanted("citizens"))


def single_citizen_document(import_id: int, citizen_id: int, query: CollectionQuery) -> dict:
    row, relatives = service.get_citizen(import_id, citizen_id)
    resource = citizen_resources([row], {citizen_id: relatives}, query.wanted("citizens"))[0]
    document = {"data": resource}
    if query.include:
        document["included"] = included_relatives(import_id, [row], {citizen_id: relatives}, query)
    return document


def _today():
    return datetime.now(UTC).date()


class CitizenList(JsonApiList):
    schema = CitizenSchema

    def get(self, import_id: int):
        query = parse_collection_query(CitizenSchema, INCLUDABLE)
        with garbage_collector_paused():
            count, rows, relatives = service.list_citizens(import_id, query)
            document = {
                "data": citizen_resources(rows, relatives, query.wanted("citizens")),
                "links": pagination_links(query, count),
                "meta": {"count": count},
            }
            if query.include:
                document["included"] = included_relatives(import_id, rows, relatives, query)
            return jsonapi_response(document)

    def post(self, import_id: int):
        check_parameters()
        data = read_resource("citizens")
        values, violations = parse_citizen(
            data.get("attributes", {}), today=_today(), fields=WRITABLE
        )
        if violations:
            raise unprocessable(violations, "/data/attributes")
        relatives = relationship_linkage(data, import_id)
        service.create_citizen(import_id, values, relatives)
        citizen_id = values["citizen_id"]
        row, relatives = service.get_citizen(import_id, citizen_id)
        resource = citizen_resources([row], {citizen_id: relatives}, None)[0]
        return jsonapi_response({"data": resource}, 201, {"Location": resource["links"]["self"]})


class CitizenDetail(JsonApiDetail):
    schema = CitizenSchema

    def get(self, import_id: int, citizen_id: int):
        check_parameters(allowed=("include",), families=("fields",))
        query = parse_collection_query(CitizenSchema, INCLUDABLE)
        return jsonapi_response(single_citizen_document(import_id, citizen_id, query))

    def patch(self, import_id: int, citizen_id: int):
        check_parameters()
        data = read_resource("citizens", citizen_resource_id(import_id, citizen_id))
        attributes = dict(data.get("attributes", {}))
        if attributes.pop("deleted_at", None) is not None:
            raise UnprocessableEntity(
                [("/data/attributes/deleted_at", "only null (restore) can be written")]
            )
        values, violations = parse_citizen(
            attributes, today=_today(), fields=WRITABLE, partial=True
        )
        if violations:
            raise unprocessable(violations, "/data/attributes")
        # Clients such as Ember Data send every attribute back; an unchanged identity is fine.
        if values.pop("citizen_id", citizen_id) != citizen_id:
            raise UnprocessableEntity([("/data/attributes/citizen_id", "cannot be changed")])
        relatives = relationship_linkage(data, import_id)
        service.update_citizen(import_id, citizen_id, values, relatives)
        return jsonapi_response(single_citizen_document(import_id, citizen_id, CollectionQuery()))

    def delete(self, import_id: int, citizen_id: int):
        check_parameters()
        service.trash_citizen(import_id, citizen_id)
        return jsonapi_response(None, 204)
