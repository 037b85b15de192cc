"""Child processes of the service: gunicorn with a readiness poll and a Celery worker.

Each runs from the repository root in a session of its own (so a Ctrl-C reaches only its owner,
which then stops the whole process group) and appends its output to a log file, which is kept
readable after it stopped.
"""

import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path
from typing import TypeVar

import requests

REPO = Path(__file__).resolve().parent.parent
READY_SECONDS = 60
STOP_SECONDS = 30
T = TypeVar("T")


class HarnessError(RuntimeError):
    """A process or server did not come up or do what it should; the message says why."""


def wait_for(condition: Callable[[], T], what: str, timeout: float = 30, poll: float = 0.05) -> T:
    """Poll `condition` until it returns something truthy (and return it); fail after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise HarnessError(f"waited {timeout} s for {what}; last saw {value!r}")
        time.sleep(poll)


def free_port() -> int:
    """A TCP port nobody listens on right now (the kernel's pick for port 0)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def port_in_use(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def service_env(
    database_url: str, redis_url: str | None = None, config: str = "testing", **settings: object
) -> dict[str, str]:
    """The environment of the service's processes: this one's, with the service's settings.

    Without `redis_url` tasks run in-process, inside the request that committed the change.
    """
    env = {key: value for key, value in os.environ.items() if key != "REDIS_URL"}
    env.update(APP_CONFIG=config, DATABASE_URL=database_url)
    if redis_url:
        env["REDIS_URL"] = redis_url
    # Any value will do for a throwaway database; keep a caller's own if they set one.
    env.setdefault("SECRET_KEY", secrets.token_hex(16))
    env.update({name: str(value) for name, value in settings.items()})
    return env


class ServiceProcess:
    """A long-running child process: started, judged ready by `ready()`, stopped as a group."""

    name = "process"

    def __init__(self, env: dict[str, str], log_path: Path | None = None):
        self.env = env
        self.own_log = log_path is None
        if log_path is None:
            handle, name = tempfile.mkstemp(prefix=f"citizens-{self.name}-", suffix=".log")
            os.close(handle)
            log_path = Path(name)
        self.log_path = log_path
        self.process: subprocess.Popen | None = None
        self._log_offset = 0

    def command(self) -> list[str]:
        raise NotImplementedError

    def ready(self) -> bool:
        raise NotImplementedError

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    @property
    def pid(self) -> int:
        assert self.process is not None, f"{self.name} is not running"
        return self.process.pid

    def start(self) -> None:
        """Start the process and return once `ready()` says so (kill it if it never does)."""
        assert not self.running, f"{self.name} is already running"
        self._log_offset = self.log_path.stat().st_size if self.log_path.exists() else 0
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                self.command(),
                cwd=REPO,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        try:
            wait_for(self._started, f"{self.name} to be ready", READY_SECONDS, 0.1)
        except BaseException:
            self.kill()
            raise

    def _started(self) -> bool:
        if self.process.poll() is not None:
            raise HarnessError(
                f"{self.name} exited with {self.process.returncode} before it was ready:\n"
                f"{self.log_tail()}"
            )
        return self.ready()

    def stop(self, timeout: float = STOP_SECONDS) -> None:
        """SIGTERM to the whole group (a graceful stop); SIGKILL if it does not end in time."""
        if self.running:
            self._signal_group(signal.SIGTERM)
            with suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=timeout)
        self.kill()

    def kill(self) -> None:
        """SIGKILL the process and its children at once: nothing gets to finish anything."""
        if self.process is None:
            return
        if self.process.poll() is None or self._group_alive():
            self._signal_group(signal.SIGKILL)
        self.process.wait(timeout=STOP_SECONDS)
        self.process = None

    def _group_alive(self) -> bool:
        try:
            os.killpg(self.process.pid, 0)
        except ProcessLookupError:
            return False
        return True

    def _signal_group(self, signum: int) -> None:
        with suppress(ProcessLookupError):
            os.killpg(self.process.pid, signum)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def log_since_start(self) -> str:
        with self.log_path.open("rb") as log:
            log.seek(self._log_offset)
            return log.read().decode(errors="replace")

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log().splitlines()[-lines:])

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *_exc) -> None:
        self.stop()
        if self.own_log:
            self.log_path.unlink(missing_ok=True)


class ListeningProcess(ServiceProcess):
    """A server on a port of 127.0.0.1 (`self.port`), which must be free when it starts."""

    port: int

    def start(self) -> None:
        if port_in_use(self.port):
            # Otherwise its readiness check might be answered by some other server there.
            raise HarnessError(f"port {self.port} is already in use")
        super().start()


class Gunicorn(ListeningProcess):
    """gunicorn serving `app:create_app()` on 127.0.0.1, with the project's gunicorn.conf.py."""

    name = "gunicorn"

    def __init__(
        self,
        env: dict[str, str],
        workers: int = 2,
        port: int | None = None,
        timeout: int | None = None,
        log_path: Path | None = None,
    ):
        super().__init__(env, log_path)
        self.workers = workers
        self.port = port or free_port()
        self.timeout = timeout  # seconds a worker may spend on one request; None: gunicorn's
        self.url = f"http://127.0.0.1:{self.port}"

    def command(self) -> list[str]:
        timeout = ["--timeout", str(self.timeout)] if self.timeout else []
        return [
            sys.executable, "-m", "gunicorn", "--workers", str(self.workers),
            "--bind", f"127.0.0.1:{self.port}", *timeout, "app:create_app()",
        ]  # fmt: skip

    def ready(self) -> bool:
        try:
            return requests.get(f"{self.url}/health", timeout=2).status_code == 200
        except requests.RequestException:
            return False


class CeleryWorker(ServiceProcess):
    """`celery worker` (prefork, one child); with `beat`, the scheduler runs inside it too.

    With beat, SWEEP_INTERVAL_SECONDS in `env` sets how often it queues the sweep of stale
    aggregates, as the production scheduler does each minute.
    """

    name = "worker"

    def __init__(self, env: dict[str, str], log_path: Path | None = None, beat: bool = False):
        super().__init__(env, log_path)
        self.beat = beat

    def command(self) -> list[str]:
        beat = []
        if self.beat:
            schedule = self.log_path.with_name(f"{self.log_path.stem}-beat-schedule")
            beat = ["--beat", "--schedule", str(schedule)]
        return [
            sys.executable, "-m", "celery", "-A", "celery_worker.celery", "worker",
            "--pool", "prefork", "--concurrency", "1", "--loglevel", "INFO",
            "--without-heartbeat", "--without-gossip", "--without-mingle", *beat,
        ]  # fmt: skip

    def ready(self) -> bool:
        return " ready." in self.log_since_start()
