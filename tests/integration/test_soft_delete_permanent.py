"""Soft deletes: permanent delete (permanent=true), of live and of trashed records.

`client` is an editor (sees no trash), `admin` may ask for with_trashed, only_trashed and
permanent=true; tests/factories.py's four_in_two_towns() is the import most tests trash from.
"""

import pytest

from tests.factories import (
    citizen,
    four_in_two_towns,
)
from tests.integration.actions import (
    ids,
    import_attributes,
    relatives,
    trash,
)
from tests.integration.stored import kinship_rows
from tests.robustness.seed import database_state

CITIZENS = "/imports/1/citizens"


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
    make_import(four_in_two_towns())
    make_import(four_in_two_towns())
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
    make_import(four_in_two_towns())
    trash(client, "/imports/1")

    assert admin.delete(f"{CITIZENS}/2?permanent=true").status == 204

    assert [r[0] for r in sql("SELECT citizen_id FROM citizens ORDER BY 1")] == [1, 3, 4]
    assert kinship_rows(sql) == [(1, 3), (3, 1), (3, 3)]
    assert import_attributes(admin, query="?with_trashed=true")["deleted_at"] is not None


def test_permanent_delete_of_a_missing_record_is_404(admin, make_import, sql):
    make_import(four_in_two_towns())
    before = database_state(sql)

    assert admin.delete("/imports/9?permanent=true").status == 404
    assert admin.delete(f"{CITIZENS}/9?permanent=true").status == 404
    assert database_state(sql) == before
