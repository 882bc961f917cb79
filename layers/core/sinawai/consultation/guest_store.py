"""Guest tickets in MySQL: a question of a Telegram account bound to no NIP, placed like an employee's
(new ticket, or the guest's open one) but keyed by the account, not by a NIP."""

from __future__ import annotations

from datetime import datetime, timedelta

from sinawai.consultation.staff_list import Burst
from sinawai.consultation.store import TICKET_COLUMNS, Placed, Ticket, placed_earlier, record_placement
from sinawai.consultation.ticket_events import SYSTEM, Actor, insert_event
from sinawai.consultation.tickets import Status, place_message
from sinawai.platform.clock import utcnow
from sinawai.platform.db import Database

GUEST_NAME_CHARS = 255


def latest_open_of_guest(db: Database, telegram_id: int) -> Ticket | None:
    row = db.fetch_one(
        f"SELECT {TICKET_COLUMNS} FROM ticket WHERE guest_telegram_id = %s AND status <> 'selesai'"  # noqa: S608
        " ORDER BY id DESC LIMIT 1",
        (telegram_id,),
    )
    return Ticket.from_row(row) if row else None


def open_of_guest(db: Database, telegram_id: int) -> list[Ticket]:
    """The account's guest tickets that are not closed, oldest first."""
    rows = db.fetch_all(
        f"SELECT {TICKET_COLUMNS} FROM ticket WHERE guest_telegram_id = %s AND status <> 'selesai'"  # noqa: S608
        " ORDER BY id",
        (telegram_id,),
    )
    return [Ticket.from_row(r) for r in rows]


def has_asked_before(db: Database, telegram_id: int, chat_id: int) -> bool:
    """Whether the account asked as a guest before (a guest ticket, or a guest question the FAQ answered)."""
    row = db.fetch_one(
        "SELECT EXISTS (SELECT 1 FROM ticket WHERE guest_telegram_id = %s)"
        " OR EXISTS (SELECT 1 FROM faq_offer WHERE chat_id = %s AND nip IS NULL) AS asked",
        (telegram_id, chat_id),
    )
    return bool(row and row["asked"])


def place_guest_question(
    db: Database,
    *,
    telegram_id: int,
    guest_name: str,
    chat_id: int,
    staff_chat_id: int,
    actor: Actor,
    reopen_window: timedelta,
    message_id: int | None,
    update_id: int | None = None,
    burst: Burst | None = None,
) -> Placed:
    """Open a guest ticket or join the guest's open one, one message of the account at a time.

    As ``store.place_question``: with ``update_id`` a retry gets the first placement back."""
    now = utcnow()
    lock = f"sinawai-guest-{telegram_id}"
    # No pengguna row to lock for a guest: a named lock keeps one account's messages in order.
    db.fetch_one("SELECT GET_LOCK(%s, 30) AS locked", (lock,))
    try:
        return _place(
            db,
            telegram_id,
            guest_name,
            chat_id,
            staff_chat_id,
            actor,
            reopen_window,
            message_id,
            update_id,
            now,
            burst,
        )
    finally:
        db.fetch_one("SELECT RELEASE_LOCK(%s) AS released", (lock,))


def _place(
    db: Database,
    telegram_id: int,
    guest_name: str,
    chat_id: int,
    staff_chat_id: int,
    actor: Actor,
    reopen_window: timedelta,
    message_id: int | None,
    update_id: int | None,
    now: datetime,
    burst: Burst | None = None,
) -> Placed:
    closed_previous: int | None = None
    with db.transaction() as cur:
        earlier = placed_earlier(cur, update_id)
        if earlier is not None:
            return earlier
        cur.execute(
            f"SELECT {TICKET_COLUMNS} FROM ticket WHERE guest_telegram_id = %s AND status <> 'selesai'"  # noqa: S608
            " ORDER BY id DESC LIMIT 1",
            (telegram_id,),
        )
        row = cur.fetchone()
        current = Ticket.from_row(row) if row else None
        decision = place_message(
            current.status if current else None,
            assigned=bool(current and current.assigned_staff_id),
            last_answer_at=current.last_answer_at if current else None,
            now=now,
            reopen_window=reopen_window,
        )
        detail = {"message_id": message_id}
        if decision.placement == "new":
            if current is not None:
                cur.execute(
                    "UPDATE ticket SET status = 'selesai', closed_at = %s WHERE id = %s", (now, current.id)
                )
                insert_event(
                    cur, current.id, "closed", SYSTEM, from_status=current.status, to_status=Status.SELESAI
                )
                closed_previous = current.id
            cur.execute(
                "INSERT INTO ticket (nip, guest_telegram_id, guest_name, chat_id, status, staff_chat_id,"
                " created_at) VALUES (NULL, %s, %s, %s, 'baru', %s, %s)",
                (telegram_id, guest_name[:GUEST_NAME_CHARS], chat_id, staff_chat_id, now),
            )
            ticket_id = int(cur.lastrowid)
            insert_event(
                cur,
                ticket_id,
                "opened",
                actor,
                to_status=Status.BARU,
                detail={**detail, "tamu": True},
                now=now,
            )
        else:
            assert current is not None
            ticket_id = current.id
        ticket = record_placement(
            cur,
            ticket_id=ticket_id,
            decision=decision,
            current=current,
            actor=actor,
            detail=detail,
            staff_chat_id=staff_chat_id,
            chat_id=chat_id,
            message_id=message_id,
            update_id=update_id,
            now=now,
            burst=burst,
        )
    return Placed(ticket, decision, closed_previous)
