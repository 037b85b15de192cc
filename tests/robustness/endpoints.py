"""The API's routes, and one valid request for every route and method, against the seeded data.

Generated requests start from these: their documents are mutated, their query strings and
headers replaced, their paths and methods mixed.
"""

import json
from dataclasses import dataclass

from app.schemas.aggregates import TownAgeStatSchema
from app.schemas.citizens import CitizenSchema
from app.schemas.imports import ImportSchema
from tests.factories import citizen, citizen_attributes, citizen_document, import_document, linkage

RELATIVES = "/imports/1/citizens/1/relationships/relatives"


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str
    role: str | None  # the least role that may send it; None: no token needed
    document: object = None  # None: no body
    query: str = ""

    def body(self) -> bytes | None:
        return None if self.document is None else encode_json(self.document)


def encode_json(value: object) -> bytes:
    # The stdlib encoder, not orjson: it writes integers of any size, which clients may send.
    return json.dumps(value, ensure_ascii=False).encode()


# POST /citizens names the import as relationship linkage.
NEW_CITIZEN_OF_IMPORT_1 = citizen_document(
    1, citizen_attributes(7, name="Новый Житель"), relatives=[1]
)
NEW_CITIZEN_OF_IMPORT_1["data"]["relationships"]["import"] = {
    "data": {"type": "imports", "id": "1"}
}

ENDPOINTS = (
    Endpoint("GET", "/imports", "reader"),
    Endpoint(
        "POST",
        "/imports",
        "editor",
        import_document([citizen(1, [2], name="Новый Один"), citizen(2, [1], name="Новый Два")]),
    ),
    Endpoint("GET", "/imports/1", "reader"),
    Endpoint(
        "PATCH",
        "/imports/2",
        "admin",
        {"data": {"type": "imports", "id": "2", "attributes": {"deleted_at": None}}},
        "with_trashed=true",
    ),
    Endpoint("DELETE", "/imports/1", "editor"),
    Endpoint("GET", "/imports/1/citizens", "reader", query="include=relatives"),
    Endpoint(
        "POST",
        "/imports/1/citizens",
        "editor",
        citizen_document(
            1, citizen_attributes(6, name="Новая Жительница", gender="female"), relatives=[1, 3]
        ),
    ),
    Endpoint("GET", "/imports/1/citizens/1", "reader"),
    Endpoint(
        "PATCH",
        "/imports/1/citizens/1",
        "editor",
        citizen_document(
            1, {"town": "Тверь", "apartment": 12}, relatives=[2, 5], resource_id="1.1"
        ),
    ),
    Endpoint(
        "PATCH",
        "/imports/1/citizens/4",
        "admin",
        citizen_document(1, {"deleted_at": None}, resource_id="1.4"),
        "with_trashed=true",
    ),
    Endpoint("DELETE", "/imports/1/citizens/2", "editor"),
    Endpoint("DELETE", "/imports/1/citizens/4", "admin", query="permanent=true"),
    Endpoint("GET", RELATIVES, "reader"),
    Endpoint("PATCH", RELATIVES, "editor", {"data": linkage(1, [2, 3])}),
    Endpoint("POST", RELATIVES, "editor", {"data": linkage(1, [5])}),
    Endpoint("DELETE", RELATIVES, "editor", {"data": linkage(1, [2])}),
    Endpoint("GET", "/citizens", "reader", query="filter[import]=1&include=relatives"),
    Endpoint("POST", "/citizens", "editor", NEW_CITIZEN_OF_IMPORT_1),
    Endpoint("GET", "/citizens/1.1/relatives", "reader"),
    Endpoint("GET", "/citizens/1.1/import", "reader"),
    Endpoint("GET", "/imports/1/citizens/birthdays", "reader"),
    Endpoint("GET", "/imports/1/birthdays", "reader"),
    Endpoint("GET", "/imports/1/towns/stat/percentile/age", "reader", query="as_of=2026-01-01"),
    Endpoint("GET", "/health", None),
    Endpoint("GET", "/metrics", None),
    Endpoint("GET", "/", None),
    Endpoint("GET", "/admin/", None),
    Endpoint("GET", "/docs/docs.css", None),
    Endpoint("GET", "/docs", None),  # the one redirect: to /docs/
)
REDIRECTS = {"/docs"}
WITH_DOCUMENTS = tuple(e for e in ENDPOINTS if e.document is not None)
# Where sort, filter, fields and page mean something, so a query string has the most to hit;
# each with the schema of its resources.
SCHEMA_OF_COLLECTION = {
    "/imports": ImportSchema,
    "/imports/1/citizens": CitizenSchema,
    "/imports/1/towns/stat/percentile/age": TownAgeStatSchema,
}
COLLECTIONS = tuple(e for e in ENDPOINTS if e.method == "GET" and e.path in SCHEMA_OF_COLLECTION)
ROUTE_TEMPLATES = (
    "/imports",
    "/imports/{import_id}",
    "/imports/{import_id}/citizens",
    "/imports/{import_id}/citizens/{citizen_id}",
    "/imports/{import_id}/citizens/{citizen_id}/relationships/relatives",
    "/imports/{import_id}/citizens/birthdays",
    "/imports/{import_id}/towns/stat/percentile/age",
    "/imports/{import_id}/birthdays",
    "/imports/{import_id}/town-age-stats",
    "/birthdays/{import_id}",
    "/citizens",
    "/citizens/{import_id}.{citizen_id}",
    "/citizens/{import_id}.{citizen_id}/relationships/relatives",
    "/citizens/{import_id}.{citizen_id}/relatives",
    "/citizens/{import_id}.{citizen_id}/import",
    "/health",
    "/metrics",
    "/",
    "/{page}",
    "/{page}/",
    "/{page}/{path}",
)
METHODS = ("GET", "HEAD", "POST", "PATCH", "PUT", "DELETE", "OPTIONS")


def authorization(tokens: dict[str, str], role: str | None) -> tuple[tuple[str, str], ...]:
    return () if role is None else (("Authorization", f"Bearer {tokens[role]}"),)
