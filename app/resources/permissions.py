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


def require_permission() -> None:
    """401 without a valid token, 403 when its role is too low; else remember the caller."""
    if is_cors_preflight():
        return
    token = bearer_token()
    if token is None:
        raise Unauthorized("This API needs an `Authorization: Bearer <token>` header.")
    caller = authenticate(token)
    if caller is None:
        raise Unauthorized("The token is unknown or revoked.", invalid_token=True)
    role = required_role()
    if not caller.may(role):
        raise AccessDenied(
            f"This request needs the {role} role; the token's role is {caller.role}."
        )
    g.caller = caller


def current_caller() -> Caller:
    return g.caller
