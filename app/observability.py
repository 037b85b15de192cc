"""Logs: one structured line per request and per task; JSON in production, text elsewhere."""

import json
import logging
import re
import sys
import time
import uuid
from datetime import UTC, datetime

from celery.signals import task_postrun, task_prerun
from flask import Flask, Response, g, has_request_context, request

from app.metrics import task_seconds, tasks_total

REQUEST_ID_HEADER = "X-Request-ID"
# A caller's request id is echoed back only if it is tame: no log injection, bounded length.
ACCEPTABLE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
request_log = logging.getLogger("app.requests")
task_log = logging.getLogger("app.task_runs")


class JsonFormatter(logging.Formatter):
    """One JSON object per line: the message, its level and logger, and the record's fields."""

    FIELDS = ("method", "path", "status", "duration_ms", "request_id", "task", "import_id")

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        line.update({f: getattr(record, f) for f in self.FIELDS if hasattr(record, f)})
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)


class RequestIdFilter(logging.Filter):
    """Stamp every record logged while serving a request with that request's id."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id") and has_request_context():
            record.request_id = g.get("request_id")
        return True


def configure_logging(app: Flask) -> None:
    """Send the `app` loggers' records to stderr, formatted as the configuration says."""
    handler = logging.StreamHandler(sys.stderr)
    if app.config["LOG_FORMAT"] == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RequestIdFilter())
    logger = logging.getLogger("app")  # every module logs under app.<module>
    logger.handlers[:] = [handler]
    logger.setLevel(app.config["LOG_LEVEL"])
    logger.propagate = False


def _start_request() -> None:
    g.request_started = time.perf_counter()
    given = request.headers.get(REQUEST_ID_HEADER, "")
    g.request_id = given if ACCEPTABLE_REQUEST_ID.match(given) else uuid.uuid4().hex


def _log_request(response: Response) -> Response:
    request_id = g.get("request_id") or uuid.uuid4().hex
    response.headers[REQUEST_ID_HEADER] = request_id
    started = g.get("request_started", time.perf_counter())
    duration_ms = round((time.perf_counter() - started) * 1000, 2)
    fields = {
        "method": request.method,
        "path": request.path,  # never the query string: it may carry anything a client typed
        "status": response.status_code,
        "duration_ms": duration_ms,
        "request_id": request_id,
    }
    request_log.info(
        "%s %s %s %.2f ms", request.method, request.path, response.status_code, duration_ms,
        extra=fields,
    )  # fmt: skip
    return response


def init_request_logging(app: Flask) -> None:
    app.before_request(_start_request)
    app.after_request(_log_request)


_task_started: dict[str, float] = {}


def _task_starts(task_id=None, task=None, args=None, **_kwargs) -> None:
    _task_started[task_id] = time.perf_counter()
    fields = {"task": task.name, "import_id": (args or [None])[0]}
    task_log.info("task %s started", task.name, extra=fields)


def _task_finishes(task_id=None, task=None, args=None, state=None, **_kwargs) -> None:
    started = _task_started.pop(task_id, None)
    duration_ms = round((time.perf_counter() - started) * 1000, 2) if started else None
    tasks_total.labels(task=task.name, state=state or "UNKNOWN").inc()
    if started:
        task_seconds.labels(task=task.name).observe(duration_ms / 1000)
    fields = {"task": task.name, "import_id": (args or [None])[0], "duration_ms": duration_ms}
    task_log.info("task %s finished: %s in %s ms", task.name, state, duration_ms, extra=fields)


def init_task_logging() -> None:
    """Log and count every task this process runs (connecting again changes nothing)."""
    task_prerun.connect(_task_starts, weak=False, dispatch_uid="citizens-task-starts")
    task_postrun.connect(_task_finishes, weak=False, dispatch_uid="citizens-task-finishes")
