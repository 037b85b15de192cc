"""gunicorn settings, read from the working directory: request head limits, Prometheus.

gunicorn refuses a request line over 4 KiB and a header over 8 KiB itself, with an HTML page the
app never sees. The app enforces its own limits with JSON:API errors (app/jsonapi.py: 414 over
32 KiB, 431 over 16 KiB), so gunicorn's are lifted: no limit on the request line, 1 MiB per
header field (gunicorn has no "unlimited" there; 100 fields at most, its default).

With PROMETHEUS_MULTIPROC_DIR set, every process writes its metrics there and `/metrics` adds
them up; a worker that exits must hand back its live gauges. Without it this hook does nothing.
The directory is not emptied at start: a Celery worker may share it, and counters of exited
processes must keep counting (Prometheus sees a restart of a counter as a reset anyway).
"""

import os

limit_request_line = 0
limit_request_field_size = 1024 * 1024


def child_exit(server, worker):
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
