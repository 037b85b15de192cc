"""The HTTP and JSON:API protocol rules: query parameters.

Every reply goes through the JSON:API-checking client, so each test also proves that the error is
a schema-valid JSON:API error document carrying the security headers.
"""

import pytest

from tests.factories import family, import_document
from tests.integration.stored import assert_nothing_stored

CITIZENS = "/imports/1/citizens"
BAD_PARAMETERS = [
    ("/imports?foo=1", "foo"),
    ("/imports/1?foo=1", "foo"),
    (f"{CITIZENS}?foo=1", "foo"),
    (f"{CITIZENS}/1?foo=1", "foo"),
    (f"{CITIZENS}/1/relationships/relatives?foo=1", "foo"),
    (f"{CITIZENS}/birthdays?foo=1", "foo"),
    ("/imports/1/towns/stat/percentile/age?foo=1", "foo"),
    (f"{CITIZENS}?page[number]=0", "page[number]"),
    (f"{CITIZENS}?page[number]=-1", "page[number]"),
    (f"{CITIZENS}?page[number]=abc", "page[number]"),
    (f"{CITIZENS}?page[number]=", "page[number]"),
    (f"{CITIZENS}?page[size]=-1", "page[size]"),
    (f"{CITIZENS}?page[size]=1.5", "page[size]"),
    (f"{CITIZENS}?page[size]=2147483648", "page[size]"),
    (f"{CITIZENS}?page[offset]=1&page[size]=1", "page[size]"),
    ("/imports?page[number]=0", "page[number]"),
    (f"{CITIZENS}?sort=nope", "sort"),
    (f"{CITIZENS}?sort=-nope", "sort"),
    (f"{CITIZENS}?sort=relatives", "sort"),
    (f"{CITIZENS}?sort=name,nope", "sort"),
    ("/imports?sort=nope", "sort"),
    (f"{CITIZENS}?filter[nope]=1", "filter[nope]"),
    (f"{CITIZENS}?filter[citizen_id]=abc", "filter[citizen_id]"),
    (f"{CITIZENS}?filter[citizen_id]=1,abc", "filter[citizen_id]"),
    (f"{CITIZENS}?filter[apartment]=-1", "filter[apartment]"),
    (f"{CITIZENS}?filter[birth_date]=20200101", "filter[birth_date]"),
    (f"{CITIZENS}?filter[birth_date]=2019-02-29", "filter[birth_date]"),
    ("/imports?filter[nope]=1", "filter[nope]"),
    (f"{CITIZENS}?fields[citizens]=nope", "fields[citizens]"),
    (f"{CITIZENS}?fields[nope]=x", "fields[nope]"),
    (f"{CITIZENS}/1?fields[citizens]=nope", "fields[citizens]"),
    (f"{CITIZENS}?include=nope", "include"),
    (f"{CITIZENS}/1?include=nope", "include"),
    ("/imports?include=citizens", "include"),
    (f"{CITIZENS}?sort=name&sort=town", "sort"),
    (f"{CITIZENS}?page[size]=1&page[size]=2", "page[size]"),
    ("/imports/1/towns/stat/percentile/age?as_of=2020-13-01", "as_of"),
    ("/imports/1/towns/stat/percentile/age?as_of=20200101", "as_of"),
    ("/imports/1/towns/stat/percentile/age?as_of=2019-02-29", "as_of"),
    ("/imports/1/towns/stat/percentile/age?as_of=", "as_of"),
]


@pytest.mark.parametrize(("url", "parameter"), BAD_PARAMETERS)
def test_bad_query_parameter_is_400_naming_it(client, make_import, url, parameter):
    make_import()

    reply = client.get(url)

    assert reply.status == 400, reply.body
    assert [e.get("source") for e in reply.errors] == [{"parameter": parameter}]


def test_unknown_parameter_on_a_write_is_400_and_writes_nothing(client, sql):
    reply = client.post("/imports?foo=1", json=import_document(family()))

    assert reply.status == 400
    assert reply.errors[0]["source"] == {"parameter": "foo"}
    assert_nothing_stored(sql)


@pytest.mark.parametrize(
    "url",
    [
        "/imports?camelCase=1",
        "/imports?my_param=1",
        "/imports?param2=1",
        f"{CITIZENS}?camelCase=1",
        f"{CITIZENS}/1?my-param=1",
        f"{CITIZENS}/birthdays?my_param=1",
        "/imports/1/towns/stat/percentile/age?camelCase=1",
    ],
)
def test_implementation_specific_parameter_is_ignored(client, make_import, url):
    make_import()

    reply = client.get(url)

    assert reply.status == 200
    assert "data" in reply.body


@pytest.mark.parametrize(
    "url",
    [
        f"{CITIZENS}?page[number]=1&page[size]=0",
        f"{CITIZENS}?sort=-name,town&filter[gender]=male,female",
        f"{CITIZENS}?filter[birth_date]=2000-02-29&include=relatives",
        f"{CITIZENS}?fields[citizens]=name,relatives",
        f"{CITIZENS}/1?include=relatives&fields[citizens]=town",
        "/imports/1/towns/stat/percentile/age?as_of=2020-02-29&sort=-p50",
    ],
)
def test_valid_query_parameters_are_accepted(client, make_import, url):
    make_import()
