"""Knowing where one's questions stand: ``/tiketsaya`` (the employee's tickets, open first, each with its
status, its age in working hours and the last answer; a ticket opens to its exchange, paged), the notice
that a staff member took a ticket ("sedang ditangani"), and the expected first-response time that a new
ticket's acknowledgement gives (the median of the last 30 days, in working hours, or nothing when fewer
than ``response_time.MIN_ANSWERED`` tickets were answered). A ticket belongs to its NIP: only the employee
bound to it now sees it; a guest ticket belongs to the account it was asked from, which sees it (marked)
once registered."""

from __future__ import annotations

import html
from datetime import UTC, datetime

from telegram import Bot, InlineKeyboardMarkup, Message, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden

from sinawai.common.numbers import parse_int
from sinawai.common.text_limits import MAX_MESSAGE_UTF16, cut_utf16, utf16_len, visible_text
from sinawai.consultation import choice_store, choices, guest, my_tickets_store, response_time, store
from sinawai.consultation import texts as t
from sinawai.consultation.deps import ACTING, Consultation, say
from sinawai.consultation.keyboards import exchange_buttons, my_tickets_buttons
from sinawai.consultation.my_tickets_store import ExchangeMessage
from sinawai.consultation.store import Ticket
from sinawai.consultation.tickets import Status
from sinawai.platform import clock
from sinawai.registration.guards import Refusals, active_employee
from sinawai.telegram.ui import not_modified

LISTED = 10  # tickets in the list: every open one first, then the latest closed ones
EXCERPT_UTF16 = 100
# Room for an exchange page: Telegram's limit, less the head, the page line and a margin.
PAGE_UTF16 = MAX_MESSAGE_UTF16 - 600
ENTRY_UTF16 = 1500  # one long message is cut to this on its page
VIEWING = Refusals(not_registered=t.MY_TICKETS_NOT_REGISTERED, inactive=t.INACTIVE_ACTION)


def _aware(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def age_text(c: Consultation, ticket: Ticket, now: datetime) -> str:
    """How long the ticket has been open, in working time ("3 jam 30 menit")."""
    end = ticket.closed_at or now
    worked = c.settings.hours.working_time_between(_aware(ticket.created_at), _aware(end))
    return response_time.working_duration_text(worked)


def _body(message: ExchangeMessage, limit: int) -> str:
    """A message of the exchange as escaped HTML: its text (or caption) and what media it carried."""
    label = t.MEDIA_LABELS.get(message.media or "", message.media or "")
    if message.text is None and not label:
        return html.escape(t.CONTENT_GONE)
    text = cut_utf16(message.text or "", limit)
    shown = f"[{label}] {text}".strip() if label else text
    return html.escape(shown)


# ---- /tiketsaya --------------------------------------------------------------------------------------------


def list_text(c: Consultation, nip: str, account: int | None = None) -> tuple[str, list[int]]:
    """The list and the tickets it names (their buttons); with ``account``, the guest tickets asked from it
    before it was registered too (marked)."""
    now = clock.utcnow()
    listed, total = my_tickets_store.tickets_of(c.db, nip, LISTED, account)
    if not listed:
        return t.MY_TICKETS_EMPTY, []
    last_answers = my_tickets_store.last_answers(c.db, [x.id for x in listed], account)
    rows = []
    for ticket in listed:
        answer = last_answers.get(ticket.id)
        excerpt = (
            html.escape(choices.excerpt(answer.text, EXCERPT_UTF16))
            if answer is not None and answer.text
            else (_body(answer, EXCERPT_UTF16) if answer is not None else None)
        )
        rows.append(
            t.my_ticket_row(
                ticket.id,
                ticket.status,
                age_text(c, ticket, now),
                ticket.closed_at if ticket.status is Status.SELESAI else None,
                excerpt,
                c.settings.zone,
                guest=ticket.is_guest,
            )
        )
    return t.my_tickets(rows, total - len(listed)), [x.id for x in listed]


async def show_list(c: Consultation, update: Update) -> None:
    """/tiketsaya or the menu's Tiket Saya button: the list as a new message; "Daftar tiket" under an
    exchange: the list in its place."""
    query = update.callback_query
    employee = await active_employee(update, c.db, VIEWING, alert=query is not None)
    if employee is None:
        return
    text, ids = list_text(c, employee.nip, employee.telegram_id)
    markup = my_tickets_buttons(ids)
    if query is None:
        await say(update, text, markup)
        return
    await query.answer()
    shown = query.message.text if isinstance(query.message, Message) else None
    if shown is not None and _is_exchange(shown):
        await _edit(update, text, markup)
    else:
        await say(update, text, markup)


def _is_exchange(shown: str) -> bool:
    return shown.startswith("Tiket #")


async def _edit(update: Update, text: str, markup: InlineKeyboardMarkup) -> None:
    query = update.callback_query
    assert query is not None
    try:
        await query.edit_message_text(
            text,
            parse_mode=ParseMode.HTML,
            reply_markup=markup,
            disable_web_page_preview=True,
        )
    except BadRequest as e:
        if not not_modified(e):
            raise


# ---- one ticket's exchange ---------------------------------------------------------------------------------


def pages_of(c: Consultation, ticket: Ticket, employee_chat: int | None = None) -> list[list[str]]:
    """The exchange's entries (escaped HTML), packed into pages that fit a message."""
    zone = c.settings.zone
    entries = [
        t.exchange_entry(m.from_staff, m.at, zone, _body(m, ENTRY_UTF16))
        for m in my_tickets_store.exchange(c.db, ticket, employee_chat)
    ]
    pages: list[list[str]] = [[]]
    used = 0
    for entry in entries:
        size = utf16_len(visible_text(entry)) + 2
        if pages[-1] and used + size > PAGE_UTF16:
            pages.append([])
            used = 0
        pages[-1].append(entry)
        used += size
    return pages


async def show_ticket(c: Consultation, update: Update, raw_ticket: str, raw_page: str) -> None:
    """A ticket button of the list, or a page button: the ticket's exchange, in place."""
    query = update.callback_query
    assert query is not None
    ticket_id = parse_int(raw_ticket)
    ticket = store.get(c.db, ticket_id) if ticket_id is not None else None
    employee = await active_employee(update, c.db, ACTING, alert=True)
    if employee is None:
        return
    asked_as_guest = ticket is not None and guest.owns(ticket, employee.telegram_id)
    if ticket is None or (ticket.nip != employee.nip and not asked_as_guest):
        await query.answer(t.MY_TICKETS_NOT_FOUND, show_alert=True)
        return
    pages = pages_of(c, ticket, employee.telegram_id)
    page = min(parse_int(raw_page, maximum=999) or 0, len(pages) - 1)
    head = t.exchange_head(
        ticket.id,
        ticket.status,
        ticket.created_at,
        age_text(c, ticket, clock.utcnow()),
        c.settings.zone,
        page,
        len(pages),
        guest=ticket.is_guest,
    )
    body = "\n\n".join(pages[page]) or t.EXCHANGE_EMPTY
    await query.answer()
    await _edit(update, f"{head}\n\n{body}", exchange_buttons(ticket.id, page, len(pages)))


# ---- the employee told: taken, and how long the first answer usually takes ---------------------------------


async def notify_taken(c: Consultation, bot: Bot, ticket: Ticket, to_chat: int | None) -> None:
    """ "Sedang ditangani": once, when a staff member takes the ticket (a take happens once per ticket
    state: only a new ticket can be taken)."""
    await notify(c, bot, ticket, to_chat, t.TAKEN_FOR_EMPLOYEE.format(id=ticket.id))


async def notify(c: Consultation, bot: Bot, ticket: Ticket, to_chat: int | None, text: str) -> int | None:
    """A short notice about the ticket to its employee (HTML); a reply to it joins the ticket. The message
    id, or None when nobody is bound to the ticket or the employee blocked the bot (marked)."""
    if to_chat is None:
        return None
    try:
        sent = await bot.send_message(to_chat, text, parse_mode=ParseMode.HTML)
    except Forbidden:
        if ticket.nip is not None:  # a guest's account is no employee's to mark
            store.mark_blocked(c.db, ticket.nip)
        return None
    choice_store.map_private(c.db, to_chat, sent.message_id, ticket.id)
    return int(sent.message_id)


def expected_first_response(c: Consultation) -> str:
    """The acknowledgement's line about the usual wait, or "" when the last 30 days say too little."""
    now = clock.utcnow()
    hours = c.settings.hours
    waits = [
        hours.working_time_between(_aware(created), _aware(answered))
        for created, answered in my_tickets_store.first_answers_since(c.db, now - response_time.WINDOW)
    ]
    median = response_time.median_first_response(waits)
    return "" if median is None else t.expected_first_response(response_time.working_duration_text(median))
