"""The processes the tests, the Dredd hooks and the benchmarks start, each written once.

- processes: waiting, free ports, the environment of the service, gunicorn and a Celery worker;
- database: a throwaway, migrated database on a running PostgreSQL, and the app's CLI on it;
- broker: the Redis database a Celery app uses as its broker, and what it holds;
- servers: a Redis server and a PostgreSQL cluster of one's own, to stop and start again;
- oracle and expected: what the tables and aggregates must be, to judge what was served.

Nothing in app/ imports this package, and it imports nothing from tests/ or benchmarks/.
"""
