"""The relatives relationship of a citizen: read, replace, add to and remove from."""

from flask import url_for

from app.jsonapi import jsonapi_response
from app.resources.base import JsonApiResource
from app.resources.citizens import citizens_query, collection_body
from app.resources.documents import read_relationship_document, relatives_from_linkage
from app.resources.query import check_parameters, parse_visibility
from app.schemas.citizens import linkage
from app.services import citizens as service


def _requested_relatives(import_id: int) -> list[int]:
    check_parameters()
    return relatives_from_linkage(read_relationship_document(), import_id, "/data")


class CitizenRelatives(JsonApiResource):
    """The relationship endpoint: linkage in, 204 out for writes."""

    def get(self, import_id: int, citizen_id: int):
        check_parameters(allowed=("with_trashed",))
        _, relatives = service.get_citizen(import_id, citizen_id, parse_visibility())
        ids = {"import_id": import_id, "citizen_id": citizen_id}
        links = {
            "self": url_for("api.citizen_relatives", **ids, _external=True),
            "related": url_for("api.related_citizens", **ids, _external=True),
        }
        return jsonapi_response({"data": linkage(import_id, relatives), "links": links})

    def patch(self, import_id: int, citizen_id: int):
        relatives = _requested_relatives(import_id)
        service.replace_relatives(import_id, citizen_id, relatives)
        return jsonapi_response(None, 204)

    def post(self, import_id: int, citizen_id: int):
        relatives = _requested_relatives(import_id)
        service.add_relatives(import_id, citizen_id, relatives)
        return jsonapi_response(None, 204)

    def delete(self, import_id: int, citizen_id: int):
        relatives = _requested_relatives(import_id)
        service.remove_relatives(import_id, citizen_id, relatives)
        return jsonapi_response(None, 204)


class RelatedCitizens(JsonApiResource):
    """A citizen's relatives as a collection of their own, with every collection feature."""

    def get(self, import_id: int, citizen_id: int):
        query, mode = citizens_query()
        _, relatives = service.get_citizen(import_id, citizen_id, mode.of_linkage)
        count, rows, their_relatives = service.list_citizens(
            import_id, query, mode.of_linkage, among=relatives
        )
        body = collection_body((count, rows, {import_id: their_relatives}), query, mode)
        return jsonapi_response(body)
