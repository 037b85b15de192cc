"""Which database errors are an outage (503, retry later) and which are a bug (500)."""

import psycopg
import pytest
from psycopg import errors
from sqlalchemy.exc import OperationalError

from app.errors import is_transient


def wrapped(orig: Exception, statement: str | None = "SELECT 1", invalidated=False):
    return OperationalError(statement, {}, orig, connection_invalidated=invalidated)


@pytest.mark.parametrize(
    "error",
    [
        pytest.param(
            wrapped(psycopg.OperationalError("refused"), statement=None), id="no connection"
        ),
        pytest.param(wrapped(errors.AdminShutdown(), invalidated=True), id="server shut down"),
        pytest.param(wrapped(errors.TooManyConnections()), id="too many connections"),
        pytest.param(wrapped(errors.DeadlockDetected()), id="deadlock after the retries"),
        pytest.param(wrapped(errors.CannotConnectNow()), id="starting up"),
    ],
)
def test_an_unreachable_or_overloaded_database_is_transient(error):
    assert is_transient(error)


@pytest.mark.parametrize(
    "error",
    [
        pytest.param(
            wrapped(psycopg.OperationalError("number of parameters must be between 0 and 65535")),
            id="a statement the driver cannot send",
        ),
        pytest.param(wrapped(errors.ProgramLimitExceeded()), id="program limit exceeded"),
    ],
)
def test_a_statement_the_database_cannot_run_is_not_transient(error):
    assert not is_transient(error)
