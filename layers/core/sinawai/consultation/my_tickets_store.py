"""What /tiketsaya reads from MySQL: an employee's tickets, the last answer of each, a ticket's exchange
(the employee's messages and the staff answers, with their text from the message log), and the first
answers of recent tickets (for the expected first-response time)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sinawai.consultation import history
from sinawai.consultation.store import TICKET_COLUMNS, Ticket
from sinawai.platform.db import Database, Row


@dataclass(frozen=True)
class ExchangeMessage:
    at: datetime
    from_staff: bool
    text: str | None  # None: no text (media without caption) or purged by retention
    media: str | None


def media_of(data: Any) -> str | None:
    if not data:
        return None
    extra = json.loads(data) if isinstance(data, str | bytes) else data
    media = extra.get("media") if isinstance(extra, dict) else None
    return str(media) if media else None


def tickets_of(
    db: Database, nip: str, limit: int, guest_account: int | None = None
) -> tuple[list[Ticket], int]:
    """The NIP's tickets (and the guest tickets asked from ``guest_account`` before it was registered),
    open ones first (latest first), then the closed ones (latest first); and how many there are in all."""
    where = "nip = %s OR guest_telegram_id = %s"
    rows = db.fetch_all(
        f"SELECT {TICKET_COLUMNS} FROM ticket WHERE {where}"  # noqa: S608
        " ORDER BY status = 'selesai', id DESC LIMIT %s",
        (nip, guest_account, limit),
    )
    total = db.fetch_one(f"SELECT COUNT(*) AS n FROM ticket WHERE {where}", (nip, guest_account))  # noqa: S608
    return [Ticket.from_row(r) for r in rows], int(total["n"]) if total else 0


def last_answers(
    db: Database, ticket_ids: Sequence[int], employee_chat: int | None = None
) -> dict[int, ExchangeMessage]:
    """The latest staff answer of each ticket that has one (as the employee read it: see ``exchange``)."""
    if not ticket_ids:
        return {}
    marks = ", ".join(["%s"] * len(ticket_ids))
    rows = db.fetch_all(
        "SELECT tm.ticket_id, tm.created_at, p.isi_pesan, p.data, o.isi_pesan AS sent_text"  # noqa: S608
        " FROM ticket_message tm JOIN ticket t ON t.id = tm.ticket_id"
        " LEFT JOIN pesan p ON p.direction = 'in' AND p.chat_id = tm.staff_chat_id"
        " AND p.id_pesan = tm.staff_message_id AND p.kind = 'message'"
        " LEFT JOIN pesan o ON o.direction = 'out' AND o.chat_id IN (t.chat_id, %s)"
        " AND o.id_pesan = tm.private_message_id AND o.kind = 'sendmessage'"
        f" WHERE tm.kind = 'answer' AND tm.ticket_id IN ({marks})"
        " ORDER BY tm.id",
        (employee_chat, *ticket_ids),
    )
    found: dict[int, ExchangeMessage] = {}
    for r in rows:  # the last one of each ticket wins
        ticket_id = int(r["ticket_id"])
        found[ticket_id] = ExchangeMessage(r["created_at"], True, *answer_text(ticket_id, r))
    return found


def exchange(db: Database, ticket: Ticket, employee_chat: int | None = None) -> list[ExchangeMessage]:
    """The ticket's messages in order: the employee's questions and the staff answers. A staff answer
    shows what the employee was sent (the logged message in their chat: the ticket's, or
    ``employee_chat``, the account bound to it now) when it was sent as one text (a canned topic, a
    template, a text reply), else the staff member's message (a copied photo or document)."""
    questions = db.fetch_all(
        "SELECT e.waktu, p.isi_pesan, p.data FROM ticket_event e"
        " LEFT JOIN pesan p ON p.direction = 'in' AND p.chat_id = e.actor_id AND p.kind = 'message'"
        " AND p.id_pesan = CAST(JSON_UNQUOTE(JSON_EXTRACT(e.detail, '$.message_id')) AS SIGNED)"
        " WHERE e.ticket_id = %s AND e.event IN ('opened', 'question') AND e.actor_type = 'pegawai'"
        " ORDER BY e.id",
        (ticket.id,),
    )
    answers = answer_rows(db, ticket, employee_chat)
    merged = [ExchangeMessage(r["waktu"], False, r["isi_pesan"], media_of(r["data"])) for r in questions]
    merged += [ExchangeMessage(r["created_at"], True, *answer_text(ticket.id, r)) for r in answers]
    return sorted(merged, key=lambda m: m.at)


def answer_rows(db: Database, ticket: Ticket, employee_chat: int | None) -> list[Row]:
    """The ticket's staff answers in order, each with the staff message (``isi_pesan``, ``data``, its
    sender ``id_pengirim``, ``pengirim``) and the text the employee was sent (``sent_text``, when the
    answer went as one text message)."""
    return db.fetch_all(
        "SELECT tm.created_at, p.isi_pesan, p.data, p.id_pengirim, p.pengirim, o.isi_pesan AS sent_text"
        " FROM ticket_message tm"
        " LEFT JOIN pesan p ON p.direction = 'in' AND p.chat_id = tm.staff_chat_id"
        " AND p.id_pesan = tm.staff_message_id AND p.kind = 'message'"
        " LEFT JOIN pesan o ON o.direction = 'out' AND o.chat_id IN (%s, %s)"
        " AND o.id_pesan = tm.private_message_id AND o.kind = 'sendmessage'"
        " WHERE tm.ticket_id = %s AND tm.kind = 'answer' ORDER BY tm.id",
        (ticket.chat_id, employee_chat if employee_chat is not None else ticket.chat_id, ticket.id),
    )


def answer_text(ticket_id: int, row: Row) -> tuple[str | None, str | None]:
    """(text, media) of a staff answer as the employee read it."""
    if row["sent_text"]:
        return history.sent_answer_body(str(row["sent_text"]), ticket_id), None
    return row["isi_pesan"], media_of(row["data"])


def first_answers_since(db: Database, since: datetime) -> list[tuple[datetime, datetime]]:
    """(opened, first answered) of the tickets opened since ``since`` that were answered."""
    rows = db.fetch_all(
        "SELECT created_at, first_answer_at FROM ticket"
        " WHERE created_at >= %s AND first_answer_at IS NOT NULL",
        (since,),
    )
    return [(r["created_at"], r["first_answer_at"]) for r in rows]
