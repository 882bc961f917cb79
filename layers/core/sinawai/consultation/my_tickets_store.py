"""What /tiketsaya reads from MySQL: an employee's tickets, the last answer of each, a ticket's exchange
(the employee's messages and the staff answers, with their text from the message log), and the first
answers of recent tickets (for the expected first-response time)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sinawai.consultation.store import TICKET_COLUMNS, Ticket
from sinawai.platform.db import Database


@dataclass(frozen=True)
class ExchangeMessage:
    at: datetime
    from_staff: bool
    text: str | None  # None: no text (media without caption) or purged by retention
    media: str | None


def _media(data: Any) -> str | None:
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


def last_answers(db: Database, ticket_ids: Sequence[int]) -> dict[int, ExchangeMessage]:
    """The latest staff answer of each ticket that has one."""
    if not ticket_ids:
        return {}
    marks = ", ".join(["%s"] * len(ticket_ids))
    rows = db.fetch_all(
        "SELECT tm.ticket_id, tm.created_at, p.isi_pesan, p.data FROM ticket_message tm"  # noqa: S608
        " LEFT JOIN pesan p ON p.direction = 'in' AND p.chat_id = tm.staff_chat_id"
        " AND p.id_pesan = tm.staff_message_id AND p.kind = 'message'"
        f" WHERE tm.kind = 'answer' AND tm.ticket_id IN ({marks})"
        " ORDER BY tm.id",
        tuple(ticket_ids),
    )
    found: dict[int, ExchangeMessage] = {}
    for r in rows:  # the last one of each ticket wins
        found[int(r["ticket_id"])] = ExchangeMessage(r["created_at"], True, r["isi_pesan"], _media(r["data"]))
    return found


def exchange(db: Database, ticket: Ticket) -> list[ExchangeMessage]:
    """The ticket's messages in order: the employee's questions and the staff answers."""
    questions = db.fetch_all(
        "SELECT e.waktu, p.isi_pesan, p.data FROM ticket_event e"
        " LEFT JOIN pesan p ON p.direction = 'in' AND p.chat_id = e.actor_id AND p.kind = 'message'"
        " AND p.id_pesan = CAST(JSON_UNQUOTE(JSON_EXTRACT(e.detail, '$.message_id')) AS SIGNED)"
        " WHERE e.ticket_id = %s AND e.event IN ('opened', 'question') AND e.actor_type = 'pegawai'"
        " ORDER BY e.id",
        (ticket.id,),
    )
    answers = db.fetch_all(
        "SELECT tm.created_at, p.isi_pesan, p.data FROM ticket_message tm"
        " LEFT JOIN pesan p ON p.direction = 'in' AND p.chat_id = tm.staff_chat_id"
        " AND p.id_pesan = tm.staff_message_id AND p.kind = 'message'"
        " WHERE tm.ticket_id = %s AND tm.kind = 'answer' ORDER BY tm.id",
        (ticket.id,),
    )
    merged = [ExchangeMessage(r["waktu"], False, r["isi_pesan"], _media(r["data"])) for r in questions]
    merged += [ExchangeMessage(r["created_at"], True, r["isi_pesan"], _media(r["data"])) for r in answers]
    return sorted(merged, key=lambda m: m.at)


def first_answers_since(db: Database, since: datetime) -> list[tuple[datetime, datetime]]:
    """(opened, first answered) of the tickets opened since ``since`` that were answered."""
    rows = db.fetch_all(
        "SELECT created_at, first_answer_at FROM ticket"
        " WHERE created_at >= %s AND first_answer_at IS NOT NULL",
        (since,),
    )
    return [(r["created_at"], r["first_answer_at"]) for r in rows]
