"""The front door's configuration agrees with the app: limits, timeouts and error documents.

tests/integration/test_front_door.py runs it with a real nginx; these read it, so a change to
a limit on one side only fails here, before any process starts.
"""

import re
import runpy

import orjson
import pytest

from app.errors import reason_phrase
from app.jsonapi import MAX_HEADER_BYTES, MAX_URL_BYTES
from config import BY_VARIABLE, read
from harness.front_door import TEMPLATE
from harness.processes import REPO
from tests.jsonapi_schema import assert_valid_document

CONFIGURATION = TEMPLATE.read_text()
UNITS = {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3}


def directive(name: str) -> list[str]:
    """The arguments of the one `name` directive of the configuration."""
    (arguments,) = re.findall(rf"^\s*{name}\s+([^;]+);", CONFIGURATION, re.MULTILINE)
    return arguments.split()


def size(value: str) -> int:
    number, unit = re.fullmatch(r"(\d+)([kmg]?)", value.lower()).groups()
    return int(number) * UNITS[unit]


def seconds(value: str) -> int:
    return int(value.removesuffix("s"))


ERROR_PAGES = {
    int(code): (int(status) if status else int(code), uri)
    for code, status, uri in re.findall(
        r"^\s*error_page\s+(\d+)\s+(?:=(\d+)\s+)?(\S+);", CONFIGURATION, re.MULTILINE
    )
}
DOCUMENTS = dict(re.findall(r"^\s*(/\.errors/\d+)\s+'([^']+)';", CONFIGURATION, re.MULTILINE))


def test_nginx_takes_the_bodies_the_app_takes_and_no_larger():
    assert size(directive("client_max_body_size")[0]) == read("MAX_CONTENT_LENGTH", {})


def test_nginx_lets_the_app_judge_its_own_head_limits():
    count, buffer = directive("large_client_header_buffers")
    assert size(buffer) > max(MAX_URL_BYTES, MAX_HEADER_BYTES)


def test_nginx_waits_for_the_app_longer_than_gunicorn_lets_a_worker_run():
    timeout = runpy.run_path(str(REPO / "gunicorn.conf.py"))["timeout"]

    assert seconds(directive("proxy_read_timeout")[0]) > timeout
    assert seconds(directive("proxy_send_timeout")[0]) > timeout


def test_every_error_nginx_answers_itself_has_a_document():
    assert {400, 408, 413, 414, 494, 502, 503, 504} <= set(ERROR_PAGES)
    assert {uri for _, uri in ERROR_PAGES.values()} == set(DOCUMENTS)


@pytest.mark.parametrize("code", sorted(ERROR_PAGES))
def test_each_error_document_is_jsonapi_of_its_status_titled_as_the_app_titles(code):
    status, uri = ERROR_PAGES[code]
    document = orjson.loads(DOCUMENTS[uri])

    assert_valid_document(document)
    (error,) = document["errors"]
    assert uri == f"/.errors/{status}" and error["status"] == str(status)
    assert error["title"] == reason_phrase(status)
    assert error["detail"]


def test_the_limits_are_told_in_the_apps_own_words():
    limit = BY_VARIABLE["MAX_CONTENT_LENGTH"].default
    details = {
        uri: orjson.loads(document)["errors"][0]["detail"] for uri, document in DOCUMENTS.items()
    }

    assert details["/.errors/413"] == f"The request body is larger than {limit} bytes."
    assert details["/.errors/414"] == f"The URL is longer than {MAX_URL_BYTES} bytes."
