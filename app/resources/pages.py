"""GET /admin/ and /docs/: the admin console and the API reference, static pages of the package.

They need no token (they hold no data: the console asks the API for everything with the token an
admin pastes). They are the one kind of response that is not JSON:API, so they get their own
Content-Security-Policy (app.jsonapi.finish_response): their own scripts, styles and API calls
only, nothing from another origin.
"""

from pathlib import Path

from flask import Blueprint, Response, redirect, request, send_from_directory

STATIC = Path(__file__).resolve().parent.parent / "static"
PAGE = "<any(admin, docs):page>"  # each page is the folder of the same name in STATIC

blueprint = Blueprint("pages", __name__)


@blueprint.get(f"/{PAGE}")
def page_without_slash(page: str) -> Response:
    """`/admin` -> `/admin/`, so the page's relative URLs resolve below it; no HTML body."""
    response = redirect(f"{request.script_root}/{page}/", code=308)
    response.set_data(b"")
    del response.headers["Content-Type"]
    return response


@blueprint.get(f"/{PAGE}/")
@blueprint.get(f"/{PAGE}/<path:path>")
def page_file(page: str, path: str = "index.html") -> Response:
    response = send_from_directory(STATIC / page, path)
    # Revalidated on every load (send_from_directory gives ETag and Last-Modified): a page and
    # its modules change together when the service is upgraded, never one without the other.
    response.cache_control.no_cache = True
    return response
