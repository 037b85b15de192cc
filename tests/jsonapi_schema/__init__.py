"""Validate documents against the official JSON:API 1.0 schemas, patched for jsonschema 4.26."""

import json
from functools import cache
from pathlib import Path

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError
from referencing import Registry
from referencing.jsonschema import DRAFT202012

_HERE = Path(__file__).parent
_RESPONSE = "schema.json"
_REQUESTS = {
    "create": "schema_create_resource.json",
    "update": "schema_update_resource.json",
    "relationship": "schema_update_relationship.json",
}
# Keywords whose value maps names (not keywords) to subschemas, or lists subschemas, or is one.
_SCHEMA_MAPS = {"properties", "patternProperties", "definitions", "$defs", "dependentSchemas"}
_SCHEMA_LISTS = {"allOf", "anyOf", "oneOf", "prefixItems"}
_SCHEMA_VALUES = {"not", "if", "then", "else", "items", "contains", "additionalProperties"}
_SCHEMA_VALUES |= {"propertyNames", "unevaluatedProperties", "unevaluatedItems"}


def _patch(schema: object) -> object:
    """Return the schema with the two draft 2020-12 incompatibilities of the files fixed."""
    if not isinstance(schema, dict):
        return schema
    schema = dict(schema)
    if "dependencies" in schema:
        # Draft 7 keyword that 2020-12 silently ignores: split it into its two successors.
        for name, value in schema.pop("dependencies").items():
            kind = "dependentRequired" if isinstance(value, list) else "dependentSchemas"
            schema.setdefault(kind, {})[name] = value
    if "" in schema.get("patternProperties", {}):
        # jsonschema 4.26 treats the empty pattern as matching nothing; "^" matches every name.
        patterns = schema["patternProperties"]
        schema["patternProperties"] = {
            ("^" if key == "" else key): v for key, v in patterns.items()
        }
    for keyword, value in schema.items():
        if keyword in _SCHEMA_MAPS and isinstance(value, dict):
            schema[keyword] = {name: _patch(sub) for name, sub in value.items()}
        elif keyword in _SCHEMA_LISTS and isinstance(value, list):
            schema[keyword] = [_patch(sub) for sub in value]
        elif keyword in _SCHEMA_VALUES:
            schema[keyword] = _patch(value)
    return schema


@cache
def _schemas() -> dict[str, dict]:
    return {
        name: _patch(json.loads((_HERE / name).read_text(encoding="utf-8")))
        for name in (_RESPONSE, *_REQUESTS.values())
    }


@cache
def _validator(name: str) -> Draft202012Validator:
    # The request schemas $ref definitions of the response schema by its $id.
    schemas = _schemas()
    registry = Registry().with_resources(
        (schema["$id"], DRAFT202012.create_resource(schema)) for schema in schemas.values()
    )
    return Draft202012Validator(schemas[name], registry=registry)


def _describe(error: ValidationError) -> str:
    message = error.message if len(error.message) <= 200 else error.message[:197] + "..."
    line = f"{error.json_path}: {message}"
    if error.context:
        # oneOf/anyOf failures: alternatives of another JSON type are plainly not the one meant.
        near = [sub for sub in error.context if sub.relative_path or sub.validator != "type"]
        reasons = dict.fromkeys(map(_describe, near or error.context))
        line += "".join(f"\n    {reason}" for reason in reasons)
    return line


def _assert_valid(document: object, name: str) -> None:
    errors = sorted(_validator(name).iter_errors(document), key=lambda e: list(map(str, e.path)))
    if errors:
        listing = "\n".join(f"- {_describe(error)}" for error in errors)
        raise AssertionError(f"document does not match {name}:\n{listing}")


def assert_valid_document(document: dict) -> None:
    """Assert that a response document is valid JSON:API 1.0."""
    _assert_valid(document, _RESPONSE)


def assert_valid_request(document: dict, kind: str) -> None:
    """Assert that a request document is valid; kind is "create", "update" or "relationship"."""
    if kind not in _REQUESTS:
        raise ValueError(f"kind must be one of {sorted(_REQUESTS)}, not {kind!r}")
    _assert_valid(document, _REQUESTS[kind])
