"""Tickets, their events and their staff-group messages in MySQL (the adapter of ``tickets``)."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from sinawai.consultation.tickets import Decision, Status, place_message
from sinawai.platform.clock import utcnow
from sinawai.platform.db import Database, Row
from sinawai.platform.errors import DuplicateKeyError
from sinawai.platform.updates import insert_step as _step

ActorType = Literal["pegawai", "staf", "sistem"]
MessageKind = Literal["header", "question", "followup", "answer", "notice"]

TICKET_COLUMNS = (
    "id, nip, chat_id, status, staff_chat_id, header_message_id, message_thread_id, assigned_staff_id,"
    " assigned_staff_name, created_at, first_answer_at, last_answer_at, closed_at, rating, rating_comment"
)


@dataclass(frozen=True)
class Actor:
    type: ActorType
    id: int | None
    name: str | None


SYSTEM = Actor("sistem", None, "Sinawai")


@dataclass(frozen=True)
class Ticket:
    id: int
    nip: str
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

    @classmethod
    def from_row(cls, row: Row) -> Ticket:
        return cls(
            id=int(row["id"]),
            nip=str(row["nip"]),
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
        )


def _event(
    cur: Any,
    ticket_id: int,
    event: str,
    actor: Actor,
    *,
    from_status: Status | None = None,
    to_status: Status | None = None,
    detail: Mapping[str, Any] | None = None,
    now: datetime | None = None,
) -> None:
    cur.execute(
        "INSERT INTO ticket_event (ticket_id, waktu, event, from_status, to_status, actor_type, actor_id,"
        " actor_name, detail) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
        (
            ticket_id,
            now or utcnow(),
            event,
            from_status.value if from_status else None,
            to_status.value if to_status else None,
            actor.type,
            actor.id,
            (actor.name or "")[:255] or None,
            json.dumps(detail, ensure_ascii=False) if detail else None,
        ),
    )


def add_event(
    db: Database, ticket_id: int, event: str, actor: Actor, *, detail: Mapping[str, Any] | None = None
) -> None:
    with db.transaction() as cur:
        _event(cur, ticket_id, event, actor, detail=detail)


def get(db: Database, ticket_id: int) -> Ticket | None:
    row = db.fetch_one(f"SELECT {TICKET_COLUMNS} FROM ticket WHERE id = %s", (ticket_id,))  # noqa: S608
    return Ticket.from_row(row) if row else None


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
) -> Placed:
    """Open a ticket or join/reopen the employee's open one, atomically per employee.

    With ``update_id`` the placement is recorded with it: a retry of the same update gets the first
    placement back (``closed_previous`` None) instead of placing the question a second time.
    """
    now = utcnow()
    closed_previous: int | None = None
    with db.transaction() as cur:
        # One employee's messages are placed one at a time: two at once never open two tickets.
        cur.execute("SELECT id FROM pengguna WHERE nip = %s FOR UPDATE", (nip,))
        if update_id is not None:
            cur.execute(
                "SELECT step, result FROM update_step WHERE update_id = %s AND step LIKE 'placed:%%'",
                (update_id,),
            )
            done = cur.fetchone()
            if done is not None:
                cur.execute(f"SELECT {TICKET_COLUMNS} FROM ticket WHERE id = %s", (done["result"],))  # noqa: S608
                ticket = Ticket.from_row(cur.fetchone())
                placement = str(done["step"]).partition(":")[2]
                return Placed(ticket, Decision(placement, ticket.status), None)  # type: ignore[arg-type]
        cur.execute(
            f"SELECT {TICKET_COLUMNS} FROM ticket WHERE nip = %s AND status <> 'selesai'"  # noqa: S608
            " ORDER BY id DESC LIMIT 1",
            (nip,),
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
                # A dijawab ticket whose reopen window has passed: the system closes it.
                cur.execute(
                    "UPDATE ticket SET status = 'selesai', closed_at = %s WHERE id = %s", (now, current.id)
                )
                _event(
                    cur, current.id, "closed", SYSTEM, from_status=current.status, to_status=Status.SELESAI
                )
                closed_previous = current.id
            cur.execute(
                "INSERT INTO ticket (nip, chat_id, status, staff_chat_id, created_at)"
                " VALUES (%s, %s, 'baru', %s, %s)",
                (nip, chat_id, staff_chat_id, now),
            )
            ticket_id = int(cur.lastrowid)
            _event(cur, ticket_id, "opened", actor, to_status=Status.BARU, detail=detail, now=now)
        else:
            assert current is not None
            ticket_id = current.id
            if decision.placement == "reopen":
                assert decision.status is not None
                cur.execute("UPDATE ticket SET status = %s WHERE id = %s", (decision.status.value, ticket_id))
                _event(
                    cur,
                    ticket_id,
                    "reopened",
                    actor,
                    from_status=current.status,
                    to_status=decision.status,
                    now=now,
                )
            _event(cur, ticket_id, "question", actor, detail=detail, now=now)
        # What the staff group must see, in the same transaction: delivered (paced, in order) by the
        # delivery queue, or at once when there is none.
        kinds = ("header", "question") if decision.placement == "new" else ("followup",)
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
        ticket = Ticket.from_row(cur.fetchone())
    return Placed(ticket, decision, closed_previous)


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
        _event(
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
    db: Database, ticket_id: int, actor: Actor, *, update_id: int | None = None
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
        detail: dict[str, Any] | None = None
        if ticket.status is Status.SELESAI:
            detail = {"after_close": True}
        else:
            sets.append("status = %s")
            args.append(Status.DIJAWAB.value)
            if ticket.status is not Status.DIJAWAB:
                from_status = ticket.status
            if ticket.assigned_staff_id is None:
                sets += ["assigned_staff_id = %s", "assigned_staff_name = %s"]
                args += [actor.id, actor.name]
        cur.execute(f"UPDATE ticket SET {', '.join(sets)} WHERE id = %s", (*args, ticket_id))  # noqa: S608
        _event(
            cur,
            ticket_id,
            "answered",
            actor,
            from_status=from_status,
            to_status=Status.DIJAWAB if from_status else None,
            detail=detail,
            now=now,
        )
        if update_id is not None:
            _step(cur, update_id, "answered", None, now)
        cur.execute(f"SELECT {TICKET_COLUMNS} FROM ticket WHERE id = %s", (ticket_id,))  # noqa: S608
        return Ticket.from_row(cur.fetchone())


def map_message(
    db: Database,
    ticket_id: int,
    staff_chat_id: int,
    staff_message_id: int,
    kind: MessageKind,
    private_message_id: int | None = None,
) -> None:
    with contextlib.suppress(DuplicateKeyError):  # a retry: the mapping is recorded already
        db.execute(
            "INSERT INTO ticket_message (ticket_id, staff_chat_id, staff_message_id, kind,"
            " private_message_id, created_at) VALUES (%s, %s, %s, %s, %s, %s)",
            (ticket_id, staff_chat_id, staff_message_id, kind, private_message_id, utcnow()),
        )


def ticket_of_staff_message(db: Database, staff_chat_id: int, staff_message_id: int) -> Ticket | None:
    row = db.fetch_one(
        "SELECT ticket_id FROM ticket_message WHERE staff_chat_id = %s AND staff_message_id = %s",
        (staff_chat_id, staff_message_id),
    )
    return get(db, int(row["ticket_id"])) if row else None


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
            _event(cur, ticket_id, "rated", actor, detail={"rating": rating})
    return bool(changed)


def comment(db: Database, ticket_id: int, text: str, actor: Actor) -> bool:
    with db.transaction() as cur:
        changed = cur.execute(
            "UPDATE ticket SET rating_comment = %s WHERE id = %s AND rating_comment IS NULL",
            (text, ticket_id),
        )
        if changed:
            _event(cur, ticket_id, "commented", actor)
    return bool(changed)


def mark_blocked(db: Database, nip: str) -> None:
    db.execute("UPDATE pengguna SET bot_blocked_at = %s WHERE nip = %s", (utcnow(), nip))


def clear_blocked(db: Database, nip: str) -> None:
    db.execute(
        "UPDATE pengguna SET bot_blocked_at = NULL WHERE nip = %s AND bot_blocked_at IS NOT NULL", (nip,)
    )


# ---- progress of one update (a Lambda retry resumes after the last completed step) ---------------------


# ---- automatic closing of tickets nobody follows up --------------------------------------------------

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
        _event(cur, ticket_id, NOTICE_EVENT, SYSTEM, detail={"to": recipient})
    return True


def release_notice(db: Database, ticket_id: int, recipient: Literal["pegawai", "staf"]) -> None:
    """A claimed notice could not be sent: the next sweep tries again."""
    db.execute(
        "DELETE FROM ticket_event WHERE ticket_id = %s AND event = %s AND JSON_VALUE(detail, '$.to') = %s",
        (ticket_id, NOTICE_EVENT, recipient),
    )


def placed_by_update(db: Database, update_id: int) -> bool:
    """Whether an earlier attempt of this update placed its question already."""
    row = db.fetch_one(
        "SELECT 1 AS x FROM update_step WHERE update_id = %s AND step LIKE 'placed:%%'", (update_id,)
    )
    return row is not None


# ---- the staff-group outbox and its pacing ---------------------------------------------------------------


@dataclass(frozen=True)
class OutboxItem:
    id: int
    ticket_id: int
    kind: Literal["header", "question", "followup"]
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


def set_thread(db: Database, ticket_id: int, thread_id: int) -> None:
    db.execute("UPDATE ticket SET message_thread_id = %s WHERE id = %s", (thread_id, ticket_id))
