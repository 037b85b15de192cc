"""An import as the client's accepted writes left it: what no fault and no load may lose.

The client starts one from the citizens it POSTed and applies each write the service answered
with a 2xx. Reads meanwhile can be judged against it (read-your-writes, with its aggregates
computed by the oracle's own arithmetic), and at the end the rows must equal it.

Kinship is kept as the service keeps it: directed rows, both directions of each link (a
citizen's kinship to itself is one row), and rows to a trashed citizen stay until it is restored.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from harness.oracle import LiveRows, Sql, kinship_pairs, live_rows

# The stored attributes of a citizen besides its id, compared column by column with the table.
ATTRIBUTES = ("town", "street", "building", "apartment", "name", "birth_date", "gender")
CITIZEN_ROWS = f"""
    SELECT citizen_id, {", ".join(ATTRIBUTES)}, deleted_at IS NOT NULL
    FROM citizens WHERE import_id = :i
"""


@dataclass
class ExpectedImport:
    """One import as the accepted writes left it."""

    import_id: int
    citizens: dict[int, dict] = field(default_factory=dict)  # citizen_id -> ATTRIBUTES
    trashed: set[int] = field(default_factory=set)
    relatives: defaultdict[int, set[int]] = field(default_factory=lambda: defaultdict(set))
    # Every accepted write that changes something bumps data_version once; a new import starts
    # at 1.
    changing_writes: int = 0
    # Writes refused with a 503 and sent again: each may have committed (and bumped) once.
    refused_writes: int = 0
    # Citizens an errored write may or may not have changed: not comparable, reported apart.
    uncertain: set[int] = field(default_factory=set)
    next_citizen_id: int = 1

    @classmethod
    def from_import(cls, import_id: int, citizens: Iterable[dict]) -> ExpectedImport:
        """The state right after a POST /imports of `citizens` was answered 201."""
        expected = cls(import_id)
        for citizen in citizens:
            citizen_id = citizen["citizen_id"]
            expected.citizens[citizen_id] = {name: citizen[name] for name in ATTRIBUTES}
            for relative_id in citizen["relatives"]:
                expected._link(citizen_id, relative_id)
        expected.next_citizen_id = max(expected.citizens, default=0) + 1
        return expected

    def is_live(self, citizen_id: int) -> bool:
        return citizen_id in self.citizens and citizen_id not in self.trashed

    def visible_relatives(self, citizen_id: int) -> set[int]:
        """Relatives a reader sees: both ends live (the caller checks the citizen itself)."""
        return {r for r in self.relatives.get(citizen_id, ()) if r not in self.trashed}

    def kinship_rows(self) -> set[tuple[int, int]]:
        """Every (citizen_id, relative_id) row the kinship table must hold, trashed ends too."""
        return {(c, r) for c, relatives in self.relatives.items() for r in relatives}

    def live_rows(self) -> LiveRows:
        citizens = [
            (c, a["town"], date.fromisoformat(a["birth_date"]), c in self.trashed)
            for c, a in self.citizens.items()
        ]
        return live_rows(citizens, self.kinship_rows())

    def birthdays(self) -> dict:
        return self.live_rows().birthdays()

    def percentiles(self, as_of: date) -> list[dict]:
        return self.live_rows().percentiles(as_of)

    def allocate_citizen_id(self) -> int:
        citizen_id = self.next_citizen_id
        self.next_citizen_id += 1
        return citizen_id

    def update_attributes(self, citizen_id: int, changes: dict) -> None:
        citizen = self.citizens[citizen_id]
        if any(citizen[name] != value for name, value in changes.items()):
            self.changing_writes += 1  # the same values again change nothing
        citizen.update(changes)

    def replace_relatives(self, citizen_id: int, wanted: Iterable[int]) -> None:
        """Like the service: only visible links are replaced; links to trash are kept."""
        wanted = set(wanted)
        current = self.visible_relatives(citizen_id)
        for gone in current - wanted:
            self._unlink(citizen_id, gone)
        for new in wanted - current:
            self._link(citizen_id, new)
        if current != wanted:
            self.changing_writes += 1

    def create(self, citizen_id: int, attributes: dict, relatives: Iterable[int]) -> None:
        self.citizens[citizen_id] = {name: attributes[name] for name in ATTRIBUTES}
        for relative_id in relatives:
            self._link(citizen_id, relative_id)
        self.changing_writes += 1

    def trash(self, citizen_id: int) -> None:
        self.trashed.add(citizen_id)
        self.changing_writes += 1

    def restore(self, citizen_id: int) -> None:
        if citizen_id in self.trashed:  # restoring a live citizen changes nothing
            self.changing_writes += 1
        self.trashed.discard(citizen_id)

    def mark_uncertain(self, citizen_ids: Iterable[int]) -> None:
        """An errored write: it may have committed or not, so these ids can no longer be judged."""
        self.uncertain.update(citizen_ids)

    def _link(self, a: int, b: int) -> None:
        self.relatives[a].add(b)
        self.relatives[b].add(a)

    def _unlink(self, a: int, b: int) -> None:
        self.relatives[a].discard(b)
        self.relatives[b].discard(a)

    def differences(self, sql: Sql) -> list[str]:
        """How the import's rows differ from the accepted writes, citizen by citizen."""
        found = sql("SELECT data_version, deleted_at FROM imports WHERE id = :i", i=self.import_id)
        if not found:
            return ["the import is missing"]
        problems = []
        version, deleted_at = found[0]
        if deleted_at is not None:
            problems.append("the import is trashed; nothing trashed it")
        low = 1 + self.changing_writes
        if not self.uncertain and not low <= version <= low + self.refused_writes:
            problems.append(
                f"data_version is {version}, expected {low} (1 + {self.changing_writes} changing"
                f" writes) plus at most {self.refused_writes} refused ones that committed"
            )
        stored = {}
        for citizen_id, *values, trashed in sql(CITIZEN_ROWS, i=self.import_id):
            attributes = dict(zip(ATTRIBUTES, values, strict=True))
            attributes["birth_date"] = attributes["birth_date"].isoformat()
            stored[citizen_id] = (attributes, trashed)
        for citizen_id, attributes in self.citizens.items():
            if citizen_id in self.uncertain:
                continue
            if citizen_id not in stored:
                problems.append(f"citizen {citizen_id} is missing")
                continue
            got, trashed = stored[citizen_id]
            problems.extend(
                f"citizen {citizen_id}: {name} is {got[name]!r}, expected {attributes[name]!r}"
                for name in ATTRIBUTES
                if got[name] != attributes[name]
            )
            if trashed != (citizen_id in self.trashed):
                state = "trashed" if trashed else "live"
                problems.append(f"citizen {citizen_id} is {state}, expected the opposite")
        for citizen_id in sorted(set(stored) - set(self.citizens) - self.uncertain):
            problems.append(f"citizen {citizen_id} exists, but no accepted write created it")

        def judged(row: tuple[int, int]) -> bool:
            return not set(row) & self.uncertain

        kinship, wanted = kinship_pairs(sql, self.import_id), self.kinship_rows()
        problems.extend(
            f"kinship row {row} is missing" for row in sorted(wanted - kinship) if judged(row)
        )
        problems.extend(
            f"kinship row {row} exists, but no accepted write made it"
            for row in sorted(kinship - wanted)
            if judged(row)
        )
        return problems

    def assert_present(self, sql: Sql) -> None:
        """The import's rows are exactly what the accepted writes made them."""
        problems = self.differences(sql)
        assert not problems, f"import {self.import_id}: " + "; ".join(problems)
