"""Read the deployment stack: docker-compose.yml's services and the Dockerfile's stages."""

import ast
import re
import shlex
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
# The services that run this repository's image (they share the x-app anchor and its `build`).
APP_SERVICES = {
    name: service
    for name, service in SERVICES.items()
    if (service.get("build") or {}) in (".", {"context": "."})
}
# Programs of the app services' commands, and the requirement that installs each; `python` is
# the interpreter of the image itself.
PROGRAM_REQUIREMENTS = {"gunicorn": "gunicorn", "celery": "celery"}
# Secrets: never written in the compose file, always required from the caller's environment.
SECRETS = ("SECRET_KEY", "POSTGRES_PASSWORD")
REQUIRED_SUBSTITUTION = r"\$\{%s:\?[^}]+\}"


def words(command) -> list[str]:
    """A compose command (a list, or a string compose splits like a shell) as its words."""
    return shlex.split(command) if isinstance(command, str) else [str(word) for word in command]


def command_of(name: str) -> list[str]:
    return words(APP_SERVICES[name]["command"])


def services_running(program: str) -> list[str]:
    return [name for name in APP_SERVICES if command_of(name)[0] == program]


def environment_of(service: dict) -> dict[str, str]:
    environment = service.get("environment") or {}
    if isinstance(environment, list):
        environment = dict(entry.partition("=")[::2] for entry in environment)
    return {key: str(value) for key, value in environment.items()}


def option(command: list[str], *names: str) -> str | None:
    """The value of an option given as `--name value` or `--name=value`."""
    for index, word in enumerate(command):
        for name in names:
            if word == name and index + 1 < len(command):
                return command[index + 1]
            if word.startswith(name + "="):
                return word.split("=", 1)[1]
    return None


def celery_targets(text: str) -> list[str]:
    """Every `celery -A module.attribute` target named in a command or a healthcheck."""
    return re.findall(r"\bcelery\s+(?:-A|--app)[\s=]+(\S+)", text)


def depends_on(service: dict) -> dict[str, dict]:
    dependencies = service.get("depends_on") or {}
    if isinstance(dependencies, list):
        return {name: {"condition": "service_started"} for name in dependencies}
    return dependencies


def is_one_shot(name: str) -> bool:
    """A service that runs to completion, which others wait for (the migrations)."""
    awaited = any(
        depends_on(other).get(name, {}).get("condition") == "service_completed_successfully"
        for other in SERVICES.values()
    )
    return awaited and str(SERVICES[name].get("restart", "no")) == "no"


# --- the Dockerfile ---------------------------------------------------------------------------


def dockerfile_stages() -> list[list[tuple[str, str]]]:
    """The Dockerfile's stages, each a list of (INSTRUCTION, arguments), continuations joined."""
    text = re.sub(r"\\\n(\s*#.*\n)*", " ", (ROOT / "Dockerfile").read_text())
    stages: list[list[tuple[str, str]]] = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        instruction, _, arguments = line.partition(" ")
        if instruction.upper() == "FROM":
            stages.append([])
        if stages:
            stages[-1].append((instruction.upper(), arguments.strip()))
    return stages


def copied_sources(stage: list[tuple[str, str]]) -> set[str]:
    """What a stage COPYs from the build context (not from other stages), as relative paths."""
    sources = set()
    for instruction, arguments in stage:
        if instruction not in ("COPY", "ADD"):
            continue
        parts = shlex.split(arguments)
        if any(part.startswith("--from") for part in parts):
            continue
        paths = [part for part in parts if not part.startswith("--")]
        sources |= {path.strip("/") or "." for path in paths[:-1]}
    return sources


def installed_requirements() -> set[str]:
    """Distribution names installed by the requirement files the builder stage installs."""
    pip_installs = " ".join(a for i, a in dockerfile_stages()[0] if i == "RUN" and "pip" in a)
    pending = [ROOT / path for path in re.findall(r"-r\s+\S*?(requirements/\S+)", pip_installs)]
    assert pending, "the first stage installs no requirements file"
    names = set()
    while pending:
        path = pending.pop()
        for line in path.read_text().splitlines():
            line = line.split("#", 1)[0].strip()
            if line.startswith("-r"):
                pending.append(path.parent / line[2:].strip())
            elif line:
                name = re.split(r"[\[=<>!~;\s]", line, maxsplit=1)[0]
                names.add(name.lower().replace("_", "-"))
    return names


def first_party_imports_of_app() -> set[str]:
    """Files of the repository's top-level modules (outside app/) that the app package imports."""
    imported = set()
    for path in (ROOT / "app").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                imported |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                imported.add(node.module.split(".")[0])
    return {
        name if (ROOT / name).is_dir() else f"{name}.py"
        for name in imported - {"app"}
        if (ROOT / f"{name}.py").is_file() or (ROOT / name / "__init__.py").is_file()
    }


def files_the_commands_need() -> set[str]:
    """Every file or directory of the repository that the app services' commands load."""
    needed = {"app"} | first_party_imports_of_app()
    for name in APP_SERVICES:
        command = command_of(name)
        if command[0] == "python":
            needed.add(command[1])
            if command[2:4] == ["db", "upgrade"]:
                needed.add("migrations")
        if command[0] == "gunicorn":
            needed.add("gunicorn.conf.py")  # read from the working directory, hooks and all
            needed.add(command[-1].split(":")[0].split(".")[0])  # the WSGI module's package
        for target in celery_targets(" ".join(command)):
            needed.add(target.rsplit(".", 1)[0].replace(".", "/") + ".py")
    return needed
