"""A real Celery worker in a subprocess, and the Redis broker database a test module gives it.

Each test module owns one Redis database (a number of its own), flushed before and after it.
The worker builds its own app with create_app() from the environment, as in production.
"""

import base64
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TypeVar

import redis

REPO = Path(__file__).resolve().parents[2]
READY_SECONDS = 30
STOP_SECONDS = 10
VISIBILITY_TIMEOUT = 2  # seconds before Redis hands a dead worker's task to the next worker
T = TypeVar("T")


def broker_url(database: int) -> str:
    return f"redis://127.0.0.1:6379/{database}"


def wait_for(condition: Callable[[], T], what: str, timeout: float = 30, poll: float = 0.05) -> T:
    """Poll `condition` until it returns something truthy (and return it); fail after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {timeout} s for {what}; last saw {value!r}")
        time.sleep(poll)


@contextmanager
def empty_broker(database: int) -> Iterator[redis.Redis]:
    """A client of Redis database `database`, emptied before and after use."""
    client = redis.Redis.from_url(broker_url(database), socket_timeout=5)
    try:
        client.flushdb()
        yield client
        client.flushdb()
    finally:
        client.close()


def queued_tasks(broker: redis.Redis) -> list[tuple[str, list]]:
    """(task name, args) of each message waiting in the default Celery queue, oldest first."""
    tasks = []
    for raw in reversed(broker.lrange("celery", 0, -1)):  # kombu pushes left, pops right
        message = json.loads(raw)
        args, _kwargs, _embed = json.loads(base64.b64decode(message["body"]))
        tasks.append((message["headers"]["task"], args))
    return tasks


def unacknowledged_ages(broker: redis.Redis) -> list[float]:
    """Seconds since each delivered but unacknowledged message was handed to a worker."""
    now = time.time()
    return [now - since for _, since in broker.zrange("unacked_index", 0, -1, withscores=True)]


def broker_idle(broker: redis.Redis) -> bool:
    """Nothing waiting and nothing delivered but unacknowledged."""
    return broker.llen("celery") == 0 and broker.hlen("unacked") == 0


def use_celery_of(flask_app) -> None:
    """Make `flask_app`'s Celery app the process's current one (create_app sets the last built)."""
    celery = flask_app.extensions["celery"]
    celery.set_current()
    celery.set_default()


def close_mark_client(flask_app) -> None:
    """Close the app's client of the "recompute queued" marks (Celery's pools are process-wide)."""
    mark_client = flask_app.extensions.pop("queue_redis", None)
    if mark_client is not None:
        mark_client.close()


class WorkerProcess:
    """`celery worker` (prefork, one child) in its own process group, logging to a file.

    With `sweep_every` (seconds) it also runs beat inside (`--beat`), which queues the sweep of
    stale aggregates at that interval, as the production scheduler does each minute.
    """

    def __init__(
        self, database_url: str, redis_url: str, log_path: Path, sweep_every: float | None = None
    ):
        self.env = {
            **os.environ,
            "APP_CONFIG": "testing",
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "BROKER_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT),
            "SECRET_KEY": "x",
        }
        self.beat_options = []
        if sweep_every is not None:
            self.env["SWEEP_INTERVAL_SECONDS"] = str(sweep_every)
            schedule = log_path.with_name(f"{log_path.stem}-beat-schedule")
            self.beat_options = ["--beat", "--schedule", str(schedule)]
        self.log_path = log_path
        self.process: subprocess.Popen | None = None

    def log(self) -> str:
        return self.log_path.read_text() if self.log_path.exists() else ""

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def start(self) -> None:
        """Start a worker and return once it says it is ready to consume."""
        assert not self.running
        ready_before = self.log().count(" ready.")
        command = [
            sys.executable, "-m", "celery", "-A", "celery_worker.celery", "worker",
            "--pool", "prefork", "--concurrency", "1", "--loglevel", "INFO",
            "--without-heartbeat", "--without-gossip", "--without-mingle", *self.beat_options,
        ]  # fmt: skip
        with self.log_path.open("a") as log:
            self.process = subprocess.Popen(
                command,
                cwd=REPO,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group, so the child dies with it
            )
        try:
            wait_for(self._ready(ready_before), "the worker to be ready", READY_SECONDS, 0.1)
        except BaseException:
            self.kill()
            raise

    def _ready(self, ready_before: int) -> Callable[[], bool]:
        def ready() -> bool:
            if self.process.poll() is not None:
                raise AssertionError(f"the worker exited early:\n{self.log()}")
            return self.log().count(" ready.") > ready_before

        return ready

    def __enter__(self) -> "WorkerProcess":
        self.start()
        return self

    def __exit__(self, *_exc) -> None:
        self.stop()

    def stop(self) -> None:
        """Warm shutdown (SIGTERM); SIGKILL the whole group if it does not end in time."""
        if not self.running:
            self._reap()
            return
        self._signal_group(signal.SIGTERM)
        with suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=STOP_SECONDS)
        self.kill()

    def kill(self) -> None:
        """SIGKILL the worker and its pool child at once: nothing gets to acknowledge anything."""
        self._signal_group(signal.SIGKILL)
        self._reap()

    def _signal_group(self, signum: int) -> None:
        if self.process is None:
            return
        with suppress(ProcessLookupError):
            os.killpg(self.process.pid, signum)

    def _reap(self) -> None:
        if self.process is not None:
            self.process.wait(timeout=STOP_SECONDS)
            self.process = None
