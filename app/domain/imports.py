"""The import use case's rules: every citizen of an upload parsed, kinship checked as a whole."""

from datetime import date

from app.domain.citizen_rules import Violation, parse_citizen
from app.domain.errors import InvalidAttributes
from app.domain.mutual_kinship import check_import_kinship

# Error lists stop here: a 100,000-citizen import with one systematic mistake stays readable.
MAX_REPORTED_VIOLATIONS = 100


def parse_import(attributes: object, *, today: date, limit: int) -> list[dict]:
    """Validate an import's attributes (`{"citizens": [...]}`); return the parsed citizens.

    Raise InvalidAttributes with every violation (at most MAX_REPORTED_VIOLATIONS), each located
    from the attributes object, e.g. ("citizens", 3, "birth_date").
    """
    if not isinstance(attributes, dict):
        raise InvalidAttributes([Violation((), "must be an object")])
    unknown = [name for name in attributes if name != "citizens"]
    if unknown:
        raise InvalidAttributes([Violation((unknown[0],), "is not a known attribute")])
    raw = attributes.get("citizens")
    if not isinstance(raw, list):
        detail = "is required" if "citizens" not in attributes else "must be a list"
        raise InvalidAttributes([Violation(("citizens",), detail)])
    if len(raw) > limit:
        raise InvalidAttributes([Violation(("citizens",), f"holds more than {limit} citizens")])
    parsed, violations = [], []
    for index, item in enumerate(raw):
        values, problems = parse_citizen(item, today=today)
        parsed.append(values)
        violations.extend(Violation(("citizens", index, *p.path), p.detail) for p in problems)
        if len(violations) >= MAX_REPORTED_VIOLATIONS:
            break
    if not violations:
        violations = [
            Violation(("citizens", *v.path), v.detail) for v in check_import_kinship(parsed)
        ]
    if violations:
        raise InvalidAttributes(violations[:MAX_REPORTED_VIOLATIONS])
    return parsed
