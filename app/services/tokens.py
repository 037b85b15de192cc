"""Bearer tokens: created once, stored as a hash, checked in constant time, revocable.

A process remembers a token it has checked for TOKEN_CACHE_SECONDS (5 by default), so most
requests cost no token lookup: a revoked token stops working within that many seconds in every
process. Only tokens that passed are remembered, by the hash of the whole token; an unknown or
wrong one is looked up every time (a new token works at once).
"""

import hashlib
import hmac
import re
import secrets
import time
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError

from app.domain.errors import TokenNameTaken
from app.extensions import db
from app.models import ROLES
from app.models import api_tokens as tokens
from app.services.unit_of_work import unit_of_work

RANK = {role: rank for rank, role in enumerate(ROLES)}
# Keys are made by secrets.token_hex; anything else (a NUL, which PostgreSQL text cannot hold, or
# megabytes of junk) is refused before it reaches the database.
KEY_SHAPE = re.compile(r"[0-9a-f]{1,32}")


@dataclass(frozen=True)
class Caller:
    name: str
    role: str

    def may(self, role: str) -> bool:
        """Whether this caller's role includes `role` (admin > editor > reader)."""
        return RANK[self.role] >= RANK[role]


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@unit_of_work
def create_token(name: str, role: str) -> str:
    """Store a new token for `name` and return it; this is the only time it is ever shown."""
    if role not in RANK:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    key, secret = secrets.token_hex(8), secrets.token_urlsafe(32)
    try:
        db.session.execute(
            insert(tokens).values(key=key, name=name, role=role, secret_hash=_hash(secret))
        )
    except IntegrityError:
        raise TokenNameTaken(name) from None
    return f"{key}.{secret}"


# Tokens remembered: at most this many per process (the oldest half goes when it is full).
CACHE_ENTRIES = 1024


def _cache() -> dict[str, tuple[float, Caller]]:
    """This app's remembered tokens: hash of the token -> (when to forget it, its caller)."""
    return current_app.extensions.setdefault("token_cache", {})


def authenticate(token: str) -> Caller | None:
    """The caller a token belongs to, or None for a malformed, unknown or revoked token."""
    ttl = current_app.config["TOKEN_CACHE_SECONDS"]
    if not ttl:
        return _look_up(token)
    cache, now, digest = _cache(), time.monotonic(), _hash(token)
    remembered = cache.get(digest)
    if remembered is not None and remembered[0] > now:
        return remembered[1]
    caller = _look_up(token)
    if caller is not None:
        if len(cache) >= CACHE_ENTRIES:
            for stale in list(cache)[: CACHE_ENTRIES // 2]:  # dicts keep insertion order
                del cache[stale]
        cache[digest] = (now + ttl, caller)
    return caller


def _look_up(token: str) -> Caller | None:
    key, _, secret = token.partition(".")
    if not secret or not KEY_SHAPE.fullmatch(key):
        return None
    row = db.session.execute(
        select(tokens.c.name, tokens.c.role, tokens.c.secret_hash).where(
            tokens.c.key == key, tokens.c.revoked_at.is_(None)
        )
    ).first()
    # Hash first, then compare in constant time, so timing says nothing about the secret.
    presented = _hash(secret)
    if row is None or not hmac.compare_digest(presented, row.secret_hash):
        return None
    return Caller(row.name, row.role)


def list_tokens() -> list:
    return db.session.execute(
        select(tokens.c.name, tokens.c.role, tokens.c.created_at, tokens.c.revoked_at).order_by(
            tokens.c.name
        )
    ).all()


@unit_of_work
def revoke_token(name: str) -> bool:
    """Revoke the token of `name`; False when there is no such live token."""
    revoked = db.session.execute(
        update(tokens)
        .where(tokens.c.name == name, tokens.c.revoked_at.is_(None))
        .values(revoked_at=func.now())
    )
    return revoked.rowcount > 0
