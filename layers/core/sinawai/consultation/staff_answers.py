"""The staff answer tools in the staff group: a canned answer from the published content (``/jawab N
TOPIK``, or the header's "📚 Jawaban siap pakai" list with a confirmation), the group's templates
(``/templat``), internal notes (a reply starting with "!", or ``/catatan``), and a message written without a
reply shortly after its writer took a ticket (asked, with buttons, whether it answers that ticket).

Every answer goes through ``service.deliver_answer``: the same checks, relay and ``answered`` event as a
reply, with ``{"topic": id}`` or ``{"template": name}`` as its detail."""

from __future__ import annotations

import html

from telegram import Message, ReplyParameters, Update
from telegram.constants import ParseMode

from sinawai.common.numbers import parse_int
from sinawai.consultation import faq, my_tickets_store, relay, service, staff_tools, store, ticket_messages
from sinawai.consultation import staff_answers_store as held
from sinawai.consultation import texts as t
from sinawai.consultation.deps import Consultation, answer_in_group, staff_actor
from sinawai.consultation.keyboards import canned_topic_buttons, pending_buttons
from sinawai.consultation.store import Ticket
from sinawai.consultation.ticket_events import add_event
from sinawai.consultation.tickets import Status
from sinawai.information import content
from sinawai.information.content import Topic
from sinawai.platform import clock
from sinawai.registration import employees

CANNED_SHOWN = 5


def _reader_topic(c: Consultation, ticket: Ticket, topic: Topic) -> Topic:
    """The topic as the ticket's employee reads it (their employee type's variant)."""
    employee = employees.by_nip(c.db, ticket.nip) if ticket.nip is not None else None
    return content.for_reader(c.content.get(), topic, employee.jenis_asn if employee is not None else None)


async def _send_topic(
    c: Consultation, update: Update, ticket: Ticket, topic: Topic, staff_message_id: int
) -> bool:
    shown = _reader_topic(c, ticket, topic)
    body = f"<b>{html.escape(shown.title)}</b>\n\n{shown.html}"
    return await service.deliver_answer(
        c,
        update,
        ticket,
        lambda chat_id: relay.send_text(c, update, ticket, chat_id, body),
        staff_message_id=staff_message_id,
        detail={"topic": topic.id},
    )


# ---- /jawab N TOPIK ----------------------------------------------------------------------------------------


async def jawab(c: Consultation, update: Update, args: list[str]) -> None:
    message = update.effective_message
    assert message is not None
    if len(args) != 2:
        await answer_in_group(update, t.JAWAB_USAGE)
        return
    ticket = service.ticket_in_group(c, args[0].lstrip("#"), message.chat_id)
    if ticket is None:
        await answer_in_group(update, t.unknown_ticket(args[0]))
        return
    topic = c.content.get().topic(args[1].strip().lower())
    if topic is None or topic.variant_of:
        await answer_in_group(update, t.unknown_topic(args[1]))
        return
    if await _send_topic(c, update, ticket, topic, message.message_id):
        await answer_in_group(update, t.canned_sent(ticket.id, topic.title))


# ---- the header's "Jawaban siap pakai" ---------------------------------------------------------------------


def _question_text(c: Consultation, ticket: Ticket) -> str:
    said = [m.text for m in my_tickets_store.exchange(c.db, ticket) if not m.from_staff and m.text]
    return " ".join(said)


async def canned_list(c: Consultation, update: Update, ticket: Ticket) -> None:
    """The best matching topics for the ticket's question, as buttons, under the header."""
    query = update.callback_query
    assert query is not None
    bundle = c.content.get()
    matches = faq.best_matches(
        _question_text(c, ticket), bundle, threshold=faq.SEARCH_THRESHOLD, limit=CANNED_SHOWN
    )
    topics = [m.topic for m in matches]
    await query.answer()
    await update.get_bot().send_message(
        ticket.staff_chat_id,
        t.canned_list(ticket.id, [(x.id, x.title) for x in topics]),
        parse_mode=ParseMode.HTML,
        message_thread_id=ticket.message_thread_id,
        reply_parameters=ReplyParameters(ticket.header_message_id, allow_sending_without_reply=True)
        if ticket.header_message_id is not None
        else None,
        reply_markup=canned_topic_buttons(ticket.id, topics),
    )


async def pick_topic(c: Consultation, update: Update, ticket: Ticket, raw_topic: str) -> None:
    """A topic of the list pressed: asked to confirm (the choice waits for its presser's button)."""
    query = update.callback_query
    user = update.effective_user
    assert query is not None
    assert user is not None
    topic = c.content.get().topic(raw_topic)
    if topic is None:
        await query.answer(html.unescape(t.unknown_topic(raw_topic)), show_alert=True)
        return
    pending = held.hold(
        c.db,
        staff_chat_id=ticket.staff_chat_id,
        ticket_id=ticket.id,
        staff_id=user.id,
        source="topic",
        lifetime=staff_tools.PENDING_LIFETIME,
        topic_id=topic.id,
    )
    await query.answer()
    await query.edit_message_text(
        t.canned_confirm(ticket.id, topic.title),
        parse_mode=ParseMode.HTML,
        reply_markup=pending_buttons(pending.id, t.SEND_YES, t.SEND_NO),
    )


# ---- a message without a reply, shortly after an Ambil -----------------------------------------------------


async def loose_message(c: Consultation, update: Update) -> None:
    """A staff message that replies to nothing: asked about when its writer took a ticket in the last
    minutes; silence otherwise (chatter stays chatter)."""
    message = update.effective_message
    user = update.effective_user
    if message is None or user is None or not service.in_staff_group(c, update):
        return
    ticket_id = held.recently_taken(c.db, message.chat_id, user.id, clock.utcnow() - staff_tools.TAKEN_WINDOW)
    if ticket_id is None:
        return
    pending = held.hold(
        c.db,
        staff_chat_id=message.chat_id,
        ticket_id=ticket_id,
        staff_id=user.id,
        source="message",
        lifetime=staff_tools.PENDING_LIFETIME,
        message_id=message.message_id,
    )
    await c.once(
        update,
        "loose_question",
        lambda: _ask_loose(message, ticket_id, pending.id),
    )


async def _ask_loose(message: Message, ticket_id: int, pending_id: int) -> int:
    sent = await message.reply_html(
        t.loose_question(ticket_id),
        do_quote=True,
        reply_markup=pending_buttons(pending_id, t.LOOSE_SEND.format(id=ticket_id), t.LOOSE_NOT),
    )
    return sent.message_id


async def confirm(c: Consultation, update: Update, raw_id: str, send: bool) -> None:
    """ "Kirim" / "Bukan jawaban" (or "Batal") on a send that waits: resolved once, by its staff member."""
    query = update.callback_query
    user = update.effective_user
    assert query is not None
    assert user is not None
    pending_id = parse_int(raw_id)
    pending = held.pending(c.db, pending_id) if pending_id is not None else None
    if pending is None or pending.staff_chat_id != (
        update.effective_chat.id if update.effective_chat else None
    ):
        await query.answer(t.PENDING_DONE, show_alert=True)
        return
    if pending.staff_id != user.id:
        await query.answer(t.PENDING_NOT_YOURS, show_alert=True)
        return
    if pending.resolved_at is None and await _refused_as_stale(c, update, pending):
        return
    if not held.claim(c.db, pending.id, "sent" if send else "dismissed", update.update_id):
        await query.answer(t.PENDING_DONE, show_alert=True)
        return
    await query.answer()
    if not send:
        await query.edit_message_text(t.PENDING_DISMISSED)
        return
    ticket = store.get(c.db, pending.ticket_id)
    assert ticket is not None
    prompt = query.message
    assert isinstance(prompt, Message)
    if pending.source == "topic":
        topic = c.content.get().topic(pending.topic_id or "")
        if topic is None:
            await query.edit_message_text(html.unescape(t.unknown_topic(pending.topic_id or "")))
            return
        sent = await _send_topic(c, update, ticket, topic, prompt.message_id)
    else:
        original = prompt.reply_to_message
        if original is None or original.message_id != pending.message_id:
            await query.edit_message_text(t.PENDING_GONE)
            return
        sent = await service.deliver_answer(
            c,
            update,
            ticket,
            lambda chat_id: relay.send_answer(c, update, ticket, chat_id, original),
            staff_message_id=original.message_id,
        )
    if sent:
        await query.edit_message_text(t.PENDING_SENT.format(id=ticket.id))


async def _refused_as_stale(c: Consultation, update: Update, pending: held.PendingSend) -> bool:
    """A send held before the ticket was closed, handed over or answered: resolved as stale, its prompt
    says why (nothing is sent). False when it still may go."""
    query = update.callback_query
    assert query is not None
    ticket = store.get(c.db, pending.ticket_id)
    assert ticket is not None
    reason = staff_tools.stale_reason(
        ticket.status is Status.SELESAI, held.events_since(c.db, ticket.id, pending.created_at)
    )
    if reason is None:
        return False
    if not held.claim(c.db, pending.id, "stale", update.update_id):
        await query.answer(t.PENDING_DONE, show_alert=True)
        return True
    await query.answer()
    await query.edit_message_text(t.PENDING_STALE[reason].format(id=ticket.id))
    return True


# ---- notes -------------------------------------------------------------------------------------------------


async def note(c: Consultation, update: Update, body: str) -> None:
    """A reply to a ticket's message kept as an internal note: never sent to the employee."""
    message = update.effective_message
    assert message is not None
    replied = message.reply_to_message
    ticket = (
        ticket_messages.ticket_of_staff_message(c.db, message.chat_id, replied.message_id)
        if replied is not None
        else None
    )
    if ticket is None:
        await answer_in_group(update, t.NOTE_NEEDS_TICKET)
        return
    if not body:
        await answer_in_group(update, t.NOTE_EMPTY)
        return
    if ticket_messages.kind_of(c.db, message.chat_id, message.message_id) is None:
        ticket_messages.map_message(c.db, ticket.id, message.chat_id, message.message_id, "note")
        add_event(c.db, ticket.id, "note", staff_actor(c, update), detail={"message_id": message.message_id})
    await answer_in_group(update, t.NOTE_SAVED.format(id=ticket.id))


# ---- templates ---------------------------------------------------------------------------------------------


async def templat(c: Consultation, update: Update, args: list[str]) -> None:
    message = update.effective_message
    assert message is not None
    chat_id = message.chat_id
    if not args:
        names = held.template_names(c.db, chat_id)
        await answer_in_group(update, t.template_list(names) if names else t.TEMPLATE_EMPTY)
        return
    verb = args[0].lower()
    if verb in ("simpan", "hapus"):
        name = staff_tools.template_name(args[1]) if len(args) == 2 else None
        if name is None:
            await answer_in_group(update, t.TEMPLATE_BAD_NAME if len(args) > 1 else t.TEMPLATE_USAGE)
            return
        if verb == "hapus":
            deleted = held.delete_template(c.db, chat_id, name)
            await answer_in_group(update, t.template_deleted(name) if deleted else t.template_unknown(name))
            return
        await _save_template(c, update, name)
        return
    name = staff_tools.template_name(args[0]) if len(args) == 1 else None
    if name is None:
        await answer_in_group(update, t.TEMPLATE_BAD_NAME)
        return
    body = held.template(c.db, chat_id, name)
    if body is None:
        await answer_in_group(update, t.template_unknown(name))
        return
    replied = message.reply_to_message
    ticket = (
        ticket_messages.ticket_of_staff_message(c.db, chat_id, replied.message_id)
        if replied is not None
        else None
    )
    if ticket is None:
        await answer_in_group(update, t.TEMPLATE_SEND_NEEDS_TICKET.format(name=html.escape(name)))
        return
    sent = await service.deliver_answer(
        c,
        update,
        ticket,
        lambda to_chat: relay.send_text(c, update, ticket, to_chat, body),
        staff_message_id=message.message_id,
        detail={"template": name},
    )
    if sent:
        await answer_in_group(update, t.template_sent(name, ticket.id))


async def _save_template(c: Consultation, update: Update, name: str) -> None:
    message = update.effective_message
    assert message is not None
    replied = message.reply_to_message
    if replied is None:
        await answer_in_group(update, t.TEMPLATE_SAVE_NEEDS_REPLY)
        return
    body = (
        replied.text_html if replied.text is not None else (replied.caption_html if replied.caption else None)
    )
    if not body:
        await answer_in_group(update, t.TEMPLATE_SAVE_NO_TEXT)
        return
    if len(body) > staff_tools.TEMPLATE_TEXT_MAX:
        await answer_in_group(update, t.TEMPLATE_TOO_LONG)
        return
    user = update.effective_user
    replaced = held.save_template(c.db, message.chat_id, name, body, user.id if user else None)
    await answer_in_group(update, t.template_saved(name, replaced))
