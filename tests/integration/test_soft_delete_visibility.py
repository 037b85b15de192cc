"""Soft deletes: what admins see of the trash with with_trashed and only_trashed.

`client` is an editor (sees no trash), `admin` may ask for with_trashed, only_trashed and
permanent=true; tests/factories.py's four_in_two_towns() is the import most tests trash from.
"""

from tests.factories import (
    four_in_two_towns,
)
from tests.integration.actions import (
    ids,
    import_attributes,
    included_ids,
    linkage_ids,
    relatives,
    trash,
)

CITIZENS = "/imports/1/citizens"


# ---------------------------------------------------------------------------------------------
# What admins see with with_trashed and only_trashed
# ---------------------------------------------------------------------------------------------


def test_with_trashed_shows_trashed_citizens_in_collections_detail_linkage_and_counts(
    client, admin, make_import
):
    make_import(four_in_two_towns())
    trash(client, f"{CITIZENS}/3")

    reply = admin.get(f"{CITIZENS}?with_trashed=true")

    assert ids(reply) == ["1.1", "1.2", "1.3", "1.4"]
    assert reply.body["meta"]["count"] == 4
    assert linkage_ids(reply.body["data"][0]) == ["1.2", "1.3"]
    assert linkage_ids(reply.body["data"][2]) == ["1.1", "1.3"]
    assert reply.body["data"][2]["attributes"]["deleted_at"] is not None
    detail = admin.get(f"{CITIZENS}/3?with_trashed=true")
    assert detail.status == 200 and linkage_ids(detail.body["data"]) == ["1.1", "1.3"]
    assert relatives(admin, 1, "?with_trashed=true") == ["1.2", "1.3"]
    assert relatives(admin, 3, "?with_trashed=true") == ["1.1", "1.3"]
    assert import_attributes(admin, query="?with_trashed=true")["citizens_count"] == 4
    # Without the parameter an admin sees what everyone sees.
    assert ids(admin.get(CITIZENS)) == ["1.1", "1.2", "1.4"]
    assert relatives(admin, 1) == ["1.2"]


def test_with_trashed_includes_trashed_relatives(client, admin, make_import):
    make_import(four_in_two_towns())
    trash(client, f"{CITIZENS}/3")

    single = admin.get(f"{CITIZENS}/1?with_trashed=true&include=relatives")
    listed = admin.get(f"{CITIZENS}?with_trashed=true&include=relatives&filter[citizen_id]=1")

    assert included_ids(single) == ["1.2", "1.3"]
    assert included_ids(listed) == ["1.2", "1.3"]
    included = single.body["included"][1]
    assert included["attributes"]["deleted_at"] is not None
    assert included["meta"] == {"deleted_by": "test-editor"}
    assert linkage_ids(included) == ["1.1", "1.3"]


def test_page_links_keep_with_trashed_so_every_page_shows_the_same_set(client, admin, make_import):
    make_import(four_in_two_towns())
    trash(client, f"{CITIZENS}/1")

    first = admin.get(f"{CITIZENS}?with_trashed=true&page[size]=2")
    second = admin.get(first.body["links"]["next"])

    assert ids(first) == ["1.1", "1.2"] and ids(second) == ["1.3", "1.4"]
    assert second.body["meta"]["count"] == 4
    assert "with_trashed=true" in first.body["links"]["last"]


def test_with_trashed_shows_a_trashed_import_and_its_citizens(client, admin, make_import):
    for _ in range(2):
        make_import(four_in_two_towns())
    trash(client, "/imports/1")

    listed = admin.get("/imports?with_trashed=true")
    assert ids(listed) == ["1", "2"] and listed.body["meta"]["count"] == 2
    attributes = import_attributes(admin, query="?with_trashed=true")
    assert attributes["deleted_at"] is not None and attributes["citizens_count"] == 4
    citizens = admin.get(f"{CITIZENS}?with_trashed=true")
    assert ids(citizens) == ["1.1", "1.2", "1.3", "1.4"]
    assert citizens.body["meta"]["count"] == 4
    assert [r["attributes"]["deleted_at"] for r in citizens.body["data"]] == [None] * 4
    assert linkage_ids(citizens.body["data"][0]) == ["1.2", "1.3"]
    assert included_ids(admin.get(f"{CITIZENS}/1?with_trashed=true&include=relatives")) == [
        "1.2",
        "1.3",
    ]
    assert relatives(admin, 3, "?with_trashed=true") == ["1.1", "1.3"]


def test_only_trashed_lists_only_trashed_imports(client, admin, make_import):
    for _ in range(3):
        make_import(four_in_two_towns())
    trash(client, "/imports/2")

    reply = admin.get("/imports?only_trashed=true")

    assert ids(reply) == ["2"]
    assert reply.body["meta"]["count"] == 1
    assert reply.body["data"][0]["attributes"]["deleted_at"] is not None


def test_only_trashed_lists_only_trashed_citizens(client, admin, make_import):
    make_import(four_in_two_towns())
    trash(client, f"{CITIZENS}/2")
    trash(client, f"{CITIZENS}/4")

    reply = admin.get(f"{CITIZENS}?only_trashed=true")

    assert ids(reply) == ["1.2", "1.4"]
    assert reply.body["meta"]["count"] == 2
    assert all(r["attributes"]["deleted_at"] is not None for r in reply.body["data"])


def test_citizens_count_counts_all_citizens_when_trash_is_in_view(client, admin, make_import):
    for _ in range(2):
        make_import(four_in_two_towns())
    trash(client, f"{CITIZENS}/2")
    trash(client, "/imports/2/citizens/3")
    trash(client, "/imports/2")

    assert import_attributes(client)["citizens_count"] == 3
    assert import_attributes(admin, query="?with_trashed=true")["citizens_count"] == 4
    listed = admin.get("/imports?with_trashed=true").body["data"]
    assert [r["attributes"]["citizens_count"] for r in listed] == [4, 4]
    only = admin.get("/imports?only_trashed=true").body["data"]
    assert [r["attributes"]["citizens_count"] for r in only] == [4]
