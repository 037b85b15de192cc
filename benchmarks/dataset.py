"""The benchmark's data set: the demo generator's citizens, encoded as a POST /imports body."""

import orjson

from app.demo_data import DEFAULT_SEED, generate_citizens

__all__ = ["DEFAULT_SEED", "generate_citizens", "import_document"]


def import_document(citizens: list[dict]) -> bytes:
    """Return the orjson-encoded JSON:API body of POST /imports for these citizens."""
    return orjson.dumps({"data": {"type": "imports", "attributes": {"citizens": citizens}}})
