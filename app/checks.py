"""Start-up checks: production refuses to run half set up, and says why in one line."""

import os
import sys

from flask import Flask
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from app.extensions import db
from config import DEVELOPMENT_SECRET_KEY


class StartupRefused(SystemExit):
    """Raised by create_app() when the configuration cannot serve production traffic."""


def refuse(problem: str) -> None:
    print(f"citizens-analyzer refuses to start: {problem}", file=sys.stderr, flush=True)
    raise StartupRefused(2)


def check_production_settings(app: Flask) -> None:
    """In production: a secret key of its own and a database URL, before anything uses them."""
    if not app.config.get("REQUIRE_SECURE_SETUP"):
        return
    if not os.environ.get("SECRET_KEY") and app.config["SECRET_KEY"] == DEVELOPMENT_SECRET_KEY:
        refuse("SECRET_KEY is not set; production needs a secret of its own.")
    if app.config["SECRET_KEY"] == DEVELOPMENT_SECRET_KEY:
        refuse("SECRET_KEY is the development default; set a secret of its own.")
    if not app.config["SQLALCHEMY_DATABASE_URI"]:
        refuse("DATABASE_URL is not set; production runs on PostgreSQL.")


def check_production_database(app: Flask) -> None:
    """In production: a database that answers."""
    if not app.config.get("REQUIRE_SECURE_SETUP"):
        return
    try:
        with app.app_context(), db.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError as error:
        reason = str(error.orig if hasattr(error, "orig") else error).strip().splitlines()[0]
        refuse(f"the database at DATABASE_URL does not answer ({reason}).")
