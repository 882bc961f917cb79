"""The consultation group's handlers. The employee, in the private chat: a question (or a follow-up), the
FAQ offer's buttons, /selesai, the rating, the comment and /lewati. The staff, in the staff group: /tiket,
/ambil and /tutup (each next to its button), /pegawai, /blokir and /bukablokir, and replies to a ticket's
messages, relayed to the employee."""

from __future__ import annotations

import html
import re
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import Update
from telegram.constants import ChatType, ParseMode
from telegram.error import BadRequest
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from sinawai.common.numbers import parse_int
from sinawai.consultation import (
    areas,
    blocks,
    choice,
    choice_store,
    choices,
    faq_offers,
    feedback,
    guest,
    handover,
    handover_store,
    my_tickets,
    service,
    staff_actions,
    staff_answers,
    staff_history,
    staff_tools,
)
from sinawai.consultation import staff_texts as st
from sinawai.consultation import texts as t
from sinawai.consultation.deps import Consultation, answer_in_group, consultation, say
from sinawai.consultation.keyboards import PATTERNS, back_to_menu
from sinawai.consultation.store import Ticket
from sinawai.platform import service_records
from sinawai.platform.service_records import FaqOffer
from sinawai.registration import employees
from sinawai.registration.employees import Employee
from sinawai.telegram.runtime import GroupContext
from sinawai.telegram.ui import not_modified


def _private(update: Update) -> bool:
    chat = update.effective_chat
    return chat is not None and chat.type == ChatType.PRIVATE


def _fields(context: GroupContext) -> tuple[str, ...]:
    """The fields a button pattern captured from its callback data."""
    match = context.match
    assert isinstance(match, re.Match)
    return tuple(match.groups())


# ---- the employee ----------------------------------------------------------------------------------------


async def question(update: Update, context: GroupContext) -> None:
    """A plain message in the private chat: the comment awaited after a rating, or a question (a guest's
    when the account is bound to no NIP)."""
    c = consultation(context)
    if await feedback.take_comment(c, update):
        return
    if await _blocked(c, update):
        return
    if guest.is_guest(c, update):
        await guest.ask(c, update)
    else:
        await service.ask(c, update)


async def _blocked(c: Consultation, update: Update) -> bool:
    """Whether an admin blocked this sender (/blokir): then no ticket is opened or added to."""
    user = update.effective_user
    employee = employees.by_telegram(c.db, user.id) if user is not None else None
    return await staff_actions.stopped_by_block(c, update, employee.nip if employee is not None else None)


async def how_to_ask(update: Update, context: GroupContext) -> None:
    """The menu's Tanya button: how to ask the staff."""
    query = update.callback_query
    assert query is not None
    await query.answer()
    await say(update, t.HOW_TO_ASK, back_to_menu())


async def _offer_button(
    update: Update, context: GroupContext
) -> tuple[Consultation, FaqOffer, Employee | None, str] | None:
    """A FAQ offer's button in the private chat: its offer, the employee, and the button's field (the
    choice, or the topic's index); None after answering the press."""
    if not _private(update):
        await ignore_button(update, context)
        return None
    c = consultation(context)
    raw_offer, field = _fields(context)
    pressed = await faq_offers.pressed_offer(c, update, raw_offer)
    return None if pressed is None else (c, pressed[0], pressed[1], field)


async def faq_answer(update: Update, context: GroupContext) -> None:
    """ "Ya, terjawab" or "Tidak, teruskan ke petugas" on a FAQ offer; "Tidak" makes the question a ticket."""
    pressed = await _offer_button(update, context)
    if pressed is None:
        return
    c, offer, employee, choice = pressed
    if await faq_offers.decide(c, update, offer, choice):
        assert offer.question_message_id is not None
        if await _blocked(c, update):
            return
        ticket: Ticket | None
        if employee is None:  # a guest's question
            ticket = await guest.open_guest_ticket(c, update, offer.question_message_id)
        else:
            # An offer is made for a new question only: "Tidak" opens its own ticket (never joins another),
            # filed under the area of the best topic offered.
            bundle = c.content.get()
            area = areas.area_of_topics(
                offer.topic_ids, lambda i: topic.area if (topic := bundle.topic(i)) is not None else None
            )
            ticket = await service.open_ticket(
                c, update, employee, offer.question_message_id, target="new", area=area
            )
        if ticket is not None:
            service_records.set_ticket(c.db, offer.id, ticket.id)


async def faq_topic(update: Update, context: GroupContext) -> None:
    """Another topic of a FAQ offer, in place of the one shown."""
    pressed = await _offer_button(update, context)
    if pressed is not None:
        c, offer, _, raw_index = pressed
        await faq_offers.show_topic(c, update, offer, raw_index)


async def selesai(update: Update, context: GroupContext) -> None:
    """The employee closes their open ticket (/selesai N: ticket N) and is asked to rate it."""
    await feedback.finish(consultation(context), update, context.args or [])


async def pilih(update: Update, context: GroupContext) -> None:
    """ "Tambahkan ke tiket #N" or "Pertanyaan baru" under a message sent while a ticket is open."""
    if not _private(update):
        await ignore_button(update, context)
        return
    c = consultation(context)
    if await _blocked(c, update):
        query = update.callback_query
        assert query is not None
        await query.answer()
        return
    raw_id, raw_choice = _fields(context)
    claimed = await choice.claim(c, update, raw_id, raw_choice)
    if claimed is None:
        return
    employee, pending = claimed.employee, claimed.pending
    if claimed.chosen != choices.NEW:
        await service.open_ticket(c, update, employee, pending.message_id, target=claimed.chosen)
        return
    # A new question: the published FAQ topics first (for a text), then a ticket of its own.
    text = choice.question_text(c, pending)
    if text and await faq_offers.offer(c, update, employee, text, question_message_id=pending.message_id):
        return
    ticket = await service.open_ticket(c, update, employee, pending.message_id, target="new")
    if ticket is None:
        # Refused at the limit (another ticket opened since the press was checked): the message waits
        # again, so it can still be added to an open ticket (the refusal said how).
        choice_store.release(c.db, pending.id, update.update_id)
        await choice.offer_again(c, update, pending)
        return
    service_records.link_ticket(c.db, update.update_id, ticket.id)


async def tiketsaya(update: Update, context: GroupContext) -> None:
    """/tiketsaya, or the menu's Tiket Saya button: the employee's tickets, open first."""
    if update.callback_query is not None and not _private(update):
        await ignore_button(update, context)
        return
    await my_tickets.show_list(consultation(context), update)


async def tiketsaya_ticket(update: Update, context: GroupContext) -> None:
    """A ticket of /tiketsaya (or a page of it): its exchange."""
    if not _private(update):
        await ignore_button(update, context)
        return
    raw_ticket, raw_page = _fields(context)
    await my_tickets.show_ticket(consultation(context), update, raw_ticket, raw_page)


async def nilai(update: Update, context: GroupContext) -> None:
    """A rating button (1-5 stars) of a closed ticket."""
    if not _private(update):
        await ignore_button(update, context)
        return
    raw_ticket, raw_rating = _fields(context)
    await feedback.rate(consultation(context), update, raw_ticket, raw_rating)


async def lewati(update: Update, context: GroupContext) -> None:
    """Skip the comment after a rating."""
    await feedback.skip_comment(consultation(context), update)


async def lewati_button(update: Update, context: GroupContext) -> None:
    """The Lewati button under the request for a comment: as /lewati, and the button goes."""
    query = update.callback_query
    assert query is not None
    if not _private(update):
        await query.answer()
        return
    await query.answer()
    await query.edit_message_reply_markup(None)
    await feedback.skip_comment(consultation(context), update)


# ---- the staff group -------------------------------------------------------------------------------------


async def _staff_ticket(c: Consultation, update: Update, context: GroupContext) -> Ticket | None:
    """The ticket a staff command names (``/ambil N``); None after the usage or "not found" answer, or when
    the command was not given in the staff group."""
    message = update.effective_message
    assert message is not None
    if not await _in_staff_group(c, update):
        return None
    args = context.args or []
    command = (message.text or "").split(maxsplit=1)[0][1:].partition("@")[0].lower()
    if len(args) != 1:
        await answer_in_group(update, t.STAFF_USAGE.format(command=command))
        return None
    ticket = service.ticket_in_group(c, args[0].lstrip("#"), message.chat_id)
    if ticket is None:
        await answer_in_group(update, t.unknown_ticket(args[0]))
    return ticket


async def _in_staff_group(c: Consultation, update: Update) -> bool:
    """A staff command outside the staff group: explained in a private chat, ignored in other groups."""
    if service.in_staff_group(c, update):
        return True
    if _private(update):
        await say(update, t.STAFF_ONLY)
    return False


async def tiket(update: Update, context: GroupContext) -> None:
    """/tiket: the staff group's open tickets (/tiket saya, /tiket BIDANG: filtered)."""
    c = consultation(context)
    if await _in_staff_group(c, update):
        await answer_in_group(update, handover.tiket_list(c, update, list(context.args or [])))


async def _staff_ticket_with(
    c: Consultation, update: Update, context: GroupContext, usage: str
) -> tuple[Ticket, list[str]] | None:
    """``/command N REST...``: the ticket N names and the rest; None after the answer (usage, not found)."""
    message = update.effective_message
    assert message is not None
    if not await _in_staff_group(c, update):
        return None
    args = list(context.args or [])
    if not args:
        await answer_in_group(update, usage)
        return None
    ticket = service.ticket_in_group(c, args[0].lstrip("#"), message.chat_id)
    if ticket is None:
        await answer_in_group(update, t.unknown_ticket(args[0]))
        return None
    return ticket, args[1:]


async def alihkan(update: Update, context: GroupContext) -> None:
    """/alihkan N @colleague: the ticket to a colleague; /alihkan N: the colleagues as buttons."""
    c = consultation(context)
    found = await _staff_ticket_with(c, update, context, t.ALIHKAN_USAGE)
    if found is None:
        return
    ticket, rest = found
    text, markup = await handover.alihkan(c, update, ticket, rest)
    message = update.effective_message
    assert message is not None
    await message.reply_html(text, do_quote=True, reply_markup=markup)


async def alihkan_button(update: Update, context: GroupContext) -> None:
    """A colleague's button under /alihkan N: the ticket goes to them; the group reads who has it now."""
    c = consultation(context)
    query = update.callback_query
    chat = update.effective_chat
    assert query is not None
    if chat is None or not service.in_staff_group(c, update):
        await query.answer()
        return
    raw_ticket, raw_staff = _fields(context)
    ticket = service.ticket_in_group(c, raw_ticket, chat.id)
    staff_id = parse_int(raw_staff)
    colleague = handover_store.staff_member(c.db, staff_id) if staff_id is not None else None
    if ticket is None or colleague is None:
        await query.answer(
            html.unescape(t.unknown_ticket(raw_ticket)) if ticket is None else t.NOT_STAFF_ANY,
            show_alert=True,
        )
        return
    text = await handover.give(c, update, ticket, colleague)
    await query.answer()
    if query.message is not None:
        try:
            await query.edit_message_text(text, parse_mode=ParseMode.HTML)
        except BadRequest as e:
            if not not_modified(e):
                raise


async def area(update: Update, context: GroupContext) -> None:
    """/area N BIDANG: the ticket's area; an unknown area changes nothing and lists the areas."""
    c = consultation(context)
    found = await _staff_ticket_with(c, update, context, t.AREA_USAGE)
    if found is None:
        return
    ticket, rest = found
    if len(rest) != 1:
        await answer_in_group(update, t.AREA_USAGE)
        return
    await answer_in_group(update, await handover.set_area(c, update, ticket, rest[0]))


TicketAction = Callable[[Consultation, Update, Ticket], Awaitable[str]]


async def _on_command(update: Update, context: GroupContext, action: TicketAction) -> None:
    c = consultation(context)
    ticket = await _staff_ticket(c, update, context)
    if ticket is not None:
        await answer_in_group(update, await action(c, update, ticket))


async def _on_button(update: Update, context: GroupContext, action: TicketAction) -> None:
    """An Ambil / Tutup button pressed in the staff group: the answer comes as the button's alert."""
    query = update.callback_query
    assert query is not None
    ticket = await _button_ticket(update, context)
    if ticket is not None:
        await query.answer(html.unescape(await action(consultation(context), update, ticket)))


async def ambil(update: Update, context: GroupContext) -> None:
    """/ambil N: the staff member takes ticket N."""
    await _on_command(update, context, service.take)


async def ambil_button(update: Update, context: GroupContext) -> None:
    """The Ambil button under a ticket's header: as /ambil N."""
    await _on_button(update, context, service.take)


async def tutup(update: Update, context: GroupContext) -> None:
    """/tutup N: the staff member closes ticket N; the employee is asked to rate it."""
    await _on_command(update, context, service.close_by_staff)


async def tutup_button(update: Update, context: GroupContext) -> None:
    """The Tutup button under a ticket's header: as /tutup N."""
    await _on_button(update, context, service.close_by_staff)


async def _employee_data_told(update: Update, outcome: staff_actions.Outcome) -> None:
    """The group hears only how to open the private chat, when the data could not be sent there."""
    message = update.effective_message
    if outcome.group_text is not None and message is not None:
        await message.reply_html(outcome.group_text, reply_markup=outcome.group_markup, do_quote=False)


async def pegawai(update: Update, context: GroupContext) -> None:
    """/pegawai N: ticket N's employee data to the staff member's private chat (never to the group)."""
    c = consultation(context)
    ticket = await _staff_ticket(c, update, context)
    if ticket is None:
        return
    outcome = await staff_actions.send_employee_data(c, update, ticket)
    if outcome.group_text is not None:
        await _employee_data_told(update, outcome)
    else:
        await answer_in_group(update, outcome.text)


async def pegawai_button(update: Update, context: GroupContext) -> None:
    """The 👤 Data pegawai button under a header: as /pegawai N; the answer comes as the button's alert."""
    query = update.callback_query
    assert query is not None
    ticket = await _button_ticket(update, context)
    if ticket is None:
        return
    outcome = await staff_actions.send_employee_data(consultation(context), update, ticket)
    await query.answer(outcome.text, show_alert=True)
    await _employee_data_told(update, outcome)


async def blokir(update: Update, context: GroupContext) -> None:
    """/blokir N [jam] (admin): the sender of ticket N opens and adds to no ticket for a while."""
    c = consultation(context)
    message = update.effective_message
    assert message is not None
    if not await _in_staff_group(c, update):
        return
    request = blocks.parse_block(context.args or [])
    if request is None:
        await answer_in_group(update, st.BLOCK_USAGE)
        return
    ticket = service.ticket_in_group(c, request.ticket, message.chat_id)
    if ticket is None:
        await answer_in_group(update, t.unknown_ticket(request.ticket))
        return
    await answer_in_group(update, staff_actions.block(c, update, ticket, request.hours))


async def bukablokir(update: Update, context: GroupContext) -> None:
    """/bukablokir N (admin): the block of ticket N's sender ends now."""
    c = consultation(context)
    message = update.effective_message
    assert message is not None
    if not await _in_staff_group(c, update):
        return
    raw = blocks.parse_unblock(context.args or [])
    if raw is None:
        await answer_in_group(update, st.UNBLOCK_USAGE)
        return
    ticket = service.ticket_in_group(c, raw, message.chat_id)
    if ticket is None:
        await answer_in_group(update, t.unknown_ticket(raw))
        return
    await answer_in_group(update, staff_actions.unblock(c, update, ticket))


async def staff_reply(update: Update, context: GroupContext) -> None:
    """A reply in the staff group to a ticket's message: copied to the employee; one that starts with "!"
    is an internal note instead."""
    c = consultation(context)
    message = update.effective_message
    body = staff_tools.note_body(message.text if message is not None else None)
    if body is not None and service.in_staff_group(c, update):
        await staff_answers.note(c, update, body)
        return
    await service.relay_answer(c, update)


async def staff_loose(update: Update, context: GroupContext) -> None:
    """A staff message that replies to nothing: maybe an answer to the ticket its writer just took."""
    await staff_answers.loose_message(consultation(context), update)


async def jawab(update: Update, context: GroupContext) -> None:
    """/jawab N TOPIK: the topic's published answer to ticket N's employee, as the staff answer."""
    c = consultation(context)
    if await _in_staff_group(c, update):
        await staff_answers.jawab(c, update, context.args or [])


async def jawaban_siap_pakai(update: Update, context: GroupContext) -> None:
    """The header's "Jawaban siap pakai" button: the topics that match the ticket's question."""
    ticket = await _button_ticket(update, context)
    if ticket is not None:
        await staff_answers.canned_list(consultation(context), update, ticket)


async def pilih_jawaban(update: Update, context: GroupContext) -> None:
    """A topic of the "Jawaban siap pakai" list: asked to confirm."""
    ticket = await _button_ticket(update, context)
    if ticket is not None:
        await staff_answers.pick_topic(consultation(context), update, ticket, _fields(context)[1])


async def _button_ticket(update: Update, context: GroupContext) -> Ticket | None:
    """The ticket a staff-group button names (its first field); None after answering the press."""
    c = consultation(context)
    query = update.callback_query
    chat = update.effective_chat
    assert query is not None
    if chat is None or not service.in_staff_group(c, update):
        await query.answer()
        return None
    raw_ticket = _fields(context)[0]
    ticket = service.ticket_in_group(c, raw_ticket, chat.id)
    if ticket is None:
        await query.answer(t.unknown_ticket(raw_ticket), show_alert=True)
    return ticket


async def kirim(update: Update, context: GroupContext) -> None:
    """ "Kirim" on a send that waits for its staff member."""
    await _confirm(update, context, send=True)


async def bukan(update: Update, context: GroupContext) -> None:
    """ "Bukan jawaban" / "Batal" on a send that waits for its staff member."""
    await _confirm(update, context, send=False)


async def _staff_group_button(update: Update, context: GroupContext) -> Consultation | None:
    """The consultation of a button pressed in the staff group; None (its spinner stopped) elsewhere."""
    c = consultation(context)
    query = update.callback_query
    assert query is not None
    if not service.in_staff_group(c, update):
        await query.answer()
        return None
    return c


async def _confirm(update: Update, context: GroupContext, *, send: bool) -> None:
    c = await _staff_group_button(update, context)
    if c is not None:
        await staff_answers.confirm(c, update, _fields(context)[0], send)


async def catatan(update: Update, context: GroupContext) -> None:
    """/catatan TEKS as a reply to a ticket's message: an internal note."""
    c = consultation(context)
    message = update.effective_message
    assert message is not None
    if await _in_staff_group(c, update):
        body = (message.text or "").partition(" ")[2].strip()
        await staff_answers.note(c, update, body)


async def templat(update: Update, context: GroupContext) -> None:
    """/templat: the staff group's reusable replies (list, simpan, hapus, send)."""
    c = consultation(context)
    if await _in_staff_group(c, update):
        await staff_answers.templat(c, update, context.args or [])


async def riwayat(update: Update, context: GroupContext) -> None:
    """/riwayat N: the ticket's whole exchange, notes included, paged."""
    c = consultation(context)
    if await _in_staff_group(c, update):
        await staff_history.riwayat(c, update, context.args or [])


async def riwayat_button(update: Update, context: GroupContext) -> None:
    """A page of /riwayat, or a ticket found by /cari_tiket."""
    c = await _staff_group_button(update, context)
    if c is not None:
        await staff_history.riwayat_button(c, update, *_fields(context))


async def cari_tiket(update: Update, context: GroupContext) -> None:
    """/cari_tiket KATA: the group's tickets of the last 90 days by number, NIP or words."""
    c = consultation(context)
    if await _in_staff_group(c, update):
        await staff_history.cari_tiket(c, update, " ".join(context.args or []))


async def cari_button(update: Update, context: GroupContext) -> None:
    """A page of /cari_tiket."""
    c = await _staff_group_button(update, context)
    if c is not None:
        await staff_history.cari_button(c, update, *_fields(context))


async def ignore_button(update: Update, context: GroupContext) -> None:
    """A button of this group that is stale, forged or pressed in the wrong chat: only its spinner stops."""
    query = update.callback_query
    assert query is not None
    await query.answer()


def register(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Wire the consultation's handlers: a command and its button are registered next to each other."""
    private = filters.ChatType.PRIVATE
    groups = filters.ChatType.GROUPS
    new_messages = filters.UpdateType.MESSAGE
    app.add_handler(CommandHandler("tiket", tiket, filters=new_messages))
    app.add_handler(CommandHandler("ambil", ambil, filters=new_messages))
    app.add_handler(CallbackQueryHandler(ambil_button, pattern=PATTERNS["ambil"]))
    app.add_handler(CommandHandler("tutup", tutup, filters=new_messages))
    app.add_handler(CallbackQueryHandler(tutup_button, pattern=PATTERNS["tutup"]))
    app.add_handler(CommandHandler("alihkan", alihkan, filters=new_messages))
    app.add_handler(CallbackQueryHandler(alihkan_button, pattern=PATTERNS["alih"]))
    app.add_handler(CommandHandler("area", area, filters=new_messages))
    app.add_handler(CommandHandler("pegawai", pegawai, filters=new_messages))
    app.add_handler(CallbackQueryHandler(pegawai_button, pattern=PATTERNS["pegawai"]))
    app.add_handler(CommandHandler("blokir", blokir, filters=new_messages))
    app.add_handler(CommandHandler("bukablokir", bukablokir, filters=new_messages))
    app.add_handler(MessageHandler(groups & new_messages & filters.REPLY & ~filters.COMMAND, staff_reply))
    app.add_handler(MessageHandler(groups & new_messages & ~filters.REPLY & ~filters.COMMAND, staff_loose))
    app.add_handler(CommandHandler("jawab", jawab, filters=new_messages))
    app.add_handler(CallbackQueryHandler(jawaban_siap_pakai, pattern=PATTERNS["jsp"]))
    app.add_handler(CallbackQueryHandler(pilih_jawaban, pattern=PATTERNS["jwp"]))
    app.add_handler(CallbackQueryHandler(kirim, pattern=PATTERNS["kirim"]))
    app.add_handler(CallbackQueryHandler(bukan, pattern=PATTERNS["bukan"]))
    app.add_handler(CommandHandler("catatan", catatan, filters=new_messages))
    app.add_handler(CommandHandler("templat", templat, filters=new_messages))
    app.add_handler(CommandHandler("riwayat", riwayat, filters=new_messages))
    app.add_handler(CallbackQueryHandler(riwayat_button, pattern=PATTERNS["riw"]))
    app.add_handler(CommandHandler("cari_tiket", cari_tiket, filters=new_messages))
    app.add_handler(CallbackQueryHandler(cari_button, pattern=PATTERNS["cari"]))
    app.add_handler(CallbackQueryHandler(how_to_ask, pattern=PATTERNS["tanya"]))
    app.add_handler(MessageHandler(private & new_messages & ~filters.COMMAND, question))
    app.add_handler(CallbackQueryHandler(faq_answer, pattern=PATTERNS["faq"]))
    app.add_handler(CallbackQueryHandler(faq_topic, pattern=PATTERNS["faqt"]))
    app.add_handler(CallbackQueryHandler(pilih, pattern=PATTERNS["pilih"]))
    app.add_handler(CommandHandler("tiketsaya", tiketsaya, filters=private & new_messages))
    app.add_handler(CallbackQueryHandler(tiketsaya, pattern=PATTERNS["tiketsaya"]))
    app.add_handler(CallbackQueryHandler(tiketsaya_ticket, pattern=PATTERNS["tsl"]))
    app.add_handler(CommandHandler("selesai", selesai, filters=private & new_messages))
    app.add_handler(CallbackQueryHandler(nilai, pattern=PATTERNS["nilai"]))
    app.add_handler(CommandHandler("lewati", lewati, filters=private & new_messages))
    app.add_handler(CallbackQueryHandler(lewati_button, pattern=PATTERNS["lewati"]))
    app.add_handler(CallbackQueryHandler(ignore_button))
