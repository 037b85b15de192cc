"""Command-line entry: `python manage.py db upgrade`, `python manage.py run`, and more."""

from flask.cli import FlaskGroup

from app import create_app
from app.extensions import init_migrations


def create_cli_app(config_name: str | None = None, test_config: dict | None = None):
    """The app of the command line: the service's, with the `db` commands (Flask-Migrate)."""
    return init_migrations(create_app(config_name, test_config))


cli = FlaskGroup(create_app=create_cli_app)

if __name__ == "__main__":
    cli()
