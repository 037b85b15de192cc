"""What every Dredd hook file shares: the app, the database reset, fixtures, tokens, checks.

Dredd's Python hooks server loads each `*_hooks.py` file on its own; they import this module
(hooks/ is put on sys.path by each of them), so the app is built once for the whole run.
"""

import functools
import re
import sys
import time
import traceback
import urllib.request
from datetime import date
from pathlib import Path
from urllib.parse import urlencode

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import text  # noqa: E402

from app import create_app  # noqa: E402
from app.extensions import db  # noqa: E402
from app.models import ROLES  # noqa: E402
from app.services import citizens as citizen_service  # noqa: E402
from app.services import imports as import_service  # noqa: E402
from app.services.tokens import create_token  # noqa: E402
from tests.jsonapi_schema import assert_valid_document  # noqa: E402

# The service under test reads DATABASE_URL too, so both sides see one database.
app = create_app("testing")
tokens: dict[str, str] = {}
# The Blueprint's HOST: the origin of every link in its examples.
EXAMPLE_ORIGIN = "http://127.0.0.1:5000"
MEDIA_TYPE = "application/vnd.api+json"
CACHE_CONTROL = "private, no-cache"
# RFC 9110 8.8.3: a strong entity-tag is a quoted string of etagc characters, without `W/`.
STRONG_TAG = re.compile(r'"[\x21\x23-\x7e\x80-\xff]*"')
# A writable record's tag, "<record>@<version>-<digest>" (app.resources.validators); the state
# is what If-Match compares. Any other tag is a digest of the body.
STATE_TAG = re.compile(r'"((?:citizens/\d+\.\d+|imports/\d+)@\d+)-[0-9a-f]{12}"')
BODY_TAG = re.compile(r'"[0-9a-f]{32}"')
# The version of every import and citizen when the transaction was sent (see remember_versions).
versions_sent: dict[str, int] = {}


FAMILY = [
    {
        "citizen_id": 1, "town": "Москва", "street": "Льва Толстого", "building": "16к7стр5",
        "apartment": 7, "name": "Иванов Иван Иванович", "birth_date": "1986-12-26",
        "gender": "male", "relatives": [2],
    },
    {
        "citizen_id": 2, "town": "Москва", "street": "Льва Толстого", "building": "16к7стр5",
        "apartment": 7, "name": "Иванов Сергей Иванович", "birth_date": "1997-04-17",
        "gender": "male", "relatives": [1],
    },
    {
        "citizen_id": 3, "town": "Керчь", "street": "Иосифа Бродского", "building": "2",
        "apartment": 11, "name": "Романова Мария Леонидовна", "birth_date": "2000-02-29",
        "gender": "female", "relatives": [3],
    },
]  # fmt: skip


def guarded(hook):
    """Turn an exception in a hook into that transaction's failure, with its traceback.

    Left alone, an exception closes the hooks server's connection: that transaction and every
    later one would then fail with "Hook timed out" and the real cause would be hidden.
    """

    @functools.wraps(hook)
    def run(data):
        try:
            hook(data)
        except Exception:
            message = f"{hook.__name__} raised:\n{traceback.format_exc()}"
            print(message, file=sys.stderr)
            for transaction in data if isinstance(data, list) else [data]:
                transaction["fail"] = message

    return run


def create_tokens() -> None:
    with app.app_context():
        for role in ROLES:
            tokens[role] = create_token(f"dredd-{role}-{time.time_ns()}", role)


def reset_database() -> None:
    """Empty the tables and restart ids, then load the family import as import 1."""
    with app.app_context():
        # DELETE and a sequence restart: ~3x faster than TRUNCATE on tables this small.
        for table in ("stored_aggregates", "kinship", "citizens", "imports"):
            db.session.execute(text(f"DELETE FROM {table}"))
        db.session.execute(text("ALTER SEQUENCE imports_id_seq RESTART WITH 1"))
        db.session.commit()  # ~2 ms; the family import below takes ~9 ms
        import_service.create_import(
            [{**c, "birth_date": date.fromisoformat(c["birth_date"])} for c in FAMILY]
        )
    remember_versions()


def trash_citizen(citizen_id: int, import_id: int = 1) -> None:
    with app.app_context():
        citizen_service.trash_citizen(import_id, citizen_id, "dredd")
    remember_versions()


def trash_import(import_id: int = 1) -> None:
    with app.app_context():
        import_service.trash_import(import_id, "dredd")
    remember_versions()


def versions() -> dict[str, int]:
    """Every import's data_version and citizen's version: any committed change bumps one."""
    with app.app_context():
        rows = db.session.execute(
            text(
                "SELECT 'imports/' || id, data_version FROM imports"
                " UNION ALL SELECT 'citizens/' || import_id || '.' || citizen_id, version"
                " FROM citizens"
            )
        ).all()
    return dict(rows)


def remember_versions() -> None:
    """Note the versions a transaction is sent on; each helper that writes calls it last."""
    versions_sent.clear()
    versions_sent.update(versions())


def server_origin(transaction: dict) -> str:
    return f"{transaction['protocol']}//{transaction['host']}:{transaction['port']}"


def send_current_etag(transaction: dict, header: str) -> None:
    """Send in `header` (If-Match, If-None-Match) the ETag a GET of the transaction's URL
    answers now, with its token: the tag the client last read, in place of the example's."""
    request_headers = transaction["request"]["headers"]
    read = urllib.request.Request(
        server_origin(transaction) + transaction["fullPath"],
        headers={"Accept": MEDIA_TYPE, "Authorization": request_headers["Authorization"]},
    )
    with urllib.request.urlopen(read, timeout=10) as response:
        request_headers[header] = response.headers["ETag"]


def send_to(transaction: dict, path: str, **query: str) -> None:
    """Point a transaction at another URL than its resource's example values give."""
    full_path = f"{path}?{urlencode(query, safe='[],')}" if query else path
    transaction["fullPath"] = full_path
    transaction["request"]["uri"] = full_path


def use_real_token(transaction: dict) -> None:
    """The Blueprint writes the role in place of a token ("Bearer editor-token")."""
    headers = transaction["request"]["headers"]
    value = headers.get("Authorization", "")
    if value.startswith("Bearer ") and value.endswith("-token"):
        role = value.removeprefix("Bearer ").removesuffix("-token")
        headers["Authorization"] = f"Bearer {tokens[role]}"


def check_jsonapi_document(transaction: dict) -> None:
    """Validate a JSON:API response against the official schema; fail the transaction if not."""
    real = transaction.get("real") or {}
    headers = {k.lower(): v for k, v in (real.get("headers") or {}).items()}
    if headers.get("content-type") != "application/vnd.api+json" or not real.get("body"):
        return
    try:
        assert_valid_document(orjson.loads(real["body"]))
    except (AssertionError, orjson.JSONDecodeError) as error:
        transaction["fail"] = f"The response is not a valid JSON:API document: {error}"


def check_links(transaction: dict) -> None:
    """Compare every `links` member the example shows with the response's; fail if one differs.

    Gavel checks only that an example's keys are in the response, never their values, so a
    link to the wrong URL (an alias instead of the canonical URL) would pass unnoticed. The
    examples' links are on the Blueprint's HOST, as the service under test writes them for the
    host it is asked on; the comparison puts the server's origin in their place.
    """
    real = transaction.get("real") or {}
    expected_body = (transaction.get("expected") or {}).get("body") or ""
    if not real.get("body") or not expected_body.lstrip().startswith("{"):
        return
    try:
        expected, actual = orjson.loads(expected_body), orjson.loads(real["body"])
    except orjson.JSONDecodeError:
        return
    origin = server_origin(transaction)
    differences = []

    def walk(want, got, where):
        if isinstance(want, dict) and isinstance(got, dict):
            for key, value in want.items():
                if key not in got:
                    continue  # Gavel reports missing keys
                if key == "links" and isinstance(value, dict) and isinstance(got[key], dict):
                    for name, link in value.items():
                        if isinstance(link, str):
                            link = link.replace(EXAMPLE_ORIGIN, origin)
                        if name in got[key] and got[key][name] != link:
                            differences.append(
                                f"{where}/links/{name}: {got[key][name]!r}, not {link!r}"
                            )
                else:
                    walk(value, got[key], f"{where}/{key}")
        elif isinstance(want, list) and isinstance(got, list):
            for index, (item, real_item) in enumerate(zip(want, got, strict=False)):
                walk(item, real_item, f"{where}/{index}")

    walk(expected, actual, "")
    if differences:
        transaction["fail"] = "Links differ from the example's: " + "; ".join(differences)


def check_validators(transaction: dict) -> None:
    """Check the ETag and Cache-Control the Blueprint promises; fail the transaction if not.

    Gavel checks only that a header the example shows is there, never its value. So:
    - A GET answered 200 with a JSON:API document, or 304, has a strong ETag and
      `Cache-Control: private, no-cache`; a 304 has no body and no Content-Type.
    - A write answered 2xx carries an ETag exactly when its example shows one (a permanent
      delete's shows none).
    - An ETag the example shows is of its kind: a record's state tag names the same record and
      version (`"citizens/1.1@2-..."`; the digest after it depends on the URL root, so it is not
      compared), any other is a digest of the body (32 hexadecimal digits).
    """
    real = transaction.get("real") or {}
    if "statusCode" not in real:
        return
    status, method = real["statusCode"], transaction["request"]["method"]
    headers = {k.lower(): v for k, v in (real.get("headers") or {}).items()}
    example = (transaction.get("expected") or {}).get("headers") or {}
    shown = {k.lower(): v for k, v in example.items()}.get("etag")
    tag = headers.get("etag")
    problems = []
    if method in ("GET", "HEAD") and (
        status == 304 or (status == 200 and headers.get("content-type") == MEDIA_TYPE)
    ):
        if tag is None or not STRONG_TAG.fullmatch(tag):
            problems.append(f"the ETag {tag!r} is not a strong entity-tag")
        if headers.get("cache-control") != CACHE_CONTROL:
            problems.append(f"Cache-Control is {headers.get('cache-control')!r}")
    if status == 304 and (real.get("body") or "content-type" in headers):
        problems.append("a 304 has a body or a Content-Type")
    if (
        method in ("POST", "PATCH", "DELETE")
        and 200 <= status < 300
        and (shown is None) != (tag is None)
    ):
        problems.append(f"the write answered ETag {tag!r}; its example shows {shown!r}")
    if shown is not None and tag is not None:
        state, real_state = STATE_TAG.fullmatch(shown), STATE_TAG.fullmatch(tag)
        if state and (real_state is None or real_state[1] != state[1]):
            problems.append(f"the ETag {tag} does not name the state {state[1]}")
        if not state and not BODY_TAG.fullmatch(tag):
            problems.append(f"the ETag {tag} is not a digest of the body")
    if problems:
        transaction["fail"] = "Validators differ from the Blueprint's: " + "; ".join(problems)


# Headers whose value is the promise, not just their presence (all Gavel checks).
PROMISED_HEADERS = ("content-security-policy", "cache-control")


def check_promised_headers(transaction: dict) -> None:
    """A header of PROMISED_HEADERS that the example shows has exactly the example's value."""
    real = (transaction.get("real") or {}).get("headers") or {}
    example = (transaction.get("expected") or {}).get("headers") or {}
    real = {k.lower(): v for k, v in real.items()}
    differences = [
        f"{name}: {real.get(name)!r}, not {value!r}"
        for name, value in ((k.lower(), v) for k, v in example.items())
        if name in PROMISED_HEADERS and real.get(name) != value
    ]
    if differences:
        transaction["fail"] = "Headers differ from the example's: " + "; ".join(differences)


def check_nothing_changed(transaction: dict) -> None:
    """A 412 (If-Match naming no current tag) must have written nothing: no version moved."""
    if (transaction.get("real") or {}).get("statusCode") != 412:
        return
    now = versions()
    moved = {
        record: (versions_sent.get(record), now.get(record))
        for record in now.keys() | versions_sent.keys()
        if versions_sent.get(record) != now.get(record)
    }
    if moved:
        transaction["fail"] = f"A 412 changed versions (before, after): {moved}"
