"""Soft deletes: every trash, restore and purge bumps data_version; deleted_by is shown to
admins only.

`client` is an editor (sees no trash), `admin` may ask for with_trashed, only_trashed and
permanent=true; tests/factories.py's four_in_two_towns() is the import most tests trash from.
"""

from tests.factories import (
    four_in_two_towns,
)
from tests.integration.actions import (
    import_attributes,
    restore_citizen,
    restore_import,
    trash,
)

CITIZENS = "/imports/1/citizens"
BIRTHDAYS = "/imports/1/citizens/birthdays"
PERCENTILES = "/imports/1/towns/stat/percentile/age"


def served_version(admin, import_id: int = 1) -> int:
    """The import's data_version as served, trashed or not."""
    return import_attributes(admin, import_id, "?with_trashed=true")["data_version"]


# ---------------------------------------------------------------------------------------------
# data_version and deleted_by
# ---------------------------------------------------------------------------------------------


def test_trash_restore_and_purge_of_a_citizen_each_bump_the_data_version(
    client, admin, make_import
):
    make_import(four_in_two_towns())
    versions = [served_version(admin)]

    trash(client, f"{CITIZENS}/2")
    versions.append(served_version(admin))
    assert restore_citizen(admin, 2).status == 200
    versions.append(served_version(admin))
    assert admin.delete(f"{CITIZENS}/2?permanent=true").status == 204
    versions.append(served_version(admin))
    trash(client, f"{CITIZENS}/3")
    assert admin.delete(f"{CITIZENS}/3?permanent=true").status == 204  # a trashed one
    versions.append(served_version(admin))

    assert versions == [1, 2, 3, 4, 6]
    assert import_attributes(client)["data_version"] == 6


def test_trash_and_restore_of_an_import_each_bump_the_data_version(client, admin, make_import):
    make_import(four_in_two_towns())

    trash(client, "/imports/1")
    trashed = served_version(admin)
    restored = restore_import(admin).body["data"]["attributes"]["data_version"]

    assert (trashed, restored) == (2, 3)
    assert import_attributes(client)["data_version"] == 3


def test_aggregates_report_the_bumped_data_version(client, admin, make_import):
    make_import(four_in_two_towns())
    trash(client, f"{CITIZENS}/3")

    assert client.get(BIRTHDAYS).body["meta"]["data_version"] == 2
    assert restore_citizen(admin, 3).status == 200
    assert client.get(f"{PERCENTILES}?as_of=2020-06-30").body["meta"]["data_version"] == 3


def test_deleted_by_is_shown_to_admins_only_as_resource_meta(client, admin, reader, make_import):
    make_import(four_in_two_towns())
    make_import(four_in_two_towns())
    trash(client, f"{CITIZENS}/2")
    trash(client, "/imports/2")
    trash(admin, f"{CITIZENS}/3")

    citizens = admin.get(f"{CITIZENS}?with_trashed=true").body["data"]
    assert [r.get("meta") for r in citizens] == [
        None,
        {"deleted_by": "test-editor"},
        {"deleted_by": "test-admin"},
        None,
    ]
    detail = admin.get(f"{CITIZENS}/2?with_trashed=true").body["data"]
    assert detail["meta"] == {"deleted_by": "test-editor"}
    assert "deleted_by" not in detail["attributes"]
    imports = admin.get("/imports?with_trashed=true").body["data"]
    assert [r.get("meta") for r in imports] == [None, {"deleted_by": "test-editor"}]
    assert admin.get("/imports/2?with_trashed=true").body["data"]["meta"] == {
        "deleted_by": "test-editor"
    }
    for caller in (client, reader):
        for url in ("/imports", "/imports/1", CITIZENS, f"{CITIZENS}/1?include=relatives"):
            body = caller.get(url).body
            resources = body["data"] if isinstance(body["data"], list) else [body["data"]]
            resources += body.get("included", [])
            assert all("meta" not in r for r in resources), url
            assert all("deleted_by" not in r["attributes"] for r in resources), url


def test_restore_clears_deleted_by(client, admin, make_import):
    make_import(four_in_two_towns())
    trash(client, f"{CITIZENS}/2")
    trash(client, "/imports/1")

    assert "meta" not in restore_import(admin).body["data"]
    assert "meta" not in restore_citizen(admin, 2).body["data"]
    assert "meta" not in admin.get(f"{CITIZENS}/2?with_trashed=true").body["data"]
