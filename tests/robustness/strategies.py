"""Hypothesis strategies for hostile requests: documents, bodies, query strings, headers and
credentials.

Values that mean something to some endpoint are mixed with arbitrary ones, so that generated
requests also get far.
"""

import copy
from collections.abc import Iterator
from urllib.parse import quote

from hypothesis import strategies as st

from app.schemas.aggregates import BirthdaysSchema, TownAgeStatSchema
from app.schemas.citizens import CitizenSchema
from app.schemas.imports import ImportSchema
from tests.jsonapi_client import MEDIA_TYPE
from tests.robustness.checks import SAFE_REQUEST_ID
from tests.robustness.endpoints import encode_json

SCHEMAS = (ImportSchema, CitizenSchema, BirthdaysSchema, TownAgeStatSchema)
# Every member name a schema declares, exposed or not, and the columns behind the audit meta:
# the names a curious client tries first.
MEMBER_NAMES = tuple(
    sorted({name for schema in SCHEMAS for name in schema().fields} | {"deleted_by"})
)
TYPES = tuple(schema.opts.type_ for schema in SCHEMAS)
# Values that mean something to some endpoint, so that generated requests also get far.
PLAUSIBLE_TEXT = (
    *MEMBER_NAMES, *(f"-{name}" for name in MEMBER_NAMES), *TYPES,
    "", " ", "true", "false", "TRUE", "1", "0", "-1", "2", "4", "999", "1.1", "1.4", "1.999",
    "town,-birth_date", "name,relatives", "Москва", "Керчь", "male", "female", "2000-02-29",
    "1986-12-26", "2019-02-29", "2026-01-01", "2020-01-01T00:00:00+00:00", "2147483647",
    "2147483648", "1e400", "NaN", ",", ",,name", "\x00", "a\x00b", "\ud7ff\ue000", "\u202e",
)  # fmt: skip
plausible_text = st.sampled_from(PLAUSIBLE_TEXT)
any_text = st.one_of(plausible_text, st.text(max_size=30))
# Long values: ASCII up to 20 kB, and Cyrillic to 12 kB once percent-encoded (decoding that is
# slow in the test client itself, so it is kept shorter).
long_text = st.one_of(
    st.integers(1_000, 20_000).map(lambda n: "x" * n),
    st.integers(500, 2_000).map(lambda n: "Ы" * n),
)

json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),
    any_text,
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(any_text, inner, max_size=4),
    max_leaves=12,
)
garbage_bodies = st.one_of(
    st.binary(max_size=120),
    json_values.map(encode_json),
    json_values.map(lambda value: encode_json({"data": value})),
    st.sampled_from([b"", b"{", b"\xff\xfe", b'{"data": {"type": "imports"}}\x00', b"[" * 5000]),
)


def _paths(value: object, prefix: tuple = ()) -> Iterator[tuple]:
    yield prefix
    if isinstance(value, dict):
        for name, member in value.items():
            yield from _paths(member, (*prefix, name))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _paths(item, (*prefix, index))


@st.composite
def mutations_of(draw, document: object) -> object:
    """`document` with one member or item replaced by any JSON value, removed, or joined by one."""
    path = draw(st.sampled_from(list(_paths(document))))
    how = draw(st.sampled_from(("replace", "remove", "add")))
    if not path:
        return draw(json_values)
    mutated = copy.deepcopy(document)
    parent = mutated
    for step in path[:-1]:
        parent = parent[step]
    target = parent[path[-1]]
    if how == "remove":
        del parent[path[-1]]
    elif how == "add" and isinstance(target, dict):
        target[draw(any_text)] = draw(json_values)
    elif how == "add" and isinstance(target, list):
        target.insert(draw(st.integers(0, len(target))), draw(json_values))
    else:
        parent[path[-1]] = draw(json_values)
    return mutated


PARAMETER_NAMES = (
    "sort", "include", "page[size]", "page[number]", "page[offset]", "page", "filter", "fields",
    "with_trashed", "only_trashed", "permanent", "as_of", "include[]", "foo", "camelCase",
    "my_param",
    *(f"filter[{name}]" for name in MEMBER_NAMES),
    *(f"fields[{type_}]" for type_ in TYPES),
)  # fmt: skip
parameter_names = st.one_of(
    st.sampled_from(PARAMETER_NAMES),
    any_text.map(lambda key: f"filter[{key}]"),
    any_text.map(lambda key: f"fields[{key}]"),
    any_text,
    st.binary(min_size=1, max_size=8),
)
parameter_values = st.one_of(plausible_text, any_text, long_text, st.binary(max_size=12))
# Fragments no encoder writes, but a hand-made or hostile URL may carry.
RAW_FRAGMENTS = ("%", "%G1", "%%", "&&", "=", "==", "a=b=c", "[", "filter[", "page[size", "+")


def encode_parameter(name: str | bytes, value: str | bytes) -> str:
    return f"{quote(name, safe='[]')}={quote(value, safe=',')}"


member_names = st.sampled_from(MEMBER_NAMES)


def well_formed_parameters(names, types) -> st.SearchStrategy[tuple[str, str]]:
    """sort, filter, fields and include shaped as the contract describes them, over `names`:
    most get past the parser's first checks, so they reach the code behind it."""
    return st.one_of(
        st.tuples(
            st.just("sort"),
            st.lists(
                st.tuples(st.sampled_from(("", "-")), names).map("".join), min_size=1, max_size=2
            ).map(",".join),
        ),
        st.tuples(names.map(lambda name: f"filter[{name}]"), parameter_values),
        st.tuples(
            types.map(lambda type_: f"fields[{type_}]"),
            st.lists(names, max_size=3).map(",".join),
        ),
        st.tuples(st.just("include"), names | st.just("relatives.relatives")),
    )


def well_formed_parameter(schema) -> st.SearchStrategy[tuple[str, str]]:
    """One contract-shaped parameter for a collection of `schema`: half the time over its own
    members (declared, not necessarily exposed), half over any schema's."""
    names = st.sampled_from(tuple(schema().fields)) | member_names
    types = st.just(schema.opts.type_) | st.sampled_from(TYPES)
    return well_formed_parameters(names, types)


query_strings = st.builds(
    lambda pairs, raw: "&".join([*(encode_parameter(*pair) for pair in pairs), *raw]),
    st.lists(
        well_formed_parameters(member_names, st.sampled_from(TYPES))
        | st.tuples(parameter_names, parameter_values),
        max_size=4,
    ),
    st.lists(st.sampled_from(RAW_FRAGMENTS), max_size=1),
)

# Any text a header can carry (Werkzeug refuses only line breaks, HTTP servers too), and the
# characters that trip parsers and drivers: NUL, DEL, Latin-1, Cyrillic, a bidi override, dots.
NASTY_HEADER_TEXT = ("\x00", "a\x00b", "\x7f", "\t", " ", "ÿ", "Ы", "\u202e", "%00", ".", "é.é")
header_values = st.one_of(
    st.sampled_from(NASTY_HEADER_TEXT),
    st.text(alphabet=st.characters(exclude_characters="\r\n"), max_size=40),
)
CONTENT_TYPES = (
    MEDIA_TYPE, "application/json", "APPLICATION/VND.API+JSON", f"{MEDIA_TYPE}; charset=utf-8",
    f"{MEDIA_TYPE}; ext=x", " application/vnd.api+json ", "multipart/form-data; boundary=x",
    "application/x-www-form-urlencoded", "text/plain", "", "*/*",
)  # fmt: skip
ACCEPTS = (
    MEDIA_TYPE, "*/*", "application/*", "text/html", "application/json", f"{MEDIA_TYPE}; ext=x",
    f"{MEDIA_TYPE};q=0", f"text/html, {MEDIA_TYPE};q=0.5", f"{MEDIA_TYPE};q=abc", ";;;,,,", "",
)  # fmt: skip
content_types = st.sampled_from(CONTENT_TYPES) | header_values
accepts = st.sampled_from(ACCEPTS) | header_values
request_ids = st.from_regex(SAFE_REQUEST_ID, fullmatch=True) | header_values
# Headers a proxy or browser may add; the service must neither trip on them nor obey them.
EXTRA_HEADERS = (
    "X-HTTP-Method-Override", "X-Forwarded-For", "Origin", "Cookie", "Range", "If-None-Match",
    "Content-Encoding", "Expect", "Accept-Charset", "Forwarded",
)  # fmt: skip
extra_headers = st.lists(st.tuples(st.sampled_from(EXTRA_HEADERS), header_values), max_size=2)


def credentials(tokens: dict[str, str]) -> st.SearchStrategy[tuple[str | None, bool]]:
    """(Authorization header or None, whether it names a live token)."""
    token = tokens["admin"]
    key, _, secret = token.partition(".")
    valid = [f"Bearer {t}" for t in tokens.values()] + [f"bearer {token}", f"BEARER  {token} "]
    forged = [
        f"Bearer {token}x", f"Bearer {token[:-1]}", f"Bearer {key}", f"Bearer {key}.",
        f"Bearer .{secret}", f"Basic {token}", f"Token {token}", "Bearer",
        "Bearer ", f"Bearer{token}", f"Bearer {token} {token}", f"Bearer {key.upper()}.x",
        f"Bearer \x00.{secret}", f"Bearer {key}\x00.{secret}", f"Bearer {key}.{secret}\x00",
    ]  # fmt: skip
    return st.one_of(
        st.just((None, False)),
        st.sampled_from(valid).map(lambda value: (value, True)),
        st.sampled_from(forged).map(lambda value: (value, False)),
        header_values.map(lambda value: (f"Bearer {value}", False)),
        header_values.map(lambda value: (f"Bearer {key}.{value}", False)),  # a forged secret
        header_values.map(lambda value: (f"Bearer {value}.{secret}", False)),  # a forged key
        header_values.map(lambda value: (value, False)),
    )
