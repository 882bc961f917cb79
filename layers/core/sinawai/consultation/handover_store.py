"""Hand-overs, areas and service-target reminders in MySQL: who handles a ticket, which area it belongs to,
which staff members can take it over, which tickets still wait for a first answer, and the claims that
make every reminder go out once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sinawai.consultation.store import TICKET_COLUMNS, Ticket
from sinawai.consultation.ticket_events import SYSTEM, Actor, insert_event
from sinawai.consultation.tickets import Status
from sinawai.platform.clock import utcnow
from sinawai.platform.db import Database

STAFF_ROLES = ("staf", "admin")
REMINDER_EVENT = "sla_reminded"


@dataclass(frozen=True)
class StaffMember:
    telegram_id: int
    nama: str


def staff_members(db: Database) -> list[StaffMember]:
    """Active registered staff (role staf or admin) bound to a Telegram account, by name."""
    rows = db.fetch_all(
        "SELECT id_telegram, nama FROM pengguna WHERE hak_pengguna IN (%s, %s) AND status = 'aktif'"
        " AND id_telegram IS NOT NULL ORDER BY nama, id_telegram",
        STAFF_ROLES,
    )
    return [StaffMember(int(r["id_telegram"]), str(r["nama"])) for r in rows]


def staff_member(db: Database, telegram_id: int) -> StaffMember | None:
    """The active registered staff member of that Telegram account, or None."""
    row = db.fetch_one(
        "SELECT id_telegram, nama FROM pengguna WHERE id_telegram = %s AND hak_pengguna IN (%s, %s)"
        " AND status = 'aktif'",
        (telegram_id, *STAFF_ROLES),
    )
    return StaffMember(int(row["id_telegram"]), str(row["nama"])) if row else None


def hand_over(db: Database, ticket: Ticket, to: StaffMember, actor: Actor) -> Ticket | None:
    """Assign the ticket to ``to`` (a new ticket counts as taken); None when it was closed meanwhile."""
    now = utcnow()
    with db.transaction() as cur:
        cur.execute(f"SELECT {TICKET_COLUMNS} FROM ticket WHERE id = %s FOR UPDATE", (ticket.id,))  # noqa: S608
        current = Ticket.from_row(cur.fetchone())
        if current.status is Status.SELESAI:
            return None
        to_status = Status.DIPROSES if current.status is Status.BARU else current.status
        cur.execute(
            "UPDATE ticket SET assigned_staff_id = %s, assigned_staff_name = %s, status = %s WHERE id = %s",
            (to.telegram_id, to.nama[:255], to_status.value, ticket.id),
        )
        changed = to_status is not current.status
        insert_event(
            cur,
            ticket.id,
            "handed_over",
            actor,
            from_status=current.status if changed else None,
            to_status=to_status if changed else None,
            detail={"from": current.assigned_staff_id, "to": to.telegram_id, "to_name": to.nama},
            now=now,
        )
        cur.execute(f"SELECT {TICKET_COLUMNS} FROM ticket WHERE id = %s", (ticket.id,))  # noqa: S608
        return Ticket.from_row(cur.fetchone())


def set_area(db: Database, ticket_id: int, area: str, actor: Actor) -> bool:
    """The staff set the ticket's area; False when it had that area already (nothing recorded)."""
    with db.transaction() as cur:
        changed = cur.execute(
            "UPDATE ticket SET area = %s WHERE id = %s AND area <> %s", (area, ticket_id, area)
        )
        if changed:
            insert_event(cur, ticket_id, "area_set", actor, detail={"area": area, "by": "staf"})
    return bool(changed)


def open_tickets(
    db: Database,
    staff_chat_id: int,
    *,
    area: str | None = None,
    assigned_to: int | None = None,
    limit: int = 30,
) -> list[Ticket]:
    """The group's open tickets, oldest first; only one area's, or only those a staff member handles."""
    where = ["status <> 'selesai'", "staff_chat_id = %s"]
    args: list[Any] = [staff_chat_id]
    if area is not None:
        where.append("area = %s")
        args.append(area)
    if assigned_to is not None:
        where.append("assigned_staff_id = %s")
        args.append(assigned_to)
    rows = db.fetch_all(
        f"SELECT {TICKET_COLUMNS} FROM ticket WHERE {' AND '.join(where)}"  # noqa: S608
        " ORDER BY created_at, id LIMIT %s",
        (*args, limit),
    )
    return [Ticket.from_row(r) for r in rows]


def waiting_for_first_answer(db: Database, staff_chat_id: int) -> list[tuple[Ticket, bool]]:
    """The group's tickets no answer has reached yet, oldest first, each with whether it was reminded."""
    rows = db.fetch_all(
        f"SELECT {TICKET_COLUMNS}, EXISTS (SELECT 1 FROM ticket_event e WHERE e.ticket_id = ticket.id"  # noqa: S608
        " AND e.event = %s) AS reminded FROM ticket WHERE staff_chat_id = %s"
        " AND status IN ('baru', 'diproses') AND first_answer_at IS NULL ORDER BY created_at, id",
        (REMINDER_EVENT, staff_chat_id),
    )
    return [(Ticket.from_row(r), bool(r["reminded"])) for r in rows]


def claim_reminder(db: Database, ticket_id: int, waited_hours: float, area: str) -> bool:
    """Record the reminder before it is sent; False when it was raised already (by this sweep's twin)."""
    with db.transaction() as cur:
        cur.execute("SELECT id FROM ticket WHERE id = %s FOR UPDATE", (ticket_id,))
        cur.execute(
            "SELECT 1 AS x FROM ticket_event WHERE ticket_id = %s AND event = %s", (ticket_id, REMINDER_EVENT)
        )
        if cur.fetchone() is not None:
            return False
        detail = {"waited_working_hours": round(waited_hours, 2), "area": area}
        insert_event(cur, ticket_id, REMINDER_EVENT, SYSTEM, detail=detail)
    return True


def release_reminder(db: Database, ticket_id: int) -> None:
    """Telegram refused the reminder: the next sweep raises it."""
    db.execute("DELETE FROM ticket_event WHERE ticket_id = %s AND event = %s", (ticket_id, REMINDER_EVENT))


def claim_morning_list(db: Database, staff_chat_id: int, day: date, now: datetime | None = None) -> bool:
    """The day's morning list for the group, claimed once (a schedule delivered twice sends one list)."""
    changed = db.execute(
        "INSERT IGNORE INTO sla_daily_list (staff_chat_id, day, sent_at) VALUES (%s, %s, %s)",
        (staff_chat_id, day, now or utcnow()),
    )
    return bool(changed)


def release_morning_list(db: Database, staff_chat_id: int, day: date) -> None:
    db.execute("DELETE FROM sla_daily_list WHERE staff_chat_id = %s AND day = %s", (staff_chat_id, day))
