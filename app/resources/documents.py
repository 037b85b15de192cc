"""Read JSON:API request documents: envelope rules and relationship linkage."""

import re
from dataclasses import dataclass

from flask import g

from app.domain.citizen_rules import MAX_INT
from app.errors import (
    RELATIVES_LINKAGE,
    AccessDenied,
    BadRequest,
    Conflict,
    InvalidType,
    ObjectNotFound,
    UnprocessableEntity,
    json_pointer,
)
from app.jsonapi import read_document

RESOURCE_MEMBERS = {"type", "id", "attributes", "relationships", "meta", "links"}
# What JSON:API defines at the top of a request document; `errors` never goes with `data`.
TOP_LEVEL_MEMBERS = {"data", "meta", "jsonapi", "links", "included"}
CITIZEN_ID = re.compile(r"^([0-9]{1,10})\.([0-9]{1,10})$")


def read_request_document() -> dict:
    """The request's document: an object with `data` and only members JSON:API defines."""
    document = read_document()
    if not isinstance(document, dict) or "data" not in document:
        raise BadRequest("The document must have a `data` member.", source={"pointer": "/data"})
    for member in document:
        if member == "errors":
            raise BadRequest(
                "A document carries `data` or `errors`, never both.", source={"pointer": "/errors"}
            )
        if member not in TOP_LEVEL_MEMBERS:
            raise BadRequest(
                f"`{member}` is not a top-level member of a JSON:API document.",
                source={"pointer": json_pointer("", [member])},
            )
    return document


def read_resource(type_: str, resource_id: str | None = None) -> dict:
    """Return the `data` member of a single-resource request document, checked.

    POST (resource_id None) must not carry an id: the server assigns them (403). PATCH must carry
    the id of the URL (400 when missing, 409 when different).
    """
    document = read_request_document()
    if not isinstance(document["data"], dict):
        raise BadRequest(
            "The document must have a `data` member that is a resource object.",
            source={"pointer": "/data"},
        )
    data = document["data"]
    for member in data:
        if member not in RESOURCE_MEMBERS:
            raise BadRequest(
                f"`{member}` is not a member of a resource object.",
                source={"pointer": json_pointer("/data", [member])},
            )
    if "type" not in data:
        raise BadRequest("The resource object has no `type`.", source={"pointer": "/data"})
    if data["type"] != type_:
        raise InvalidType(
            f"This endpoint takes resources of type {type_!r}.", source={"pointer": "/data/type"}
        )
    if "id" in data and not isinstance(data["id"], str):
        raise BadRequest("Resource ids are strings.", source={"pointer": "/data/id"})
    if resource_id is None and "id" in data:
        raise AccessDenied(
            "Client-generated ids are not supported; the server assigns ids.",
            source={"pointer": "/data/id"},
        )
    if resource_id is not None:
        if "id" not in data:
            raise BadRequest("The resource object has no `id`.", source={"pointer": "/data"})
        if data["id"] != resource_id:
            raise Conflict(
                f"The id does not match the URL's resource, {resource_id!r}.",
                source={"pointer": "/data/id"},
            )
    for member in ("attributes", "relationships"):
        if not isinstance(data.get(member, {}), dict):
            raise BadRequest(
                f"`{member}` must be an object.", source={"pointer": f"/data/{member}"}
            )
    return data


def read_relationship_document() -> object:
    """Return the `data` member of a relationship request document."""
    return read_request_document()["data"]


def relatives_from_linkage(linkage: object, import_id: int, pointer: str) -> list[int]:
    """Turn to-many citizens linkage into citizen_ids of `import_id`; nothing is looked up here.

    `pointer` locates the linkage in the request document, for errors about its members.
    """
    g.setdefault(RELATIVES_LINKAGE, pointer)
    if not isinstance(linkage, list):
        raise BadRequest(
            "Relatives linkage must be an array of resource identifiers.",
            source={"pointer": pointer},
        )
    citizen_ids, seen = [], set()  # the set keeps the duplicate check linear
    for index, identifier in enumerate(linkage):
        where = {"pointer": f"{pointer}/{index}"}
        if not isinstance(identifier, dict) or not {"type", "id"} <= identifier.keys():
            raise BadRequest("A resource identifier needs `type` and `id`.", source=where)
        if identifier["type"] != "citizens":
            raise InvalidType("Relatives are resources of type 'citizens'.", source=where)
        if not isinstance(identifier["id"], str):
            raise BadRequest("Resource ids are strings.", source=where)
        match = CITIZEN_ID.fullmatch(identifier["id"])  # `$` would admit a final newline
        if match is None or int(match.group(1)) != import_id or int(match.group(2)) > MAX_INT:
            raise ObjectNotFound(
                f"Citizen {identifier['id']!r} does not exist in import {import_id}.", source=where
            )
        citizen_id = int(match.group(2))
        if citizen_id in seen:
            raise UnprocessableEntity([(where["pointer"], "names a relative twice")])
        citizen_ids.append(citizen_id)
        seen.add(citizen_id)
    return citizen_ids


CITIZEN_RELATIONSHIPS = ("relatives", "import")
IMPORT_ID = re.compile(r"^[0-9]{1,10}$")


@dataclass
class CitizenLinkage:
    """What a citizen resource object's relationships name."""

    import_id: int | None  # the import, to-one; None when not given
    relatives: list[int] | None  # citizen_ids of that import; None when not given


def relationship_data(relationships: dict, name: str) -> object:
    relationship = relationships[name]
    if not isinstance(relationship, dict) or "data" not in relationship:
        raise BadRequest(
            "A relationship object needs `data`.",
            source={"pointer": f"/data/relationships/{name}"},
        )
    return relationship["data"]


def import_from_linkage(linkage: object) -> int:
    """The import named by to-one imports linkage; nothing is looked up here."""
    where = {"pointer": "/data/relationships/import/data"}
    if linkage is None:
        raise UnprocessableEntity([(where["pointer"], "must name the citizen's import")])
    if not isinstance(linkage, dict) or not {"type", "id"} <= linkage.keys():
        raise BadRequest("A resource identifier needs `type` and `id`.", source=where)
    if linkage["type"] != "imports":
        raise InvalidType("A citizen's import is a resource of type 'imports'.", source=where)
    if not isinstance(linkage["id"], str):
        raise BadRequest("Resource ids are strings.", source=where)
    if IMPORT_ID.fullmatch(linkage["id"]) is None or int(linkage["id"]) > MAX_INT:
        raise ObjectNotFound(f"Import {linkage['id']!r} does not exist.", source=where)
    return int(linkage["id"])


def citizen_linkage(data: dict, import_id: int | None) -> CitizenLinkage:
    """The import and relatives a citizen resource object names in its relationships.

    `import_id`: the import of the URL, if it has one; linkage may repeat it, never change it.
    Without one (POST /citizens) the import linkage is required.
    """
    relationships = data.get("relationships", {})
    for name in relationships:
        if name not in CITIZEN_RELATIONSHIPS:
            raise UnprocessableEntity(
                [(json_pointer("/data/relationships", [name]), "is not a relationship of citizens")]
            )
    named_import = None
    if "import" in relationships:
        named_import = import_from_linkage(relationship_data(relationships, "import"))
        if import_id is not None and named_import != import_id:
            raise UnprocessableEntity(
                [("/data/relationships/import", f"cannot be changed from import {import_id}")]
            )
    elif import_id is None:
        raise UnprocessableEntity([("/data/relationships/import", "is required")])
    import_id = import_id if import_id is not None else named_import
    relatives = None
    if "relatives" in relationships:
        relatives = relatives_from_linkage(
            relationship_data(relationships, "relatives"),
            import_id,
            "/data/relationships/relatives/data",
        )
    return CitizenLinkage(import_id, relatives)
