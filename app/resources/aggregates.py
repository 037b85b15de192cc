"""The aggregate resources: `birthdays` and the `town-age-stats` collection."""

from datetime import UTC, datetime

from flask import request

from app.jsonapi import encode_around, jsonapi_response
from app.resources.base import JsonApiResource
from app.resources.query import (
    check_parameters,
    only_wanted,
    page_slice,
    pagination_links,
    parse_collection_query,
    parse_date,
    select_in_memory,
)
from app.schemas.aggregates import BirthdaysSchema, TownAgeStatSchema
from app.services import aggregates as service


def aggregate_meta(aggregate) -> dict:
    return {
        "data_version": aggregate.data_version,
        "computed_at": aggregate.computed_at.isoformat(),
        "from_store": aggregate.from_store,
    }


class Birthdays(JsonApiResource):
    """Read-only: the aggregate is computed, never written."""

    def get(self, import_id: int):
        check_parameters()
        aggregate = service.current_birthdays(import_id)
        # The schema renders the resource around the months, which are the stored bytes as
        # they are: a read from the store neither decodes nor encodes them.
        document = BirthdaysSchema().dump({"id": str(import_id), "months": None})
        document["meta"] = aggregate_meta(aggregate)
        return jsonapi_response(encode_around(document, "months", [aggregate.as_bytes()]))


class TownAgeStats(JsonApiResource):
    """Read-only, like birthdays."""

    def get(self, import_id: int):
        query = parse_collection_query(TownAgeStatSchema, allowed=("as_of",))
        as_of = datetime.now(UTC).date()
        if "as_of" in request.args:
            as_of = parse_date("as_of", request.args["as_of"])
        aggregate = service.current_percentiles(import_id, as_of)
        stats = [{"id": f"{import_id}.{s['town']}", **s} for s in aggregate.value()]
        selected = select_in_memory(stats, query, default_key="town")
        schema = TownAgeStatSchema(many=True, only=only_wanted(query, TownAgeStatSchema))
        document = schema.dump(page_slice(selected, query))
        document["links"] = pagination_links(query, len(selected))
        document["meta"] = {
            **aggregate_meta(aggregate),
            "as_of": as_of.isoformat(),
            "count": len(selected),
        }
        return jsonapi_response(document)
