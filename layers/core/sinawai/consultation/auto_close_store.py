"""Automatic closing of answered tickets nobody follows up, and the claims on its notices (MySQL)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sinawai.consultation.store import TICKET_COLUMNS, Ticket, transition
from sinawai.consultation.ticket_events import SYSTEM, insert_event
from sinawai.consultation.tickets import Status
from sinawai.platform.db import Database

AUTO_CLOSE_REASON = "auto_close"
NOTICE_EVENT = "auto_close_notice"


@dataclass(frozen=True)
class Activity:
    ticket: Ticket
    last_activity: datetime  # UTC: the later of the employee's last message and the last staff answer


def auto_close_candidates(db: Database, statuses: tuple[Status, ...]) -> list[Activity]:
    """Open tickets in ``statuses`` with the time of their last employee message or staff answer."""
    placeholders = ", ".join(["%s"] * len(statuses))
    columns = ", ".join(f"t.{c.strip()}" for c in TICKET_COLUMNS.split(","))
    rows = db.fetch_all(
        f"SELECT {columns}, (SELECT MAX(e.waktu) FROM ticket_event e WHERE e.ticket_id = t.id"  # noqa: S608
        " AND e.actor_type = 'pegawai' AND e.event IN ('opened', 'question')) AS last_question"
        f" FROM ticket t WHERE t.status IN ({placeholders}) ORDER BY t.id",
        tuple(s.value for s in statuses),
    )
    found = []
    for row in rows:
        ticket = Ticket.from_row(row)
        moments = [m for m in (row["last_question"], ticket.last_answer_at) if m is not None]
        found.append(Activity(ticket, max(moments) if moments else ticket.created_at))
    return found


def close_automatically(db: Database, ticket: Ticket, working_days: int) -> bool:
    """The system closes the ticket (from the status it was read with); False when it changed meanwhile."""
    detail = {"reason": AUTO_CLOSE_REASON, "working_days": working_days}
    return transition(db, ticket, Status.SELESAI, "closed", SYSTEM, detail=detail)


def unnoticed_auto_closes(db: Database, recipient: Literal["pegawai", "staf"]) -> list[Ticket]:
    """Tickets closed automatically whose notice to ``recipient`` has not been sent yet."""
    rows = db.fetch_all(
        f"SELECT {TICKET_COLUMNS} FROM ticket WHERE status = 'selesai' AND id IN ("  # noqa: S608
        " SELECT e.ticket_id FROM ticket_event e WHERE e.event = 'closed' AND e.actor_type = 'sistem'"
        " AND JSON_VALUE(e.detail, '$.reason') = %s) AND id NOT IN ("
        " SELECT n.ticket_id FROM ticket_event n WHERE n.event = %s"
        " AND JSON_VALUE(n.detail, '$.to') = %s) ORDER BY id",
        (AUTO_CLOSE_REASON, NOTICE_EVENT, recipient),
    )
    return [Ticket.from_row(r) for r in rows]


def claim_notice(db: Database, ticket_id: int, recipient: Literal["pegawai", "staf"]) -> bool:
    """Record the notice to ``recipient`` before it is sent; False when a sweep running at the same time
    (EventBridge may deliver a schedule twice) claimed it already."""
    with db.transaction() as cur:
        cur.execute("SELECT id FROM ticket WHERE id = %s FOR UPDATE", (ticket_id,))
        cur.execute(
            "SELECT 1 AS x FROM ticket_event WHERE ticket_id = %s AND event = %s"
            " AND JSON_VALUE(detail, '$.to') = %s",
            (ticket_id, NOTICE_EVENT, recipient),
        )
        if cur.fetchone() is not None:
            return False
        insert_event(cur, ticket_id, NOTICE_EVENT, SYSTEM, detail={"to": recipient})
    return True


def release_notice(db: Database, ticket_id: int, recipient: Literal["pegawai", "staf"]) -> None:
    """A claimed notice could not be sent: the next sweep tries again."""
    db.execute(
        "DELETE FROM ticket_event WHERE ticket_id = %s AND event = %s AND JSON_VALUE(detail, '$.to') = %s",
        (ticket_id, NOTICE_EVENT, recipient),
    )
