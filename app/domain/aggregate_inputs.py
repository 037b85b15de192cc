"""What each aggregate is computed from: a change that touches none of it leaves it as it is.

Both aggregates also depend on which citizens are live: creating, trashing, restoring or purging
a citizen affects both. An attribute change affects the aggregates whose inputs it names; a
change of name, street, building, apartment or gender affects neither.
"""

from collections.abc import Iterable

BIRTHDAYS, PERCENTILES = "birthdays", "town-age-stats"
KINDS = (BIRTHDAYS, PERCENTILES)
ALL = frozenset(KINDS)
NONE: frozenset[str] = frozenset()

INPUTS = {
    BIRTHDAYS: frozenset({"birth_date", "relatives"}),
    PERCENTILES: frozenset({"town", "birth_date"}),
}


def affected_by(changed: Iterable[str]) -> frozenset[str]:
    """The aggregates a change of these attributes (`relatives` for kinship) can affect."""
    changed = frozenset(changed)
    return frozenset(kind for kind, inputs in INPUTS.items() if inputs & changed)
