"""Security: tokens never reach a log line or a reply, and an unexpected failure shows no
traceback and no SQL.
"""

import json
import logging
from contextlib import contextmanager

import pytest

from app import create_app
from app.extensions import db
from tests.factories import citizen_document
from tests.integration.database_faults import MISSING_COLUMN, REFUSING_TRIGGER, database_fault
from tests.jsonapi_client import MEDIA_TYPE, JsonApiClient
from tests.robustness.checks import LEAK_MARKERS
from tests.robustness.seed import database_state

CITIZENS = "/imports/1/citizens"


# ---------------------------------------------------------------------------------------------
# Tokens never reach a log line or a reply
# ---------------------------------------------------------------------------------------------


@contextmanager
def logging_app(database_url):
    """An app that logs everything (DEBUG) as JSON lines to stderr, as production would.

    Built inside the test, so that its log handler writes to the stderr capsys captures; the
    `app` logger it reconfigures is the whole process's, so its set-up is put back afterwards.
    """
    app_logger = logging.getLogger("app")
    previous = (list(app_logger.handlers), app_logger.level)
    logged = create_app(
        "testing",
        {"SQLALCHEMY_DATABASE_URI": database_url, "LOG_LEVEL": "DEBUG", "LOG_FORMAT": "json"},
    )
    try:
        yield logged
    finally:
        with logged.app_context():
            db.engine.dispose()
        app_logger.handlers[:] = previous[0]
        app_logger.setLevel(previous[1])


def test_tokens_never_reach_the_logs_or_a_reply(
    app, database_url, tokens, revoked_token, seeded, caplog, capsys
):
    key, _, secret = tokens["admin"].partition(".")
    edit = citizen_document(1, {"name": "Новое Имя"}, resource_id="1.1")
    requests = [
        ("GET", CITIZENS, tokens["admin"], None, 200),
        ("GET", "/imports/999", tokens["reader"], None, 404),
        ("PATCH", "/imports/1/citizens/1", tokens["reader"], edit, 403),  # a role too low
        ("GET", CITIZENS, f"{key}.{'x' * len(secret)}", None, 401),  # a live key, forged secret
        ("GET", CITIZENS, f"{'0' * len(key)}.{secret}", None, 401),  # a real secret, no such key
        ("GET", CITIZENS, revoked_token, None, 401),
        ("GET", CITIZENS, f"{tokens['admin']}x", None, 401),
    ]
    caplog.set_level(logging.DEBUG)  # every logger, the database driver's too
    app_logger = logging.getLogger("app")  # the app's loggers do not propagate to the root
    replies = []
    with logging_app(database_url) as logged:
        # The ORM's statements with their parameters, as if someone turned on SQL echo; its
        # engine sets this logger to WARN when it is created, so only now.
        caplog.set_level(logging.DEBUG, logger="sqlalchemy.engine.Engine")
        app_logger.addHandler(caplog.handler)
        try:
            for method, path, token, document, status in requests:
                replies.append(_send(logged, method, path, token, document, status))
            with database_fault(app, *REFUSING_TRIGGER):  # a 500 logs a whole traceback
                path, token = "/imports/1/citizens/1", tokens["editor"]
                replies.append(_send(logged, "PATCH", path, token, edit, 500))
                requests.append(("PATCH", path, token, edit, 500))
        finally:
            app_logger.removeHandler(caplog.handler)

    stderr = capsys.readouterr().err
    # Both captures saw every request line and the 500's traceback, as production would log them.
    lines = [json.loads(line) for line in stderr.splitlines() if line.startswith("{")]
    assert len([line for line in lines if line["logger"] == "app.requests"]) == len(requests)
    assert len([r for r in caplog.records if r.name == "app.requests"]) == len(requests)
    assert "citizens are read-only in this test" in stderr
    assert "citizens are read-only in this test" in caplog.text
    captured = {
        "stderr": stderr,
        "log records": "\n".join(str(vars(record)) for record in caplog.records),
        "formatted log": caplog.text,
        "replies": "\n".join(replies),
    }
    for _, _, token, _, _ in requests:
        for part in (token, token.partition(".")[2]):
            for where, text_ in captured.items():
                assert part not in text_, f"the token or its secret part is in the {where}"


def _send(logged_app, method, path, token, document, status) -> str:
    headers = {"Authorization": f"Bearer {token}", "Accept": MEDIA_TYPE}
    body = None
    if document is not None:
        body = json.dumps(document).encode()
        headers["Content-Type"] = MEDIA_TYPE
    response = logged_app.test_client().open(path, method=method, headers=headers, data=body)
    assert response.status_code == status, (method, path, response.get_data())
    return f"{response.headers}\n{response.get_data(as_text=True)}"


# ---------------------------------------------------------------------------------------------
# An unexpected failure shows no traceback and no SQL
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fault", "method", "path", "document"),
    [
        pytest.param(MISSING_COLUMN, "GET", CITIZENS, None, id="a read"),
        pytest.param(
            REFUSING_TRIGGER,
            "PATCH",
            "/imports/1/citizens/1",
            citizen_document(1, {"name": "Новое Имя"}, resource_id="1.1"),
            id="a write",
        ),
    ],
)
def test_an_unexpected_database_error_is_a_bare_500_that_changes_nothing(
    app, sql, tokens, seeded, caplog, fault, method, path, document
):
    client = JsonApiClient(app.test_client(), tokens["admin"])
    app_logger = logging.getLogger("app")  # the app's loggers do not propagate to the root
    app_logger.addHandler(caplog.handler)
    try:
        with database_fault(app, *fault):
            before = database_state(sql)
            # The client checks the security headers and a valid JSON:API error document.
            reply = client.request(method, path, json=document)
            after = database_state(sql)
    finally:
        app_logger.removeHandler(caplog.handler)

    assert reply.status == 500
    assert reply.errors == [
        {
            "status": "500",
            "title": "Internal Server Error",
            "detail": "The server failed to complete the request; it has been logged.",
        }
    ]
    shown = json.dumps(reply.body, ensure_ascii=False)
    for secret in (*LEAK_MARKERS, "citizens", "town_renamed_by_test", "read-only in this test"):
        assert secret not in shown
    assert after == before  # a failed write is rolled back whole
    assert "Traceback" in caplog.text  # the details went to the log instead
