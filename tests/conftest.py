"""Shared fixtures: a throwaway PostgreSQL database per run and a JSON:API-checking client."""

import os
import uuid

import psycopg
import pytest
from sqlalchemy import text

from app import create_app, signals
from app.extensions import db
from app.models import ROLES
from app.services.tokens import create_token
from harness.broker import use_celery_of
from harness.database import DEFAULT_ADMIN_URL, ThrowawayDatabase
from tests.integration.actions import cli_token, run_command
from tests.integration.stored import sql_reader
from tests.jsonapi_client import JsonApiClient

ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", DEFAULT_ADMIN_URL)


@pytest.fixture(scope="session")
def database_url():
    """Create a database of our own for this run, migrate it, and drop it afterwards."""
    database = ThrowawayDatabase(ADMIN_URL, "citizens_test")
    try:
        url = database.create()
    except psycopg.OperationalError as error:
        pytest.exit(
            f"PostgreSQL is not reachable at {ADMIN_URL} ({error.__class__.__name__}). The "
            "integration tests need it: start PostgreSQL or set TEST_POSTGRES_URL.",
            returncode=3,
        )
    yield url
    database.drop()


@pytest.fixture(scope="session")
def app(database_url):
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": database_url})
    yield app
    with app.app_context():
        db.engine.dispose()  # close pooled connections before the database is dropped


@pytest.fixture(autouse=True)
def clean_tables(request):
    """Every test that touches the database starts from empty tables and fresh id sequences.

    Except a test of the seeded data (tests/integration/conftest.py's `seeded`): that fixture
    checks the tables and puts the seed back only when they no longer hold it, which costs less
    than emptying and reseeding them for every test.
    """
    if "app" not in request.fixturenames:
        yield
        return
    app = request.getfixturevalue("app")
    # Tasks are queued through the process's current Celery app, as in production, where a
    # process builds one app. Tests build more (create_app makes each one's Celery current), so
    # every test makes `app`'s current again: else an in-process recompute would run in the
    # context of an app built by an earlier test, on an engine nobody closes.
    use_celery_of(app)
    if "seeded" not in request.fixturenames:
        with app.app_context():
            db.session.execute(text("TRUNCATE kinship, citizens, imports RESTART IDENTITY CASCADE"))
            db.session.commit()
    yield


@pytest.fixture(scope="session")
def tokens(app) -> dict[str, str]:
    """One token per role, created once per run (the token table is not emptied between tests)."""
    with app.app_context():
        return {role: create_token(f"test-{role}", role) for role in ROLES}


@pytest.fixture(scope="session")
def revoked_token(app) -> str:
    """An admin's token that has been revoked (with the command line, as an operator would)."""
    name = f"revoked-{uuid.uuid4().hex[:12]}"
    token = cli_token(app, name, "admin")
    result = run_command(app, "tokens", "revoke", name)
    assert result.exit_code == 0, result.output
    return token


@pytest.fixture
def client(app, tokens) -> JsonApiClient:
    """An editor: reads and writes, but sees no trash."""
    return JsonApiClient(app.test_client(), tokens["editor"])


@pytest.fixture
def admin(app, tokens) -> JsonApiClient:
    return JsonApiClient(app.test_client(), tokens["admin"])


@pytest.fixture
def reader(app, tokens) -> JsonApiClient:
    return JsonApiClient(app.test_client(), tokens["reader"])


@pytest.fixture
def anonymous(app) -> JsonApiClient:
    return JsonApiClient(app.test_client())


@pytest.fixture
def sql(app):
    """Run SQL against the test database, for assertions about what was stored."""
    return sql_reader(app)


@pytest.fixture
def execute(app):
    """Run and commit SQL on the test database: to set up what no request can (an old trash
    date, a fault in the database itself)."""

    def run(statement: str, **params) -> None:
        with app.app_context():
            db.session.execute(text(statement), params)
            db.session.commit()

    return run


@pytest.fixture
def sent():
    """Every send of every signal of app.signals during the test, in order: (signal name, keyword
    arguments). All of them, so a test also sees a send it did not expect."""
    log = []

    def recorder(name: str):
        return lambda _sender, **kwargs: log.append((name, kwargs))

    receivers = [(signal, recorder(signal.name)) for signal in signals.namespace.values()]
    for signal, receiver in receivers:
        signal.connect(receiver)
    yield log
    for signal, receiver in receivers:
        signal.disconnect(receiver)
