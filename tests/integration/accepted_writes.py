"""A write a fault test sends, and how an accepted one changes the import's expected state.

A fault test keeps one harness.expected.ExpectedImport per import, starting from the citizens
it POSTed, and applies each write the service accepted (2xx). Reads during the test can be
judged against it, and at the end the rows must equal it.
"""

from dataclasses import dataclass

from harness.expected import ExpectedImport
from tests.factories import citizen_document, linkage


@dataclass(frozen=True)
class Write:
    """A PATCH of one citizen's attributes or relatives: idempotent, so safe to send again."""

    citizen_id: int
    attributes: dict | None = None
    relatives: tuple[int, ...] | None = None

    def request(self, import_id: int) -> tuple[str, dict]:
        """The path and document of the PATCH."""
        path = f"/imports/{import_id}/citizens/{self.citizen_id}"
        if self.relatives is not None:
            return f"{path}/relationships/relatives", {"data": linkage(import_id, self.relatives)}
        resource_id = f"{import_id}.{self.citizen_id}"
        return path, citizen_document(import_id, self.attributes, resource_id=resource_id)

    def accepted(self, expected: ExpectedImport) -> None:
        """Record in `expected` that the service accepted this write."""
        if self.relatives is None:
            expected.update_attributes(self.citizen_id, self.attributes)
        else:
            expected.replace_relatives(self.citizen_id, self.relatives)
