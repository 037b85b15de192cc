"""The application factory: the only module that wires extensions, routes and handlers."""

from pathlib import Path

import orjson
from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from config import celery_settings, config_for


def create_app(config_name: str | None = None, test_config: dict | None = None) -> Flask:
    """Build a configured application; `config_name` overrides APP_CONFIG."""
    app = Flask(__name__, static_folder=None)
    config = config_for(config_name)
    app.config.from_object(config)
    app.config.update(config.from_env())
    if test_config:
        app.config.from_mapping(test_config)
    _prepare_database_settings(app)
    if hops := app.config["TRUSTED_PROXIES"]:
        # Links and Location are built from the URL the client used, which only the proxies
        # in front know: believe their X-Forwarded-* headers, for exactly that many hops.
        app.wsgi_app = ProxyFix(
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops, x_prefix=hops
        )

    from app.checks import check_production_database, check_production_settings
    from app.commands import register_commands
    from app.cors import init_cors
    from app.errors import register_error_handlers
    from app.extensions import (
        celery_init_app,
        db,
        enable_sqlite_foreign_keys,
        end_session,
    )
    from app.jsonapi import init_protocol
    from app.metrics import init_metrics
    from app.observability import configure_logging, init_request_logging, init_task_logging
    from app.rate_limits import init_rate_limits
    from app.receivers import connect_receivers
    from app.resources import health, pages, root
    from app.resources.converters import IdConverter
    from app.resources.permissions import identify_caller
    from app.resources.routes import build_api_blueprint
    from app.resources.validators import init_validators
    from app.signals import install_commit_hooks

    check_production_settings(app)
    app.url_map.converters["id"] = IdConverter
    db.init_app(app)
    app.teardown_appcontext(end_session)
    with app.app_context():
        enable_sqlite_foreign_keys(db.engine)
    check_production_database(app)
    install_commit_hooks(db.session.session_factory.class_)
    celery_init_app(app, celery_settings(app.config))
    connect_receivers()
    configure_logging(app)
    init_request_logging(app)
    init_task_logging()
    init_metrics(app)
    init_protocol(app)
    init_validators(app)  # after init_protocol: runs before its status line is written
    init_cors(app)
    register_error_handlers(app)
    api = build_api_blueprint()
    # Who calls, then how often (the limits count per token), then may they (the blueprint's
    # require_permission). The limits apply to the blueprint, so before it is registered.
    app.before_request(identify_caller)
    init_rate_limits(app, api)
    app.register_blueprint(api)
    app.register_blueprint(health.blueprint)
    app.register_blueprint(root.blueprint)
    app.register_blueprint(pages.blueprint)
    register_commands(app)
    return app


def _prepare_database_settings(app: Flask) -> None:
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {}))
    # JSON columns (the stored aggregates) go through orjson: ~10x faster than the stdlib.
    options.setdefault("json_serializer", lambda value: orjson.dumps(value).decode())
    options.setdefault("json_deserializer", orjson.loads)
    if uri.startswith("postgresql"):
        # Timestamps leave the database in UTC whatever the server's time zone is.
        options["connect_args"] = {"options": "-c timezone=UTC", "connect_timeout": 5}
    elif uri.startswith("sqlite:///"):
        Path(uri.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options
