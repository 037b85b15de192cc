"""GET /health: plain JSON readiness of the database and the broker, for probes and humans."""

import time

from flask import Blueprint, current_app, jsonify
from sqlalchemy import text

from app.extensions import db

blueprint = Blueprint("health", __name__)


def _timed(check) -> dict:
    started = time.perf_counter()
    try:
        check()
        result = {"ok": True}
    except Exception as error:  # a probe reports failures, it never raises them
        result = {"ok": False, "error": type(error).__name__}
    result["latency_ms"] = round((time.perf_counter() - started) * 1000, 2)
    return result


def _check_database() -> None:
    db.session.execute(text("SELECT 1"))


def _check_broker() -> None:
    url = current_app.config["REDIS_URL"]
    if not url:
        return  # no broker configured: tasks run in-process, nothing to be down
    import redis

    redis.Redis.from_url(url, socket_connect_timeout=0.5, socket_timeout=0.5).ping()


@blueprint.get("/health")
def health():
    checks = {"database": _timed(_check_database), "broker": _timed(_check_broker)}
    if not checks["database"]["ok"]:
        status, code = "down", 503
    elif not checks["broker"]["ok"]:
        status, code = "degraded", 200
    else:
        status, code = "ok", 200
    return jsonify(status=status, checks=checks), code
