"""CORS: which browser origins may call the API, with flask-cors doing the protocol.

CORS_ORIGINS is "" (no origin), "*" (any) or a comma-separated list of origins. Preflights get
past the token check in app.resources.permissions; this module only adds the headers.
"""

import re
from datetime import timedelta

from flask import Flask, Response, request
from flask_cors import CORS
from werkzeug.exceptions import NotFound

# What a JSON:API client sends beyond the CORS-safelisted headers: its token, the media type,
# conditional requests and a request id to trace.
ALLOWED_HEADERS = ["Authorization", "Content-Type", "Accept", "If-Match", "If-None-Match"]
ALLOWED_HEADERS += ["X-Request-ID"]
# What a client must read to act on an answer: where a created resource is, its version, when to
# retry, how to authenticate, and the id to quote when reporting a problem.
EXPOSED_HEADERS = ["Location", "ETag", "Retry-After", "WWW-Authenticate", "X-Request-ID"]
METHODS = ["GET", "POST", "PATCH", "DELETE", "OPTIONS"]
# Chromium caches a preflight for at most two hours; longer would gain nothing there.
PREFLIGHT_MAX_AGE = timedelta(hours=2)


def allowed_origins(setting: str) -> list[str | re.Pattern]:
    """Each allowed origin as a pattern of the whole Origin value, case-insensitive.

    Patterns rather than strings because flask-cors adds `Vary: Origin` only when a pattern or
    several origins are configured; with one literal origin it would leave it out, though whether
    the answer carries Access-Control-Allow-Origin still depends on Origin.
    """
    if setting.strip() == "*":
        return ["*"]
    origins = (origin.strip() for origin in setting.split(","))
    return [re.compile(re.escape(origin) + r"\Z", re.IGNORECASE) for origin in origins if origin]


def is_cors_preflight() -> bool:
    """A browser's CORS preflight: it never carries Authorization, and Flask answers it without
    running a resource, so it needs no token (app.resources.permissions lets it through)."""
    return (
        request.method == "OPTIONS"
        and "Origin" in request.headers
        and "Access-Control-Request-Method" in request.headers
    )


def allow_preflights_to_unknown_urls() -> Response | None:
    """204 for a preflight to a URL the API does not have.

    Browsers need a 2xx preflight: a 404 there shows the client an opaque CORS failure. Let the
    browser send the request itself, whose JSON:API 404 (with CORS headers) the client can read.
    """
    if is_cors_preflight() and isinstance(request.routing_exception, NotFound):
        response = Response(status=204)
        del response.headers["Content-Type"]
        return response
    return None


def init_cors(app: Flask) -> None:
    app.before_request(allow_preflights_to_unknown_urls)
    CORS(
        app,
        origins=allowed_origins(app.config["CORS_ORIGINS"]),
        methods=METHODS,
        allow_headers=ALLOWED_HEADERS,
        expose_headers=EXPOSED_HEADERS,
        max_age=PREFLIGHT_MAX_AGE,
        # Tokens travel in Authorization: no cookies, so no credentialed requests.
        supports_credentials=False,
        # Reflect the request's Origin, never "*", so every answer says whom it was for.
        send_wildcard=False,
        vary_header=True,
        # Only a request with an Origin is a CORS request: without one the answer stays as it is
        # (flask-cors would otherwise list the configured origins, or "*", on every answer).
        always_send=False,
    )
