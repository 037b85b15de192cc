"""An import as the client's accepted writes left it: what no fault may lose.

A fault test keeps one per import. It starts from the citizens the test POSTed and applies
each write the service accepted (2xx), kinship both ways as the service keeps it. Reads during
the test can be judged against it, and at the end the rows must equal it.
"""

from dataclasses import dataclass
from datetime import date

from app.domain.birthdays import birthdays
from app.domain.percentiles import town_age_percentiles
from tests.factories import citizen_document, linkage
from tests.integration.recomputation import kinship_pairs

TRACKED = ("town", "name", "birth_date")


@dataclass(frozen=True)
class Write:
    """A PATCH of one citizen's attributes or relatives: idempotent, so safe to send again."""

    citizen_id: int
    attributes: dict | None = None  # of TRACKED only
    relatives: tuple[int, ...] | None = None

    def request(self, import_id: int) -> tuple[str, dict]:
        """The path and document of the PATCH."""
        path = f"/imports/{import_id}/citizens/{self.citizen_id}"
        if self.relatives is not None:
            return f"{path}/relationships/relatives", {"data": linkage(import_id, self.relatives)}
        resource_id = f"{import_id}.{self.citizen_id}"
        return path, citizen_document(import_id, self.attributes, resource_id=resource_id)


class AcceptedWrites:
    def __init__(self, import_id: int, citizens: list[dict]):
        self.import_id = import_id
        self.attributes = {c["citizen_id"]: {k: c[k] for k in TRACKED} for c in citizens}
        self.relatives = {c["citizen_id"]: set(c["relatives"]) for c in citizens}
        self.count = 0

    def accept(self, write: Write) -> None:
        self.count += 1
        if write.relatives is None:
            self.attributes[write.citizen_id].update(write.attributes)
            return
        citizen_id, wanted = write.citizen_id, set(write.relatives)
        for former in self.relatives[citizen_id] - wanted:
            self.relatives[former].discard(citizen_id)
        for relative in wanted:
            self.relatives[relative].add(citizen_id)
        self.relatives[citizen_id] = wanted

    def kinship_pairs(self) -> set[tuple[int, int]]:
        return {(c, r) for c, relatives in self.relatives.items() for r in relatives}

    def _born(self, citizen_id: int) -> date:
        return date.fromisoformat(self.attributes[citizen_id]["birth_date"])

    def birthdays(self) -> dict:
        return birthdays((c, self._born(r).month) for c, r in self.kinship_pairs())

    def percentiles(self, as_of: date) -> list[dict]:
        rows = [(a["town"], self._born(c)) for c, a in self.attributes.items()]
        return town_age_percentiles(rows, as_of)

    def assert_present(self, sql) -> None:
        """The import's rows are exactly what the accepted writes made them."""
        rows = sql(
            "SELECT citizen_id, town, name, birth_date FROM citizens"
            " WHERE import_id = :i AND deleted_at IS NULL",
            i=self.import_id,
        )
        stored = {
            citizen_id: {"town": town, "name": name, "birth_date": born.isoformat()}
            for citizen_id, town, name, born in rows
        }
        assert stored == self.attributes, f"import {self.import_id}: citizens' attributes"
        assert kinship_pairs(sql, self.import_id) == self.kinship_pairs(), (
            f"import {self.import_id}: kinship"
        )
