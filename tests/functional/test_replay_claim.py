"""An operator's replay (``sinawai dlq redrive``) goes through the same claim as any worker, on MariaDB:
taken whatever the attempts say, and accepted once (never while another replay holds it, never after the
update is done), yet available again after a replay that failed."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from sinawai.platform import updates
from sinawai.platform.config import DatabaseSettings
from sinawai.platform.db import Database
from tests.helpers import query

UPDATE: dict[str, Any] = {
    "update_id": 880_001,
    "message": {
        "message_id": 1,
        "date": 1_800_000_000,
        "chat": {"id": 5550001, "type": "private", "first_name": "Budi"},
        "from": {"id": 5550001, "is_bot": False, "first_name": "Budi"},
        "text": "/tentang",
    },
}


@pytest.fixture
def inbox_db(db: DatabaseSettings) -> Iterator[Database]:
    conn = Database(db)
    yield conn
    conn.close()


def claim(db: Database, request_id: str, *, replay: bool = False) -> updates.Claim:
    return updates.claim_update(
        db, UPDATE, "general", secret_text=False, request_id=request_id, replay=replay
    )


def failed_three_times(db: Database) -> None:
    """What Lambda's attempts leave behind: three claims, three failures."""
    for attempt in range(1, updates.MAX_ATTEMPTS + 1):
        assert claim(db, f"lambda-{attempt}").won
        updates.finish_update(db, UPDATE["update_id"], status="failed", error="NetworkError: timed out")


def inbox(settings: DatabaseSettings) -> dict[str, Any]:
    rows = query(settings, "SELECT status, attempts FROM update_inbox WHERE update_id = %s", (880_001,))
    return rows[0]


def test_a_replay_takes_an_update_whose_attempts_are_spent_which_a_plain_retry_may_not(
    inbox_db: Database, db: DatabaseSettings
) -> None:
    failed_three_times(inbox_db)
    again = claim(inbox_db, "lambda-duplicate")
    assert (again.won, again.status) == (False, "failed")
    replay = claim(inbox_db, "redrive-1", replay=True)
    assert replay.won
    assert inbox(db) == {"status": "processing", "attempts": 4}


def test_a_replay_is_accepted_once_while_it_runs_and_never_after_the_update_is_done(
    inbox_db: Database, db: DatabaseSettings
) -> None:
    failed_three_times(inbox_db)
    assert claim(inbox_db, "redrive-1", replay=True).won
    second = claim(inbox_db, "redrive-2", replay=True)  # a second operator, or the same one twice
    assert (second.won, second.busy, second.status) == (False, False, "processing")
    updates.finish_update(inbox_db, UPDATE["update_id"])
    third = claim(inbox_db, "redrive-3", replay=True)
    assert (third.won, third.status) == (False, "done")
    assert inbox(db) == {"status": "done", "attempts": 4}  # nothing ran twice


def test_after_a_replay_that_failed_the_next_replay_is_taken(
    inbox_db: Database, db: DatabaseSettings
) -> None:
    failed_three_times(inbox_db)
    assert claim(inbox_db, "redrive-1", replay=True).won
    updates.finish_update(inbox_db, UPDATE["update_id"], status="failed", error="NetworkError: still down")
    assert not claim(inbox_db, "lambda-late").won  # Lambda's own retries stay spent
    assert claim(inbox_db, "redrive-2", replay=True).won
    assert inbox(db) == {"status": "processing", "attempts": 5}


def test_a_replay_takes_over_a_claim_whose_last_worker_died_with_its_attempts_spent(
    inbox_db: Database, db: DatabaseSettings
) -> None:
    failed_three_times(inbox_db)
    assert claim(inbox_db, "redrive-1", replay=True).won
    # the replay's worker died: its lease ended without a result
    inbox_db.execute(
        "UPDATE update_inbox SET lease_until = UTC_TIMESTAMP(6) - INTERVAL 1 SECOND WHERE update_id = %s",
        (UPDATE["update_id"],),
    )
    assert not claim(inbox_db, "lambda-late").won
    assert claim(inbox_db, "redrive-2", replay=True).won
