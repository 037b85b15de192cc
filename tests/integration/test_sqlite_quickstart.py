"""The development quick start: with no DATABASE_URL the service runs on an SQLite file."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from flask_migrate import upgrade

from app import create_app
from app.extensions import db, init_migrations
from config import DevelopmentConfig
from tests.factories import citizen_document, family, import_document, linkage
from tests.jsonapi_client import JsonApiClient


@pytest.fixture
def sqlite_client(tmp_path, monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    uri = f"sqlite:///{tmp_path / 'instance' / 'citizens.sqlite3'}"
    app = init_migrations(create_app("development", {"SQLALCHEMY_DATABASE_URI": uri}))
    with app.app_context():
        upgrade()
    # The README's way to get a token for the development server.
    created = app.test_cli_runner().invoke(args=["tokens", "create", "me", "--role", "admin"])
    assert created.exit_code == 0, created.output
    yield JsonApiClient(app.test_client(), created.stdout.strip().splitlines()[-1])
    with app.app_context():
        db.engine.dispose()


def test_development_config_defaults_to_sqlite(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)

    settings = DevelopmentConfig.from_env()

    assert settings["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///")


def test_every_capability_works_on_sqlite(sqlite_client):
    client = sqlite_client
    assert client.post("/imports", json=import_document(family())).status == 201
    new = citizen_document(1, {**family()[0], "citizen_id": 4, "relatives": None}, [1])
    del new["data"]["attributes"]["relatives"]
    assert client.post("/imports/1/citizens", json=new).status == 201
    url = "/imports/1/citizens/1/relationships/relatives"
    assert client.patch(url, json={"data": linkage(1, [3])}).status == 204

    listed = client.get("/imports/1/citizens?sort=-town&include=relatives")
    assert listed.body["meta"]["count"] == 4
    months = client.get("/imports/1/citizens/birthdays").body["data"]["attributes"]["months"]
    assert {"citizen_id": 1, "presents": 1} in months["2"]
    percentiles = client.get("/imports/1/towns/stat/percentile/age?as_of=2020-01-01").body
    assert [r["attributes"]["town"] for r in percentiles["data"]] == ["Керчь", "Москва"]
    assert client.delete("/imports/1/citizens/3").status == 204
    assert client.get("/imports/1").body["data"]["attributes"]["citizens_count"] == 3
    assert client.get("/imports/1").body["data"]["attributes"]["data_version"] == 4


def test_sqlite_keeps_kinship_mutual_with_foreign_keys(sqlite_client):
    refused = sqlite_client.post(
        "/imports/1/citizens/1/relationships/relatives", json={"data": linkage(1, [2])}
    )
    assert refused.status == 404


def test_sqlite_writes_with_one_if_match_run_one_at_a_time(sqlite_client):
    # The development server answers requests in threads. SQLite has no row locks, and its
    # driver begins a transaction only at the first write: without the write lock taken first,
    # two PATCHes that both read the version named in If-Match would both succeed.
    client = sqlite_client
    assert client.post("/imports", json=import_document(family())).status == 201
    tag = client.get("/citizens/1.1").headers["ETag"]

    def rename(number: int) -> int:
        body = citizen_document(1, {"name": f"Имя {number}"}, resource_id="1.1")
        return client.patch("/citizens/1.1", json=body, headers={"If-Match": tag}).status

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = sorted(pool.map(rename, range(16)))

    assert statuses == [200] + [412] * 15
