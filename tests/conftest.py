"""Shared fixtures: a throwaway PostgreSQL database per run and a JSON:API-checking client."""

import os
import uuid

import psycopg
import pytest
from flask_migrate import upgrade
from sqlalchemy import text

from app import create_app
from app.extensions import db
from app.models import ROLES
from app.services.tokens import create_token
from tests.jsonapi_client import JsonApiClient

ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


def _admin_connection() -> psycopg.Connection:
    try:
        return psycopg.connect(ADMIN_URL, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as error:
        pytest.exit(
            f"PostgreSQL is not reachable at {ADMIN_URL} ({error.__class__.__name__}). The "
            "integration tests need it: start PostgreSQL or set TEST_POSTGRES_URL.",
            returncode=3,
        )


@pytest.fixture(scope="session")
def database_url():
    """Create a database of our own for this run, migrate it, and drop it afterwards."""
    name = f"citizens_test_{uuid.uuid4().hex[:10]}"
    with _admin_connection() as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    base = ADMIN_URL.rsplit("/", 1)[0]
    url = f"{base}/{name}".replace("postgresql://", "postgresql+psycopg://", 1)
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade()
        db.engine.dispose()
    yield url
    with _admin_connection() as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def app(database_url):
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": database_url})
    yield app
    with app.app_context():
        db.engine.dispose()  # close pooled connections before the database is dropped


@pytest.fixture(autouse=True)
def clean_tables(request):
    """Every test that touches the database starts from empty tables and fresh id sequences."""
    if "app" not in request.fixturenames:
        yield
        return
    app = request.getfixturevalue("app")
    with app.app_context():
        db.session.execute(text("TRUNCATE kinship, citizens, imports RESTART IDENTITY CASCADE"))
        db.session.commit()
    yield


@pytest.fixture(scope="session")
def tokens(app) -> dict[str, str]:
    """One token per role, created once per run (the token table is not emptied between tests)."""
    with app.app_context():
        return {role: create_token(f"test-{role}", role) for role in ROLES}


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

    def run(statement: str, **params):
        with app.app_context():
            rows = db.session.execute(text(statement), params).all()
            db.session.rollback()
            return rows

    return run
