"""app.signals on a bare SQLAlchemy session: announced inside a transaction, sent after commit.

No Flask app and no PostgreSQL: an in-memory SQLite session with the commit hooks installed.
`sent` (tests/conftest.py) records every signal sent.
"""

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from app import signals
from app.signals import announce, install_commit_hooks


class HookedSession(Session):
    """A session class of our own, so the hooks reach no other test's sessions."""


install_commit_hooks(HookedSession)


@pytest.fixture
def session():
    engine = create_engine("sqlite://")
    with HookedSession(engine) as session:
        session.execute(text("SELECT 1"))  # a transaction is under way, as in a service
        yield session
    engine.dispose()


def test_nothing_is_sent_before_the_commit(session, sent):
    announce(session, signals.citizen_updated, 1, [7])
    session.flush()

    assert sent == []


def test_each_signal_is_sent_once_per_import_with_its_citizens_merged(session, sent):
    announce(session, signals.citizen_updated, 1, [7])
    announce(session, signals.citizen_updated, 1, [8, 9])
    announce(session, signals.citizen_updated, 2, [7])
    announce(session, signals.citizen_trashed, 1, [8])

    session.commit()

    assert sent[:-1] == [
        ("citizen-updated", {"import_id": 1, "citizen_ids": (7, 8, 9)}),
        ("citizen-updated", {"import_id": 2, "citizen_ids": (7,)}),
        ("citizen-trashed", {"import_id": 1, "citizen_ids": (8,)}),
    ]


def test_changes_committed_comes_last_and_once_with_every_import_touched(session, sent):
    announce(session, signals.citizen_updated, 1, [7])
    announce(session, signals.citizen_trashed, 2, [8])
    announce(session, signals.citizen_updated, 1, [9])

    session.commit()

    assert sent[-1] == (
        "changes-committed",
        {"import_ids": frozenset({1, 2}), "aggregates_affected": frozenset({1, 2})},
    )
    assert [name for name, _ in sent].count("changes-committed") == 1


def test_changes_committed_names_the_imports_whose_aggregates_a_change_can_affect(session, sent):
    announce(session, signals.citizen_updated, 1, [7], aggregates_affected=False)
    announce(session, signals.citizen_updated, 2, [8], aggregates_affected=False)
    announce(session, signals.citizen_trashed, 2, [9])

    session.commit()

    assert sent[-1] == (
        "changes-committed",
        {"import_ids": frozenset({1, 2}), "aggregates_affected": frozenset({2})},
    )


def test_a_rollback_forgets_what_was_announced(session, sent):
    announce(session, signals.citizen_updated, 1, [7])
    session.rollback()

    session.execute(text("SELECT 1"))
    session.commit()

    assert sent == []


def test_a_commit_that_announced_nothing_sends_nothing(session, sent):
    session.commit()

    assert sent == []


def test_announcements_are_sent_once_even_by_two_commits(session, sent):
    announce(session, signals.citizen_updated, 1, [7])
    session.commit()
    session.execute(text("SELECT 1"))
    session.commit()

    assert [name for name, _ in sent] == ["citizen-updated", "changes-committed"]


def test_installing_the_hooks_twice_still_sends_once(session, sent):
    install_commit_hooks(HookedSession)
    announce(session, signals.citizen_updated, 1, [7])

    session.commit()

    assert [name for name, _ in sent] == ["citizen-updated", "changes-committed"]


def test_a_rolled_back_savepoint_keeps_what_the_transaction_announced_before_it(session, sent):
    announce(session, signals.citizen_updated, 1, [7])
    with pytest.raises(RuntimeError), session.begin_nested():
        announce(session, signals.citizen_updated, 2, [8])
        raise RuntimeError("the savepoint's work is undone, the transaction's is not")

    session.commit()

    assert ("citizen-updated", {"import_id": 1, "citizen_ids": (7,)}) in sent
    assert any(name == "changes-committed" and 1 in kw["import_ids"] for name, kw in sent)
