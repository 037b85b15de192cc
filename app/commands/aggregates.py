"""`aggregates recompute`: bring stored aggregates up to date now, without the workers."""

import sys

import click
from flask.cli import AppGroup

from app.domain.errors import ImportNotFound
from app.services import aggregates as service

aggregates = AppGroup("aggregates", help="Inspect and recompute stored aggregates.")


@aggregates.command("recompute")
@click.argument("import_id", type=int, required=False)
@click.option("--all", "every", is_flag=True, help="Every live import.")
def recompute(import_id: int | None, every: bool) -> None:
    """Recompute and store the aggregates of IMPORT_ID, or of every live import with --all."""
    if (import_id is None) == (not every):
        raise click.UsageError("Give an IMPORT_ID or --all (not both).")
    ids = service.live_import_ids() if every else [import_id]
    with click.progressbar(ids, label="Recomputing", file=sys.stderr) as bar:
        for current in bar:
            try:
                service.refresh(current)
            except ImportNotFound as error:
                raise click.ClickException(str(error)) from None
    click.echo(f"Recomputed the aggregates of {len(ids)} import(s).")
