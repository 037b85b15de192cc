"""The project's nginx configuration, run by Debian's nginx on loopback in front of gunicorn.

Production runs deploy/nginx/templates/default.conf.template in the official nginx image, which
renders it with envsubst and includes it in its own nginx.conf. Here the same template is
rendered the same way and included in a main configuration like the image's, with the pid file,
logs and temporary files in a directory of its own, so several can run at once without root's
paths. Debian's nginx is installed with apt-get when it is missing.
"""

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from harness.processes import REPO, HarnessError, ListeningProcess, free_port, port_in_use

TEMPLATE = REPO / "deploy" / "nginx" / "templates" / "default.conf.template"
# What docker-compose.yml passes the proxy container, for envsubst to fill in.
TEMPLATE_VARIABLES = ("CITIZENS_UPSTREAM", "CITIZENS_LISTEN")
TEMP_PATHS = ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")


def nginx_binary() -> str:
    """The path of Debian's nginx, installed with apt-get first if it is missing."""
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else "")
    if found:
        return found
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in (["apt-get", "update"], ["apt-get", "install", "-y", "nginx"]):
        result = subprocess.run(command, env=env, capture_output=True, text=True)
        if result.returncode != 0:
            raise HarnessError(
                f"nginx is missing and `{' '.join(command)}` failed (it needs root):\n"
                f"{result.stdout[-2000:]}{result.stderr[-2000:]}"
            )
    return shutil.which("nginx") or "/usr/sbin/nginx"


def render(template: str, variables: dict[str, str]) -> str:
    """Substitute `${NAME}` and `$NAME` for the given names only, as envsubst does when told
    which names to substitute (the nginx image's entrypoint); nginx's own $variables stay."""
    names = "|".join(map(re.escape, variables))
    pattern = re.compile(r"\$\{(" + names + r")\}|\$(" + names + r")\b")
    return pattern.sub(lambda match: variables[match.group(1) or match.group(2)], template)


def main_configuration(directory: Path, server_file: Path) -> str:
    """A main nginx.conf like the official image's (which includes conf.d/*.conf in `http`)."""
    user = "user root;\n" if os.geteuid() == 0 else ""  # workers must reach this directory
    temp = "".join(f"    {kind}_temp_path {directory / kind};\n" for kind in TEMP_PATHS)
    return (
        f"{user}daemon off;\nworker_processes 1;\npid {directory / 'nginx.pid'};\n"
        f"error_log {directory / 'error.log'} info;\n"
        "events { worker_connections 1024; }\n"
        "http {\n"
        "    default_type application/octet-stream;\n"
        "    sendfile on;\n"
        f"    access_log {directory / 'access.log'};\n"
        f"{temp}"
        f"    include {server_file};\n"
        "}\n"
    )


class Nginx(ListeningProcess):
    """nginx with the project's server configuration on 127.0.0.1, in front of `upstream`."""

    name = "nginx"

    def __init__(self, upstream: str, port: int | None = None, log_path: Path | None = None):
        super().__init__(dict(os.environ), log_path)
        self.binary = nginx_binary()
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.directory = Path(tempfile.mkdtemp(prefix="citizens-nginx-"))
        server_file = self.directory / "default.conf"
        variables = {"CITIZENS_UPSTREAM": upstream, "CITIZENS_LISTEN": f"127.0.0.1:{self.port}"}
        server_file.write_text(render(TEMPLATE.read_text(), variables))
        self.configuration = self.directory / "nginx.conf"
        self.configuration.write_text(main_configuration(self.directory, server_file))

    def command(self) -> list[str]:
        # -e: the error log before the configuration is read (else a path under /var/log).
        return [
            self.binary, "-p", str(self.directory), "-c", str(self.configuration),
            "-e", str(self.directory / "error.log"),
        ]  # fmt: skip

    def ready(self) -> bool:
        return port_in_use(self.port)

    def error_log(self) -> str:
        path = self.directory / "error.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def __exit__(self, *exc) -> None:
        super().__exit__(*exc)
        shutil.rmtree(self.directory, ignore_errors=True)
