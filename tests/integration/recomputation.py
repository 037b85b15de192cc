"""The aggregates as the rows say they should be, to judge what the service serves and stores.

The rows are read with plain SQL of our own, not through the service, and counted with the
app's pure functions in app.domain: a wrong snapshot, a stale store or a lost recompute shows
up as a difference, while the arithmetic itself is the unit tests' business.

`sql(statement, **params) -> rows` runs SQL on the database under test (the `sql` fixture).
"""

from datetime import date

from app.domain.birthdays import birthdays
from app.domain.percentiles import town_age_percentiles

LIVE_KINSHIP = """
    SELECT k.citizen_id, k.relative_id, relative.birth_date
    FROM kinship k
    JOIN citizens citizen
      ON citizen.import_id = k.import_id AND citizen.citizen_id = k.citizen_id
    JOIN citizens relative
      ON relative.import_id = k.import_id AND relative.citizen_id = k.relative_id
    WHERE k.import_id = :import_id
      AND citizen.deleted_at IS NULL AND relative.deleted_at IS NULL
"""


def kinship_pairs(sql, import_id: int) -> set[tuple[int, int]]:
    """(citizen, relative) of every stored kinship row of the import, trash included."""
    rows = sql(
        "SELECT citizen_id, relative_id FROM kinship WHERE import_id = :import_id",
        import_id=import_id,
    )
    return {(citizen_id, relative_id) for citizen_id, relative_id in rows}


def assert_kinship_mutual(sql, import_id: int) -> None:
    pairs = kinship_pairs(sql, import_id)
    one_sided = sorted((c, r) for c, r in pairs if (r, c) not in pairs)
    assert not one_sided, f"import {import_id}: kinship rows without their mirror: {one_sided}"


def recomputed_birthdays(sql, import_id: int) -> dict:
    rows = sql(LIVE_KINSHIP, import_id=import_id)
    return birthdays((citizen_id, born.month) for citizen_id, _relative, born in rows)


def recomputed_percentiles(sql, import_id: int, as_of: date) -> list[dict]:
    rows = sql(
        "SELECT town, birth_date FROM citizens WHERE import_id = :import_id AND deleted_at IS NULL",
        import_id=import_id,
    )
    return town_age_percentiles([tuple(row) for row in rows], as_of)


def assert_stored_aggregates_match_the_rows(sql, import_id: int) -> set[str]:
    """Every stored aggregate stamped with the import's current version equals a recomputation.

    Returns the kinds stored as current (an older stamp is never served, so it is not judged).
    """
    current = sql("SELECT data_version FROM imports WHERE id = :i", i=import_id)[0][0]
    rows = sql(
        "SELECT kind, as_of, document FROM stored_aggregates"
        " WHERE import_id = :i AND data_version = :v",
        i=import_id,
        v=current,
    )
    for kind, as_of, document in rows:
        if kind == "birthdays":
            expected = recomputed_birthdays(sql, import_id)
        else:
            expected = recomputed_percentiles(sql, import_id, as_of)
        assert document == expected, f"import {import_id}: stored {kind} at version {current}"
    return {kind for kind, _as_of, _document in rows}


def getter_of(client):
    """`get(path) -> body` of a 200, through a JSON:API test client (tests.jsonapi_client)."""

    def get(path: str) -> dict:
        reply = client.get(path)
        assert reply.status == 200, reply.body
        return reply.body

    return get


def assert_served_aggregates_match_the_rows(get, sql, import_id: int) -> list[dict]:
    """GET both aggregates (`get(path) -> body` of a 200) and compare them with a recomputation.

    Returns the `meta` of both replies, to say whether they came from the store.
    """
    base = f"/imports/{import_id}"
    served_birthdays = get(f"{base}/citizens/birthdays")
    assert served_birthdays["data"]["attributes"]["months"] == recomputed_birthdays(
        sql, import_id
    ), f"import {import_id}: served birthdays"

    percentiles = get(f"{base}/towns/stat/percentile/age?page[size]=1000")
    as_of = date.fromisoformat(percentiles["meta"]["as_of"])
    assert served_percentiles(percentiles) == recomputed_percentiles(sql, import_id, as_of), (
        f"import {import_id}: served percentiles"
    )
    return [served_birthdays["meta"], percentiles["meta"]]


def served_percentiles(document: dict) -> list[dict]:
    """A town-age-stats document's entries in the form of app.domain's percentiles."""
    return [
        {"town": s["attributes"]["town"], **{p: s["attributes"][p] for p in ("p50", "p75", "p99")}}
        for s in document["data"]
    ]
