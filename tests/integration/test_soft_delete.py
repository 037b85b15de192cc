"""Soft deletes: trash, the admin's views of it, restore, permanent delete and data_version.

`client` is an editor (sees no trash), `admin` may ask for with_trashed, only_trashed and
permanent=true. Each test is named after the rule of the contract's "Soft deletes" it checks.
"""

import pytest

from tests.factories import citizen, citizen_attributes, citizen_document, linkage

CITIZENS = "/imports/1/citizens"
BIRTHDAYS = f"{CITIZENS}/birthdays"
PERCENTILES = "/imports/1/towns/stat/percentile/age"
NO_MONTHS = {str(m): [] for m in range(1, 13)}


def four() -> list[dict]:
    """1-2 and 1-3 are relatives, 3 is its own relative, 4 has none; towns A and B."""
    return [
        citizen(1, [2, 3], birth_date="1990-04-10", town="A"),
        citizen(2, [1], birth_date="1985-06-01", town="A"),
        citizen(3, [1, 3], birth_date="2000-04-20", town="B"),
        citizen(4, [], birth_date="1970-12-31", town="A"),
    ]


def ids(reply) -> list[str]:
    assert reply.status == 200, reply.body
    return [r["id"] for r in reply.body["data"]]


def included_ids(reply) -> list[str]:
    assert reply.status == 200, reply.body
    return [r["id"] for r in reply.body["included"]]


def relatives(client, citizen_id: int, query: str = "") -> list[str]:
    reply = client.get(f"{CITIZENS}/{citizen_id}/relationships/relatives{query}")
    assert reply.status == 200, reply.body
    return [r["id"] for r in reply.body["data"]]


def linkage_ids(resource: dict) -> list[str]:
    return [r["id"] for r in resource["relationships"]["relatives"]["data"]]


def import_attributes(client, import_id: int = 1, query: str = "") -> dict:
    reply = client.get(f"/imports/{import_id}{query}")
    assert reply.status == 200, reply.body
    return reply.body["data"]["attributes"]


def data_version(admin, import_id: int = 1) -> int:
    return import_attributes(admin, import_id, "?with_trashed=true")["data_version"]


def restore_import(admin, import_id: int = 1):
    document = {
        "data": {"type": "imports", "id": str(import_id), "attributes": {"deleted_at": None}}
    }
    return admin.patch(f"/imports/{import_id}?with_trashed=true", json=document)


def restore_citizen(admin, citizen_id: int):
    document = citizen_document(1, {"deleted_at": None}, resource_id=f"1.{citizen_id}")
    return admin.patch(f"{CITIZENS}/{citizen_id}?with_trashed=true", json=document)


def trash(client, url: str) -> None:
    reply = client.delete(url)
    assert reply.status == 204, reply.body


def everything(client) -> dict:
    """What a caller sees of import 1: the import (less its version) and every citizen."""
    attributes = import_attributes(client)
    del attributes["data_version"]
    reply = client.get(f"{CITIZENS}?page[size]=0&include=relatives")
    assert reply.status == 200
    return {"import": attributes, "citizens": reply.body["data"], "meta": reply.body["meta"]}


def kinship_rows(sql, import_id: int = 1) -> list[tuple[int, int]]:
    rows = sql(
        "SELECT citizen_id, relative_id FROM kinship WHERE import_id = :i ORDER BY 1, 2",
        i=import_id,
    )
    return [tuple(row) for row in rows]


def stored(sql) -> tuple:
    return (
        sql("SELECT id, data_version, deleted_at FROM imports ORDER BY id"),
        sql("SELECT import_id, citizen_id, town, deleted_at FROM citizens ORDER BY 1, 2"),
        sql("SELECT import_id, citizen_id, relative_id FROM kinship ORDER BY 1, 2, 3"),
    )


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
        return {"data": {"type": "imports", "attributes": {"citizens": four()}}}
    if method == "POST":
        return citizen_document(1, citizen_attributes(5))
    if method == "PATCH" and url.startswith(f"{CITIZENS}/1"):
        return citizen_document(1, {"town": "C"}, resource_id="1.1")
    if method == "PATCH":
        return {"data": {"type": "imports", "id": "1", "attributes": {"deleted_at": None}}}
    return None


@pytest.mark.parametrize(("method", "url", "parameter"), MISPLACED)
def test_admin_parameters_where_they_mean_nothing_are_400_and_change_nothing(
    admin, make_import, sql, method, url, parameter
):
    make_import(four())
    before = stored(sql)

    reply = admin.request(method, url, json=body_for(method, url))

    assert reply.status == 400, reply.body
    assert [e.get("source") for e in reply.errors] == [{"parameter": parameter}]
    assert stored(sql) == before


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
    make_import(four())
    before = stored(sql)

    reply = admin.request(method, url + value)

    assert reply.status == 400, reply.body
    assert [e.get("source") for e in reply.errors] == [{"parameter": parameter}]
    assert stored(sql) == before


@pytest.mark.parametrize("url", ["/imports", CITIZENS])
def test_with_trashed_and_only_trashed_together_are_400(admin, make_import, url):
    make_import(four())

    reply = admin.get(f"{url}?with_trashed=true&only_trashed=true")

    assert reply.status == 400
    assert reply.errors[0]["source"]["parameter"] in ("with_trashed", "only_trashed")


# ---------------------------------------------------------------------------------------------
# Trash
# ---------------------------------------------------------------------------------------------


def test_delete_trashes_a_citizen_by_setting_deleted_at(client, admin, make_import, sql):
    make_import(four())

    trash(client, f"{CITIZENS}/2")

    rows = sql("SELECT citizen_id, deleted_at IS NOT NULL FROM citizens ORDER BY 1")
    assert [tuple(r) for r in rows] == [(1, False), (2, True), (3, False), (4, False)]
    resource = admin.get(f"{CITIZENS}/2?with_trashed=true").body["data"]
    assert resource["attributes"]["deleted_at"].endswith("+00:00")
    assert resource["attributes"]["birth_date"] == "1985-06-01"


def test_delete_trashes_an_import_by_setting_deleted_at(client, admin, make_import, sql):
    make_import(four())

    trash(client, "/imports/1")

    assert sql("SELECT count(*) FROM imports WHERE deleted_at IS NOT NULL")[0][0] == 1
    attributes = import_attributes(admin, query="?with_trashed=true")
    assert attributes["deleted_at"].endswith("+00:00")


def test_a_trashed_citizen_is_404_on_its_urls_and_nothing_changes(client, admin, make_import, sql):
    make_import(four())
    trash(client, f"{CITIZENS}/2")
    before = stored(sql)
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
    assert stored(sql) == before


def test_a_trashed_import_is_404_on_its_urls_and_nothing_changes(client, admin, make_import, sql):
    make_import(four())
    trash(client, "/imports/1")
    before = stored(sql)
    relationship = f"{CITIZENS}/1/relationships/relatives"
    restore = {"data": {"type": "imports", "id": "1", "attributes": {"deleted_at": None}}}

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
    assert stored(sql) == before


def test_a_trashed_import_is_absent_from_the_imports_list_and_its_count(client, make_import):
    for _ in range(3):
        make_import(four())

    trash(client, "/imports/2")

    reply = client.get("/imports")
    assert ids(reply) == ["1", "3"]
    assert reply.body["meta"]["count"] == 2
    assert client.get("/imports?page[size]=0").body["meta"]["count"] == 2


def test_a_trashed_citizen_is_absent_from_collections_counts_linkage_and_include(
    client, make_import
):
    make_import(four())

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
    make_import(four())
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
    make_import(four())  # ages on 2020-06-30: 1 → 30, 2 → 35, 3 → 20, 4 → 49
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
    make_import(four())
    birthdays = client.get(BIRTHDAYS).body["data"]["attributes"]
    percentiles = client.get(f"{PERCENTILES}?as_of=2020-06-30").body["data"]
    trash(client, f"{CITIZENS}/3")

    assert restore_citizen(admin, 3).status == 200

    assert client.get(BIRTHDAYS).body["data"]["attributes"] == birthdays
    assert client.get(f"{PERCENTILES}?as_of=2020-06-30").body["data"] == percentiles


def test_trashing_an_import_does_not_write_to_its_citizens(client, make_import, sql):
    make_import(four())
    trash(client, f"{CITIZENS}/4")
    citizens_before = sql("SELECT * FROM citizens ORDER BY citizen_id")
    kinship_before = kinship_rows(sql)

    trash(client, "/imports/1")

    assert sql("SELECT * FROM citizens ORDER BY citizen_id") == citizens_before
    assert kinship_rows(sql) == kinship_before


# ---------------------------------------------------------------------------------------------
# What admins see with with_trashed and only_trashed
# ---------------------------------------------------------------------------------------------


def test_with_trashed_shows_trashed_citizens_in_collections_detail_linkage_and_counts(
    client, admin, make_import
):
    make_import(four())
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
    make_import(four())
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
    make_import(four())
    trash(client, f"{CITIZENS}/1")

    first = admin.get(f"{CITIZENS}?with_trashed=true&page[size]=2")
    second = admin.get(first.body["links"]["next"])

    assert ids(first) == ["1.1", "1.2"] and ids(second) == ["1.3", "1.4"]
    assert second.body["meta"]["count"] == 4
    assert "with_trashed=true" in first.body["links"]["last"]


def test_with_trashed_shows_a_trashed_import_and_its_citizens(client, admin, make_import):
    for _ in range(2):
        make_import(four())
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
        make_import(four())
    trash(client, "/imports/2")

    reply = admin.get("/imports?only_trashed=true")

    assert ids(reply) == ["2"]
    assert reply.body["meta"]["count"] == 1
    assert reply.body["data"][0]["attributes"]["deleted_at"] is not None


def test_only_trashed_lists_only_trashed_citizens(client, admin, make_import):
    make_import(four())
    trash(client, f"{CITIZENS}/2")
    trash(client, f"{CITIZENS}/4")

    reply = admin.get(f"{CITIZENS}?only_trashed=true")

    assert ids(reply) == ["1.2", "1.4"]
    assert reply.body["meta"]["count"] == 2
    assert all(r["attributes"]["deleted_at"] is not None for r in reply.body["data"])


def test_citizens_count_counts_all_citizens_when_trash_is_in_view(client, admin, make_import):
    for _ in range(2):
        make_import(four())
    trash(client, f"{CITIZENS}/2")
    trash(client, "/imports/2/citizens/3")
    trash(client, "/imports/2")

    assert import_attributes(client)["citizens_count"] == 3
    assert import_attributes(admin, query="?with_trashed=true")["citizens_count"] == 4
    listed = admin.get("/imports?with_trashed=true").body["data"]
    assert [r["attributes"]["citizens_count"] for r in listed] == [4, 4]
    only = admin.get("/imports?only_trashed=true").body["data"]
    assert [r["attributes"]["citizens_count"] for r in only] == [4]


# ---------------------------------------------------------------------------------------------
# Restore
# ---------------------------------------------------------------------------------------------


def test_restoring_an_import_brings_back_exactly_what_was_visible_before(
    client, admin, make_import, sql
):
    make_import(four())
    trash(client, f"{CITIZENS}/2")
    visible = everything(client)
    trashed_citizen = admin.get(f"{CITIZENS}/2?with_trashed=true").body["data"]
    trash(client, "/imports/1")

    reply = restore_import(admin)

    assert reply.status == 200, reply.body
    assert reply.body["data"]["attributes"]["deleted_at"] is None
    assert everything(client) == visible
    assert client.get(f"{CITIZENS}/2").status == 404  # trashed before the import: stays trashed
    assert admin.get(f"{CITIZENS}/2?with_trashed=true").body["data"] == trashed_citizen
    assert kinship_rows(sql) == [(1, 2), (1, 3), (2, 1), (3, 1), (3, 3)]


def test_restoring_a_citizen_brings_back_exactly_its_kinship(client, admin, make_import, sql):
    make_import(
        [
            citizen(1, [2, 3]),
            citizen(2, [1, 2]),
            citizen(3, [1]),
            citizen(4, []),
        ]
    )
    visible = everything(client)
    rows = kinship_rows(sql)
    trash(client, f"{CITIZENS}/2")
    assert relatives(client, 1) == ["1.3"]

    reply = restore_citizen(admin, 2)

    assert reply.status == 200, reply.body
    assert reply.body["data"]["attributes"]["deleted_at"] is None
    assert linkage_ids(reply.body["data"]) == ["1.1", "1.2"]
    assert everything(client) == visible
    assert kinship_rows(sql) == rows


def test_restoring_needs_with_trashed(client, admin, make_import):
    make_import(four())
    trash(client, f"{CITIZENS}/2")
    document = citizen_document(1, {"deleted_at": None}, resource_id="1.2")

    assert admin.patch(f"{CITIZENS}/2", json=document).status == 404
    assert client.get(f"{CITIZENS}/2").status == 404


@pytest.mark.parametrize("how", ["relationship", "citizen"])
def test_replacing_relatives_replaces_only_the_visible_ones(client, admin, make_import, sql, how):
    make_import(four())
    trash(client, f"{CITIZENS}/2")

    if how == "relationship":
        url = f"{CITIZENS}/1/relationships/relatives"
        reply = client.patch(url, json={"data": linkage(1, [4])})
        assert reply.status == 204, reply.body
    else:
        document = citizen_document(1, {}, relatives=[4], resource_id="1.1")
        reply = client.patch(f"{CITIZENS}/1", json=document)
        assert reply.status == 200, reply.body
        assert linkage_ids(reply.body["data"]) == ["1.4"]

    assert relatives(client, 1) == ["1.4"]
    assert relatives(client, 3) == ["1.3"]
    assert kinship_rows(sql) == [(1, 2), (1, 4), (2, 1), (3, 3), (4, 1)]
    assert restore_citizen(admin, 2).status == 200
    assert relatives(client, 1) == ["1.2", "1.4"]
    assert relatives(client, 2) == ["1.1"]


# ---------------------------------------------------------------------------------------------
# Trashed citizens and new references
# ---------------------------------------------------------------------------------------------

NAMING_THE_TRASHED = [
    (
        "POST",
        CITIZENS,
        citizen_document(1, citizen_attributes(5), relatives=[1, 2]),
        "/data/relationships/relatives/data/1",
    ),
    (
        "PATCH",
        f"{CITIZENS}/1",
        citizen_document(1, {}, relatives=[2], resource_id="1.1"),
        "/data/relationships/relatives/data/0",
    ),
    ("POST", f"{CITIZENS}/4/relationships/relatives", {"data": linkage(1, [2])}, "/data/0"),
    ("PATCH", f"{CITIZENS}/4/relationships/relatives", {"data": linkage(1, [1, 2])}, "/data/1"),
    ("DELETE", f"{CITIZENS}/1/relationships/relatives", {"data": linkage(1, [2])}, "/data/0"),
]


@pytest.mark.parametrize(("method", "url", "body", "pointer"), NAMING_THE_TRASHED)
def test_naming_a_trashed_citizen_as_a_relative_is_404(
    client, admin, make_import, sql, method, url, body, pointer
):
    make_import(four())
    trash(client, f"{CITIZENS}/2")
    before = stored(sql)

    reply = client.request(method, url, json=body)

    assert reply.status == 404, reply.body
    assert reply.error_pointers() == [pointer]
    assert stored(sql) == before


def test_a_citizen_id_held_by_a_trashed_citizen_is_409_saying_restore_or_purge(
    client, admin, make_import, sql
):
    make_import(four())
    trash(client, f"{CITIZENS}/2")

    reply = client.post(CITIZENS, json=citizen_document(1, citizen_attributes(2)))

    assert reply.status == 409
    detail = reply.errors[0]["detail"]
    assert "restore" in detail and "purge" in detail
    assert data_version(admin) == 2
    assert admin.delete(f"{CITIZENS}/2?permanent=true").status == 204
    assert client.post(CITIZENS, json=citizen_document(1, citizen_attributes(2))).status == 201


# ---------------------------------------------------------------------------------------------
# Permanent delete
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("trashed_first", [False, True], ids=["live", "trashed"])
def test_permanent_delete_removes_a_citizen_with_every_kinship_row(
    client, admin, make_import, sql, trashed_first
):
    make_import([citizen(1, [2, 3]), citizen(2, [1, 2]), citizen(3, [1]), citizen(4, [])])
    make_import([citizen(1, [2]), citizen(2, [1])])
    if trashed_first:
        trash(client, f"{CITIZENS}/2")

    reply = admin.delete(f"{CITIZENS}/2?permanent=true")

    assert reply.status == 204
    assert sql("SELECT citizen_id FROM citizens WHERE import_id = 1 ORDER BY 1") == [
        (1,),
        (3,),
        (4,),
    ]
    assert kinship_rows(sql) == [(1, 3), (3, 1)]
    assert kinship_rows(sql, 2) == [(1, 2), (2, 1)]  # another import's citizen 2 stays
    assert admin.get(f"{CITIZENS}/2?with_trashed=true").status == 404
    assert relatives(admin, 1, "?with_trashed=true") == ["1.3"]


@pytest.mark.parametrize("trashed_first", [False, True], ids=["live", "trashed"])
def test_permanent_delete_removes_an_import_with_everything(
    client, admin, make_import, sql, trashed_first
):
    make_import(four())
    make_import(four())
    if trashed_first:
        trash(client, "/imports/1")

    reply = admin.delete("/imports/1?permanent=true")

    assert reply.status == 204
    assert sql("SELECT id FROM imports") == [(2,)]
    assert sql("SELECT DISTINCT import_id FROM citizens") == [(2,)]
    assert sql("SELECT DISTINCT import_id FROM kinship") == [(2,)]
    assert admin.get("/imports/1?with_trashed=true").status == 404
    assert ids(admin.get("/imports?with_trashed=true")) == ["2"]


def test_permanent_delete_reaches_a_citizen_of_a_trashed_import(client, admin, make_import, sql):
    make_import(four())
    trash(client, "/imports/1")

    assert admin.delete(f"{CITIZENS}/2?permanent=true").status == 204

    assert [r[0] for r in sql("SELECT citizen_id FROM citizens ORDER BY 1")] == [1, 3, 4]
    assert kinship_rows(sql) == [(1, 3), (3, 1), (3, 3)]
    assert import_attributes(admin, query="?with_trashed=true")["deleted_at"] is not None


def test_permanent_delete_of_a_missing_record_is_404(admin, make_import, sql):
    make_import(four())
    before = stored(sql)

    assert admin.delete("/imports/9?permanent=true").status == 404
    assert admin.delete(f"{CITIZENS}/9?permanent=true").status == 404
    assert stored(sql) == before


# ---------------------------------------------------------------------------------------------
# data_version and deleted_by
# ---------------------------------------------------------------------------------------------


def test_trash_restore_and_purge_of_a_citizen_each_bump_the_data_version(
    client, admin, make_import
):
    make_import(four())
    versions = [data_version(admin)]

    trash(client, f"{CITIZENS}/2")
    versions.append(data_version(admin))
    assert restore_citizen(admin, 2).status == 200
    versions.append(data_version(admin))
    assert admin.delete(f"{CITIZENS}/2?permanent=true").status == 204
    versions.append(data_version(admin))
    trash(client, f"{CITIZENS}/3")
    assert admin.delete(f"{CITIZENS}/3?permanent=true").status == 204  # a trashed one
    versions.append(data_version(admin))

    assert versions == [1, 2, 3, 4, 6]
    assert import_attributes(client)["data_version"] == 6


def test_trash_and_restore_of_an_import_each_bump_the_data_version(client, admin, make_import):
    make_import(four())

    trash(client, "/imports/1")
    trashed = data_version(admin)
    restored = restore_import(admin).body["data"]["attributes"]["data_version"]

    assert (trashed, restored) == (2, 3)
    assert import_attributes(client)["data_version"] == 3


def test_aggregates_report_the_bumped_data_version(client, admin, make_import):
    make_import(four())
    trash(client, f"{CITIZENS}/3")

    assert client.get(BIRTHDAYS).body["meta"]["data_version"] == 2
    assert restore_citizen(admin, 3).status == 200
    assert client.get(f"{PERCENTILES}?as_of=2020-06-30").body["meta"]["data_version"] == 3


def test_deleted_by_is_shown_to_admins_only_as_resource_meta(client, admin, reader, make_import):
    make_import(four())
    make_import(four())
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
    make_import(four())
    trash(client, f"{CITIZENS}/2")
    trash(client, "/imports/1")

    assert "meta" not in restore_import(admin).body["data"]
    assert "meta" not in restore_citizen(admin, 2).body["data"]
    assert "meta" not in admin.get(f"{CITIZENS}/2?with_trashed=true").body["data"]
