"""Redis as Celery's broker: one database per user, emptied around use, and what it holds.

Each user (a test module, the benchmark, the load scenario) owns a Redis database number, so
runs side by side never read each other's messages. The helpers read kombu's Redis transport
as it is: waiting messages in the queue's list, delivered ones in a hash until acknowledged,
which the worker does after the task ran (task_acks_late).
"""

import base64
import json
import time
from collections.abc import Iterator
from contextlib import contextmanager

import redis

QUEUE_KEY, UNACKED_KEY = "celery", "unacked"


def broker_url(database: int) -> str:
    """Database `database` of the shared Redis on 127.0.0.1:6379."""
    return f"redis://127.0.0.1:6379/{database}"


@contextmanager
def empty_broker(url: str) -> Iterator[redis.Redis]:
    """A client of the Redis database at `url`, emptied before and after use."""
    client = redis.Redis.from_url(url, socket_timeout=5)
    try:
        client.flushdb()
        yield client
        client.flushdb()
    finally:
        client.close()


def queued_tasks(broker: redis.Redis) -> list[tuple[str, list]]:
    """(task name, args) of each message waiting in the default Celery queue, oldest first."""
    tasks = []
    for raw in reversed(broker.lrange(QUEUE_KEY, 0, -1)):  # kombu pushes left, pops right
        message = json.loads(raw)
        args, _kwargs, _embed = json.loads(base64.b64decode(message["body"]))
        tasks.append((message["headers"]["task"], args))
    return tasks


def unacknowledged_ages(broker: redis.Redis) -> list[float]:
    """Seconds since each delivered but unacknowledged message was handed to a worker."""
    now = time.time()
    return [now - since for _, since in broker.zrange("unacked_index", 0, -1, withscores=True)]


def broker_load(broker: redis.Redis) -> tuple[int, int]:
    """(messages waiting, messages delivered but not yet acknowledged)."""
    return broker.llen(QUEUE_KEY), broker.hlen(UNACKED_KEY)


def broker_idle(broker: redis.Redis) -> bool:
    """Nothing waiting and nothing delivered but unacknowledged."""
    return broker_load(broker) == (0, 0)


def use_celery_of(flask_app) -> None:
    """Make `flask_app`'s Celery app the process's current one (create_app sets the last built)."""
    celery = flask_app.extensions["celery"]
    celery.set_current()
    celery.set_default()


def close_mark_client(flask_app) -> None:
    """Close the app's client of the "recompute queued" marks (Celery's pools are process-wide)."""
    mark_client = flask_app.extensions.pop("recompute_marks_redis", None)
    if mark_client is not None:
        mark_client.close()
