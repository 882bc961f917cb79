"""The consultation's schedule: answered tickets nobody follows up close by themselves (with their notices),
and staff-group posts whose hand-over to the delivery queue was lost are handed over again.

Metrics of a sweep (EMF, service sinawai-consultation): StaffDeliveryBacklogMinutes (how long the oldest
post for the staff group has been waiting, measured first), TicketsAutoClosed, AutoCloseNoticesSent (to the
employees), StaleStaffPostsResent (tickets whose posts were handed over again), ServiceTargetReminders
(tickets raised in the staff group for waiting past the service target: sla_sweep.py).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from telegram import Bot, ReplyParameters
from telegram.constants import ParseMode
from telegram.error import Forbidden, TelegramError

from sinawai.consultation import auto_close_store, outbox, service, sla_sweep, store, tickets
from sinawai.consultation import texts as t
from sinawai.consultation.deps import Consultation, consultation_of
from sinawai.consultation.keyboards import rating_buttons
from sinawai.consultation.ticket_events import SYSTEM, add_event
from sinawai.platform import clock
from sinawai.telegram.runtime import GroupFunction

# A post still pending this long after its ticket change lost its hand-over to the queue (SQS keeps a
# message for days and the DeliveryFunction retries it; only a missing enqueue leaves a row this old).
STALE_OUTBOX_MINUTES = 10


def is_scheduled(event: dict[str, Any]) -> bool:
    """The EventBridge schedule's event (Telegram updates come from the router as {"update": ...})."""
    return event.get("source") == "aws.events" and event.get("detail-type") == "Scheduled Event"


def entry_point(function: GroupFunction) -> Callable[[dict[str, Any], Any], dict[str, Any]]:
    """The ConsultationFunction's Lambda handler: a Telegram update from the router goes to the handlers,
    the schedule's event runs the sweep."""

    def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        if sla_sweep.is_morning_list(event):
            if function.settings.staff_group_chat_id is None:
                return {"status": "skipped", "reason": "STAFF_GROUP_CHAT_ID is not set"}
            now = clock.utcnow().replace(tzinfo=UTC)
            c = consultation_of(function)
            return function.run(lambda bot: sla_sweep.morning_list(c, bot, now))
        if is_scheduled(event):
            if function.settings.staff_group_chat_id is None:
                # Not configured yet: without a staff group no ticket was answered and no post is pending;
                # a failure here would only fill the dead-letter queue.
                function.logger.warning("STAFF_GROUP_CHAT_ID is not set: the consultation sweep is skipped")
                return {"status": "skipped", "reason": "STAFF_GROUP_CHAT_ID is not set"}
            now = clock.utcnow().replace(tzinfo=UTC)
            c = consultation_of(function)
            backlog = delivery_backlog_minutes(c, now)
            function.metrics.add_metric("StaffDeliveryBacklogMinutes", MetricUnit.NoUnit, backlog)
            counts = Counter[str]()
            result = function.run(lambda bot: scheduled_sweep(c, bot, now, counts))
            function.metrics.add_metric("TicketsAutoClosed", MetricUnit.Count, len(result["closed"]))
            function.metrics.add_metric("AutoCloseNoticesSent", MetricUnit.Count, counts["notified"])
            function.metrics.add_metric("StaleStaffPostsResent", MetricUnit.Count, len(result["resent"]))
            function.metrics.add_metric("ServiceTargetReminders", MetricUnit.Count, len(result["reminded"]))
            return result
        return function.handle(event, context)

    return function.entry(lambda_handler)


def delivery_backlog_minutes(c: Consultation, now: datetime) -> float:
    """How long the oldest post still waiting for the staff group has waited, in minutes (0: none waits).
    Measured before this sweep hands stale posts over again: the alarm is about delivery, not the sweep."""
    oldest = outbox.oldest_pending_since(c.db)
    if oldest is None:
        return 0.0
    waited = now.astimezone(UTC).replace(tzinfo=None) - oldest
    return round(max(0.0, waited.total_seconds() / 60), 1)


async def scheduled_sweep(
    c: Consultation, bot: Bot, now: datetime, counts: Counter[str] | None = None
) -> dict[str, Any]:
    """Close idle answered tickets, re-send posts whose hand-over was lost, raise tickets past the service
    target."""
    result = await auto_close(c, bot, now, counts)
    result["resent"] = await resend_stale_outbox(c, bot, now)
    try:
        result["reminded"] = await sla_sweep.remind_overdue(c, bot, now)
    except Exception:  # the reminders must not undo what the sweep did; the next run tries again
        c.logger.exception("service-target reminders failed")
        result["reminded"] = []
    return result


async def auto_close(
    c: Consultation, bot: Bot, now: datetime, counts: Counter[str] | None = None
) -> dict[str, Any]:
    """Close every answered ticket idle for the configured working days, then send the notices.

    Each notice is claimed as a ticket event before it is sent (and the claim dropped when Telegram fails):
    running the sweep again, or twice at once, closes nothing twice and sends no notice twice, and a
    notice that failed is sent by the next run. ``counts["notified"]`` adds the notices the employees got.
    """
    db = c.db
    days = c.settings.auto_close_working_days
    closed = []
    for item in auto_close_store.auto_close_candidates(db, tickets.AUTO_CLOSE_STATUSES):
        last = item.last_activity.replace(tzinfo=UTC)
        due = tickets.auto_close_due(item.ticket.status, last, now, c.settings.hours, days)
        if due and auto_close_store.close_automatically(db, item.ticket, days):
            closed.append(item.ticket.id)
    notified = 0
    for ticket in auto_close_store.unnoticed_auto_closes(db, "pegawai"):
        if not auto_close_store.claim_notice(db, ticket.id, "pegawai"):
            continue
        to_chat = service.recipient(c, ticket)
        if to_chat is None:
            # Nobody is bound to the NIP: nothing goes to the account the ticket was asked from.
            add_event(db, ticket.id, "undeliverable", SYSTEM, detail={"reason": "unbound"})
            continue
        try:
            await bot.send_message(
                to_chat,
                t.AUTO_CLOSED_FOR_EMPLOYEE.format(id=ticket.id, days=days),
                parse_mode=ParseMode.HTML,
                reply_markup=rating_buttons(ticket.id),
            )
        except Forbidden as e:
            if ticket.nip is not None:  # a guest has no employee row to mark
                store.mark_blocked(db, ticket.nip)
            add_event(db, ticket.id, "undeliverable", SYSTEM, detail={"reason": e.message})
            continue
        except TelegramError:
            auto_close_store.release_notice(db, ticket.id, "pegawai")
            c.logger.exception("auto-close notice to the employee not sent; the next run retries")
            continue
        notified += 1
    for ticket in auto_close_store.unnoticed_auto_closes(db, "staf"):
        if not auto_close_store.claim_notice(db, ticket.id, "staf"):
            continue
        try:
            await service.refresh_header(c, bot, ticket.id)
            if ticket.header_message_id is not None:
                await bot.send_message(
                    ticket.staff_chat_id,
                    t.AUTO_CLOSED_FOR_STAFF.format(id=ticket.id, days=days),
                    message_thread_id=ticket.message_thread_id,
                    reply_parameters=ReplyParameters(
                        ticket.header_message_id, allow_sending_without_reply=True
                    ),
                )
        except TelegramError:
            auto_close_store.release_notice(db, ticket.id, "staf")
            c.logger.exception("auto-close note to the staff group not sent; the next run retries")
    c.logger.info("auto-close sweep", extra={"closed": closed, "notified": notified})
    if counts is not None:
        counts["notified"] += notified
    return {"status": "done", "closed": closed}


async def resend_stale_outbox(c: Consultation, bot: Bot, now: datetime) -> list[int]:
    """Hand the stale pending posts of each ticket to the queue again (or post them now without one).

    The FIFO queue deduplicates by outbox item and the delivery skips what is no longer pending, so a post
    whose first hand-over did arrive after all is still posted once."""
    before = now.astimezone(UTC).replace(tzinfo=None) - timedelta(minutes=STALE_OUTBOX_MINUTES)
    resent = []
    for ticket_id in outbox.tickets_with_stale_outbox(c.db, before):
        try:
            await service.hand_over(c, bot, ticket_id)
        except Exception:  # one ticket's failure must not stop the others; the next run tries again
            c.logger.exception("stale staff-group posts not handed over", extra={"ticket": ticket_id})
            continue
        resent.append(ticket_id)
    if resent:
        c.logger.warning("stale staff-group posts handed over again", extra={"tickets": resent})
    return resent
