"""The pages for people (/admin/, /docs/) and what the root document tells a signed-in client.

The pages are the one exception to JSON:API on every response: HTML, CSS and JavaScript of the
package, with a policy that allows only the service's own scripts, styles and API. The console's
behaviour is the browser suite's (tests/browser/test_admin_console.py); this is the serving.
"""

import re

import pytest

from app.jsonapi import MEDIA_TYPE, PAGE_SECURITY_HEADERS, SECURITY_HEADERS
from app.resources.pages import STATIC

PAGES = ["admin", "docs"]
FILE_TYPES = {".html": "text/html", ".js": "text/javascript", ".css": "text/css"}


@pytest.fixture
def browser(app):
    """A browser's requests: no token, and the Accept header Chromium sends for a page."""
    client = app.test_client()
    return lambda path: client.get(path, headers={"Accept": "text/html,*/*;q=0.8"}, buffered=True)


def page_files(page: str) -> list[str]:
    return sorted(
        path.relative_to(STATIC / page).as_posix()
        for path in (STATIC / page).rglob("*")
        if path.is_file()
    )


@pytest.mark.parametrize("page", PAGES)
def test_each_page_is_served_without_a_token_with_its_own_policy(browser, page):
    response = browser(f"/{page}/")
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    assert response.data == (STATIC / page / "index.html").read_bytes()
    for name, value in PAGE_SECURITY_HEADERS.items():
        assert response.headers[name] == value
    assert response.headers["Cache-Control"] == "no-cache"
    assert response.headers["ETag"]


@pytest.mark.parametrize("page", PAGES)
def test_every_file_of_a_page_is_served_with_its_type(browser, page):
    files = page_files(page)
    assert "index.html" in files
    for name in files:
        response = browser(f"/{page}/{name}")
        assert response.status_code == 200, name
        suffix = "." + name.rsplit(".", 1)[-1]
        if suffix in FILE_TYPES:
            assert response.mimetype == FILE_TYPES[suffix], name


def test_the_policy_allows_only_the_services_own_scripts_styles_and_api():
    policy = dict(
        directive.strip().split(" ", 1)
        for directive in PAGE_SECURITY_HEADERS["Content-Security-Policy"].split(";")
    )
    assert policy["default-src"] == "'none'"
    assert {policy[name] for name in ("script-src", "style-src", "connect-src")} == {"'self'"}
    assert policy["frame-ancestors"] == "'none'"
    assert "unsafe" not in PAGE_SECURITY_HEADERS["Content-Security-Policy"]


@pytest.mark.parametrize("page", PAGES)
def test_no_page_file_holds_inline_code_or_another_hosts_address(page):
    for name in page_files(page):
        if not name.endswith((".html", ".css", ".js", ".svg")):
            continue
        text = (STATIC / page / name).read_text()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), f"inline script in {name}"
        assert "<style" not in text and " style=" not in text, f"inline style in {name}"
        assert not re.search(r" on[a-z]+=", text), f"inline handler in {name}"
        # What a page loads: src and href attributes, CSS url() and @import, module imports.
        loads = re.findall(
            r"""(?:\b(?:src|href)=|url\(|@import |\bfrom |import\()\s*["']?([^"')\s>]+)""", text
        )
        assert [url for url in loads if re.search(r"(?:^|\()(?:[a-z]+:)?//", url)] == [], name


@pytest.mark.parametrize("page", PAGES)
def test_a_page_without_its_slash_is_redirected_without_html(browser, page):
    response = browser(f"/{page}")
    assert response.status_code == 308
    assert response.headers["Location"] == f"/{page}/"
    assert response.data == b"" and "Content-Type" not in response.headers


@pytest.mark.parametrize("path", ["/admin/missing.js", "/docs/missing.css", "/admin/../config.py"])
def test_a_missing_file_is_a_json_api_404(browser, path):
    response = browser(path)
    assert response.status_code == 404
    assert response.mimetype == MEDIA_TYPE
    assert (
        response.headers["Content-Security-Policy"] == SECURITY_HEADERS["Content-Security-Policy"]
    )


def test_the_root_document_names_the_pages_and_the_trash_retention(anonymous, app):
    reply = anonymous.get("/")
    related = {
        name: relationship["links"]["related"]
        for name, relationship in reply.body["data"]["relationships"].items()
    }
    assert related["docs"] == "http://localhost/docs/"
    assert related["admin"] == "http://localhost/admin/"
    assert reply.body["meta"] == {"trash_retention_days": app.config["TRASH_RETENTION_DAYS"]}


@pytest.mark.parametrize("role", ["reader", "editor", "admin"])
def test_the_root_document_says_whose_token_it_is(app, tokens, role):
    from tests.jsonapi_client import JsonApiClient

    reply = JsonApiClient(app.test_client(), tokens[role]).get("/")
    assert reply.status == 200
    assert reply.body["meta"]["caller"] == {"name": f"test-{role}", "role": role}


def test_a_revoked_token_at_the_root_is_refused(app, revoked_token):
    from tests.jsonapi_client import JsonApiClient

    reply = JsonApiClient(app.test_client(), revoked_token).get("/")
    assert reply.status == 401
    assert reply.errors[0]["detail"] == "The token is unknown or revoked."
    assert 'error="invalid_token"' in reply.headers["WWW-Authenticate"]


def test_the_root_documents_tag_differs_by_caller(anonymous, admin, reader):
    tags = {client.get("/").headers["ETag"] for client in (anonymous, admin, reader)}
    assert len(tags) == 3
