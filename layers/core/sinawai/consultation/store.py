"""Tickets in MySQL (the adapter of ``tickets``): placing a question, status changes, answers, ratings.

Their events are written with ``ticket_events``, their staff-group messages in ``ticket_messages``, what the
staff group must still see in ``outbox``, the automatic closing in ``auto_close_store``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from sinawai.consultation.staff_list import Burst
from sinawai.consultation.ticket_events import SYSTEM, Actor, insert_event
from sinawai.consultation.tickets import Decision, Status, place_message
from sinawai.platform.clock import utcnow
from sinawai.platform.db import Database, Row
from sinawai.platform.updates import insert_step as _step

TICKET_COLUMNS = (
    "id, nip, chat_id, status, staff_chat_id, header_message_id, message_thread_id, assigned_staff_id,"
    " assigned_staff_name, created_at, first_answer_at, last_answer_at, closed_at, rating, rating_comment"
    ", guest_telegram_id, guest_name, instruction_sent_at"
    ", area"
)


@dataclass(frozen=True)
class Ticket:
    """An employee's ticket (``nip`` set) or a guest's (``guest_telegram_id`` set, no NIP): see guest.py."""

    id: int
    nip: str | None
    chat_id: int
    status: Status
    staff_chat_id: int
    header_message_id: int | None
    message_thread_id: int | None
    assigned_staff_id: int | None
    assigned_staff_name: str | None
    created_at: datetime
    last_answer_at: datetime | None
    closed_at: datetime | None
    rating: int | None
    rating_comment: str | None
    guest_telegram_id: int | None = None
    guest_name: str | None = None
    instruction_sent_at: datetime | None = None
    area: str = "umum"  # areas.AREAS: the part of Biro OSDM that handles it

    @property
    def is_guest(self) -> bool:
        return self.nip is None

    @classmethod
    def from_row(cls, row: Row) -> Ticket:
        return cls(
            id=int(row["id"]),
            nip=None if row["nip"] is None else str(row["nip"]),
            chat_id=int(row["chat_id"]),
            status=Status(row["status"]),
            staff_chat_id=int(row["staff_chat_id"]),
            header_message_id=row["header_message_id"],
            message_thread_id=row["message_thread_id"],
            assigned_staff_id=row["assigned_staff_id"],
            assigned_staff_name=row["assigned_staff_name"],
            created_at=row["created_at"],
            last_answer_at=row["last_answer_at"],
            closed_at=row["closed_at"],
            rating=row["rating"],
            rating_comment=row["rating_comment"],
            guest_telegram_id=row["guest_telegram_id"],
            guest_name=row["guest_name"],
            instruction_sent_at=row["instruction_sent_at"],
            area=str(row.get("area") or "umum"),
        )


def get(db: Database, ticket_id: int) -> Ticket | None:
    row = db.fetch_one(f"SELECT {TICKET_COLUMNS} FROM ticket WHERE id = %s", (ticket_id,))  # noqa: S608
    return Ticket.from_row(row) if row else None


# Where place_question puts a message: "auto" (by the latest open ticket), "new", or a ticket id.
Target = int | Literal["auto", "new"]


class OpenTicketLimitError(Exception):
    """The employee has as many open tickets as allowed: no new one opens; ``open_ids`` latest first."""

    def __init__(self, open_ids: tuple[int, ...]) -> None:
        super().__init__(f"{len(open_ids)} tickets open")
        self.open_ids = open_ids


@dataclass(frozen=True)
class Placed:
    ticket: Ticket
    decision: Decision
    closed_previous: int | None  # a stale dijawab ticket closed by the system when a new one was opened


def place_question(
    db: Database,
    *,
    nip: str,
    chat_id: int,
    staff_chat_id: int,
    actor: Actor,
    reopen_window: timedelta,
    message_id: int | None,
    update_id: int | None = None,
    target: Target = "auto",
    max_open: int | None = None,
    area: str | None = None,
    burst: Burst | None = None,
) -> Placed:
    """Open a ticket or join/reopen the employee's open one, atomically per employee.

    ``target``: "auto" decides by the employee's latest open ticket; "new" opens a new ticket whatever is
    open (raises OpenTicketLimitError when ``max_open`` tickets are open already); a ticket id adds the
    message to that ticket (an answered one is reopened whatever its age: the employee chose it), or opens
    a new one when it was closed meanwhile.

    A new ticket is queued for the staff group as one line of a list message instead of a header and a
    copy while the group's backlog is over ``burst``'s threshold (staff_list.py; None: never).

    With ``update_id`` the placement is recorded with it: a retry of the same update gets the first
    placement back (``closed_previous`` None) instead of placing the question a second time.
    """
    now = utcnow()
    closed_previous: int | None = None
    with db.transaction() as cur:
        # One employee's messages are placed one at a time: two at once never open two tickets.
        cur.execute("SELECT id FROM pengguna WHERE nip = %s FOR UPDATE", (nip,))
        earlier = placed_earlier(cur, update_id)
        if earlier is not None:
            return earlier
        cur.execute(
            f"SELECT {TICKET_COLUMNS} FROM ticket WHERE nip = %s AND status <> 'selesai'"  # noqa: S608
            " ORDER BY id DESC",
            (nip,),
        )
        open_now = [Ticket.from_row(r) for r in cur.fetchall()]
        chosen = [t for t in open_now if t.id == target] if isinstance(target, int) else []
        current = chosen[0] if chosen else (open_now[0] if open_now and target == "auto" else None)
        decision = place_message(
            current.status if current else None,
            assigned=bool(current and current.assigned_staff_id),
            last_answer_at=current.last_answer_at if current else None,
            now=now,
            # a ticket the employee chose (a button, a reply to its message) is reopened whatever its age
            reopen_window=reopen_window if not chosen else timedelta.max,
        )
        detail = {"message_id": message_id}
        if decision.placement == "new":
            # Answered tickets whose reopen window has passed: the system closes them.
            for stale in list(open_now):
                if stale.status is not Status.DIJAWAB or (
                    stale.last_answer_at is not None and now - stale.last_answer_at <= reopen_window
                ):
                    continue
                cur.execute(
                    "UPDATE ticket SET status = 'selesai', closed_at = %s WHERE id = %s", (now, stale.id)
                )
                insert_event(
                    cur, stale.id, "closed", SYSTEM, from_status=stale.status, to_status=Status.SELESAI
                )
                closed_previous = closed_previous or stale.id
                open_now.remove(stale)
            if max_open is not None and len(open_now) >= max_open:
                raise OpenTicketLimitError(tuple(t.id for t in open_now))
            cur.execute(
                "INSERT INTO ticket (nip, chat_id, status, staff_chat_id, created_at)"
                " VALUES (%s, %s, 'baru', %s, %s)",
                (nip, chat_id, staff_chat_id, now),
            )
            ticket_id = int(cur.lastrowid)
            insert_event(cur, ticket_id, "opened", actor, to_status=Status.BARU, detail=detail, now=now)
            if area is not None:
                cur.execute("UPDATE ticket SET area = %s WHERE id = %s", (area, ticket_id))
                insert_event(cur, ticket_id, "area_set", SYSTEM, detail={"area": area, "by": "faq"}, now=now)
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


def placed_earlier(cur: Any, update_id: int | None) -> Placed | None:
    """The placement an earlier attempt of this update made (a retry gets it back), or None."""
    if update_id is None:
        return None
    cur.execute(
        "SELECT step, result FROM update_step WHERE update_id = %s AND step LIKE 'placed:%%'",
        (update_id,),
    )
    done = cur.fetchone()
    if done is None:
        return None
    cur.execute(f"SELECT {TICKET_COLUMNS} FROM ticket WHERE id = %s", (done["result"],))  # noqa: S608
    ticket = Ticket.from_row(cur.fetchone())
    placement = str(done["step"]).partition(":")[2]
    return Placed(ticket, Decision(placement, ticket.status), None)  # type: ignore[arg-type]


def record_placement(
    cur: Any,
    *,
    ticket_id: int,
    decision: Decision,
    current: Ticket | None,
    actor: Actor,
    detail: dict[str, Any],
    staff_chat_id: int,
    chat_id: int,
    message_id: int | None,
    update_id: int | None,
    now: datetime,
    burst: Burst | None = None,
) -> Ticket:
    """The rest of a placement, in the caller's transaction, once the ticket is known (a new ticket's
    "opened" event is the caller's): a join or reopen recorded as events, the staff group's posts in the
    outbox, the update's step, and the ticket as it is now."""
    if decision.placement != "new":
        assert current is not None
        if decision.placement == "reopen":
            assert decision.status is not None
            cur.execute("UPDATE ticket SET status = %s WHERE id = %s", (decision.status.value, ticket_id))
            insert_event(
                cur,
                ticket_id,
                "reopened",
                actor,
                from_status=current.status,
                to_status=decision.status,
                now=now,
            )
        insert_event(cur, ticket_id, "question", actor, detail=detail, now=now)
    # What the staff group must see, in the same transaction: delivered (paced, in order) by the
    # delivery queue, or at once when there is none.
    kinds: tuple[str, ...] = ("header", "question") if decision.placement == "new" else ("followup",)
    if decision.placement == "new" and burst is not None and burst.threshold > 0:
        # A burst: while the group's backlog is long, the ticket waits as one line of a list message.
        cur.execute(
            "SELECT (SELECT COUNT(*) FROM staff_outbox WHERE status = 'pending' AND staff_chat_id = %s)"
            " AS pending,"
            " EXISTS (SELECT 1 FROM staff_list WHERE staff_chat_id = %s AND created_at > %s) AS listed",
            (staff_chat_id, staff_chat_id, now - burst.window),
        )
        load = cur.fetchone()
        if burst.lists(int(load["pending"]), bool(load["listed"])):
            kinds = ("list",)
    for kind in kinds:
        cur.execute(
            "INSERT INTO staff_outbox (ticket_id, kind, staff_chat_id, from_chat_id, private_message_id,"
            " created_at) VALUES (%s, %s, %s, %s, %s, %s)",
            (
                ticket_id,
                kind,
                staff_chat_id,
                None if kind == "header" else chat_id,
                None if kind == "header" else message_id,
                now,
            ),
        )
    if update_id is not None:
        _step(cur, update_id, f"placed:{decision.placement}", ticket_id, now)
    cur.execute(f"SELECT {TICKET_COLUMNS} FROM ticket WHERE id = %s", (ticket_id,))  # noqa: S608
    return Ticket.from_row(cur.fetchone())


def set_header(db: Database, ticket_id: int, message_id: int, thread_id: int | None) -> None:
    db.execute(
        "UPDATE ticket SET header_message_id = %s, message_thread_id = %s WHERE id = %s",
        (message_id, thread_id, ticket_id),
    )


def transition(
    db: Database,
    ticket: Ticket,
    to_status: Status,
    event: str,
    actor: Actor,
    *,
    detail: Mapping[str, Any] | None = None,
) -> bool:
    """Move the ticket from the status it was read with; False when someone changed it meanwhile."""
    now = utcnow()
    sets = ["status = %s"]
    args: list[Any] = [to_status.value]
    if event == "taken":
        sets += ["assigned_staff_id = %s", "assigned_staff_name = %s"]
        args += [actor.id, actor.name]
    if event == "answered":
        sets += ["first_answer_at = COALESCE(first_answer_at, %s)", "last_answer_at = %s"]
        args += [now, now]
        if ticket.assigned_staff_id is None:
            sets += ["assigned_staff_id = %s", "assigned_staff_name = %s"]
            args += [actor.id, actor.name]
    if to_status is Status.SELESAI:
        sets.append("closed_at = %s")
        args.append(now)
    with db.transaction() as cur:
        changed = cur.execute(
            f"UPDATE ticket SET {', '.join(sets)} WHERE id = %s AND status = %s",  # noqa: S608
            (*args, ticket.id, ticket.status.value),
        )
        if not changed:
            return False
        from_status = ticket.status if ticket.status is not to_status else None
        insert_event(
            cur,
            ticket.id,
            event,
            actor,
            from_status=from_status,
            to_status=to_status if from_status else None,
            detail=detail,
            now=now,
        )
    return True


def record_answer(
    db: Database,
    ticket_id: int,
    actor: Actor,
    *,
    update_id: int | None = None,
    detail: Mapping[str, Any] | None = None,
) -> Ticket | None:
    """Record a staff answer that has reached the employee, whatever happened to the ticket meanwhile.

    The ticket row is locked, so a close committing at the same time is seen, not overwritten: an open
    ticket becomes dijawab (the first answerer is assigned when nobody took it); a ticket closed after the
    answer was read keeps its status, and the answer is recorded all the same (its ``answered`` event and
    the answer times, so the report counts the first response). With ``update_id`` the answer is recorded
    once per update, in the same transaction. None when the ticket does not exist.
    """
    now = utcnow()
    with db.transaction() as cur:
        cur.execute(f"SELECT {TICKET_COLUMNS} FROM ticket WHERE id = %s FOR UPDATE", (ticket_id,))  # noqa: S608
        row = cur.fetchone()
        if row is None:
            return None
        ticket = Ticket.from_row(row)
        if update_id is not None:
            cur.execute(
                "SELECT 1 AS x FROM update_step WHERE update_id = %s AND step = 'answered'", (update_id,)
            )
            if cur.fetchone() is not None:
                return ticket  # an earlier attempt of this update recorded it
        sets = ["first_answer_at = COALESCE(first_answer_at, %s)", "last_answer_at = %s"]
        args: list[Any] = [now, now]
        from_status: Status | None = None
        extra: dict[str, Any] = dict(detail or {})
        if ticket.status is Status.SELESAI:
            extra["after_close"] = True
        else:
            sets.append("status = %s")
            args.append(Status.DIJAWAB.value)
            if ticket.status is not Status.DIJAWAB:
                from_status = ticket.status
            if ticket.assigned_staff_id is None:
                sets += ["assigned_staff_id = %s", "assigned_staff_name = %s"]
                args += [actor.id, actor.name]
        cur.execute(f"UPDATE ticket SET {', '.join(sets)} WHERE id = %s", (*args, ticket_id))  # noqa: S608
        insert_event(
            cur,
            ticket_id,
            "answered",
            actor,
            from_status=from_status,
            to_status=Status.DIJAWAB if from_status else None,
            detail=extra or None,
            now=now,
        )
        if update_id is not None:
            _step(cur, update_id, "answered", None, now)
        cur.execute(f"SELECT {TICKET_COLUMNS} FROM ticket WHERE id = %s", (ticket_id,))  # noqa: S608
        return Ticket.from_row(cur.fetchone())


def open_tickets(db: Database, staff_chat_id: int, limit: int = 30) -> list[Ticket]:
    rows = db.fetch_all(
        f"SELECT {TICKET_COLUMNS} FROM ticket WHERE status <> 'selesai' AND staff_chat_id = %s"  # noqa: S608
        " ORDER BY created_at, id LIMIT %s",
        (staff_chat_id, limit),
    )
    return [Ticket.from_row(r) for r in rows]


def latest_open_of(db: Database, nip: str) -> Ticket | None:
    row = db.fetch_one(
        f"SELECT {TICKET_COLUMNS} FROM ticket WHERE nip = %s AND status <> 'selesai'"  # noqa: S608
        " ORDER BY id DESC LIMIT 1",
        (nip,),
    )
    return Ticket.from_row(row) if row else None


def open_of(db: Database, nip: str) -> list[Ticket]:
    """The NIP's tickets that are not closed, oldest first."""
    rows = db.fetch_all(
        f"SELECT {TICKET_COLUMNS} FROM ticket WHERE nip = %s AND status <> 'selesai' ORDER BY id",  # noqa: S608
        (nip,),
    )
    return [Ticket.from_row(r) for r in rows]


def recent_questions(db: Database, actor_id: int, since: datetime) -> int:
    row = db.fetch_one(
        "SELECT COUNT(*) AS n FROM ticket_event WHERE actor_id = %s AND event IN ('opened', 'question')"
        " AND actor_type = 'pegawai' AND waktu > %s",
        (actor_id, since),
    )
    return int(row["n"]) if row else 0


def rate(db: Database, ticket_id: int, rating: int, actor: Actor) -> bool:
    """Store the rating once; False when the ticket is rated already or not closed."""
    with db.transaction() as cur:
        changed = cur.execute(
            "UPDATE ticket SET rating = %s, rated_at = %s WHERE id = %s AND rating IS NULL"
            " AND status = 'selesai'",
            (rating, utcnow(), ticket_id),
        )
        if changed:
            insert_event(cur, ticket_id, "rated", actor, detail={"rating": rating})
    return bool(changed)


def comment(db: Database, ticket_id: int, text: str, actor: Actor) -> bool:
    with db.transaction() as cur:
        changed = cur.execute(
            "UPDATE ticket SET rating_comment = %s WHERE id = %s AND rating_comment IS NULL",
            (text, ticket_id),
        )
        if changed:
            insert_event(cur, ticket_id, "commented", actor)
    return bool(changed)


def mark_blocked(db: Database, nip: str) -> None:
    db.execute("UPDATE pengguna SET bot_blocked_at = %s WHERE nip = %s", (utcnow(), nip))


def clear_blocked(db: Database, nip: str) -> None:
    db.execute(
        "UPDATE pengguna SET bot_blocked_at = NULL WHERE nip = %s AND bot_blocked_at IS NOT NULL", (nip,)
    )


def placed_by_update(db: Database, update_id: int) -> bool:
    """Whether an earlier attempt of this update placed its question already."""
    row = db.fetch_one(
        "SELECT 1 AS x FROM update_step WHERE update_id = %s AND step LIKE 'placed:%%'", (update_id,)
    )
    return row is not None


def instruction_given(db: Database, ticket_id: int) -> None:
    """The employee was told how to go on (reply, /selesai) with an answer of this ticket: not again."""
    db.execute(
        "UPDATE ticket SET instruction_sent_at = %s WHERE id = %s AND instruction_sent_at IS NULL",
        (utcnow(), ticket_id),
    )


def set_thread(db: Database, ticket_id: int, thread_id: int) -> None:
    db.execute("UPDATE ticket SET message_thread_id = %s WHERE id = %s", (thread_id, ticket_id))
