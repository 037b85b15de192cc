"""Prometheus metrics at GET /metrics: requests per route, background tasks, the queue.

Under gunicorn (several processes), set PROMETHEUS_MULTIPROC_DIR: each process then writes its
metrics there, gunicorn.conf.py tidies up after exited workers, and any process answering
/metrics adds them all up. A Celery worker given the same directory adds its task metrics.
(Processes that only run a command, like `manage.py tokens create`, should not get it: the
files they leave are read by every scrape.)
"""

import logging
import os

from flask import Flask, request
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_flask_exporter import PrometheusMetrics
from prometheus_flask_exporter.multiprocess import GunicornInternalPrometheusMetrics

from app import queue

log = logging.getLogger(__name__)
MULTIPROCESS = bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))

# Labelled by route template (url_rule), not path: one series per route, not per import id.
EXPORTER_OPTIONS = {"group_by": "url_rule", "defaults_prefix": "citizens"}
METRICS_PATH = "/metrics"
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


def _refresh_queue_depth() -> None:
    if request.path != METRICS_PATH:
        return
    try:
        recompute_queue_depth.set(queue.waiting_tasks())
    except Exception:  # a broker outage must not break the scrape of everything else
        log.warning("Could not read the recompute queue's depth", exc_info=True)


def init_metrics(app: Flask) -> None:
    """Expose /metrics for `app` and keep the queue depth fresh for each scrape."""
    if MULTIPROCESS:
        # One app per process here; the exporter reads every process's files from the directory.
        GunicornInternalPrometheusMetrics(app, path=METRICS_PATH, **EXPORTER_OPTIONS)
    else:
        # The exporter sets up its request metrics for the first app of a registry only, so
        # each app (tests build many) gets a registry of its own with our metrics in it too.
        registry = CollectorRegistry(auto_describe=True)
        for collector in (tasks_total, task_seconds, recompute_queue_depth):
            registry.register(collector)
        PrometheusMetrics(app, path=METRICS_PATH, registry=registry, **EXPORTER_OPTIONS)
    app.before_request(_refresh_queue_depth)
