"""GET /: the API's root document, from which a client discovers the rest without a token.

JSON:API 1.0 allows only `self`, `related` and paging links at the top level and only `self` in
a resource's links (its schema refuses any other name), so the document's primary data is the
service itself, a resource whose relationships' `related` links name the collections and
/health, and the pages for people: the API reference and the admin console.

With a token it also says whose it is (`meta.caller`, its name and role): how the admin console
greets whoever signed in, and tells a reader's token that it cannot see the trash before asking.
"""

from flask import Blueprint, current_app

from app.jsonapi import jsonapi_response, url_root
from app.resources.permissions import token_holder
from app.resources.query import check_parameters

blueprint = Blueprint("root", __name__)
# Where each relationship of the service leads (below its root URL).
RELATED = {
    "imports": "/imports",
    "citizens": "/citizens",
    "health": "/health",
    "docs": "/docs/",
    "admin": "/admin/",
}


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
    meta = {"trash_retention_days": current_app.config["TRASH_RETENTION_DAYS"]}
    if (caller := token_holder()) is not None:
        meta["caller"] = {"name": caller.name, "role": caller.role}
    return jsonapi_response({"data": service, "meta": meta, "links": {"self": f"{root}/"}})
