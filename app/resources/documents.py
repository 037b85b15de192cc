"""Read JSON:API request documents: envelope rules and relationship linkage."""

import re

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


def relationship_linkage(data: dict, import_id: int) -> list[int] | None:
    """The relatives named in a resource object's relationships, or None when not given."""
    relationships = data.get("relationships", {})
    for name in relationships:
        if name != "relatives":
            raise UnprocessableEntity(
                [(json_pointer("/data/relationships", [name]), "is not a relationship of citizens")]
            )
    if "relatives" not in relationships:
        return None
    relatives = relationships["relatives"]
    if not isinstance(relatives, dict) or "data" not in relatives:
        raise BadRequest(
            "A relationship object needs `data`.",
            source={"pointer": "/data/relationships/relatives"},
        )
    return relatives_from_linkage(
        relatives["data"], import_id, "/data/relationships/relatives/data"
    )
