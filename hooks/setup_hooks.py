"""Hooks for every transaction: tokens once, a fresh database before, a schema check and the
example's links after."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import dredd_hooks as hooks  # noqa: E402
import support  # noqa: E402


@hooks.before_all
@support.guarded
def create_tokens(_transactions):
    support.create_tokens()


@hooks.before_each
@support.guarded
def fresh_database(transaction):
    support.reset_database()
    support.use_real_token(transaction)


@hooks.after_each
@support.guarded
def response_is_valid_jsonapi(transaction):
    support.check_jsonapi_document(transaction)


@hooks.after_each
@support.guarded
def links_are_the_examples(transaction):
    support.check_links(transaction)
