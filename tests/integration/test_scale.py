"""The contract's upper size: one import of 100,000 citizens is stored and listed whole."""

import orjson
import pytest

from app.demo_data import generate_citizens
from tests.factories import import_document
from tests.jsonapi_schema import assert_valid_document


@pytest.mark.slow  # some 6 s: 100,000 citizens stored, read and checked
def test_an_import_of_100000_citizens_round_trips(client, sql):
    citizens = generate_citizens(n=100_000, pairs=10_000, seed=7)

    created = client.post("/imports", json=import_document(citizens))

    assert created.status == 201
    assert created.body["data"]["attributes"]["citizens_count"] == 100_000
    # Read with the bare Flask client: schema-validating 100,000 resources costs ~100 s, so the
    # document is checked with every 1,000th resource (the same builder is validated in full by
    # every other test).
    response = client.flask.get(
        "/imports/1/citizens?page[size]=0", headers={"Authorization": f"Bearer {client.token}"}
    )
    assert response.status_code == 200
    document = orjson.loads(response.data)
    assert_valid_document({**document, "data": document["data"][::1000]})
    assert document["meta"]["count"] == len(document["data"]) == 100_000
    by_id = {r["attributes"]["citizen_id"]: r for r in document["data"]}
    for sample in citizens[::997]:
        linkage = by_id[sample["citizen_id"]]["relationships"]["relatives"]["data"]
        assert sorted(int(r["id"].split(".")[1]) for r in linkage) == sorted(sample["relatives"])
    assert sql("SELECT count(*) FROM kinship")[0][0] == sum(len(c["relatives"]) for c in citizens)
