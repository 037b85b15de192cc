"""The relatives relationship of a citizen: read, replace, add to and remove from."""

from app.jsonapi import jsonapi_response, url_root
from app.resources.base import JsonApiResource
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
        base = f"{url_root()}/imports/{import_id}/citizens/{citizen_id}"
        return jsonapi_response(
            {
                "data": linkage(import_id, relatives),
                "links": {"self": f"{base}/relationships/relatives"},
            }
        )

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
