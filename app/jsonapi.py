"""The JSON:API wire protocol: media type negotiation, body parsing and response rendering."""

import orjson
from flask import Flask, Response, current_app, request
from werkzeug.exceptions import (
    RequestEntityTooLarge,
    RequestHeaderFieldsTooLarge,
    RequestURITooLarge,
)
from werkzeug.http import parse_accept_header

from app.errors import BadRequest, NotAcceptable, UnsupportedMediaType, reason_phrase

MEDIA_TYPE = "application/vnd.api+json"
JSONAPI_MEMBER = {"version": "1.0"}
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
}
# The static pages (app.resources.pages) run their own scripts and styles and call the API of
# their own origin, and nothing else: no inline code, no other host.
PAGE_SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'self'; "
    "img-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'none'",
}
# Paths for machines that speak plain JSON (/health) or Prometheus' text format (/metrics).
NOT_JSONAPI_PATHS = ("/health", "/metrics")
# The request head's limits. gunicorn would enforce its own (4 KiB request line, 8 KiB header
# field) with an HTML page before the app runs; gunicorn.conf.py lifts them so that these, and
# their JSON:API errors, are the ones clients meet.
MAX_URL_BYTES = 32 * 1024
MAX_HEADER_BYTES = 16 * 1024


def encode(document: dict) -> bytes:
    """Encode a document, saying which JSON:API it speaks, with orjson (several times faster
    than the stdlib encoder)."""
    document["jsonapi"] = JSONAPI_MEMBER
    return orjson.dumps(document)


def encode_around(document: dict, member: str, parts: list[bytes]) -> bytes:
    """Encode `document`, whose `member` is None, with the already encoded `parts` as that
    member's value: what is stored or encoded in pieces is written out once, never decoded.

    The first `"member":null` is the one: members are written in insertion order, the document
    holds no other member of that name before it, and a string cannot contain it (a quote in
    a JSON string is escaped).
    """
    slot = b'"%s":null' % member.encode()
    head, tail = encode(document).split(slot, 1)
    return b"".join([head, b'"%s":' % member.encode(), *parts, tail])


def url_root() -> str:
    """The service's URL as the client used it, without a trailing slash: scheme, host, port and
    prefix (behind TRUSTED_PROXIES, the forwarded ones), e.g. `https://example.org/api`."""
    return request.url_root.rstrip("/")


def jsonapi_response(document: dict | bytes | None, status: int = 200, headers=None) -> Response:
    """A JSON:API response from a document, or from one already encoded."""
    if document is None:
        body = b""
    else:
        body = document if isinstance(document, bytes) else encode(document)
    response = Response(body, status=status, headers=headers)
    response.headers["Content-Type"] = MEDIA_TYPE
    return response


def request_body() -> bytes:
    """The request body; 413 when it is over MAX_CONTENT_LENGTH, however it was sent.

    werkzeug refuses a Content-Length over the limit, but a chunked body it reads up to the
    limit and stops, silently: the document arrives cut off. One byte more in the server's
    stream means the body was larger than the limit.
    """
    limit = current_app.config["MAX_CONTENT_LENGTH"]
    too_large = RequestEntityTooLarge(f"The request body is larger than {limit} bytes.")
    try:
        body = request.get_data(cache=True)
    except RequestEntityTooLarge:  # a Content-Length over the limit, in werkzeug's words
        raise too_large from None
    streamed = request.content_length is None
    if streamed and limit is not None and len(body) >= limit and _more_than_read():
        raise too_large
    return body


def _more_than_read() -> bool:
    """Whether the server's input stream holds more than werkzeug has read of it."""
    return bool(request.environ["wsgi.input"].read(1))


def read_document() -> object:
    """Parse the request body as JSON; a missing, non-UTF-8 or malformed body is a 400."""
    body = request_body()
    if not body:
        raise BadRequest("The request body is empty; a JSON:API document is required.")
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError:
        raise BadRequest("The request body is not valid JSON (or not UTF-8).") from None


def refuse_oversized_head() -> None:
    """414 for a URL and 431 for a header beyond the limits: a clear error, before any work."""
    target = request.environ.get("RAW_URI") or request.full_path
    if len(target) > MAX_URL_BYTES:
        raise RequestURITooLarge(f"The URL is longer than {MAX_URL_BYTES} bytes.")
    for name, value in request.headers.items():
        if len(name) + len(value) > MAX_HEADER_BYTES:
            raise RequestHeaderFieldsTooLarge(
                f"The {name} header is longer than {MAX_HEADER_BYTES} bytes."
            )


def negotiate_media_type() -> None:
    """Enforce JSON:API content negotiation: 415 for a foreign body, 406 for a foreign Accept.

    flask-rest-jsonapi-next's own check also admits application/json and multipart/form-data
    bodies and rarely answers 406, so the service makes this check for every route itself.
    """
    if request.path in NOT_JSONAPI_PATHS or is_page():
        return
    has_body = request.content_length or request.headers.get("Transfer-Encoding")
    if has_body and request.headers.get("Content-Type", "").strip().lower() != MEDIA_TYPE:
        raise UnsupportedMediaType(
            f"Request bodies must be sent as {MEDIA_TYPE} with no media type parameters."
        )
    if "Accept" in request.headers and not _accepts_jsonapi(request.headers["Accept"]):
        raise NotAcceptable(
            f"The Accept header allows no {MEDIA_TYPE} response without media type parameters."
        )


# How specific an Accept media range is when it matches our media type; parameters on our type
# make a range that matches nothing we serve (JSON:API's rule).
SPECIFICITY = {MEDIA_TYPE: 3, "application/*": 2, "*/*": 1}


def _accepts_jsonapi(accept_header: str) -> bool:
    """Whether the most specific media range that matches ours gives it a quality above 0.

    So `application/vnd.api+json;q=0, */*` refuses what the wildcard alone would allow (RFC 9110
    12.5.1: the most specific reference has precedence).
    """
    best = (0, 0.0)  # (specificity, quality) of the most specific match so far
    for value, quality in parse_accept_header(accept_header):
        media, _, params = value.partition(";")
        specificity = SPECIFICITY.get(media.strip().lower(), 0)
        if media.strip().lower() == MEDIA_TYPE and params.strip():
            specificity = 0
        if specificity > best[0] or (specificity == best[0] and quality > best[1]):
            best = (specificity, quality)
    return best[0] > 0 and best[1] > 0


def is_page() -> bool:
    """Whether the request is for a static page (the admin console, the API reference)."""
    return request.blueprint == "pages"


def finish_response(response: Response) -> Response:
    """Add the security headers and RFC 9110's reason phrase; answer Flask's automatic OPTIONS
    with 204 rather than HTML."""
    if request.method == "OPTIONS" and response.status_code == 200 and not response.data:
        response.status_code = 204
        del response.headers["Content-Type"]
    response.status = f"{response.status_code} {reason_phrase(response.status_code)}"
    page = is_page() and response.mimetype != MEDIA_TYPE  # a page's own errors are JSON:API
    response.headers.update(PAGE_SECURITY_HEADERS if page else SECURITY_HEADERS)
    return response


def init_protocol(app: Flask) -> None:
    """Install head limits and negotiation before every request, security headers after."""
    app.before_request(refuse_oversized_head)
    app.before_request(negotiate_media_type)
    app.after_request(finish_response)
