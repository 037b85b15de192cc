"""Security: sorts, filters and sparse fieldsets reach exposed attributes only.

Every request goes through tests/robustness/checks.py's `send_and_check` (the `send_checked`
fixture), so each one also proves the general promises: no 5xx, a valid JSON:API document, no
traceback or SQL in the reply, and a refused request leaves every table exactly as it was.
"""

import pytest

from tests.robustness.checks import only_error_names, parameter

CITIZENS = "/imports/1/citizens"
PERCENTILES = "/imports/1/towns/stat/percentile/age"
RELATIVES = "/imports/1/citizens/1/relationships/relatives"


# Columns and members behind the API, ORM and Python internals, and paths into relationships.
NOT_EXPOSED = (
    "deleted_by", "import_id", "relative_id", "secret_hash", "key", "audit", "meta", "id",
    "document", "months", "citizens", "citizens_count", "data_version", "relatives",
    "relatives.name", "citizens.deleted_by", "imports.deleted_by", "citizen_rows.deleted_by",
    "__class__", "__dict__", "_sa_instance_state", "name.__class__", "deleted_at__isnull",
)  # fmt: skip
# What each collection does expose, by the contract (docs/api).
CITIZEN_ATTRIBUTES = {"citizen_id", "town", "street", "building", "apartment", "name"}
CITIZEN_ATTRIBUTES |= {"birth_date", "gender", "deleted_at"}
# Relationships, which sparse fieldsets may name as well (but sort and filter may not).
IMPORT_RELATIONSHIPS = {"citizens", "birthdays", "town-age-stats"}
EXPOSED = {
    "/imports": {"created_at", "citizens_count", "data_version", "deleted_at"},
    CITIZENS: CITIZEN_ATTRIBUTES,
    PERCENTILES: {"town", "p50", "p75", "p99"},
}


@pytest.mark.parametrize("path", list(EXPOSED))
@pytest.mark.parametrize("kind", ["sort", "filter"])
def test_sorts_and_filters_reach_exposed_attributes_only(send_checked, path, kind):
    for name in NOT_EXPOSED:
        if name in EXPOSED[path]:
            continue
        query_name, value = {
            "sort": ("sort", name),
            "filter": (f"filter[{name}]", "1"),
        }[kind]

        reply = send_checked("GET", path, parameter(query_name, value))

        only_error_names(reply, query_name)


@pytest.mark.parametrize(
    ("path", "type_", "members"),
    [
        ("/imports", "imports", EXPOSED["/imports"] | IMPORT_RELATIONSHIPS),
        (CITIZENS, "citizens", EXPOSED[CITIZENS] | {"relatives", "import"}),
        ("/imports/1/citizens/1", "citizens", EXPOSED[CITIZENS] | {"relatives", "import"}),
    ],
)
def test_sparse_fieldsets_name_exposed_members_only(send_checked, path, type_, members):
    for name in NOT_EXPOSED:
        if name in members:
            continue

        reply = send_checked("GET", path, parameter(f"fields[{type_}]", name))

        only_error_names(reply, f"fields[{type_}]")


def test_an_admin_sees_who_trashed_but_cannot_sort_or_filter_by_it(send_checked):
    reply = send_checked("GET", CITIZENS, "with_trashed=true")
    trashed = [r for r in reply.document["data"] if r["attributes"]["deleted_at"] is not None]
    assert [r["meta"] for r in trashed] == [{"deleted_by": "test-editor"}]

    only_error_names(send_checked("GET", CITIZENS, "with_trashed=true&sort=deleted_by"), "sort")
    only_error_names(
        send_checked("GET", CITIZENS, "with_trashed=true&filter[deleted_by]=test-editor"),
        "filter[deleted_by]",
    )
