"""The `imports` resource: list, create in bulk, read, restore, trash and delete for good."""

from datetime import UTC, datetime

from flask import current_app, url_for

from app.domain.imports import parse_import
from app.errors import UnprocessableEntity, json_pointer
from app.jsonapi import jsonapi_response
from app.performance import garbage_collector_paused
from app.resources.base import JsonApiResource
from app.resources.documents import read_resource
from app.resources.permissions import current_caller
from app.resources.query import (
    check_parameters,
    flag,
    only_wanted,
    pagination_links,
    parse_collection_query,
    parse_visibility,
)
from app.resources.validators import etag_header, expected_versions, import_record, state_tag
from app.schemas.imports import ImportSchema
from app.services import citizens
from app.services import imports as service


def import_schema(many: bool = False, only: tuple[str, ...] | None = None) -> ImportSchema:
    """The schema for this caller: `deleted_by` travels in resource meta for admins only.

    `only`: the members of a sparse fieldset (app.resources.query.only_wanted).
    """
    audit = current_caller().may("admin")
    if only is not None and audit:
        only = (*only, "audit")
    return ImportSchema(many=many, only=only, exclude=() if audit else ("audit",))


def refuse_relationships(data: dict) -> None:
    """An import's relationships are read-only: its citizens come with it, as an attribute."""
    for name in data.get("relationships", {}):
        raise UnprocessableEntity(
            [(json_pointer("/data/relationships", [name]), "cannot be written")]
        )


def import_values(row) -> dict:
    values = dict(row._mapping)
    if values["deleted_by"]:  # a missing key is left out of the dump, a None would fail it
        values["audit"] = {"deleted_by": values["deleted_by"]}
    return values


def create_from_body():
    """Validate and store the request's import; return its row (parsed citizens freed on return)."""
    data = read_resource("imports")
    refuse_relationships(data)
    attributes = data.get("attributes", {})
    citizens = parse_import(
        attributes,
        today=datetime.now(UTC).date(),
        limit=current_app.config["MAX_CITIZENS_PER_IMPORT"],
    )
    return service.create_import(citizens)


class ImportList(JsonApiResource):
    def get(self):
        query = parse_collection_query(ImportSchema, allowed=("with_trashed", "only_trashed"))
        count, rows = service.list_imports(query, parse_visibility(only_trashed_allowed=True))
        schema = import_schema(many=True, only=only_wanted(query, ImportSchema))
        document = schema.dump([import_values(row) for row in rows])
        document.update(links=pagination_links(query, count), meta={"count": count})
        return jsonapi_response(document)

    def post(self):
        check_parameters()
        with garbage_collector_paused():
            created = create_from_body()
        location = url_for("api.import_detail", import_id=created.id, _external=True)
        return import_response(created, 201, {"Location": location})


def import_response(row, status: int = 200, headers=None):
    """The import's document, tagged with its state (app.resources.validators)."""
    response = jsonapi_response(import_schema().dump(import_values(row)), status, headers)
    response.set_etag(state_tag(import_record(row.id), row.data_version, "imports"))
    return response


class ImportDetail(JsonApiResource):
    def get(self, import_id: int):
        check_parameters(allowed=("with_trashed",))
        return import_response(service.get_import(import_id, parse_visibility()))

    def patch(self, import_id: int):
        """Restore: `deleted_at: null` with with_trashed=true; nothing else is writable."""
        check_parameters(allowed=("with_trashed",))
        mode = parse_visibility()
        data = read_resource("imports", str(import_id))
        refuse_relationships(data)
        attributes = data.get("attributes", {})
        for name, value in attributes.items():
            if name != "deleted_at":
                raise UnprocessableEntity([(f"/data/attributes/{name}", "cannot be changed")])
            if value is not None:
                raise UnprocessableEntity(
                    [("/data/attributes/deleted_at", "only null (restore) can be written")]
                )
        # Without with_trashed only a live import is found, so `deleted_at: null` changes nothing.
        row = service.update_import(
            import_id,
            restore="deleted_at" in attributes and mode.reaches_trash,
            mode=mode,
            expected_versions=expected_versions(import_record(import_id)),
        )
        return import_response(row)

    def delete(self, import_id: int):
        check_parameters(allowed=("permanent",))
        expected = expected_versions(import_record(import_id))
        if flag("permanent"):
            service.purge_import(import_id, expected_versions=expected)
            return jsonapi_response(None, 204)
        version = service.trash_import(import_id, current_caller().name, expected)
        # The import's tag as trashed: what with_trashed shows an admin, the one who can see it.
        tag = state_tag(import_record(import_id), version, "imports", audit=True)
        return jsonapi_response(None, 204, etag_header(tag))


class CitizenImport(JsonApiResource):
    """A citizen's import: the related resource of its `import` relationship."""

    def get(self, import_id: int, citizen_id: int):
        check_parameters(allowed=("with_trashed",))
        mode = parse_visibility()
        citizens.get_citizen(import_id, citizen_id, mode)  # the citizen must exist for the caller
        return import_response(service.get_import(import_id, mode))
