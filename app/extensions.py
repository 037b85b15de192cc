"""Extension objects shared by the whole application; bound to an app in create_app()."""

import logging
from pathlib import Path

from celery import Celery, Task
from flask import Flask
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import MetaData, event
from sqlalchemy.exc import DBAPIError

log = logging.getLogger(__name__)

# Deterministic constraint names, so migrations can refer to them.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def end_session(_exc: BaseException | None = None) -> None:
    """End the context's session; survive a connection that the server ended.

    Registered with app.teardown_appcontext after db.init_app: Flask runs teardowns in reverse
    order of registration, so this runs first and Flask-SQLAlchemy's own finds nothing left.
    """
    try:
        db.session.remove()
    except DBAPIError as error:
        if not error.connection_invalidated:
            raise
        # PostgreSQL ended the connection (a restart, pg_terminate_backend) after the last
        # query of a request or task, while its transaction was still open: the rollback
        # that closes the session cannot reach the server. Nothing is lost (the server rolls
        # back a dead connection's transaction) and the response is already complete, so
        # drop the session and its connection instead of turning the answer into a bare
        # HTML 500. The pool's pre-ping replaces the connection on the next checkout.
        log.warning(
            "Dropped a session whose database connection had ended: %s", type(error.orig).__name__
        )
        db.session().invalidate()
        db.session.remove()


db = SQLAlchemy(metadata=MetaData(naming_convention=NAMING_CONVENTION))
MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def init_migrations(app: Flask) -> Flask:
    """Give `app` Flask-Migrate, for the `db` commands: the command line's app only.

    Flask-Migrate imports Alembic, 11 MB of every process that loads it; the web and worker
    processes never migrate, so they never load it (manage.py and the harness's CLI do).
    """
    from flask_migrate import Migrate

    Migrate(app, db, directory=str(MIGRATIONS))
    return app


def enable_sqlite_foreign_keys(engine) -> None:
    """SQLite ignores foreign keys unless each connection asks for them; kinship relies on them."""
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.execute("PRAGMA foreign_keys = ON")


def celery_init_app(app: Flask, settings: dict) -> Celery:
    """Create the Celery app whose tasks run inside this Flask app's context (Flask's pattern)."""

    class FlaskTask(Task):
        def __call__(self, *args: object, **kwargs: object) -> object:
            with app.app_context():
                return self.run(*args, **kwargs)

    celery_app = Celery(app.name, task_cls=FlaskTask)
    celery_app.config_from_object(settings)
    celery_app.set_default()
    app.extensions["celery"] = celery_app
    return celery_app
