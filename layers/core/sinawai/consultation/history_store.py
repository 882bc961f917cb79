"""What ``/riwayat`` and ``/cari_tiket`` read from MySQL: a ticket's whole exchange (the employee's
messages, the staff answers as sent, the internal notes, with who wrote them) and the group's tickets that
match a search."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sinawai.consultation import history, my_tickets_store
from sinawai.consultation.history import Search
from sinawai.consultation.store import TICKET_COLUMNS, Ticket
from sinawai.platform.db import Database

Role = Literal["pegawai", "staf", "catatan"]

# The employee's messages: the 'opened' and 'question' events name them (message_id in the sender's chat).
_QUESTION_JOIN = (
    " JOIN pesan p ON p.direction = 'in' AND p.chat_id = e.actor_id AND p.kind = 'message'"
    " AND p.id_pesan = CAST(JSON_UNQUOTE(JSON_EXTRACT(e.detail, '$.message_id')) AS SIGNED)"
)


@dataclass(frozen=True)
class Entry:
    at: datetime
    role: Role
    by_id: int | None  # the staff member's Telegram id (staf, catatan)
    by_name: str | None  # their Telegram name, as logged
    text: str | None  # None: no text (media without caption) or purged by retention
    media: str | None


def entries(db: Database, ticket: Ticket, employee_chat: int | None) -> list[Entry]:
    """The ticket's exchange in order, notes included."""
    found = [
        Entry(m.at, "pegawai", None, None, m.text, m.media)
        for m in my_tickets_store.exchange(db, ticket, employee_chat)
        if not m.from_staff
    ]
    for r in my_tickets_store.answer_rows(db, ticket, employee_chat):
        text, media = my_tickets_store.answer_text(ticket.id, r)
        by_id, by_name = r["id_pengirim"], r["pengirim"]
        if by_id is None:  # sent from a confirmation (a bot message): the answered event says who
            by_id, by_name = _answerer(db, ticket.id, r["created_at"])
        found.append(Entry(r["created_at"], "staf", by_id, by_name, text, media))
    notes = db.fetch_all(
        "SELECT tm.created_at, p.isi_pesan, p.data, p.id_pengirim, p.pengirim FROM ticket_message tm"
        " LEFT JOIN pesan p ON p.direction = 'in' AND p.chat_id = tm.staff_chat_id"
        " AND p.id_pesan = tm.staff_message_id AND p.kind = 'message'"
        " WHERE tm.ticket_id = %s AND tm.kind = 'note' ORDER BY tm.id",
        (ticket.id,),
    )
    found += [
        Entry(
            r["created_at"],
            "catatan",
            r["id_pengirim"],
            r["pengirim"],
            history.note_text(r["isi_pesan"]),
            my_tickets_store.media_of(r["data"]),
        )
        for r in notes
    ]
    return sorted(found, key=lambda e: e.at)


def _answerer(db: Database, ticket_id: int, at: datetime) -> tuple[int | None, str | None]:
    row = db.fetch_one(
        "SELECT actor_id, actor_name FROM ticket_event WHERE ticket_id = %s"
        " AND event IN ('answered', 'undeliverable') AND actor_type = 'staf' AND waktu >= %s"
        " ORDER BY waktu, id LIMIT 1",
        (ticket_id, at),
    )
    return (None, None) if row is None else (row["actor_id"], row["actor_name"])


def search(db: Database, staff_chat_id: int, since: datetime, what: Search) -> list[Ticket]:
    """The group's tickets opened since ``since`` that match, the latest first (SEARCH_LIMIT at most)."""
    args: list[object] = [staff_chat_id, since]
    if what.digits is not None:
        matches = ["t.id = %s", "t.nip = %s"]
        args += [int(what.digits), what.digits]
        if len(what.digits) >= history.NIP_SUFFIX_MIN:
            matches.append("t.nip LIKE %s")
            args.append(history.like_pattern(what.digits, suffix=True))
        condition = "(" + " OR ".join(matches) + ")"
    else:
        # every word in the employee's messages (any of them); a guest's too
        condition = " AND ".join(
            "EXISTS (SELECT 1 FROM ticket_event e" + _QUESTION_JOIN + " WHERE e.ticket_id = t.id"  # noqa: S608
            " AND e.event IN ('opened', 'question') AND p.isi_pesan LIKE %s)"
            for _ in what.words
        )
        args += [history.like_pattern(w) for w in what.words]
    rows = db.fetch_all(
        f"SELECT {', '.join('t.' + c.strip() for c in TICKET_COLUMNS.split(','))} FROM ticket t"  # noqa: S608
        f" WHERE t.staff_chat_id = %s AND t.created_at >= %s AND {condition}"
        " ORDER BY t.id DESC LIMIT %s",
        (*args, history.SEARCH_LIMIT),
    )
    return [Ticket.from_row(r) for r in rows]


def first_question(db: Database, ticket_id: int) -> str | None:
    """The text the ticket opened with (None: media, or purged)."""
    row = db.fetch_one(
        "SELECT p.isi_pesan FROM ticket_event e" + _QUESTION_JOIN + " WHERE e.ticket_id = %s"  # noqa: S608
        " AND e.event IN ('opened', 'question') ORDER BY e.id LIMIT 1",
        (ticket_id,),
    )
    return None if row is None or row["isi_pesan"] is None else str(row["isi_pesan"])
