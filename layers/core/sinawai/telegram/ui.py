"""Small Telegram UI helpers the feature handlers share."""

from __future__ import annotations

from telegram import CallbackQuery, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest


def not_modified(error: BadRequest) -> bool:
    """Telegram's "message is not modified": an edit to what is already shown (a button pressed twice).

    Telegram has no error code for it, and PTB capitalises the description: compared without case."""
    return "message is not modified" in error.message.lower()


async def edit_or_keep(
    update: Update, text: str, markup: InlineKeyboardMarkup | None, *, link_preview: bool = True
) -> None:
    """Edit the pressed button's message to ``text`` (HTML); the same page shown again is not an error."""
    query = update.callback_query
    assert query is not None
    try:
        await query.edit_message_text(
            text,
            parse_mode=ParseMode.HTML,
            reply_markup=markup,
            disable_web_page_preview=None if link_preview else True,
        )
    except BadRequest as e:
        if not not_modified(e):
            raise


def pressed(update: Update) -> CallbackQuery:
    """The button press of an update a CallbackQueryHandler matched."""
    query = update.callback_query
    assert query is not None
    return query
