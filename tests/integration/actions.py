"""Small actions that several test modules take through any JSON:API client or the command line,
and readers of what the replies say."""

from tests.factories import citizen_document, family, import_document, restore_document


def create_import(client, citizens: list[dict] | None = None) -> int:
    """POST an import of `citizens` (tests/factories.py's family() unless told); return its id."""
    reply = client.post(
        "/imports", json=import_document(family() if citizens is None else citizens)
    )
    assert reply.status == 201, reply.body
    return int(reply.body["data"]["id"])


def rename(client, import_id: int, citizen_id: int, name: str) -> None:
    """PATCH one citizen's name (a write that bumps the import's data_version, and that no
    aggregate depends on)."""
    document = citizen_document(import_id, {"name": name}, resource_id=f"{import_id}.{citizen_id}")
    reply = client.patch(f"/imports/{import_id}/citizens/{citizen_id}", json=document)
    assert reply.status == 200, reply.body


def set_birth_date(client, import_id: int, citizen_id: int, born: str) -> None:
    """PATCH one citizen's birth date (a write both aggregates depend on)."""
    document = citizen_document(
        import_id, {"birth_date": born}, resource_id=f"{import_id}.{citizen_id}"
    )
    reply = client.patch(f"/imports/{import_id}/citizens/{citizen_id}", json=document)
    assert reply.status == 200, reply.body


def trash(client, url: str) -> None:
    """DELETE without permanent=true: the import or citizen at `url` goes to the trash."""
    reply = client.delete(url)
    assert reply.status == 204, reply.body


def restore_import(admin, import_id: int = 1):
    """Take an import out of the trash (an admin's PATCH); the reply, to be judged."""
    return admin.patch(f"/imports/{import_id}?with_trashed=true", json=restore_document(import_id))


def restore_citizen(admin, citizen_id: int, import_id: int = 1):
    """Take a citizen out of the trash (an admin's PATCH); the reply, to be judged."""
    document = restore_document(import_id, citizen_id)
    return admin.patch(
        f"/imports/{import_id}/citizens/{citizen_id}?with_trashed=true", json=document
    )


def read(client, path: str) -> dict:
    """GET `path`, which must answer 200; the reply's body."""
    reply = client.get(path)
    assert reply.status == 200, reply.body
    return reply.body


def import_attributes(client, import_id: int = 1, query: str = "") -> dict:
    reply = client.get(f"/imports/{import_id}{query}")
    assert reply.status == 200, reply.body
    return reply.body["data"]["attributes"]


def relatives(client, citizen_id: int, query: str = "", import_id: int = 1) -> list[str]:
    """The ids in a citizen's relatives relationship, as the caller sees them."""
    reply = client.get(f"/imports/{import_id}/citizens/{citizen_id}/relationships/relatives{query}")
    assert reply.status == 200, reply.body
    return [r["id"] for r in reply.body["data"]]


def ids(reply) -> list[str]:
    """The ids of a successful collection reply's resources, in order."""
    assert reply.status == 200, reply.body
    return [r["id"] for r in reply.body["data"]]


def included_ids(reply) -> list[str]:
    assert reply.status == 200, reply.body
    return [r["id"] for r in reply.body["included"]]


def linkage_ids(resource: dict) -> list[str]:
    """The ids a citizen resource links as its relatives."""
    return [r["id"] for r in resource["relationships"]["relatives"]["data"]]


def run_command(app, *args):
    """Run a `flask` command of the app (Flask's CLI test runner); the result, to be judged."""
    return app.test_cli_runner().invoke(args=list(args))


def cli_token(app, name: str, role: str) -> str:
    """Create a token with `tokens create`; the token, printed alone on the last line."""
    result = run_command(app, "tokens", "create", name, "--role", role)
    assert result.exit_code == 0, result.output
    return result.stdout.strip().splitlines()[-1]
