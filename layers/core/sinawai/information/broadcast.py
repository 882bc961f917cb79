"""The broadcast of an announcement to every registered employee, paced under Telegram's limits.

The pending ``announcement_delivery`` rows are sent in chunks through the SQS FIFO queue
(``BROADCAST_QUEUE_URL``): all broadcasts share one message group, so SQS hands them to one sender at a
time (the BroadcastFunction, ``handle_batch``), which keeps under ``BROADCAST_MESSAGES_PER_SECOND`` (25,
under Telegram's 30/s). Without a queue (a local run) they are sent at once by the same code; on one
server (``sinawai serve``, ``BROADCAST_IN_BACKGROUND=true``) the pending rows are the queue: the server's
loop sends them a chunk at a time between updates (``send_next_chunk``), so nobody's reply waits for a
whole broadcast. 403 marks a
recipient blocked, 400 failed; a 429 is waited out by the HTTP layer. A chunk that still fails is reported
(``ReportBatchItemFailures``) and comes back: it resumes with the recipients still pending, so nobody gets
the announcement twice. When nothing is pending any more, the staff group gets the delivery summary once.

Metrics (EMF, service sinawai-broadcast): BroadcastMessagesSent, BroadcastMessagesBlocked,
BroadcastMessagesFailed (recipients), BroadcastChunksRetried (chunks handed back to SQS), BroadcastsCompleted
(summaries sent).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import time
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from telegram import Bot
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden

from sinawai.information import announcements
from sinawai.information.announcements import Announcement
from sinawai.platform.db import Database
from sinawai.telegram.runtime import GroupFunction

CHUNK = 25
BACKGROUND_ENV = "BROADCAST_IN_BACKGROUND"
DEFAULT_MESSAGES_PER_SECOND = 25.0  # under Telegram's ~30/s, leaving room for the interactive replies


def queue_url() -> str:
    """The FIFO queue broadcasts go through; empty: sent at once (a local run)."""
    return os.environ.get("BROADCAST_QUEUE_URL", "").strip()


def in_background() -> bool:
    """One server: a started broadcast is left pending for the server's loop (``send_next_chunk``)."""
    return os.environ.get(BACKGROUND_ENV, "").strip().lower() == "true"


def messages_per_second() -> float:
    return float(os.environ.get("BROADCAST_MESSAGES_PER_SECOND", "").strip() or DEFAULT_MESSAGES_PER_SECOND)


class Pacer:
    """At most ``per_second`` sends per second from this sender (the FIFO queue allows one sender)."""

    def __init__(self, per_second: float) -> None:
        self.interval = 1.0 / per_second
        self._next = 0.0

    async def wait(self) -> None:
        now = time.monotonic()
        if self._next > now:
            await asyncio.sleep(self._next - now)
        self._next = max(now, self._next) + self.interval


async def deliver(
    bot: Bot,
    db: Database,
    announcement: Announcement,
    chat_ids: Sequence[int] | None,
    pacer: Pacer,
    outcomes: Counter[str] | None = None,
) -> None:
    """Send to the still-pending recipients among ``chat_ids`` (None: all); 403 → blocked, 400 → failed.
    Each recipient's outcome is counted in ``outcomes`` ("sent", "blocked", "failed").

    Other errors (a 429 the HTTP layer could not wait out, the network) propagate: the chunk is handed over
    again and resumes here with what is still pending.
    """
    counted = outcomes if outcomes is not None else Counter[str]()
    text = announcements.broadcast_text(announcement)
    for chat_id in announcements.pending(db, announcement.id, chat_ids):
        await pacer.wait()
        try:
            await bot.send_message(chat_id, text, parse_mode=ParseMode.HTML)
        except Forbidden as e:
            announcements.mark(db, announcement.id, chat_id, "blocked", e.message)
            counted["blocked"] += 1
            continue
        except BadRequest as e:
            announcements.mark(db, announcement.id, chat_id, "failed", e.message)
            counted["failed"] += 1
            continue
        announcements.mark(db, announcement.id, chat_id, "sent")
        counted["sent"] += 1


async def send_summary_if_done(bot: Bot, db: Database, announcement: Announcement) -> bool:
    if not announcements.claim_summary(db, announcement.id):
        return False
    try:
        await bot.send_message(
            announcement.staff_chat_id,
            announcements.summary_text(announcement.id, announcements.counts(db, announcement.id)),
            parse_mode=ParseMode.HTML,
        )
    except Exception:
        announcements.release_summary(db, announcement.id)
        raise
    return True


def enqueue(queue_url: str, announcement_id: int, chat_ids: Sequence[int], sqs: Any = None) -> int:
    """Hand the recipients to the FIFO queue in chunks; returns the number of queue messages."""
    if sqs is None:
        import boto3

        sqs = boto3.client("sqs")
    chunks = [list(chat_ids[i : i + CHUNK]) for i in range(0, len(chat_ids), CHUNK)] or [[]]
    entries = [
        {
            "Id": str(n),
            "MessageBody": json.dumps({"announcement_id": announcement_id, "chat_ids": chunk}),
            # one group for all broadcasts: one sender at a time, so the pace holds for the whole bot
            "MessageGroupId": "broadcast",
            # the same recipients handed over twice (a retried hand-over) are one message
            "MessageDeduplicationId": hashlib.sha256(
                f"{announcement_id}:{','.join(map(str, chunk))}".encode()
            ).hexdigest(),
        }
        for n, chunk in enumerate(chunks)
    ]
    for start in range(0, len(entries), 10):
        result = sqs.send_message_batch(QueueUrl=queue_url, Entries=entries[start : start + 10])
        if result.get("Failed"):
            raise RuntimeError(f"SQS refused broadcast chunks: {result['Failed']}")
    return len(entries)


async def send_out(bot: Bot, db: Database, announcement: Announcement) -> None:
    """A broadcast just started: hand its recipients to the queue, or (no queue) send to them now."""
    url = queue_url()
    if url:
        enqueue(url, announcement.id, announcements.pending(db, announcement.id))
        return
    if in_background():
        return  # its pending rows are durable in MySQL: the server's loop sends them
    await deliver(bot, db, announcement, None, Pacer(messages_per_second()))
    await send_summary_if_done(bot, db, announcement)


async def send_next_chunk(bot: Bot, db: Database, pacer: Pacer, size: int = CHUNK) -> bool:
    """The oldest broadcast with recipients still pending: up to ``size`` of them sent (paced), and the
    summary once none is left. False when no broadcast has anyone pending."""
    found = announcements.next_pending(db, size)
    if found is None:
        return False
    announcement_id, chat_ids = found
    item = announcements.get(db, announcement_id)
    if item is None:
        return False
    await deliver(bot, db, item, chat_ids, pacer)
    await send_summary_if_done(bot, db, item)
    return True


def hand_over_again(db: Database, announcement: Announcement) -> None:
    """A broadcast started earlier, whose hand-over to the queue may have been cut short: hand the rest
    over again (the sender skips whoever has it already, and FIFO deduplication drops repeats)."""
    url = queue_url()
    left = announcements.pending(db, announcement.id)
    if url and left:
        enqueue(url, announcement.id, left)


async def deliver_batch(bot: Bot, function: GroupFunction, records: list[dict[str, Any]]) -> list[str]:
    """Deliver each record's chunk in order; the ids of the records SQS must hand over again."""
    db = function.db
    pacer = Pacer(messages_per_second())
    failed: list[str] = []
    outcomes = Counter[str]()
    completed = 0
    try:
        for record in records:
            if failed:
                failed.append(record["messageId"])  # one message group: keep the order behind a failure
                continue
            body = json.loads(record["body"])
            item = announcements.get(db, int(body["announcement_id"]))
            if item is None:
                continue
            try:
                await deliver(bot, db, item, [int(c) for c in body.get("chat_ids") or []], pacer, outcomes)
                completed += await send_summary_if_done(bot, db, item)
            except Exception:
                function.logger.exception("broadcast chunk failed; SQS hands it over again")
                failed.append(record["messageId"])
    finally:
        add = function.metrics.add_metric
        add("BroadcastMessagesSent", MetricUnit.Count, outcomes["sent"])
        add("BroadcastMessagesBlocked", MetricUnit.Count, outcomes["blocked"])
        add("BroadcastMessagesFailed", MetricUnit.Count, outcomes["failed"])
        add("BroadcastChunksRetried", MetricUnit.Count, len(failed))
        add("BroadcastsCompleted", MetricUnit.Count, completed)
    return failed


def handle_batch(function: GroupFunction, event: dict[str, Any]) -> dict[str, Any]:
    """The BroadcastFunction's SQS batch: the records to hand over again (``ReportBatchItemFailures``)."""
    failed = function.run(lambda bot: deliver_batch(bot, function, list(event.get("Records") or [])))
    return {"batchItemFailures": [{"itemIdentifier": message_id} for message_id in failed]}


def entry_point(function: GroupFunction) -> Callable[[dict[str, Any], Any], dict[str, Any]]:
    """The BroadcastFunction's Lambda handler: ``handle_batch`` with logs, metrics and traces around it."""

    def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        return handle_batch(function, event)

    return function.entry(lambda_handler)
