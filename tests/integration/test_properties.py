"""Properties of every reply to any request: generated documents, bodies, query strings, headers.

Each example is one request at one of the API's routes, thrown at a realistic import (kinship, a
trashed citizen, a trashed import). tests/robustness/checks.py holds the promises checked for every
reply: no 5xx while the database is up, a schema-valid JSON:API document (plain JSON only from a
successful /health or /metrics), security headers, error objects with status, title and detail,
no traceback or SQL, and nothing changed by a refused request.

The examples are derandomized, so a failure in CI is the same failure on any machine (for the
same code: Hypothesis also draws on constants in the source). It prints what it drew, and the
assertion names the request, to replay with `HostileRequest(...).send(app)`. Inputs that random
generation would hardly ever reach are fixed examples of the same properties.
"""

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.jsonapi_client import MEDIA_TYPE
from tests.robustness.checks import HostileRequest, send_and_check
from tests.robustness.endpoints import (
    COLLECTIONS,
    ENDPOINTS,
    METHODS,
    REDIRECTS,
    ROUTE_TEMPLATES,
    SCHEMA_OF_COLLECTION,
    WITH_DOCUMENTS,
    authorization,
    encode_json,
)
from tests.robustness.strategies import (
    accepts,
    content_types,
    credentials,
    encode_parameter,
    extra_headers,
    garbage_bodies,
    mutations_of,
    query_strings,
    request_ids,
    well_formed_parameter,
)


def examples(count: int) -> settings:
    # Function-scoped fixtures are fine here: `send_and_check` restores the seeded data after any
    # change, so every example meets the same rows. The counts keep this module within about
    # half a minute on two busy cores (some 700 requests).
    return settings(
        max_examples=count,
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )


def assert_names_a_parameter_it_was_sent(request: HostileRequest, reply) -> None:
    """A GET has no body, so its 400 can only be about the query string: the contract says the
    error names the parameter, and that must be one the client sent."""
    sent = request.parameter_names()
    for error in reply.document["errors"]:
        assert error.get("source", {}).get("parameter") in sent, (request, error)


def endpoint_request(endpoint, tokens, role=None, **changes) -> HostileRequest:
    """The endpoint's valid request as `role` (default: the role it needs), with `changes`."""
    headers = authorization(tokens, endpoint.role if role is None else role)
    if endpoint.document is not None:
        headers += (("Content-Type", MEDIA_TYPE),)
    request = {
        "method": endpoint.method,
        "path": endpoint.path,
        "query": endpoint.query,
        "headers": headers,
        "body": endpoint.body(),
    }
    return HostileRequest(**{**request, **changes})


def test_the_requests_cover_every_route_and_method_of_the_app(app):
    # A route added later is covered here, or this fails: the app's own URL map is the list.
    adapter = app.url_map.bind("localhost")
    served = {
        (rule.endpoint, method)
        for rule in app.url_map.iter_rules()
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    routes = {
        re.sub(r"<(?:[^:>]+:)?(\w+)>", r"{\1}", rule.rule) for rule in app.url_map.iter_rules()
    }

    assert {(adapter.match(e.path, e.method)[0], e.method) for e in ENDPOINTS} == served
    assert set(ROUTE_TEMPLATES) == routes


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: f"{e.method} {e.path}")
def test_every_endpoint_answers_its_valid_request(app, sql, tokens, seeded, endpoint):
    # Guards the properties below: each generated request starts from one that succeeds.
    reply = send_and_check(app, sql, endpoint_request(endpoint, tokens), seeded)

    if endpoint.path in REDIRECTS:
        assert reply.status == 308, reply.document
    else:
        assert 200 <= reply.status < 300, reply.document
    assert reply.changed_data == (endpoint.method != "GET")


# A statement binds at most 65,535 parameters (the protocol counts them in 16 bits). Distinct
# values, so that merely dropping duplicates cannot hide the limit.
MORE_VALUES_THAN_A_STATEMENT_BINDS = ",".join(map(str, range(65_536)))


@pytest.mark.parametrize(
    ("path", "name"),
    [("/imports/1/citizens", "filter[citizen_id]"), ("/imports", "filter[data_version]")],
)
def test_a_filter_with_more_values_than_a_statement_binds_is_not_a_5xx(
    app, sql, tokens, seeded, path, name
):
    # The database is up: any 5xx here (a 503 "database unavailable" included) is wrong.
    query = f"{name}={MORE_VALUES_THAN_A_STATEMENT_BINDS}"
    request = HostileRequest("GET", path, query, authorization(tokens, "reader"))

    reply = send_and_check(app, sql, request, seeded)

    assert reply.status in (200, 400)
    if reply.status == 400:
        assert [e.get("source") for e in reply.document["errors"]] == [{"parameter": name}]


@examples(120)
@given(data=st.data())
def test_near_valid_documents_keep_every_promise(app, sql, tokens, seeded, data):
    """A valid document with one member replaced by any JSON value, removed, or one added."""
    endpoint = data.draw(st.sampled_from(WITH_DOCUMENTS), label="endpoint")
    role = data.draw(st.sampled_from(("editor", "admin")), label="role")
    document = data.draw(mutations_of(endpoint.document), label="document")
    request = endpoint_request(endpoint, tokens, role, body=encode_json(document))

    send_and_check(app, sql, request, seeded)


path_segments = st.one_of(
    st.sampled_from(["1", "2", "4", "5", "999", "0", "01", "-1", "1.1", "2147483648", "%00"]),
    st.sampled_from(["%FF", "%EF%BC%91", "birthdays", "..", "%2F", "1;2", "1%20", "+1"]),
    st.text(max_size=12).map(lambda segment: re.sub("[^0-9A-Za-z]", "_", segment)),
)


@examples(120)
@given(data=st.data())
def test_arbitrary_bodies_at_every_route_and_method_keep_every_promise(
    app, sql, tokens, seeded, data
):
    """Garbage bytes and arbitrary JSON, sent with any method to any route, as anyone."""
    template = data.draw(st.sampled_from(ROUTE_TEMPLATES), label="route")
    path = template.format(
        import_id=data.draw(path_segments, label="import_id"),
        citizen_id=data.draw(path_segments, label="citizen_id"),
        page=data.draw(st.sampled_from(["admin", "docs"]) | path_segments, label="page"),
        path=data.draw(path_segments, label="path"),
    )
    role = data.draw(st.sampled_from((None, "reader", "editor", "admin")), label="role")
    headers = authorization(tokens, role)
    content_type = data.draw(st.just(MEDIA_TYPE) | st.none() | content_types, label="type")
    if content_type is not None:
        headers += (("Content-Type", content_type),)
    request = HostileRequest(
        method=data.draw(st.sampled_from(METHODS), label="method"),
        path=path,
        headers=headers,
        body=data.draw(st.none() | garbage_bodies, label="body"),
    )

    send_and_check(app, sql, request, seeded)


@pytest.mark.slow  # hundreds of generated requests: some 3 s
@examples(150)
@given(data=st.data())
def test_generated_query_strings_keep_every_promise(app, sql, tokens, seeded, data):
    """Any parameters, known or not, with any values, at every endpoint, as any role."""
    endpoint = data.draw(
        st.sampled_from(COLLECTIONS) | st.sampled_from(ENDPOINTS), label="endpoint"
    )
    role = data.draw(st.sampled_from((None, "reader", "editor", "admin")), label="role")
    query = data.draw(query_strings, label="query")
    if endpoint.query and data.draw(st.booleans(), label="keep the endpoint's own query"):
        query = f"{endpoint.query}&{query}" if query else endpoint.query
    request = endpoint_request(endpoint, tokens, role, query=query)

    reply = send_and_check(app, sql, request, seeded)

    if reply.status == 400 and request.method == "GET":
        assert_names_a_parameter_it_was_sent(request, reply)


@pytest.mark.slow  # hundreds of generated requests: some 4 s
@examples(150)
@given(data=st.data())
def test_a_contract_shaped_parameter_is_answered_or_refused_by_name(app, sql, tokens, seeded, data):
    """One sort, filter, fields or include over any member name a schema declares, at each
    collection, as an admin: the collection answers, or a 400 names exactly that parameter.

    One at a time: a parameter the parser refuses would hide whatever the others reach.
    """
    endpoint = data.draw(st.sampled_from(COLLECTIONS), label="endpoint")
    name, value = data.draw(
        well_formed_parameter(SCHEMA_OF_COLLECTION[endpoint.path]), label="parameter"
    )
    query = "&".join(filter(None, (endpoint.query, encode_parameter(name, value))))
    request = endpoint_request(endpoint, tokens, "admin", query=query)

    reply = send_and_check(app, sql, request, seeded)

    assert reply.status in (200, 400), request
    if reply.status == 400:
        assert [e.get("source") for e in reply.document["errors"]] == [{"parameter": name}]


@examples(120)
@given(data=st.data())
def test_generated_headers_keep_every_promise(app, sql, tokens, seeded, data):
    """Any Content-Type, Accept, Authorization and X-Request-ID on each endpoint's request."""
    endpoint = data.draw(st.sampled_from(ENDPOINTS), label="endpoint")
    authorization_header, names_a_token = data.draw(credentials(tokens), label="authorization")
    headers = []
    if authorization_header is not None:
        headers.append(("Authorization", authorization_header))
    for name, values in (
        ("Content-Type", content_types),
        ("Accept", accepts),
        ("X-Request-ID", request_ids),
    ):
        value = data.draw(st.none() | values, label=name)
        if value is not None:
            headers.append((name, value))
    headers += data.draw(extra_headers, label="extra headers")
    request = HostileRequest(
        method=endpoint.method,
        path=endpoint.path,
        query=endpoint.query,
        headers=tuple(headers),
        body=endpoint.body(),
    )

    reply = send_and_check(app, sql, request, seeded)

    if endpoint.role is not None and not names_a_token:
        # No live token: nothing but content negotiation may answer before authentication does.
        assert reply.status in (401, 406, 415), (request, reply.status)
    if names_a_token:
        assert reply.status != 401, request
