"""A throwaway database on a running PostgreSQL server, migrated, and the app's CLI on it.

The name is new for every run unless one is given, so runs on one machine never collide. The
app's own commands (`manage.py db upgrade`, `tokens create`) run in this process through the
Flask CLI: the same code as `manage.py`, without paying an interpreter's start-up for each.
"""

import secrets

import psycopg
from psycopg import sql

from harness.processes import HarnessError

DEFAULT_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


def sqlalchemy_url(url: str) -> str:
    """The app's form of a libpq URL (psycopg 3 as the driver)."""
    return url.replace("postgresql://", "postgresql+psycopg://", 1)


def libpq_url(url: str) -> str:
    """psycopg's form of a URL in the app's form."""
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def server_version(admin_url: str) -> str:
    """PostgreSQL's version number, e.g. '15.20'."""
    with psycopg.connect(libpq_url(admin_url), autocommit=True, connect_timeout=3) as conn:
        return conn.execute("SHOW server_version").fetchone()[0].split()[0]


def manage(database_url: str, *args: str) -> str:
    """Run `manage.py ARGS` on `database_url` in this process; return its standard output."""
    from app import create_app
    from app.extensions import db, init_migrations

    settings = {"SQLALCHEMY_DATABASE_URI": database_url, "REDIS_URL": ""}
    flask_app = init_migrations(create_app("testing", settings))
    try:
        result = flask_app.test_cli_runner().invoke(args=list(args))
    finally:
        with flask_app.app_context():
            db.engine.dispose()  # no pooled connection may keep the database from being dropped
    if result.exit_code != 0:
        raise HarnessError(
            f"manage.py {' '.join(args)} exited with {result.exit_code}\n{result.output}"
        ) from result.exception
    return result.stdout


def create_token(database_url: str, name: str, role: str) -> str:
    """A new bearer token of `role` (`tokens create` prints it on its last line)."""
    return manage(database_url, "tokens", "create", name, "--role", role).strip().splitlines()[-1]


class ThrowawayDatabase:
    """A database of its own on the server of `admin_url`, created migrated, dropped at the end.

    `name` (else `prefix` and a random suffix) names it; a database of that name left over from
    an earlier run is dropped first. `keep` leaves it in place at the end, for inspection.
    """

    def __init__(
        self,
        admin_url: str = DEFAULT_ADMIN_URL,
        prefix: str = "citizens",
        name: str | None = None,
        keep: bool = False,
    ):
        self.admin_url = libpq_url(admin_url)
        self.name = name or f"{prefix}_{secrets.token_hex(5)}"
        self.keep = keep
        base = self.admin_url.rsplit("/", 1)[0]
        self.url = sqlalchemy_url(f"{base}/{self.name}")  # the app's and SQLAlchemy's form

    def _admin(self, statement: sql.Composable) -> None:
        with psycopg.connect(self.admin_url, autocommit=True, connect_timeout=3) as conn:
            conn.execute(statement)

    def create(self, migrate: bool = True) -> str:
        """Create the database (dropping an old one of that name), migrate it; return its URL."""
        self.drop()
        self._admin(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(self.name)))
        if migrate:
            manage(self.url, "db", "upgrade")
        return self.url

    def drop(self) -> None:
        """Drop the database if it exists, ending its sessions."""
        self._admin(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(self.name))
        )

    def __enter__(self) -> str:
        return self.create()

    def __exit__(self, *_exc) -> None:
        if not self.keep:
            self.drop()
