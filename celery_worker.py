"""Celery entry point: `celery -A celery_worker.celery worker` (or `beat`)."""

from app import create_app

app = create_app()
celery = app.extensions["celery"]
