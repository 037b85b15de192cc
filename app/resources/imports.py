"""The `imports` resource: list, create in bulk, read, restore, trash and delete for good."""

from datetime import UTC, datetime

from flask import current_app

from app.domain.citizen_rules import Violation, parse_citizen
from app.domain.kinship import check_import_kinship
from app.errors import UnprocessableEntity
from app.jsonapi import jsonapi_response
from app.performance import garbage_collector_paused
from app.resources.base import JsonApiDetail, JsonApiList
from app.resources.documents import read_resource, unprocessable
from app.resources.permissions import current_caller
from app.resources.query import (
    check_parameters,
    flag,
    pagination_links,
    parse_collection_query,
    parse_visibility,
)
from app.schemas.imports import ImportSchema
from app.services import imports as service

CITIZENS_POINTER = "/data/attributes/citizens"
# Error lists stop here: a 100,000-citizen import with one systematic mistake stays readable.
MAX_REPORTED_ERRORS = 100


def import_schema(many: bool = False) -> ImportSchema:
    """The schema for this caller: `deleted_by` travels in resource meta for admins only."""
    if current_caller().may("admin"):
        return ImportSchema(many=many)
    return ImportSchema(many=many, exclude=("audit",))


def import_values(row) -> dict:
    values = dict(row._mapping)
    if values["deleted_by"]:  # a missing key is left out of the dump, a None would fail it
        values["audit"] = {"deleted_by": values["deleted_by"]}
    return values


def parse_import_citizens(attributes: dict, limit: int) -> list[dict]:
    """Validate every citizen of an import body; raise one 422 listing every violation."""
    unknown = [name for name in attributes if name != "citizens"]
    if unknown:
        raise UnprocessableEntity([(f"/data/attributes/{unknown[0]}", "is not a known attribute")])
    raw = attributes.get("citizens")
    if not isinstance(raw, list):
        detail = "is required" if raw is None and "citizens" not in attributes else "must be a list"
        raise UnprocessableEntity([(CITIZENS_POINTER, detail)])
    if len(raw) > limit:
        raise UnprocessableEntity([(CITIZENS_POINTER, f"holds more than {limit} citizens")])
    today = datetime.now(UTC).date()
    parsed, violations = [], []
    for index, item in enumerate(raw):
        values, problems = parse_citizen(item, today=today)
        parsed.append(values)
        violations.extend(Violation((index, *p.path), p.detail) for p in problems)
        if len(violations) >= MAX_REPORTED_ERRORS:
            break
    if not violations:
        violations = check_import_kinship(parsed)
    if violations:
        raise unprocessable(violations[:MAX_REPORTED_ERRORS], CITIZENS_POINTER)
    return parsed


def create_from_body():
    """Validate and store the request's import; return its row (parsed citizens freed on return)."""
    data = read_resource("imports")
    citizens = parse_import_citizens(
        data.get("attributes", {}), current_app.config["MAX_CITIZENS_PER_IMPORT"]
    )
    return service.create_import(citizens)


class ImportList(JsonApiList):
    schema = ImportSchema

    def get(self):
        query = parse_collection_query(ImportSchema, allowed=("with_trashed", "only_trashed"))
        count, rows = service.list_imports(query, parse_visibility(only_trashed_allowed=True))
        document = import_schema(many=True).dump([import_values(row) for row in rows])
        document.update(links=pagination_links(query, count), meta={"count": count})
        return jsonapi_response(document)

    def post(self):
        check_parameters()
        with garbage_collector_paused():
            created = create_from_body()
        document = import_schema().dump(import_values(created))
        return jsonapi_response(document, 201, {"Location": document["data"]["links"]["self"]})


class ImportDetail(JsonApiDetail):
    schema = ImportSchema

    def get(self, import_id: int):
        check_parameters(allowed=("with_trashed",))
        row = service.get_import(import_id, parse_visibility())
        return jsonapi_response(import_schema().dump(import_values(row)))

    def patch(self, import_id: int):
        """Restore: `deleted_at: null` with with_trashed=true; nothing else is writable."""
        check_parameters(allowed=("with_trashed",))
        mode = parse_visibility()
        attributes = read_resource("imports", str(import_id)).get("attributes", {})
        for name, value in attributes.items():
            if name != "deleted_at":
                raise UnprocessableEntity([(f"/data/attributes/{name}", "cannot be changed")])
            if value is not None:
                raise UnprocessableEntity(
                    [("/data/attributes/deleted_at", "only null (restore) can be written")]
                )
        row = service.get_import(import_id, mode)
        if "deleted_at" in attributes and row.deleted_at is not None:
            row = service.restore_import(import_id)
        return jsonapi_response(import_schema().dump(import_values(row)))

    def delete(self, import_id: int):
        check_parameters(allowed=("permanent",))
        if flag("permanent"):
            service.purge_import(import_id)
        else:
            service.trash_import(import_id, current_caller().name)
        return jsonapi_response(None, 204)
