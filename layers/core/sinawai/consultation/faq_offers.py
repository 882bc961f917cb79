"""FAQ answers before a consultation: a question asked with no ticket open is first offered the published
topics that match it; only "Tidak, teruskan ke petugas" (or no good match) makes it a ticket. When one
topic is clearly the answer it is shown (the others as buttons); otherwise the topics are a choice and
none is shown until the employee picks one (``faq.offered``)."""

from __future__ import annotations

from telegram import Message, ReplyParameters, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest

from sinawai.common.asn import AsnType
from sinawai.common.numbers import parse_int
from sinawai.consultation import faq
from sinawai.consultation import texts as t
from sinawai.consultation.deps import ACTING, Consultation, message_id_of, say
from sinawai.consultation.keyboards import faq_choice_markup, faq_markup
from sinawai.general import menu
from sinawai.information import content, pages
from sinawai.information.content import Bundle, Topic
from sinawai.platform import service_records
from sinawai.platform.service_records import FaqOffer
from sinawai.registration import employees
from sinawai.registration.employees import Employee
from sinawai.registration.guards import active_employee
from sinawai.telegram.ui import not_modified

MAX_QUESTION_CHARS = 4096


def faq_text(
    topic: Topic, bundle: Bundle, others: int, jenis_asn: AsnType | None = None, *, notice: bool = True
) -> str:
    """The offer's message; the topic as the asker's type reads it (a PPPK gets the PPPK variant), with the
    draft notice when ``notice`` (once per conversation)."""
    more = t.FAQ_MORE if others else ""
    shown = content.for_reader(bundle, topic, jenis_asn)
    answer = content.answer_html(shown, bundle.area(topic.area), notice=notice)
    return f"{t.FAQ_INTRO}\n\n{answer}\n\n{more}{t.FAQ_QUESTION}"


async def offer(
    c: Consultation,
    update: Update,
    employee: Employee | None,
    question: str,
    *,
    question_message_id: int | None = None,
) -> bool:
    """Offer the best matching topics (True), or record that none matched well enough (False); a guest
    (``employee`` None) is offered the same topics. The question is the update's message, or
    ``question_message_id`` (a message held while the employee chose)."""
    message = update.effective_message
    assert message is not None
    asked = question_message_id if question_message_id is not None else message.message_id
    bundle = c.content.get()
    if not bundle.topics:
        return False  # nothing published: no FAQ to offer
    found = faq.offered(question, bundle, threshold=c.settings.faq_threshold)
    matches = found.matches
    best = faq.best_score(question, bundle)
    recorded = service_records.record_offer(
        c.db,
        chat_id=message.chat_id,
        nip=employee.nip if employee is not None else None,
        question=question[:MAX_QUESTION_CHARS],
        topic_ids=[m.topic.id for m in matches],
        best_score=best,
        question_message_id=asked,
        update_id=update.update_id,
        outcome="menunggu" if matches else "tanpa_kecocokan",
    )
    if not matches:
        return False
    topics = [m.topic for m in matches]
    if found.answered:
        notice = pages.draft_notice_due(c.db, message.chat_id, bundle)
        jenis_asn = employee.jenis_asn if employee is not None else None
        text = faq_text(topics[0], bundle, len(topics) - 1, jenis_asn, notice=notice)
        markup = faq_markup(recorded.id, topics, 0)
    else:
        # no topic is clearly the one: a choice, no answer shown (a wrong answer first would mislead)
        text, markup = t.FAQ_CHOOSE, faq_choice_markup(recorded.id, topics)
    sent = await c.once(
        update,
        "faq_offer",
        lambda: message_id_of(
            message.get_bot().send_message(
                message.chat_id,
                text,
                parse_mode=ParseMode.HTML,
                reply_markup=markup,
                disable_web_page_preview=True,
                # under the question it answers (still sent if the employee deleted the question)
                reply_parameters=ReplyParameters(asked, allow_sending_without_reply=True),
            )
        ),
    )
    if sent is not None:
        service_records.set_offer_message(c.db, recorded.id, sent)
    if found.answered:
        service_records.record_view(c.db, message.chat_id, topics[0].area, topics[0].id, "faq")
    return True


async def pressed_offer(
    c: Consultation, update: Update, raw_offer: str
) -> tuple[FaqOffer, Employee | None] | None:
    """The offer a button belongs to, and its employee (None: a guest's offer, pressed in the guest's own
    chat); None after telling why it cannot be used."""
    query = update.callback_query
    chat = update.effective_chat
    assert query is not None
    assert chat is not None
    offer_id = parse_int(raw_offer)
    found = service_records.offer(c.db, offer_id) if offer_id is not None else None
    if found is None or found.chat_id != chat.id:
        await query.answer(t.FAQ_GONE, show_alert=True)
        return None
    if found.nip is None:
        # A guest's offer: only in the private chat it was made in (checked above), which is the guest's.
        return found, None
    employee = await active_employee(update, c.db, ACTING, nip=found.nip or "", alert=True)
    return None if employee is None else (found, employee)


async def decide(c: Consultation, update: Update, offer: FaqOffer, choice: str) -> bool:
    """ "Ya" or "Tidak" on an offer; True when the question is to go to the staff now (a ticket)."""
    query = update.callback_query
    assert query is not None
    forwarding_again = offer.outcome == "diteruskan" and offer.ticket_id is None  # a retried "Tidak"
    if offer.outcome != "menunggu" and not forwarding_again:
        await query.answer(t.FAQ_DECIDED, show_alert=True)
        return False
    if choice == "ya":
        if service_records.decide(c.db, offer.id, "terjawab"):
            await query.answer()
            await drop_buttons(update)
            await say(update, t.FAQ_THANKS)
        else:
            await query.answer(t.FAQ_DECIDED, show_alert=True)
        return False
    if choice != "tidak":
        await query.answer()
        return False
    if not forwarding_again and not service_records.decide(c.db, offer.id, "diteruskan"):
        await query.answer(t.FAQ_DECIDED, show_alert=True)
        return False
    if offer.question_message_id is None:
        await query.answer(t.FAQ_GONE, show_alert=True)
        return False
    if c.staff_group is None:
        c.logger.error("STAFF_GROUP_CHAT_ID is not set: a consultation cannot be forwarded")
        await query.answer(menu.SERVICE_NOT_READY_ALERT, show_alert=True)
        return False
    await query.answer()
    await drop_buttons(update)
    return True


async def show_topic(c: Consultation, update: Update, offer: FaqOffer, raw_index: str) -> None:
    """Another of the offered topics, in place of the one shown."""
    query = update.callback_query
    chat = update.effective_chat
    assert query is not None
    assert chat is not None
    bundle = c.content.get()
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
    notice = pages.draft_notice_due(c.db, chat.id, bundle)
    try:
        await query.edit_message_text(
            faq_text(topic, bundle, len(topics) - 1, _asker_type(c, offer), notice=notice),
            parse_mode=ParseMode.HTML,
            reply_markup=faq_markup(offer.id, topics, shown),
            disable_web_page_preview=True,
        )
    except BadRequest as e:
        if not not_modified(e):
            raise
    service_records.record_view(c.db, chat.id, topic.area, topic.id, "faq")


def _asker_type(c: Consultation, offer: FaqOffer) -> AsnType | None:
    """The type of the employee who asked (None when the offer has no employee, or it is gone)."""
    employee = employees.by_nip(c.db, offer.nip) if offer.nip else None
    return employee.jenis_asn if employee is not None else None


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
