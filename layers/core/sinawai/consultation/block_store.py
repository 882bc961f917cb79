"""The sender blocks in MySQL (table sender_block, migration 0017)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sinawai.platform.clock import utcnow
from sinawai.platform.db import Database, Row


@dataclass(frozen=True)
class Block:
    id: int
    nip: str | None
    guest_telegram_id: int | None
    until_at: datetime
    notified: bool

    @classmethod
    def from_row(cls, row: Row) -> Block:
        guest = row["guest_telegram_id"]
        return cls(
            int(row["id"]),
            row["nip"],
            int(guest) if guest is not None else None,
            row["until_at"],
            row["notified_at"] is not None,
        )


_COLUMNS = "id, nip, guest_telegram_id, until_at, notified_at"
_SENDER = "((%s IS NOT NULL AND nip = %s) OR (%s IS NOT NULL AND guest_telegram_id = %s))"


def add(
    db: Database, *, nip: str | None, guest_telegram_id: int | None, ticket_id: int, by: int, hours: int
) -> datetime:
    """Block the sender from now for ``hours``; an earlier block of theirs still running ends (this one
    replaces it). Returns when the block ends (UTC, naive as stored)."""
    now = utcnow()
    until = now + timedelta(hours=hours)
    with db.transaction() as cur:
        cur.execute(
            f"UPDATE sender_block SET lifted_at = %s, lifted_by = %s WHERE {_SENDER}"  # noqa: S608
            " AND lifted_at IS NULL AND until_at > %s",
            (now, by, nip, nip, guest_telegram_id, guest_telegram_id, now),
        )
        cur.execute(
            "INSERT INTO sender_block (nip, guest_telegram_id, ticket_id, blocked_by, blocked_at, until_at)"
            " VALUES (%s, %s, %s, %s, %s, %s)",
            (nip, guest_telegram_id, ticket_id, by, now, until),
        )
    return until


def active(db: Database, *, nip: str | None, guest_telegram_id: int | None) -> Block | None:
    """The sender's running block, if any."""
    if nip is None and guest_telegram_id is None:
        return None
    row = db.fetch_one(
        f"SELECT {_COLUMNS} FROM sender_block WHERE {_SENDER}"  # noqa: S608
        " AND lifted_at IS NULL AND until_at > %s ORDER BY until_at DESC, id DESC LIMIT 1",
        (nip, nip, guest_telegram_id, guest_telegram_id, utcnow()),
    )
    return Block.from_row(row) if row else None


def lift(db: Database, *, nip: str | None, guest_telegram_id: int | None, by: int) -> int:
    """End the sender's running blocks now; how many were running."""
    now = utcnow()
    return db.execute(
        f"UPDATE sender_block SET lifted_at = %s, lifted_by = %s WHERE {_SENDER}"  # noqa: S608
        " AND lifted_at IS NULL AND until_at > %s",
        (now, by, nip, nip, guest_telegram_id, guest_telegram_id, now),
    )


def claim_notice(db: Database, block_id: int) -> bool:
    """True for the one message of the block that gets the notice."""
    return (
        db.execute(
            "UPDATE sender_block SET notified_at = %s WHERE id = %s AND notified_at IS NULL",
            (utcnow(), block_id),
        )
        == 1
    )
