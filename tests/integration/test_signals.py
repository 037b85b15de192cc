"""Change signals of a real app on PostgreSQL, and the recompute they queue on a real Redis.

`sent` (tests/conftest.py) records every signal of app.signals for each test. The `app` fixture
runs tasks in-process (no REDIS_URL); `queued` (tests/integration/conftest.py) builds an app whose
tasks go to Redis database BROKER_DB, where no worker consumes them, so the queue can be counted.
"""

import psycopg
import pytest

from app import signals
from app.recompute_marks import KEY as MARK
from app.tasks import purge_old_trash, recompute_aggregates
from harness.broker import queued_tasks
from harness.database import libpq_url
from tests.factories import (
    citizen,
    citizen_attributes,
    citizen_document,
    family_of_four,
    import_document,
    linkage,
)
from tests.integration.actions import (
    create_import,
    rename,
    restore_citizen,
    restore_import,
    set_birth_date,
)
from tests.integration.stored import AGGREGATE_KINDS, versions

BROKER_DB = 11
MARK_SECONDS = 120  # not the default (300): the marks' lifetime must follow the setting
QUEUED_CONFIG = {"RECOMPUTE_MARK_SECONDS": MARK_SECONDS}
RECOMPUTE = "app.tasks.recompute_aggregates"


def sends(log) -> list[tuple]:
    """What was sent, in order, checked to carry ids only.

    (signal name, import_id, citizen_ids) for a change, ("changes-committed", import_ids).
    """
    seen = []
    for name, kwargs in log:
        if name == "changes-committed":
            assert set(kwargs) == {"import_ids", "aggregates_affected"}, kwargs
            assert all(type(i) is int for i in kwargs["import_ids"]), kwargs
            assert kwargs["aggregates_affected"] <= kwargs["import_ids"], kwargs
            seen.append((name, kwargs["import_ids"]))
        else:
            assert set(kwargs) == {"import_id", "citizen_ids"}, kwargs
            assert type(kwargs["import_id"]) is int, kwargs
            assert type(kwargs["citizen_ids"]) is tuple, kwargs
            assert all(type(c) is int for c in kwargs["citizen_ids"]), kwargs
            seen.append((name, kwargs["import_id"], kwargs["citizen_ids"]))
    return seen


def committed(import_id: int) -> tuple:
    return ("changes-committed", frozenset({import_id}))


# Which signals a write sends ------------------------------------------------------------------


def test_creating_an_import_sends_import_created_then_changes_committed(client, sent):
    import_id = create_import(client, family_of_four())

    assert sends(sent) == [("import-created", import_id, ()), committed(import_id)]


def test_creating_a_citizen_sends_citizen_created(client, make_import, sent):
    make_import(family_of_four())
    sent.clear()

    reply = client.post(
        "/imports/1/citizens", json=citizen_document(1, citizen_attributes(5), relatives=[4])
    )

    assert reply.status == 201, reply.body
    # Citizen 4 gains a relative, so it changed too.
    assert sends(sent) == [
        ("citizen-created", 1, (5,)),
        ("citizen-updated", 1, (4,)),
        committed(1),
    ]


def test_a_patch_of_attributes_and_relatives_sends_one_update_and_one_commit(
    client, make_import, sent
):
    make_import(family_of_four())
    sent.clear()
    document = citizen_document(
        1, {"name": "Пётр", "apartment": 9}, relatives=[4], resource_id="1.1"
    )

    assert client.patch("/imports/1/citizens/1", json=document).status == 200

    updates = [s for s in sends(sent) if s[0] == "citizen-updated"]
    assert len(updates) == 1 and updates[0][1] == 1 and 1 in updates[0][2]
    assert [s for s in sends(sent) if s[0] == "changes-committed"] == [committed(1)]
    assert sends(sent)[-1] == committed(1)


@pytest.mark.parametrize(
    ("method", "url", "document"),
    [
        ("PATCH", "/imports/1/citizens/1", citizen_document(1, {}, [4], resource_id="1.1")),
        ("PATCH", "/imports/1/citizens/1/relationships/relatives", {"data": linkage(1, [4])}),
    ],
    ids=["citizen", "relationship"],
)
def test_replacing_relatives_names_every_citizen_whose_relatives_changed(
    client, make_import, sent, method, url, document
):
    make_import(family_of_four())  # 1's relative is 2; replacing it with 4 changes 1, 2 and 4
    sent.clear()

    assert client.request(method, url, json=document).status in (200, 204)

    updates = [s for s in sends(sent) if s[0] == "citizen-updated"]
    assert len(updates) == 1
    assert set(updates[0][2]) == {1, 2, 4}


def test_adding_and_removing_relatives_name_both_sides(client, make_import, sent):
    make_import(family_of_four())
    url = "/imports/1/citizens/1/relationships/relatives"
    sent.clear()

    assert client.post(url, json={"data": linkage(1, [4])}).status == 204
    assert client.delete(url, json={"data": linkage(1, [2])}).status == 204

    assert [(s[0], set(s[2])) for s in sends(sent) if s[0] == "citizen-updated"] == [
        ("citizen-updated", {1, 4}),
        ("citizen-updated", {1, 2}),
    ]


def test_trashing_and_restoring_a_citizen_send_their_signals(client, admin, make_import, sent):
    make_import(family_of_four())
    sent.clear()

    assert client.delete("/imports/1/citizens/3").status == 204
    assert sends(sent) == [("citizen-trashed", 1, (3,)), committed(1)]
    sent.clear()
    reply = restore_citizen(admin, 3)

    assert reply.status == 200, reply.body
    assert ("citizen-restored", 1, (3,)) in sends(sent)
    assert [s for s in sends(sent) if s[0] == "changes-committed"] == [committed(1)]


def test_purging_a_citizen_sends_citizen_purged_and_updates_its_relatives(admin, make_import, sent):
    make_import(family_of_four())
    sent.clear()

    assert admin.delete("/imports/1/citizens/2?permanent=true").status == 204

    # Citizen 1 loses its relative 2: its document changed too.
    assert sends(sent) == [
        ("citizen-purged", 1, (2,)),
        ("citizen-updated", 1, (1,)),
        committed(1),
    ]


def test_trashing_restoring_and_purging_an_import_send_their_signals(
    client, admin, make_import, sent
):
    make_import(family_of_four())
    sent.clear()

    assert client.delete("/imports/1").status == 204
    restored = restore_import(admin, 1)
    assert restored.status == 200, restored.body
    assert admin.delete("/imports/1?permanent=true").status == 204

    assert sends(sent) == [
        ("import-trashed", 1, ()),
        committed(1),
        ("import-restored", 1, ()),
        committed(1),
        ("import-purged", 1, ()),
        committed(1),
    ]


def test_purging_old_trash_sends_purged_signals_per_import(app, client, make_import, execute, sent):
    make_import(family_of_four())
    make_import(family_of_four())
    assert client.delete("/imports/1/citizens/3").status == 204
    assert client.delete("/imports/2").status == 204
    execute("UPDATE citizens SET deleted_at = now() - interval '40 days' WHERE citizen_id = 3")
    execute("UPDATE imports SET deleted_at = now() - interval '40 days' WHERE id = 2")
    sent.clear()

    with app.app_context():
        purge_old_trash.run()

    assert sends(sent) == [
        ("import-purged", 2, ()),
        committed(2),
        ("citizen-purged", 1, (3,)),
        committed(1),
    ]


# Refused writes and the committed state ------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "url", "document", "status"),
    [
        ("PATCH", "/imports/1/citizens/1", citizen_document(1, {}, [99], resource_id="1.1"), 404),
        (
            "PATCH",
            "/imports/1/citizens/1",
            citizen_document(1, {"apartment": -1}, None, "1.1"),
            422,
        ),
        ("POST", "/imports/1/citizens", citizen_document(1, citizen_attributes(2)), 409),
        ("POST", "/imports/1/citizens/1/relationships/relatives", {"data": linkage(1, [99])}, 404),
        ("DELETE", "/imports/1/citizens/99", None, 404),
        ("POST", "/imports", import_document([citizen(1, [2])]), 422),
    ],
    ids=[
        "missing-relative",
        "invalid-attribute",
        "taken-id",
        "missing-linkage",
        "missing",
        "bad-import",
    ],
)
def test_a_refused_write_sends_nothing_and_changes_nothing(
    client, make_import, sql, sent, method, url, document, status
):
    make_import(family_of_four())
    sent.clear()

    assert client.request(method, url, json=document).status == status

    assert sent == []
    assert sql("SELECT id, data_version FROM imports") == [(1, 1)]


def test_receivers_see_the_committed_change_from_another_connection(
    client, make_import, database_url
):
    make_import(family_of_four())
    seen = {}

    def look(_sender, import_id, **_ids):
        with psycopg.connect(libpq_url(database_url)) as connection:
            seen["row"] = connection.execute(
                "SELECT c.name, i.data_version FROM citizens c JOIN imports i ON i.id = c.import_id"
                " WHERE c.import_id = %s AND c.citizen_id = 1",
                (import_id,),
            ).fetchone()

    signals.citizen_updated.connect(look)
    try:
        rename(client, 1, 1, "Анна")
    finally:
        signals.citizen_updated.disconnect(look)

    assert seen["row"] == ("Анна", 2)


def test_every_commit_recomputes_the_aggregates_in_process_without_a_broker(
    client, make_import, sql
):
    make_import(family_of_four())

    rename(client, 1, 1, "Анна")
    assert client.delete("/imports/1/citizens/3").status == 204

    assert versions(sql, 1) == (3, dict.fromkeys(AGGREGATE_KINDS, 3))


# One queued recompute per import (Redis, no worker) ------------------------------------------


def test_a_write_queues_one_recompute_and_marks_it_queued(queued, broker):
    import_id = create_import(queued, family_of_four())

    assert queued_tasks(broker) == [(RECOMPUTE, [import_id])]
    assert 0 < broker.ttl(MARK.format(import_id)) <= MARK_SECONDS


def test_more_writes_to_a_queued_import_queue_nothing_more(queued, broker):
    import_id = create_import(queued, family_of_four())

    for born in ("1990-01-01", "1991-02-02", "1992-03-03"):
        set_birth_date(queued, import_id, 1, born)

    assert queued_tasks(broker) == [(RECOMPUTE, [import_id])]


def test_a_change_no_aggregate_depends_on_queues_nothing(queued, broker, sql):
    import_id = create_import(queued, family_of_four())
    with queued.flask.application.app_context():
        recompute_aggregates.run(import_id)

    for attributes in ({"name": "Анна"}, {"street": "Ленина"}, {"building": "2"},
                       {"apartment": 9}, {"gender": "female"}):  # fmt: skip
        document = citizen_document(import_id, attributes, resource_id=f"{import_id}.1")
        assert queued.patch(f"/imports/{import_id}/citizens/1", json=document).status == 200

    assert queued_tasks(broker) == [(RECOMPUTE, [import_id])]  # the import's own, done above
    assert versions(sql, import_id) == (6, dict.fromkeys(AGGREGATE_KINDS, 1))


def test_a_write_to_another_import_queues_its_own_recompute(queued, broker):
    first = create_import(queued, family_of_four())
    rename(queued, first, 1, "Анна")

    second = create_import(queued, family_of_four())

    assert queued_tasks(broker) == [(RECOMPUTE, [first]), (RECOMPUTE, [second])]
    assert broker.exists(MARK.format(first), MARK.format(second)) == 2


def test_a_removed_mark_lets_the_next_write_queue_again(queued, broker):
    import_id = create_import(queued, family_of_four())
    broker.delete(MARK.format(import_id))

    set_birth_date(queued, import_id, 1, "1990-01-01")

    assert queued_tasks(broker) == [(RECOMPUTE, [import_id]), (RECOMPUTE, [import_id])]


def test_a_recompute_clears_the_mark_so_the_next_write_queues_again(queued, broker, sql):
    import_id = create_import(queued, family_of_four())

    with queued.flask.application.app_context():
        recompute_aggregates.run(import_id)

    assert not broker.exists(MARK.format(import_id))
    assert versions(sql, import_id) == (1, dict.fromkeys(AGGREGATE_KINDS, 1))
    set_birth_date(queued, import_id, 1, "1990-01-01")
    assert queued_tasks(broker) == [(RECOMPUTE, [import_id]), (RECOMPUTE, [import_id])]
