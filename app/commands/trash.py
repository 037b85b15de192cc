"""`trash purge`: delete trashed records older than a retention period, for good."""

import re
from datetime import UTC, datetime, timedelta

import click
from flask.cli import AppGroup

from app.services.trash import find_old_trash, purge_old_trash

trash = AppGroup("trash", help="Inspect and purge trashed imports and citizens.")
UNITS = {"d": "days", "h": "hours", "m": "minutes", "s": "seconds"}


class Duration(click.ParamType):
    name = "duration"

    def convert(self, value, param, ctx) -> timedelta:
        if isinstance(value, timedelta):
            return value
        match = re.fullmatch(r"([0-9]+)([dhms])", value.strip())
        if match is None:
            self.fail(f"{value!r} is not a duration such as 30d, 12h, 90m or 45s.", param, ctx)
        try:
            duration = timedelta(**{UNITS[match.group(2)]: int(match.group(1))})
            datetime.now(UTC) - duration  # the cutoff must be a date the calendar has
        except OverflowError:
            self.fail(f"{value!r} reaches back before the first day of the calendar.", param, ctx)
        return duration


@trash.command("purge")
@click.option("--older-than", type=Duration(), required=True, help="Retention, e.g. 30d.")
@click.option("--dry-run", is_flag=True, help="List what would be purged; delete nothing.")
def purge(older_than: timedelta, dry_run: bool) -> None:
    """Delete imports and citizens trashed longer ago than --older-than."""
    report = find_old_trash(older_than) if dry_run else purge_old_trash(older_than)
    verb = "Would purge" if dry_run else "Purged"
    for import_id in report.imports:
        click.echo(f"{verb} import {import_id} with all its citizens")
    for import_id, citizen_id in report.citizens:
        click.echo(f"{verb} citizen {citizen_id} of import {import_id}")
    click.echo(
        f"{verb} {len(report.imports)} imports and {len(report.citizens)} citizens"
        f" trashed before {report.cutoff:%Y-%m-%d %H:%M:%S} UTC."
    )
