"""What the staff answer tools keep in MySQL: the staff group's templates and the sends that wait for a
staff member's confirmation (``staff_pending_send``: claimed once, they expire)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from sinawai.platform.clock import utcnow
from sinawai.platform.db import Database, Row

Source = Literal["message", "topic"]


# ---- templates ---------------------------------------------------------------------------------------------


def save_template(db: Database, staff_chat_id: int, name: str, body_html: str, by: int | None) -> bool:
    """Store (or replace) the group's template ``name``; True when it replaced one."""
    replaced = db.fetch_one(
        "SELECT id FROM staff_template WHERE staff_chat_id = %s AND name = %s", (staff_chat_id, name)
    )
    if replaced is not None:
        db.execute(
            "UPDATE staff_template SET body_html = %s, created_by = %s, created_at = %s WHERE id = %s",
            (body_html, by, utcnow(), replaced["id"]),
        )
        return True
    db.execute(
        "INSERT INTO staff_template (staff_chat_id, name, body_html, created_by, created_at)"
        " VALUES (%s, %s, %s, %s, %s)",
        (staff_chat_id, name, body_html, by, utcnow()),
    )
    return False


def template(db: Database, staff_chat_id: int, name: str) -> str | None:
    row = db.fetch_one(
        "SELECT body_html FROM staff_template WHERE staff_chat_id = %s AND name = %s", (staff_chat_id, name)
    )
    return None if row is None else str(row["body_html"])


def template_names(db: Database, staff_chat_id: int) -> list[str]:
    rows = db.fetch_all(
        "SELECT name FROM staff_template WHERE staff_chat_id = %s ORDER BY name", (staff_chat_id,)
    )
    return [str(r["name"]) for r in rows]


def delete_template(db: Database, staff_chat_id: int, name: str) -> bool:
    return (
        db.execute("DELETE FROM staff_template WHERE staff_chat_id = %s AND name = %s", (staff_chat_id, name))
        > 0
    )


# ---- sends waiting for a confirmation ----------------------------------------------------------------------


@dataclass(frozen=True)
class PendingSend:
    id: int
    staff_chat_id: int
    ticket_id: int
    staff_id: int
    source: Source
    message_id: int | None
    topic_id: str | None
    created_at: datetime
    expires_at: datetime
    resolved_at: datetime | None
    resolution: str | None
    resolved_update_id: int | None

    @classmethod
    def from_row(cls, row: Row) -> PendingSend:
        return cls(
            id=int(row["id"]),
            staff_chat_id=int(row["staff_chat_id"]),
            ticket_id=int(row["ticket_id"]),
            staff_id=int(row["staff_id"]),
            source=row["source"],
            message_id=row["message_id"],
            topic_id=row["topic_id"],
            created_at=row["created_at"],
            expires_at=row["expires_at"],
            resolved_at=row["resolved_at"],
            resolution=row["resolution"],
            resolved_update_id=row["resolved_update_id"],
        )


_PENDING_COLUMNS = (
    "id, staff_chat_id, ticket_id, staff_id, source, message_id, topic_id, created_at, expires_at,"
    " resolved_at, resolution, resolved_update_id"
)


def hold(
    db: Database,
    *,
    staff_chat_id: int,
    ticket_id: int,
    staff_id: int,
    source: Source,
    lifetime: timedelta,
    message_id: int | None = None,
    topic_id: str | None = None,
) -> PendingSend:
    """A send waiting for its confirmation; a retry of the same staff message finds the one it held."""
    now = utcnow()
    if message_id is not None:
        found = db.fetch_one(
            f"SELECT {_PENDING_COLUMNS} FROM staff_pending_send"  # noqa: S608
            " WHERE staff_chat_id = %s AND message_id = %s",
            (staff_chat_id, message_id),
        )
        if found is not None:
            return PendingSend.from_row(found)
    with db.transaction() as cur:
        cur.execute(
            "INSERT INTO staff_pending_send (staff_chat_id, ticket_id, staff_id, source, message_id,"
            " topic_id, created_at, expires_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
            (staff_chat_id, ticket_id, staff_id, source, message_id, topic_id, now, now + lifetime),
        )
        new_id = int(cur.lastrowid)
    held = pending(db, new_id)
    assert held is not None
    return held


def pending(db: Database, pending_id: int) -> PendingSend | None:
    row = db.fetch_one(f"SELECT {_PENDING_COLUMNS} FROM staff_pending_send WHERE id = %s", (pending_id,))  # noqa: S608
    return None if row is None else PendingSend.from_row(row)


def claim(db: Database, pending_id: int, resolution: str, update_id: int) -> bool:
    """Resolve the send once: True for the press that resolved it (or a retry of that press)."""
    now = utcnow()
    claimed = db.execute(
        "UPDATE staff_pending_send SET resolved_at = %s, resolution = %s, resolved_update_id = %s"
        " WHERE id = %s AND resolved_at IS NULL AND expires_at > %s",
        (now, resolution, update_id, pending_id, now),
    )
    if claimed:
        return True
    again = db.fetch_one(
        "SELECT 1 AS x FROM staff_pending_send WHERE id = %s AND resolved_update_id = %s AND resolution = %s",
        (pending_id, update_id, resolution),
    )
    return again is not None


def recently_taken(db: Database, staff_chat_id: int, staff_id: int, since: datetime) -> int | None:
    """The open ticket of the group that the staff member took most recently since ``since``."""
    row = db.fetch_one(
        "SELECT e.ticket_id FROM ticket_event e JOIN ticket t ON t.id = e.ticket_id"
        " WHERE e.event = 'taken' AND e.actor_id = %s AND e.waktu >= %s AND t.staff_chat_id = %s"
        " AND t.status <> 'selesai' ORDER BY e.waktu DESC, e.id DESC LIMIT 1",
        (staff_id, since, staff_chat_id),
    )
    return None if row is None else int(row["ticket_id"])


def events_since(db: Database, ticket_id: int, since: datetime) -> list[str]:
    """The ticket's closes, answers and hand-overs since ``since`` (a send held then may be stale)."""
    rows = db.fetch_all(
        "SELECT event FROM ticket_event WHERE ticket_id = %s AND waktu >= %s"
        " AND event IN ('closed', 'answered', 'handed_over') ORDER BY id",
        (ticket_id, since),
    )
    return [str(r["event"]) for r in rows]
