"""Strict parsing of JSON:API query parameters: page, sort, filter, fields and include.

flask-rest-jsonapi-next's QueryStringManager accepts negative and zero page numbers, ignores
unknown parameters, and neither types filter values nor names the offending parameter in its
errors; the contract needs all four, so collections parse their query string here.
"""

import functools
import re
from datetime import date, datetime
from urllib.parse import urlencode

from flask import current_app, request
from marshmallow import fields as ma_fields
from marshmallow_jsonapi.fields import DocumentMeta, Relationship, ResourceMeta

from app.domain.citizen_rules import MAX_INT
from app.errors import InvalidParameter
from app.services.query import CollectionQuery
from app.services.visibility import Visibility

# The trash parameters, the service's own: seeing or touching trash is an admin's business
# (app.resources.permissions). Their names are not a-z only, so JSON:API would let an unknown
# one pass silently; where they mean nothing, rejecting them is kinder than ignoring a request
# for trash.
TRASH_PARAMETERS = ("with_trashed", "only_trashed", "permanent")
FAMILY = re.compile(r"^(page|filter|fields)\[([^\[\]]*)\]$")
# A family's name followed by more than one bracketed key (`filter[town][eq]`): operators and
# nested keys that this API does not have, which must not pass as implementation-specific.
FAMILY_PREFIX = re.compile(r"^(page|filter|fields)\[")
LETTERS_ONLY = re.compile(r"^[a-z]+$")
DIGITS = re.compile(r"^[0-9]+$")
DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
# The two ways to choose a page; a request uses one of them.
PAGING_STYLES = {"number": "number", "size": "number", "offset": "offset", "limit": "offset"}
# One filter's values become one bound parameter each, and a statement binds at most 65,535;
# far fewer than that is already no longer a filter but a second copy of the collection.
MAX_FILTER_VALUES = 1_000


@functools.cache  # per schema class: building a schema instance per request costs ~0.1 ms
def members(schema) -> dict:
    """The schema's attributes and relationships: what `fields[TYPE]` may name.

    `id` and meta are not members.
    """
    return {
        f.data_key or name: f  # the member's name in documents
        for name, f in schema().fields.items()
        if name != "id" and not isinstance(f, ResourceMeta | DocumentMeta)
    }


@functools.cache
def attributes(schema) -> dict:
    """What `sort` and `filter[...]` may name, with the field that types its values."""
    return {name: f for name, f in members(schema).items() if not isinstance(f, Relationship)}


def parse_int(parameter: str, raw: str, minimum: int) -> int:
    # The length check comes first: int() refuses strings of over 4,300 digits with ValueError.
    if len(raw) > len(str(MAX_INT)) or not DIGITS.match(raw) or not minimum <= int(raw) <= MAX_INT:
        raise InvalidParameter(
            parameter, f"{parameter} must be an integer from {minimum} to {MAX_INT}."
        )
    return int(raw)


def parse_date(parameter: str, raw: str) -> date:
    try:
        if DATE.match(raw):
            return date.fromisoformat(raw)
    except ValueError:
        pass
    raise InvalidParameter(parameter, f"{parameter} must be a calendar date as YYYY-MM-DD.")


def _typed_value(parameter: str, schema_field, raw: str):
    if isinstance(schema_field, ma_fields.Integer):
        return parse_int(parameter, raw, 0)
    if isinstance(schema_field, ma_fields.DateTime):
        try:
            return datetime.fromisoformat(raw)
        except ValueError:
            raise InvalidParameter(parameter, f"{parameter} must be an ISO 8601 time.") from None
    if isinstance(schema_field, ma_fields.Date):
        return parse_date(parameter, raw)
    if isinstance(schema_field, ma_fields.Float):
        try:
            return float(raw)
        except ValueError:
            raise InvalidParameter(parameter, f"{parameter} must be a number.") from None
    if "\x00" in raw:
        # PostgreSQL text cannot hold NUL, so the driver would refuse the query; no stored value
        # contains one either (validation refuses it), so say so instead of failing.
        raise InvalidParameter(parameter, f"{parameter} cannot contain the NUL character.")
    return raw


def single_values() -> dict[str, str]:
    """Every query parameter once; a repeated parameter is ambiguous, so it is a 400."""
    values = {}
    for name, items in request.args.lists():
        if len(items) > 1:
            raise InvalidParameter(name, f"{name} is given more than once.")
        values[name] = items[0]
    return values


def check_parameters(allowed: tuple[str, ...] = (), families: tuple[str, ...] = ()) -> dict:
    """Reject unknown parameters reserved by JSON:API (a–z only names) and unsupported families.

    Names with another character are implementation-specific by the spec and are ignored.
    """
    values = single_values()
    for name in values:
        family = FAMILY.match(name)
        if name in allowed or (family and family.group(1) in families):
            continue
        if (
            family
            or FAMILY_PREFIX.match(name)
            or LETTERS_ONLY.match(name)
            or name in ("page", "filter", "fields")
            or name in TRASH_PARAMETERS
        ):
            raise InvalidParameter(name, f"The query parameter {name} is not supported here.")
    return values


def flag(name: str) -> bool:
    """A true/false query parameter; absent is false."""
    raw = request.args.get(name, "false")
    if raw not in ("true", "false"):
        raise InvalidParameter(name, f"{name} must be true or false.")
    return raw == "true"


def parse_visibility(only_trashed_allowed: bool = False) -> Visibility:
    """The trash a request asks to see (who may ask is app.resources.permissions' business)."""
    with_trashed = flag("with_trashed")
    only_trashed = flag("only_trashed") if only_trashed_allowed else False
    if with_trashed and only_trashed:
        raise InvalidParameter("only_trashed", "Ask for with_trashed or only_trashed, not both.")
    if only_trashed:
        return Visibility.ONLY_TRASHED
    return Visibility.WITH_TRASHED if with_trashed else Visibility.LIVE


def parse_collection_query(
    schema,
    related: dict[str, type] | None = None,
    allowed: tuple[str, ...] = (),
    relationship_filters: dict[str, str] | None = None,
) -> CollectionQuery:
    """Parse a collection request's query string against the schema of its resources.

    `related` maps include paths to their schemas (e.g. {"relatives": CitizenSchema});
    `relationship_filters` maps to-one relationships that `filter[...]` may name to the column
    of their ids (e.g. {"import": "import_id"}).
    """
    related = related or {}
    relationship_filters = relationship_filters or {}
    values = check_parameters(
        allowed=("sort", "include", *allowed), families=("page", "filter", "fields")
    )
    query = CollectionQuery(page_size=current_app.config["PAGE_SIZE"])
    sortable = attributes(schema)
    types = {schema.opts.type_: schema, **{s.opts.type_: s for s in related.values()}}

    paging = None  # the style of the first page parameter
    for name, raw in values.items():
        family = FAMILY.match(name)
        if family is None:
            continue
        kind, key = family.groups()
        if kind == "page":
            style = PAGING_STYLES.get(key)
            if style is None:
                raise InvalidParameter(
                    name, "Pages are chosen with page[number] and page[size], or page[offset]"
                    " and page[limit].",
                )  # fmt: skip
            if paging not in (None, style):
                raise InvalidParameter(
                    name, "Page by number (page[number], page[size]) or by offset"
                    " (page[offset], page[limit]), not both.",
                )  # fmt: skip
            paging = style
            if key == "number":
                query.page_number = parse_int(name, raw, 1)
            elif key == "offset":
                query.page_offset = parse_int(name, raw, 0)
            else:  # size or limit
                query.page_size = parse_int(name, raw, 0)
        elif kind == "filter" and key in relationship_filters:
            options = raw.split(",")
            if len(options) > MAX_FILTER_VALUES:
                raise InvalidParameter(name, f"{name} takes at most {MAX_FILTER_VALUES} values.")
            query.filters[relationship_filters[key]] = [parse_int(name, v, 0) for v in options]
        elif kind == "filter":
            if key not in sortable:
                raise InvalidParameter(name, f"{key!r} is not an attribute of {schema.opts.type_}.")
            options = raw.split(",")
            if len(options) > MAX_FILTER_VALUES:
                raise InvalidParameter(name, f"{name} takes at most {MAX_FILTER_VALUES} values.")
            query.filters[key] = [_typed_value(name, sortable[key], v) for v in options]
        else:
            if key not in types:
                raise InvalidParameter(name, f"{key!r} is not a resource type of this response.")
            names = frozenset(n for n in raw.split(",") if n)
            unknown = names - members(types[key]).keys()
            if unknown:
                raise InvalidParameter(name, f"{key} has no member {sorted(unknown)[0]!r}.")
            query.fields[key] = names

    for item in filter(None, values.get("sort", "").split(",")):
        attribute = item[1:] if item.startswith("-") else item
        if attribute not in sortable:
            raise InvalidParameter("sort", f"{attribute!r} is not an attribute to sort by.")
        query.sort.append((attribute, item.startswith("-")))
    if "sort" in values and not query.sort:
        raise InvalidParameter("sort", "sort names no attribute.")

    if paging == "offset" and query.page_offset is None:
        query.page_offset = 0
    for path in filter(None, values.get("include", "").split(",")):
        if path not in related:
            raise InvalidParameter("include", f"{path!r} is not a relationship to include.")
        if path not in query.include:
            query.include.append(path)
    return query


def only_wanted(query: CollectionQuery, schema) -> tuple[str, ...] | None:
    """marshmallow's `only` (field names) for the sparse fieldset of the schema's type (`id`
    always), or None for every member."""
    wanted = query.wanted(schema.opts.type_)
    if wanted is None:
        return None
    field_names = {f.data_key or name: name for name, f in schema().fields.items()}
    return ("id", *sorted(field_names[member] for member in wanted))


def pagination_links(query: CollectionQuery, count: int) -> dict:
    """self, first, last, prev and next links, absolute and in the paging style the request
    used (by number or by offset); null where there is no such page."""
    args = dict(request.args.items())

    def link(**page: int) -> str:
        paged = {**args, **{f"page[{key}]": str(value) for key, value in page.items()}}
        return f"{request.base_url}?{urlencode(paged, safe='[],')}"

    self_link = f"{request.base_url}?{urlencode(args, safe='[],')}" if args else request.base_url
    size = query.page_size
    if size == 0:  # every resource from the offset on: one page
        links = dict.fromkeys(("first", "last"), self_link)
        return {"self": self_link, **links, "prev": None, "next": None}
    if query.by_offset:
        offset = query.page_offset
        # Pages step by `size` from this offset (which need not be a multiple of it); the last
        # one starts at the last step that still holds a resource.
        if offset < count:
            last_offset = offset + (count - offset - 1) // size * size
        else:
            last_offset = max(0, count - size)
        stepped_back = offset - size
        return {
            "self": self_link,
            "first": link(offset=0, limit=size),
            "last": link(offset=last_offset, limit=size),
            "prev": link(offset=max(0, stepped_back), limit=size)
            if offset > 0 and stepped_back < count
            else None,
            "next": link(offset=offset + size, limit=size) if offset + size < count else None,
        }
    last = max(1, -(-count // size))
    number = query.page_number
    return {
        "self": self_link,
        "first": link(number=1),
        "last": link(number=last),
        "prev": link(number=number - 1) if 1 < number <= last + 1 else None,
        "next": link(number=number + 1) if number < last else None,
    }


def select_in_memory(items: list[dict], query: CollectionQuery, default_key: str) -> list[dict]:
    """Filter, sort and page a small collection that is already in memory."""
    for attribute, accepted in query.filters.items():
        items = [item for item in items if item[attribute] in accepted]
    items = sorted(items, key=lambda item: item[default_key])
    for attribute, descending in reversed(query.sort):
        items.sort(key=lambda item: item[attribute], reverse=descending)
    return items


def page_slice(items: list, query: CollectionQuery) -> list:
    start = query.skip
    return items[start:] if query.page_size == 0 else items[start : start + query.page_size]
