"""`demo load`: store a realistic import of N citizens, to try the service or size a machine."""

from datetime import UTC, datetime

import click
from flask.cli import AppGroup

from app.demo_data import DEFAULT_SEED, generate_citizens
from app.domain.errors import InvalidAttributes
from app.domain.imports import parse_import
from app.services import imports as service

demo = AppGroup("demo", help="Load demonstration data.")


@demo.command("load")
@click.option("--citizens", default=10_000, show_default=True, help="Citizens in the import.")
@click.option("--pairs", default=1_000, show_default=True, help="Random kinship pairs.")
@click.option("--seed", default=DEFAULT_SEED, show_default=True, help="Same seed, same data.")
def load(citizens: int, pairs: int, seed: int) -> None:
    """Generate an import of CITIZENS citizens with kinship and store it as one import."""
    if citizens < 2 or not 0 <= pairs <= citizens * (citizens - 1) // 2 - 1:
        raise click.BadParameter("needs 2+ citizens and at most n*(n-1)/2 - 1 pairs")
    generated = generate_citizens(citizens, pairs, seed)
    # The same rules as POST /imports, so the demo data is what a client could have sent.
    try:
        parsed = parse_import(
            {"citizens": generated},
            today=datetime.now(UTC).date(),
            limit=citizens,  # any size: the command is also for sizing a machine
        )
    except InvalidAttributes as error:
        raise click.ClickException(f"generated an invalid import: {error}") from None
    import_id = service.create_import(parsed).id
    click.echo(f"Stored import {import_id} with {citizens} citizens and {pairs + 1} kinship pairs.")
