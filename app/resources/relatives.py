"""The relatives relationship of a citizen: read, replace, add to and remove from."""

from flask import url_for

from app.jsonapi import jsonapi_response
from app.resources.base import JsonApiResource
from app.resources.citizens import citizens_query, collection_body
from app.resources.documents import read_relationship_document, relatives_from_linkage
from app.resources.query import check_parameters, parse_visibility
from app.resources.validators import citizen_record, etag_header, expected_versions, state_tag
from app.schemas.citizens import linkage
from app.services import citizens as service
from app.services import relatives as relationship


def _tag(import_id: int, citizen_id: int, version: int) -> str:
    """The relationship's tag: the citizen's version, as the relationship's document shows it."""
    return state_tag(citizen_record(import_id, citizen_id), version, "relatives")


def _requested_relatives(import_id: int) -> list[int]:
    check_parameters()
    return relatives_from_linkage(read_relationship_document(), import_id, "/data")


class CitizenRelatives(JsonApiResource):
    """The relationship endpoint: linkage in, 204 out for writes."""

    def get(self, import_id: int, citizen_id: int):
        check_parameters(allowed=("with_trashed",))
        row, relatives = service.get_citizen(import_id, citizen_id, parse_visibility())
        ids = {"import_id": import_id, "citizen_id": citizen_id}
        links = {
            "self": url_for("api.citizen_relatives", **ids, _external=True),
            "related": url_for("api.related_citizens", **ids, _external=True),
        }
        response = jsonapi_response({"data": linkage(import_id, relatives), "links": links})
        response.set_etag(_tag(import_id, citizen_id, row.version))
        return response

    def patch(self, import_id: int, citizen_id: int):
        return self._write(relationship.replace_relatives, import_id, citizen_id)

    def post(self, import_id: int, citizen_id: int):
        return self._write(relationship.add_relatives, import_id, citizen_id)

    def delete(self, import_id: int, citizen_id: int):
        return self._write(relationship.remove_relatives, import_id, citizen_id)

    @staticmethod
    def _write(change, import_id: int, citizen_id: int):
        """Replace, add or remove relatives; 204 with the relationship's new ETag."""
        relatives = _requested_relatives(import_id)
        record = citizen_record(import_id, citizen_id)
        version = change(import_id, citizen_id, relatives, expected_versions(record))
        return jsonapi_response(None, 204, etag_header(_tag(import_id, citizen_id, version)))


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
