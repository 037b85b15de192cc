"""The `citizens` resource: list with include and sparse fields, create, read, update, trash."""

from datetime import UTC, datetime

from app.domain.citizen_rules import COLUMN_ATTRIBUTES, parse_citizen
from app.domain.errors import InvalidAttributes
from app.errors import UnprocessableEntity
from app.jsonapi import encode, jsonapi_response, url_root
from app.performance import garbage_collector_paused
from app.resources.base import JsonApiResource
from app.resources.documents import read_resource, relationship_linkage
from app.resources.permissions import current_caller
from app.resources.query import (
    check_parameters,
    flag,
    pagination_links,
    parse_collection_query,
    parse_visibility,
)
from app.schemas.citizens import CitizenSchema, citizen_resource_id, citizen_resources
from app.services import citizens as service
from app.services.query import CollectionQuery
from app.services.visibility import LIVE, Visibility

# A citizen's own columns are its writable attributes; relatives travel as relationship
# linkage on these endpoints.
WRITABLE = COLUMN_ATTRIBUTES
INCLUDABLE = {"relatives": CitizenSchema}


def render(rows, relatives, query: CollectionQuery) -> list[dict]:
    """Citizen resources for this caller: admins also see who trashed a citizen."""
    audit = current_caller().may("admin")
    return citizen_resources(rows, relatives, query.wanted("citizens"), audit, url_root())


def included_relatives(import_id: int, rows, relatives: dict, query, mode: Visibility) -> list:
    """Each related citizen once, leaving out those already in primary data."""
    primary = {row.citizen_id for row in rows}
    wanted = sorted({r for row in rows for r in relatives.get(row.citizen_id, ())} - primary)
    extra_rows, extra_relatives = service.citizens_by_ids(import_id, wanted, mode.of_linkage)
    return render(extra_rows, extra_relatives, query)


def single_citizen_document(
    import_id: int, citizen: service.WrittenCitizen, query: CollectionQuery, mode: Visibility = LIVE
) -> dict:
    row, relatives = citizen
    citizen_id = row.citizen_id
    document = {"data": render([row], {citizen_id: relatives}, query)[0]}
    if query.include:
        document["included"] = included_relatives(
            import_id, [row], {citizen_id: relatives}, query, mode
        )
    return document


def collection_body(import_id: int, query: CollectionQuery, mode: Visibility) -> bytes:
    """The encoded collection document; its rows and dicts are freed when this returns."""
    count, rows, relatives = service.list_citizens(import_id, query, mode)
    document = {
        "data": render(rows, relatives, query),
        "links": pagination_links(query, count),
        "meta": {"count": count},
    }
    if query.include:
        document["included"] = included_relatives(import_id, rows, relatives, query, mode)
    return encode(document)


def _today():
    return datetime.now(UTC).date()


class CitizenList(JsonApiResource):
    def get(self, import_id: int):
        query = parse_collection_query(
            CitizenSchema, INCLUDABLE, allowed=("with_trashed", "only_trashed")
        )
        mode = parse_visibility(only_trashed_allowed=True)
        with garbage_collector_paused():
            body = collection_body(import_id, query, mode)
        return jsonapi_response(body)

    def post(self, import_id: int):
        check_parameters()
        data = read_resource("citizens")
        values, violations = parse_citizen(
            data.get("attributes", {}), today=_today(), fields=WRITABLE
        )
        if violations:
            raise InvalidAttributes(violations)
        relatives = relationship_linkage(data, import_id)
        created = service.create_citizen(import_id, values, relatives)
        document = single_citizen_document(import_id, created, CollectionQuery())
        location = document["data"]["links"]["self"]
        return jsonapi_response(document, 201, {"Location": location})


class CitizenDetail(JsonApiResource):
    def get(self, import_id: int, citizen_id: int):
        check_parameters(allowed=("include", "with_trashed"), families=("fields",))
        query = parse_collection_query(CitizenSchema, INCLUDABLE, allowed=("with_trashed",))
        mode = parse_visibility()
        citizen = service.get_citizen(import_id, citizen_id, mode)
        document = single_citizen_document(import_id, citizen, query, mode)
        return jsonapi_response(document)

    def patch(self, import_id: int, citizen_id: int):
        """Update attributes and relatives; `deleted_at: null` with with_trashed=true restores."""
        check_parameters(allowed=("with_trashed",))
        mode = parse_visibility()
        data = read_resource("citizens", citizen_resource_id(import_id, citizen_id))
        attributes = dict(data.get("attributes", {}))
        restore = "deleted_at" in attributes
        if attributes.pop("deleted_at", None) is not None:
            raise UnprocessableEntity(
                [("/data/attributes/deleted_at", "only null (restore) can be written")]
            )
        values, violations = parse_citizen(
            attributes, today=_today(), fields=WRITABLE, partial=True
        )
        if violations:
            raise InvalidAttributes(violations)
        # Clients such as Ember Data send every attribute back; an unchanged identity is fine.
        if values.pop("citizen_id", citizen_id) != citizen_id:
            raise UnprocessableEntity([("/data/attributes/citizen_id", "cannot be changed")])
        relatives = relationship_linkage(data, import_id)
        # Without with_trashed the citizen was found live, so `deleted_at: null` changes nothing.
        updated = service.update_citizen(
            import_id, citizen_id, values, relatives, mode, restore=restore and mode.reaches_trash
        )
        document = single_citizen_document(import_id, updated, CollectionQuery(), mode)
        return jsonapi_response(document)

    def delete(self, import_id: int, citizen_id: int):
        check_parameters(allowed=("permanent",))
        if flag("permanent"):
            service.purge_citizen(import_id, citizen_id)
        else:
            service.trash_citizen(import_id, citizen_id, current_caller().name)
        return jsonapi_response(None, 204)
