"""gunicorn settings, read from the working directory: request head limits, the worker
timeout, JSON:API refusals, Prometheus.

gunicorn refuses a request line over 4 KiB and a header over 8 KiB itself, with an HTML page the
app never sees. The app enforces its own limits with JSON:API errors (app/jsonapi.py: 414 over
32 KiB, 431 over 16 KiB), so gunicorn's are lifted: no limit on the request line, 1 MiB per
header field (gunicorn has no "unlimited" there; 100 fields at most, its default).

A worker that spends longer than `timeout` on one request is stopped and the client told so.
120 s is far above the slowest legitimate request (a 100,000-citizen import or purge takes
seconds; see benchmarks/star.py) and below the proxy's wait for an answer
(deploy/nginx/templates/default.conf.template, 130 s), so the client gets gunicorn's answer.

gunicorn writes its own refusals (malformed HTTP, a stopped worker) as HTML: app/refusals.py
says why and how they become JSON:API documents instead.

With PROMETHEUS_MULTIPROC_DIR set, every process writes its metrics there and `/metrics` adds
them up; a worker that exits must hand back its live gauges. Without it this hook does nothing.
The directory is not emptied at start: a Celery worker may share it, and counters of exited
processes must keep counting (Prometheus sees a restart of a counter as a reset anyway).
"""

import os

from gunicorn import util

limit_request_line = 0
limit_request_field_size = 1024 * 1024
timeout = 120


def post_worker_init(worker):
    # In each worker, once it has loaded the app: the master serves no request, and importing
    # the app there would only add its memory to the master.
    from app.refusals import write_error

    util.write_error = write_error


def child_exit(server, worker):
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
