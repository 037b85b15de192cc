"""`aggregates recompute`: bring stored aggregates up to date now, without the workers."""

import sys

import click
from flask.cli import AppGroup
from sqlalchemy import select

from app.errors import ObjectNotFound
from app.extensions import db
from app.services import aggregates as service
from app.services.visibility import import_reachable, imports

aggregates = AppGroup("aggregates", help="Inspect and recompute stored aggregates.")


@aggregates.command("recompute")
@click.argument("import_id", type=int, required=False)
@click.option("--all", "every", is_flag=True, help="Every live import.")
def recompute(import_id: int | None, every: bool) -> None:
    """Recompute and store the aggregates of IMPORT_ID, or of every live import with --all."""
    if (import_id is None) == (not every):
        raise click.UsageError("Give an IMPORT_ID or --all (not both).")
    if every:
        ids = list(
            db.session.execute(
                select(imports.c.id).where(import_reachable()).order_by(imports.c.id)
            ).scalars()
        )
        db.session.rollback()
    else:
        ids = [import_id]
    with click.progressbar(ids, label="Recomputing", file=sys.stderr) as bar:
        for current in bar:
            try:
                service.refresh(current)
            except ObjectNotFound:
                raise click.ClickException(f"Import {current} does not exist.") from None
    click.echo(f"Recomputed the aggregates of {len(ids)} import(s).")
