"""Who may do what: the one check every API request goes through before its resource runs.

The role a request needs follows from its method and its admin-only parameters alone, so no
resource carries a permission check of its own.
"""

from flask import g, request

from app.cors import is_cors_preflight
from app.errors import AccessDenied, Unauthorized
from app.resources.query import TRASH_PARAMETERS
from app.services.tokens import Caller, authenticate

ROLE_FOR_METHOD = {"GET": "reader", "HEAD": "reader", "OPTIONS": "reader"}


def required_role() -> str:
    # Seeing or touching trash is an admin's business (restore is a PATCH with with_trashed=true).
    if any(request.args.get(name) == "true" for name in TRASH_PARAMETERS):
        return "admin"
    return ROLE_FOR_METHOD.get(request.method, "editor")


def bearer_token() -> str | None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def identify_caller() -> None:
    """Remember who calls the API (`g.caller`, None without a valid token), refusing nothing.

    It runs before the rate limits (app.rate_limits), which count per token and, for callers
    without a valid token, per address; require_permission then refuses what it must.
    """
    if request.blueprint != "api" or is_cors_preflight():
        return
    token = bearer_token()
    g.caller = authenticate(token) if token is not None else None


def invalid_token() -> Unauthorized:
    return Unauthorized("The token is unknown or revoked.", invalid_token=True)


def token_holder() -> Caller | None:
    """Whose token a request outside the API carries (the root document): None without one,
    401 for one that is unknown or revoked, as in the API."""
    token = bearer_token()
    if token is None:
        return None
    caller = authenticate(token)
    if caller is None:
        raise invalid_token()
    return caller


def calling_token() -> Caller | None:
    """The caller identified by a valid token, if any."""
    return g.get("caller")


def require_permission() -> None:
    """401 without a valid token, 403 when its role is too low."""
    if is_cors_preflight():
        return
    if bearer_token() is None:
        raise Unauthorized("This API needs an `Authorization: Bearer <token>` header.")
    caller = g.get("caller")
    if caller is None:
        raise invalid_token()
    role = required_role()
    if not caller.may(role):
        raise AccessDenied(
            f"This request needs the {role} role; the token's role is {caller.role}."
        )


def current_caller() -> Caller:
    return g.caller
