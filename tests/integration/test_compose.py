"""The deployment stack (docker-compose.yml) checked against the project, no Docker.

No Docker engine is needed: every program, entry point, CLI command and setting that the
compose file relies on is traced to something the project really has, so a rename on either
side fails here rather than on the first `docker compose up`. The image: test_image.py.
"""

import ast
import importlib
import itertools
import json
import re
import shlex

import pytest
import yaml

import manage
from app.extensions import db
from config import BY_VARIABLE
from harness.front_door import TEMPLATE_VARIABLES
from tests.integration.compose_file import (
    APP_SERVICES,
    COMPOSE,
    PROGRAM_REQUIREMENTS,
    REQUIRED_SUBSTITUTION,
    ROOT,
    SECRETS,
    SERVICES,
    celery_targets,
    command_of,
    depends_on,
    dockerfile_stages,
    environment_of,
    installed_requirements,
    is_one_shot,
    option,
    services_running,
    words,
)

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


def test_gunicorn_serves_the_application_factory_where_the_proxy_sends_requests():
    served = services_running("gunicorn")
    assert served, "no service runs gunicorn"
    upstream = environment_of(SERVICES["proxy"])["CITIZENS_UPSTREAM"]
    for name in served:
        command = command_of(name)
        module_name, _, attribute = command[-1].partition(":")
        factory = getattr(importlib.import_module(module_name), attribute.removesuffix("()"))
        assert callable(factory), command[-1]
        bind = option(command, "--bind", "-b")
        assert bind and bind.startswith("0.0.0.0:"), f"{name} must listen beyond the container"
        port = bind.rsplit(":", 1)[1]
        assert upstream == f"{name}:{port}"
        # Only through the proxy: a published port would let clients bypass it.
        assert "ports" not in SERVICES[name], f"{name} publishes a port of its own"
        assert [str(exposed) for exposed in SERVICES[name]["expose"]] == [port]
    # The image's own default command (`docker run`) serves the same application.
    (default,) = [a for i, a in dockerfile_stages()[-1] if i == "CMD"]
    assert json.loads(default)[-1] == command_of(served[0])[-1]


# --- the proxy --------------------------------------------------------------------------------


def test_the_proxy_runs_the_projects_template_on_the_published_port():
    proxy = SERVICES["proxy"]
    environment = environment_of(proxy)
    assert re.fullmatch(r"nginx:\d+\.\d+(\.\d+)?", proxy["image"]), "pin nginx's version"
    mounts = [str(mount).split(":") for mount in proxy["volumes"]]
    assert ["./deploy/nginx/templates", "/etc/nginx/templates", "ro"] in mounts
    assert (ROOT / "deploy" / "nginx" / "templates" / "default.conf.template").is_file()
    # The template names exactly the variables the service sets, and envsubst touches only them.
    template = (ROOT / "deploy/nginx/templates/default.conf.template").read_text()
    named = set(re.findall(r"\$\{?([A-Z][A-Z0-9_]*)\}?", template))
    assert named == set(TEMPLATE_VARIABLES)
    assert named <= set(environment)
    assert all(re.match(environment["NGINX_ENVSUBST_FILTER"], name) for name in named)
    published = [str(mapping).rsplit(":", 1)[-1] for mapping in proxy["ports"]]
    assert published == [environment["CITIZENS_LISTEN"]]
    assert depends_on(proxy)["web"]["condition"] == "service_healthy"


def test_the_app_believes_exactly_the_one_proxy_in_front():
    for name in services_running("gunicorn"):
        assert environment_of(SERVICES[name])["TRUSTED_PROXIES"] == "1"


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
    built = manage.create_cli_app("testing", {"SQLALCHEMY_DATABASE_URI": database_url})
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
