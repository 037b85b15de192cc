"""The whole service in one `with` block: a throwaway database, a Celery worker and gunicorn."""

import signal
import sys
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from harness.broker import empty_broker
from harness.database import ThrowawayDatabase
from harness.processes import CeleryWorker, Gunicorn, service_env


@dataclass
class Service:
    """A running service: its database, the environment of its processes, and the processes."""

    database_url: str
    env: dict[str, str]
    server: Gunicorn
    worker: CeleryWorker | None


@contextmanager
def running_service(
    database: ThrowawayDatabase,
    workers: int = 2,
    redis_url: str | None = None,
    config: str = "testing",
    port: int | None = None,
    timeout: int | None = None,
    server_log: Path | None = None,
    **settings: object,
) -> Iterator[Service]:
    """Create and migrate `database`, start the worker (with `redis_url`) and gunicorn.

    With `redis_url` a Celery worker runs the tasks, its broker database emptied before and
    after (the production shape); without it tasks run in-process. On the way out, even after
    an error or a SIGTERM (see `exit_on_sigterm`), both processes stop and the database is
    dropped (unless `database.keep`).
    """
    with database as url, ExitStack() as stack:
        env = service_env(url, redis_url, config, **settings)
        worker = None
        if redis_url:
            stack.enter_context(empty_broker(redis_url))
            worker = stack.enter_context(CeleryWorker(env))
        server = stack.enter_context(Gunicorn(env, workers, port, timeout, server_log))
        yield Service(url, env, server, worker)


def _exit(signum: int, _frame: object) -> None:
    sys.exit(128 + signum)


def exit_on_sigterm() -> None:
    """Make SIGTERM a SystemExit, which unwinds the blocks that stop servers and drop databases."""
    signal.signal(signal.SIGTERM, _exit)
