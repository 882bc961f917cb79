"""What the information and document services record for the evaluation report (migration 0006/0007).

``content_view``: every menu or topic shown; ``document_send``: every document sent; ``faq_offer``: every
free-text question answered with FAQ topics first, and what the employee chose. Times are UTC.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sinawai.platform.clock import utcnow
from sinawai.platform.db import Database, Row
from sinawai.platform.errors import DuplicateKeyError

Via = Literal["command", "button", "faq"]
SendMethod = Literal["upload", "file_id", "link"]
Outcome = Literal["menunggu", "terjawab", "diteruskan", "tanpa_kecocokan"]


def record_view(db: Database, chat_id: int, area: str, topic_id: str | None, via: Via) -> None:
    db.execute(
        "INSERT INTO content_view (chat_id, area, topic_id, via, viewed_at) VALUES (%s, %s, %s, %s, %s)",
        (chat_id, area[:32], topic_id[:64] if topic_id else None, via, utcnow()),
    )


def topics_viewed_since(db: Database, chat_id: int, since: datetime) -> set[str]:
    """The topics shown in a chat since ``since`` (UTC), by menu or as FAQ answers."""
    rows = db.fetch_all(
        "SELECT DISTINCT topic_id FROM content_view WHERE viewed_at >= %s AND chat_id = %s"
        " AND topic_id IS NOT NULL",
        (since, chat_id),
    )
    return {str(row["topic_id"]) for row in rows}


def record_document_send(
    db: Database, document_id: int, category: str, chat_id: int, nip: str | None, method: SendMethod
) -> None:
    db.execute(
        "INSERT INTO document_send (document_id, category, chat_id, nip, method, sent_at)"
        " VALUES (%s, %s, %s, %s, %s, %s)",
        (str(document_id), category, chat_id, nip, method, utcnow()),
    )


@dataclass(frozen=True)
class FaqOffer:
    id: int
    chat_id: int
    nip: str | None
    question: str | None
    topic_ids: tuple[str, ...]
    outcome: Outcome
    ticket_id: int | None
    question_message_id: int | None
    offer_message_id: int | None
    offered_at: datetime

    @classmethod
    def from_row(cls, row: Row) -> FaqOffer:
        topics = json.loads(row["topic_ids"]) if row["topic_ids"] else []
        return cls(
            id=int(row["id"]),
            chat_id=int(row["chat_id"]),
            nip=row["nip"],
            question=row["question"],
            topic_ids=tuple(str(t) for t in topics),
            outcome=row["outcome"],
            ticket_id=row["ticket_id"],
            question_message_id=row["question_message_id"],
            offer_message_id=row["offer_message_id"],
            offered_at=row["offered_at"],
        )


_OFFER_COLUMNS = (
    "id, chat_id, nip, question, topic_ids, outcome, ticket_id, question_message_id, offer_message_id,"
    " offered_at"
)


def record_offer(
    db: Database,
    *,
    chat_id: int,
    nip: str | None,
    question: str,
    topic_ids: Sequence[str],
    best_score: float | None,
    question_message_id: int,
    update_id: int,
    outcome: Outcome = "menunggu",
) -> FaqOffer:
    """Record an offer (or, for a retried update, return the one it recorded already)."""
    now = utcnow()
    with contextlib.suppress(DuplicateKeyError):  # a retried update: its offer is recorded already
        db.execute(
            "INSERT INTO faq_offer (chat_id, nip, question, topic_ids, best_score, outcome, offered_at,"
            " decided_at, question_message_id, update_id) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
            (
                chat_id,
                nip,
                question,
                json.dumps(list(topic_ids)),
                None if best_score is None else min(100.0, max(0.0, best_score)),
                outcome,
                now,
                None if outcome == "menunggu" else now,
                question_message_id,
                update_id,
            ),
        )
    row = db.fetch_one(f"SELECT {_OFFER_COLUMNS} FROM faq_offer WHERE update_id = %s", (update_id,))  # noqa: S608
    assert row is not None
    return FaqOffer.from_row(row)


def offer(db: Database, offer_id: int) -> FaqOffer | None:
    row = db.fetch_one(f"SELECT {_OFFER_COLUMNS} FROM faq_offer WHERE id = %s", (offer_id,))  # noqa: S608
    return FaqOffer.from_row(row) if row else None


def set_offer_message(db: Database, offer_id: int, message_id: int) -> None:
    db.execute("UPDATE faq_offer SET offer_message_id = %s WHERE id = %s", (message_id, offer_id))


def decide(db: Database, offer_id: int, outcome: Outcome) -> bool:
    """Record the employee's choice once: False when the offer was decided already."""
    return (
        db.execute(
            "UPDATE faq_offer SET outcome = %s, decided_at = %s WHERE id = %s AND outcome = 'menunggu'",
            (outcome, utcnow(), offer_id),
        )
        == 1
    )


def set_ticket(db: Database, offer_id: int, ticket_id: int) -> None:
    db.execute("UPDATE faq_offer SET ticket_id = %s WHERE id = %s", (ticket_id, offer_id))


def link_ticket(db: Database, update_id: int, ticket_id: int) -> None:
    """The ticket opened for the question of ``update_id`` (an offer without a good match names it)."""
    db.execute(
        "UPDATE faq_offer SET ticket_id = %s WHERE update_id = %s AND ticket_id IS NULL",
        (ticket_id, update_id),
    )
