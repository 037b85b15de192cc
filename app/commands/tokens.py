"""`tokens create|list|revoke`: manage the API's bearer tokens."""

import click
from flask.cli import AppGroup

from app.domain.errors import TokenNameTaken
from app.models import ROLES
from app.services import tokens as service

MAX_NAME_LENGTH = 128  # the api_tokens.name column
tokens = AppGroup("tokens", help="Create, list and revoke API tokens.")


def token_name(_ctx, _param, name: str) -> str:
    """A name people can read back in `tokens list` and in the trash's `deleted_by`."""
    if not name.strip() or len(name) > MAX_NAME_LENGTH or not name.isprintable():
        raise click.BadParameter(
            f"must be 1 to {MAX_NAME_LENGTH} printable characters, not only spaces."
        )
    return name


@tokens.command("create")
@click.argument("name", callback=token_name)
@click.option("--role", type=click.Choice(ROLES), required=True, help="What the token may do.")
def create(name: str, role: str) -> None:
    """Create a token for NAME; it is printed once, alone on the last line."""
    try:
        token = service.create_token(name, role)
    except TokenNameTaken as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Created a {role} token for {name}. Keep it now: it is not stored.", err=True)
    click.echo(token)


@tokens.command("list")
def list_() -> None:
    """List tokens (names and roles; the tokens themselves are never stored)."""
    for row in service.list_tokens():
        state = f"revoked {row.revoked_at:%Y-%m-%d %H:%M}" if row.revoked_at else "active"
        click.echo(f"{row.name}\t{row.role}\tcreated {row.created_at:%Y-%m-%d %H:%M}\t{state}")


@tokens.command("revoke")
@click.argument("name")
def revoke(name: str) -> None:
    """Revoke the token of NAME; requests with it get 401 from now on."""
    if not service.revoke_token(name):
        raise click.ClickException(f"No active token named {name!r}.")
    click.echo(f"Revoked the token of {name}.")
