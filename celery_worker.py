"""Celery entry point: `celery -A celery_worker.celery worker` (or `beat`)."""

from celery.signals import worker_process_init

from app import create_app
from app.extensions import db

app = create_app()
celery = app.extensions["celery"]


@worker_process_init.connect
def fresh_connections_after_fork(**_kwargs) -> None:
    """Prefork children must not share the parent's pooled database connections."""
    with app.app_context():
        db.engine.dispose(close=False)
