"""GET /: the API's root document, from which a client discovers the rest without a token.

JSON:API 1.0 allows only `self`, `related` and paging links at the top level and only `self` in
a resource's links (its schema refuses any other name), so the document's primary data is the
service itself, a resource whose relationships' `related` links name the collections and
/health: what a JSON:API client can follow.
"""

from flask import Blueprint

from app.jsonapi import jsonapi_response, url_root
from app.resources.query import check_parameters

blueprint = Blueprint("root", __name__)
# Where each relationship of the service leads (below its root URL).
RELATED = {"imports": "/imports", "citizens": "/citizens", "health": "/health"}


@blueprint.get("/")
def root_document():
    check_parameters()
    root = url_root()
    service = {
        "type": "services",
        "id": "citizens-analyzer",
        "attributes": {"name": "Citizens Analyzer"},
        "relationships": {
            name: {"links": {"related": f"{root}{path}"}} for name, path in RELATED.items()
        },
        "links": {"self": f"{root}/"},
    }
    return jsonapi_response({"data": service, "links": {"self": f"{root}/"}})
