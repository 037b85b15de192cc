"""Lifecycle of the benchmarked service: bench database, migrations, gunicorn, memory.

`running_service()` is the whole lifecycle in one `with` block, shared by the timed benchmark
(`benchmarks.run`) and the load scenario (`benchmarks.load`).
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg
import requests
from psycopg import sql

REPO_ROOT = Path(__file__).resolve().parent.parent
READY_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 30.0
# Slow plans are what the planner-trap mode is meant to show: give a request minutes rather
# than gunicorn's default 30 s, after which the worker would be killed and nothing measured.
WORKER_TIMEOUT_S = 600


class BenchError(RuntimeError):
    """A failure that must stop the benchmark with a non-zero exit code."""


def admin_url(pg: str) -> str:
    """Return the libpq URL of the maintenance database `postgres` on server `pg`."""
    return f"postgresql://{pg}/postgres"


def database_url(pg: str, name: str) -> str:
    """Return the libpq URL of database `name` on server `pg` (user@host:port)."""
    return f"postgresql://{pg}/{name}"


def server_version(pg: str) -> str:
    """Return PostgreSQL's version number, e.g. '15.20'."""
    with psycopg.connect(admin_url(pg), autocommit=True) as conn:
        return conn.execute("SHOW server_version").fetchone()[0].split()[0]


def recreate_database(pg: str, name: str) -> None:
    """Drop database `name` if it exists (closing its sessions) and create it empty."""
    drop_database(pg, name)
    with psycopg.connect(admin_url(pg), autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def drop_database(pg: str, name: str) -> None:
    """Drop database `name` if it exists, forcing its sessions closed."""
    with psycopg.connect(admin_url(pg), autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


def service_env(pg: str, name: str, redis_url: str | None) -> dict[str, str]:
    """Return the environment for manage.py, gunicorn and the worker, on database `name`.

    With `redis_url`, tasks go to that Redis and a worker runs them (the production shape);
    without it they run in-process, inside the request that committed the change.
    """
    env = dict(os.environ)
    env.pop("REDIS_URL", None)
    if redis_url:
        env["REDIS_URL"] = redis_url
    env["DATABASE_URL"] = f"postgresql+psycopg://{pg}/{name}"
    env["APP_CONFIG"] = "production"
    # Any value will do for a throw-away database; keep a caller's own if they set one.
    env.setdefault("SECRET_KEY", secrets.token_hex(16))
    return env


def manage(env: dict[str, str], *args: str) -> str:
    """Run `python manage.py ARGS` for the bench database; return its standard output."""
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=REPO_ROOT, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    if result.returncode != 0:
        raise BenchError(
            f"manage.py {' '.join(args)} exited with {result.returncode}\n"
            f"{result.stdout}{result.stderr}"
        )
    return result.stdout


def migrate(env: dict[str, str]) -> None:
    """Run `manage.py db upgrade` on the bench database."""
    manage(env, "db", "upgrade")


def create_token(env: dict[str, str], name: str = "benchmark", role: str = "admin") -> str:
    """Create a token with `manage.py tokens create`; it prints the token last."""
    return manage(env, "tokens", "create", name, "--role", role).strip().splitlines()[-1]


def free_port() -> int:
    """Return a port on 127.0.0.1 that nothing listens on now (the kernel's pick)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def throwaway_database_name(prefix: str) -> str:
    """Return a database name no other run uses, so runs on one machine never collide."""
    return f"{prefix}_{secrets.token_hex(5)}"


def freeze_statistics(pg: str, name: str) -> list[str]:
    """ANALYZE the database with autovacuum off; return import_id MCV lists as evidence."""
    with psycopg.connect(database_url(pg, name), autocommit=True) as conn:
        tables = conn.execute(
            "SELECT schemaname, tablename FROM pg_tables"
            " WHERE schemaname NOT IN ('pg_catalog', 'information_schema')"
        ).fetchall()
        # The measured imports add 10% or more rows, which is autovacuum's threshold for a
        # fresh ANALYZE; one landing mid-run would quietly disarm the trap for later rounds.
        for schema, table in tables:
            conn.execute(
                sql.SQL("ALTER TABLE {} SET (autovacuum_enabled = false)").format(
                    sql.Identifier(schema, table)
                )
            )
        conn.execute("ANALYZE")
        rows = conn.execute(
            "SELECT tablename, most_common_vals::text FROM pg_stats"
            " WHERE attname = 'import_id' ORDER BY tablename"
        ).fetchall()
    return [f"{table}.import_id MCV={values}" for table, values in rows]


class Gunicorn:
    """A gunicorn master serving app:create_app() on 127.0.0.1, logging to a temp file."""

    def __init__(self, env: dict[str, str], port: int, workers: int) -> None:
        """Remember how to start the server; nothing runs until start()."""
        self.env = env
        self.port = port
        self.workers = workers
        self.base_url = f"http://127.0.0.1:{port}"
        self.process: subprocess.Popen | None = None
        # Lives as long as this object so the log can still be read after gunicorn stopped.
        self.log = tempfile.TemporaryFile()  # noqa: SIM115

    def start(self) -> None:
        """Start the master and wait until GET /health answers 200."""
        if _port_in_use(self.port):
            # Otherwise /health might be answered by some other server on that port.
            raise BenchError(f"port {self.port} is already in use; pick another with --port")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "-w",
                str(self.workers),
                "-b",
                f"127.0.0.1:{self.port}",
                "--timeout",
                str(WORKER_TIMEOUT_S),
                "app:create_app()",
            ],
            cwd=REPO_ROOT,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            # Own session: a Ctrl-C reaches only the harness, which then stops gunicorn itself.
            start_new_session=True,
        )
        self._wait_ready()

    def stop(self) -> None:
        """Stop the master with SIGTERM (SIGKILL if it hangs) and wait for it to exit."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def log_text(self) -> str:
        """Return everything gunicorn and the app wrote so far."""
        self.log.seek(0)
        return self.log.read().decode(errors="replace")

    def log_tail(self, lines: int = 40) -> str:
        """Return the last lines gunicorn and the app wrote."""
        return "\n".join(self.log_text().splitlines()[-lines:])

    def peak_rss_mb(self) -> dict[str, float]:
        """Return VmHWM in MB of the master and of each worker, keyed 'master'/'worker <pid>'."""
        if self.process is None:
            return {}
        master = self.process.pid
        peaks = {"master": _vm_hwm_mb(master)}
        for pid in sorted(_child_pids(master)):
            peaks[f"worker {pid}"] = _vm_hwm_mb(pid)
        return peaks

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + READY_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise BenchError(
                    f"gunicorn exited with {self.process.returncode} before it was ready\n"
                    f"{self.log_tail()}"
                )
            try:
                if requests.get(f"{self.base_url}/health", timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.1)
        raise BenchError(f"GET /health not 200 after {READY_TIMEOUT_S:.0f} s\n{self.log_tail()}")


def _port_in_use(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _child_pids(parent: int) -> list[int]:
    # Scanning /proc works on every kernel; /proc/<pid>/task/*/children needs an option.
    children = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue  # the process exited while we looked
        # The command name may hold spaces or parentheses: fields start after the last ')'.
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        if ppid == parent:
            children.append(int(entry.name))
    return children


def _vm_hwm_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


class CeleryWorker:
    """One Celery worker process (concurrency 1) for the recompute tasks, logging to a file."""

    def __init__(self, env: dict[str, str]) -> None:
        self.env = env
        self.process: subprocess.Popen | None = None
        self.log = tempfile.TemporaryFile()  # noqa: SIM115

    def start(self) -> None:
        """Start the worker and wait until it says it is ready."""
        import redis

        redis.Redis.from_url(self.env["REDIS_URL"]).flushdb()  # no task left from an old run
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "celery_worker.celery", "worker",
             "--concurrency", "1", "--without-gossip", "--without-mingle",
             "--without-heartbeat", "--loglevel", "INFO"],
            cwd=REPO_ROOT, env=self.env, stdout=self.log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        deadline = time.monotonic() + READY_TIMEOUT_S
        while time.monotonic() < deadline:
            self.log.seek(0)
            if b" ready." in self.log.read():
                return
            if self.process.poll() is not None:
                break
            time.sleep(0.2)
        raise BenchError(f"the Celery worker did not start:\n{self.log_tail()}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()

    def log_text(self) -> str:
        self.log.seek(0)
        return self.log.read().decode(errors="replace")

    def log_tail(self, lines: int = 20) -> str:
        return "\n".join(self.log_text().splitlines()[-lines:])


@dataclass
class Service:
    """A running service: its environment (for manage.py), gunicorn and the optional worker."""

    env: dict[str, str]
    server: Gunicorn
    worker: CeleryWorker | None

    def failure(self, exc: BaseException) -> BenchError:
        """Return a BenchError for `exc` with the end of the server log, for the owner to read."""
        log = self.server.log_tail()
        return BenchError(f"{exc}\n--- server log (tail) ---\n{log}" if log else str(exc))


@contextmanager
def running_service(
    pg: str,
    database: str,
    port: int,
    workers: int,
    redis_url: str | None = None,
    keep_db: bool = False,
) -> Iterator[Service]:
    """Create database `database` afresh, migrate it, start the worker and gunicorn.

    With `redis_url` a Celery worker recomputes the aggregates (the production shape); without
    it tasks run in-process. On the way out, even after an error or SIGTERM, both processes are
    stopped and the database dropped (unless `keep_db`).
    """
    recreate_database(pg, database)
    server = worker = None
    try:
        env = service_env(pg, database, redis_url)
        migrate(env)
        server = Gunicorn(env, port, workers)
        if redis_url:
            worker = CeleryWorker(env)
            worker.start()
        server.start()
        yield Service(env, server, worker)
    finally:
        if server is not None:
            server.stop()
        if worker is not None:
            worker.stop()
        if not keep_db:
            drop_database(pg, database)


def exit_on_sigterm(signum: int, _frame: object) -> None:
    """A SIGTERM handler: SystemExit unwinds the `finally` blocks that stop servers, drop dbs."""
    sys.exit(128 + signum)
