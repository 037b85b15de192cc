"""The oracle of harness.oracle as assertions: served and stored aggregates equal the rows'.

`sql(statement, **params) -> rows` runs SQL on the database under test (the `sql` fixture).
"""

import functools

from harness.oracle import (
    kinship_pairs,
    one_sided_kinship,
    served_differences,
    stored_differences,
)
from tests.integration.actions import read

__all__ = [
    "assert_kinship_mutual",
    "assert_served_aggregates_match_the_rows",
    "assert_stored_aggregates_match_the_rows",
    "getter_of",
    "kinship_pairs",
]


def assert_kinship_mutual(sql, import_id: int) -> None:
    one_sided = one_sided_kinship(sql, import_id)
    assert not one_sided, f"import {import_id}: kinship rows without their mirror: {one_sided}"


def assert_stored_aggregates_match_the_rows(sql, import_id: int) -> set[str]:
    """Every stored aggregate stamped with the import's current version equals a recomputation.

    Returns the kinds stored as current.
    """
    kinds, problems = stored_differences(sql, import_id)
    assert not problems, f"import {import_id}: {problems}"
    return kinds


def getter_of(client):
    """`get(path) -> body` of a 200, through a JSON:API test client (tests.jsonapi_client)."""
    return functools.partial(read, client)


def assert_served_aggregates_match_the_rows(get, sql, import_id: int) -> list[dict]:
    """GET both aggregates (`get(path) -> body` of a 200) and compare them with a recomputation.

    Returns the `meta` of both replies, to say whether they came from the store.
    """
    base = f"/imports/{import_id}"
    served_birthdays = get(f"{base}/citizens/birthdays")
    percentiles = get(f"{base}/towns/stat/percentile/age?page[size]=1000")
    problems = served_differences(sql, import_id, served_birthdays, percentiles)
    assert not problems, f"import {import_id}: {problems}"
    return [served_birthdays["meta"], percentiles["meta"]]
