"""Issue 15: the daily purge deletes a staff send held for a confirmation ("Kirim ke tiket #N?", a canned
topic chosen from the header's list) a day after it expired, confirmed or not, and keeps the ones still
waiting or expired less than a day ago; its ticket stays (the held send's foreign key points to it).

Bad inputs tried: a second purge (changes nothing), a held send of a closed ticket (deleted all the same)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest

from sinawai.platform import retention
from sinawai.platform.config import DatabaseSettings
from sinawai.platform.db import Database
from tests.helpers import query

NOW = datetime(2028, 1, 15, 2, 0)
STAFF = -1001000000015
RINA = 5595101


@pytest.fixture
def handle(db: DatabaseSettings) -> Iterator[Database]:
    opened = Database(db)
    try:
        yield opened
    finally:
        opened.close()


def _ticket(db: Database, status: str) -> int:
    """A guest's ticket (no NIP, so no employee row needed)."""
    with db.transaction() as cur:
        cur.execute(
            "INSERT INTO ticket (chat_id, guest_telegram_id, status, staff_chat_id, created_at)"
            " VALUES (%s, %s, %s, %s, %s)",
            (5595001, 5595001, status, STAFF, NOW - timedelta(days=3)),
        )
        return int(cur.lastrowid)


def _held(db: Database, ticket_id: int, message_id: int, expired_ago: timedelta, resolved: bool) -> None:
    expires = NOW - expired_ago
    db.execute(
        "INSERT INTO staff_pending_send (staff_chat_id, ticket_id, staff_id, source, message_id, created_at,"
        " expires_at, resolved_at, resolution) VALUES (%s, %s, %s, 'message', %s, %s, %s, %s, %s)",
        (
            STAFF,
            ticket_id,
            RINA,
            message_id,
            expires - timedelta(minutes=30),
            expires,
            expires - timedelta(minutes=5) if resolved else None,
            "sent" if resolved else None,
        ),
    )


def test_the_purge_deletes_held_sends_a_day_after_they_expired_and_keeps_their_tickets(
    db: DatabaseSettings, handle: Database
) -> None:
    open_ticket = _ticket(handle, "diproses")
    closed_ticket = _ticket(handle, "selesai")
    _held(handle, open_ticket, 1, timedelta(days=2), resolved=True)  # confirmed, expired two days ago
    _held(handle, closed_ticket, 2, timedelta(days=1, hours=1), resolved=False)  # never confirmed
    _held(handle, open_ticket, 3, timedelta(hours=3), resolved=False)  # expired less than a day ago
    _held(handle, open_ticket, 4, -timedelta(minutes=20), resolved=False)  # still waiting

    first = retention.purge(handle, retention.RetentionPolicy(), now=NOW)
    assert first.complete
    assert first.counts["pending_sends"] == 2
    assert first.as_dict()["pending_sends"] == 2
    kept = query(db, "SELECT message_id FROM staff_pending_send ORDER BY message_id")
    assert [k["message_id"] for k in kept] == [3, 4]
    assert query(db, "SELECT COUNT(*) AS n FROM ticket")[0]["n"] == 2
    assert retention.purge(handle, retention.RetentionPolicy(), now=NOW).counts["pending_sends"] == 0
