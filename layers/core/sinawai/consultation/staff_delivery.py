"""Delivery into the OSDM staff group: the outbox of a ticket, posted in order and paced for all instances.

Telegram allows about 20 messages a minute into one group. Every post of the consultation relay that a
burst of questions can cause (a ticket's header, a copied question) is written to ``staff_outbox`` with the
ticket change; this module posts it: after taking a slot of the group's sliding window in MySQL (shared by
every instance), waiting out 429s in the HTTP layer, recording the staff message so replies map to the
ticket. ``STAFF_DELIVERY_QUEUE_URL`` set: the items go through the SQS FIFO queue (one message group per
ticket keeps a ticket's order) to the DeliveryFunction; unset, they are posted at once by the same code.

Metrics of the DeliveryFunction (EMF, service sinawai-delivery): StaffPostsDelivered, StaffPostsFailed
(attempts Telegram refused; SQS hands the item over again), StaffPostsGivenUp (after MAX_ATTEMPTS, reported
to the staff group).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Sequence
from typing import Any
from zoneinfo import ZoneInfo

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from telegram import Bot, ReplyParameters
from telegram.constants import ParseMode
from telegram.error import TelegramError

from sinawai.consultation import outbox, staff_list, staff_list_store, store, ticket_messages
from sinawai.consultation import texts as t
from sinawai.consultation.config import Pacing
from sinawai.consultation.keyboards import header_buttons, list_buttons
from sinawai.consultation.outbox import OutboxItem
from sinawai.consultation.store import Ticket
from sinawai.platform.db import Database
from sinawai.registration import employees
from sinawai.registration.employees import Employee
from sinawai.telegram.runtime import GroupFunction

MAX_ATTEMPTS = 5
STAFF_ROLES = ("staf", "admin")


def header_text(ticket: Ticket, employee: Employee | None, zone: ZoneInfo) -> str:
    if ticket.nip is None:
        # A guest: the Telegram name only, marked unverified; no NIP, no unit, no personal data.
        return t.guest_header(
            ticket.id,
            ticket.status,
            name=ticket.guest_name or "-",
            created_at=ticket.created_at,
            zone=zone,
            assigned=ticket.assigned_staff_name,
            area=ticket.area,
        )
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
        area=ticket.area,
    )


async def _slot(db: Database, staff_chat_id: int, pacing: Pacing) -> int:
    while True:
        slot, wait = outbox.take_send_slot(db, staff_chat_id, pacing.messages, pacing.window)
        if slot is not None:
            return slot
        await asyncio.sleep(wait)


async def deliver(bot: Bot, db: Database, item: OutboxItem, zone: ZoneInfo, pacing: Pacing) -> None:
    """Post one outbox item into the staff group (raises when Telegram refuses it)."""
    if item.kind == "list":
        await deliver_list(bot, db, item, pacing)
        return
    ticket = store.get(db, item.ticket_id)
    assert ticket is not None
    staff = item.staff_chat_id
    slot = await _slot(db, staff, pacing)
    if item.kind == "header":
        employee = employees.by_nip(db, ticket.nip) if ticket.nip is not None else None
        # A ticket taken from a burst's list: its header replies to the list (in the same topic only).
        lists = staff_list_store.lists_of_ticket(db, ticket.id) if ticket.message_thread_id is None else []
        sent = await bot.send_message(
            staff,
            header_text(ticket, employee, zone),
            parse_mode=ParseMode.HTML,
            reply_markup=header_buttons(ticket),
            message_thread_id=ticket.message_thread_id,
            reply_parameters=(
                ReplyParameters(lists[-1].staff_message_id, allow_sending_without_reply=True)
                if lists
                else None
            ),
        )
        outbox.send_slot_used(db, slot)
        posted = sent.message_id
        store.set_header(db, ticket.id, posted, ticket.message_thread_id)
        ticket_messages.map_message(db, ticket.id, staff, posted, "header")
    else:
        assert item.from_chat_id is not None
        assert item.private_message_id is not None
        # the header, or the notice in the area topic the ticket moved to (a reply cannot cross topics)
        header = ticket_messages.anchor(db, ticket)
        copied = await bot.copy_message(
            staff,
            from_chat_id=item.from_chat_id,
            message_id=item.private_message_id,
            message_thread_id=ticket.message_thread_id,
            reply_parameters=ReplyParameters(header, allow_sending_without_reply=True) if header else None,
        )
        outbox.send_slot_used(db, slot)
        posted = copied.message_id
        ticket_messages.map_message(db, ticket.id, staff, posted, item.kind, item.private_message_id)
    outbox.outbox_sent(db, item.id, posted)


async def deliver_list(bot: Bot, db: Database, item: OutboxItem, pacing: Pacing) -> None:
    """Post the group's waiting 'list' items as list messages until ``item`` is among those posted (each
    list takes the oldest waiting, up to what fits). Another delivery that posted it meanwhile: nothing
    to do. The group's list lock keeps two deliveries from listing the same ticket twice."""
    staff = item.staff_chat_id
    with staff_list_store.group_lock(db, staff):
        while (now := outbox.outbox_item(db, item.id)) is not None and now.status == "pending":
            slot = await _slot(db, staff, pacing)  # first: the tickets that came meanwhile join the list
            waiting = staff_list_store.waiting(db, staff, staff_list.MAX_TICKETS)
            entries = staff_list_store.entries_of_items(db, waiting)
            count = staff_list.fitting(entries)
            waiting, entries = waiting[:count], entries[:count]
            text, ids = staff_list.render(entries), staff_list.takeable_ids(entries)
            sent = await bot.send_message(
                staff, text, parse_mode=ParseMode.HTML, reply_markup=list_buttons(ids)
            )
            outbox.send_slot_used(db, slot)
            staff_list_store.record_posted(db, staff, sent.message_id, waiting, staff_list.digest(text, ids))


class DeliveryFailed(Exception):
    """Telegram refused ``item`` (the cause is chained), after ``posted`` earlier items went out."""

    def __init__(self, item: OutboxItem, reason: str, posted: int = 0) -> None:
        super().__init__(reason)
        self.item = item
        self.posted = posted


async def deliver_through(
    bot: Bot, db: Database, ticket_id: int, last_id: int | None, zone: ZoneInfo, pacing: Pacing
) -> int:
    """Post the ticket's pending items up to ``last_id`` (None: all), oldest first, holding the ticket's
    lock: a duplicate or early delivery of a later item never overtakes or repeats an earlier one. Returns
    how many were posted (a DeliveryFailed carries that count too)."""
    lock = f"sinawai-outbox-{ticket_id}"
    posted = 0
    db.fetch_one("SELECT GET_LOCK(%s, 60) AS locked", (lock,))
    try:
        for item in outbox.pending_outbox(db, ticket_id):
            if last_id is not None and item.id > last_id:
                break
            try:
                await deliver(bot, db, item, zone, pacing)
            except (TelegramError, OSError) as e:
                raise DeliveryFailed(item, str(e), posted) from e
            posted += 1
    finally:
        db.fetch_one("SELECT RELEASE_LOCK(%s) AS released", (lock,))
    return posted


async def deliver_pending(bot: Bot, db: Database, ticket_id: int, zone: ZoneInfo, pacing: Pacing) -> None:
    """Without a queue: post the ticket's pending items now, in order (raises what Telegram raised)."""
    try:
        await deliver_through(bot, db, ticket_id, None, zone, pacing)
    except DeliveryFailed as e:
        raise (e.__cause__ or e) from None


async def report_failure(bot: Bot, db: Database, item: OutboxItem) -> None:
    """An item given up after MAX_ATTEMPTS: the staff group hears of it (unpaced: it is rare)."""
    ticket = store.get(db, item.ticket_id)
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


# ---- the DeliveryFunction: a batch of outbox items from the SQS FIFO queue -------------------------------


async def deliver_batch(
    bot: Bot,
    db: Database,
    logger: Logger,
    zone: ZoneInfo,
    pacing: Pacing,
    records: list[dict[str, Any]],
    metrics: Metrics | None = None,
) -> list[str]:
    """Deliver the records in order; the ids of those SQS must hand over again.

    A ticket's records share a message group, so SQS hands them over in order and never two at once; each
    delivery also holds the ticket's lock and posts any earlier pending item first, so neither a duplicate
    nor an early record breaks the order. Within a batch, once an item fails, the later items of its ticket
    are reported failed too (``ReportBatchItemFailures``). An item that failed MAX_ATTEMPTS times is given
    up and reported to the staff group instead of blocking its ticket."""
    failed: list[str] = []
    blocked_groups: set[str] = set()
    delivered = refused = given_up = 0
    try:
        for record in records:
            group = str((record.get("attributes") or {}).get("MessageGroupId", ""))
            if group in blocked_groups:
                failed.append(record["messageId"])
                continue
            item = outbox.outbox_item(db, int(json.loads(record["body"])["outbox_id"]))
            if item is None or item.status != "pending":
                continue  # delivered (or given up) already: SQS delivers at least once
            try:
                delivered += await deliver_through(bot, db, item.ticket_id, item.id, zone, pacing)
            except DeliveryFailed as e:
                delivered += e.posted
                refused += 1
                reason = str(e)
                logger.warning("staff-group post failed", extra={"outbox_id": e.item.id, "reason": reason})
                if not outbox.outbox_attempt_failed(db, e.item.id, reason, MAX_ATTEMPTS):
                    blocked_groups.add(group)
                    failed.append(record["messageId"])
                    continue
                given_up += 1
                try:
                    await report_failure(bot, db, e.item)
                except TelegramError:
                    logger.exception("could not report an undelivered post to the staff group")
                if e.item.id != item.id:
                    failed.append(record["messageId"])  # its own turn comes when SQS hands it over again
    finally:
        if metrics is not None:
            metrics.add_metric("StaffPostsDelivered", MetricUnit.Count, delivered)
            metrics.add_metric("StaffPostsFailed", MetricUnit.Count, refused)
            metrics.add_metric("StaffPostsGivenUp", MetricUnit.Count, given_up)
    return failed


def entry_point(function: GroupFunction) -> Callable[[dict[str, Any], Any], dict[str, Any]]:
    """The DeliveryFunction's Lambda handler: an SQS batch in, the items SQS must hand over again out."""
    zone, pacing = ZoneInfo(function.settings.timezone), Pacing.from_env()

    def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        records = list(event.get("Records") or [])
        failed = function.run(
            lambda bot: deliver_batch(
                bot, function.db, function.logger, zone, pacing, records, function.metrics
            )
        )
        return {"batchItemFailures": [{"itemIdentifier": message_id} for message_id in failed]}

    return function.entry(lambda_handler)
