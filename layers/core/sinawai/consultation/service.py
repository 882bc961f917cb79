"""What happens to a consultation: a question placed as a ticket (new, joined or reopened) and posted to the
staff group, a staff answer relayed to the employee, a ticket taken or closed, the header kept current.

Which staff-group message belongs to which ticket lives in MySQL, so replies work after any cold start. A
ticket belongs to its NIP, not to the account it was asked from: its employee's side goes to the account
bound to that NIP now.
"""

from __future__ import annotations

import html
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC
from typing import Any

from telegram import Bot, Message, ReplyParameters, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, TelegramError

from sinawai.common.numbers import parse_int
from sinawai.common.working_hours import Opening
from sinawai.consultation import (
    choice,
    choice_store,
    faq_offers,
    forum_topics,
    handover_store,
    my_tickets,
    outbox,
    relay,
    staff_delivery,
    staff_list,
    staff_list_store,
    store,
    ticket_messages,
    tickets,
)
from sinawai.consultation import texts as t
from sinawai.consultation.deps import ASKING, Consultation, actor_of, answer_in_group, say, staff_actor
from sinawai.consultation.keyboards import header_buttons, list_buttons, rating_buttons
from sinawai.consultation.store import Ticket
from sinawai.consultation.ticket_events import Actor, add_event
from sinawai.consultation.tickets import Status, TransitionError
from sinawai.general import menu
from sinawai.platform import clock, service_records, updates
from sinawai.registration import employees
from sinawai.registration.employees import Employee
from sinawai.registration.guards import active_employee
from sinawai.telegram.ui import not_modified

# What copyMessage can relay to staff; anything else (location, contact, poll, ...) is refused politely.
SUPPORTED_MEDIA = ("photo", "document", "voice", "video", "audio", "sticker", "video_note", "animation")


def in_staff_group(c: Consultation, update: Update) -> bool:
    chat = update.effective_chat
    return chat is not None and c.staff_group is not None and chat.id == c.staff_group


def recipient(c: Consultation, ticket: Ticket) -> int | None:
    """The private chat that gets the employee's side of the ticket: the account bound to its NIP now;
    None when none is bound. A guest ticket's: the account that asked it (guest.py)."""
    if ticket.nip is None:
        return ticket.guest_telegram_id
    employee = employees.by_nip(c.db, ticket.nip)
    return employee.telegram_id if employee is not None else None


def own_ticket(c: Consultation, update: Update, ticket: Ticket) -> bool:
    """Whether the staff member acting is the ticket's employee (their account is bound to its NIP), or
    the guest who asked it."""
    user = update.effective_user
    if ticket.nip is None:
        return user is not None and user.id == ticket.guest_telegram_id
    employee = employees.by_telegram(c.db, user.id) if user else None
    return employee is not None and employee.nip == ticket.nip


def ticket_in_group(c: Consultation, raw: str, chat_id: int) -> Ticket | None:
    ticket_id = parse_int(raw)
    if ticket_id is None:
        return None
    ticket = store.get(c.db, ticket_id)
    return ticket if ticket is not None and ticket.staff_chat_id == chat_id else None


async def refresh_header(c: Consultation, bot: Bot, ticket_id: int) -> None:
    """Show the ticket's current status (and who handles it) in its header; Ambil goes once taken, every
    button once closed."""
    await refresh_lists(c, bot, ticket_id)
    ticket = store.get(c.db, ticket_id)
    if ticket is None or ticket.header_message_id is None:
        return
    employee = employees.by_nip(c.db, ticket.nip) if ticket.nip is not None else None
    markup = header_buttons(ticket)
    try:
        await bot.edit_message_text(
            staff_delivery.header_text(ticket, employee, c.settings.zone),
            chat_id=ticket.staff_chat_id,
            message_id=ticket.header_message_id,
            parse_mode=ParseMode.HTML,
            reply_markup=markup,
        )
    except BadRequest as e:
        if not not_modified(e):
            c.logger.warning("could not update a ticket header", extra={"reason": e.message})


async def refresh_lists(c: Consultation, bot: Bot, ticket_id: int) -> None:
    """The burst's list messages that show the ticket: its line struck through once taken or closed, its
    Ambil gone. Edited only when what they show changes (never "message is not modified")."""
    for posted in staff_list_store.lists_of_ticket(c.db, ticket_id):
        with staff_list_store.list_lock(c.db, posted.id):
            shown = staff_list_store.posted_list(c.db, posted.id)
            entries = staff_list_store.entries_of_list(c.db, posted.id)
            text, ids = staff_list.render(entries), staff_list.takeable_ids(entries)
            digest = staff_list.digest(text, ids)
            if shown is None or shown.shown_digest == digest:
                continue
            try:
                await bot.edit_message_text(
                    text,
                    chat_id=posted.staff_chat_id,
                    message_id=posted.staff_message_id,
                    parse_mode=ParseMode.HTML,
                    reply_markup=list_buttons(ids),
                )
            except BadRequest as e:
                if not not_modified(e):
                    c.logger.warning("could not update a list of tickets", extra={"reason": e.message})
                    continue
            staff_list_store.set_shown(c.db, posted.id, digest)


async def hand_over(c: Consultation, bot: Bot, ticket_id: int) -> None:
    """The ticket's pending staff-group posts: to the delivery queue (paced there), or posted now."""
    if c.settings.delivery_queue_url:
        staff_delivery.enqueue(c.settings.delivery_queue_url, outbox.pending_outbox(c.db, ticket_id))
    else:
        await staff_delivery.deliver_pending(bot, c.db, ticket_id, c.settings.zone, c.settings.pacing)


# ---- the employee's question ---------------------------------------------------------------------------


def _supported(message: Message) -> bool:
    return message.text is not None or any(getattr(message, kind) for kind in SUPPORTED_MEDIA)


async def ask(c: Consultation, update: Update) -> None:
    """A question in the private chat: a published FAQ topic first when no ticket is open, else a ticket."""
    message = update.effective_message
    user = update.effective_user
    assert message is not None
    assert user is not None
    employee = await active_employee(update, c.db, ASKING)
    if employee is None:
        return
    if not _supported(message):
        await say(update, t.UNSUPPORTED_MEDIA)
        return
    if c.staff_group is None:
        c.logger.error("STAFF_GROUP_CHAT_ID is not set: a consultation cannot be forwarded")
        await say(update, menu.SERVICE_NOT_READY_ALERT)
        return
    # Writing to the bot again means the bot is not blocked (any more), whatever happens to the message.
    store.clear_blocked(c.db, employee.nip)
    window = c.settings.rate_limit_window
    retried = store.placed_by_update(c.db, update.update_id)
    since = clock.utcnow() - window
    # Messages still waiting for the employee's choice count too: they are questions not yet placed.
    recent = store.recent_questions(c.db, user.id, since) + choice_store.held_since(
        c.db, message.chat_id, since
    )
    if not retried and tickets.rate_limited(recent, c.settings.rate_limit_messages):
        minutes = max(1, int(window.total_seconds() // 60))
        await say(update, t.RATE_LIMITED.format(minutes=minutes))
        return
    if retried:
        # An earlier attempt placed it: the placement it recorded is resumed.
        await open_ticket(c, update, employee, message.message_id)
        return

    # A reply to a message of one of the employee's open tickets joins that ticket without asking.
    replied = choice.replied_ticket(c, message, employee)
    if replied is not None:
        await open_ticket(c, update, employee, message.message_id, target=replied.id)
        return
    # A ticket open: the employee chooses where the message goes (it waits in MySQL meanwhile).
    if await choice.hold_if_open(c, update, employee):
        return
    # Nothing open: the published FAQ topics first. Only "no" (or no good match) opens a ticket.
    if message.text and await faq_offers.offer(c, update, employee, message.text):
        return
    ticket = await open_ticket(c, update, employee, message.message_id, target="new")
    if ticket is not None:
        # A question no topic matched was recorded as such: it now names its ticket.
        service_records.link_ticket(c.db, update.update_id, ticket.id)


async def _create_topic(
    c: Consultation, bot: Bot, staff: int, ticket: Ticket, employee: Employee
) -> int | None:
    """A forum topic for the ticket; None when the staff group is not a forum (or topics cannot be made)."""
    name = f"Tiket #{ticket.id} · {employee.nama}"[:128]
    try:
        topic = await bot.create_forum_topic(staff, name)
    except BadRequest as e:
        c.logger.warning("no forum topic for the ticket", extra={"reason": e.message})
        return None
    return topic.message_thread_id


def next_opening_if_closed(c: Consultation) -> Opening | None:
    return c.settings.hours.opening_after(clock.utcnow().replace(tzinfo=UTC))


async def open_ticket(
    c: Consultation,
    update: Update,
    employee: Employee,
    question_message_id: int,
    *,
    target: store.Target = "auto",
    area: str | None = None,
) -> Ticket | None:
    """Place the question (a new ticket, or the ticket ``target`` names), post it to the staff group,
    acknowledge it; None when a new ticket was refused (the employee has as many open as allowed)."""
    chat = update.effective_chat
    assert chat is not None
    staff = c.staff_group
    assert staff is not None
    store.clear_blocked(c.db, employee.nip)
    try:
        placed = store.place_question(
            c.db,
            nip=employee.nip,
            chat_id=chat.id,
            staff_chat_id=staff,
            actor=actor_of(update, "pegawai"),
            reopen_window=c.settings.reopen_window,
            message_id=question_message_id,
            update_id=update.update_id,
            target=target,
            max_open=c.settings.max_open_tickets,
            area=area,
            burst=c.settings.burst,
        )
    except store.OpenTicketLimitError as e:
        await say(update, t.open_limit_reached(e.open_ids, c.settings.max_open_tickets))
        return None
    # A retry of this update (Lambda's, after a failed call below) finds the placement recorded and
    # resumes after the last call that went through.
    ticket = placed.ticket
    placement = placed.decision.placement
    bot = update.get_bot()
    if placement == "new" and c.settings.forum_topics and ticket.message_thread_id is None:
        thread_id = await c.once(update, "topic", lambda: _create_topic(c, bot, staff, ticket, employee))
        if thread_id is not None:
            store.set_thread(c.db, ticket.id, thread_id)
            # In a forum topic, a message without an explicit reply replies to the topic's first message:
            # anything the staff write in the ticket's topic is an answer.
            ticket_messages.map_message(c.db, ticket.id, staff, thread_id, "notice")
    elif placement == "new" and c.settings.forum_topics_by_area and ticket.message_thread_id is None:
        # One topic per area: the ticket's header and messages go into its area's topic (made once).
        area_thread = await c.once(
            update, "topic", lambda: forum_topics.topic_for_area(c, bot, staff, ticket.area)
        )
        if area_thread is not None:
            store.set_thread(c.db, ticket.id, area_thread)
    # The header and the copy go through the outbox: paced by the delivery queue, or posted now.
    await hand_over(c, bot, ticket.id)
    if placement == "reopen":
        await refresh_header(c, bot, ticket.id)

    opening, zone = next_opening_if_closed(c), c.settings.zone
    if placement == "new":
        earlier = (
            t.previous_closed(placed.closed_previous, int(c.settings.reopen_window.total_seconds() // 3600))
            if placed.closed_previous
            else ""
        )
        text = earlier + t.acknowledgement(ticket.id, opening, zone) + my_tickets.expected_first_response(c)
    else:
        text = t.added_to_ticket(ticket.id, placement == "reopen", opening, zone)
    sent = await say(update, text)
    # A reply to the acknowledgement joins this ticket without asking.
    choice_store.map_private(c.db, sent.chat_id, sent.message_id, ticket.id)
    return ticket


# ---- staff answers -------------------------------------------------------------------------------------


async def relay_answer(c: Consultation, update: Update) -> None:
    """A reply in the staff group to a ticket's message goes to the employee; anything else is ignored."""
    message = update.effective_message
    if message is None or not in_staff_group(c, update) or message.reply_to_message is None:
        return
    ticket = ticket_messages.ticket_of_staff_message(
        c.db, message.chat_id, message.reply_to_message.message_id
    )
    if ticket is None:
        if staff_list_store.is_list_message(c.db, message.chat_id, message.reply_to_message.message_id):
            await answer_in_group(update, t.REPLY_TO_BURST_LIST)
        return
    await deliver_answer(
        c,
        update,
        ticket,
        lambda chat_id: relay.send_answer(c, update, ticket, chat_id),
        staff_message_id=message.message_id,
    )


AnswerSend = Callable[[int], Awaitable[int | None]]


async def deliver_answer(
    c: Consultation,
    update: Update,
    ticket: Ticket,
    send: AnswerSend,
    *,
    staff_message_id: int,
    detail: Mapping[str, Any] | None = None,
) -> bool:
    """A staff answer (``send`` sends it to a private chat) to the ticket's employee: refused for a closed
    ticket and for the staff member's own; recorded (``answered``, with ``detail``) once it went out, and
    the staff message ``staff_message_id`` mapped to the ticket. True when it reached the employee."""
    db = c.db
    chat = update.effective_chat
    assert chat is not None
    # An earlier attempt of this update that copied the answer already: it is recorded whatever happened
    # to the ticket since (closed, or its account unbound).
    copied_before = updates.step_done(db, update.update_id, "answer_copy")[0]
    if not copied_before:
        if ticket.status is Status.SELESAI:
            await answer_in_group(update, t.ANSWER_TO_CLOSED.format(id=ticket.id))
            return False
        if own_ticket(c, update, ticket):
            await answer_in_group(update, t.OWN_TICKET.format(id=ticket.id))
            return False
    staff = staff_actor(c, update)
    bot = update.get_bot()
    to_chat = recipient(c, ticket)
    if to_chat is None and not copied_before:
        # Nobody is bound to the NIP (the employee left): nothing goes to the account it was asked from.
        add_event(db, ticket.id, "undeliverable", staff, detail={"reason": "unbound"})
        ticket_messages.map_message(db, ticket.id, chat.id, staff_message_id, "answer")
        await answer_in_group(update, t.UNDELIVERABLE_UNBOUND.format(id=ticket.id))
        return False
    # to_chat is None only for a retry whose answer went out already: nothing is sent again.
    chat_id = to_chat if to_chat is not None else ticket.chat_id
    try:
        copied = await send(chat_id)
    except Forbidden as e:
        # Blocked: mark it, tell the staff once, and finish (no retry can deliver it).
        if ticket.nip is not None:
            store.mark_blocked(db, ticket.nip)
        add_event(db, ticket.id, "undeliverable", staff, detail={"reason": e.message})
        ticket_messages.map_message(db, ticket.id, chat.id, staff_message_id, "answer")
        await answer_in_group(update, t.UNDELIVERABLE.format(id=ticket.id))
        return False
    ticket_messages.map_message(db, ticket.id, chat.id, staff_message_id, "answer", copied)
    # The answer reached the employee: recorded under the ticket's row lock, even when a /tutup committed
    # since the ticket was read above (the close stands, the answer still counts).
    recorded = store.record_answer(db, ticket.id, staff, update_id=update.update_id, detail=detail)
    if recorded is not None and recorded.status is not ticket.status:
        await refresh_header(c, bot, ticket.id)
    return True


# ---- taking, closing, listing --------------------------------------------------------------------------


def open_list(
    c: Consultation, staff_chat_id: int, *, area: str | None = None, assigned_to: int | None = None
) -> str:
    """The open tickets of the staff group, oldest first, with their area and how long each has waited;
    only one area's with ``area``, only those a staff member handles with ``assigned_to``."""
    rows = []
    listed_tickets = handover_store.open_tickets(c.db, staff_chat_id, area=area, assigned_to=assigned_to)
    for listed in listed_tickets:
        if listed.nip is None:
            nama = t.guest_list_name(listed.guest_name)
        else:
            employee = employees.by_nip(c.db, listed.nip)
            nama = employee.nama if employee else listed.nip
        assigned, answered = listed.assigned_staff_name, listed.last_answer_at
        rows.append((listed.id, listed.status, nama, listed.created_at, assigned, answered))
    scope = t.scope_area(area) if area is not None else t.SCOPE_MINE if assigned_to is not None else ""
    return t.open_list(rows, clock.utcnow(), row_areas=[x.area for x in listed_tickets], scope=scope)


async def take(c: Consultation, update: Update, ticket: Ticket) -> str:
    """A staff member takes the ticket; returns the answer for them (HTML)."""
    if own_ticket(c, update, ticket):
        return t.OWN_TICKET.format(id=ticket.id)
    staff = staff_actor(c, update)
    try:
        to_status = tickets.take(ticket.status)
    except TransitionError as e:
        if ticket.assigned_staff_id is not None:
            # An earlier attempt of a take that was cut short: the full question still goes out (once).
            await _full_question(c, update.get_bot(), ticket.id)
        return t.TRANSITION_ERRORS[e.reason].format(
            id=ticket.id, who=html.escape(ticket.assigned_staff_name or "-")
        )
    if not store.transition(c.db, ticket, to_status, "taken", staff):
        return t.TRANSITION_ERRORS["taken"].format(id=ticket.id, who="petugas lain")
    bot = update.get_bot()
    # Taken from a burst's list: the full ticket (header, then the question) now goes to the staff group.
    # Its header is posted as the ticket is now: only the list needs an edit.
    from_list = await _full_question(c, bot, ticket.id)
    await (refresh_lists(c, bot, ticket.id) if from_list else refresh_header(c, bot, ticket.id))
    await my_tickets.notify_taken(c, bot, ticket, recipient(c, ticket))
    if from_list:
        return t.BURST_TAKEN_FROM_LIST.format(id=ticket.id, who=html.escape(staff.name or "petugas"))
    return t.taken(ticket.id, staff.name or "petugas")


async def _full_question(c: Consultation, bot: Bot, ticket_id: int) -> bool:
    """A ticket that came in a list and has been taken: its header and question queued once and handed
    over; True when queued now."""
    if not staff_list_store.queue_full_question(c.db, ticket_id):
        return False
    await hand_over(c, bot, ticket_id)
    return True


async def close_by_staff(c: Consultation, update: Update, ticket: Ticket) -> str:
    """A staff member closes the ticket; returns the answer for them (HTML)."""
    staff = staff_actor(c, update)
    error = await close(c, update, ticket, staff)
    return error or t.closed_by_staff(ticket.id, staff.name or "petugas")


async def close(c: Consultation, update: Update, ticket: Ticket, actor: Actor) -> str | None:
    """Tutup / /selesai; returns an error text, or None when closed (the employee was asked to rate)."""
    if actor.type == "staf" and own_ticket(c, update, ticket):
        return t.OWN_TICKET.format(id=ticket.id)
    try:
        to_status = tickets.close(ticket.status)
    except TransitionError as e:
        return t.TRANSITION_ERRORS[e.reason].format(id=ticket.id, who="-")
    if not store.transition(c.db, ticket, to_status, "closed", actor):
        return t.TRANSITION_ERRORS["closed"].format(id=ticket.id)
    bot = update.get_bot()
    await refresh_header(c, bot, ticket.id)
    to_chat = recipient(c, ticket) if actor.type == "staf" else None
    if actor.type == "staf" and to_chat is None:
        # Nobody is bound to the NIP: the rating question waits for no one, and the old account gets nothing.
        add_event(c.db, ticket.id, "undeliverable", actor, detail={"reason": "unbound"})
    elif to_chat is not None:
        try:
            await bot.send_message(
                to_chat,
                t.CLOSED_FOR_EMPLOYEE.format(id=ticket.id),
                parse_mode=ParseMode.HTML,
                reply_markup=rating_buttons(ticket.id),
            )
        except Forbidden as e:
            if ticket.nip is not None:
                store.mark_blocked(c.db, ticket.nip)
            add_event(c.db, ticket.id, "undeliverable", actor, detail={"reason": e.message})
    elif ticket.header_message_id is not None:
        try:
            await bot.send_message(
                ticket.staff_chat_id,
                t.CLOSED_BY_EMPLOYEE.format(id=ticket.id),
                message_thread_id=ticket.message_thread_id,
                reply_parameters=ReplyParameters(
                    ticket_messages.anchor(c.db, ticket) or ticket.header_message_id,
                    allow_sending_without_reply=True,
                ),
            )
        except TelegramError:
            c.logger.exception("could not tell the staff group that a ticket was closed")
    return None
