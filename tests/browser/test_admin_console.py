"""The admin console in Chromium, against the real service: what an admin does with the trash.

The test sets the trash up through the API: citizens 3, 5 and 6 of one import, and a second
import. `admin_session.mjs` then opens the API reference (/docs/), signs in, finds citizen 3
and restores it by keyboard, deletes citizen 5 (which another tab then finds gone: 404) and the
second import for good after confirming, loses a race for citizen 6 to another tab (412), looks
at the trash and an import at phone width, and signs in with a reader's token. What the API
serves afterwards is checked here, over HTTP.
"""

import json
import subprocess
from pathlib import Path

import pytest
import requests

from harness.database import DEFAULT_ADMIN_URL, ThrowawayDatabase, create_token
from harness.processes import REPO
from harness.service import running_service
from tests.browser.conftest import chromium_path, node_path

pytestmark = [pytest.mark.browser, pytest.mark.slow]

DRIVER = Path(__file__).resolve().parent / "admin_session.mjs"
SCREENSHOTS = REPO / "build" / "screenshots" / "admin-console"
SCREENS = [
    "docs", "sign-in", "trash", "citizen", "import", "confirm", "trash-phone", "import-phone",
    "reader-refused",
]  # fmt: skip
# citizen_id -> relatives: 3 is its own relative; 5 hangs off 4 alone.
KINSHIP = {1: [2, 3], 2: [1], 3: [1, 3, 4], 4: [3, 5], 5: [4], 6: []}
LONG_NAME = "Hubert" + "blaine" * 30  # 186 letters and no space, for the phone screen


def citizen(citizen_id: int, relatives: list[int]) -> dict:
    return {
        "citizen_id": citizen_id, "town": "Keszthely", "street": "Fő utca", "building": "1",
        "apartment": citizen_id, "birth_date": f"1990-0{citizen_id}-15", "gender": "female",
        "name": LONG_NAME if citizen_id == 4 else f"Citizen Number {citizen_id}",
        "relatives": relatives,
    }  # fmt: skip


class Api:
    def __init__(self, root: str, token: str):
        self.root = root
        self.http = requests.Session()
        self.http.headers.update(Authorization=f"Bearer {token}", Accept="application/vnd.api+json")

    def __call__(self, method: str, path: str, **kwargs) -> requests.Response:
        if "json" in kwargs:
            kwargs["data"] = json.dumps(kwargs.pop("json"))
            kwargs["headers"] = {"Content-Type": "application/vnd.api+json"}
        return self.http.request(method, f"{self.root}{path}", timeout=10, **kwargs)

    def create_import(self, kinship: dict[int, list[int]]) -> str:
        citizens = [citizen(number, relatives) for number, relatives in kinship.items()]
        answer = self("POST", "/imports", json={"data": {"type": "imports", "attributes": {
            "citizens": citizens}}})  # fmt: skip
        assert answer.status_code == 201, answer.text
        return answer.json()["data"]["id"]

    def relatives(self, citizen_id: str) -> list[str]:
        answer = self("GET", f"/citizens/{citizen_id}/relationships/relatives")
        assert answer.status_code == 200, answer.text
        return sorted(linkage["id"] for linkage in answer.json()["data"])


@pytest.fixture(scope="module")
def world():
    """The service, an admin's API session and the trash the console is to work on."""
    database = ThrowawayDatabase(DEFAULT_ADMIN_URL, "citizens_console")
    with running_service(database) as service:
        url = service.database_url
        tokens = {
            "admin": create_token(url, "console-admin", "admin"),
            "reader": create_token(url, "console-reader", "reader"),
        }
        api = Api(service.server.url, tokens["admin"])
        import_id = api.create_import(KINSHIP)
        other_import = api.create_import({1: [2], 2: [1], 3: []})
        for number in (3, 5, 6):
            assert api("DELETE", f"/citizens/{import_id}.{number}").status_code == 204
        assert api("DELETE", f"/imports/{other_import}").status_code == 204
        yield {"api": api, "tokens": tokens, "import": import_id, "other_import": other_import}


@pytest.fixture(scope="module")
def session(world):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for old in SCREENSHOTS.glob("*.png"):
        old.unlink()
    config = {
        "api": world["api"].root, "tokens": world["tokens"], "import": world["import"],
        "other_import": world["other_import"], "screenshots": str(SCREENSHOTS),
    }  # fmt: skip
    completed = subprocess.run(
        [node_path(), str(DRIVER), "--chromium", chromium_path()],
        input=json.dumps(config), capture_output=True, text=True, cwd=REPO, timeout=120,
        check=False,
    )  # fmt: skip
    if completed.returncode != 0 or not completed.stdout.strip():
        pytest.fail(f"the driver exited with {completed.returncode}:\n{completed.stderr}")
    result = json.loads(completed.stdout.strip().splitlines()[-1])
    assert "error" not in result, json.dumps(result, indent=1, ensure_ascii=False)
    return result


def test_the_api_reference_shows_in_the_browser(session):
    assert (
        session["steps"]["docsActions"] >= 35
    )  # every action: tests/integration/test_api_reference


def test_signing_in_shows_the_tokens_name_and_role(session):
    assert "Signed in as console-admin (admin)" in session["steps"]["who"]
    assert session["steps"]["blankToken"] == "Paste a token first."


def test_moving_around_keeps_the_screen_the_admin_asked_for(session, world):
    steps = session["steps"]
    assert steps["afterSkip"].startswith("Citizen 3:")  # the skip link moved only the focus
    assert steps["afterSlowScreen"] == "Trash"  # the slow import screen did not draw over it
    # The stale tab signed in at a link to citizen 5 and landed there (tested by its restore).
    assert steps["gone"].startswith("Citizen 5 of")


def test_the_trash_lists_who_trashed_what_and_when_it_goes(session, world):
    trash = session["steps"]["trash"]
    assert "Trashed imports (1)" in trash and "Trashed citizens (3)" in trash
    rows = [line for line in trash.splitlines() if line.startswith("Citizen 3\t")]
    assert len(rows) == 1, trash
    assert "console-admin" in rows[0] and "in 30 days" in rows[0]


def test_a_trashed_citizen_restored_in_the_console_is_back_with_its_kinship(session, world):
    steps, api, import_id = session["steps"], world["api"], world["import"]
    assert "Trashed" in steps["trashedCitizen"]
    assert steps["restoredNotice"] == f"Restored citizen 3 of import {import_id}."
    assert "Trashed" not in steps["restoredCitizen"].split("Relatives")[0]
    assert api("GET", f"/citizens/{import_id}.3").status_code == 200
    ids = {number: f"{import_id}.{number}" for number in KINSHIP}
    assert api.relatives(ids[3]) == sorted([ids[1], ids[3], ids[4]])
    assert ids[3] in api.relatives(ids[1]) and ids[3] in api.relatives(ids[4])


def test_the_import_screen_marks_its_trashed_citizens(session):
    rows = {row.split("\t")[0]: row for row in session["steps"]["importRows"]}
    assert sorted(rows) == [f"Citizen {number}" for number in range(1, 7)]
    trashed = [number for number in range(1, 7) if "\tTrashed\t" in rows[f"Citizen {number}"]]
    assert trashed == [5, 6]  # 3 was restored a step earlier


def test_deleting_a_citizen_for_good_says_what_goes_and_removes_it(session, world):
    steps, api, import_id = session["steps"], world["api"], world["import"]
    assert steps["citizenConfirmation"].startswith(f"Delete citizen 5 of import {import_id}")
    assert "kinship with 1 relative goes with them" in steps["citizenConfirmation"]
    assert "Restore citizen 5" in steps["afterEscape"]  # Escape deleted nothing
    assert steps["purgedNotice"] == f"Deleted citizen 5 of import {import_id} for good."
    assert steps["gone"] == (
        f"Citizen 5 of import {import_id} no longer exists: someone may have deleted it for good."
    )
    gone = api("GET", f"/citizens/{import_id}.5", params={"with_trashed": "true"})
    assert gone.status_code == 404
    assert api.relatives(f"{import_id}.4") == [f"{import_id}.3"]


def test_deleting_an_import_for_good_counts_its_citizens_and_removes_it(session, world):
    other = world["other_import"]
    assert "Its 3 citizens, trashed ones included" in session["steps"]["importConfirmation"]
    assert all("Hidden with the import" in row for row in session["steps"]["trashedImportRows"])
    gone = world["api"]("GET", f"/imports/{other}", params={"with_trashed": "true"})
    assert gone.status_code == 404
    assert f"Import {other}" not in session["steps"]["trashAfter"]


def test_a_record_changed_in_another_tab_is_refused_in_plain_words(session, world):
    steps, import_id = session["steps"], world["import"]
    assert steps["conflict"] == (
        f"Someone changed citizen 6 of import {import_id} after you opened it. "
        "Reload to see it as it is now, then decide again."
    )
    refused = [r["status"] for r in session["expectedRefusals"] if r["method"] == "PATCH"]
    assert sorted(refused) == [404, 412]  # the race lost, and the restore of a purged citizen
    assert steps["conflictInView"]  # at the top of the screen, with the focus on it
    restores = [r for r in session["requests"] if r == f"PATCH /citizens/{import_id}.6"]
    assert len(restores) == 2  # the double-click in the other tab sent one, the lost race one
    assert "Restore citizen 6" not in steps["afterReload"]  # the other tab's restore, shown


def test_a_reader_is_told_plainly_that_the_trash_is_not_theirs(session):
    steps = session["steps"]
    assert "console-reader (reader)" in steps["readerWho"]
    assert steps["readerRefusal"].startswith(
        "Your token “console-reader” has the reader role: it cannot see the trash"
    )
    assert steps["readerTables"] == 0
    assert steps["readerProblem"] == steps["readerRefusal"]  # nothing else in the box


def test_the_console_saw_no_error_no_failed_and_no_foreign_request(session):
    assert session["problems"] == []


def test_no_screen_has_a_serious_or_critical_accessibility_violation(session):
    assert sorted(session["axe"]) == sorted(SCREENS)
    assert {screen: found for screen, found in session["axe"].items() if found} == {}


def test_the_screens_fit_a_phone_screen(session):
    assert session["steps"]["phoneOverflow"] <= 0
    assert session["steps"]["phoneImportOverflow"] <= 0  # the table scrolls inside its region


def test_screenshots_of_the_main_screens_are_written(session, capsys):
    written = [Path(path) for path in session["screenshots"]]
    assert {path.stem for path in written} >= set(SCREENS) | {"conflict"}
    assert all(path.read_bytes().startswith(b"\x89PNG") for path in written)
    with capsys.disabled():
        print(f"\nadmin console screenshots: {SCREENSHOTS}")
