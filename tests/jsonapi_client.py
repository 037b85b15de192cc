"""A test client that speaks JSON:API and checks every response against the official schema."""

from dataclasses import dataclass

import orjson

from tests.jsonapi_schema import assert_valid_document

MEDIA_TYPE = "application/vnd.api+json"
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
}


@dataclass
class Reply:
    status: int
    headers: dict
    body: dict | None

    @property
    def errors(self) -> list[dict]:
        return self.body["errors"]

    def error_pointers(self) -> list[str | None]:
        return [e.get("source", {}).get("pointer") for e in self.errors]


def check_response(response) -> Reply:
    """Every response: security headers, JSON:API media type, a schema-valid document."""
    for name, value in SECURITY_HEADERS.items():
        assert response.headers.get(name) == value, f"missing {name}"
    body = None
    if response.status_code == 304:  # Not Modified: the client's copy is current, no body
        assert response.data == b"" and "Content-Type" not in response.headers
    elif response.status_code != 204:
        assert response.headers["Content-Type"] == MEDIA_TYPE, response.headers["Content-Type"]
        body = orjson.loads(response.data)
        assert_valid_document(body)
        if response.status_code >= 400:
            assert "errors" in body
            text = response.data.decode()
            assert "Traceback" not in text and "psycopg" not in text and "SELECT" not in text
            for error in body["errors"]:
                assert error["status"] == str(response.status_code)
                assert error["title"] and error["detail"]
    else:
        assert response.data == b""
    return Reply(response.status_code, dict(response.headers), body)


class JsonApiClient:
    """Sends JSON:API requests with a bearer token (None: anonymous) and checks the replies."""

    def __init__(self, flask_client, token: str | None = None):
        self.flask = flask_client
        self.token = token

    def request(self, method: str, url: str, json=None, headers=None, raw: bytes | None = None):
        headers = {"Accept": MEDIA_TYPE, **(headers or {})}
        if self.token is not None:
            headers.setdefault("Authorization", f"Bearer {self.token}")
        data = raw
        if json is not None:
            data = orjson.dumps(json)
        if data is not None:
            headers.setdefault("Content-Type", MEDIA_TYPE)
        response = self.flask.open(url, method=method, data=data, headers=headers)
        return check_response(response)

    def get(self, url, **kw):
        return self.request("GET", url, **kw)

    def post(self, url, json=None, **kw):
        return self.request("POST", url, json=json, **kw)

    def patch(self, url, json=None, **kw):
        return self.request("PATCH", url, json=json, **kw)

    def delete(self, url, json=None, **kw):
        return self.request("DELETE", url, json=json, **kw)
