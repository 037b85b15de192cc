"""`make dredd`: prove the API Blueprint against the real service, then clean up.

Serves the app under gunicorn on a throwaway database (harness/), builds the Blueprint from its
parts, runs Dredd with the Python hooks, and always stops the server and drops the database.
Exits with Dredd's status; on a failure it prints where the server's log is.
"""

import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from harness.database import DEFAULT_ADMIN_URL, ThrowawayDatabase  # noqa: E402
from harness.processes import free_port  # noqa: E402
from harness.service import exit_on_sigterm, running_service  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
NODE_BIN = ROOT / "node_modules" / ".bin"
ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", DEFAULT_ADMIN_URL)
SOURCE = ROOT / "docs" / "api" / "citizens-analyzer.apib"
BUILT = ROOT / "build" / "citizens-analyzer.apib"
SERVER_LOG = ROOT / "build" / "dredd-gunicorn.log"


def main() -> int:
    exit_on_sigterm()
    BUILT.parent.mkdir(exist_ok=True)
    SERVER_LOG.unlink(missing_ok=True)
    database = ThrowawayDatabase(ADMIN_URL, "citizens_dredd")
    # Tasks run in-process (no broker): Dredd checks the HTTP surface.
    # One allowed origin, as a production deploy would list it: docs/api/cors.apib's example.
    cors = {"CORS_ORIGINS": "https://spa.example"}
    with running_service(database, server_log=SERVER_LOG, SECRET_KEY="dredd", **cors) as service:
        subprocess.run([NODE_BIN / "hercule", SOURCE, "-o", BUILT], cwd=ROOT, check=True)
        # The hooks server (dredd-hooks-python, from this virtualenv) reads DATABASE_URL too.
        env = {
            **service.env,
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        }
        hooks_port = free_port()
        started = time.monotonic()
        dredd = subprocess.run(
            [
                NODE_BIN / "dredd", BUILT, service.server.url,
                "--hookfiles", "hooks/*_hooks.py",
                "--language", f"dredd-hooks-python --port {hooks_port}",
                "--hooks-worker-handler-port", str(hooks_port),
                "--hooks-worker-connect-timeout", "5000",
            ],
            cwd=ROOT, env=env, check=False,
        )  # fmt: skip
        print(f"Dredd took {time.monotonic() - started:.1f} s")
    if dredd.returncode != 0:
        print(f"the server's log: {SERVER_LOG.relative_to(ROOT)}", file=sys.stderr)
    return dredd.returncode


if __name__ == "__main__":
    sys.exit(main())
