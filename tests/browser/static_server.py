"""The SPA's own origin: tests/browser/static/ and the repository's node_modules/, read-only.

The API runs on http://127.0.0.1:PORT; this serves http://localhost:OTHER_PORT, so every call
the page makes is a real cross-origin request with its CORS preflight, as in production.

Orbit's ES modules import their siblings without an extension (`./lib/exceptions`), as a
bundler would resolve them: a path that does not exist is answered with `<path>.js`.
"""

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

from harness.processes import REPO, free_port

STATIC = Path(__file__).resolve().parent / "static"
NODE_MODULES = REPO / "node_modules"
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".json": "application/json",
}


def resolve(url_path: str) -> Path | None:
    """The file for `url_path`, or None: nothing outside the two roots is ever served."""
    path = unquote(urlsplit(url_path).path)
    if path.startswith("/node_modules/"):
        root, relative = NODE_MODULES, path.removeprefix("/node_modules/")
    else:
        root, relative = STATIC, path.lstrip("/") or "index.html"
    for candidate in (root / relative, root / f"{relative}.js"):
        candidate = candidate.resolve()
        if candidate.is_relative_to(root) and candidate.is_file():
            return candidate
    return None


class StaticHandler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # the name http.server dispatches GET requests to
        file = resolve(self.path)
        if file is None:
            self.send_error(HTTPStatus.NOT_FOUND)
            return
        body = file.read_bytes()
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", CONTENT_TYPES.get(file.suffix, "text/plain"))
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_args) -> None:
        pass  # a request line per module would drown pytest's output


@contextmanager
def static_origin() -> Iterator[str]:
    """Serve the page in a thread of this process; yield its origin, `http://localhost:PORT`."""
    port = free_port()
    server = ThreadingHTTPServer(("127.0.0.1", port), StaticHandler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="spa-static", daemon=True)
    thread.start()
    try:
        yield f"http://localhost:{port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
