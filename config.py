"""Configuration classes, chosen by APP_CONFIG; every setting comes from the environment,
read when the app is built (create_app calls `from_env`), never at import.

SETTINGS lists every environment variable the service reads, with its default and meaning. The
README's configuration table and the compose file are tested against it, so a setting cannot be
added without being documented.
"""

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from limits import parse_many

BASE_DIR = Path(__file__).resolve().parent
# Good enough on a laptop, refused in production (see app.checks).
DEVELOPMENT_SECRET_KEY = "development-only-secret-key"


def normalise_database_url(url: str) -> str:
    """Route plain postgresql:// URLs to psycopg 3, the only PostgreSQL driver we install."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def non_negative_int(raw: str) -> int:
    value = int(raw)
    if value < 0:
        raise ValueError("must not be negative")
    return value


def non_negative_float(raw: str) -> float:
    value = float(raw)
    if not value >= 0:  # NaN too
        raise ValueError("must be a number, not negative")
    return value


def rate_limit(value: str) -> str:
    """`off`, empty (the configuration's default) or limits in Flask-Limiter's notation."""
    value = value.strip()
    if value in ("", "off"):
        return value
    try:
        parse_many(value)
    except ValueError:
        raise ValueError("not a rate limit") from None
    return value


@dataclass(frozen=True)
class Setting:
    variable: str
    default: str  # as it would be written in the environment
    meaning: str
    parse: Callable[[str], object] = str


SETTINGS = (
    Setting("APP_CONFIG", "development", "`development`, `testing` or `production`"),
    Setting(
        "DATABASE_URL", "",
        "`postgresql://...` or `postgresql+psycopg://...` (both use psycopg 3); unset, the"
        " development configuration uses an SQLite file in `instance/`",
        normalise_database_url,
    ),
    Setting("SECRET_KEY", "", "Flask's secret key; production refuses to start without one"),
    Setting(
        "REDIS_URL", "",
        "Redis, the Celery broker (also checked by `/health`); unset, tasks run in-process",
    ),
    Setting("MAX_CONTENT_LENGTH", str(64 * 1024 * 1024), "largest request body, bytes (413)", int),
    Setting("MAX_CITIZENS_PER_IMPORT", "100000", "largest import (422 above it)", int),
    Setting("PAGE_SIZE", "100", "default `page[size]` of collections", int),
    Setting("WRITE_RETRIES", "5", "retries of a write after a serialisation failure", int),
    Setting("TRASH_RETENTION_DAYS", "30", "trash older than this is purged daily", int),
    Setting("SWEEP_INTERVAL_SECONDS", "60", "how often beat queues stale recomputes", float),
    Setting("RECOMPUTE_MARK_SECONDS", "300", "how long a queued recompute blocks duplicates", int),
    Setting("BROKER_VISIBILITY_TIMEOUT", "300", "seconds before a dead worker's task moves", int),
    Setting(
        "CORS_ORIGINS", "",
        "origins a browser may call the API from, comma-separated, or `*`; unset: any origin in"
        " development, none in production",
    ),
    Setting(
        "TRUSTED_PROXIES", "0",
        "reverse proxies in front of the service whose `X-Forwarded-Proto`, `-Host`, `-Port` and"
        " `-Prefix` are believed, so links and `Location` carry the URL the client used",
        non_negative_int,
    ),
    Setting(
        "RATE_LIMIT", "",
        "requests per token, in Flask-Limiter's notation (e.g. `600/minute`), or `off`; unset:"
        " `600/minute` in production, off otherwise",
        rate_limit,
    ),
    Setting(
        "RATE_LIMIT_ANONYMOUS", "",
        "requests per client address without a valid token, or `off`; unset: `60/minute` in"
        " production, off otherwise",
        rate_limit,
    ),
    Setting(
        "TOKEN_CACHE_SECONDS", "5",
        "how long a process trusts a token it has checked without asking the database again:"
        " a revoked token stops working within this many seconds; `0` asks every time",
        non_negative_float,
    ),
    Setting("LOG_LEVEL", "INFO", "`DEBUG`, `INFO`, `WARNING` or `ERROR`"),
    Setting("LOG_FORMAT", "", "`json` or `text`; unset: json in production, text otherwise"),
    Setting(
        "PROMETHEUS_MULTIPROC_DIR", "",
        "a directory shared by gunicorn's and the worker's processes, so `/metrics` adds up"
        " all of them; unset, each process counts alone (fine for one process)",
    ),
)  # fmt: skip
BY_VARIABLE = {setting.variable: setting for setting in SETTINGS}


def read(variable: str, environ: Mapping[str, str] | None = None) -> object:
    """The parsed value of a setting from the environment, or its default."""
    setting = BY_VARIABLE[variable]
    environ = os.environ if environ is None else environ
    raw = environ.get(variable, setting.default)
    try:
        return setting.parse(raw)
    except ValueError:
        # One line naming the setting, rather than a traceback from deep in the start-up.
        raise SystemExit(f"{variable}={raw!r} is not valid: {setting.meaning}") from None


# Settings whose Flask configuration key differs from the variable's name.
CONFIG_KEYS = {"DATABASE_URL": "SQLALCHEMY_DATABASE_URI"}


class Config:
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    DEFAULT_LOG_FORMAT = "text"
    DEFAULT_DATABASE_URL = ""
    # A browser app on any origin may call a development or test server; production names them.
    DEFAULT_CORS_ORIGINS = "*"
    DEFAULT_RATE_LIMIT = DEFAULT_RATE_LIMIT_ANONYMOUS = "off"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> dict:
        """Every setting of SETTINGS, read from `environ` (the process's by default)."""
        values = {
            CONFIG_KEYS.get(s.variable, s.variable): read(s.variable, environ)
            for s in SETTINGS
            if s.variable != "APP_CONFIG"
        }
        values["SECRET_KEY"] = values["SECRET_KEY"] or DEVELOPMENT_SECRET_KEY
        values["SQLALCHEMY_DATABASE_URI"] = (
            values["SQLALCHEMY_DATABASE_URI"] or cls.DEFAULT_DATABASE_URL
        )
        values["LOG_FORMAT"] = values["LOG_FORMAT"] or cls.DEFAULT_LOG_FORMAT
        values["CORS_ORIGINS"] = values["CORS_ORIGINS"] or cls.DEFAULT_CORS_ORIGINS
        values["RATE_LIMIT"] = values["RATE_LIMIT"] or cls.DEFAULT_RATE_LIMIT
        values["RATE_LIMIT_ANONYMOUS"] = (
            values["RATE_LIMIT_ANONYMOUS"] or cls.DEFAULT_RATE_LIMIT_ANONYMOUS
        )
        return values


class DevelopmentConfig(Config):
    # With nothing installed but Python, the service still starts: an SQLite file next to the code.
    DEFAULT_DATABASE_URL = "sqlite:///" + str(BASE_DIR / "instance" / "citizens.sqlite3")


class TestingConfig(Config):
    TESTING = True
    DEFAULT_DATABASE_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/citizens_test"


class ProductionConfig(Config):
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True, "pool_size": 10, "max_overflow": 10}
    DEFAULT_LOG_FORMAT = "json"
    DEFAULT_CORS_ORIGINS = ""
    DEFAULT_RATE_LIMIT = "600/minute"
    DEFAULT_RATE_LIMIT_ANONYMOUS = "60/minute"
    # Checked at start-up (app.checks): production needs its own key and a reachable database.
    REQUIRE_SECURE_SETUP = True


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
        # On a lost broker connection the unacknowledged task will be delivered again anyway;
        # cancel the running copy rather than finish a duplicate (Celery 6's default; recomputes
        # are idempotent either way).
        "worker_cancel_long_running_tasks_on_connection_loss": True,
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
    """Return the configuration class named by `name` or APP_CONFIG (development by default)."""
    name = name or read("APP_CONFIG")
    try:
        return CONFIGS[name]
    except KeyError:
        raise SystemExit(f"APP_CONFIG={name!r} is not one of {', '.join(CONFIGS)}") from None
