"""Validators: a strong ETag on every GET, 304 for If-None-Match, and If-Match on every write, so
two editors of one citizen never silently overwrite each other (the contract's "Browsers,
caching and editing conflicts"). `client` is an editor, `admin` may see and restore trash."""

import pytest

from tests.factories import citizen_document, family_of_four, linkage, restore_document
from tests.integration.actions import rename

RELATIONSHIP = "/citizens/1.1/relationships/relatives"
READABLE = [
    "/",
    "/imports",
    "/imports/1",
    "/citizens",
    "/citizens/1.1",
    "/citizens/1.1?include=relatives",
    "/imports/1/citizens/1",
    RELATIONSHIP,
    "/citizens/1.1/relatives",
    "/citizens/1.1/import",
    "/imports/1/citizens",
    "/imports/1/birthdays",
    "/imports/1/town-age-stats",
]


@pytest.fixture
def four(make_import):
    make_import(family_of_four())


def tag_of(client, path: str) -> str:
    reply = client.get(path)
    assert reply.status == 200, reply.body
    return reply.headers["ETag"]


def name_patch(resource_id: str, name: str) -> dict:
    return citizen_document(1, {"name": name}, resource_id=resource_id)


# ETag, Cache-Control and 304 -------------------------------------------------------------------


@pytest.mark.parametrize("path", READABLE)
def test_every_get_has_a_strong_etag_and_must_be_revalidated(reader, four, path):
    reply = reader.get(path)

    assert reply.status == 200, reply.body
    tag = reply.headers["ETag"]
    assert tag.startswith('"') and tag.endswith('"') and len(tag) > 2  # strong: no W/
    assert reply.headers["Cache-Control"] == "private, no-cache"
    head = reader.flask.head(path, headers={"Authorization": f"Bearer {reader.token}"})
    assert head.status_code == 200 and head.headers["ETag"] == tag


@pytest.mark.parametrize("path", READABLE)
def test_if_none_match_with_the_current_tag_is_304_without_a_body(reader, four, path):
    tag = tag_of(reader, path)

    for condition in (tag, f'"stale", {tag}', "*"):
        reply = reader.get(path, headers={"If-None-Match": condition})
        assert reply.status == 304, condition
        assert reply.body is None and reply.headers["ETag"] == tag
    assert reader.get(path, headers={"If-None-Match": '"stale"'}).status == 200


def test_a_citizens_tag_changes_exactly_when_its_document_does(client, admin, four):
    def seen(path):
        reply = client.get(path)
        return reply.headers.get("ETag"), reply.body  # a trashed citizen: 404, no tag

    citizens = [f"/citizens/1.{n}" for n in (1, 2, 3, 4)]
    steps = [
        lambda: rename(client, 1, 1, "Анна"),  # 1 only
        lambda: client.post(RELATIONSHIP, json={"data": linkage(1, [4])}),  # 1 and 4
        lambda: client.delete("/citizens/1.2"),  # 2 goes: 1 no longer links to it
        lambda: admin.patch("/citizens/1.2?with_trashed=true", json=restore_document(1, 2)),
        lambda: rename(client, 1, 3, "Вера"),  # 3 only
    ]
    for step in steps:
        before = {path: seen(path) for path in citizens}
        step()
        for path in citizens:
            (old_tag, old_body), (new_tag, new_body) = before[path], seen(path)
            assert (old_tag != new_tag) == (old_body != new_body), path


def test_a_document_with_included_resources_changes_its_tag_with_them(client, four):
    tag = tag_of(client, "/citizens/1.1?include=relatives")
    plain = tag_of(client, "/citizens/1.1")

    rename(client, 1, 2, "Борис")  # citizen 2 is included, citizen 1 is unchanged

    assert tag_of(client, "/citizens/1.1?include=relatives") != tag
    assert tag_of(client, "/citizens/1.1") == plain


def test_documents_written_for_another_host_have_other_tags(client, four):
    for path in ("/citizens/1.1", "/imports/1", "/imports/1/citizens"):
        here = client.get(path)
        there = client.get(path, headers={"Host": "api.example"})
        assert here.body != there.body  # their links
        assert here.headers["ETag"] != there.headers["ETag"]


# If-Match: conflicts are 412 and change nothing -------------------------------------------------


def test_a_conflicting_edit_is_412_and_the_other_editors_change_stands(client, four, sql, sent):
    tag = tag_of(client, "/citizens/1.1")
    rename(client, 1, 1, "Борис")  # another editor, meanwhile
    sent.clear()

    reply = client.patch("/citizens/1.1", json=name_patch("1.1", "Анна"), headers={"If-Match": tag})

    assert reply.status == 412
    [error] = reply.errors
    assert error["title"] == "Precondition Failed"
    assert error["source"] == {"header": "If-Match"}
    assert "changed since you read it" in error["detail"]
    assert client.get("/citizens/1.1").body["data"]["attributes"]["name"] == "Борис"
    assert sent == []


@pytest.mark.parametrize(
    "source",
    ["/citizens/1.1", "/citizens/1.1?include=relatives", RELATIONSHIP, "/imports/1/citizens/1"],
)
def test_any_current_tag_of_the_citizen_lets_the_write_through(client, four, source):
    tag = tag_of(client, source)

    reply = client.patch("/citizens/1.1", json=name_patch("1.1", "Анна"), headers={"If-Match": tag})

    assert reply.status == 200, reply.body
    assert reply.headers["ETag"] == tag_of(client, "/citizens/1.1")


@pytest.mark.parametrize(
    "condition",
    ['"citizens/1.1@1-000000000000"', "W/{tag}", "{other}", '"not-a-tag"'],
    ids=["an old version", "a weak tag", "another citizen's tag", "a foreign tag"],
)
def test_a_tag_that_is_not_current_refuses_the_write(client, four, condition):
    condition = condition.format(
        tag=tag_of(client, "/citizens/1.1"), other=tag_of(client, "/citizens/1.2")
    )
    rename(client, 1, 1, "Борис")  # version 2 now

    reply = client.patch(
        "/citizens/1.1", json=name_patch("1.1", "Анна"), headers={"If-Match": condition}
    )

    assert reply.status == 412, condition


def test_if_match_star_matches_an_existing_record_and_a_missing_one_is_404(client, four):
    star = {"If-Match": "*"}
    assert client.patch("/citizens/1.1", json=name_patch("1.1", "Анна"), headers=star).status == 200
    missing = client.patch("/citizens/1.9", json=name_patch("1.9", "Анна"), headers=star)
    assert missing.status == 404


# (method, path, document, target: the URL whose representation the write changes)
WRITES = {
    "PATCH citizen": ("PATCH", "/citizens/1.1", name_patch("1.1", "Анна"), "/citizens/1.1"),
    "DELETE citizen": ("DELETE", "/citizens/1.1", None, "/citizens/1.1"),
    "DELETE citizen permanently": ("DELETE", "/citizens/1.1?permanent=true", None, None),
    "PATCH relatives": ("PATCH", RELATIONSHIP, {"data": linkage(1, [3])}, RELATIONSHIP),
    "POST relatives": ("POST", RELATIONSHIP, {"data": linkage(1, [4])}, RELATIONSHIP),
    "DELETE relatives": ("DELETE", RELATIONSHIP, {"data": linkage(1, [2])}, RELATIONSHIP),
    "PATCH import": ("PATCH", "/imports/1?with_trashed=true", restore_document(1), "/imports/1"),
    "DELETE import": ("DELETE", "/imports/1", None, "/imports/1"),
    "DELETE import permanently": ("DELETE", "/imports/1?permanent=true", None, None),
}


def stale_tag(admin, path: str) -> str:
    """A tag of the record `path` writes, made stale by another editor's change."""
    tag = tag_of(admin, "/imports/1" if path.startswith("/imports") else "/citizens/1.1")
    rename(admin, 1, 1, "Борис")  # moves the citizen's version and the import's
    return tag


@pytest.mark.parametrize("write", WRITES.values(), ids=WRITES.keys())
def test_every_write_with_a_stale_tag_is_412_and_changes_nothing(admin, four, sql, write):
    method, path, document, _target = write
    stale = stale_tag(admin, path)
    stored = "SELECT * FROM imports", "SELECT * FROM citizens ORDER BY 2", "SELECT * FROM kinship"
    before = [sql(statement) for statement in stored]

    reply = admin.request(method, path, json=document, headers={"If-Match": stale})

    assert reply.status == 412, reply.body
    assert [sql(statement) for statement in stored] == before


@pytest.mark.parametrize("write", WRITES.values(), ids=WRITES.keys())
def test_every_write_with_the_current_tag_answers_the_new_one(admin, four, write):
    method, path, document, target = write
    record = "/imports/1" if path.startswith("/imports") else RELATIONSHIP
    current = tag_of(admin, target or record)

    reply = admin.request(method, path, json=document, headers={"If-Match": current})

    assert reply.status in (200, 204), reply.body
    if target is None:
        assert "ETag" not in reply.headers  # deleted for good: nothing is left to tag
        return
    # What a GET of the target answers now (with_trashed: a trashed record is still there).
    assert reply.headers["ETag"] == tag_of(admin, f"{target}?with_trashed=true")
    restoring_a_live_import = method == "PATCH" and path.startswith("/imports")
    assert (reply.headers["ETag"] == current) == restoring_a_live_import


@pytest.mark.parametrize("path", ["/citizens/1.2", "/imports/1"])
def test_an_editors_trash_answers_the_tag_an_admin_then_reads(client, admin, four, path):
    reply = client.delete(path)

    assert reply.status == 204
    assert reply.headers["ETag"] == tag_of(admin, f"{path}?with_trashed=true")


def test_a_citizens_import_has_the_tag_of_the_import_itself(client, four):
    tag = tag_of(client, "/citizens/1.1/import")

    assert tag == tag_of(client, "/imports/1")
    reply = client.delete("/imports/1", headers={"If-Match": tag})
    assert reply.status == 204


@pytest.mark.parametrize(
    "parts",
    [
        {"attributes": {"name": "Анна"}},
        {"attributes": {"name": "Анна", "town": "Тверь"}, "relatives": [2, 4]},
        {"attributes": {"name": "Анна"}, "restore": True},
    ],
    ids=["name", "name-town-relatives", "restore-and-name"],
)
def test_a_write_moves_the_citizens_version_once_and_answers_it(client, admin, four, sql, parts):
    # The attribute UPDATE moves the version itself and returns the row; a restore or a
    # kinship change in the same PATCH must not move it a second time.
    if parts.get("restore"):
        assert client.delete("/citizens/1.1").status == 204
    version_before = sql("SELECT version FROM citizens WHERE citizen_id = 1")[0][0]
    document = citizen_document(1, parts["attributes"], parts.get("relatives"), resource_id="1.1")
    writer, query = (admin, "?with_trashed=true") if parts.get("restore") else (client, "")
    if parts.get("restore"):
        document["data"]["attributes"]["deleted_at"] = None

    reply = writer.patch(f"/citizens/1.1{query}", json=document)

    assert reply.status == 200, reply.body
    assert sql("SELECT version FROM citizens WHERE citizen_id = 1")[0][0] == version_before + 1
    assert reply.headers["ETag"] == tag_of(writer, "/citizens/1.1")
    assert reply.body["data"]["attributes"]["name"] == "Анна"
