"""The staff-group outbox (``staff_outbox``: what a ticket change must post, in order) and the group's
shared send slots (``staff_send``: Telegram's pace, counted for every instance)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from sinawai.platform.clock import utcnow
from sinawai.platform.db import Database, Row


@dataclass(frozen=True)
class OutboxItem:
    id: int
    ticket_id: int
    kind: Literal["header", "question", "followup", "list"]
    staff_chat_id: int
    from_chat_id: int | None
    private_message_id: int | None
    status: Literal["pending", "sent", "failed"]
    attempts: int


def _outbox_item(row: Row) -> OutboxItem:
    return OutboxItem(
        id=int(row["id"]),
        ticket_id=int(row["ticket_id"]),
        kind=row["kind"],
        staff_chat_id=int(row["staff_chat_id"]),
        from_chat_id=row["from_chat_id"],
        private_message_id=row["private_message_id"],
        status=row["status"],
        attempts=int(row["attempts"]),
    )


OUTBOX_COLUMNS = "id, ticket_id, kind, staff_chat_id, from_chat_id, private_message_id, status, attempts"


def tickets_with_stale_outbox(db: Database, before: datetime) -> list[int]:
    """Tickets with a post still pending since before ``before``: its hand-over to the queue was lost (the
    function died between the commit and the enqueue, or SQS refused it on every retry)."""
    rows = db.fetch_all(
        "SELECT DISTINCT ticket_id FROM staff_outbox WHERE status = 'pending' AND created_at < %s"
        " ORDER BY ticket_id",
        (before,),
    )
    return [int(r["ticket_id"]) for r in rows]


def outbox_item(db: Database, item_id: int) -> OutboxItem | None:
    row = db.fetch_one(f"SELECT {OUTBOX_COLUMNS} FROM staff_outbox WHERE id = %s", (item_id,))  # noqa: S608
    return _outbox_item(row) if row else None


def pending_outbox(db: Database, ticket_id: int) -> list[OutboxItem]:
    rows = db.fetch_all(
        f"SELECT {OUTBOX_COLUMNS} FROM staff_outbox WHERE ticket_id = %s AND status = 'pending'"  # noqa: S608
        " ORDER BY id",
        (ticket_id,),
    )
    return [_outbox_item(r) for r in rows]


def outbox_sent(db: Database, item_id: int, staff_message_id: int) -> None:
    db.execute(
        "UPDATE staff_outbox SET status = 'sent', staff_message_id = %s, sent_at = %s WHERE id = %s",
        (staff_message_id, utcnow(), item_id),
    )


def outbox_attempt_failed(db: Database, item_id: int, error: str, max_attempts: int) -> bool:
    """Count a failed attempt; True when it was the last one (the item is given up as failed)."""
    with db.transaction() as cur:
        cur.execute(
            "UPDATE staff_outbox SET attempts = attempts + 1, last_error = %s,"
            " status = IF(attempts >= %s, 'failed', status) WHERE id = %s AND status = 'pending'",
            (error[:255], max_attempts, item_id),
        )
        cur.execute("SELECT status FROM staff_outbox WHERE id = %s", (item_id,))
        row = cur.fetchone()
    return bool(row and row["status"] == "failed")


def take_send_slot(
    db: Database, staff_chat_id: int, limit: int, window: timedelta
) -> tuple[int | None, float]:
    """Take one of ``limit`` posts per sliding ``window`` into the group, shared by every instance through
    MySQL: (the slot, 0) when taken, otherwise (None, the seconds to wait before asking again)."""
    # The group's row first, on its own: taking its lock is then the transaction's first step, so two
    # senders queue on it instead of deadlocking.
    db.execute("INSERT IGNORE INTO staff_pacer (staff_chat_id) VALUES (%s)", (staff_chat_id,))
    with db.transaction() as cur:
        cur.execute(
            "SELECT staff_chat_id FROM staff_pacer WHERE staff_chat_id = %s FOR UPDATE", (staff_chat_id,)
        )
        now = utcnow()
        cur.execute(
            "DELETE FROM staff_send WHERE staff_chat_id = %s AND sent_at <= %s", (staff_chat_id, now - window)
        )
        cur.execute(
            "SELECT sent_at FROM staff_send WHERE staff_chat_id = %s ORDER BY sent_at DESC LIMIT %s",
            (staff_chat_id, limit),
        )
        recent = [r["sent_at"] for r in cur.fetchall()]
        if len(recent) >= limit:
            return None, max(0.01, (recent[-1] + window - now).total_seconds())
        cur.execute("INSERT INTO staff_send (staff_chat_id, sent_at) VALUES (%s, %s)", (staff_chat_id, now))
        return int(cur.lastrowid), 0.0


def send_slot_used(db: Database, slot: int) -> None:
    """The post went out now (maybe after waiting out a 429): its slot counts from now."""
    db.execute("UPDATE staff_send SET sent_at = %s WHERE id = %s", (utcnow(), slot))


def oldest_pending_since(db: Database) -> datetime | None:
    """When the oldest post still waiting for the staff group was queued (UTC); None when none waits."""
    row = db.fetch_one("SELECT MIN(created_at) AS oldest FROM staff_outbox WHERE status = 'pending'")
    return row["oldest"] if row and row["oldest"] is not None else None
