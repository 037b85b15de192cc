"""Hooks for every transaction: tokens once, a fresh database before; after, a schema check, the
example's links, the validators (ETag, Cache-Control), the security policy the example shows
and a 412's having changed nothing."""

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


@hooks.after_each
@support.guarded
def validators_are_the_examples(transaction):
    support.check_validators(transaction)


@hooks.after_each
@support.guarded
def promised_headers_are_the_examples(transaction):
    support.check_promised_headers(transaction)


@hooks.after_each
@support.guarded
def a_refused_write_changes_nothing(transaction):
    support.check_nothing_changed(transaction)
