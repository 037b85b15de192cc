"""Units of work: every write is one transaction that retries on contention and then commits.

A service function decorated with @unit_of_work commits (its signals go out after the commit);
a function without it never commits: it reads, or writes inside its caller's unit of work.
Reads that must see one committed state across statements use `snapshot()`, a connection of
their own, so they never end or disturb the caller's transaction.
"""

import functools
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import ParamSpec, TypeVar

from flask import current_app
from sqlalchemy import Connection, select, update
from sqlalchemy.exc import DBAPIError

from app.domain.errors import ImportNotFound
from app.extensions import db
from app.models import imports
from app.services.query import THIS_IMPORT, at, built_once
from app.services.visibility import LIVE, Visibility, import_reachable

P = ParamSpec("P")
T = TypeVar("T")
# Serialisation failure and deadlock: the transaction did nothing and may simply run again.
RETRYABLE_SQLSTATES = {"40001", "40P01"}
INSIDE = "inside_unit_of_work"


def is_retryable(error: DBAPIError) -> bool:
    sqlstate = getattr(error.orig, "sqlstate", None)
    return sqlstate in RETRYABLE_SQLSTATES or "database is locked" in str(error.orig)


def unit_of_work(function: Callable[P, T]) -> Callable[P, T]:
    """Run `function` as one transaction: commit it, or roll back and retry on contention.

    Called inside another unit of work, it joins that one (the outer one commits).
    """

    @functools.wraps(function)
    def run(*args: P.args, **kwargs: P.kwargs) -> T:
        session = db.session()
        if session.info.get(INSIDE):
            return function(*args, **kwargs)
        retries = current_app.config["WRITE_RETRIES"]
        for attempt in range(retries + 1):
            session.info[INSIDE] = True
            try:
                result = function(*args, **kwargs)
                session.info.pop(INSIDE)  # before commit: receivers may start units of work
                session.commit()
                return result
            except DBAPIError as error:
                session.info.pop(INSIDE, None)
                session.rollback()
                if not is_retryable(error) or attempt == retries:
                    raise
                time.sleep(0.01 * 2**attempt)
            except BaseException:
                session.info.pop(INSIDE, None)
                session.rollback()
                raise
        raise AssertionError("unreachable")

    return run


def lock_import(import_id: int, mode: Visibility = LIVE) -> int:
    """Row-lock the import until commit; return its data_version.

    Every write to an import or its citizens starts here, so writes to one import run one at a
    time (kinship stays mutual) while writes to different imports never wait on each other.
    `mode` says whether a trashed import may be written (restore, permanent delete). The lock is
    FOR NO KEY UPDATE, the one an UPDATE of the row takes: inserting citizens, whose foreign key
    needs only a key share of the row, is not blocked by it. Versions move only when something
    changed (app.services.changes).
    """
    if db.session.get_bind().dialect.name == "sqlite":
        # SQLite (development) has no row locks, and its driver begins a transaction only at
        # the first write: an UPDATE that changes nothing takes the database's write lock now,
        # so writers run one at a time there too, each reading what the last one committed.
        db.session.execute(_claim_sqlite(), at(import_id))
    version = db.session.execute(_lock(mode), at(import_id)).scalar()
    if version is None:
        raise ImportNotFound(import_id)
    return version


@built_once
def _claim_sqlite():
    return update(imports).where(imports.c.id == THIS_IMPORT).values(id=imports.c.id)


@built_once
def _lock(mode: Visibility):
    return (
        select(imports.c.data_version)
        .where(imports.c.id == THIS_IMPORT, import_reachable(mode))
        .with_for_update(key_share=True)
    )


@contextmanager
def snapshot() -> Iterator[Connection]:
    """A read-only connection of its own on which every statement sees one committed state.

    On PostgreSQL a REPEATABLE READ transaction. On SQLite (development only) the statements see
    no common snapshot; callers read the version before the rows, so a change committed in
    between makes the stamp too old (recomputed again), never too new.
    """
    engine = db.engine
    options = {}
    if engine.dialect.name == "postgresql":
        options = {"isolation_level": "REPEATABLE READ", "postgresql_readonly": True}
    with engine.connect().execution_options(**options) as connection, connection.begin():
        yield connection


def bulk_insert(table, columns: Sequence[str], rows: Iterable[Sequence]) -> None:
    """Insert many rows: COPY on PostgreSQL (~5x faster than batched INSERT), executemany else."""
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        cursor = connection.connection.driver_connection.cursor()
        with cursor.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    batch = [dict(zip(columns, row, strict=True)) for row in rows]
    if batch:
        connection.execute(table.insert(), batch)
