"""/docs/: the API reference rendered from docs/api, committed, and never out of date.

`make docs` renders the API Blueprint (hercule joins its files, drafter.js parses them,
docs/render/render.mjs writes HTML) into app/static/docs/. Here the same pipeline renders into
a temporary folder and must give the committed files byte for byte, and every action that
drafter finds in the Blueprint (docs/render/routes.mjs, apart from the renderer) must be a
section of the page.
"""

import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from app.resources.pages import STATIC
from harness.processes import REPO

pytestmark = pytest.mark.slow  # Node.js and node_modules (`make test` installs them)

COMMITTED = STATIC / "docs"
RENDERER = REPO / "docs" / "render"


def node(*args: str) -> str:
    found = shutil.which("node")
    if found is None or not (REPO / "node_modules" / "drafter.js").is_dir():
        pytest.fail("Node.js or node_modules is missing: run `make docs` (it runs npm ci).")
    completed = subprocess.run(
        [found, *args], capture_output=True, text=True, cwd=REPO, timeout=60, check=False
    )
    assert completed.returncode == 0, completed.stderr
    return completed.stdout


@pytest.fixture(scope="module")
def blueprint(tmp_path_factory) -> Path:
    """The Blueprint as one document, as hercule joins it for `make docs`."""
    joined = tmp_path_factory.mktemp("blueprint") / "citizens-analyzer.apib"
    hercule = REPO / "node_modules" / "hercule" / "bin" / "hercule"
    node(str(hercule), "docs/api/citizens-analyzer.apib", "-o", str(joined))
    return joined


class ActionSections(HTMLParser):
    """`METHOD URI-template` of every action section of the page, in order."""

    def __init__(self):
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "section" and "action" in (attributes.get("class") or "").split():
            self.found.append(f"{attributes['data-method']} {attributes['data-uri-template']}")


def test_the_committed_reference_is_what_make_docs_renders_now(blueprint, tmp_path):
    node(str(RENDERER / "render.mjs"), str(blueprint), str(tmp_path))
    rendered = sorted(path.name for path in tmp_path.iterdir())
    assert rendered == sorted(path.name for path in COMMITTED.iterdir())
    stale = [
        name
        for name in rendered
        if (tmp_path / name).read_bytes() != (COMMITTED / name).read_bytes()
    ]
    assert stale == [], f"{stale} are out of date: run `make docs` and commit app/static/docs/"


def test_every_action_of_the_blueprint_is_a_section_of_the_reference(blueprint):
    routes = node(str(RENDERER / "routes.mjs"), str(blueprint)).splitlines()
    page = ActionSections()
    page.feed((COMMITTED / "index.html").read_text(encoding="utf-8"))
    assert page.found == routes
    assert {"GET /", "GET /admin/", "GET /docs/"} <= set(routes)
    assert len(routes) >= 35


def test_the_reference_has_no_script_and_loads_nothing_from_elsewhere():
    page = (COMMITTED / "index.html").read_text(encoding="utf-8")
    assert "<script" not in page and "<style" not in page and " style=" not in page
    assert '<link rel="stylesheet" href="docs.css">' in page
