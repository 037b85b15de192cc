"""Absolute links built from the URL the client used (behind trusted proxies too), and paging
by offset as stock clients do."""

import pytest

from tests.factories import citizen, family, import_document

CITIZENS = "/imports/1/citizens"
PROXY = {
    "X-Forwarded-Proto": "https",
    "X-Forwarded-Host": "example.org",
    "X-Forwarded-Port": "443",
    "X-Forwarded-Prefix": "/api",
}


def five() -> list[dict]:
    return [citizen(n) for n in range(1, 6)]


def test_resource_relationship_and_paging_links_are_absolute(client, make_import):
    make_import()

    imported = client.get("/imports/1").body["data"]
    page = client.get(f"{CITIZENS}?page[size]=1")
    relatives = client.get(f"{CITIZENS}/1/relationships/relatives").body

    assert imported["links"]["self"] == "http://localhost/imports/1"
    assert page.body["links"]["next"] == f"http://localhost{CITIZENS}?page[size]=1&page[number]=2"
    resource = page.body["data"][0]
    assert resource["links"]["self"] == "http://localhost/citizens/1.1"
    assert resource["relationships"]["relatives"]["links"]["self"] == (
        "http://localhost/citizens/1.1/relationships/relatives"
    )
    assert relatives["links"]["self"] == ("http://localhost/citizens/1.1/relationships/relatives")
    birthdays = client.get("/imports/1/citizens/birthdays").body["data"]
    assert birthdays["links"]["self"] == "http://localhost/birthdays/1"


def test_location_is_absolute(client):
    reply = client.post("/imports", json=import_document(family()))

    assert reply.headers["Location"] == "http://localhost/imports/1"


def test_behind_trusted_proxies_links_carry_the_url_the_client_used(client_with, make_import):
    proxied = client_with(TRUSTED_PROXIES=1)
    created = proxied.post("/imports", json=import_document(five()), headers=PROXY)

    page = proxied.get(f"{CITIZENS}?page[size]=2", headers=PROXY)
    following = page.body["links"]["next"].removeprefix("https://example.org/api")

    assert created.headers["Location"] == "https://example.org/api/imports/1"
    assert page.body["links"]["next"].startswith(f"https://example.org/api{CITIZENS}?")
    assert page.body["data"][0]["links"]["self"] == "https://example.org/api/citizens/1.1"
    related = created.body["data"]["relationships"]["citizens"]["links"]["related"]
    assert related == "https://example.org/api/imports/1/citizens"
    assert [r["id"] for r in proxied.get(following, headers=PROXY).body["data"]] == ["1.3", "1.4"]


def test_forwarded_headers_of_untrusted_proxies_are_ignored(client, make_import):
    make_import()

    reply = client.get("/imports/1", headers=PROXY)

    assert reply.body["data"]["links"]["self"] == "http://localhost/imports/1"


def test_paging_by_offset_and_limit_links_the_same_way(client, make_import):
    make_import(five())

    reply = client.get(f"{CITIZENS}?page[offset]=1&page[limit]=2")

    assert [r["id"] for r in reply.body["data"]] == ["1.2", "1.3"]
    assert reply.body["meta"]["count"] == 5
    base = f"http://localhost{CITIZENS}?page[offset]="
    assert reply.body["links"] == {
        "self": f"{base}1&page[limit]=2",
        "first": f"{base}0&page[limit]=2",
        "prev": f"{base}0&page[limit]=2",
        "next": f"{base}3&page[limit]=2",
        "last": f"{base}3&page[limit]=2",  # following `next` from offset 1: 3, then the end
    }


def test_offset_links_step_from_an_offset_that_is_no_multiple_of_the_limit(client, make_import):
    make_import(five())

    links = client.get(f"{CITIZENS}?page[offset]=1&page[limit]=3").body["links"]

    base = f"http://localhost{CITIZENS}?page[offset]="
    assert (links["prev"], links["next"], links["last"]) == (
        f"{base}0&page[limit]=3",
        f"{base}4&page[limit]=3",
        f"{base}4&page[limit]=3",
    )


def test_past_the_end_there_is_no_previous_page_to_step_back_to(client, make_import):
    make_import(five())

    links = client.get(f"{CITIZENS}?page[offset]=40&page[limit]=2").body["links"]

    assert links["prev"] is None
    assert links["next"] is None


def test_the_last_offset_page_has_no_next(client, make_import):
    make_import(five())

    reply = client.get(f"{CITIZENS}?page[offset]=4&page[limit]=2")

    assert [r["id"] for r in reply.body["data"]] == ["1.5"]
    assert reply.body["links"]["next"] is None


@pytest.mark.parametrize(
    ("query", "ids"),
    [
        ("page[limit]=2", ["1.1", "1.2"]),
        ("page[offset]=3", ["1.4", "1.5"]),
        ("page[limit]=0", None),
    ],
)
def test_offset_or_limit_alone_pages_from_the_start_or_by_the_default_size(
    client, make_import, query, ids
):
    make_import(five())

    reply = client.get(f"{CITIZENS}?{query}")

    expected = ids or [f"1.{n}" for n in range(1, 6)]
    assert [r["id"] for r in reply.body["data"]] == expected


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("page[offset]=1&page[number]=2", "page[number]"),
        ("page[size]=2&page[limit]=2", "page[limit]"),
        ("page[offset]=-1", "page[offset]"),
        ("page[limit]=x", "page[limit]"),
    ],
)
def test_mixing_paging_styles_or_a_bad_offset_is_a_400(client, make_import, query, parameter):
    make_import()

    reply = client.get(f"{CITIZENS}?{query}")

    assert reply.status == 400
    assert reply.errors[0]["source"] == {"parameter": parameter}


def test_offset_paging_works_on_every_collection(client, make_import):
    make_import(five())
    make_import(five())

    imports = client.get("/imports?page[offset]=1&page[limit]=1").body
    towns = client.get("/imports/1/towns/stat/percentile/age?page[offset]=0&page[limit]=1").body

    assert [r["id"] for r in imports["data"]] == ["2"]
    assert len(towns["data"]) == 1
    assert "page[offset]=" in imports["links"]["first"]
