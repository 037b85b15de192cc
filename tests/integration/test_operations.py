"""Operations: configuration refusals, CLI commands, /health, request ids, logs and metrics."""

import json
import re
from pathlib import Path

import pytest
from sqlalchemy import text

from app import create_app
from app.extensions import db, init_migrations
from config import BY_VARIABLE, SETTINGS
from harness.broker import broker_url, empty_broker
from tests.factories import family, import_document, linkage
from tests.integration.database_faults import MISSING_COLUMN, database_fault
from tests.jsonapi_client import JsonApiClient

ROOT = Path(__file__).resolve().parents[2]
REDIS_DB = broker_url(14)


# --- configuration (start-up refusals: test_startup.py) ------------------------------------


def test_the_readme_documents_every_setting_with_its_default():
    readme = (ROOT / "README.md").read_text()
    rows = re.findall(r"^\| `([A-Z_]+)` \| (.*?) \| (.*?) \|$", readme, flags=re.MULTILINE)
    documented = {name: default for name, _meaning, default in rows}

    assert set(documented) == set(BY_VARIABLE)
    for setting in SETTINGS:
        expected = f"`{setting.default}`" if setting.default else "unset"
        assert documented[setting.variable] == expected, setting.variable


# --- commands --------------------------------------------------------------------------------


def test_demo_load_stores_a_valid_import(app, sql):
    result = app.test_cli_runner().invoke(
        args=["demo", "load", "--citizens", "300", "--pairs", "40"]
    )

    assert result.exit_code == 0, result.output
    assert result.output.strip().splitlines()[-1] == (
        "Stored import 1 with 300 citizens and 41 kinship pairs."
    )
    assert sql("SELECT count(*) FROM citizens WHERE import_id = 1")[0][0] == 300
    assert sql("SELECT count(*) FROM kinship WHERE import_id = 1")[0][0] == 82


def test_demo_load_refuses_impossible_sizes(app):
    result = app.test_cli_runner().invoke(args=["demo", "load", "--citizens", "3", "--pairs", "9"])

    assert result.exit_code != 0 and "pairs" in result.output


def test_aggregates_recompute_brings_the_store_up_to_date(app, client, make_import, sql):
    make_import(family())
    make_import(family())
    with app.app_context():
        db.session.execute(text("DELETE FROM stored_aggregates"))
        db.session.commit()

    one = app.test_cli_runner().invoke(args=["aggregates", "recompute", "2"])
    assert one.exit_code == 0, one.output
    assert sql("SELECT DISTINCT import_id FROM stored_aggregates") == [(2,)]

    every = app.test_cli_runner().invoke(args=["aggregates", "recompute", "--all"])
    assert every.exit_code == 0 and "2 import(s)" in every.output
    assert sql("SELECT count(*) FROM stored_aggregates")[0][0] == 4


@pytest.mark.parametrize("args", [[], ["1", "--all"], ["999"]])
def test_aggregates_recompute_refuses_bad_arguments(app, make_import, args):
    make_import(family())

    result = app.test_cli_runner().invoke(args=["aggregates", "recompute", *args])

    assert result.exit_code != 0


@pytest.mark.parametrize("group", ["db", "tokens", "demo", "trash", "aggregates"])
def test_every_command_explains_itself(app, group):
    result = init_migrations(app).test_cli_runner().invoke(args=[group, "--help"])  # manage.py's

    assert result.exit_code == 0 and "Usage:" in result.output


# --- health ----------------------------------------------------------------------------------


def health_of(database_url: str, **config) -> tuple[int, dict]:
    checked = create_app("testing", {"SQLALCHEMY_DATABASE_URI": database_url, **config})
    try:
        response = checked.test_client().get("/health")
        assert response.content_type == "application/json"
        return response.status_code, response.get_json()
    finally:
        with checked.app_context():
            db.engine.dispose()


def test_health_is_ok_with_database_and_broker(database_url):
    status, body = health_of(database_url, REDIS_URL=REDIS_DB)

    assert status == 200 and body["status"] == "ok"
    for check in ("database", "broker"):
        assert body["checks"][check]["ok"] is True
        assert body["checks"][check]["latency_ms"] >= 0


def test_health_is_degraded_but_200_when_the_broker_does_not_answer(database_url):
    status, body = health_of(database_url, REDIS_URL="redis://127.0.0.1:1/0")

    assert status == 200 and body["status"] == "degraded"
    assert body["checks"]["broker"]["ok"] is False and body["checks"]["database"]["ok"] is True


def test_health_is_down_and_503_when_the_database_does_not_answer():
    status, body = health_of("postgresql+psycopg://postgres@127.0.0.1:1/nowhere")

    assert status == 503 and body["status"] == "down"
    assert body["checks"]["database"]["ok"] is False


# --- request ids and logs --------------------------------------------------------------------


def test_a_request_id_is_echoed_back(client):
    reply = client.get("/imports", headers={"X-Request-ID": "trace-42.a:b"})

    assert reply.headers["X-Request-ID"] == "trace-42.a:b"


@pytest.mark.parametrize("given", [None, "x" * 129, "has space", "évil"])
def test_a_missing_or_unsafe_request_id_is_replaced_by_a_fresh_one(client, given):
    headers = {"X-Request-ID": given} if given else {}

    reply = client.get("/imports", headers=headers)

    assert re.fullmatch(r"[0-9a-f]{32}", reply.headers["X-Request-ID"])


def test_production_logs_one_json_line_per_request(database_url, tokens, capsys):
    logged_app = create_app(
        "testing", {"SQLALCHEMY_DATABASE_URI": database_url, "LOG_FORMAT": "json"}
    )
    client = JsonApiClient(logged_app.test_client(), tokens["reader"])

    client.get("/imports?page[size]=5", headers={"X-Request-ID": "req-1"})

    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines() if line]
    request_lines = [line for line in lines if line["logger"] == "app.requests"]
    assert len(request_lines) == 1
    line = request_lines[0]
    assert (line["method"], line["path"], line["status"], line["request_id"]) == (
        "GET", "/imports", 200, "req-1",
    )  # fmt: skip
    assert line["duration_ms"] >= 0
    assert tokens["reader"] not in json.dumps(lines)  # tokens are never logged
    with logged_app.app_context():
        db.engine.dispose()


def test_tasks_log_their_start_and_finish_with_the_import_id(database_url, tokens, capsys):
    logged_app = create_app(
        "testing", {"SQLALCHEMY_DATABASE_URI": database_url, "LOG_FORMAT": "json"}
    )
    client = JsonApiClient(logged_app.test_client(), tokens["editor"])

    assert client.post("/imports", json=import_document(family())).status == 201

    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines() if line]
    task_lines = [line for line in lines if line["logger"] == "app.task_runs"]
    assert [line["message"].split(" ")[2] for line in task_lines] == ["started", "finished:"]
    assert all(line["import_id"] == 1 for line in task_lines)
    assert task_lines[1]["duration_ms"] > 0
    with logged_app.app_context():
        db.engine.dispose()


# --- metrics ---------------------------------------------------------------------------------


def scrape(flask_app) -> str:
    response = flask_app.test_client().get("/metrics")
    assert response.status_code == 200
    return response.data.decode()


def sample(metrics: str, name: str, **labels) -> float:
    for line in metrics.splitlines():
        if line.startswith(name + "{") or line.startswith(name + " "):
            found = dict(re.findall(r'(\w+)="([^"]*)"', line))
            if all(found.get(k) == v for k, v in labels.items()):
                return float(line.rsplit(" ", 1)[1])
    return 0.0


def test_metrics_count_requests_per_route_and_tasks(app, client, make_import):
    route = "/imports/<id:import_id>"
    before = scrape(app)

    make_import(family())
    client.get("/imports/1")
    client.get("/imports/1")
    after = scrape(app)

    count = "citizens_http_request_duration_seconds_count"
    assert (
        sample(after, count, url_rule=route, status="200")
        - sample(before, count, url_rule=route, status="200")
        == 2
    )
    total = "citizens_http_request_total"  # the README documents both request metrics
    assert (
        sample(after, total, method="GET", status="200")
        - sample(before, total, method="GET", status="200")
        >= 2
    )
    tasks = "citizens_tasks_total"
    task = "app.tasks.recompute_aggregates"
    assert (
        sample(after, tasks, task=task, state="SUCCESS")
        - sample(before, tasks, task=task, state="SUCCESS")
        == 1
    )
    assert sample(after, "citizens_task_duration_seconds_count", task=task) >= 1


def test_metrics_report_the_recompute_queue_depth(client_with, database_url):
    with empty_broker(REDIS_DB) as broker:
        queued = client_with(REDIS_URL=REDIS_DB)
        assert queued.post("/imports", json=import_document(family())).status == 201
        queued.post("/imports/1/citizens/1/relationships/relatives", json={"data": linkage(1, [3])})
        metrics_app = create_app(
            "testing", {"SQLALCHEMY_DATABASE_URI": database_url, "REDIS_URL": REDIS_DB}
        )

        depth = sample(scrape(metrics_app), "citizens_recompute_queue_depth")

        assert depth == broker.llen("celery") == 1  # the second write found one queued already
        with metrics_app.app_context():
            db.engine.dispose()


def test_metrics_are_served_with_prometheus_own_content_type(app):
    response = app.test_client().get("/metrics")

    parameters = [p.split("=")[0].strip() for p in response.headers["Content-Type"].split(";")[1:]]
    assert response.headers["Content-Type"].startswith("text/plain;")
    assert len(parameters) == len(set(parameters)), response.headers["Content-Type"]


def test_metrics_count_requests_that_raised(app, client, make_import):
    make_import()
    name = "citizens_http_request_exceptions_total"
    before = sample(scrape(app), name, method="GET", status="500")

    with database_fault(app, *MISSING_COLUMN):
        assert client.get("/imports/1/citizens").status == 500

    assert sample(scrape(app), name, method="GET", status="500") - before == 1
