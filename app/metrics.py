"""Prometheus metrics at GET /metrics: requests per route, background tasks, the queue.

One registry per process: prometheus_client's default. Under gunicorn (several processes), set
PROMETHEUS_MULTIPROC_DIR: each process then writes its metrics there, gunicorn.conf.py tidies
up after exited workers, and any process answering /metrics adds them all up. A Celery worker
given the same directory adds its task metrics. (Processes that only run a command, like
`manage.py tokens create`, should not get it: the files they leave are read by every scrape.)
prometheus_client chooses its multiprocess mode when it is imported, so this setting, unlike the
others, is read from the environment at import time.
"""

import logging
import os
import time

from flask import Flask, Response, g, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.multiprocess import MultiProcessCollector

from app import recompute_marks

log = logging.getLogger(__name__)
MULTIPROCESS = bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))
METRICS_PATH = "/metrics"

# Labelled by route template (url_rule), not path: one series per route, not per import id.
request_seconds = Histogram(
    "citizens_http_request_duration_seconds",
    "How long requests took, by method, status and route",
    ["method", "status", "url_rule"],
)
requests_total = Counter(
    "citizens_http_request", "Requests answered, by method and status", ["method", "status"]
)
request_exceptions_total = Counter(
    "citizens_http_request_exceptions",
    "Requests that raised an unexpected error, by method and status",
    ["method", "status"],
)
tasks_total = Counter(
    "citizens_tasks_total", "Background tasks run, by task and final state", ["task", "state"]
)
task_seconds = Histogram(
    "citizens_task_duration_seconds", "How long background tasks ran", ["task"]
)
recompute_queue_depth = Gauge(
    "citizens_recompute_queue_depth",
    "Tasks waiting in the broker's queue, read when /metrics is scraped",
    multiprocess_mode="mostrecent",
)


def waiting_tasks() -> int:
    """How many tasks wait in the broker's default queue (0 when tasks run in-process)."""
    client = recompute_marks.redis_client()
    return int(client.llen("celery")) if client is not None else 0


def _start_timer() -> None:
    g.metrics_started = time.perf_counter()


def _observe(response: Response) -> Response:
    started = g.get("metrics_started")
    if started is not None and request.path != METRICS_PATH:
        rule = request.url_rule.rule if request.url_rule else "unmatched"
        status = str(response.status_code)
        request_seconds.labels(request.method, status, rule).observe(time.perf_counter() - started)
        requests_total.labels(request.method, status).inc()
        if response.status_code == 500:  # the service answers 500 only for an unexpected error
            request_exceptions_total.labels(request.method, status).inc()
    return response


def scrape() -> Response:
    try:
        recompute_queue_depth.set(waiting_tasks())
    except Exception:  # a broker outage must not break the scrape of everything else
        log.warning("Could not read the recompute queue's depth", exc_info=True)
    registry = REGISTRY
    if MULTIPROCESS:
        registry = CollectorRegistry()
        MultiProcessCollector(registry)
    # As a header, not a mimetype: werkzeug would add a second `charset` to Prometheus' own.
    return Response(generate_latest(registry), headers={"Content-Type": CONTENT_TYPE_LATEST})


def init_metrics(app: Flask) -> None:
    """Expose /metrics for `app` and time its requests."""
    app.before_request(_start_timer)
    app.after_request(_observe)
    app.add_url_rule(METRICS_PATH, "metrics", scrape)
