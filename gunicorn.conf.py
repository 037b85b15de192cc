"""gunicorn settings, read from the working directory: Prometheus multiprocess bookkeeping.

With PROMETHEUS_MULTIPROC_DIR set, every process writes its metrics there and `/metrics` adds
them up; a worker that exits must hand back its live gauges. Without it this hook does nothing.
The directory is not emptied at start: a Celery worker may share it, and counters of exited
processes must keep counting (Prometheus sees a restart of a counter as a reset anyway).
"""

import os


def child_exit(server, worker):
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_flask_exporter.multiprocess import GunicornInternalPrometheusMetrics

        GunicornInternalPrometheusMetrics.mark_process_dead_on_child_exit(worker.pid)
