"""Hooks for the aggregate transactions."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import dredd_hooks as hooks  # noqa: E402
import support  # noqa: E402

BIRTHDAYS = "Birthdays > Birthdays > Read the birthdays by id"
STATS = "Town age statistics > Town age statistics of an import > Read the town age statistics"
ALIAS = "Town age statistics > Age percentiles by town > Read the percentiles"


@hooks.before(f"{STATS} > Example 2")
@support.guarded
def a_date_that_is_not_a_date(transaction):
    support.send_to(transaction, "/imports/1/town-age-stats", as_of="2026-02-30")


@hooks.before(f"{ALIAS} > Example 2")
@support.guarded
def a_date_that_is_not_a_date_on_the_alias(transaction):
    support.send_to(transaction, "/imports/1/towns/stat/percentile/age", as_of="2026-02-30")


@hooks.before(f"{BIRTHDAYS} > Example 2")
@support.guarded
def birthdays_not_modified_since_read(transaction):
    support.send_current_etag(transaction, "If-None-Match")
