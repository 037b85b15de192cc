"""Commands of `python manage.py`, registered on the app by create_app()."""

from flask import Flask

from app.commands.aggregates import aggregates
from app.commands.demo import demo
from app.commands.tokens import tokens
from app.commands.trash import trash


def register_commands(app: Flask) -> None:
    app.cli.add_command(tokens)
    app.cli.add_command(demo)
    app.cli.add_command(aggregates)
    app.cli.add_command(trash)
