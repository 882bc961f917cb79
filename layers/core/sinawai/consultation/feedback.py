"""The employee's end of a consultation: /selesai closes their open ticket, then a rating (1-5 stars) and a
comment (or /lewati). A ticket belongs to its NIP: it is rated and commented from the account bound to it
now, by an active employee, so an old button or a pending comment of an account that has left changes
nothing."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import Update
from telegram.constants import ParseMode

from sinawai.common.numbers import parse_int
from sinawai.consultation import guest, service, store, tickets
from sinawai.consultation import texts as t
from sinawai.consultation.deps import ACTING, Consultation, actor_of, say
from sinawai.consultation.keyboards import rating_buttons, skip_comment_button
from sinawai.platform import conversations
from sinawai.registration.guards import active_employee
from sinawai.router.commands import CONSULTATION

AWAITING_COMMENT = "awaiting_comment"
COMMENT_TTL_SECONDS = 900
MAX_COMMENT_CHARS = 2000


async def finish(c: Consultation, update: Update, args: Sequence[str] = ()) -> None:
    """The employee closes their open ticket (``/selesai N``: ticket N, needed when several are open) and
    is asked to rate it; a guest's /selesai is guest.finish's."""
    if await guest.finish(c, update):
        return
    employee = await active_employee(update, c.db, ACTING)
    if employee is None:
        return
    # the NIP's tickets, and the guest tickets asked from this account before it was registered
    user = update.effective_user
    guest_open = guest.open_of_account(c, user.id) if user is not None else []
    open_now = sorted([*store.open_of(c.db, employee.nip), *guest_open], key=lambda x: x.id)
    if not open_now:
        await say(update, t.NOTHING_TO_CLOSE)
        return
    if args:
        wanted = parse_int(args[0].lstrip("#"))
        found = [x for x in open_now if x.id == wanted]
        if not found:
            await say(update, t.not_your_open_ticket(args[0]))
            return
        ticket = found[0]
    elif len(open_now) > 1:
        await say(update, t.which_to_close([x.id for x in reversed(open_now)]))
        return
    else:
        ticket = open_now[0]
    error = await service.close(c, update, ticket, actor_of(update, "pegawai"))
    if error is not None:
        await say(update, error)
        return
    await say(update, t.CLOSED_BY_YOU.format(id=ticket.id), rating_buttons(ticket.id))


async def rate(c: Consultation, update: Update, raw_ticket: str, raw_rating: str) -> None:
    """Store the rating, then ask for a comment."""
    query = update.callback_query
    chat = update.effective_chat
    assert query is not None
    assert chat is not None
    ticket_id = parse_int(raw_ticket)
    ticket = store.get(c.db, ticket_id) if ticket_id is not None else None
    rating = parse_int(raw_rating, maximum=9) or 0
    if ticket is None or not tickets.valid_rating(rating):
        await query.answer(t.RATING_NOT_AVAILABLE, show_alert=True)
        return
    if not await guest.may_act(c, update, ticket, alert=True):
        return
    if not store.rate(c.db, ticket.id, rating, actor_of(update, "pegawai")):
        text = t.ALREADY_RATED if ticket.rating is not None else t.RATING_NOT_AVAILABLE
        await query.answer(text, show_alert=True)
        return
    await query.answer()
    await query.edit_message_text(
        t.RATED.format(id=ticket.id, stars="⭐" * rating, rating=rating), parse_mode=ParseMode.HTML
    )
    conversations.start_conversation(
        c.db,
        chat.id,
        CONSULTATION,
        AWAITING_COMMENT,
        data={"ticket": ticket.id},
        ttl_seconds=COMMENT_TTL_SECONDS,
    )
    await say(update, t.ASK_COMMENT, skip_comment_button(ticket.id))


def _awaited_ticket(c: Consultation, chat_id: int) -> tuple[bool, store.Ticket | None]:
    """Whether a comment is awaited in the chat, and on which ticket (None: a ticket that is gone)."""
    pending = conversations.conversation_state(c.db, chat_id, CONSULTATION)
    if pending is None or pending[0] != AWAITING_COMMENT:
        return False, None
    return True, store.get(c.db, int(pending[1].get("ticket", 0)))


async def take_comment(c: Consultation, update: Update) -> bool:
    """The message is the comment awaited after a rating (True: it was taken, or refused)."""
    message = update.effective_message
    assert message is not None
    awaited, commented = _awaited_ticket(c, message.chat_id)
    if not awaited:
        return False
    if commented is None:
        conversations.end_conversation(c.db, message.chat_id)  # a comment for no ticket: it is a question
        return False
    if not await guest.may_act(c, update, commented):
        return True
    if not message.text:
        await say(update, t.COMMENT_TEXT_EXPECTED)
        return True
    comment = message.text.strip()[:MAX_COMMENT_CHARS]
    store.comment(c.db, commented.id, comment, actor_of(update, "pegawai"))
    conversations.end_conversation(c.db, message.chat_id)
    await say(update, t.COMMENT_THANKS)
    return True


async def skip_comment(c: Consultation, update: Update) -> None:
    """No comment after the rating."""
    chat = update.effective_chat
    assert chat is not None
    awaited, commented = _awaited_ticket(c, chat.id)
    if not awaited:
        await say(update, t.NOTHING_TO_SKIP)
        return
    if commented is None or not await guest.may_act(c, update, commented):
        return
    conversations.end_conversation(c.db, chat.id)
    await say(update, t.COMMENT_SKIPPED)
