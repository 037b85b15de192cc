"""The imports resource: create, read, list, restore-only update, trash."""

from tests.factories import citizen, family, import_document, restore_document


def test_post_import_creates_it_with_its_citizens(client, sql):
    reply = client.post("/imports", json=import_document(family()))

    assert reply.status == 201
    resource = reply.body["data"]
    assert resource["type"] == "imports" and resource["id"] == "1"
    assert reply.headers["Location"] == "http://localhost/imports/1"
    assert resource["attributes"]["citizens_count"] == 3
    assert resource["attributes"]["data_version"] == 1
    assert resource["attributes"]["deleted_at"] is None
    assert resource["attributes"]["created_at"].endswith("+00:00")
    assert sql("SELECT count(*) FROM citizens")[0][0] == 3
    assert sorted(sql("SELECT citizen_id, relative_id FROM kinship")) == [(1, 2), (2, 1), (3, 3)]


def test_an_empty_import_is_allowed(client):
    reply = client.post("/imports", json=import_document([]))

    assert reply.status == 201
    assert reply.body["data"]["attributes"]["citizens_count"] == 0


def test_get_import(client, make_import):
    import_id = make_import()

    reply = client.get(f"/imports/{import_id}")

    assert reply.status == 200
    assert reply.body["data"]["id"] == str(import_id)
    assert reply.body["data"]["links"]["self"] == f"http://localhost/imports/{import_id}"


def test_missing_import_is_404(client):
    reply = client.get("/imports/999")

    assert reply.status == 404
    assert "source" not in reply.errors[0]  # a path segment is no query parameter


def test_list_imports_is_paginated_in_id_order(client, make_import):
    for _ in range(3):
        make_import([citizen(1)])

    reply = client.get("/imports?page[size]=2&page[number]=2")

    assert reply.status == 200
    assert [r["id"] for r in reply.body["data"]] == ["3"]
    assert reply.body["meta"]["count"] == 3
    links = reply.body["links"]
    assert links["prev"] == "http://localhost/imports?page[size]=2&page[number]=1"
    assert links["next"] is None
    assert links["last"] == "http://localhost/imports?page[size]=2&page[number]=2"


def test_list_imports_sorts_and_filters(client, make_import):
    make_import([citizen(1)])
    make_import([citizen(1), citizen(2)])

    by_count = client.get("/imports?sort=-citizens_count")
    filtered = client.get("/imports?filter[citizens_count]=2")

    assert [r["id"] for r in by_count.body["data"]] == ["2", "1"]
    assert [r["id"] for r in filtered.body["data"]] == ["2"]
    assert filtered.body["meta"]["count"] == 1


def test_patch_import_accepts_only_a_null_deleted_at(client, make_import):
    import_id = make_import()
    url = f"/imports/{import_id}"
    doc = restore_document(import_id)

    assert client.patch(url, json=doc).status == 200
    doc["data"]["attributes"] = {"data_version": 7}
    refused = client.patch(url, json=doc)
    assert refused.status == 422
    assert refused.error_pointers() == ["/data/attributes/data_version"]


def test_delete_import_trashes_it(client, make_import, sql):
    import_id = make_import()

    assert client.delete(f"/imports/{import_id}").status == 204

    assert client.get(f"/imports/{import_id}").status == 404
    assert client.get(f"/imports/{import_id}/citizens").status == 404
    assert client.get("/imports").body["meta"]["count"] == 0
    assert client.delete(f"/imports/{import_id}").status == 404
    assert sql("SELECT count(*) FROM citizens")[0][0] == 3  # rows kept for a restore
