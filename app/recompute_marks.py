"""The "recompute queued" de-duplication mark: a short-lived Redis key per import.

It keeps a burst of writes to one import from queueing a burst of identical recomputes. The
task clears the mark as it starts, so a change committed during a recompute queues another one.
The TTL bounds the damage of a lost task: after it, the next change (or the sweep) queues anew.
"""

import redis
from flask import current_app

KEY = "citizens-analyzer:recompute-queued:{}"


def redis_client() -> redis.Redis | None:
    """The app's Redis (the broker), or None when tasks run in-process."""
    url = current_app.config["REDIS_URL"]
    if not url:
        return None
    client = current_app.extensions.get("recompute_marks_redis")
    if client is None:
        client = redis.Redis.from_url(url, socket_connect_timeout=0.5, socket_timeout=0.5)
        current_app.extensions["recompute_marks_redis"] = client
    return client


def claim(import_id: int) -> bool:
    """Mark a recompute of `import_id` as queued; False when one is queued already."""
    client = redis_client()
    if client is None:
        return True  # in-process tasks run at once: there is nothing to de-duplicate
    ttl = current_app.config["RECOMPUTE_MARK_SECONDS"]
    return bool(client.set(KEY.format(import_id), 1, nx=True, ex=ttl))


def release(import_id: int) -> None:
    client = redis_client()
    if client is not None:
        client.delete(KEY.format(import_id))
