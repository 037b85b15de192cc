"""Rate limits, with Flask-Limiter on the service's Redis: `RATE_LIMIT` per token and, stricter,
`RATE_LIMIT_ANONYMOUS` per client address for requests without a valid token.

The caller is identified first (app.resources.permissions.identify_caller, an app-level
before_request that create_app registers ahead of Flask-Limiter's own), so a token's requests
count against that token wherever they come from, and one token's burst never slows another;
requests with no token or a bad one count against their address (behind TRUSTED_PROXIES, the
client's). Over a limit the answer is a JSON:API 429 with `Retry-After` (app.errors renders
Flask-Limiter's exception). The counters live in Redis, so every gunicorn worker and host
shares them; when Redis cannot be reached the limiter fails open (swallow_errors): the API keeps
serving, as writes do during a broker outage. Without REDIS_URL the counters are per process.
"""

from flask import Blueprint, Flask, request
from flask_limiter import Limiter

from app.cors import is_cors_preflight
from app.resources.permissions import calling_token

OFF = "off"


def client_address() -> str:
    return request.remote_addr or "unknown"


def token_key() -> str:
    return f"token:{calling_token().name}"


def init_rate_limits(app: Flask, api: Blueprint) -> None:
    """Limit the API blueprint `api`: health, metrics and the root document stay unlimited, for
    probes and scrapers. One Limiter per app, as each app has its own blueprint and settings.

    Call it after the app identifies callers (identify_caller): Flask-Limiter's check, which this
    adds, must run after that.
    """
    per_token, per_address = app.config["RATE_LIMIT"], app.config["RATE_LIMIT_ANONYMOUS"]
    if per_token == OFF and per_address == OFF:
        return
    limiter = Limiter(
        key_func=client_address,
        app=app,
        storage_uri=app.config["REDIS_URL"] or "memory://",
        storage_options={"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        key_prefix="citizens-analyzer",
        strategy="moving-window",
        swallow_errors=True,  # fail open when Redis is away
        headers_enabled=True,  # Retry-After on a 429, X-RateLimit-* on the other answers
    )
    # Shared limits: one count across every route of the API (a plain limit counts per route).
    if per_token != OFF:
        limiter.shared_limit(per_token, "per-token", key_func=token_key, exempt_when=_anonymous)(
            api
        )
    if per_address != OFF:
        limiter.shared_limit(
            per_address, "per-address", key_func=client_address, exempt_when=_identified
        )(api)


def _anonymous() -> bool:
    return calling_token() is None


def _identified() -> bool:
    return calling_token() is not None or is_cors_preflight()
