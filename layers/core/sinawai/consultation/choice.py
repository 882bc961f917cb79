"""Several questions at once: a message sent while a ticket is open waits (in MySQL) for the employee to
choose "Tambahkan ke tiket #N" or "Pertanyaan baru"; a Telegram reply to a ticket's message joins that
ticket without asking. Each held message is placed once, whichever button is pressed and however often."""

from __future__ import annotations

from dataclasses import dataclass

from telegram import Message, ReplyParameters, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest

from sinawai.common.numbers import parse_int
from sinawai.consultation import choice_store, choices, store
from sinawai.consultation import texts as t
from sinawai.consultation.choice_store import PendingMessage
from sinawai.consultation.choices import Choice, OpenTicket
from sinawai.consultation.deps import ACTING, Consultation, message_id_of, say
from sinawai.consultation.keyboards import choice_buttons
from sinawai.consultation.store import Ticket
from sinawai.consultation.tickets import Status
from sinawai.general import menu
from sinawai.platform import clock
from sinawai.registration.employees import Employee
from sinawai.registration.guards import active_employee
from sinawai.telegram.ui import not_modified


def live_tickets(c: Consultation, nip: str) -> list[Ticket]:
    """The NIP's tickets a message can still go to, latest first."""
    open_now = store.open_of(c.db, nip)
    live = choices.live_tickets(
        [OpenTicket(x.id, x.status, x.assigned_staff_id is not None, x.last_answer_at) for x in open_now],
        clock.utcnow(),
        c.settings.reopen_window,
    )
    by_id = {x.id: x for x in open_now}
    return [by_id[x.id] for x in live]


def replied_ticket(c: Consultation, message: Message, employee: Employee) -> Ticket | None:
    """The employee's open ticket whose bot message this message replies to (None: not such a reply)."""
    replied = message.reply_to_message
    if replied is None:
        return None
    ticket = choice_store.ticket_of_private(c.db, message.chat_id, replied.message_id, employee.nip)
    return ticket if ticket is not None and ticket.status is not Status.SELESAI else None


async def hold_if_open(c: Consultation, update: Update, employee: Employee) -> bool:
    """With tickets open, keep the message and ask where it goes (True); nothing open: False."""
    message = update.effective_message
    assert message is not None
    live = live_tickets(c, employee.nip)
    max_open = c.settings.max_open_tickets
    prompt = choices.prompt_for([x.id for x in live], max_open)
    if prompt is None:
        return False
    pending = choice_store.hold(
        c.db,
        update_id=update.update_id,
        chat_id=message.chat_id,
        nip=employee.nip,
        message_id=message.message_id,
        offered=prompt.offered,
        ttl=choices.CHOICE_TTL,
    )
    text = t.choice_prompt(
        prompt.open_ids,
        {x.id: x.status for x in live},
        new_allowed=prompt.new_allowed,
        max_open=max_open,
        ttl_hours=int(choices.CHOICE_TTL.total_seconds() // 3600),
    )
    sent = await c.once(
        update,
        "choice_prompt",
        lambda: message_id_of(
            message.get_bot().send_message(
                message.chat_id,
                text,
                parse_mode=ParseMode.HTML,
                reply_markup=choice_buttons(pending.id, prompt.offered, new_allowed=prompt.new_allowed),
                reply_parameters=ReplyParameters(message.message_id, allow_sending_without_reply=True),
            )
        ),
    )
    if sent is not None:
        choice_store.set_prompt(c.db, pending.id, sent)
    return True


@dataclass(frozen=True)
class Claimed:
    """A held message whose placement this press decided (or a retry of that press)."""

    employee: Employee
    pending: PendingMessage
    chosen: Choice


async def claim(c: Consultation, update: Update, raw_id: str, raw_choice: str) -> Claimed | None:
    """A "Tambahkan ke tiket #N" or "Pertanyaan baru" button: the held message, claimed once for this
    press; None after telling why not (decided already, expired, the limit, a forged button)."""
    query = update.callback_query
    chat = update.effective_chat
    assert query is not None
    assert chat is not None
    choice_id = parse_int(raw_id)
    pending = choice_store.get(c.db, choice_id) if choice_id is not None else None
    if pending is None or pending.chat_id != chat.id:
        await query.answer(t.CHOICE_GONE, show_alert=True)
        return None
    employee = await active_employee(update, c.db, ACTING, nip=pending.nip, alert=True)
    if employee is None:
        return None
    chosen = choices.parse_choice(raw_choice, pending.offered)
    if chosen is None:
        await query.answer(t.CHOICE_GONE, show_alert=True)
        return None
    if c.staff_group is None:
        c.logger.error("STAFF_GROUP_CHAT_ID is not set: a consultation cannot be forwarded")
        await query.answer(menu.SERVICE_NOT_READY_ALERT, show_alert=True)
        return None
    max_open = c.settings.max_open_tickets
    retry = pending.chosen_update_id == update.update_id
    waiting = pending.status == "menunggu" and not choices.expired(pending.expires_at, clock.utcnow())
    if chosen == choices.NEW and not retry and waiting:
        open_ids = [x.id for x in live_tickets(c, employee.nip)]
        if choices.at_limit(len(open_ids), max_open):
            # The message stays held: it can still be added to one of the open tickets.
            await query.answer()
            await say(update, t.open_limit_reached(open_ids, max_open))
            return None
    if not choice_store.claim(c.db, pending.id, raw_choice, update.update_id):
        fresh = choice_store.get(c.db, pending.id)
        decided = fresh is not None and fresh.status == "dipilih"
        await query.answer(t.CHOICE_DECIDED if decided else t.CHOICE_EXPIRED, show_alert=True)
        return None
    await query.answer()
    await _settle_prompt(update, chosen)
    return Claimed(employee, pending, chosen)


def question_text(c: Consultation, pending: PendingMessage) -> str | None:
    """The held message's text as the message log recorded it; None for media (no FAQ for those)."""
    return choice_store.logged_text(c.db, pending.chat_id, pending.message_id)


async def offer_again(c: Consultation, update: Update, pending: PendingMessage) -> None:
    """The prompt again, in place, with only the open tickets to add to (a new one was just refused)."""
    query = update.callback_query
    assert query is not None
    live = live_tickets(c, pending.nip)
    ids = [x.id for x in live]
    text = t.choice_prompt(
        ids,
        {x.id: x.status for x in live},
        new_allowed=False,
        max_open=c.settings.max_open_tickets,
        ttl_hours=int(choices.CHOICE_TTL.total_seconds() // 3600),
    )
    offered = [n for n in ids if n in pending.offered]
    try:
        await query.edit_message_text(
            text,
            parse_mode=ParseMode.HTML,
            reply_markup=choice_buttons(pending.id, offered, new_allowed=False),
        )
    except BadRequest as e:
        if not not_modified(e):
            raise


async def _settle_prompt(update: Update, chosen: int | str) -> None:
    """The prompt says what was chosen; its buttons go."""
    query = update.callback_query
    assert query is not None
    try:
        await query.edit_message_text(t.choice_settled(chosen), parse_mode=ParseMode.HTML, reply_markup=None)
    except BadRequest as e:
        if not not_modified(e):
            raise
