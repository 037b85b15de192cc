"""Hooks for the citizens transactions that need another URL or a trashed citizen."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import dredd_hooks as hooks  # noqa: E402
import support  # noqa: E402

COLLECTION = "Citizens > Citizen collection"
CITIZEN = "Citizens > Citizen"


@hooks.before(f"{COLLECTION} > List citizens > Example 2")
@support.guarded
def one_page_with_relatives(transaction):
    support.send_to(transaction, "/imports/1/citizens", **{"page[size]": "1"}, include="relatives")


@hooks.before(f"{COLLECTION} > List citizens > Example 3")
@support.guarded
def unknown_sort_attribute(transaction):
    support.send_to(transaction, "/imports/1/citizens", sort="height")


@hooks.before(f"{CITIZEN} > Read a citizen > Example 2")
@support.guarded
def read_a_trashed_citizen(transaction):
    support.trash_citizen(1)


@hooks.before(f"{CITIZEN} > Update a citizen > Example 2")
@support.guarded
def restore_a_trashed_citizen(transaction):
    support.trash_citizen(1)
    support.send_to(transaction, "/imports/1/citizens/1", with_trashed="true")


@hooks.before(f"{CITIZEN} > Trash a citizen > Example 2")
@support.guarded
def delete_citizen_for_good(transaction):
    support.send_to(transaction, "/imports/1/citizens/1", permanent="true")


@hooks.before(f"{CITIZEN} > Trash a citizen > Example 3")
@support.guarded
def editor_asks_to_delete_for_good(transaction):
    support.send_to(transaction, "/imports/1/citizens/1", permanent="true")
