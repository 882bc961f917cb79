"""GeneralFunction: /start, /menu, /bantuan, /tentang, unknown commands and the menu buttons."""

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from sinawai import menu, store
from sinawai.commands import GENERAL
from sinawai.telegram_runtime import GroupFunction, edit_or_keep


def main_menu_markup() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(b.label, callback_data=b.callback_data) for b in row]
            for row in menu.MAIN_MENU
        ]
    )


def back_markup() -> InlineKeyboardMarkup:
    back = menu.BACK_TO_MENU
    return InlineKeyboardMarkup([[InlineKeyboardButton(back.label, callback_data=back.callback_data)]])


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Greet the employee by first name and show the main menu."""
    user = update.effective_user
    await update.effective_message.reply_html(  # type: ignore[union-attr]
        menu.greeting(user.first_name if user else None), reply_markup=main_menu_markup()
    )


async def show_menu(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Show the main menu."""
    await update.effective_message.reply_html(menu.MENU_TEXT, reply_markup=main_menu_markup())  # type: ignore[union-attr]


async def show_help(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """List every command with a one-line description."""
    await update.effective_message.reply_html(menu.help_text(), reply_markup=back_markup())  # type: ignore[union-attr]


async def show_about(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Describe the service."""
    await update.effective_message.reply_html(menu.ABOUT_TEXT, reply_markup=back_markup())  # type: ignore[union-attr]


async def unknown_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Point an unknown command to /bantuan."""
    message = update.effective_message
    assert message is not None
    assert message.text is not None
    name = message.text.split(maxsplit=1)[0][1:].partition("@")[0]
    await message.reply_html(menu.unknown_command_text(name))


async def cancel(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """End the chat's pending conversation, if any."""
    chat = update.effective_chat
    assert chat is not None
    ended = store.end_conversation(function.db, chat.id)
    text = menu.CANCELLED_TEXT if ended else menu.NOTHING_TO_CANCEL_TEXT
    await update.effective_message.reply_html(text)  # type: ignore[union-attr]


async def fallback(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer a message no other group handles with the menu."""
    await update.effective_message.reply_html(menu.FALLBACK_TEXT, reply_markup=main_menu_markup())  # type: ignore[union-attr]


async def private_only(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Invite a group member to the private chat, where personal services live."""
    url = f"https://t.me/{context.bot.username}?start=menu"
    markup = InlineKeyboardMarkup([[InlineKeyboardButton(menu.OPEN_PRIVATE_CHAT_LABEL, url=url)]])
    await update.effective_message.reply_text(menu.PRIVATE_ONLY_TEXT, reply_markup=markup)  # type: ignore[union-attr]


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Show the chosen general page in place; a service not deployed yet says so."""
    query = update.callback_query
    assert query is not None
    group, _, action = (query.data or "").partition(":")
    pages = {
        "menu": (menu.MENU_TEXT, main_menu_markup()),
        "bantuan": (menu.help_text(), back_markup()),
        "tentang": (menu.ABOUT_TEXT, back_markup()),
    }
    if group == GENERAL and action in pages:
        await query.answer()
        await edit_or_keep(update, *pages[action])
    elif group != GENERAL and group:
        await query.answer(menu.SERVICE_NOT_READY_ALERT, show_alert=True)
    else:
        # Stale or forged data: show the menu again, never an error.
        await query.answer()
        await edit_or_keep(update, menu.MENU_TEXT, main_menu_markup())


def register(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    private = filters.ChatType.PRIVATE
    app.add_handler(CommandHandler("start", start, filters=private))
    app.add_handler(CommandHandler("menu", show_menu, filters=private))
    app.add_handler(CommandHandler("bantuan", show_help, filters=private))
    app.add_handler(CommandHandler("tentang", show_about, filters=private))
    app.add_handler(CommandHandler("batal", cancel, filters=private))
    app.add_handler(MessageHandler(filters.COMMAND & private, unknown_command))
    app.add_handler(
        CommandHandler(["start", "menu", "bantuan", "tentang"], private_only, filters=filters.ChatType.GROUPS)
    )
    app.add_handler(MessageHandler(private & ~filters.COMMAND, fallback))
    app.add_handler(CallbackQueryHandler(on_button))


function = GroupFunction(GENERAL, register)


@function.logger.inject_lambda_context(clear_state=True)
@function.metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return function.handle(event, context)
