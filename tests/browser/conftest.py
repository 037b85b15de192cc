"""The browser suite's world: the real service under gunicorn, the SPA's page on another origin,
tokens for its users, and Chromium driven by playwright-core from Node.

Nothing here skips: a missing Chromium or node_modules is an error that says what to run
(`make browser` installs both), since a skipped test would pass unnoticed.
"""

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from harness.database import DEFAULT_ADMIN_URL, ThrowawayDatabase, create_token
from harness.processes import REPO
from harness.service import running_service
from tests.browser.static_server import static_origin

DRIVER = Path(__file__).resolve().parent / "run_session.mjs"
SESSION_SECONDS = 90  # one client's whole session; the driver gives up on the page after 60


@dataclass
class Site:
    api: str  # http://127.0.0.1:PORT
    page: str  # http://localhost:OTHER_PORT/index.html
    database_url: str
    tokens: dict[str, str]


def chromium_path() -> str:
    found = shutil.which("chromium")
    if found is None:
        pytest.fail("Chromium is missing: run `make browser` (it installs Debian's chromium).")
    return found


def node_path() -> str:
    found = shutil.which("node")
    if found is None or not (REPO / "node_modules" / "playwright-core").is_dir():
        pytest.fail("Node.js or node_modules is missing: run `make browser` (it runs npm ci).")
    return found


@pytest.fixture(scope="module")
def site():
    """The service and the page, each on its own origin, for every session of the module."""
    admin_url = os.environ.get("TEST_POSTGRES_URL", DEFAULT_ADMIN_URL)
    with static_origin() as origin:
        database = ThrowawayDatabase(admin_url, "citizens_browser")
        with running_service(database, CORS_ORIGINS=origin) as service:
            url = service.database_url
            tokens = {
                "editor": create_token(url, "spa-editor", "editor"),
                "rival": create_token(url, "spa-rival", "editor"),  # the second client
                "admin": create_token(url, "spa-admin", "admin"),
            }
            yield Site(service.server.url, f"{origin}/index.html", url, tokens)


@pytest.fixture(scope="module")
def run_session(site):
    """Run one client's session in Chromium; return the driver's JSON result."""
    chromium, node = chromium_path(), node_path()

    def run(client: str) -> dict:
        completed = subprocess.run(
            [node, str(DRIVER), "--client", client, "--page", site.page, "--chromium", chromium],
            input=json.dumps({"api": site.api, "tokens": site.tokens}),
            capture_output=True,
            text=True,
            cwd=REPO,
            timeout=SESSION_SECONDS,
            check=False,
        )
        if completed.returncode != 0 or not completed.stdout.strip():
            pytest.fail(f"the driver exited with {completed.returncode}:\n{completed.stderr}")
        return json.loads(completed.stdout.strip().splitlines()[-1])

    return run
