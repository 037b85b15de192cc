"""Soft deletes: where the admin parameters with_trashed, only_trashed and permanent are
accepted, and which values they take.

`client` is an editor (sees no trash), `admin` may ask for with_trashed, only_trashed and
permanent=true; tests/factories.py's four_in_two_towns() is the import most tests trash from.
"""

import pytest

from tests.factories import (
    citizen_attributes,
    citizen_document,
    four_in_two_towns,
    import_document,
    linkage,
    restore_document,
)
from tests.robustness.seed import database_state

CITIZENS = "/imports/1/citizens"
BIRTHDAYS = "/imports/1/citizens/birthdays"
PERCENTILES = "/imports/1/towns/stat/percentile/age"


# ---------------------------------------------------------------------------------------------
# Where the admin parameters are accepted
# ---------------------------------------------------------------------------------------------

MISPLACED = [
    ("POST", "/imports?with_trashed=true", "with_trashed"),
    ("GET", "/imports?permanent=true", "permanent"),
    ("GET", "/imports/1?only_trashed=true", "only_trashed"),
    ("GET", "/imports/1?permanent=true", "permanent"),
    ("PATCH", "/imports/1?only_trashed=true", "only_trashed"),
    ("PATCH", "/imports/1?permanent=true", "permanent"),
    ("DELETE", "/imports/1?with_trashed=true", "with_trashed"),
    ("DELETE", "/imports/1?only_trashed=true", "only_trashed"),
    ("GET", f"{CITIZENS}?permanent=true", "permanent"),
    ("POST", f"{CITIZENS}?with_trashed=true", "with_trashed"),
    ("GET", f"{CITIZENS}/1?only_trashed=true", "only_trashed"),
    ("GET", f"{CITIZENS}/1?permanent=true", "permanent"),
    ("PATCH", f"{CITIZENS}/1?only_trashed=true", "only_trashed"),
    ("PATCH", f"{CITIZENS}/1?permanent=true", "permanent"),
    ("DELETE", f"{CITIZENS}/1?with_trashed=true", "with_trashed"),
    ("GET", f"{CITIZENS}/1/relationships/relatives?only_trashed=true", "only_trashed"),
    ("GET", f"{CITIZENS}/1/relationships/relatives?permanent=true", "permanent"),
    ("POST", f"{CITIZENS}/1/relationships/relatives?with_trashed=true", "with_trashed"),
    ("PATCH", f"{CITIZENS}/1/relationships/relatives?with_trashed=true", "with_trashed"),
    ("DELETE", f"{CITIZENS}/1/relationships/relatives?with_trashed=true", "with_trashed"),
    ("DELETE", f"{CITIZENS}/1/relationships/relatives?permanent=true", "permanent"),
    ("GET", f"{BIRTHDAYS}?with_trashed=true", "with_trashed"),
    ("GET", f"{BIRTHDAYS}?only_trashed=true", "only_trashed"),
    ("GET", f"{BIRTHDAYS}?with_trashed=false", "with_trashed"),
    ("GET", f"{PERCENTILES}?with_trashed=true", "with_trashed"),
    ("GET", f"{PERCENTILES}?only_trashed=true", "only_trashed"),
]


def body_for(method: str, url: str) -> dict | None:
    """A valid body for each write, so that only the parameter is wrong."""
    if "relationships" in url and method != "GET":
        return {"data": linkage(1, [3])}
    if method == "POST" and url.startswith("/imports?"):
        return import_document(four_in_two_towns())
    if method == "POST":
        return citizen_document(1, citizen_attributes(5))
    if method == "PATCH" and url.startswith(f"{CITIZENS}/1"):
        return citizen_document(1, {"town": "C"}, resource_id="1.1")
    if method == "PATCH":
        return restore_document(1)
    return None


@pytest.mark.parametrize(("method", "url", "parameter"), MISPLACED)
def test_admin_parameters_where_they_mean_nothing_are_400_and_change_nothing(
    admin, make_import, sql, method, url, parameter
):
    make_import(four_in_two_towns())
    before = database_state(sql)

    reply = admin.request(method, url, json=body_for(method, url))

    assert reply.status == 400, reply.body
    assert [e.get("source") for e in reply.errors] == [{"parameter": parameter}]
    assert database_state(sql) == before


@pytest.mark.parametrize("value", ["yes", "TRUE", "True", "1", "0", "", "true,false"])
@pytest.mark.parametrize(
    ("method", "url", "parameter"),
    [
        ("GET", "/imports?with_trashed=", "with_trashed"),
        ("GET", "/imports?only_trashed=", "only_trashed"),
        ("GET", f"{CITIZENS}/1?with_trashed=", "with_trashed"),
        ("DELETE", f"{CITIZENS}/1?permanent=", "permanent"),
        ("DELETE", "/imports/1?permanent=", "permanent"),
    ],
)
def test_admin_parameter_values_must_be_true_or_false(
    admin, make_import, sql, method, url, parameter, value
):
    make_import(four_in_two_towns())
    before = database_state(sql)

    reply = admin.request(method, url + value)

    assert reply.status == 400, reply.body
    assert [e.get("source") for e in reply.errors] == [{"parameter": parameter}]
    assert database_state(sql) == before


@pytest.mark.parametrize("url", ["/imports", CITIZENS])
def test_with_trashed_and_only_trashed_together_are_400(admin, make_import, url):
    make_import(four_in_two_towns())

    reply = admin.get(f"{url}?with_trashed=true&only_trashed=true")

    assert reply.status == 400
    assert reply.errors[0]["source"]["parameter"] in ("with_trashed", "only_trashed")
