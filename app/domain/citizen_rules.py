"""A citizen's attributes, declared once, and the rules that validate and parse them.

ATTRIBUTES is the one description of a citizen: the citizens table (app.models.citizen), the
`citizens` resource schema (app.schemas.citizens), the rendering of citizen resources and the
writable, sortable and filterable members all derive from it. Adding an attribute is one entry
here (with its parser) plus a migration.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from enum import Enum
from typing import NamedTuple


class Violation(NamedTuple):
    """One broken rule: where (JSON path relative to the validated object) and what is wrong."""

    path: tuple[str | int, ...]
    detail: str


MAX_INT = 2_147_483_647
MAX_TEXT_LENGTH = 256

INTEGER_DETAIL = f"must be an integer from 0 to {MAX_INT}"
GENDERS = ("male", "female")

# [0-9] rather than \d: \d also matches non-ASCII digits such as fullwidth ones.
_date_format = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}").fullmatch
_control_character = re.compile(r"[\x00-\x1f\x7f]").search


class _Invalid(NamedTuple):
    """Returned by a parser instead of a value: (subpath, detail) problems of one member."""

    problems: list[tuple[tuple[int, ...], str]]


def _fail(detail: str) -> _Invalid:
    return _Invalid([((), detail)])


def _text_problem(value: object) -> str | None:
    if type(value) is not str:
        return "must be a string"
    if not 1 <= len(value) <= MAX_TEXT_LENGTH:
        return f"must be 1 to {MAX_TEXT_LENGTH} characters long"
    # isprintable() is a fast C check that is true for most text; only on false do we need the
    # regex, since it is also false for harmless characters such as a no-break space.
    if not value.isprintable() and _control_character(value):
        return "must not contain control characters"
    return None


def _integer(value: object, today: date) -> object:
    if type(value) is int and 0 <= value <= MAX_INT:
        return value
    return _fail(INTEGER_DETAIL)


def _place(value: object, today: date) -> object:
    detail = _text_problem(value)
    if detail is None and not any(map(str.isalnum, value)):
        detail = "must contain at least one letter or digit"
    return value if detail is None else _fail(detail)


def _name(value: object, today: date) -> object:
    detail = _text_problem(value)
    if detail is None and value.isspace():
        detail = "must not be blank"
    return value if detail is None else _fail(detail)


def _birth_date(value: object, today: date) -> object:
    if type(value) is not str or _date_format(value) is None:
        return _fail("must be a date in YYYY-MM-DD format")
    try:
        parsed = date.fromisoformat(value)
    except ValueError:
        return _fail("must be a real calendar date")
    if parsed > today:
        return _fail(f"must not be after today ({today.isoformat()})")
    return parsed


def _gender(value: object, today: date) -> object:
    if value in GENDERS:
        return value
    return _fail('must be "male" or "female"')


def _relatives(value: object, today: date) -> object:
    if type(value) is not list:
        return _fail("must be a list of citizen ids")
    problems = []
    seen = set()
    for index, item in enumerate(value):
        if type(item) is not int or not 0 <= item <= MAX_INT:
            problems.append(((index,), INTEGER_DETAIL))
        elif item in seen:
            problems.append(((index,), f"lists citizen {item} more than once"))
        else:
            seen.add(item)
    return _Invalid(problems) if problems else list(value)


class Kind(Enum):
    """What an attribute holds; storage and schema types follow from it."""

    INTEGER = "integer"  # 0..MAX_INT
    TEXT = "text"  # 1..MAX_TEXT_LENGTH characters
    DATE = "date"
    CHOICE = "choice"  # one of the attribute's `choices`
    CITIZEN_IDS = "citizen_ids"  # other citizens of the import: kinship, not a column


@dataclass(frozen=True)
class Attribute:
    name: str
    kind: Kind
    parse: Callable[[object, date], object]
    choices: tuple[str, ...] = ()

    @property
    def is_column(self) -> bool:
        """Stored in the citizen's own row (relatives are rows of the kinship table)."""
        return self.kind is not Kind.CITIZEN_IDS


ATTRIBUTES: tuple[Attribute, ...] = (
    Attribute("citizen_id", Kind.INTEGER, _integer),
    Attribute("town", Kind.TEXT, _place),
    Attribute("street", Kind.TEXT, _place),
    Attribute("building", Kind.TEXT, _place),
    Attribute("apartment", Kind.INTEGER, _integer),
    Attribute("name", Kind.TEXT, _name),
    Attribute("birth_date", Kind.DATE, _birth_date),
    Attribute("gender", Kind.CHOICE, _gender, choices=GENDERS),
    Attribute("relatives", Kind.CITIZEN_IDS, _relatives),
)
# A citizen is identified within its import by this attribute (part of the table's key).
IDENTITY = "citizen_id"
CITIZEN_ATTRIBUTES = tuple(attribute.name for attribute in ATTRIBUTES)
# The citizen's own columns: what a POST of one citizen or a PATCH may write as attributes
# (relatives travel as relationship linkage there), and the column order of bulk inserts.
COLUMN_ATTRIBUTES = tuple(attribute.name for attribute in ATTRIBUTES if attribute.is_column)
_PARSERS = {attribute.name: attribute.parse for attribute in ATTRIBUTES}


def parse_citizen(
    attrs: object,
    *,
    today: date,
    fields: tuple[str, ...] = CITIZEN_ATTRIBUTES,
    partial: bool = False,
) -> tuple[dict, list[Violation]]:
    """Validate one citizen's attributes; return the parsed values and every violation."""
    if not isinstance(attrs, dict):
        return {}, [Violation((), "must be an object")]
    parsed = {}
    violations = []
    for name, value in attrs.items():
        if name not in fields:
            violations.append(Violation((name,), "is not a known attribute"))
        elif value is None:
            violations.append(Violation((name,), "must not be null"))
        else:
            result = _PARSERS[name](value, today)
            if type(result) is _Invalid:
                violations.extend(
                    Violation((name, *sub), detail) for sub, detail in result.problems
                )
            else:
                parsed[name] = result
    if not partial:
        violations.extend(Violation((name,), "is required") for name in fields if name not in attrs)
    return parsed, violations
