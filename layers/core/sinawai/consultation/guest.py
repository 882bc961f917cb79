"""Guest questions: a Telegram account bound to no NIP (never registered, locked out, lost its password)
still reaches the staff. The same FAQ first; then a guest ticket that the staff group sees marked
"Belum terverifikasi" with the Telegram name only (no NIP, no unit, no personal data); a stricter rate
limit than an employee's (``CONSULTATION_GUEST_RATE_LIMIT_MESSAGES`` per
``CONSULTATION_GUEST_RATE_LIMIT_SECONDS``); staff answers relayed back as to an employee.

A guest ticket belongs to the account it was asked from, not to a NIP. When the guest registers later, the
ticket stays a guest ticket (nobody verified who asked it; the NIP's records do not take it in): answers
still reach the account, which is the same person; /selesai closes it and /tiketsaya lists it (marked as
a guest ticket) from that account; the employee's data-subject export and erasure include the guest
tickets asked from their accounts (privacy/store.py).

Several questions: a guest has one open guest ticket, and a later message joins it (said so, with how to
ask something else) rather than being offered the employee's choice (add to ticket #N or a new question).
A guest is unverified and rate limited to a few messages an hour; one ticket per guest keeps the staff's
unverified work in one place, and registering (/daftar) gives the full choice.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from datetime import timedelta

from telegram import Bot, Update
from telegram.constants import ChatType
from telegram.error import BadRequest

from sinawai.consultation import (
    faq_offers,
    forum_topics,
    guest_store,
    service,
    store,
    ticket_messages,
    tickets,
)
from sinawai.consultation import texts as t
from sinawai.consultation.deps import ACTING, Consultation, actor_of, say
from sinawai.consultation.keyboards import rating_buttons
from sinawai.consultation.store import Ticket
from sinawai.general import menu
from sinawai.platform import clock, service_records
from sinawai.registration import employees
from sinawai.registration.guards import active_employee

DEFAULT_GUEST_RATE_LIMIT_MESSAGES = 3
DEFAULT_GUEST_RATE_LIMIT_SECONDS = 3600


@dataclass(frozen=True)
class GuestLimits:
    messages: int
    window: timedelta

    @classmethod
    def from_env(cls) -> GuestLimits:
        messages = os.environ.get("CONSULTATION_GUEST_RATE_LIMIT_MESSAGES", "").strip()
        seconds = os.environ.get("CONSULTATION_GUEST_RATE_LIMIT_SECONDS", "").strip()
        return cls(
            int(messages) if messages else DEFAULT_GUEST_RATE_LIMIT_MESSAGES,
            timedelta(seconds=int(seconds) if seconds else DEFAULT_GUEST_RATE_LIMIT_SECONDS),
        )


@functools.cache
def limits() -> GuestLimits:
    """Read once per container, like the feature's other settings."""
    return GuestLimits.from_env()


def is_guest(c: Consultation, update: Update) -> bool:
    """A message in a private chat from an account bound to no NIP."""
    chat, user = update.effective_chat, update.effective_user
    if chat is None or user is None or chat.type != ChatType.PRIVATE:
        return False
    return employees.by_telegram(c.db, user.id) is None


def owns(ticket: Ticket, user_id: int | None) -> bool:
    """Whether the account is the guest who asked the (guest) ticket."""
    return ticket.is_guest and user_id is not None and ticket.guest_telegram_id == user_id


async def may_act(c: Consultation, update: Update, ticket: Ticket, *, alert: bool = False) -> bool:
    """Whether the sender may act on the ticket as its asker (rate it, comment, close it): the guest's own
    account for a guest ticket, the active employee bound to its NIP for an employee's; else told why not."""
    if not ticket.is_guest:
        return await active_employee(update, c.db, ACTING, nip=ticket.nip or "", alert=alert) is not None
    user = update.effective_user
    if owns(ticket, user.id if user else None):
        return True
    query = update.callback_query
    if alert and query is not None:
        await query.answer(t.RATING_NOT_AVAILABLE, show_alert=True)
    else:
        await say(update, t.RATING_NOT_AVAILABLE)
    return False


async def ask(c: Consultation, update: Update) -> None:
    """A guest's message: the notice the first time, the FAQ first when no guest ticket is open, else a
    guest ticket; refused politely when unsupported or over the guest rate limit."""
    message, user = update.effective_message, update.effective_user
    assert message is not None
    assert user is not None
    if message.text is None and not any(getattr(message, kind) for kind in service.SUPPORTED_MEDIA):
        await say(update, t.UNSUPPORTED_MEDIA)
        return
    if c.staff_group is None:
        c.logger.error("STAFF_GROUP_CHAT_ID is not set: a guest question cannot be forwarded")
        await say(update, menu.SERVICE_NOT_READY_ALERT)
        return
    retried = store.placed_by_update(c.db, update.update_id)
    limit = limits()
    if not retried and tickets.rate_limited(
        store.recent_questions(c.db, user.id, clock.utcnow() - limit.window), limit.messages
    ):
        minutes = max(1, int(limit.window.total_seconds() // 60))
        await say(update, t.GUEST_RATE_LIMITED.format(limit=limit.messages, minutes=minutes))
        return
    if not retried and not guest_store.has_asked_before(c.db, user.id, message.chat_id):
        await c.once(update, "guest_notice", lambda: _notice(update))
    no_ticket = not retried and guest_store.latest_open_of_guest(c.db, user.id) is None
    if no_ticket and message.text and await faq_offers.offer(c, update, None, message.text):
        return
    ticket = await open_guest_ticket(c, update, message.message_id)
    service_records.link_ticket(c.db, update.update_id, ticket.id)


async def _create_topic(c: Consultation, bot: Bot, staff: int, ticket_id: int, name: str) -> int | None:
    """A forum topic for the guest ticket; None when the staff group is not a forum."""
    try:
        topic = await bot.create_forum_topic(staff, f"Tiket #{ticket_id} · {name}"[:128])
    except BadRequest as e:
        c.logger.warning("no forum topic for the guest ticket", extra={"reason": e.message})
        return None
    return topic.message_thread_id


async def _notice(update: Update) -> int:
    return (await say(update, t.GUEST_NOTICE)).message_id


async def open_guest_ticket(c: Consultation, update: Update, question_message_id: int) -> Ticket:
    """Place the guest's question (a new guest ticket, or their open one), post it, acknowledge it."""
    chat, user = update.effective_chat, update.effective_user
    assert chat is not None
    assert user is not None
    staff = c.staff_group
    assert staff is not None
    placed = guest_store.place_guest_question(
        c.db,
        telegram_id=user.id,
        guest_name=user.full_name,
        chat_id=chat.id,
        staff_chat_id=staff,
        actor=actor_of(update, "pegawai"),
        reopen_window=c.settings.reopen_window,
        message_id=question_message_id,
        update_id=update.update_id,
        burst=c.settings.burst,
    )
    ticket, placement = placed.ticket, placed.decision.placement
    bot = update.get_bot()
    if placement == "new" and c.settings.forum_topics and ticket.message_thread_id is None:
        name = f"{t.GUEST_LABEL}: {user.full_name}"
        thread_id = await c.once(update, "topic", lambda: _create_topic(c, bot, staff, ticket.id, name))
        if thread_id is not None:
            store.set_thread(c.db, ticket.id, thread_id)
            # any staff message in the ticket's topic answers it (as for an employee's ticket)
            ticket_messages.map_message(c.db, ticket.id, staff, thread_id, "notice")
    elif placement == "new" and c.settings.forum_topics_by_area and ticket.message_thread_id is None:
        # one topic per area: a guest's ticket goes into its area's topic (umum, unless staff move it)
        area_thread = await c.once(
            update, "topic", lambda: forum_topics.topic_for_area(c, bot, staff, ticket.area)
        )
        if area_thread is not None:
            store.set_thread(c.db, ticket.id, area_thread)
    await service.hand_over(c, bot, ticket.id)
    if placement == "reopen":
        await service.refresh_header(c, bot, ticket.id)
    opening, zone = service.next_opening_if_closed(c), c.settings.zone
    if placement == "new":
        earlier = (
            t.previous_closed(placed.closed_previous, int(c.settings.reopen_window.total_seconds() // 3600))
            if placed.closed_previous
            else ""
        )
        await say(update, earlier + t.guest_acknowledgement(ticket.id, opening, zone))
    else:
        await say(update, t.guest_added_to_ticket(ticket.id, placement == "reopen", opening, zone))
    return ticket


def open_of_account(c: Consultation, user_id: int) -> list[Ticket]:
    """The open guest tickets asked from this account (before it was registered), oldest first."""
    return guest_store.open_of_guest(c.db, user_id)


async def finish(c: Consultation, update: Update) -> bool:
    """/selesai from a guest: their open guest ticket is closed and they are asked to rate it (True when
    the sender is a guest, whatever happened)."""
    user = update.effective_user
    if user is None or not is_guest(c, update):
        return False
    ticket = guest_store.latest_open_of_guest(c.db, user.id)
    if ticket is None:
        await say(update, t.GUEST_NOTHING_TO_CLOSE)
        return True
    error = await service.close(c, update, ticket, actor_of(update, "pegawai"))
    if error is not None:
        await say(update, error)
        return True
    await say(update, t.CLOSED_BY_YOU.format(id=ticket.id), rating_buttons(ticket.id))
    return True
