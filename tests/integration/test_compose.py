"""The deployment stack (docker-compose.yml, Dockerfile) checked against the project, no Docker.

No Docker engine is needed: every program, entry point, CLI command, setting and file that the
compose file relies on is traced to something the project really has, so a rename on either
side fails here rather than on the first `docker compose up`.
"""

import ast
import fnmatch
import importlib
import itertools
import json
import re
import shlex
from pathlib import Path

import pytest
import yaml

import manage
from app import create_app
from app.extensions import db
from config import BY_VARIABLE

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


# --- which services -----------------------------------------------------------------------------


def test_the_app_services_are_those_built_from_this_repository():
    # Guards the tests below: they check APP_SERVICES, which must not silently come out empty.
    assert set(APP_SERVICES) == {"migrate", "web", "worker", "beat"}
    images = {service.get("image") for service in APP_SERVICES.values()}
    assert len(images) == 1, f"the app services should share one image, not {images}"


# --- commands ---------------------------------------------------------------------------------


def test_the_installed_programs_are_on_the_path_of_the_image():
    builder, final = dockerfile_stages()[0], dockerfile_stages()[-1]
    venvs = re.findall(r"-m venv (\S+)", " ".join(a for i, a in builder if i == "RUN"))
    assert venvs, "the builder stage creates no virtualenv"
    venv = venvs[0].rstrip("/")
    copied = [shlex.split(a) for i, a in final if i == "COPY" and a.startswith("--from")]
    paths = [a.split("=", 1)[1] for i, a in final if i == "ENV" and a.startswith("PATH=")]

    assert any(venv in parts[1:-1] for parts in copied), f"the final stage does not copy {venv}"
    assert paths and paths[-1].split(" ")[0].split(":")[0] == f"{venv}/bin", paths


@pytest.mark.parametrize("name", sorted(APP_SERVICES))
def test_every_app_command_runs_a_program_the_image_installs(name):
    program = command_of(name)[0]

    if program == "python":
        final_base = dockerfile_stages()[-1][0][1].split()[0]
        assert final_base.startswith("python:"), f"{final_base} is not a Python image"
    else:
        assert program in PROGRAM_REQUIREMENTS, f"{name} runs {program!r}, unknown to the project"
        assert PROGRAM_REQUIREMENTS[program] in installed_requirements()


def test_gunicorn_serves_the_application_factory_on_the_published_port():
    served = services_running("gunicorn")
    assert served, "no service runs gunicorn"
    for name in served:
        command = command_of(name)
        module_name, _, attribute = command[-1].partition(":")
        factory = getattr(importlib.import_module(module_name), attribute.removesuffix("()"))
        assert callable(factory), command[-1]
        bind = option(command, "--bind", "-b")
        assert bind and bind.startswith("0.0.0.0:"), f"{name} must listen beyond the container"
        port = bind.rsplit(":", 1)[1]
        published = [str(mapping).rsplit(":", 1)[-1] for mapping in SERVICES[name]["ports"]]
        assert port in published
    # The image's own default command (`docker run`) serves the same application.
    (default,) = [a for i, a in dockerfile_stages()[-1] if i == "CMD"]
    assert json.loads(default)[-1] == command_of(served[0])[-1]


def test_celery_commands_name_the_celery_app_of_the_entry_module():
    targets = {
        target
        for service in APP_SERVICES.values()
        for target in celery_targets(" ".join(words(service["command"])))
        + celery_targets(yaml.safe_dump(service.get("healthcheck", {}), width=10_000))
    }
    assert targets, "no service runs celery"
    for target in targets:
        module_name, _, attribute = target.rpartition(".")
        path = ROOT / (module_name.replace(".", "/") + ".py")
        assert path.is_file(), f"{target}: no module {module_name}"
        # Read, not imported: importing the entry module builds an application.
        assigned = {
            target_node.id
            for node in ast.parse(path.read_text()).body
            if isinstance(node, ast.Assign)
            for target_node in node.targets
            if isinstance(target_node, ast.Name)
        }
        assert attribute in assigned, f"{path.name} assigns no {attribute!r}"


def manage_commands() -> list[tuple[str, list[str]]]:
    """(where, command words) of every `python manage.py ...` in compose and the README's Deploy."""
    found = [
        (name, command_of(name)[2:])
        for name in APP_SERVICES
        if command_of(name)[:2] == ["python", "manage.py"]
    ]
    readme = (ROOT / "README.md").read_text()
    deploy = readme.partition("\n## Deploy\n")[2].partition("\n## ")[0]
    for line in re.findall(r"python manage\.py ([^|)`\n]+)", deploy):
        found.append(("README Deploy", shlex.split(line)))
    return found


@pytest.fixture(scope="module")
def testing_app(database_url):
    built = create_app("testing", {"SQLALCHEMY_DATABASE_URI": database_url})
    yield built
    with built.app_context():
        db.engine.dispose()


def test_every_manage_command_exists(testing_app):
    commands = manage_commands()
    assert any(where == "migrate" for where, _ in commands), "the migrations run no manage.py"
    assert any(where == "README Deploy" for where, _ in commands), "the README runs no manage.py"
    for where, command in commands:
        # The command path: its leading words, a group and a command at most (`tokens create`).
        path = list(itertools.takewhile(lambda word: not word.startswith("-"), command))[:2]
        # manage.py's own group, as `python manage.py` runs it, on a testing app.
        result = testing_app.test_cli_runner().invoke(cli=manage.cli, args=[*path, "--help"])
        assert result.exit_code == 0, f"{where}: manage.py {' '.join(path)}: {result.output}"


def test_the_web_healthcheck_asks_for_health_on_the_port_gunicorn_binds(testing_app):
    (name,) = services_running("gunicorn")
    probe = " ".join(words(SERVICES[name]["healthcheck"]["test"]))
    port = option(command_of(name), "--bind", "-b").rsplit(":", 1)[1]

    assert re.search(rf"http://(127\.0\.0\.1|localhost):{port}/health\b", probe), probe
    assert "/health" in {rule.rule for rule in testing_app.url_map.iter_rules()}


# --- configuration ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(APP_SERVICES))
def test_app_services_set_only_settings_that_config_reads(name):
    unknown = set(environment_of(APP_SERVICES[name])) - set(BY_VARIABLE)

    assert not unknown, f"{name} sets {unknown}, which config.py never reads"


def test_secrets_come_from_the_environment_and_are_required():
    seen = set()
    for name, service in SERVICES.items():
        for variable, value in environment_of(service).items():
            if variable in SECRETS:
                seen.add(variable)
                assert re.fullmatch(REQUIRED_SUBSTITUTION % variable, value), f"{name}.{variable}"
            elif re.search(r"PASSWORD|SECRET|TOKEN", variable):
                pytest.fail(f"{name}.{variable}: a secret not in SECRETS")
            # A password inside a URL is a substitution as well, never a literal.
            for password in re.findall(r"://[^:/@]+:([^@]+)@", value):
                assert re.fullmatch(REQUIRED_SUBSTITUTION % "POSTGRES_PASSWORD", password), value
    assert seen == set(SECRETS)


def test_the_urls_point_at_the_services_of_the_stack():
    postgres = environment_of(SERVICES["postgres"])
    for name, service in APP_SERVICES.items():
        environment = environment_of(service)
        database = re.fullmatch(
            r"postgresql(?:\+psycopg)?://postgres:[^@]+@(\w+):5432/(\w+)",
            environment["DATABASE_URL"],
        )
        assert database, f"{name}: DATABASE_URL {environment['DATABASE_URL']}"
        assert database[1] in SERVICES and database[2] == postgres["POSTGRES_DB"]
        broker = re.fullmatch(r"redis://(\w+):6379/\d+", environment["REDIS_URL"])
        assert broker and broker[1] in SERVICES, f"{name}: REDIS_URL {environment['REDIS_URL']}"
        assert environment["APP_CONFIG"] == "production"


# --- start-up order, health, data ---------------------------------------------------------------


def test_the_app_waits_for_the_migrations_and_for_healthy_backing_services():
    (migrate,) = [
        name
        for name in APP_SERVICES
        if command_of(name)[:4] == ["python", "manage.py", "db", "upgrade"]
    ]
    assert depends_on(SERVICES[migrate])["postgres"]["condition"] == "service_healthy"
    for name in set(APP_SERVICES) - {migrate}:
        dependencies = depends_on(SERVICES[name])
        assert dependencies[migrate]["condition"] == "service_completed_successfully", name
        for backing in ("postgres", "redis"):
            assert dependencies[backing]["condition"] == "service_healthy", (name, backing)


def test_every_service_that_stays_up_has_a_healthcheck():
    def probed(service: dict) -> bool:
        healthcheck = service.get("healthcheck") or {}
        test = words(healthcheck.get("test", []))
        return not healthcheck.get("disable") and test[:1] in (["CMD"], ["CMD-SHELL"])

    # A one-shot service (the migrations) has nothing to probe: others wait for its exit code.
    one_shots = {name for name in SERVICES if is_one_shot(name)}
    unprobed = {name for name, service in SERVICES.items() if not probed(service)} - one_shots

    assert not unprobed, f"no healthcheck: {unprobed}"
    # Only a task of manage.py may run and exit; the servers must keep running.
    assert one_shots <= set(services_running("python")), one_shots


def test_postgres_keeps_its_data_in_a_named_volume():
    mounts = [str(mount).split(":") for mount in SERVICES["postgres"]["volumes"]]
    sources = [source for source, target, *_ in mounts if target == "/var/lib/postgresql/data"]

    assert sources and sources[0] in (COMPOSE.get("volumes") or {}), sources


def test_web_and_worker_share_the_metrics_directory_they_are_given():
    shared = {}
    for name, service in APP_SERVICES.items():
        directory = environment_of(service).get("PROMETHEUS_MULTIPROC_DIR")
        if not directory:
            continue
        mounts = [str(mount).split(":") for mount in service.get("volumes", [])]
        volumes = [source for source, target, *_ in mounts if target == directory]
        assert volumes, f"{name} writes its metrics to {directory}, which is no volume"
        shared[name] = (volumes[0], directory)

    # One named volume for all of them: the process answering /metrics reads every file there.
    assert {"web", "worker"} <= set(shared), shared
    assert len(set(shared.values())) == 1, shared
    assert next(iter(shared.values()))[0] in (COMPOSE.get("volumes") or {})


# --- the image --------------------------------------------------------------------------------


def test_the_image_is_built_in_stages_and_runs_as_a_user_of_its_own():
    stages = dockerfile_stages()
    users = [arguments for instruction, arguments in stages[-1] if instruction == "USER"]

    assert len(stages) >= 2
    assert users, "the final stage never leaves root"
    assert users[-1].split(":")[0] not in ("root", "0")


def test_the_image_holds_every_file_the_commands_load():
    copied = copied_sources(dockerfile_stages()[-1])
    missing = {
        path
        for path in files_the_commands_need()
        if "." not in copied and not any(path == c or path.startswith(c + "/") for c in copied)
    }

    assert not missing, f"the final stage does not COPY {missing}"


def test_the_build_context_keeps_every_file_the_dockerfile_copies():
    patterns = [
        line.strip()
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith(("#", "!"))
    ]
    for source in set().union(*map(copied_sources, dockerfile_stages())):
        ignored = [p for p in patterns if fnmatch.fnmatch(source, p.removeprefix("**/"))]
        assert not ignored, f".dockerignore {ignored} leaves {source} out of the build"
