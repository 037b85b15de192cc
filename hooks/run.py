"""`make dredd`: prove the API Blueprint against the real service, then clean up.

Creates a throwaway PostgreSQL database, migrates it, serves the app under gunicorn (waiting
for /health rather than sleeping), builds the Blueprint from its parts, runs Dredd with the
Python hooks, and always stops the server and drops the database. Exits with Dredd's status.
"""

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import psycopg
import requests

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
NODE_BIN = ROOT / "node_modules" / ".bin"
ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
SOURCE = ROOT / "docs" / "api" / "citizens-analyzer.apib"
BUILT = ROOT / "build" / "citizens-analyzer.apib"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def admin(statement: str) -> None:
    with psycopg.connect(ADMIN_URL, autocommit=True, connect_timeout=3) as connection:
        connection.execute(statement)


def wait_until_ready(url: str, server: subprocess.Popen, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited with {server.returncode} before it was ready")
        try:
            if requests.get(f"{url}/health", timeout=1).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.1)
    raise SystemExit(f"the service at {url} was not ready after {seconds} s")


def main() -> int:
    name = f"citizens_dredd_{uuid.uuid4().hex[:10]}"
    database_url = f"{ADMIN_URL.rsplit('/', 1)[0]}/{name}"
    env = {
        **os.environ,
        "APP_CONFIG": "testing",
        "DATABASE_URL": database_url,
        "SECRET_KEY": "dredd",
        "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}",
    }
    env.pop("REDIS_URL", None)  # tasks run in-process: Dredd checks the HTTP surface
    port, hooks_port = free_port(), free_port()
    url = f"http://127.0.0.1:{port}"
    admin(f'CREATE DATABASE "{name}"')
    server = None
    try:
        subprocess.run([BIN / "python", "manage.py", "db", "upgrade"], cwd=ROOT, env=env,
                       check=True, capture_output=True)  # fmt: skip
        server = subprocess.Popen(
            [BIN / "gunicorn", "--workers", "2", "--bind", f"127.0.0.1:{port}", "app:create_app()"],
            cwd=ROOT, env=env, start_new_session=True,
        )  # fmt: skip
        wait_until_ready(url, server)
        BUILT.parent.mkdir(exist_ok=True)
        subprocess.run([NODE_BIN / "hercule", SOURCE, "-o", BUILT], cwd=ROOT, check=True)
        started = time.monotonic()
        dredd = subprocess.run(
            [
                NODE_BIN / "dredd", BUILT, url,
                "--hookfiles", "hooks/*_hooks.py",
                "--language", f"dredd-hooks-python --port {hooks_port}",
                "--hooks-worker-handler-port", str(hooks_port),
                "--hooks-worker-connect-timeout", "5000",
            ],
            cwd=ROOT, env=env, check=False,
        )  # fmt: skip
        print(f"Dredd took {time.monotonic() - started:.1f} s")
        return dredd.returncode
    finally:
        if server is not None:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
        admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    sys.exit(main())
