"""A staff answer on its way to the employee: one message wherever Telegram allows it.

A text answer goes as one text with its header line; a photo, video, document, audio, animation or voice
answer is copied with one caption (the header line, then the staff member's caption); the instruction
(/selesai, or write again) comes with the ticket's first relayed answer only. Two messages (the header,
then the copy) only when there is no room: a sticker or video note (no caption), or a text or caption
that would pass Telegram's limit (4096 / 1024 UTF-16 units) with the header.
"""

from __future__ import annotations

from telegram import Message, Update
from telegram.constants import ParseMode

from sinawai.common.text_limits import MAX_CAPTION_UTF16, MAX_MESSAGE_UTF16
from sinawai.consultation import store
from sinawai.consultation import texts as t
from sinawai.consultation.deps import Consultation, message_id_of
from sinawai.consultation.store import Ticket

# The media a copy can give a new caption; a sticker and a video note have none.
CAPTIONED_MEDIA = ("photo", "video", "document", "audio", "animation", "voice")


def one_bubble(message: Message, ticket_id: int, instruction: bool) -> tuple[str, str] | None:
    """("text" | "caption", the HTML) when the answer fits in one message with its header; else None."""
    if message.text is not None:
        return _fits(
            "text", t.answer_with_header(ticket_id, message.text_html, instruction), MAX_MESSAGE_UTF16
        )
    if any(getattr(message, kind) for kind in CAPTIONED_MEDIA):
        caption = message.caption_html if message.caption else ""
        return _fits("caption", t.answer_with_header(ticket_id, caption, instruction), MAX_CAPTION_UTF16)
    return None


def _fits(kind: str, text: str, limit: int) -> tuple[str, str] | None:
    return (kind, text) if t.fits_utf16(text, limit) else None


async def send_answer(
    c: Consultation, update: Update, ticket: Ticket, chat_id: int, message: Message | None = None
) -> int | None:
    """Send the staff member's answer (``message``, by default the update's) to ``chat_id``; the id of the
    message that carries the answer there (None for a retry that finds it sent but its id unrecorded). Each
    call is made once per update, whatever Lambda retries. Raises what Telegram raised (Forbidden:
    blocked)."""
    message = message or update.effective_message
    assert message is not None
    bot = update.get_bot()
    instruction = ticket.instruction_sent_at is None
    single = one_bubble(message, ticket.id, instruction)
    if single is not None and single[0] == "text":
        text = single[1]
        sent = await c.once(
            update,
            "answer_copy",
            lambda: message_id_of(bot.send_message(chat_id, text, parse_mode=ParseMode.HTML)),
        )
    elif single is not None:
        caption = single[1]
        sent = await c.once(
            update,
            "answer_copy",
            lambda: message_id_of(
                bot.copy_message(
                    chat_id,
                    from_chat_id=message.chat_id,
                    message_id=message.message_id,
                    caption=caption,
                    parse_mode=ParseMode.HTML,
                )
            ),
        )
    else:
        tag = t.answer_tag(ticket.id, instruction)
        await c.once(
            update,
            "answer_tag",
            lambda: message_id_of(bot.send_message(chat_id, tag, parse_mode=ParseMode.HTML)),
        )
        sent = await c.once(
            update,
            "answer_copy",
            lambda: message_id_of(
                bot.copy_message(chat_id, from_chat_id=message.chat_id, message_id=message.message_id)
            ),
        )
    if instruction:
        store.instruction_given(c.db, ticket.id)
    return sent


async def send_text(
    c: Consultation, update: Update, ticket: Ticket, chat_id: int, answer_html: str
) -> int | None:
    """A text the staff chose (a content topic, a template) as the staff answer: one message with the
    answer's header line, made once per update; a text too long for one message is cut (a topic's answer
    fits: content is checked for it)."""
    bot = update.get_bot()
    instruction = ticket.instruction_sent_at is None
    text = t.answer_with_header(ticket.id, answer_html, instruction)
    if not t.fits_utf16(text, MAX_MESSAGE_UTF16):
        text = t.answer_with_header(ticket.id, answer_html, False)
    sent = await c.once(
        update,
        "answer_copy",
        lambda: message_id_of(bot.send_message(chat_id, text, parse_mode=ParseMode.HTML)),
    )
    if instruction:
        store.instruction_given(c.db, ticket.id)
    return sent
