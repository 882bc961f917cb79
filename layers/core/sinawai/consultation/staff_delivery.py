"""Delivery into the OSDM staff group: the outbox of a ticket, posted in order and paced for all instances.

Telegram allows about 20 messages a minute into one group. Every post of the consultation relay that a
burst of questions can cause (a ticket's header, a copied question) is written to ``staff_outbox`` with the
ticket change; this module posts it: after taking a slot of the group's sliding window in MySQL (shared by
every instance), waiting out 429s in the HTTP layer, recording the staff message so replies map to the
ticket. ``STAFF_DELIVERY_QUEUE_URL`` set: the items go through the SQS FIFO queue (one message group per
ticket keeps a ticket's order) to the DeliveryFunction; unset, they are posted at once by the same code.
"""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, ReplyParameters
from telegram.constants import ParseMode
from telegram.error import TelegramError

from sinawai.consultation import store as tickets_db
from sinawai.consultation import texts as t
from sinawai.consultation.store import OutboxItem, Ticket
from sinawai.platform.db import Database
from sinawai.registration import employees
from sinawai.registration.employees import Employee
from sinawai.router.commands import CONSULTATION

DEFAULT_MESSAGES_PER_MINUTE = 20
MAX_ATTEMPTS = 5
# Slots are counted when the bot sends; Telegram counts when a post arrives: a little slack between them.
WINDOW_SLACK = 1.05
STAFF_ROLES = ("staf", "admin")


@dataclass(frozen=True)
class Pacing:
    messages: int
    window: timedelta

    @classmethod
    def from_env(cls) -> Pacing:
        messages = os.environ.get("STAFF_GROUP_MESSAGES_PER_MINUTE", "").strip()
        seconds = os.environ.get("STAFF_GROUP_WINDOW_SECONDS", "").strip()
        return cls(
            int(messages) if messages else DEFAULT_MESSAGES_PER_MINUTE,
            timedelta(seconds=float(seconds) if seconds else 60.0) * WINDOW_SLACK,
        )


def ticket_buttons(ticket_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton("🙋 Ambil", callback_data=f"{CONSULTATION}:ambil:{ticket_id}"),
                InlineKeyboardButton("✅ Tutup", callback_data=f"{CONSULTATION}:tutup:{ticket_id}"),
            ]
        ]
    )


def header_text(ticket: Ticket, employee: Employee | None, zone: ZoneInfo) -> str:
    row = employee.row if employee else {}
    return t.header(
        ticket.id,
        ticket.status,
        nama=employee.nama if employee else "-",
        unit=row.get("unit_kerja"),
        nip=ticket.nip,
        created_at=ticket.created_at,
        zone=zone,
        assigned=ticket.assigned_staff_name,
        # the owner may be in the staff group: the header says the ticket is for another staff member
        staff_owned=employee is not None and employee.role in STAFF_ROLES,
    )


async def _slot(db: Database, staff_chat_id: int, pacing: Pacing) -> int:
    while True:
        slot, wait = tickets_db.take_send_slot(db, staff_chat_id, pacing.messages, pacing.window)
        if slot is not None:
            return slot
        await asyncio.sleep(wait)


async def deliver(bot: Bot, db: Database, item: OutboxItem, zone: ZoneInfo, pacing: Pacing) -> None:
    """Post one outbox item into the staff group (raises when Telegram refuses it)."""
    ticket = tickets_db.get(db, item.ticket_id)
    assert ticket is not None
    staff = item.staff_chat_id
    slot = await _slot(db, staff, pacing)
    if item.kind == "header":
        employee = employees.by_nip(db, ticket.nip)
        sent = await bot.send_message(
            staff,
            header_text(ticket, employee, zone),
            parse_mode=ParseMode.HTML,
            reply_markup=None if ticket.closed_at else ticket_buttons(ticket.id),
            message_thread_id=ticket.message_thread_id,
        )
        tickets_db.send_slot_used(db, slot)
        posted = sent.message_id
        tickets_db.set_header(db, ticket.id, posted, ticket.message_thread_id)
        tickets_db.map_message(db, ticket.id, staff, posted, "header")
    else:
        assert item.from_chat_id is not None
        assert item.private_message_id is not None
        header = ticket.header_message_id
        copied = await bot.copy_message(
            staff,
            from_chat_id=item.from_chat_id,
            message_id=item.private_message_id,
            message_thread_id=ticket.message_thread_id,
            reply_parameters=ReplyParameters(header, allow_sending_without_reply=True) if header else None,
        )
        tickets_db.send_slot_used(db, slot)
        posted = copied.message_id
        tickets_db.map_message(db, ticket.id, staff, posted, item.kind, item.private_message_id)
    tickets_db.outbox_sent(db, item.id, posted)


class DeliveryFailed(Exception):
    """Telegram refused ``item`` (the cause is chained)."""

    def __init__(self, item: OutboxItem, reason: str) -> None:
        super().__init__(reason)
        self.item = item


async def deliver_through(
    bot: Bot, db: Database, ticket_id: int, last_id: int | None, zone: ZoneInfo, pacing: Pacing
) -> None:
    """Post the ticket's pending items up to ``last_id`` (None: all), oldest first, holding the ticket's
    lock: a duplicate or early delivery of a later item never overtakes or repeats an earlier one."""
    lock = f"sinawai-outbox-{ticket_id}"
    db.fetch_one("SELECT GET_LOCK(%s, 60) AS locked", (lock,))
    try:
        for item in tickets_db.pending_outbox(db, ticket_id):
            if last_id is not None and item.id > last_id:
                break
            try:
                await deliver(bot, db, item, zone, pacing)
            except (TelegramError, OSError) as e:
                raise DeliveryFailed(item, str(e)) from e
    finally:
        db.fetch_one("SELECT RELEASE_LOCK(%s) AS released", (lock,))


async def deliver_pending(bot: Bot, db: Database, ticket_id: int, zone: ZoneInfo, pacing: Pacing) -> None:
    """Without a queue: post the ticket's pending items now, in order (raises what Telegram raised)."""
    try:
        await deliver_through(bot, db, ticket_id, None, zone, pacing)
    except DeliveryFailed as e:
        raise (e.__cause__ or e) from None


async def report_failure(bot: Bot, db: Database, item: OutboxItem) -> None:
    """An item given up after MAX_ATTEMPTS: the staff group hears of it (unpaced: it is rare)."""
    ticket = tickets_db.get(db, item.ticket_id)
    assert ticket is not None
    await bot.send_message(
        item.staff_chat_id,
        t.UNDELIVERED_TO_STAFF.format(id=ticket.id, attempts=MAX_ATTEMPTS),
        parse_mode=ParseMode.HTML,
        message_thread_id=ticket.message_thread_id,
    )


def enqueue(queue_url: str, items: Sequence[OutboxItem], sqs: Any = None) -> None:
    """Hand items to the FIFO queue: one message group per ticket, deduplicated by item."""
    if not items:
        return
    if sqs is None:
        import boto3  # only the functions that enqueue pay for boto3

        sqs = boto3.client("sqs")
    for start in range(0, len(items), 10):
        batch = items[start : start + 10]
        result = sqs.send_message_batch(
            QueueUrl=queue_url,
            Entries=[
                {
                    "Id": str(item.id),
                    "MessageBody": json.dumps({"outbox_id": item.id}),
                    "MessageGroupId": f"ticket-{item.ticket_id}",
                    "MessageDeduplicationId": f"outbox-{item.id}",
                }
                for item in batch
            ],
        )
        if result.get("Failed"):
            raise RuntimeError(f"SQS refused outbox items: {result['Failed']}")
