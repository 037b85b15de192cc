"""What a use case can refuse, in the domain's own words: ids and positions, never HTTP.

The resource layer turns each of these into a JSON:API error (app.errors holds the one map);
tasks and commands catch them by name.
"""

from dataclasses import dataclass

from app.domain.citizen_rules import Violation


class DomainError(Exception):
    """A use case that cannot be carried out as asked."""


@dataclass(eq=False)  # exceptions compare and hash by identity
class ImportNotFound(DomainError):
    import_id: int

    def __str__(self) -> str:
        return f"Import {self.import_id} does not exist."


@dataclass(eq=False)  # exceptions compare and hash by identity
class CitizenNotFound(DomainError):
    import_id: int
    citizen_id: int

    def __str__(self) -> str:
        return f"Citizen {self.citizen_id} does not exist in import {self.import_id}."


@dataclass(eq=False)  # exceptions compare and hash by identity
class RelativeNotFound(DomainError):
    """The relative at `position` of the requested relatives does not exist (or is trashed)."""

    import_id: int
    relative_id: int
    position: int

    def __str__(self) -> str:
        return f"Citizen {self.relative_id} does not exist in import {self.import_id}."


@dataclass(eq=False)  # exceptions compare and hash by identity
class CitizenIdTaken(DomainError):
    import_id: int
    citizen_id: int
    by_trashed: bool  # held by a trashed citizen, which can be restored or purged

    def __str__(self) -> str:
        how = "restore or purge the trashed citizen" if self.by_trashed else "choose another"
        return f"citizen_id {self.citizen_id} is already taken in import {self.import_id}; {how}."


@dataclass(eq=False)  # exceptions compare and hash by identity
class InvalidAttributes(DomainError):
    """Attributes that break the rules; each violation's path starts at the attributes object."""

    violations: list[Violation]

    def __str__(self) -> str:
        return "; ".join(f"{'/'.join(map(str, v.path))}: {v.detail}" for v in self.violations)


@dataclass(eq=False)  # exceptions compare and hash by identity
class TokenNameTaken(DomainError):
    name: str

    def __str__(self) -> str:
        return f"A token named {self.name!r} already exists."


@dataclass(eq=False)  # exceptions compare and hash by identity
class ChangedMeanwhile(DomainError):
    """The record is no longer in a state the writer expected (a version it last saw): somebody
    else changed it meanwhile. `citizen_id` None: the import itself."""

    import_id: int
    citizen_id: int | None = None

    def __str__(self) -> str:
        record = f"Import {self.import_id}"
        if self.citizen_id is not None:
            record = f"Citizen {self.citizen_id} of import {self.import_id}"
        return f"{record} has changed since you read it; read it again and reapply your change."
