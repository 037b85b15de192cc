"""JSON:API answers for what gunicorn refuses itself, before the app sees the request.

gunicorn answers malformed HTTP (a bad request line, a lowercase method, a NUL in a header, two
Content-Type headers, more than 100 headers) and a request whose worker it stopped at its
timeout with an HTML page of its own, written by `gunicorn.util.write_error`. gunicorn has no
setting or hook for that page; its one caller (`handle_error` of every worker class) looks the
function up on the module each time, so gunicorn.conf.py puts `write_error` below in its place.
Clients then meet the same JSON:API error document and security headers as from the app.
"""

import orjson
from gunicorn.util import write_nonblock

from app.errors import reason_phrase
from app.jsonapi import JSONAPI_MEMBER, MEDIA_TYPE, SECURITY_HEADERS

# gunicorn's message is empty for a 500: the worker was stopped at its timeout, or failed
# outside the app.
SERVER_ERROR_DETAIL = "The server could not finish this request; it was stopped."


def refusal(status: int, message: str) -> bytes:
    """The whole HTTP response for a refusal: status line, headers and a JSON:API document."""
    title = reason_phrase(status)
    error = {"status": str(status), "title": title, "detail": message or SERVER_ERROR_DETAIL}
    body = orjson.dumps({"errors": [error], "jsonapi": JSONAPI_MEMBER})
    headers = {
        "Connection": "close",
        "Content-Type": MEDIA_TYPE,
        "Content-Length": str(len(body)),
        **SECURITY_HEADERS,
    }
    head = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
    return f"HTTP/1.1 {status} {title}\r\n{head}\r\n".encode("latin-1") + body


def write_error(sock, status_int: int, reason: str, mesg: str) -> None:
    """gunicorn.util.write_error's signature; `reason` is replaced by RFC 9110's phrase."""
    write_nonblock(sock, refusal(status_int, mesg))
