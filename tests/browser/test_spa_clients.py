"""Two stock JSON:API clients run a whole SPA session in Chromium against the real service.

Orbit.js (@orbit/jsonapi + @orbit/memory) and kitsu, each configured with no more than the
host, a token, the schema of our types and a date format (tests/browser/README.md lists what
each needed beyond that). Each session creates an import, pages its citizens with their
relatives, reads one and loses a race for it (412), edits it, replaces, adds and removes
relatives, adds a citizen, trashes one, reads both aggregates, and as an admin lists the trash
and restores it. Then the client's store must equal the server's state, record by record.
"""

from datetime import UTC, date, datetime

import pytest
import requests

from harness.oracle import live_rows

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CLIENTS = ["orbit", "kitsu"]
CITIZEN_ATTRIBUTES = [
    "citizen_id", "town", "street", "building", "apartment", "name", "birth_date", "gender",
    "deleted_at",
]  # fmt: skip
IMPORT_ATTRIBUTES = ["created_at", "citizens_count", "data_version", "deleted_at"]
INSTANTS = ("created_at", "deleted_at")


def instant(value: str | None) -> str | None:
    """An API timestamp to the millisecond, in UTC: what a JavaScript Date keeps of it."""
    if value is None:
        return None
    moment = datetime.fromisoformat(value).astimezone(UTC)
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000).isoformat()


def comparable(store: dict) -> dict:
    """A store (the client's or the server's) with its timestamps to the millisecond."""
    return {
        kind: {
            id_: {name: instant(v) if name in INSTANTS else v for name, v in record.items()}
            for id_, record in records.items()
        }
        for kind, records in store.items()
    }


def differences(held: dict, served: dict) -> list[str]:
    """Each record that differs between the client's store and the server, field by field."""
    found = []
    for kind in ("imports", "citizens"):
        for id_ in sorted(held[kind].keys() | served[kind].keys()):
            mine, theirs = held[kind].get(id_), served[kind].get(id_)
            if mine is None or theirs is None:
                found.append(f"{kind} {id_}: only {'on the server' if mine is None else 'held'}")
            elif mine != theirs:
                fields = {name: (mine.get(name), theirs.get(name)) for name in mine | theirs}
                changed = {name: pair for name, pair in fields.items() if pair[0] != pair[1]}
                found.append(f"{kind} {id_} (held, served): {changed}")
    return found


def server_state(api: str, token: str, import_id: str) -> dict:
    """The import and all its citizens as the API serves them now, in the clients' shape.

    With `with_trashed` (an admin's), so a citizen left in the trash shows up as a difference.
    """
    session = requests.Session()
    session.headers.update(Authorization=f"Bearer {token}", Accept="application/vnd.api+json")
    the_import = session.get(f"{api}/imports/{import_id}", timeout=10)
    citizens = session.get(
        f"{api}/imports/{import_id}/citizens",
        params={"page[size]": "0", "with_trashed": "true"},
        timeout=10,
    )
    assert the_import.status_code == citizens.status_code == 200
    attributes = the_import.json()["data"]["attributes"]
    return {
        "imports": {import_id: {name: attributes[name] for name in IMPORT_ATTRIBUTES}},
        "citizens": {
            resource["id"]: {
                **{name: resource["attributes"][name] for name in CITIZEN_ATTRIBUTES},
                "relatives": sorted(
                    r["id"] for r in resource["relationships"]["relatives"]["data"]
                ),
                "import": resource["relationships"]["import"]["data"]["id"],
            }
            for resource in citizens.json()["data"]
        },
    }


def recomputed_aggregates(citizens: dict, as_of: str) -> tuple[dict, list[dict]]:
    """Birthdays and percentiles of the citizens the client held when it read the aggregates."""
    rows = live_rows(
        [
            (c["citizen_id"], c["town"], date.fromisoformat(c["birth_date"]), False)
            for c in citizens.values()
        ],
        [
            (c["citizen_id"], citizens[relative]["citizen_id"])
            for c in citizens.values()
            for relative in c["relatives"]
        ],
    )
    return rows.birthdays(), rows.percentiles(date.fromisoformat(as_of))


@pytest.fixture(scope="module", params=CLIENTS)
def session(request, run_session) -> dict:
    return run_session(request.param)


def test_the_session_ends_with_the_servers_state_in_the_store(session, site):
    assert "error" not in session, session.get("error")
    served = server_state(site.api, site.tokens["admin"], session["importId"])
    held = session["store"]
    assert differences(comparable(held), comparable(served)) == []
    assert len(held["citizens"]) == 11  # ten imported and one added, the trashed one restored


def test_a_conflicting_edit_reaches_the_client_as_a_412(session):
    assert "error" not in session, session.get("error")
    conflict = session["conflict"]
    assert conflict["etag"], "the citizen was read without an ETag"
    assert conflict["status"] == 412, f"the stale edit was not refused: {conflict}"
    assert conflict["storeUnchanged"], "the refused edit changed the store"
    assert len(session["conflictResponses"]) == 1


def test_the_page_saw_no_error_but_the_conflict(session):
    assert "error" not in session, session.get("error")
    assert session["problems"] == []


def test_the_aggregates_read_match_the_citizens_held_then(session):
    assert "error" not in session, session.get("error")
    aggregates = session["aggregates"]
    birthdays, percentiles = recomputed_aggregates(aggregates["citizens"], aggregates["asOf"])
    assert aggregates["birthdays"] == birthdays
    assert aggregates["townAgeStats"] == percentiles
    assert session["trashed"] == [f"{session['importId']}.4"]
