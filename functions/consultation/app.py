"""ConsultationFunction: free-text questions become tickets in the staff group; staff replies go back.

An employee's plain message in the private chat opens a ticket (or joins their open one); the bot posts a
header with Ambil / Tutup buttons in the staff group and copies the question under it. A staff member's
reply to any message of a ticket is copied back to the employee. Which staff-group message belongs to
which ticket lives in MySQL, so replies work after any cold start.
"""

import html
import os
from collections.abc import Awaitable
from datetime import UTC, datetime, timedelta
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext
from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    ReplyParameters,
    Update,
)
from telegram.constants import ChatType, ParseMode
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from sinawai.common.numbers import parse_int
from sinawai.common.working_hours import WorkingHours, indonesian_holidays
from sinawai.consultation import faq, staff_delivery, tickets
from sinawai.consultation import store as tickets_db
from sinawai.consultation import texts as t
from sinawai.consultation.staff_delivery import Pacing, ticket_buttons
from sinawai.consultation.store import SYSTEM, Actor, Ticket
from sinawai.consultation.tickets import Status, TransitionError
from sinawai.general import menu
from sinawai.information import content
from sinawai.information.content import Bundle, Topic
from sinawai.information.content_store import ContentStore
from sinawai.platform import clock, conversations, service_records, updates
from sinawai.registration import employees
from sinawai.registration.employees import Employee
from sinawai.router.commands import CONSULTATION
from sinawai.telegram.runtime import GroupFunction, not_modified

AWAITING_COMMENT = "awaiting_comment"
COMMENT_TTL_SECONDS = 900
MAX_COMMENT_CHARS = 2000
# What copyMessage can relay to staff; anything else (location, contact, poll, ...) is refused politely.
SUPPORTED_MEDIA = ("photo", "document", "voice", "video", "audio", "sticker", "video_note", "animation")


def _int_env(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    return int(raw) if raw else default


function = GroupFunction(CONSULTATION, lambda app: register_handlers(app))
hours = WorkingHours.from_spec(
    os.environ.get("WORKING_HOURS"), timezone=function.settings.timezone, is_holiday=indonesian_holidays()
)
REOPEN_WINDOW = timedelta(hours=_int_env("CONSULTATION_REOPEN_HOURS", tickets.DEFAULT_REOPEN_HOURS))
FORUM_TOPICS = os.environ.get("CONSULTATION_FORUM_TOPICS", "").strip().lower() in ("1", "true", "yes")
RATE_LIMIT_MESSAGES = _int_env("CONSULTATION_RATE_LIMIT_MESSAGES", tickets.DEFAULT_RATE_LIMIT_MESSAGES)
RATE_LIMIT_WINDOW = timedelta(
    seconds=_int_env("CONSULTATION_RATE_LIMIT_SECONDS", tickets.DEFAULT_RATE_LIMIT_SECONDS)
)
DELIVERY_QUEUE_URL = os.environ.get("STAFF_DELIVERY_QUEUE_URL", "").strip()
PACING = Pacing.from_env()
content_store = ContentStore(function.settings.documents_bucket)
FAQ_THRESHOLD = float(os.environ.get("FAQ_MATCH_THRESHOLD", "").strip() or faq.DEFAULT_THRESHOLD)
MAX_QUESTION_CHARS = 4096
AUTO_CLOSE_WORKING_DAYS = _int_env(
    "CONSULTATION_AUTO_CLOSE_WORKING_DAYS", tickets.DEFAULT_AUTO_CLOSE_WORKING_DAYS
)


# ---- helpers --------------------------------------------------------------------------------------------


def staff_group() -> int | None:
    return function.settings.staff_group_chat_id


def in_staff_group(update: Update) -> bool:
    chat = update.effective_chat
    return chat is not None and staff_group() is not None and chat.id == staff_group()


def actor_of(update: Update, actor_type: tickets_db.ActorType) -> Actor:
    user = update.effective_user
    return Actor(actor_type, user.id if user else None, user.full_name if user else None)


async def say(update: Update, text: str, markup: InlineKeyboardMarkup | None = None) -> Message:
    message = update.effective_message
    assert message is not None
    return await message.get_bot().send_message(
        message.chat_id, text, parse_mode=ParseMode.HTML, reply_markup=markup
    )


async def answer_in_group(update: Update, text: str) -> None:
    """A short answer in the staff group, as a reply to the staff member's message."""
    message = update.effective_message
    assert message is not None
    await message.reply_html(text, do_quote=True)


async def entitled(update: Update, nip: str | None, *, alert: bool = False) -> Employee | None:
    """The active employee bound to this account now, and to ``nip`` when given; otherwise None, after
    telling the sender what to do (as an alert for a button). Every employee action on a question or a
    ticket asks this first, so an old button or a pending step of an account that has left, or of an
    employee who was deactivated, changes nothing."""
    user = update.effective_user
    employee = employees.by_telegram(function.db, user.id) if user else None
    if employee is None or (nip is not None and employee.nip != nip):
        text = t.NOT_BOUND_ACTION
    elif not employee.active:
        text = t.INACTIVE_ACTION
    else:
        return employee
    if alert and update.callback_query is not None:
        await update.callback_query.answer(text, show_alert=True)
    else:
        await say(update, text)
    return None


def recipient(ticket: Ticket) -> int | None:
    """The private chat that gets the employee's side of the ticket: the account bound to its NIP now
    (a ticket belongs to the NIP, not to the account it was asked from); None when none is bound."""
    employee = employees.by_nip(function.db, ticket.nip)
    return employee.telegram_id if employee is not None else None


def own_ticket(update: Update, ticket: Ticket) -> bool:
    """Whether the staff member acting is the ticket's employee (their account is bound to its NIP)."""
    user = update.effective_user
    employee = employees.by_telegram(function.db, user.id) if user else None
    return employee is not None and employee.nip == ticket.nip


def rating_buttons(ticket_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(f"{n} ⭐", callback_data=f"{CONSULTATION}:nilai:{ticket_id}:{n}")
                for n in tickets.RATINGS
            ]
        ]
    )


def header_text(ticket: Ticket, employee: Employee | None) -> str:
    return staff_delivery.header_text(ticket, employee, hours.zone)


async def message_id_of(sent: Awaitable[Any]) -> int:
    return int((await sent).message_id)


async def refresh_header(bot: Bot, ticket_id: int) -> None:
    """Show the ticket's current status (and who handles it) in its header; buttons go once closed."""
    ticket = tickets_db.get(function.db, ticket_id)
    if ticket is None or ticket.header_message_id is None:
        return
    employee = employees.by_nip(function.db, ticket.nip)
    markup = None if ticket.status is Status.SELESAI else ticket_buttons(ticket.id)
    try:
        await bot.edit_message_text(
            header_text(ticket, employee),
            chat_id=ticket.staff_chat_id,
            message_id=ticket.header_message_id,
            parse_mode=ParseMode.HTML,
            reply_markup=markup,
        )
    except BadRequest as e:
        if not not_modified(e):
            function.logger.warning("could not update a ticket header", extra={"reason": e.message})


async def create_topic(update: Update, staff: int, ticket: Ticket, employee: Employee) -> int | None:
    """A forum topic for the ticket; None when the staff group is not a forum (or topics cannot be made)."""
    name = f"Tiket #{ticket.id} · {employee.nama}"[:128]
    try:
        topic = await update.get_bot().create_forum_topic(staff, name)
    except BadRequest as e:
        function.logger.warning("no forum topic for the ticket", extra={"reason": e.message})
        return None
    return topic.message_thread_id


def next_opening_if_closed() -> Any:
    now = clock.utcnow().replace(tzinfo=UTC)
    return None if hours.is_open(now) else hours.next_opening(now)


def supported(message: Message) -> bool:
    return message.text is not None or any(getattr(message, kind) for kind in SUPPORTED_MEDIA)


# ---- the employee's question ---------------------------------------------------------------------------


async def on_private_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A plain message in the private chat: a comment being awaited, or a question for the staff."""
    message = update.effective_message
    user = update.effective_user
    assert message is not None
    assert user is not None
    db = function.db
    pending = conversations.conversation_state(db, message.chat_id, CONSULTATION)
    if pending is not None and pending[0] == AWAITING_COMMENT:
        commented = tickets_db.get(db, int(pending[1].get("ticket", 0)))
        if commented is not None:
            if await entitled(update, commented.nip) is not None:
                await accept_comment(update, commented.id)
            return
        conversations.end_conversation(
            db, message.chat_id
        )  # a comment for no ticket: the message is a question

    employee = employees.by_telegram(db, user.id)
    if employee is None:
        await say(update, t.NOT_REGISTERED)
        return
    if not employee.active:
        await say(update, t.INACTIVE)
        return
    if not supported(message):
        await say(update, t.UNSUPPORTED_MEDIA)
        return
    staff = staff_group()
    if staff is None:
        function.logger.error("STAFF_GROUP_CHAT_ID is not set: a consultation cannot be forwarded")
        await say(update, menu.SERVICE_NOT_READY_ALERT)
        return
    since = clock.utcnow() - RATE_LIMIT_WINDOW
    retried = tickets_db.placed_by_update(db, update.update_id)
    if not retried and tickets.rate_limited(
        tickets_db.recent_questions(db, user.id, since), RATE_LIMIT_MESSAGES
    ):
        minutes = max(1, int(RATE_LIMIT_WINDOW.total_seconds() // 60))
        await say(update, t.RATE_LIMITED.format(minutes=minutes))
        return

    # No ticket open: the published FAQ topics first. Only "no" (or no good match) opens a ticket.
    no_ticket = message.text and not retried and tickets_db.latest_open_of(db, employee.nip) is None
    if no_ticket and message.text and await offer_faq(update, employee, message.text):
        return
    ticket = await open_ticket(update, employee, message.message_id)
    # A question no topic matched was recorded as such: it now names its ticket.
    service_records.link_ticket(db, update.update_id, ticket.id)


async def open_ticket(update: Update, employee: Employee, question_message_id: int) -> Ticket:
    """Place the question (new ticket, or the open one), post it to the staff group, acknowledge it."""
    chat = update.effective_chat
    assert chat is not None
    staff = staff_group()
    assert staff is not None
    db = function.db
    tickets_db.clear_blocked(db, employee.nip)
    placed = tickets_db.place_question(
        db,
        nip=employee.nip,
        chat_id=chat.id,
        staff_chat_id=staff,
        actor=actor_of(update, "pegawai"),
        reopen_window=REOPEN_WINDOW,
        message_id=question_message_id,
        update_id=update.update_id,
    )
    # A retry of this update (Lambda's, after a failed call below) finds the placement recorded and
    # resumes after the last call that went through.
    ticket = placed.ticket
    bot = update.get_bot()
    if placed.decision.placement == "new" and FORUM_TOPICS and ticket.message_thread_id is None:
        thread_id = await function.once(
            update, "topic", lambda: create_topic(update, staff, ticket, employee)
        )
        if thread_id is not None:
            tickets_db.set_thread(db, ticket.id, thread_id)
            # In a forum topic, a message without an explicit reply replies to the topic's first message:
            # anything the staff write in the ticket's topic is an answer.
            tickets_db.map_message(db, ticket.id, staff, thread_id, "notice")
    # The header and the copy go through the outbox: paced by the delivery queue, or posted now.
    if DELIVERY_QUEUE_URL:
        staff_delivery.enqueue(DELIVERY_QUEUE_URL, tickets_db.pending_outbox(db, ticket.id))
    else:
        await staff_delivery.deliver_pending(bot, db, ticket.id, hours.zone, PACING)
    if placed.decision.placement == "reopen":
        await refresh_header(update.get_bot(), ticket.id)

    opening = next_opening_if_closed()
    if placed.decision.placement == "new":
        await say(update, t.acknowledgement(ticket.id, opening, hours.zone))
    else:
        await say(
            update, t.added_to_ticket(ticket.id, placed.decision.placement == "reopen", opening, hours.zone)
        )
    return ticket


# ---- FAQ answers before a consultation --------------------------------------------------------------------


def faq_markup(offer_id: int, topics: list[Topic], shown: int) -> InlineKeyboardMarkup:
    rows = [
        [InlineKeyboardButton(f"📖 {topic.title}", callback_data=f"{CONSULTATION}:faqt:{offer_id}:{n}")]
        for n, topic in enumerate(topics)
        if n != shown
    ]
    rows.append(
        [
            InlineKeyboardButton(t.FAQ_YES, callback_data=f"{CONSULTATION}:faq:{offer_id}:ya"),
            InlineKeyboardButton(t.FAQ_NO, callback_data=f"{CONSULTATION}:faq:{offer_id}:tidak"),
        ]
    )
    return InlineKeyboardMarkup(rows)


def faq_text(topic: Topic, bundle: Bundle, others: int) -> str:
    more = t.FAQ_MORE if others else ""
    return f"{t.FAQ_INTRO}\n\n{content.answer_html(topic, bundle.area(topic.area))}\n\n{more}{t.FAQ_QUESTION}"


async def offer_faq(update: Update, employee: Employee, question: str) -> bool:
    """Offer the best matching topics (True), or record that none matched well enough (False)."""
    message = update.effective_message
    assert message is not None
    bundle = content_store.get()
    if not bundle.topics:
        return False  # nothing published: no FAQ to offer
    db = function.db
    matches = faq.best_matches(question, bundle, threshold=FAQ_THRESHOLD)
    best = max((faq.score(question, topic) for topic in bundle.topics), default=0.0)
    offer = service_records.record_offer(
        db,
        chat_id=message.chat_id,
        nip=employee.nip,
        question=question[:MAX_QUESTION_CHARS],
        topic_ids=[m.topic.id for m in matches],
        best_score=best,
        question_message_id=message.message_id,
        update_id=update.update_id,
        outcome="menunggu" if matches else "tanpa_kecocokan",
    )
    if not matches:
        return False
    topics = [m.topic for m in matches]
    sent = await function.once(
        update,
        "faq_offer",
        lambda: message_id_of(
            message.get_bot().send_message(
                message.chat_id,
                faq_text(topics[0], bundle, len(topics) - 1),
                parse_mode=ParseMode.HTML,
                reply_markup=faq_markup(offer.id, topics, 0),
                disable_web_page_preview=True,
                # under the question it answers (still sent if the employee deleted the question)
                reply_parameters=ReplyParameters(message.message_id, allow_sending_without_reply=True),
            )
        ),
    )
    if sent is not None:
        service_records.set_offer_message(db, offer.id, sent)
    service_records.record_view(db, message.chat_id, topics[0].area, topics[0].id, "faq")
    return True


async def on_faq_button(update: Update, parts: list[str]) -> None:
    """Another offered topic, "Ya, terjawab" or "Tidak, teruskan ke petugas"."""
    query = update.callback_query
    chat = update.effective_chat
    assert query is not None
    assert chat is not None
    db = function.db
    offer_id = parse_int(parts[2])
    offer = service_records.offer(db, offer_id) if offer_id is not None else None
    if offer is None or offer.chat_id != chat.id:
        await query.answer(t.FAQ_GONE, show_alert=True)
        return
    employee = await entitled(update, offer.nip or "", alert=True)
    if employee is None:
        return
    if parts[1] == "faqt":
        await show_offered_topic(update, offer, parts[3])
        return
    forwarding_again = offer.outcome == "diteruskan" and offer.ticket_id is None  # a retried "Tidak"
    if offer.outcome != "menunggu" and not forwarding_again:
        await query.answer(t.FAQ_DECIDED, show_alert=True)
        return
    if parts[3] == "ya":
        if service_records.decide(db, offer.id, "terjawab"):
            await query.answer()
            await drop_buttons(update)
            await say(update, t.FAQ_THANKS)
        else:
            await query.answer(t.FAQ_DECIDED, show_alert=True)
        return
    if parts[3] != "tidak":
        await query.answer()
        return
    if not forwarding_again and not service_records.decide(db, offer.id, "diteruskan"):
        await query.answer(t.FAQ_DECIDED, show_alert=True)
        return
    if offer.question_message_id is None:
        await query.answer(t.FAQ_GONE, show_alert=True)
        return
    if staff_group() is None:
        function.logger.error("STAFF_GROUP_CHAT_ID is not set: a consultation cannot be forwarded")
        await query.answer(menu.SERVICE_NOT_READY_ALERT, show_alert=True)
        return
    await query.answer()
    await drop_buttons(update)
    ticket = await open_ticket(update, employee, offer.question_message_id)
    service_records.set_ticket(db, offer.id, ticket.id)


async def show_offered_topic(update: Update, offer: service_records.FaqOffer, raw_index: str) -> None:
    query = update.callback_query
    chat = update.effective_chat
    assert query is not None
    assert chat is not None
    bundle = content_store.get()
    index = parse_int(raw_index, maximum=99)
    index = -1 if index is None else index
    topics = [topic for topic in (bundle.topic(i) for i in offer.topic_ids) if topic is not None]
    if not 0 <= index < len(offer.topic_ids) or offer.outcome != "menunggu":
        await query.answer(t.FAQ_DECIDED if offer.outcome != "menunggu" else t.FAQ_GONE, show_alert=True)
        return
    topic = bundle.topic(offer.topic_ids[index])
    if topic is None or not topics:
        # The content changed since the offer: the question can still go to the staff.
        await query.answer(t.FAQ_GONE, show_alert=True)
        return
    await query.answer()
    shown = topics.index(topic)
    try:
        await query.edit_message_text(
            faq_text(topic, bundle, len(topics) - 1),
            parse_mode=ParseMode.HTML,
            reply_markup=faq_markup(offer.id, topics, shown),
            disable_web_page_preview=True,
        )
    except BadRequest as e:
        if not not_modified(e):
            raise
    service_records.record_view(function.db, chat.id, topic.area, topic.id, "faq")


async def drop_buttons(update: Update) -> None:
    """The offer is decided: its buttons go, and so does the question that asked for them."""
    query = update.callback_query
    assert query is not None
    message = query.message
    text = message.text_html if isinstance(message, Message) and message.text else None
    settled = text
    for tail in (t.FAQ_QUESTION, t.FAQ_MORE.strip()):
        if settled is not None and settled.rstrip().endswith(tail):
            settled = settled.rstrip()[: -len(tail)]
    try:
        if text is not None and settled is not None and settled != text:
            await query.edit_message_text(
                settled.rstrip(), parse_mode=ParseMode.HTML, reply_markup=None, disable_web_page_preview=True
            )
        else:
            await query.edit_message_reply_markup(None)
    except BadRequest as e:
        if not not_modified(e):
            raise


# ---- staff answers -------------------------------------------------------------------------------------


async def on_staff_reply(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A reply in the staff group to a ticket's message goes to the employee; anything else is ignored."""
    message = update.effective_message
    if message is None or not in_staff_group(update) or message.reply_to_message is None:
        return
    db = function.db
    ticket = tickets_db.ticket_of_staff_message(db, message.chat_id, message.reply_to_message.message_id)
    if ticket is None:
        return
    # An earlier attempt of this update that copied the answer already: it is recorded whatever happened
    # to the ticket since (closed, or its account unbound).
    copied_before = updates.step_done(db, update.update_id, "answer_copy")[0]
    if not copied_before:
        if ticket.status is Status.SELESAI:
            await answer_in_group(update, t.ANSWER_TO_CLOSED.format(id=ticket.id))
            return
        if own_ticket(update, ticket):
            await answer_in_group(update, t.OWN_TICKET.format(id=ticket.id))
            return
    staff = actor_of(update, "staf")
    bot = update.get_bot()
    to_chat = recipient(ticket)
    if to_chat is None and not copied_before:
        # Nobody is bound to the NIP (the employee left): nothing goes to the account it was asked from.
        tickets_db.add_event(db, ticket.id, "undeliverable", staff, detail={"reason": "unbound"})
        tickets_db.map_message(db, ticket.id, message.chat_id, message.message_id, "answer")
        await answer_in_group(update, t.UNDELIVERABLE_UNBOUND.format(id=ticket.id))
        return
    # to_chat is None only for a retry whose tag and copy both went out already: neither is sent again.
    chat_id, tag = to_chat if to_chat is not None else ticket.chat_id, t.answer_tag(ticket.id)
    try:
        # Each call once per update: a retry after a failed copy does not repeat the tag.
        await function.once(
            update,
            "answer_tag",
            lambda: message_id_of(bot.send_message(chat_id, tag, parse_mode=ParseMode.HTML)),
        )
        copied = await function.once(
            update,
            "answer_copy",
            lambda: message_id_of(
                bot.copy_message(chat_id, from_chat_id=message.chat_id, message_id=message.message_id)
            ),
        )
    except Forbidden as e:
        # Blocked: mark it, tell the staff once, and finish (no retry can deliver it).
        tickets_db.mark_blocked(db, ticket.nip)
        tickets_db.add_event(db, ticket.id, "undeliverable", staff, detail={"reason": e.message})
        tickets_db.map_message(db, ticket.id, message.chat_id, message.message_id, "answer")
        await answer_in_group(update, t.UNDELIVERABLE.format(id=ticket.id))
        return
    tickets_db.map_message(db, ticket.id, message.chat_id, message.message_id, "answer", copied)
    # The answer reached the employee: recorded under the ticket's row lock, even when a /tutup committed
    # since the ticket was read above (the close stands, the answer still counts).
    recorded = tickets_db.record_answer(db, ticket.id, staff, update_id=update.update_id)
    if recorded is not None and recorded.status is not ticket.status:
        await refresh_header(bot, ticket.id)


# ---- staff commands and buttons ------------------------------------------------------------------------


def ticket_in_group(raw: str, chat_id: int) -> Ticket | None:
    ticket_id = parse_int(raw)
    if ticket_id is None:
        return None
    ticket = tickets_db.get(function.db, ticket_id)
    return ticket if ticket is not None and ticket.staff_chat_id == chat_id else None


async def take_ticket(update: Update, ticket: Ticket) -> str:
    """Ambil; returns the answer for the staff member."""
    if own_ticket(update, ticket):
        return t.OWN_TICKET.format(id=ticket.id)
    staff = actor_of(update, "staf")
    try:
        to_status = tickets.take(ticket.status)
    except TransitionError as e:
        return t.TRANSITION_ERRORS[e.reason].format(
            id=ticket.id, who=html.escape(ticket.assigned_staff_name or "-")
        )
    if not tickets_db.transition(function.db, ticket, to_status, "taken", staff):
        return t.TRANSITION_ERRORS["taken"].format(id=ticket.id, who="petugas lain")
    await refresh_header(update.get_bot(), ticket.id)
    return t.taken(ticket.id, staff.name or "petugas")


async def close_ticket(update: Update, ticket: Ticket, actor: Actor) -> str | None:
    """Tutup / /selesai; returns an error text, or None when closed (the employee was asked to rate)."""
    if actor.type == "staf" and own_ticket(update, ticket):
        return t.OWN_TICKET.format(id=ticket.id)
    try:
        to_status = tickets.close(ticket.status)
    except TransitionError as e:
        return t.TRANSITION_ERRORS[e.reason].format(id=ticket.id, who="-")
    if not tickets_db.transition(function.db, ticket, to_status, "closed", actor):
        return t.TRANSITION_ERRORS["closed"].format(id=ticket.id)
    await refresh_header(update.get_bot(), ticket.id)
    bot = update.get_bot()
    to_chat = recipient(ticket) if actor.type == "staf" else None
    if actor.type == "staf" and to_chat is None:
        # Nobody is bound to the NIP: the rating question waits for no one, and the old account gets nothing.
        tickets_db.add_event(function.db, ticket.id, "undeliverable", actor, detail={"reason": "unbound"})
    elif to_chat is not None:
        try:
            await bot.send_message(
                to_chat,
                t.CLOSED_FOR_EMPLOYEE.format(id=ticket.id),
                parse_mode=ParseMode.HTML,
                reply_markup=rating_buttons(ticket.id),
            )
        except Forbidden as e:
            tickets_db.mark_blocked(function.db, ticket.nip)
            tickets_db.add_event(function.db, ticket.id, "undeliverable", actor, detail={"reason": e.message})
    elif ticket.header_message_id is not None:
        try:
            await bot.send_message(
                ticket.staff_chat_id,
                t.CLOSED_BY_EMPLOYEE.format(id=ticket.id),
                message_thread_id=ticket.message_thread_id,
                reply_parameters=ReplyParameters(ticket.header_message_id, allow_sending_without_reply=True),
            )
        except TelegramError:
            function.logger.exception("could not tell the staff group that a ticket was closed")
    return None


async def staff_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/tiket, /ambil N and /tutup N in the staff group."""
    message = update.effective_message
    assert message is not None
    assert message.text is not None
    if not in_staff_group(update):
        if message.chat.type == ChatType.PRIVATE:
            await say(update, t.STAFF_ONLY)
        return
    parts = message.text.split()
    command = parts[0][1:].partition("@")[0].lower()
    db = function.db
    if command == "tiket":
        now = clock.utcnow()
        rows = []
        for listed in tickets_db.open_tickets(db, message.chat_id):
            employee = employees.by_nip(db, listed.nip)
            nama = employee.nama if employee else listed.nip
            rows.append((listed.id, listed.status, nama, listed.created_at, listed.assigned_staff_name))
        await answer_in_group(update, t.open_list(rows, now))
        return
    if len(parts) != 2:
        await answer_in_group(update, t.STAFF_USAGE.format(command=command))
        return
    ticket = ticket_in_group(parts[1].lstrip("#"), message.chat_id)
    if ticket is None:
        await answer_in_group(update, t.unknown_ticket(parts[1]))
        return
    if command == "ambil":
        await answer_in_group(update, await take_ticket(update, ticket))
        return
    staff = actor_of(update, "staf")
    error = await close_ticket(update, ticket, staff)
    await answer_in_group(update, error or t.closed_by_staff(ticket.id, staff.name or "petugas"))


# ---- the employee's commands: /selesai, /lewati ------------------------------------------------------


async def selesai(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The employee closes their open ticket and is asked to rate it."""
    employee = await entitled(update, None)
    if employee is None:
        return
    ticket = tickets_db.latest_open_of(function.db, employee.nip)
    if ticket is None:
        await say(update, t.NOTHING_TO_CLOSE)
        return
    error = await close_ticket(update, ticket, actor_of(update, "pegawai"))
    if error is not None:
        await say(update, error)
        return
    await say(update, t.CLOSED_BY_YOU.format(id=ticket.id), rating_buttons(ticket.id))


async def skip_comment(update: Update) -> None:
    chat = update.effective_chat
    assert chat is not None
    pending = conversations.conversation_state(function.db, chat.id, CONSULTATION)
    if pending is None or pending[0] != AWAITING_COMMENT:
        await say(update, t.NOTHING_TO_SKIP)
        return
    commented = tickets_db.get(function.db, int(pending[1].get("ticket", 0)))
    if commented is None or await entitled(update, commented.nip) is None:
        return
    conversations.end_conversation(function.db, chat.id)
    await say(update, t.COMMENT_SKIPPED)


async def lewati(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Skip the comment after a rating."""
    await skip_comment(update)


async def accept_comment(update: Update, ticket_id: int) -> None:
    message = update.effective_message
    assert message is not None
    if not message.text:
        await say(update, t.COMMENT_TEXT_EXPECTED)
        return
    tickets_db.comment(
        function.db, ticket_id, message.text.strip()[:MAX_COMMENT_CHARS], actor_of(update, "pegawai")
    )
    conversations.end_conversation(function.db, message.chat_id)
    await say(update, t.COMMENT_THANKS)


# ---- buttons ------------------------------------------------------------------------------------------


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Tanya (how to ask), Ambil / Tutup in the staff group, the rating and Lewati in the private chat."""
    query = update.callback_query
    assert query is not None
    chat = update.effective_chat
    parts = (query.data or "").split(":")
    action = parts[1] if len(parts) > 1 else ""
    if action in ("faq", "faqt") and len(parts) == 4 and chat is not None and chat.type == ChatType.PRIVATE:
        await on_faq_button(update, parts)
        return
    if action == "tanya":
        await query.answer()
        back = menu.BACK_TO_MENU
        markup = InlineKeyboardMarkup([[InlineKeyboardButton(back.label, callback_data=back.callback_data)]])
        await say(update, t.HOW_TO_ASK, markup)
        return
    if action in ("ambil", "tutup") and len(parts) == 3 and in_staff_group(update):
        assert chat is not None
        ticket = ticket_in_group(parts[2], chat.id)
        if ticket is None:
            await query.answer(t.unknown_ticket(parts[2]), show_alert=True)
            return
        if action == "ambil":
            await query.answer(html.unescape(await take_ticket(update, ticket)))
            return
        staff = actor_of(update, "staf")
        error = await close_ticket(update, ticket, staff)
        await query.answer(html.unescape(error or t.closed_by_staff(ticket.id, staff.name or "petugas")))
        return
    if action == "nilai" and len(parts) == 4 and chat is not None and chat.type == ChatType.PRIVATE:
        await rate(update, parts[2], parts[3])
        return
    if action == "lewati" and chat is not None and chat.type == ChatType.PRIVATE:
        await query.answer()
        await query.edit_message_reply_markup(None)
        await skip_comment(update)
        return
    await query.answer()


async def rate(update: Update, raw_ticket: str, raw_rating: str) -> None:
    query = update.callback_query
    chat = update.effective_chat
    assert query is not None
    assert chat is not None
    ticket_id = parse_int(raw_ticket)
    ticket = tickets_db.get(function.db, ticket_id) if ticket_id is not None else None
    rating = parse_int(raw_rating, maximum=9) or 0
    if ticket is None or not tickets.valid_rating(rating):
        await query.answer(t.RATING_NOT_AVAILABLE, show_alert=True)
        return
    # The ticket belongs to its NIP: rated from the account bound to it now (maybe not the one it was
    # asked from), by an active employee.
    if await entitled(update, ticket.nip, alert=True) is None:
        return
    if not tickets_db.rate(function.db, ticket.id, rating, actor_of(update, "pegawai")):
        text = t.ALREADY_RATED if ticket.rating is not None else t.RATING_NOT_AVAILABLE
        await query.answer(text, show_alert=True)
        return
    await query.answer()
    await query.edit_message_text(
        t.RATED.format(id=ticket.id, stars="⭐" * rating, rating=rating), parse_mode=ParseMode.HTML
    )
    conversations.start_conversation(
        function.db,
        chat.id,
        CONSULTATION,
        AWAITING_COMMENT,
        data={"ticket": ticket.id},
        ttl_seconds=COMMENT_TTL_SECONDS,
    )
    skip = InlineKeyboardButton(t.SKIP_LABEL, callback_data=f"{CONSULTATION}:lewati:{ticket.id}")
    await say(update, t.ASK_COMMENT, InlineKeyboardMarkup([[skip]]))


# ---- the scheduled sweep: answered tickets nobody follows up close by themselves -------------------------


def is_scheduled(event: dict[str, Any]) -> bool:
    """The EventBridge schedule's event (Telegram updates come from the router as {"update": ...})."""
    return event.get("source") == "aws.events" and event.get("detail-type") == "Scheduled Event"


async def auto_close(bot: Bot, now: datetime) -> dict[str, Any]:
    """Close every answered ticket idle for AUTO_CLOSE_WORKING_DAYS working days, then send the notices.

    Each notice is claimed as a ticket event before it is sent (and the claim dropped when Telegram fails):
    running the sweep again, or twice at once, closes nothing twice and sends no notice twice, and a
    notice that failed is sent by the next run.
    """
    db = function.db
    days = AUTO_CLOSE_WORKING_DAYS
    closed = []
    for item in tickets_db.auto_close_candidates(db, tickets.AUTO_CLOSE_STATUSES):
        last = item.last_activity.replace(tzinfo=UTC)
        due = tickets.auto_close_due(item.ticket.status, last, now, hours, days)
        if due and tickets_db.close_automatically(db, item.ticket, days):
            closed.append(item.ticket.id)
    notified = 0
    for ticket in tickets_db.unnoticed_auto_closes(db, "pegawai"):
        if not tickets_db.claim_notice(db, ticket.id, "pegawai"):
            continue
        to_chat = recipient(ticket)
        if to_chat is None:
            # Nobody is bound to the NIP: nothing goes to the account the ticket was asked from.
            tickets_db.add_event(db, ticket.id, "undeliverable", SYSTEM, detail={"reason": "unbound"})
            continue
        try:
            await bot.send_message(
                to_chat,
                t.AUTO_CLOSED_FOR_EMPLOYEE.format(id=ticket.id, days=days),
                parse_mode=ParseMode.HTML,
                reply_markup=rating_buttons(ticket.id),
            )
        except Forbidden as e:
            tickets_db.mark_blocked(db, ticket.nip)
            tickets_db.add_event(db, ticket.id, "undeliverable", SYSTEM, detail={"reason": e.message})
            continue
        except TelegramError:
            tickets_db.release_notice(db, ticket.id, "pegawai")
            function.logger.exception("auto-close notice to the employee not sent; the next run retries")
            continue
        notified += 1
    for ticket in tickets_db.unnoticed_auto_closes(db, "staf"):
        if not tickets_db.claim_notice(db, ticket.id, "staf"):
            continue
        try:
            await refresh_header(bot, ticket.id)
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
            tickets_db.release_notice(db, ticket.id, "staf")
            function.logger.exception("auto-close note to the staff group not sent; the next run retries")
    function.logger.info("auto-close sweep", extra={"closed": closed, "notified": notified})
    return {"status": "done", "closed": closed}


# A post still pending this long after its ticket change lost its hand-over to the queue (SQS keeps a
# message for days and the DeliveryFunction retries it; only a missing enqueue leaves a row this old).
STALE_OUTBOX_MINUTES = 10


async def resend_stale_outbox(bot: Bot, now: datetime) -> list[int]:
    """Hand the stale pending posts of each ticket to the queue again (or post them now without one).

    The FIFO queue deduplicates by outbox item and the delivery skips what is no longer pending, so a post
    whose first hand-over did arrive after all is still posted once."""
    db = function.db
    before = now.astimezone(UTC).replace(tzinfo=None) - timedelta(minutes=STALE_OUTBOX_MINUTES)
    resent = []
    for ticket_id in tickets_db.tickets_with_stale_outbox(db, before):
        try:
            if DELIVERY_QUEUE_URL:
                staff_delivery.enqueue(DELIVERY_QUEUE_URL, tickets_db.pending_outbox(db, ticket_id))
            else:
                await staff_delivery.deliver_pending(bot, db, ticket_id, hours.zone, PACING)
        except Exception:  # one ticket's failure must not stop the others; the next run tries again
            function.logger.exception("stale staff-group posts not handed over", extra={"ticket": ticket_id})
            continue
        resent.append(ticket_id)
    if resent:
        function.logger.warning("stale staff-group posts handed over again", extra={"tickets": resent})
    return resent


async def scheduled_sweep(bot: Bot, now: datetime) -> dict[str, Any]:
    """The schedule's run: close idle answered tickets, then re-send posts whose hand-over was lost."""
    result = await auto_close(bot, now)
    result["resent"] = await resend_stale_outbox(bot, now)
    return result


def register_handlers(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    private = filters.ChatType.PRIVATE
    groups = filters.ChatType.GROUPS
    new_messages = filters.UpdateType.MESSAGE
    app.add_handler(CommandHandler(["tiket", "ambil", "tutup"], staff_command, filters=new_messages))
    app.add_handler(CommandHandler("selesai", selesai, filters=private & new_messages))
    app.add_handler(CommandHandler("lewati", lewati, filters=private & new_messages))
    app.add_handler(MessageHandler(private & new_messages & ~filters.COMMAND, on_private_message))
    app.add_handler(MessageHandler(groups & new_messages & filters.REPLY & ~filters.COMMAND, on_staff_reply))
    app.add_handler(CallbackQueryHandler(on_button))


@function.logger.inject_lambda_context(clear_state=True)
@function.metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    if is_scheduled(event):
        now = clock.utcnow().replace(tzinfo=UTC)
        return function.run(lambda bot: scheduled_sweep(bot, now))
    return function.handle(event, context)
