"""The front door: the project's nginx configuration, run by a real nginx, in front of gunicorn.

harness/front_door.py renders deploy/nginx/templates/default.conf.template as the nginx image
does and runs it with Debian's nginx (installed with apt-get when missing) on a loopback port,
in front of a real gunicorn with the project's gunicorn.conf.py on the test database.
"""

import http.client
import socket
import time
from contextlib import ExitStack
from dataclasses import dataclass

import orjson
import psycopg
import pytest
import requests

from harness.front_door import Nginx
from harness.processes import Gunicorn, free_port, service_env
from tests.factories import citizen, import_document
from tests.jsonapi_schema import assert_valid_document

pytestmark = pytest.mark.slow

MEDIA_TYPE = "application/vnd.api+json"
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
}
BODY_LIMIT = 64 * 1024 * 1024  # MAX_CONTENT_LENGTH's default, and client_max_body_size


@pytest.fixture(scope="module")
def servers(database_url, tmp_path_factory):
    """gunicorn (2 sync workers, believing one proxy) and nginx in front of it."""
    logs = tmp_path_factory.mktemp("front-door")
    env = service_env(database_url, TRUSTED_PROXIES=1)
    with (
        Gunicorn(env, workers=2, log_path=logs / "gunicorn.log") as app_server,
        Nginx(f"127.0.0.1:{app_server.port}", log_path=logs / "nginx.log") as proxy,
    ):
        yield app_server, proxy


@pytest.fixture
def gunicorn_url(servers) -> str:
    return servers[0].url


@pytest.fixture
def proxy(servers) -> Nginx:
    return servers[1]


@dataclass
class Answer:
    status: int
    headers: dict[str, str]  # names in lower case
    body: bytes

    @classmethod
    def of(cls, response: requests.Response) -> "Answer":
        headers = {name.lower(): value for name, value in response.headers.items()}
        return cls(response.status_code, headers, response.content)


def connect(url: str, timeout: float = 10) -> socket.socket:
    host, port = url.removeprefix("http://").split(":")
    return socket.create_connection((host, int(port)), timeout=timeout)


def exchange(url: str, request: bytes) -> Answer:
    """Send raw bytes as a request and read the whole answer."""
    with connect(url) as connection:
        connection.sendall(request)
        response = http.client.HTTPResponse(connection)
        response.begin()
        headers = {name.lower(): value for name, value in response.getheaders()}
        return Answer(response.status, headers, response.read())


def assert_jsonapi_error(answer: Answer, status: int) -> dict:
    """A JSON:API error document of `status`, with the type and both security headers."""
    assert answer.status == status, answer.body[:500]
    assert answer.headers.get("content-type") == MEDIA_TYPE
    for name, value in SECURITY_HEADERS.items():
        assert answer.headers.get(name.lower()) == value, name
    document = orjson.loads(answer.body)
    assert_valid_document(document)
    assert [error["status"] for error in document["errors"]] == [str(status)]
    return document


# --- slow and stalled clients cost nginx a connection, never a worker ------------------------


def stalled_head(url: str) -> socket.socket:
    """A client that sends part of a request head, then nothing."""
    connection = connect(url, timeout=30)
    connection.sendall(b"GET /health HTTP/1.1\r\nHost: stalled\r\n")
    return connection


def stalled_body(url: str) -> socket.socket:
    """A client that sends a head and part of the body it announced, then nothing."""
    connection = connect(url, timeout=30)
    connection.sendall(
        b"POST /imports HTTP/1.1\r\nHost: stalled\r\n"
        b'Content-Type: application/vnd.api+json\r\nContent-Length: 1000\r\n\r\n{"data"'
    )
    return connection


def test_twenty_stalled_clients_delay_neither_health_nor_a_read(proxy, make_import, tokens):
    import_id = make_import()
    with ExitStack() as stack:
        for stall in (stalled_head, stalled_body) * 10:
            stack.callback(stall(proxy.url).close)
        time.sleep(0.5)  # every stalled request has reached nginx

        for path in ("/health", f"/imports/{import_id}/citizens/1"):
            start = time.monotonic()
            response = requests.get(
                proxy.url + path,
                headers={"Authorization": f"Bearer {tokens['reader']}"},
                timeout=10,
            )
            waited = time.monotonic() - start

            assert response.status_code == 200, response.text
            assert waited < 1, f"{path} waited {waited:.1f} s behind the stalled clients"


def test_a_client_that_stalls_in_its_head_is_cut_off_without_an_html_page(proxy):
    # client_header_timeout is 10 s: nginx closes the connection (it sends no 408 for a head).
    with stalled_head(proxy.url) as connection:
        received = b""
        while chunk := connection.recv(65536):
            received += chunk

    assert b"<html" not in received.lower()
    assert received == b"" or received.startswith(b"HTTP/1.1 408"), received[:300]


# --- malformed HTTP is answered as JSON:API, by nginx or by gunicorn -----------------------------

HEAD = b"Host: example.org\r\n"
MALFORMED = {
    "lowercase method": b"get /health HTTP/1.1\r\n" + HEAD + b"\r\n",
    "NUL in a header": b"GET /health HTTP/1.1\r\n" + HEAD + b"X-Note: a\x00b\r\n\r\n",
    "raw UTF-8 in the request line": "GET /импорты HTTP/1.1\r\n".encode() + HEAD + b"\r\n",
    "two Content-Type headers": b"POST /imports HTTP/1.1\r\n" + HEAD
    + b"Content-Type: application/vnd.api+json\r\nContent-Type: text/plain\r\n"
    + b"Content-Length: 2\r\n\r\n{}",
    "150 headers": b"GET /health HTTP/1.1\r\n" + HEAD
    + b"".join(b"X-Header-%d: value\r\n" % n for n in range(149)) + b"\r\n",
    "not HTTP at all": b"\x16\x03\x01\x02\x00 hello\r\n\r\n",
    "an unknown transfer coding": b"POST /imports HTTP/1.1\r\n" + HEAD
    + b"Transfer-Encoding: br, chunked\r\n\r\n0\r\n\r\n",
}  # fmt: skip
# What gunicorn alone answers (the refusals it used to write as HTML pages).
GUNICORN_STATUS = {
    "lowercase method": 400,
    "NUL in a header": 400,
    "raw UTF-8 in the request line": 400,
    "two Content-Type headers": 400,
    "150 headers": 431,
    "not HTTP at all": 400,
    "an unknown transfer coding": 501,
}
OVERSIZED = {
    # nginx's head buffers hold 64 KiB per line: beyond them nginx answers itself.
    "a 70 KiB URL": (b"GET /" + b"a" * 70_000 + b" HTTP/1.1\r\n" + HEAD + b"\r\n", 414),
    "a 70 KiB header": (
        b"GET /health HTTP/1.1\r\n" + HEAD + b"X-Note: " + b"a" * 70_000 + b"\r\n\r\n", 431
    ),
    "a body over the limit": (
        b"POST /imports HTTP/1.1\r\n" + HEAD + b"Content-Type: application/vnd.api+json\r\n"
        + b"Content-Length: %d\r\n\r\n{" % (BODY_LIMIT + 1),
        413,
    ),
    "HTTP/2.0 in the request line": (b"GET /health HTTP/2.0\r\n" + HEAD + b"\r\n", 505),
}  # fmt: skip


@pytest.mark.parametrize("name", MALFORMED)
def test_gunicorn_refuses_malformed_http_as_jsonapi(gunicorn_url, name):
    response = exchange(gunicorn_url, MALFORMED[name])

    assert_jsonapi_error(response, GUNICORN_STATUS[name])


@pytest.mark.parametrize("name", MALFORMED)
def test_through_the_proxy_malformed_http_is_refused_as_jsonapi(proxy, name):
    response = exchange(proxy.url, MALFORMED[name])

    # nginx refuses some itself and passes the others on to gunicorn: JSON:API either way.
    assert_jsonapi_error(response, GUNICORN_STATUS[name])


@pytest.mark.parametrize("name", OVERSIZED)
def test_nginx_refuses_what_it_cannot_hold_as_jsonapi(proxy, name):
    request, status = OVERSIZED[name]

    response = exchange(proxy.url, request)

    assert_jsonapi_error(response, status)


def test_nginx_answers_its_own_404_as_jsonapi(proxy):
    # Its internal error URIs are the one path nginx does not pass on.
    response = exchange(proxy.url, b"GET /.errors/400 HTTP/1.1\r\n" + HEAD + b"\r\n")

    document = assert_jsonapi_error(response, 404)
    assert document["errors"][0]["title"] == "Not Found"


def test_an_app_server_that_is_down_is_a_jsonapi_502_with_retry_after():
    with Nginx(f"127.0.0.1:{free_port()}") as proxy:  # nothing listens there
        response = exchange(proxy.url, b"GET /health HTTP/1.1\r\n" + HEAD + b"\r\n")

    assert_jsonapi_error(response, 502)
    assert response.headers["retry-after"] == "5"


def test_a_request_that_outlives_the_worker_timeout_is_a_jsonapi_500(
    database_url, make_import, tokens, tmp_path
):
    import_id = make_import()
    env = service_env(database_url, TRUSTED_PROXIES=1)
    with (
        Gunicorn(env, workers=1, timeout=2, log_path=tmp_path / "gunicorn.log") as app_server,
        Nginx(f"127.0.0.1:{app_server.port}") as proxy,
        psycopg.connect(database_url.replace("+psycopg", "")) as blocker,
    ):
        # Another transaction holds the import's row: the PATCH waits for it past the timeout.
        blocker.execute("SELECT 1 FROM imports WHERE id = %s FOR UPDATE", (import_id,))
        response = requests.patch(
            f"{proxy.url}/imports/{import_id}/citizens/1",
            data=orjson.dumps(
                {"data": {"type": "citizens", "id": f"{import_id}.1", "attributes": {"name": "B"}}}
            ),
            headers={
                "Authorization": f"Bearer {tokens['editor']}",
                "Content-Type": MEDIA_TYPE,
            },
            timeout=30,
        )
        blocker.rollback()
        log = app_server.log()

    assert "WORKER TIMEOUT" in log
    assert_jsonapi_error(Answer.of(response), 500)


# --- through the proxy, answers look the same, and links name the proxy -------------------------


def comparable(response: requests.Response, base_url: str) -> tuple:
    """Status, type, security headers and body, with the server's own address taken out."""
    headers = {name: response.headers.get(name) for name in ("Content-Type", *SECURITY_HEADERS)}
    return response.status_code, headers, response.content.replace(base_url.encode(), b"BASE")


@pytest.mark.parametrize(
    "method, path, body, status",
    [
        ("GET", "/imports/{import_id}/citizens/1", None, 200),
        ("GET", "/imports/{import_id}/citizens?page[limit]=2", None, 200),
        ("GET", "/imports/{import_id}/citizens/999", None, 404),
        ("GET", "/no/such/path", None, 404),
        ("POST", "/imports", b"{", 400),
    ],
)
def test_answers_look_the_same_through_the_proxy(
    servers, make_import, tokens, method, path, body, status
):
    app_server, proxy = servers
    import_id = make_import()
    path = path.format(import_id=import_id)
    headers = {"Authorization": f"Bearer {tokens['editor']}", "Content-Type": MEDIA_TYPE}

    direct = requests.request(method, app_server.url + path, data=body, headers=headers, timeout=10)
    proxied = requests.request(method, proxy.url + path, data=body, headers=headers, timeout=10)

    assert direct.status_code == status
    assert comparable(proxied, proxy.url) == comparable(direct, app_server.url)


def test_a_body_over_the_limit_is_the_same_413_with_or_without_the_proxy(servers, tokens):
    app_server, proxy = servers
    request = OVERSIZED["a body over the limit"][0].replace(
        HEAD, HEAD + f"Authorization: Bearer {tokens['editor']}\r\n".encode()
    )

    direct = exchange(app_server.url, request)
    proxied = exchange(proxy.url, request)

    assert_jsonapi_error(direct, 413)
    assert_jsonapi_error(proxied, 413)
    assert orjson.loads(proxied.body) == orjson.loads(direct.body), direct.body


def test_links_and_location_name_the_proxy(proxy, tokens):
    response = requests.post(
        proxy.url + "/imports",
        data=orjson.dumps(import_document([citizen(1)])),
        headers={"Authorization": f"Bearer {tokens['editor']}", "Content-Type": MEDIA_TYPE},
        timeout=10,
    )

    assert response.status_code == 201, response.text
    document = response.json()
    assert response.headers["Location"] == document["data"]["links"]["self"]
    assert document["data"]["links"]["self"].startswith(proxy.url + "/imports/")
    assert all(
        link.startswith(proxy.url + "/")
        for relationship in document["data"]["relationships"].values()
        for link in relationship.get("links", {}).values()
    )
