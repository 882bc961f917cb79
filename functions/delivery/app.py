"""DeliveryFunction: posts the staff-group outbox from the SQS FIFO queue, paced and in order per ticket.

Each record names one outbox item. A ticket's records share a message group, so SQS hands them over in
order and never two at once; each delivery also holds the ticket's lock and posts any earlier pending item
first, so neither a duplicate nor an early record breaks the order. Within a batch, once an item fails,
the later items of its ticket are reported failed too (``ReportBatchItemFailures``). An item that failed
MAX_ATTEMPTS times is given up and reported to the staff group instead of blocking its ticket.
"""

import json
from typing import Any
from zoneinfo import ZoneInfo

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext
from telegram import Bot
from telegram.error import TelegramError

from sinawai.consultation import staff_delivery
from sinawai.consultation import store as tickets_db
from sinawai.consultation.staff_delivery import MAX_ATTEMPTS, DeliveryFailed, Pacing
from sinawai.router.commands import CONSULTATION
from sinawai.telegram.runtime import GroupFunction

function = GroupFunction(CONSULTATION, lambda app: None, logger=Logger(service="sinawai-delivery"))
PACING = Pacing.from_env()
ZONE = ZoneInfo(function.settings.timezone)


async def deliver_batch(bot: Bot, records: list[dict[str, Any]]) -> list[str]:
    """Deliver the records in order; the ids of those SQS must hand over again."""
    db = function.db
    failed: list[str] = []
    blocked_groups: set[str] = set()
    for record in records:
        group = str((record.get("attributes") or {}).get("MessageGroupId", ""))
        if group in blocked_groups:
            failed.append(record["messageId"])
            continue
        item = tickets_db.outbox_item(db, int(json.loads(record["body"])["outbox_id"]))
        if item is None or item.status != "pending":
            continue  # delivered (or given up) already: SQS delivers at least once
        try:
            await staff_delivery.deliver_through(bot, db, item.ticket_id, item.id, ZONE, PACING)
        except DeliveryFailed as e:
            reason = str(e)
            function.logger.warning(
                "staff-group post failed", extra={"outbox_id": e.item.id, "reason": reason}
            )
            if not tickets_db.outbox_attempt_failed(db, e.item.id, reason, MAX_ATTEMPTS):
                blocked_groups.add(group)
                failed.append(record["messageId"])
                continue
            try:
                await staff_delivery.report_failure(bot, db, e.item)
            except TelegramError:
                function.logger.exception("could not report an undelivered post to the staff group")
            if e.item.id != item.id:
                failed.append(record["messageId"])  # its own turn comes when SQS hands it over again
    return failed


@function.logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    failed = function.run(lambda bot: deliver_batch(bot, list(event.get("Records") or [])))
    return {"batchItemFailures": [{"itemIdentifier": message_id} for message_id in failed]}
