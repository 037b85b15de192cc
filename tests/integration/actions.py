"""Small HTTP actions that several test modules take through any JSON:API client."""

from tests.factories import citizen_document, import_document


def create_import(client, citizens: list[dict]) -> int:
    """POST an import of `citizens`; return its id."""
    reply = client.post("/imports", json=import_document(citizens))
    assert reply.status == 201, reply.body
    return int(reply.body["data"]["id"])


def rename(client, import_id: int, citizen_id: int, name: str) -> None:
    """PATCH one citizen's name (a write that bumps the import's data_version)."""
    document = citizen_document(import_id, {"name": name}, resource_id=f"{import_id}.{citizen_id}")
    reply = client.patch(f"/imports/{import_id}/citizens/{citizen_id}", json=document)
    assert reply.status == 200, reply.body
