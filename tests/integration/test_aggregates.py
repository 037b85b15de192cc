"""The birthdays and town age percentile aggregates, on hand-computed data sets."""

from datetime import UTC, datetime

from tests.factories import citizen, linkage

EMPTY_MONTHS = {str(m): [] for m in range(1, 13)}


def birthdays(client, import_id=1) -> dict:
    reply = client.get(f"/imports/{import_id}/citizens/birthdays")
    assert reply.status == 200
    assert reply.body["data"]["type"] == "birthdays"
    assert reply.body["data"]["id"] == str(import_id)
    return reply.body


def stats(client, query="", import_id=1) -> dict:
    reply = client.get(f"/imports/{import_id}/towns/stat/percentile/age{query}")
    assert reply.status == 200, reply.body
    return reply.body


def test_birthdays_of_an_empty_import_lists_all_twelve_months_empty(client, make_import):
    make_import([])

    assert birthdays(client)["data"]["attributes"]["months"] == EMPTY_MONTHS


def test_birthdays_count_presents_per_relative_including_self_kinship(client, make_import):
    make_import(
        [
            citizen(1, [2, 3], birth_date="1990-04-01"),
            citizen(2, [1], birth_date="1991-12-05"),
            citizen(3, [1, 3], birth_date="2000-12-31"),
            citizen(4, [], birth_date="1980-04-04"),
        ]
    )

    months = birthdays(client)["data"]["attributes"]["months"]

    assert months["12"] == [{"citizen_id": 1, "presents": 2}, {"citizen_id": 3, "presents": 1}]
    assert months["4"] == [{"citizen_id": 2, "presents": 1}, {"citizen_id": 3, "presents": 1}]
    assert all(months[str(m)] == [] for m in range(1, 13) if m not in (4, 12))


def test_birthdays_leave_out_trashed_citizens_and_their_kinship(client, make_import):
    make_import(
        [citizen(1, [2], birth_date="1990-04-01"), citizen(2, [1], birth_date="1991-05-05")]
    )
    client.delete("/imports/1/citizens/2")

    assert birthdays(client)["data"]["attributes"]["months"] == EMPTY_MONTHS


def test_aggregate_meta_reports_the_version_it_was_computed_from(client, make_import):
    make_import()
    client.post("/imports/1/citizens/1/relationships/relatives", json={"data": linkage(1, [3])})

    meta = birthdays(client)["meta"]

    assert meta["data_version"] == 2
    assert datetime.fromisoformat(meta["computed_at"]).tzinfo is not None
    months = birthdays(client)["data"]["attributes"]["months"]
    assert {"citizen_id": 1, "presents": 1} in months["2"]  # citizen 3 is born on 29 February


def test_percentiles_by_town_with_linear_interpolation(client, make_import):
    born = ["2000-01-01", "1990-01-01", "1980-01-01", "1970-01-01"]  # 20, 30, 40, 50 on as_of
    citizens = [citizen(n, town="Москва", birth_date=b) for n, b in enumerate(born, 1)]
    citizens.append(citizen(5, town="Керчь", birth_date="1995-06-30"))
    make_import(citizens)

    body = stats(client, "?as_of=2020-06-30")

    assert [r["attributes"] for r in body["data"]] == [
        {"town": "Керчь", "p50": 25.0, "p75": 25.0, "p99": 25.0},
        {"town": "Москва", "p50": 35.0, "p75": 42.5, "p99": 49.7},
    ]
    assert all(r["type"] == "town-age-stats" for r in body["data"])
    assert len({r["id"] for r in body["data"]}) == 2
    assert body["meta"]["as_of"] == "2020-06-30" and body["meta"]["count"] == 2


def test_percentiles_interpolate_between_closest_ranks(client, make_import):
    # Ages [0, 1, 1, 2]: p75 sits a quarter of the way from 1 to 2, p99 at 0.97 of it.
    born = ["2020-01-01", "2019-01-01", "2019-01-01", "2018-01-01"]
    make_import([citizen(n, town="T", birth_date=b) for n, b in enumerate(born, 1)])

    row = stats(client, "?as_of=2020-06-01")["data"][0]["attributes"]

    assert (row["p50"], row["p75"], row["p99"]) == (1.0, 1.25, 1.97)


def test_a_leap_day_birthday_counts_on_the_first_of_march(client, make_import):
    make_import([citizen(1, town="T", birth_date="2000-02-29")])

    before = stats(client, "?as_of=2023-02-28")["data"][0]["attributes"]["p50"]
    after = stats(client, "?as_of=2023-03-01")["data"][0]["attributes"]["p50"]

    assert (before, after) == (22.0, 23.0)


def test_percentiles_default_to_today_in_utc(client, make_import):
    make_import([citizen(1, town="T", birth_date="2000-01-01")])

    body = stats(client)

    assert body["meta"]["as_of"] == datetime.now(UTC).date().isoformat()


def test_percentiles_leave_out_trashed_citizens(client, make_import):
    make_import([citizen(1, town="A", birth_date="2000-01-01"), citizen(2, town="B")])
    client.delete("/imports/1/citizens/2")

    assert [r["attributes"]["town"] for r in stats(client)["data"]] == ["A"]


def test_percentiles_collection_sorts_and_pages(client, make_import):
    make_import([citizen(n, town=t) for n, t in enumerate(["b", "a", "c"], 1)])

    body = stats(client, "?sort=-town&page[size]=2")

    assert [r["attributes"]["town"] for r in body["data"]] == ["c", "b"]
    assert body["meta"]["count"] == 3 and body["links"]["next"].endswith("page[number]=2")


def test_aggregates_of_a_missing_import_are_404(client):
    assert client.get("/imports/5/citizens/birthdays").status == 404
    assert client.get("/imports/5/towns/stat/percentile/age").status == 404
