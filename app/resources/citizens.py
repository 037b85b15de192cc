"""The `citizens` resource: list with include and sparse fields, create, read, update, trash."""

from datetime import UTC, datetime

import orjson
from flask import url_for

from app.domain.citizen_rules import COLUMN_ATTRIBUTES, parse_citizen
from app.domain.errors import InvalidAttributes
from app.errors import UnprocessableEntity
from app.jsonapi import encode_around, jsonapi_response, url_root
from app.performance import garbage_collector_paused
from app.resources.base import JsonApiResource
from app.resources.documents import citizen_linkage, read_resource
from app.resources.permissions import current_caller
from app.resources.query import (
    check_parameters,
    flag,
    pagination_links,
    parse_collection_query,
    parse_visibility,
)
from app.resources.validators import citizen_record, etag_header, expected_versions, state_tag
from app.schemas.citizens import CitizenSchema, citizen_resource_id, citizen_resources
from app.services import citizens as service
from app.services.query import CollectionQuery
from app.services.visibility import LIVE, Visibility

# A citizen's own columns are its writable attributes; relatives travel as relationship
# linkage on these endpoints.
WRITABLE = COLUMN_ATTRIBUTES
INCLUDABLE = {"relatives": CitizenSchema}


def render(rows, relatives: dict, query: CollectionQuery) -> list[dict]:
    """Citizen resources for this caller (`relatives` by import): admins also see who trashed
    a citizen."""
    audit = current_caller().may("admin")
    return citizen_resources(rows, relatives, query.wanted("citizens"), audit, url_root())


def included_relatives(rows, relatives: dict, query, mode: Visibility) -> list:
    """Each related citizen once, leaving out those already in primary data."""
    primary = {(row.import_id, row.citizen_id) for row in rows}
    wanted: dict[int, set[int]] = {}
    for row in rows:
        for relative_id in relatives.get(row.import_id, {}).get(row.citizen_id, ()):
            if (row.import_id, relative_id) not in primary:
                wanted.setdefault(row.import_id, set()).add(relative_id)
    included = []
    for import_id in sorted(wanted):
        extra_rows, extra_relatives = service.citizens_by_ids(
            import_id, sorted(wanted[import_id]), mode.of_linkage
        )
        included += render(extra_rows, {import_id: extra_relatives}, query)
    return included


def single_citizen_document(
    citizen: service.WrittenCitizen, query: CollectionQuery, mode: Visibility = LIVE
) -> dict:
    row, relatives = citizen
    by_import = {row.import_id: {row.citizen_id: relatives}}
    document = {"data": render([row], by_import, query)[0]}
    if query.include:
        document["included"] = included_relatives([row], by_import, query, mode)
    return document


def citizen_response(
    citizen: service.WrittenCitizen,
    query: CollectionQuery,
    mode: Visibility = LIVE,
    status: int = 200,
    headers=None,
):
    """The citizen's document, tagged with its version (app.resources.validators)."""
    row, _ = citizen
    document = single_citizen_document(citizen, query, mode)
    included = encode_included(document)
    response = jsonapi_response(document, status, headers)
    record = citizen_record(row.import_id, row.citizen_id)
    response.set_etag(state_tag(record, row.version, "citizens", included))
    return response


def encode_included(document: dict) -> bytes:
    """The included resources as bytes: part of what a document with `include` shows."""
    return orjson.dumps(document["included"]) if "included" in document else b""


# Resources rendered and encoded at a time in a collection: a 10,000-citizen listing then holds
# the dicts of this many citizens at once, not of all of them (24 MiB of a worker's peak).
RENDER_CHUNK = 500


def collection_body(page, query: CollectionQuery, mode: Visibility) -> bytes:
    """The encoded collection document of `page` (count, rows, relatives by import).

    The resources are rendered and encoded RENDER_CHUNK at a time, and the document is joined
    once around them.
    """
    count, rows, relatives = page
    document = {"data": None, "links": pagination_links(query, count), "meta": {"count": count}}
    if query.include:
        document["included"] = included_relatives(rows, relatives, query, mode)
    pieces = [b"["]
    for start in range(0, len(rows), RENDER_CHUNK):
        if start:
            pieces.append(b",")
        chunk = render(rows[start : start + RENDER_CHUNK], relatives, query)
        pieces.append(orjson.dumps(chunk)[1:-1])
    pieces.append(b"]")
    return encode_around(document, "data", pieces)


def citizens_query() -> tuple[CollectionQuery, Visibility]:
    query = parse_collection_query(
        CitizenSchema,
        INCLUDABLE,
        allowed=("with_trashed", "only_trashed"),
        relationship_filters={"import": "import_id"},
    )
    return query, parse_visibility(only_trashed_allowed=True)


def _today():
    return datetime.now(UTC).date()


def create_from_document(url_import_id: int | None):
    """Validate and store the request's new citizen; the 201 answer, at its canonical URL."""
    check_parameters()
    data = read_resource("citizens")
    values, violations = parse_citizen(data.get("attributes", {}), today=_today(), fields=WRITABLE)
    if violations:
        raise InvalidAttributes(violations)
    linkage = citizen_linkage(data, url_import_id)
    created = service.create_citizen(linkage.import_id, values, linkage.relatives)
    row, _ = created
    location = url_for(
        "api.citizen_detail", import_id=row.import_id, citizen_id=row.citizen_id, _external=True
    )
    return citizen_response(created, CollectionQuery(), status=201, headers={"Location": location})


class AllCitizens(JsonApiResource):
    """Citizens across imports: what the admin console lists trash from."""

    def get(self):
        query, mode = citizens_query()
        with garbage_collector_paused():
            page = service.list_citizens_of_every_import(query, mode)
            body = collection_body(page, query, mode)
        return jsonapi_response(body)

    def post(self):
        """Add a citizen to the import its `import` relationship names."""
        return create_from_document(None)


class CitizenList(JsonApiResource):
    def get(self, import_id: int):
        query, mode = citizens_query()
        with garbage_collector_paused():
            count, rows, relatives = service.list_citizens(import_id, query, mode)
            body = collection_body((count, rows, {import_id: relatives}), query, mode)
        return jsonapi_response(body)

    def post(self, import_id: int):
        return create_from_document(import_id)


class CitizenDetail(JsonApiResource):
    def get(self, import_id: int, citizen_id: int):
        check_parameters(allowed=("include", "with_trashed"), families=("fields",))
        query = parse_collection_query(CitizenSchema, INCLUDABLE, allowed=("with_trashed",))
        mode = parse_visibility()
        citizen = service.get_citizen(import_id, citizen_id, mode)
        return citizen_response(citizen, query, mode)

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
        relatives = citizen_linkage(data, import_id).relatives
        # Without with_trashed the citizen was found live, so `deleted_at: null` changes nothing.
        updated = service.update_citizen(
            import_id,
            citizen_id,
            values,
            relatives,
            mode,
            restore=restore and mode.reaches_trash,
            expected_versions=expected_versions(citizen_record(import_id, citizen_id)),
        )
        return citizen_response(updated, CollectionQuery(), mode)

    def delete(self, import_id: int, citizen_id: int):
        check_parameters(allowed=("permanent",))
        record = citizen_record(import_id, citizen_id)
        if flag("permanent"):
            service.purge_citizen(import_id, citizen_id, expected_versions(record))
            return jsonapi_response(None, 204)
        version = service.trash_citizen(
            import_id, citizen_id, current_caller().name, expected_versions(record)
        )
        # The citizen's tag as trashed: what with_trashed shows an admin, the one who can see it.
        tag = state_tag(record, version, "citizens", audit=True)
        return jsonapi_response(None, 204, etag_header(tag))
