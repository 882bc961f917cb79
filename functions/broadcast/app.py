"""BroadcastFunction: sends an announcement to every registered employee, chunk by chunk from the queue.

Each SQS record names an announcement and up to 25 recipients. All broadcasts share one FIFO message group,
so SQS hands them to one sender at a time, and the sender keeps under BROADCAST_MESSAGES_PER_SECOND (25,
under Telegram's 30/s). 403 marks a recipient blocked, 400 failed; a 429 is waited out by the HTTP layer.
A record that still fails is reported (``ReportBatchItemFailures``) and comes back: it resumes with the
recipients still pending. When nothing is pending any more, the staff group gets the delivery summary once.
"""

import json
import os
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext
from telegram import Bot

from sinawai.information import announcements
from sinawai.information.announcements import Pacer
from sinawai.router.commands import INFORMATION
from sinawai.telegram.runtime import GroupFunction

function = GroupFunction(INFORMATION, lambda app: None, logger=Logger(service="sinawai-broadcast"))
RATE = float(
    os.environ.get("BROADCAST_MESSAGES_PER_SECOND", "").strip() or announcements.DEFAULT_MESSAGES_PER_SECOND
)


async def deliver_batch(bot: Bot, records: list[dict[str, Any]]) -> list[str]:
    """Deliver each record's chunk in order; the ids of the records SQS must hand over again."""
    db = function.db
    pacer = Pacer(RATE)
    failed: list[str] = []
    for record in records:
        if failed:
            failed.append(record["messageId"])  # one message group: keep the order behind a failure
            continue
        body = json.loads(record["body"])
        item = announcements.get(db, int(body["announcement_id"]))
        if item is None:
            continue
        try:
            await announcements.deliver(bot, db, item, [int(c) for c in body.get("chat_ids") or []], pacer)
            await announcements.send_summary_if_done(bot, db, item)
        except Exception:
            function.logger.exception("broadcast chunk failed; SQS hands it over again")
            failed.append(record["messageId"])
    return failed


@function.logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    failed = function.run(lambda bot: deliver_batch(bot, list(event.get("Records") or [])))
    return {"batchItemFailures": [{"itemIdentifier": message_id} for message_id in failed]}
