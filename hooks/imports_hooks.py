"""Hooks for the imports transactions that need more than the fresh family import."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import dredd_hooks as hooks  # noqa: E402
import support  # noqa: E402

IMPORT = "Imports > Import"


@hooks.before(f"{IMPORT} > Read an import > Example 2")
@support.guarded
def missing_import(transaction):
    support.send_to(transaction, "/imports/999")


@hooks.before(f"{IMPORT} > Restore an import > Example 1")
@support.guarded
def restore_a_trashed_import(transaction):
    support.trash_import()
    support.send_to(transaction, "/imports/1", with_trashed="true")


@hooks.before(f"{IMPORT} > Trash an import > Example 2")
@support.guarded
def delete_import_for_good(transaction):
    support.send_to(transaction, "/imports/1", permanent="true")
