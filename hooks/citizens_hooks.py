"""Hooks for the citizens and relatives transactions that need another URL, a trashed citizen or
the tag a read answers."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import dredd_hooks as hooks  # noqa: E402
import support  # noqa: E402

ACROSS_IMPORTS = "Citizens > Citizens across imports"
BY_ID = "Citizens > Citizen by id"
COLLECTION = "Citizens > Citizen collection"
CITIZEN = "Citizens > Citizen"
RELATED = "Relatives > Related citizens"


@hooks.before(f"{ACROSS_IMPORTS} > List citizens across imports > Example 2")
@support.guarded
def one_import_one_page(transaction):
    support.send_to(transaction, "/citizens", **{"filter[import]": "1", "page[size]": "1"})


@hooks.before(f"{ACROSS_IMPORTS} > List citizens across imports > Example 3")
@support.guarded
def only_trashed_citizens(transaction):
    support.trash_citizen(3)
    support.send_to(transaction, "/citizens", only_trashed="true")


@hooks.before(f"{ACROSS_IMPORTS} > List citizens across imports > Example 4")
@support.guarded
def reader_asks_for_trash(transaction):
    support.send_to(transaction, "/citizens", with_trashed="true")


@hooks.before(f"{BY_ID} > Read a citizen by id > Example 2")
@support.guarded
def missing_citizen_by_id(transaction):
    support.send_to(transaction, "/citizens/1.99")


@hooks.before(f"{BY_ID} > Read a citizen by id > Example 3")
@support.guarded
def not_modified_since_read(transaction):
    support.send_current_etag(transaction, "If-None-Match")


@hooks.before(f"{BY_ID} > Update a citizen by id > Example 2")
@support.guarded
def restore_a_trashed_citizen_by_id(transaction):
    support.trash_citizen(1)
    support.send_to(transaction, "/citizens/1.1", with_trashed="true")


@hooks.before(f"{BY_ID} > Update a citizen by id > Example 5")
@support.guarded
def unchanged_since_read(transaction):
    support.send_current_etag(transaction, "If-Match")


@hooks.before(f"{BY_ID} > Trash a citizen by id > Example 2")
@support.guarded
def delete_citizen_for_good_by_id(transaction):
    support.send_to(transaction, "/citizens/1.1", permanent="true")


@hooks.before(f"{RELATED} > Read the related citizens > Example 2")
@support.guarded
def related_citizens_of_a_missing_citizen(transaction):
    support.send_to(transaction, "/citizens/1.99/relatives")


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
