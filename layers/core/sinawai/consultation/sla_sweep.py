"""Service-target reminders in the staff group: a ticket waiting for its first answer longer than the
target (in working hours) is raised once, as a reply to its header (the 15-minute sweep); and each working
morning the list of what is overdue (its own schedule). Nothing goes out outside working hours.

Each reminder is claimed as a ``sla_reminded`` ticket event before it is sent, and the claim dropped when
Telegram refuses it: two sweeps at once raise a ticket once, and a failed reminder is raised by the next one.
The morning list is claimed per group and day likewise.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from telegram import Bot, ReplyParameters
from telegram.constants import ParseMode
from telegram.error import TelegramError

from sinawai.consultation import handover_store, sla, ticket_messages
from sinawai.consultation import texts as t
from sinawai.consultation.deps import Consultation

MORNING_LIST_TASK = "sla-morning-list"
MAX_LISTED = 40  # the morning list stays well inside one message


def is_morning_list(event: dict[str, Any]) -> bool:
    """The morning list's schedule (EventBridge Scheduler, with its Input)."""
    return event.get("source") == "sinawai.scheduler" and event.get("task") == MORNING_LIST_TASK


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


async def remind_overdue(c: Consultation, bot: Bot, now: datetime) -> list[int]:
    """Raise each overdue ticket not raised before; the ids raised."""
    target = c.settings.sla_reminder_hours
    staff = c.staff_group
    hours = c.settings.hours
    if target <= 0 or staff is None or not sla.may_remind(now, hours):
        return []
    raised = []
    for ticket, reminded in handover_store.waiting_for_first_answer(c.db, staff):
        created = _aware(ticket.created_at)
        if reminded or not sla.overdue(ticket.status, None, created, now, hours, target):
            continue
        waited = sla.waited_working_hours(created, now, hours)
        if not handover_store.claim_reminder(c.db, ticket.id, waited, ticket.area):
            continue
        text = t.reminder(
            ticket.id,
            sla.waited_text(waited),
            sla.target_text(target),
            ticket.area,
            ticket.assigned_staff_name,
        )
        header = ticket_messages.anchor(c.db, ticket)  # the header, or its notice in the area moved to
        try:
            await bot.send_message(
                ticket.staff_chat_id,
                text,
                parse_mode=ParseMode.HTML,
                message_thread_id=ticket.message_thread_id,
                reply_parameters=ReplyParameters(header, allow_sending_without_reply=True)
                if header
                else None,
            )
        except TelegramError:
            handover_store.release_reminder(c.db, ticket.id)
            c.logger.exception(
                "service-target reminder not sent; the next sweep retries", extra={"ticket": ticket.id}
            )
            continue
        raised.append(ticket.id)
    if raised:
        c.logger.info("service-target reminders", extra={"tickets": raised})
    return raised


async def morning_list(c: Consultation, bot: Bot, now: datetime) -> dict[str, Any]:
    """The day's list of overdue tickets, once per working day (nothing on a day off, nothing when none
    is overdue)."""
    target = c.settings.sla_reminder_hours
    staff = c.staff_group
    hours = c.settings.hours
    if target <= 0 or staff is None:
        return {"status": "skipped", "reason": "off"}
    if not sla.morning_list_day(now, hours):
        return {"status": "skipped", "reason": "not a working day"}
    rows = []
    for ticket, _ in handover_store.waiting_for_first_answer(c.db, staff):
        created = _aware(ticket.created_at)
        if sla.overdue(ticket.status, None, created, now, hours, target):
            waited = sla.waited_working_hours(created, now, hours)
            rows.append((ticket.id, sla.waited_text(waited), ticket.area, ticket.assigned_staff_name))
    if not rows:
        return {"status": "done", "overdue": []}
    day = now.astimezone(hours.zone).date()
    if not handover_store.claim_morning_list(c.db, staff, day):
        return {"status": "skipped", "reason": "sent already"}
    text = t.morning_list(rows[:MAX_LISTED], sla.target_text(target))
    if len(rows) > MAX_LISTED:
        text += f"\n… dan {len(rows) - MAX_LISTED} tiket lain; ketik /tiket untuk semuanya."
    try:
        await bot.send_message(staff, text, parse_mode=ParseMode.HTML)
    except TelegramError:
        handover_store.release_morning_list(c.db, staff, day)
        raise
    return {"status": "done", "overdue": [row[0] for row in rows]}
