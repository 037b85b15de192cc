"""HTTP validators: a strong ETag on every GET, 304 for If-None-Match, and If-Match for writes.

Two kinds of tag, both strong:
- A resource a client can write (a citizen, its relatives relationship, an import) is tagged by
  its state, the version its writes bump in their transaction (app.services.changes):
  `"<state>-<variant>"`, e.g. `"citizens/1.7@3-9f2c4e1a0b7d"`. The variant is a digest of what
  else shapes the document at one URL: whether the caller sees the audit meta, the URL root links
  are written with (Host, X-Forwarded-*), and any `included` resources. So a write can check
  If-Match under the import's lock by comparing versions, without rendering anything, and can
  answer with the new tag without a body.
- Everything else (collections, aggregates, the root) is tagged by a SHA-256 of its body: exact,
  and ~3 ms for the 6 MB of a 10,000-citizen collection.

If-Match names the state a writer last saw: any current tag of the record matches, whichever
representation it came from (with or without `include`, the record or its relationship), since
what the writer asks is "has this record changed since I read it?".
"""

import hashlib

from flask import Flask, Response, request

from app.jsonapi import MEDIA_TYPE, url_root
from app.resources.permissions import current_caller

CACHE_CONTROL = "private, no-cache"  # a browser may keep it, but must revalidate before use
VARIANT_BYTES = 6


def citizen_record(import_id: int, citizen_id: int) -> str:
    return f"citizens/{import_id}.{citizen_id}"


def import_record(import_id: int) -> str:
    return f"imports/{import_id}"


def state_tag(
    record: str, version: int, kind: str, included: bytes = b"", audit: bool | None = None
) -> str:
    """The ETag (unquoted) of a document of `kind` that shows `record` at `version` at this URL,
    with `included` (encoded) resources, to this caller, or as an admin sees it (`audit`)."""
    if audit is None:
        audit = current_caller().may("admin")
    variant = hashlib.blake2b(digest_size=VARIANT_BYTES)
    for part in (kind, str(audit), url_root()):
        variant.update(part.encode() + b"\0")
    variant.update(included)
    return f"{record}@{version}-{variant.hexdigest()}"


def etag_header(tag: str) -> dict[str, str]:
    """The ETag header of a write answer without a body."""
    return {"ETag": f'"{tag}"'}


def body_tag(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()[:32]


def expected_versions(record: str) -> frozenset[int] | None:
    """The versions of `record` (e.g. `citizens/1.7`) that the request's If-Match accepts.

    None when the request has no If-Match or `*` (any existing record matches); an empty set
    when none of its tags is a current-looking tag of this record, so the write is refused.
    Weak tags never match: If-Match compares strongly (RFC 9110 13.1.1).
    """
    if "If-Match" not in request.headers:
        return None
    condition = request.if_match
    if condition.star_tag:
        return None
    versions = set()
    for tag in condition.as_set():  # the strong tags only
        state, _, _variant = tag.rpartition("-")
        tagged, _, version = state.rpartition("@")
        if tagged == record and version.isdigit():
            versions.add(int(version))
    return frozenset(versions)


def add_validators(response: Response) -> Response:
    """Tag every successful JSON:API GET, and answer 304 when If-None-Match names its tag."""
    if request.method not in ("GET", "HEAD") or response.status_code != 200:
        return response
    if response.mimetype != MEDIA_TYPE:
        return response
    tag, _weak = response.get_etag()
    if tag is None:
        tag = body_tag(response.get_data())
        response.set_etag(tag)
    response.headers["Cache-Control"] = CACHE_CONTROL
    if request.if_none_match.contains_weak(tag):  # weak comparison, as RFC 9110 13.1.2 asks
        response.status_code = 304
        response.set_data(b"")
        del response.headers["Content-Type"]
    return response


def init_validators(app: Flask) -> None:
    app.after_request(add_validators)
