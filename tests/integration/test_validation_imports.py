"""Every validation rule of the contract for POST /imports, checked through HTTP.

Each refused write answers 422 (or the status the contract names) with `source.pointer` at the
exact offending member, and leaves the database exactly as it was.
"""

from datetime import UTC, datetime, timedelta

import pytest

from tests.factories import CITIZEN_ATTRIBUTES, citizen, import_document
from tests.integration.stored import assert_nothing_stored

SECOND = "/data/attributes/citizens/1"  # pointer to the second citizen of an import body


def tomorrow() -> str:
    return (datetime.now(UTC).date() + timedelta(days=1)).isoformat()


def second_citizen(**overrides) -> dict:
    """An import body whose second citizen carries `overrides`."""
    return import_document([citizen(1), {**citizen(2), **overrides}])


def without(name: str) -> dict:
    second = citizen(2)
    del second[name]
    return import_document([citizen(1), second])


def with_attributes(**attributes) -> dict:
    return {"data": {"type": "imports", "attributes": attributes}}


LONG = "a" * 257
INTEGER_CASES = [
    ("true", True),
    ("float 1.0", 1.0),
    ("string", "7"),
    ("negative", -1),
    ("2**31", 2**31),
    ("2**63", 2**63),
    ("null", None),
]
PLACE_CASES = [
    ("empty", ""),
    ("257 chars", LONG),
    ("no letter or digit", "---"),
    ("NUL", "a\u0000b"),
    ("U+001F", "a\u001fb"),
    ("DEL", "a\u007fb"),
    ("newline", "a\nb"),
    ("number", 7),
    ("list", ["Москва"]),
    ("null", None),
]

REFUSED_IMPORTS = [
    *(
        pytest.param(
            lambda f=field, v=value: second_citizen(**{f: v}),
            f"{SECOND}/{field}",
            id=f"{field} {label}",
        )
        for field in ("citizen_id", "apartment")
        for label, value in INTEGER_CASES
    ),
    *(
        pytest.param(
            lambda f=field, v=value: second_citizen(**{f: v}),
            f"{SECOND}/{field}",
            id=f"{field} {label}",
        )
        for field in ("town", "street", "building")
        for label, value in PLACE_CASES
    ),
    pytest.param(lambda: second_citizen(name=""), f"{SECOND}/name", id="name empty"),
    pytest.param(lambda: second_citizen(name="   "), f"{SECOND}/name", id="name blank"),
    pytest.param(lambda: second_citizen(name="\t\n"), f"{SECOND}/name", id="name whitespace"),
    pytest.param(lambda: second_citizen(name=LONG), f"{SECOND}/name", id="name 257 chars"),
    pytest.param(lambda: second_citizen(name="Ив\u0000ан"), f"{SECOND}/name", id="name NUL"),
    pytest.param(lambda: second_citizen(name="Иван\u007f"), f"{SECOND}/name", id="name DEL"),
    pytest.param(lambda: second_citizen(name=42), f"{SECOND}/name", id="name number"),
    *(
        pytest.param(lambda v=value: second_citizen(birth_date=v), f"{SECOND}/birth_date", id=label)
        for label, value in [
            ("birth_date no dashes", "19861226"),
            ("birth_date no zero padding", "1986-2-6"),
            ("birth_date 29 Feb of a common year", "2019-02-29"),
            ("birth_date month 13", "2019-13-01"),
            ("birth_date fullwidth digits", "２０２０-01-01"),
            ("birth_date week date", "2020-W01-1"),
            ("birth_date with time", "1986-12-26T00:00:00"),
            ("birth_date day first", "26.12.1986"),
            ("birth_date number", 19861226),
            ("birth_date empty", ""),
        ]
    ),
    pytest.param(
        lambda: second_citizen(birth_date=tomorrow()),
        f"{SECOND}/birth_date",
        id="birth_date tomorrow (UTC)",
    ),
    *(
        pytest.param(lambda v=value: second_citizen(gender=v), f"{SECOND}/gender", id=label)
        for label, value in [
            ("gender capitalised", "Male"),
            ("gender other", "other"),
            ("gender empty", ""),
            ("gender number", 1),
        ]
    ),
    pytest.param(
        lambda: second_citizen(relatives=1), f"{SECOND}/relatives", id="relatives not a list"
    ),
    pytest.param(
        lambda: second_citizen(relatives={"1": 1}),
        f"{SECOND}/relatives",
        id="relatives an object",
    ),
    pytest.param(
        lambda: import_document([citizen(1, [2]), citizen(2, [1, 1])]),
        f"{SECOND}/relatives/1",
        id="relatives duplicated",
    ),
    pytest.param(
        lambda: import_document([citizen(1), citizen(2, [2, 9])]),
        f"{SECOND}/relatives/1",
        id="relative not in the import",
    ),
    pytest.param(
        lambda: import_document([citizen(1), citizen(2, [1])]),
        f"{SECOND}/relatives/0",
        id="one-sided link",
    ),
    pytest.param(
        lambda: import_document([citizen(1), citizen(2, ["2"])]),
        f"{SECOND}/relatives/0",
        id="relative as a string",
    ),
    pytest.param(
        lambda: import_document([citizen(1), citizen(2, [-1])]),
        f"{SECOND}/relatives/0",
        id="relative negative",
    ),
    pytest.param(
        lambda: second_citizen(nickname="Ваня"), f"{SECOND}/nickname", id="unknown attribute"
    ),
    pytest.param(
        lambda: second_citizen(deleted_at=None),
        f"{SECOND}/deleted_at",
        id="deleted_at in an import body",
    ),
    *(
        pytest.param(
            lambda f=field: second_citizen(**{f: None}), f"{SECOND}/{field}", id=f"{field} null"
        )
        for field in ("name", "birth_date", "gender", "relatives")
    ),
    *(
        pytest.param(lambda f=field: without(f), f"{SECOND}/{field}", id=f"{field} missing")
        for field in CITIZEN_ATTRIBUTES
    ),
    pytest.param(
        lambda: import_document([citizen(1), citizen(1)]),
        f"{SECOND}/citizen_id",
        id="two citizens with one citizen_id",
    ),
    pytest.param(
        lambda: with_attributes(citizens={"1": citizen(1)}),
        "/data/attributes/citizens",
        id="citizens an object",
    ),
    pytest.param(
        lambda: with_attributes(citizens="[]"), "/data/attributes/citizens", id="citizens a string"
    ),
    pytest.param(
        lambda: with_attributes(citizens=None), "/data/attributes/citizens", id="citizens null"
    ),
    pytest.param(lambda: with_attributes(), "/data/attributes/citizens", id="citizens missing"),
    pytest.param(
        lambda: {"data": {"type": "imports"}},
        "/data/attributes/citizens",
        id="attributes missing",
    ),
    pytest.param(
        lambda: with_attributes(citizens=[citizen(1)], comment="x"),
        "/data/attributes/comment",
        id="unknown attribute next to citizens",
    ),
    pytest.param(lambda: with_attributes(citizens=[citizen(1), [2]]), SECOND, id="citizen a list"),
    pytest.param(lambda: with_attributes(citizens=[citizen(1), 2]), SECOND, id="citizen a number"),
    pytest.param(lambda: with_attributes(citizens=[citizen(1), None]), SECOND, id="citizen null"),
]


@pytest.mark.parametrize(("build", "pointer"), REFUSED_IMPORTS)
def test_post_import_refuses_invalid_input(client, sql, build, pointer):
    reply = client.post("/imports", json=build())

    assert reply.status == 422, reply.body
    assert pointer in reply.error_pointers()
    assert_nothing_stored(sql)


ACCEPTED_IMPORTS = [
    pytest.param(lambda: second_citizen(citizen_id=0), id="citizen_id 0"),
    pytest.param(lambda: second_citizen(citizen_id=2**31 - 1), id="citizen_id 2**31-1"),
    pytest.param(lambda: second_citizen(apartment=0), id="apartment 0"),
    pytest.param(lambda: second_citizen(apartment=2**31 - 1), id="apartment 2**31-1"),
    *(
        pytest.param(lambda f=field: second_citizen(**{f: "я" * 256}), id=f"{field} 256 chars")
        for field in ("town", "street", "building", "name")
    ),
    pytest.param(lambda: second_citizen(town="Москва"), id="town Cyrillic"),
    pytest.param(lambda: second_citizen(street="ул. 1"), id="street with a dot and a digit"),
    pytest.param(lambda: second_citizen(building="1"), id="building one digit"),
    pytest.param(lambda: second_citizen(name="Ё"), id="name one letter"),
    pytest.param(lambda: second_citizen(birth_date="2020-02-29"), id="birth_date 29 Feb leap"),
    pytest.param(
        lambda: second_citizen(birth_date=datetime.now(UTC).date().isoformat()),
        id="birth_date today (UTC)",
    ),
    pytest.param(lambda: second_citizen(gender="female"), id="gender female"),
    pytest.param(lambda: import_document([citizen(1), citizen(2, [2])]), id="own relative"),
]


@pytest.mark.parametrize("build", ACCEPTED_IMPORTS)
def test_post_import_accepts_boundary_values(client, sql, build):
    document = build()

    reply = client.post("/imports", json=document)

    assert reply.status == 201, reply.body
    assert reply.body["data"]["attributes"]["citizens_count"] == 2
    second = document["data"]["attributes"]["citizens"][1]
    stored = sql(
        "SELECT citizen_id, town, street, building, apartment, name, birth_date::text, gender"
        " FROM citizens WHERE citizen_id = :c",
        c=second["citizen_id"],
    )
    assert [tuple(row) for row in stored] == [
        tuple(second[name] for name in CITIZEN_ATTRIBUTES if name != "relatives")
    ]


def test_post_import_reports_every_invalid_citizen(client, sql):
    document = import_document(
        [citizen(1, town=""), citizen(2), citizen(3, apartment=-1, gender="x")]
    )

    reply = client.post("/imports", json=document)

    assert reply.status == 422
    assert sorted(reply.error_pointers()) == [
        "/data/attributes/citizens/0/town",
        "/data/attributes/citizens/2/apartment",
        "/data/attributes/citizens/2/gender",
    ]
    assert_nothing_stored(sql)


def test_pointer_escapes_slash_and_tilde_in_an_unknown_attribute(client, sql):
    reply = client.post("/imports", json=second_citizen(**{"a/b~c": 1}))

    assert reply.status == 422
    assert f"{SECOND}/a~1b~0c" in reply.error_pointers()
    assert_nothing_stored(sql)


def test_import_over_the_citizen_limit_is_refused(client_with, sql):
    limited = client_with(MAX_CITIZENS_PER_IMPORT=3)

    reply = limited.post("/imports", json=import_document([citizen(i) for i in range(1, 5)]))

    assert reply.status == 422
    assert reply.error_pointers() == ["/data/attributes/citizens"]
    assert_nothing_stored(sql)


def test_import_at_the_citizen_limit_is_stored(client_with, sql):
    limited = client_with(MAX_CITIZENS_PER_IMPORT=3)

    reply = limited.post("/imports", json=import_document([citizen(i) for i in range(1, 4)]))

    assert reply.status == 201
    assert reply.body["data"]["attributes"]["citizens_count"] == 3
    assert sql("SELECT count(*) FROM citizens")[0][0] == 3
