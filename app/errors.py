"""JSON:API error documents for every failure, the handlers that render them, and the one map
from the domain's errors (app.domain.errors) to HTTP."""

import logging
from collections.abc import Iterable
from http import HTTPStatus

import orjson
from flask import Flask, Response, g
from flask_rest_jsonapi_next.exceptions import (
    AccessDenied,
    BadRequest,
    InvalidType,
    JsonApiException,
    ObjectNotFound,
    RelatedObjectNotFound,
)
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

from app.domain.errors import (
    ChangedMeanwhile,
    CitizenIdTaken,
    CitizenNotFound,
    DomainError,
    ImportNotFound,
    InvalidAttributes,
    RelativeNotFound,
    TokenNameTaken,
)

__all__ = [
    "AccessDenied",
    "BadRequest",
    "Conflict",
    "InvalidParameter",
    "InvalidType",
    "JsonApiException",
    "NotAcceptable",
    "ObjectNotFound",
    "PreconditionFailed",
    "RelatedObjectNotFound",
    "UnprocessableEntity",
    "Unauthorized",
    "UnsupportedMediaType",
    "json_pointer",
    "register_error_handlers",
]

log = logging.getLogger(__name__)
# The reason phrase of every status, as RFC 9110 writes it: the `title` of every error object and
# the status line of every response (werkzeug would write "422 UNPROCESSABLE ENTITY", which
# clients show as the error's title). Python 3.11 still has RFC 7231's names for these four.
REASON_PHRASES = {
    **{status.value: status.phrase for status in HTTPStatus},
    413: "Content Too Large",
    414: "URI Too Long",
    416: "Range Not Satisfiable",
    422: "Unprocessable Content",
}


def reason_phrase(status: int) -> str:
    return REASON_PHRASES.get(status, "Error" if status >= 400 else "OK")


# Headers of an HTTP exception that a client needs to act on the error.
KEPT_HEADERS = ("Allow", "WWW-Authenticate", "Retry-After")


# The exceptions below carry a status, a detail and a source; their `title` in a document is
# always the status's reason phrase (REASON_PHRASES, set in _document), so they declare none.


class InvalidParameter(BadRequest):
    """A query parameter the endpoint does not understand or cannot accept."""

    def __init__(self, parameter: str, detail: str):
        super().__init__(detail, source={"parameter": parameter})


class Unauthorized(JsonApiException):
    """No valid bearer token; the WWW-Authenticate header tells the client how to authenticate."""

    status = "401"

    def __init__(self, detail: str, invalid_token: bool = False):
        super().__init__(detail)
        challenge = 'Bearer realm="citizens-analyzer"'
        if invalid_token:
            challenge += ', error="invalid_token"'
        self.headers = {"WWW-Authenticate": challenge}


class Conflict(JsonApiException):
    status = "409"


class PreconditionFailed(JsonApiException):
    status = "412"


class NotAcceptable(JsonApiException):
    status = "406"


class UnsupportedMediaType(JsonApiException):
    status = "415"


class UnprocessableEntity(JsonApiException):
    """Semantically invalid input; carries one error object per violated rule."""

    status = "422"

    def __init__(self, errors: list[tuple[str, str]]):
        """Take (JSON pointer, detail) pairs."""
        super().__init__(errors[0][1] if errors else "")
        self.pointed_errors = errors

    def error_objects(self) -> list[dict]:
        return [
            {"status": self.status, "detail": detail, "source": {"pointer": pointer}}
            for pointer, detail in self.pointed_errors
        ]


def json_pointer(prefix: str, path: Iterable[str | int]) -> str:
    """Append path segments to a JSON pointer, escaping '~' and '/' as RFC 6901 asks."""
    escaped = (str(p).replace("~", "~0").replace("/", "~1") for p in path)
    return "/".join((prefix, *escaped))


# Where the request document's relatives linkage is: a relationship endpoint's document holds it
# in `data`; a citizen resource holds it in its relationships. The resource layer records which
# as it reads the linkage (app.resources.documents.relatives_from_linkage).
RELATIVES_LINKAGE = "relatives_linkage_pointer"


def jsonapi_error_for(error: DomainError) -> JsonApiException:
    """The one map from what a use case refused to the JSON:API error a client sees."""
    detail = str(error)
    match error:
        # A path segment is no query parameter: a missing import or citizen has no `source`.
        case ImportNotFound() | CitizenNotFound():
            return ObjectNotFound(detail)
        case RelativeNotFound(position=position):
            linkage = g.get(RELATIVES_LINKAGE, "/data/relationships/relatives/data")
            return RelatedObjectNotFound(detail, source={"pointer": f"{linkage}/{position}"})
        case CitizenIdTaken():
            return Conflict(detail, source={"pointer": "/data/attributes/citizen_id"})
        case ChangedMeanwhile():
            return PreconditionFailed(
                f"{detail} (If-Match names no current ETag of it.)",
                source={"header": "If-Match"},
            )
        case TokenNameTaken():
            return Conflict(detail)
        case InvalidAttributes(violations=violations):
            return UnprocessableEntity(
                [(json_pointer("/data/attributes", v.path), v.detail) for v in violations]
            )
    raise TypeError(f"no JSON:API error is mapped for {type(error).__name__}")


def _document(errors: list[dict], status: int, headers=None) -> Response:
    """An error document; every error object's title is the reason phrase of its status."""
    errors = [{**error, "title": reason_phrase(int(error["status"]))} for error in errors]
    response = Response(orjson.dumps({"errors": errors, "jsonapi": {"version": "1.0"}}), status)
    response.headers["Content-Type"] = "application/vnd.api+json"
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def handle_jsonapi_exception(error: JsonApiException) -> Response:
    if isinstance(error, UnprocessableEntity):
        objects = error.error_objects()
    else:
        objects = [{**error.to_dict(), "status": str(error.status)}]
    status = int(error.status)
    objects = [{**obj, "detail": obj.get("detail") or reason_phrase(status)} for obj in objects]
    return _document(objects, int(error.status), getattr(error, "headers", None))


def handle_domain_error(error: DomainError) -> Response:
    return handle_jsonapi_exception(jsonapi_error_for(error))


def handle_http_exception(error: HTTPException) -> Response:
    headers = {k: v for k, v in error.get_headers() if k in KEPT_HEADERS}
    detail = error.description or error.name
    if error.code == 405 and "Allow" in headers:
        detail = f"This URL allows only: {headers['Allow']}."
    return _document([{"status": str(error.code), "detail": detail}], error.code, headers)


# SQLSTATE classes of a condition that passes: connection exception, insufficient resources
# (too many connections), operator intervention (shutdown, restart), transaction rollback (a
# deadlock or serialisation failure that outlasted the service's own retries).
TRANSIENT_SQLSTATE_CLASSES = ("08", "53", "57", "40")


def is_transient(error: OperationalError) -> bool:
    """Whether the database is away or overloaded for now, rather than the query being wrong."""
    if error.connection_invalidated or error.statement is None:  # lost, or never connected
        return True
    sqlstate = getattr(error.orig, "sqlstate", None) or ""
    return sqlstate[:2] in TRANSIENT_SQLSTATE_CLASSES


def handle_database_unavailable(error: OperationalError) -> Response:
    # The database refused the connection, went away mid-request, or kept aborting the transaction
    # after the service's own retries: a condition that passes, so 503 with a hint to retry. The
    # pool's pre-ping replaces dead connections on the next checkout; nothing was committed.
    # Any other OperationalError (e.g. a statement the driver cannot send) is our bug: a 500.
    if not is_transient(error):
        return handle_unexpected(error)
    log.warning("Database unavailable while serving a request: %s", type(error.orig).__name__)
    return _document(
        [
            {
                "status": "503",
                "detail": "The database is not available right now; retry shortly.",
            }
        ],
        503,
        {"Retry-After": "1"},
    )


def handle_unexpected(error: Exception) -> Response:
    # Never leak a traceback, SQL or driver text; the log keeps the details.
    log.exception("Unhandled error while serving a request")
    return _document(
        [
            {
                "status": "500",
                "detail": "The server failed to complete the request; it has been logged.",
            }
        ],
        500,
    )


def register_error_handlers(app: Flask) -> None:
    """Render every failure, expected or not, as a JSON:API error document."""
    app.register_error_handler(JsonApiException, handle_jsonapi_exception)
    app.register_error_handler(DomainError, handle_domain_error)
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(OperationalError, handle_database_unavailable)
    app.register_error_handler(Exception, handle_unexpected)
