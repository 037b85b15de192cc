"""The promises every reply keeps, whatever the request.

A request is plain data (`HostileRequest`): Hypothesis prints what it drew for a failing one,
ready to replay. `send_and_check` sends it and holds the reply to the contract whatever the
input: never a 5xx while the database is up, a schema-valid JSON:API document with the security
headers, error objects that say what went wrong without a traceback or SQL, and a refused
request leaves every table exactly as it was.
"""

import dataclasses
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from urllib.parse import quote, unquote, unquote_plus

import orjson
from flask import Flask
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from app.jsonapi import PAGE_SECURITY_HEADERS
from tests.jsonapi_client import MEDIA_TYPE, SECURITY_HEADERS
from tests.jsonapi_schema import assert_valid_document
from tests.robustness.seed import database_state


@dataclass(frozen=True)
class HostileRequest:
    method: str
    path: str  # percent-encoded, as on the wire
    query: str = ""  # percent-encoded, as on the wire
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes | None = None

    def __repr__(self) -> str:
        # Short enough for an assertion message; Hypothesis prints each drawn value whole.
        members = (f"{f.name}={_abridged(getattr(self, f.name))}" for f in dataclasses.fields(self))
        return f"HostileRequest({', '.join(members)})"

    def send(self, app: Flask):
        return app.test_client().open(
            self.path,
            method=self.method,
            query_string=self.query,
            headers=list(self.headers),
            data=self.body,
            buffered=True,  # read whole and closed, as a server does (a page is a file)
        )

    def parameter_names(self) -> set[str]:
        """The query parameter names as the service's own parser (Werkzeug's) decodes them."""
        return set(Request(EnvironBuilder(query_string=self.query).get_environ()).args)

    def sent_text(self) -> str:
        """Everything the client sent, decoded every way the service may decode it."""
        parts = [unquote(self.path), unquote(self.query), unquote_plus(self.query)]
        parts += [f"{name}: {value}" for name, value in self.headers]
        if self.body:
            parts.append(self.body.decode("utf-8", "replace"))
            parts.extend(strings_in(parsed_json(self.body)))
        return "\n".join(parts)


def _abridged(value: object, limit: int = 300) -> str:
    shown = repr(value)
    return shown if len(shown) <= limit else f"{shown[:limit]}...({len(shown)} characters)"


def parsed_json(body: bytes) -> object:
    """The JSON value of `body`, or None when it is not JSON (or nested past Python's limit)."""
    try:
        return json.loads(body)
    except (ValueError, RecursionError):
        return None


def strings_in(value: object) -> Iterator[str]:
    """Every string of a JSON value, member names included."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for name, member in value.items():
            yield name
            yield from strings_in(member)
    elif isinstance(value, list):
        for item in value:
            yield from strings_in(item)


# Text only a traceback, the driver or the ORM writes. The service may echo what a client sent
# (an unknown sort key, a stored name), so a marker the request itself carried proves nothing.
LEAK_MARKERS = ("Traceback", 'File "', "psycopg", "sqlalchemy", "SELECT ", "INSERT ", "UPDATE ")
LEAK_MARKERS += ("DELETE FROM", "sqlstate", "Background on this error")


def assert_nothing_leaked(request: HostileRequest, body: bytes, sent_before: str = "") -> None:
    """No marker in the reply that the client did not send, now or in an earlier, stored write."""
    reply_text = body.decode("utf-8", "replace")
    reply_text += "\n" + "\n".join(strings_in(parsed_json(body)))  # with its escapes undone
    sent = f"{request.sent_text()}\n{sent_before}".lower()
    for marker in LEAK_MARKERS:
        if marker.lower() not in sent:
            assert marker.lower() not in reply_text.lower(), f"{marker!r} leaked: {reply_text}"


SAFE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
# Only the two endpoints for machines answer in another format, and only when they succeed;
# and the pages for people (/admin/, /docs/: HTML, CSS, JavaScript), with a policy of their own.
NOT_JSONAPI = {("/health", 200), ("/metrics", 200)}
PAGE_STATUSES = {200, 206, 304, 308}


def is_page(path: str) -> bool:
    return path.split("/")[1] in ("admin", "docs")


def assert_well_behaved(request: HostileRequest, response, sent_before: str = "") -> dict | None:
    """Hold one reply to the contract; return its document (None when it has no body)."""
    status, body = response.status_code, response.get_data()
    where = f"{request!r} -> {status} {body[:400]!r}"
    assert status < 500, where
    page = is_page(request.path) and response.headers.get("Content-Type") != MEDIA_TYPE
    for name, value in (PAGE_SECURITY_HEADERS if page else SECURITY_HEADERS).items():
        assert response.headers.get(name) == value, f"{name} missing: {where}"
    assert SAFE_REQUEST_ID.fullmatch(response.headers.get("X-Request-ID", "")), where
    assert_nothing_leaked(request, body, sent_before)
    if status == 401:
        assert response.headers.get("WWW-Authenticate", "").startswith("Bearer "), where
    if status == 405:
        assert response.headers.get("Allow"), where
    if request.method == "HEAD" or status == 204:
        assert body == b"", where
        return None
    if response.headers.get("Content-Type") != MEDIA_TYPE:
        assert (request.path, status) in NOT_JSONAPI or (page and status in PAGE_STATUSES), where
        return None
    try:
        document = orjson.loads(body)
    except orjson.JSONDecodeError:
        raise AssertionError(f"not JSON: {where}") from None
    assert_valid_document(document)
    if status >= 400:
        assert document.get("errors"), where
        for error in document["errors"]:
            assert error.get("status") == str(status), where
            assert error.get("title"), where
            assert isinstance(error.get("detail"), str) and error["detail"].strip(), where
    return document


@dataclass
class Reply:
    status: int
    headers: dict
    document: dict | None
    changed_data: bool  # it succeeded and changed rows, so `restore` was called after it


def send_and_check(
    app: Flask, sql, request: HostileRequest, restore: Callable[[], None], sent_before: str = ""
) -> Reply:
    """Send `request`, hold its reply to the contract, and prove a refusal changed nothing.

    `sent_before`: what earlier requests stored, which this reply may rightly show.

    A request that succeeded and changed the data is followed by `restore`, so the next one
    meets the same data (Hypothesis replays a failure and needs it to fail the same way).
    """
    before = database_state(sql)
    response = request.send(app)
    document = assert_well_behaved(request, response, sent_before)
    after = database_state(sql)
    if response.status_code >= 400:
        changed = sorted(name for name in after if after[name] != before.get(name))
        assert not changed, (
            f"refused with {response.status_code}, yet changed {changed}: {request!r}"
        )
    elif after != before:
        restore()
    return Reply(response.status_code, dict(response.headers), document, after != before)


def parameter(name: str, value: str) -> str:
    """One query parameter, percent-encoded as a client would send it."""
    return f"{quote(name, safe='[]')}={quote(value, safe='')}"


def only_error_names(reply: Reply, parameter_name: str) -> None:
    """A 400 whose one error names the parameter, as the contract asks of a bad one."""
    assert reply.status == 400, (parameter_name, reply.document)
    assert [e.get("source") for e in reply.document["errors"]] == [{"parameter": parameter_name}]
