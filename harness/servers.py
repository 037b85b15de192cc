"""Throwaway Redis and PostgreSQL servers that a fault test may stop and start again.

The shared services on ports 6379 and 5432 serve every engineer's runs at once, so nothing may
stop them. These run from a temporary directory on a free port of their own, come back on that
same port after a stop (clients reconnect to the address they know), and are removed at the
end. A missing binary is a HarnessError saying what to install: a fault test never skips.
"""

import glob
import os
import pwd
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import redis

from harness.processes import HarnessError, ServiceProcess, free_port, wait_for

START_SECONDS = 30


def redis_server_binary() -> str:
    found = shutil.which("redis-server") or shutil.which("redis-server", path="/usr/bin")
    if found is None:
        raise HarnessError(
            "A redis-server binary of one's own is needed to stop and start (the shared Redis "
            "must stay up): install Redis (apt-get install redis-server)."
        )
    return found


class ThrowawayRedis(ServiceProcess):
    """redis-server without persistence, in a temporary directory, on a port of its own."""

    name = "redis-server"

    def __init__(self, directory: Path):
        super().__init__({**os.environ}, directory / "redis.log")
        self.binary = redis_server_binary()
        self.directory = directory
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def command(self) -> list[str]:
        return [
            self.binary, "--bind", "127.0.0.1", "--port", str(self.port),
            "--save", "", "--appendonly", "no", "--dir", str(self.directory),
        ]  # fmt: skip

    def ready(self) -> bool:
        client = redis.Redis(port=self.port, socket_connect_timeout=0.5, socket_timeout=0.5)
        try:
            return client.ping()
        except redis.ConnectionError:
            return False
        finally:
            client.close()

    def stop(self, timeout: float = 0) -> None:
        """Stop at once, keeping nothing: every queued message and mark is lost, as in a crash."""
        self.kill()


def version_of_debian_bindir(bindir: Path) -> list[int]:
    """[15] for /usr/lib/postgresql/15/bin, [9, 6] for .../9.6/bin."""
    return [int(part) for part in re.findall(r"\d+", bindir.parent.name)]


def postgresql_bindir() -> Path:
    """The directory of initdb and pg_ctl: pg_config's, else PATH's, else the newest Debian one."""
    candidates = []
    pg_config = shutil.which("pg_config")
    if pg_config:
        reported = subprocess.run(
            [pg_config, "--bindir"], capture_output=True, text=True, check=False
        ).stdout.strip()
        candidates.append(Path(reported))
    initdb = shutil.which("initdb")
    if initdb:
        candidates.append(Path(initdb).resolve().parent)
    debian = [Path(path) for path in glob.glob("/usr/lib/postgresql/*/bin")]
    candidates.extend(sorted(debian, key=version_of_debian_bindir, reverse=True))
    for bindir in candidates:
        if all(
            (bindir / tool).is_file() for tool in ("initdb", "pg_ctl", "postgres", "pg_isready")
        ):
            return bindir
    raise HarnessError(
        "A PostgreSQL cluster of one's own (the shared one must stay up) needs the server "
        "binaries initdb, pg_ctl, postgres and pg_isready; none found via pg_config --bindir, "
        "PATH or /usr/lib/postgresql/*/bin. Install the PostgreSQL server."
    )


class ThrowawayPostgres:
    """A PostgreSQL cluster in a temporary directory on a port of its own, trust auth, no fsync.

    As root, the server tools run as the `postgres` user (PostgreSQL refuses to run as root);
    otherwise as whoever runs them.
    """

    def __init__(self):
        self.bindir = postgresql_bindir()
        self.as_root = os.geteuid() == 0
        if self.as_root:
            try:
                pwd.getpwnam("postgres")
            except KeyError:
                raise HarnessError(
                    "Running as root, which PostgreSQL refuses: a `postgres` user is needed to "
                    "run the throwaway cluster as (useradd postgres)."
                ) from None
        # Not under pytest's tmp_path: its parents are root's, mode 0700, closed to `postgres`.
        self.directory = Path(tempfile.mkdtemp(prefix="citizens-faults-pg-"))
        if self.as_root:
            shutil.chown(self.directory, "postgres", "postgres")
        self.data = self.directory / "data"
        self.log_path = self.directory / "server.log"
        self.port = free_port()
        self.admin_url = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, tool: str, *args: str) -> subprocess.CompletedProcess:
        command = [str(self.bindir / tool), *args]
        if self.as_root:
            command = ["runuser", "-u", "postgres", "--", *command]
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=START_SECONDS, check=False
        )
        if done.returncode != 0:
            raise HarnessError(
                f"{tool} {' '.join(args)} failed ({done.returncode}):\n{done.stdout}{done.stderr}"
                f"\n{self.log()}"
            )
        return done

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def create(self) -> None:
        """initdb, then the settings of a disposable server: local only, no crash safety."""
        self._run(
            "initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust",
            "--encoding=UTF8", "--locale=C", "--no-sync",
        )  # fmt: skip
        settings = {
            "listen_addresses": "'127.0.0.1'",
            "port": str(self.port),
            "unix_socket_directories": f"'{self.directory}'",
            # Nothing here must survive a power cut; skipping the flushes makes the run faster.
            "fsync": "off",
            "synchronous_commit": "off",
            "full_page_writes": "off",
        }
        with (self.data / "postgresql.conf").open("a") as conf:
            conf.writelines(f"{name} = {value}\n" for name, value in settings.items())

    def start(self) -> None:
        self._run("pg_ctl", "start", "-D", str(self.data), "-l", str(self.log_path), "-w")
        wait_for(self.ready, f"PostgreSQL on port {self.port} to accept connections")

    def stop(self) -> None:
        """Fast shutdown, as `pg_ctl restart` does: every session ends at once, mid-query or not."""
        self._run("pg_ctl", "stop", "-D", str(self.data), "-m", "fast", "-w")

    def restart(self) -> None:
        """`pg_ctl restart -m fast`: every session ends, the server comes back on the same port."""
        self._run(
            "pg_ctl", "restart", "-D", str(self.data), "-l", str(self.log_path), "-m", "fast", "-w"
        )  # fmt: skip
        wait_for(self.ready, f"PostgreSQL on port {self.port} to accept connections again")

    def ready(self) -> bool:
        """What pg_isready says: the server accepts connections."""
        done = subprocess.run(
            [str(self.bindir / "pg_isready"), "-q", "-h", "127.0.0.1", "-p", str(self.port)],
            check=False,
        )
        return done.returncode == 0

    def remove(self) -> None:
        if (self.data / "postmaster.pid").exists():
            # Teardown: nothing to keep, so no checkpoint to wait for.
            self._run("pg_ctl", "stop", "-D", str(self.data), "-m", "immediate", "-w")
        shutil.rmtree(self.directory, ignore_errors=True)
