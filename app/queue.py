"""The "recompute queued" mark: a short-lived Redis key per import while its task waits.

It keeps a burst of writes to one import from queueing a burst of identical recomputes. The
task clears the mark as it starts, so a change committed during a recompute queues another one.
The TTL bounds the damage of a lost task: after it, the next change (or the sweep) queues anew.
"""

import logging

import redis
from flask import current_app

log = logging.getLogger(__name__)
KEY = "citizens-analyzer:recompute-queued:{}"


def _client() -> redis.Redis | None:
    url = current_app.config["REDIS_URL"]
    if not url:
        return None  # tasks run in-process; there is no queue to deduplicate
    client = current_app.extensions.get("queue_redis")
    if client is None:
        client = redis.Redis.from_url(url, socket_connect_timeout=0.5, socket_timeout=0.5)
        current_app.extensions["queue_redis"] = client
    return client


def claim(import_id: int) -> bool:
    """Mark a recompute of `import_id` as queued; False when one is queued already."""
    client = _client()
    if client is None:
        return True
    ttl = current_app.config["RECOMPUTE_MARK_SECONDS"]
    return bool(client.set(KEY.format(import_id), 1, nx=True, ex=ttl))


def waiting_tasks() -> int:
    """How many tasks wait in the broker's default queue (0 when tasks run in-process)."""
    client = _client()
    return int(client.llen("celery")) if client is not None else 0


def release(import_id: int) -> None:
    client = _client()
    if client is not None:
        client.delete(KEY.format(import_id))
