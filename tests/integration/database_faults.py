"""Faults in the database itself: the one way to make a real route fail unexpectedly without
replacing any of our own code."""

from contextlib import contextmanager

from sqlalchemy import text

from app.extensions import db


@contextmanager
def database_fault(app, create: str, undo: str):
    """A fault in the database itself, undone afterwards: the one way to make a real route fail
    unexpectedly without replacing any of our own code."""
    with app.app_context():
        db.session.execute(text(create))
        db.session.commit()
    try:
        yield
    finally:
        with app.app_context():
            db.session.execute(text(undo))
            db.session.commit()


# Every write to a citizen fails in the database with an error no handler expects.
REFUSING_TRIGGER = (
    "CREATE FUNCTION refuse_citizen_writes() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    "RAISE EXCEPTION 'citizens are read-only in this test'; END $$; "
    "CREATE TRIGGER refuse_citizen_writes BEFORE UPDATE ON citizens FOR EACH ROW "
    "EXECUTE FUNCTION refuse_citizen_writes()",
    "DROP TRIGGER refuse_citizen_writes ON citizens; DROP FUNCTION refuse_citizen_writes()",
)
# Every read of citizens fails: the SELECT names a column that is gone.
MISSING_COLUMN = (
    "ALTER TABLE citizens RENAME COLUMN town TO town_renamed_by_test",
    "ALTER TABLE citizens RENAME COLUMN town_renamed_by_test TO town",
)
