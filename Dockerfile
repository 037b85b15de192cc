# syntax=docker/dockerfile:1
# The Citizens Analyzer image: one image for the API (gunicorn, the default command), the
# migrations, the Celery worker and beat; docker-compose.yml picks the role with `command`.

# --- builder: install the pinned requirements into a virtualenv that the final stage copies.
FROM python:3.11-slim AS builder
ENV PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/venv
# The requirements alone first, so a code change does not reinstall every package.
# prod.txt includes base.txt by a relative path: copy the whole directory.
COPY requirements/ /tmp/requirements/
# Every requirement ships a wheel (psycopg-binary included), so no compiler is needed.
RUN /opt/venv/bin/pip install --no-cache-dir -r /tmp/requirements/prod.txt

# --- final: the virtualenv and only the files the service runs.
FROM python:3.11-slim
# WEB_CONCURRENCY is gunicorn's own setting (its default is a single worker process).
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    WEB_CONCURRENCY=2
# A fixed uid, so volume ownership and a runtime's "must not be root" policy both know it.
# /tmp/metrics is created here, owned by that user, because an empty named volume mounted
# there takes the ownership of the image's directory: the service can then write its metrics.
RUN useradd --uid 10001 --user-group --no-create-home --shell /usr/sbin/nologin citizens \
    && install -d -o citizens -g citizens /tmp/metrics
COPY --from=builder /opt/venv /opt/venv
# gunicorn reads gunicorn.conf.py from the working directory; manage.py and celery_worker.py
# import `app` and `config` from it too.
WORKDIR /app
COPY app/ app/
COPY migrations/ migrations/
COPY config.py manage.py celery_worker.py gunicorn.conf.py ./
# The code stays root-owned (the service cannot rewrite it), so compile it now rather than in
# every process at start-up.
RUN python -m compileall -q /app
USER 10001:10001
EXPOSE 8000
# No HEALTHCHECK: the image also runs the worker, beat and migrations, for which an HTTP probe
# would be wrong; docker-compose.yml gives each service the check that fits it.
CMD ["gunicorn", "--bind", "0.0.0.0:8000", "app:create_app()"]
