"""Check and store the kinship links between citizens."""

from collections.abc import Iterable, Mapping, Sequence

from app.domain.citizen_rules import Violation


def check_import_kinship(citizens: Sequence[Mapping]) -> list[Violation]:
    """Report duplicate ids, relatives outside the import and one-sided links, in linear time."""
    violations = []
    index_of: dict[int, int] = {}
    for index, citizen in enumerate(citizens):
        citizen_id = citizen["citizen_id"]
        first = index_of.setdefault(citizen_id, index)
        if first != index:
            violations.append(
                Violation(
                    (index, "citizen_id"),
                    f"duplicates citizen_id {citizen_id} of citizen at index {first}",
                )
            )

    # Sets make every "does B list A" question O(1); a duplicated id is judged by its first entry.
    relative_sets = [set(citizen["relatives"]) for citizen in citizens]
    for index, citizen in enumerate(citizens):
        citizen_id = citizen["citizen_id"]
        for position, relative_id in enumerate(citizen["relatives"]):
            relative_index = index_of.get(relative_id)
            if relative_index is None:
                detail = f"names citizen {relative_id}, which is not in this import"
            elif citizen_id not in relative_sets[relative_index]:
                detail = (
                    f"citizen {citizen_id} lists {relative_id} as a relative"
                    f" but citizen {relative_id} does not list {citizen_id}"
                )
            else:
                continue
            violations.append(Violation((index, "relatives", position), detail))
    return violations


def kinship_rows(citizens: Iterable[Mapping]) -> list[tuple[int, int]]:
    """Return the directed (citizen_id, relative_id) rows of mutually consistent citizens."""
    return [
        (citizen["citizen_id"], relative)
        for citizen in citizens
        for relative in citizen["relatives"]
    ]


def replace_relatives_rows(citizen_id: int, relative_ids: Iterable[int]) -> list[tuple[int, int]]:
    """Return both directions of each link of one citizen; self-kinship gives one (c, c) row."""
    # A dict keeps the first-seen order while dropping the repeated (c, c) of self-kinship.
    rows: dict[tuple[int, int], None] = {}
    for relative_id in relative_ids:
        rows[(citizen_id, relative_id)] = None
        rows[(relative_id, citizen_id)] = None
    return list(rows)
