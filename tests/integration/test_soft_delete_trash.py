"""Soft deletes: trash. A trashed import or citizen keeps its rows but is gone from every URL,
list, count, linkage and aggregate.

`client` is an editor (sees no trash), `admin` may ask for with_trashed, only_trashed and
permanent=true; tests/factories.py's four_in_two_towns() is the import most tests trash from.
"""

from tests.factories import (
    citizen_attributes,
    citizen_document,
    four_in_two_towns,
    linkage,
    restore_document,
)
from tests.integration.actions import (
    ids,
    import_attributes,
    included_ids,
    linkage_ids,
    relatives,
    restore_citizen,
    trash,
)
from tests.integration.stored import kinship_rows
from tests.robustness.seed import database_state

CITIZENS = "/imports/1/citizens"
BIRTHDAYS = "/imports/1/citizens/birthdays"
PERCENTILES = "/imports/1/towns/stat/percentile/age"
NO_MONTHS = {str(m): [] for m in range(1, 13)}


# ---------------------------------------------------------------------------------------------
# Trash
# ---------------------------------------------------------------------------------------------


def test_delete_trashes_a_citizen_by_setting_deleted_at(client, admin, make_import, sql):
    make_import(four_in_two_towns())

    trash(client, f"{CITIZENS}/2")

    rows = sql("SELECT citizen_id, deleted_at IS NOT NULL FROM citizens ORDER BY 1")
    assert [tuple(r) for r in rows] == [(1, False), (2, True), (3, False), (4, False)]
    resource = admin.get(f"{CITIZENS}/2?with_trashed=true").body["data"]
    assert resource["attributes"]["deleted_at"].endswith("+00:00")
    assert resource["attributes"]["birth_date"] == "1985-06-01"


def test_delete_trashes_an_import_by_setting_deleted_at(client, admin, make_import, sql):
    make_import(four_in_two_towns())

    trash(client, "/imports/1")

    assert sql("SELECT count(*) FROM imports WHERE deleted_at IS NOT NULL")[0][0] == 1
    attributes = import_attributes(admin, query="?with_trashed=true")
    assert attributes["deleted_at"].endswith("+00:00")


def test_a_trashed_citizen_is_404_on_its_urls_and_nothing_changes(client, admin, make_import, sql):
    make_import(four_in_two_towns())
    trash(client, f"{CITIZENS}/2")
    before = database_state(sql)
    relationship = f"{CITIZENS}/2/relationships/relatives"

    replies = [
        client.get(f"{CITIZENS}/2"),
        client.get(relationship),
        client.patch(f"{CITIZENS}/2", json=citizen_document(1, {"town": "C"}, resource_id="1.2")),
        client.delete(f"{CITIZENS}/2"),
        client.post(relationship, json={"data": linkage(1, [4])}),
        client.patch(relationship, json={"data": linkage(1, [4])}),
        client.delete(relationship, json={"data": linkage(1, [1])}),
        admin.get(f"{CITIZENS}/2"),  # an admin too, unless asking for trash
    ]

    assert [r.status for r in replies] == [404] * len(replies)
    assert database_state(sql) == before


def test_a_trashed_import_is_404_on_its_urls_and_nothing_changes(client, admin, make_import, sql):
    make_import(four_in_two_towns())
    trash(client, "/imports/1")
    before = database_state(sql)
    relationship = f"{CITIZENS}/1/relationships/relatives"
    restore = restore_document(1)

    replies = [
        client.get("/imports/1"),
        client.get(CITIZENS),
        client.get(f"{CITIZENS}/1"),
        client.get(relationship),
        client.get(BIRTHDAYS),
        client.get(PERCENTILES),
        client.patch("/imports/1", json=restore),
        client.delete("/imports/1"),
        client.post(CITIZENS, json=citizen_document(1, citizen_attributes(5))),
        client.patch(f"{CITIZENS}/1", json=citizen_document(1, {"town": "C"}, resource_id="1.1")),
        client.delete(f"{CITIZENS}/1"),
        client.post(relationship, json={"data": linkage(1, [4])}),
        client.patch(relationship, json={"data": linkage(1, [4])}),
        client.delete(relationship, json={"data": linkage(1, [2])}),
        admin.get("/imports/1"),
        admin.get(BIRTHDAYS),
    ]

    assert [r.status for r in replies] == [404] * len(replies)
    assert database_state(sql) == before


def test_a_trashed_import_is_absent_from_the_imports_list_and_its_count(client, make_import):
    for _ in range(3):
        make_import(four_in_two_towns())

    trash(client, "/imports/2")

    reply = client.get("/imports")
    assert ids(reply) == ["1", "3"]
    assert reply.body["meta"]["count"] == 2
    assert client.get("/imports?page[size]=0").body["meta"]["count"] == 2


def test_a_trashed_citizen_is_absent_from_collections_counts_linkage_and_include(
    client, make_import
):
    make_import(four_in_two_towns())

    trash(client, f"{CITIZENS}/3")

    reply = client.get(CITIZENS)
    assert ids(reply) == ["1.1", "1.2", "1.4"]
    assert reply.body["meta"]["count"] == 3
    assert linkage_ids(reply.body["data"][0]) == ["1.2"]
    assert relatives(client, 1) == ["1.2"]
    assert import_attributes(client)["citizens_count"] == 3
    filtered = client.get(f"{CITIZENS}?filter[citizen_id]=3,4")
    assert ids(filtered) == ["1.4"] and filtered.body["meta"]["count"] == 1
    assert included_ids(client.get(f"{CITIZENS}/1?include=relatives")) == ["1.2"]
    assert included_ids(client.get(f"{CITIZENS}?filter[citizen_id]=1&include=relatives")) == ["1.2"]
    assert client.get("/imports").body["data"][0]["attributes"]["citizens_count"] == 3


def test_a_trashed_citizen_and_its_kinship_take_no_part_in_birthdays(client, make_import):
    make_import(four_in_two_towns())
    before = client.get(BIRTHDAYS).body["data"]["attributes"]["months"]

    trash(client, f"{CITIZENS}/3")

    months = client.get(BIRTHDAYS).body["data"]["attributes"]["months"]
    assert before == {
        **NO_MONTHS,
        "4": [
            {"citizen_id": 1, "presents": 1},
            {"citizen_id": 2, "presents": 1},
            {"citizen_id": 3, "presents": 2},
        ],
        "6": [{"citizen_id": 1, "presents": 1}],
    }
    assert months == {
        **NO_MONTHS,
        "4": [{"citizen_id": 2, "presents": 1}],
        "6": [{"citizen_id": 1, "presents": 1}],
    }


def test_trashed_citizens_take_no_part_in_age_percentiles(client, make_import):
    make_import(four_in_two_towns())  # ages on 2020-06-30: 1 → 30, 2 → 35, 3 → 20, 4 → 49
    before = client.get(f"{PERCENTILES}?as_of=2020-06-30").body

    trash(client, f"{CITIZENS}/2")
    trash(client, f"{CITIZENS}/3")

    after = client.get(f"{PERCENTILES}?as_of=2020-06-30").body
    assert [r["attributes"] for r in before["data"]] == [
        {"town": "A", "p50": 35.0, "p75": 42.0, "p99": 48.72},
        {"town": "B", "p50": 20.0, "p75": 20.0, "p99": 20.0},
    ]
    assert [r["attributes"] for r in after["data"]] == [
        {"town": "A", "p50": 39.5, "p75": 44.25, "p99": 48.81},
    ]
    assert after["meta"]["count"] == 1


def test_aggregates_count_a_restored_citizen_again(client, admin, make_import):
    make_import(four_in_two_towns())
    birthdays = client.get(BIRTHDAYS).body["data"]["attributes"]
    percentiles = client.get(f"{PERCENTILES}?as_of=2020-06-30").body["data"]
    trash(client, f"{CITIZENS}/3")

    assert restore_citizen(admin, 3).status == 200

    assert client.get(BIRTHDAYS).body["data"]["attributes"] == birthdays
    assert client.get(f"{PERCENTILES}?as_of=2020-06-30").body["data"] == percentiles


def test_trashing_an_import_does_not_write_to_its_citizens(client, make_import, sql):
    make_import(four_in_two_towns())
    trash(client, f"{CITIZENS}/4")
    citizens_before = sql("SELECT * FROM citizens ORDER BY citizen_id")
    kinship_before = kinship_rows(sql)

    trash(client, "/imports/1")

    assert sql("SELECT * FROM citizens ORDER BY citizen_id") == citizens_before
    assert kinship_rows(sql) == kinship_before
