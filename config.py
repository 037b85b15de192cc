"""Configuration classes, chosen by APP_CONFIG; every setting comes from the environment."""

import os
from collections.abc import Mapping
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent


def normalise_database_url(url: str) -> str:
    """Route plain postgresql:// URLs to psycopg 3, the only PostgreSQL driver we install."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-secret-key")
    SQLALCHEMY_DATABASE_URI = normalise_database_url(os.environ.get("DATABASE_URL", ""))
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    REDIS_URL = os.environ.get("REDIS_URL", "")
    # Requests larger than this are refused with 413 before the body is read.
    MAX_CONTENT_LENGTH = int(os.environ.get("MAX_CONTENT_LENGTH", 64 * 1024 * 1024))
    MAX_CITIZENS_PER_IMPORT = int(os.environ.get("MAX_CITIZENS_PER_IMPORT", 100_000))
    PAGE_SIZE = int(os.environ.get("PAGE_SIZE", 100))
    # How often a write retries after a serialisation failure or deadlock before giving up.
    WRITE_RETRIES = int(os.environ.get("WRITE_RETRIES", 5))
    # Trash older than this is purged by the periodic task (and by `trash purge` when asked).
    TRASH_RETENTION_DAYS = int(os.environ.get("TRASH_RETENTION_DAYS", 30))
    # How long a queued recompute keeps others for the same import from queueing.
    RECOMPUTE_MARK_SECONDS = int(os.environ.get("RECOMPUTE_MARK_SECONDS", 300))
    SWEEP_INTERVAL_SECONDS = float(os.environ.get("SWEEP_INTERVAL_SECONDS", 60))
    # Seconds before the broker hands an unacknowledged task (its worker died) to another worker.
    BROKER_VISIBILITY_TIMEOUT = int(os.environ.get("BROKER_VISIBILITY_TIMEOUT", 300))


class DevelopmentConfig(Config):
    DEBUG = False
    # With nothing installed but Python, the service still starts: an SQLite file next to the code.
    SQLALCHEMY_DATABASE_URI = Config.SQLALCHEMY_DATABASE_URI or (
        "sqlite:///" + str(BASE_DIR / "instance" / "citizens.sqlite3")
    )


class TestingConfig(Config):
    TESTING = True
    SQLALCHEMY_DATABASE_URI = Config.SQLALCHEMY_DATABASE_URI or (
        "postgresql+psycopg://postgres@127.0.0.1:5432/citizens_test"
    )


class ProductionConfig(Config):
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True, "pool_size": 10, "max_overflow": 10}


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def celery_settings(config: Mapping) -> dict:
    """Celery's configuration; without REDIS_URL tasks run in-process, right away."""
    return {
        "broker_url": config["REDIS_URL"] or "memory://",
        "task_always_eager": not config["REDIS_URL"],
        "task_ignore_result": True,
        # A task is acknowledged after it ran; a worker killed mid-task gives it back.
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "worker_prefetch_multiplier": 1,
        # A write must not wait long on a broker that is down: connect fast, fail, log.
        "broker_connection_timeout": 1,
        "broker_connection_retry_on_startup": True,
        "task_publish_retry": False,
        "broker_transport_options": {
            "socket_connect_timeout": 0.5,
            "socket_timeout": 2,
            "visibility_timeout": config["BROKER_VISIBILITY_TIMEOUT"],
        },
        "beat_schedule": {
            "sweep-stale-aggregates": {
                "task": "app.tasks.sweep_stale_aggregates",
                "schedule": config["SWEEP_INTERVAL_SECONDS"],
            },
            "purge-old-trash": {"task": "app.tasks.purge_old_trash", "schedule": 24 * 3600},
        },
    }


def config_for(name: str | None) -> type[Config]:
    """Return the configuration class named by APP_CONFIG (development by default)."""
    name = name or os.environ.get("APP_CONFIG", "development")
    try:
        return CONFIGS[name]
    except KeyError:
        raise SystemExit(f"APP_CONFIG={name!r} is not one of {', '.join(CONFIGS)}") from None
